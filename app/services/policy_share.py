"""The share of matched and contracted budget going to climate response and digital inclusion.

The 4th Smart City Comprehensive Plan asks that at least 35% (`TARGET_PERCENT`) of a diffusion
project's total cost go to climate-crisis response and digital inclusion. The admin dashboard
shows, nationally and per municipality (the municipality that posted the need), for a period
(default: this calendar year in Seoul):

- **matched budget**: the budgets of the needs with a match the admins approved in the period
  (its `reviewed_at`), each need once however many of its matches were approved; a need's budget
  is its upper bound (`budget_max`, else `budget_min`; a need with neither counts 0 and is counted
  in `needs_without_budget`);
- **contracted budget**: the contract amounts (`MatchOutcome.contract_amount`) of the matches at
  계약·도입 or 운영 whose contract date (`contracted_on`, else the day the stage was reached) falls
  in the period.

A need's budget or a contract counts for an area when the need or the solution (for matched
budget: any solution of the need's approved matches in the period) carries the area's *confirmed*
policy tag; the combined figure counts it once even when both areas apply. A portfolio (national,
or one municipality's) with budget whose combined share is below 35% is flagged. Read-only
queries; the arithmetic is in Python so it runs the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.date_range import DateRangeForm
from app.extensions import db
from app.formatting import SEOUL
from app.i18n import current_language
from app.labels import label
from app.models import (
    Match,
    MatchOutcome,
    MatchStatus,
    Municipality,
    Need,
    NeedPolicyTag,
    OutcomeStage,
    PolicyArea,
    PolicyTagStatus,
    SolutionPolicyTag,
)
from app.services.analytics import municipality_name

TARGET_PERCENT = 35
CONTRACTED_STAGES = (OutcomeStage.CONTRACTED, OutcomeStage.OPERATING)
NATIONAL = "national"
# The 35% rule is the domestic diffusion plan's: overseas needs (K-City Network) are not counted.
DOMESTIC_NEED = Need.municipality_id.is_not(None)


@dataclass(frozen=True)
class Figures:
    """Budget in won of one portfolio: in total, per area and in either area (counted once)."""

    total: int = 0
    by_area: dict[PolicyArea, int] = field(default_factory=dict)
    combined: int = 0
    count: int = 0  # needs (matched budget) or contracts (contracted budget) counted

    def amount(self, area: PolicyArea) -> int:
        return self.by_area.get(area, 0)

    def share(self, area: PolicyArea) -> float | None:
        """The area's percentage of the total, one decimal (None without budget)."""
        return _percent(self.amount(area), self.total)

    @property
    def combined_share(self) -> float | None:
        return _percent(self.combined, self.total)

    @property
    def below_target(self) -> bool | None:
        """True when the two areas together get less than 35% (None without budget)."""
        if not self.total:
            return None
        return self.combined * 100 < TARGET_PERCENT * self.total


@dataclass(frozen=True)
class ShareRow:
    """One portfolio: the whole country or one municipality."""

    key: str  # NATIONAL or the municipality's id
    name: str
    matched: Figures
    contracted: Figures

    @property
    def flagged(self) -> bool:
        return bool(self.matched.below_target or self.contracted.below_target)


@dataclass(frozen=True)
class ShareReport:
    """The national portfolio and every municipality with matched or contracted budget."""

    date_from: date
    date_to: date
    national: ShareRow
    municipalities: list[ShareRow]
    needs_without_budget: int

    @property
    def flagged(self) -> list[ShareRow]:
        return [row for row in self.municipalities if row.flagged]


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def period(form: DateRangeForm, today: date) -> tuple[date, date]:
    """The form's valid range; by default from 1 January of the end date's year to today."""
    valid = not form.errors
    end = (form.day("date_to") if valid else None) or today
    start = (form.day("date_from") if valid else None) or date(end.year, 1, 1)
    if start > end:
        start = date(end.year, 1, 1)
    return start, end


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SEOUL).astimezone(timezone.utc)


def _seoul_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(SEOUL).date()


def _confirmed(tag_model, owner_column) -> dict[int, set[PolicyArea]]:
    areas: dict[int, set[PolicyArea]] = {}
    for owner, area in db.session.execute(select(owner_column, tag_model.area).where(
            tag_model.status == PolicyTagStatus.CONFIRMED)):
        areas.setdefault(owner, set()).add(area)
    return areas


class _Tally:
    """Budget per portfolio key while the rows are read."""

    def __init__(self) -> None:
        self.total: dict[str, int] = {}
        self.areas: dict[str, dict[PolicyArea, int]] = {}
        self.combined: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def add(self, keys: Iterable[str], amount: int, areas: set[PolicyArea]) -> None:
        for key in keys:
            self.total[key] = self.total.get(key, 0) + amount
            self.count[key] = self.count.get(key, 0) + 1
            by_area = self.areas.setdefault(key, {})
            for area in areas:
                by_area[area] = by_area.get(area, 0) + amount
            if areas:
                self.combined[key] = self.combined.get(key, 0) + amount

    def figures(self, key: str) -> Figures:
        return Figures(self.total.get(key, 0), dict(self.areas.get(key, {})),
                       self.combined.get(key, 0), self.count.get(key, 0))


def report(date_from: date, date_to: date) -> ShareReport:
    """The shares of the period (both ends included, Seoul dates)."""
    need_areas = _confirmed(NeedPolicyTag, NeedPolicyTag.need_id)
    solution_areas = _confirmed(SolutionPolicyTag, SolutionPolicyTag.solution_id)
    start, end = _utc(date_from), _utc(date_to + timedelta(days=1))

    # Matched: each need once, with the areas of the need and of its approved matches' solutions.
    needs: dict[int, tuple[int, int | None, set[PolicyArea]]] = {}
    for need_id, solution_id, municipality_id, budget_min, budget_max in db.session.execute(
            select(Match.need_id, Match.solution_id, Need.municipality_id, Need.budget_min,
                   Need.budget_max)
            .join(Need, Need.id == Match.need_id)
            .where(Match.status == MatchStatus.APPROVED, Match.reviewed_at >= start,
                   Match.reviewed_at < end, DOMESTIC_NEED)):
        budget = budget_max if budget_max is not None else budget_min
        entry = needs.setdefault(need_id, (municipality_id, budget,
                                           set(need_areas.get(need_id, ()))))
        entry[2].update(solution_areas.get(solution_id, ()))
    matched = _Tally()
    without_budget = 0
    for municipality_id, budget, areas in needs.values():
        without_budget += budget is None
        matched.add((NATIONAL, str(municipality_id)), budget or 0, areas)

    # Contracted: each contract of a match at 계약·도입 or 운영 dated in the period.
    contracted = _Tally()
    for need_id, solution_id, municipality_id, amount, contracted_on, stage_since in \
            db.session.execute(
                select(Match.need_id, Match.solution_id, Need.municipality_id,
                       MatchOutcome.contract_amount, MatchOutcome.contracted_on,
                       MatchOutcome.stage_since)
                .join(MatchOutcome, MatchOutcome.match_id == Match.id)
                .join(Need, Need.id == Match.need_id)
                .where(Match.status == MatchStatus.APPROVED,
                       MatchOutcome.stage.in_(CONTRACTED_STAGES),
                       MatchOutcome.contract_amount.is_not(None), DOMESTIC_NEED)):
        day = contracted_on or _seoul_day(stage_since)
        if not date_from <= day <= date_to:
            continue
        areas = set(need_areas.get(need_id, ())) | solution_areas.get(solution_id, set())
        contracted.add((NATIONAL, str(municipality_id)), amount, areas)

    ids = {int(key) for key in (*matched.total, *contracted.total) if key != NATIONAL}
    places = list(db.session.scalars(
        select(Municipality).where(Municipality.id.in_(ids))
        .order_by(Municipality.sort_order, Municipality.id))) if ids else []
    locale = current_language()
    rows = [ShareRow(str(place.id), municipality_name(place, locale),
                     matched.figures(str(place.id)), contracted.figures(str(place.id)))
            for place in places]
    national = ShareRow(NATIONAL, _("전국"), matched.figures(NATIONAL),
                        contracted.figures(NATIONAL))
    return ShareReport(date_from, date_to, national, rows, without_budget)


def _flag(value: bool | None) -> str:
    if value is None:
        return ""
    return _("미달") if value else _("충족")


def csv_table(report_: ShareReport) -> tuple[list[str], list[list]]:
    """Headers and rows of the CSV download: the period, then the national row and each
    municipality's, amounts in won and shares in percent."""
    areas = list(PolicyArea)
    headers = [_("시작일"), _("종료일"), _("지자체명")]
    for kind in (_("매칭 예산"), _("계약 금액")):
        headers.append(_("%(kind)s(원)", kind=kind))
        for area in areas:
            headers += [_("%(kind)s: %(area)s(원)", kind=kind, area=label(area)),
                        _("%(kind)s: %(area)s(%%)", kind=kind, area=label(area))]
        headers += [_("%(kind)s: 두 분야 합계(원)", kind=kind),
                    _("%(kind)s: 두 분야 합계(%%)", kind=kind),
                    _("%(kind)s: 35%% 기준", kind=kind)]
    rows = []
    for row in [report_.national, *report_.municipalities]:
        cells: list = [report_.date_from.isoformat(), report_.date_to.isoformat(), row.name]
        for figures in (row.matched, row.contracted):
            cells.append(figures.total)
            for area in areas:
                cells += [figures.amount(area), figures.share(area)]
            cells += [figures.combined, figures.combined_share, _flag(figures.below_target)]
        rows.append(cells)
    return headers, rows
