"""After approval: the outcome state machine of a match, each step double-confirmed.

One side proposes a step (협의 중 → 실증 → 계약·도입 → 운영, or → 중단 from an open stage), the
other side confirms it or rejects it with a reason; the proposer can never confirm its own step.
Every function takes the acting user first, checks that they act for one side of the match,
flushes and never commits.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.labels import label
from app.models import (
    Match,
    MatchOutcome,
    MatchStatus,
    Municipality,
    Need,
    OutcomeStage,
    OutcomeStep,
    ProcurementRoute,
    Side,
    Solution,
    StepStatus,
    User,
)
from app.models.base import utcnow
from app.models.outcome import AMOUNT_MAX
from app.services.errors import PermissionDenied, ServiceError
from app.services.notifications import local_path
from app.services.workflow import side_of  # noqa: F401 (the views ask it too)
from app.templating import lazy_place_name

NOTE_MAX = 500
REASON_MAX = 500
EARLIEST_DATE = date(2000, 1, 1)
FUTURE_DAYS_ALLOWED = 366

# --- the state machine: the stage a step leads to → the stages it may start from --------------

OUTCOME_TRANSITIONS: dict[OutcomeStage, frozenset[OutcomeStage]] = {
    OutcomeStage.POC: frozenset({OutcomeStage.NEGOTIATING}),
    # a 혁신제품 시범구매 or a 수의계약 may skip the PoC
    OutcomeStage.CONTRACTED: frozenset({OutcomeStage.NEGOTIATING, OutcomeStage.POC}),
    OutcomeStage.OPERATING: frozenset({OutcomeStage.CONTRACTED}),
    OutcomeStage.STOPPED: frozenset({OutcomeStage.NEGOTIATING, OutcomeStage.POC,
                                     OutcomeStage.CONTRACTED}),
}
OPEN_STAGES = (OutcomeStage.NEGOTIATING, OutcomeStage.POC, OutcomeStage.CONTRACTED)
#: A confirmed contract: the deployment is a verified reference (until it is stopped).
VERIFIED_STAGES = (OutcomeStage.CONTRACTED, OutcomeStage.OPERATING)
STAGE_ORDER = (OutcomeStage.NEGOTIATING, OutcomeStage.POC, OutcomeStage.CONTRACTED,
               OutcomeStage.OPERATING, OutcomeStage.STOPPED)
#: Which facts a step records: a date (when it happened or starts), a route, an amount.
DATE_REQUIRED = (OutcomeStage.POC, OutcomeStage.CONTRACTED, OutcomeStage.OPERATING)
ROUTE_ALLOWED = (OutcomeStage.POC, OutcomeStage.CONTRACTED)
AMOUNT_ALLOWED = (OutcomeStage.POC, OutcomeStage.CONTRACTED)


def next_stages(stage: OutcomeStage) -> list[OutcomeStage]:
    """The stages a step may lead to from `stage`, in the order of the life cycle."""
    return [to for to in STAGE_ORDER if stage in OUTCOME_TRANSITIONS.get(to, ())]


def may_move(stage: OutcomeStage, to_stage: OutcomeStage) -> bool:
    """True when the table allows a step from `stage` to `to_stage`."""
    return stage in OUTCOME_TRANSITIONS.get(to_stage, frozenset())


# --- reading -------------------------------------------------------------------------------


def outcome_of(match: Match) -> MatchOutcome | None:
    """The outcome row of a match (None until its first step or reminder)."""
    return db.session.scalar(select(MatchOutcome).where(MatchOutcome.match_id == match.id))


def stage_of(match: Match) -> OutcomeStage | None:
    """The match's stage: None before approval, 협의 중 from approval to the first step."""
    if match.status != MatchStatus.APPROVED:
        return None
    outcome = outcome_of(match)
    return outcome.stage if outcome is not None else OutcomeStage.NEGOTIATING


def open_step(outcome: MatchOutcome | None) -> OutcomeStep | None:
    """The proposal waiting for the other side, if any."""
    if outcome is None:
        return None
    return next((step for step in outcome.steps if step.status == StepStatus.PROPOSED), None)


def may_view(user: User, match: Match) -> bool:
    """The two sides of the match and admins."""
    return bool(user.is_authenticated and (user.is_admin or side_of(user, match) is not None))


# --- helpers -------------------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    """Stored datetimes come back naive from SQLite; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _now(now: datetime | None) -> datetime:
    return _aware(now) if now is not None else utcnow()


def pair_names(match: Match) -> dict:
    """The names notifications about a match use (the place in the recipient's language)."""
    return {"need": match.need.title, "solution": match.solution.title,
            "municipality": lazy_place_name(match.need.owner),
            "company": match.solution.company.name}


def _other(side: Side) -> Side:
    return Side.COMPANY if side == Side.MUNICIPALITY else Side.MUNICIPALITY


def _require_side(actor: User, match: Match) -> Side:
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied()
    if match.status != MatchStatus.APPROVED:
        raise ServiceError(_("관리자가 승인한 매칭만 도입 진행 상황을 기록할 수 있습니다."))
    return side


def ensure_outcome(match: Match) -> MatchOutcome:
    """The match's outcome row, created in 협의 중 (since approval) when missing."""
    outcome = outcome_of(match)
    if outcome is not None:
        return outcome
    since = _aware(match.reviewed_at) or utcnow()
    outcome = MatchOutcome(match_id=match.id, stage=OutcomeStage.NEGOTIATING, stage_since=since,
                           last_activity_at=since)
    try:
        with db.session.begin_nested():  # a concurrent first step may create it first
            db.session.add(outcome)
    except IntegrityError:
        outcome = outcome_of(match)
    return outcome


def _lock(outcome: MatchOutcome) -> None:
    """Re-read under a row lock (PostgreSQL); elsewhere the version column refuses a stale write."""
    db.session.refresh(outcome, with_for_update=True)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def notify_side(match: Match, side: Side, kind: str, title, body="") -> None:
    """Notify every member of one side of the match, linking to its outcome page."""
    from app.services import notifications

    link = local_path("outcomes.detail", match_id=match.id)
    if side == Side.MUNICIPALITY:
        notifications.notify_municipality(match.need.owner, kind, title, body, link)
    else:
        notifications.notify_company(match.solution.company, kind, title, body, link)


@dataclass
class StepInput:
    """What a side proposes: the stage, and the facts the stage records."""

    to_stage: OutcomeStage | None
    happened_on: date | None = None
    procurement_route: ProcurementRoute | None = None
    amount: int | None = None
    note: str | None = None


def _checked(data: StepInput, today: date) -> StepInput:
    """The input with only the facts its stage records, or a refusal naming the field."""
    to = data.to_stage
    if to not in OUTCOME_TRANSITIONS:
        raise ServiceError(_("다음 단계를 목록에서 고르세요."), field="to_stage")
    happened_on = data.happened_on
    if to in DATE_REQUIRED and happened_on is None:
        raise ServiceError(_("날짜를 입력하세요."), field="happened_on")
    if happened_on is not None and not (
            EARLIEST_DATE <= happened_on <= today + timedelta(days=FUTURE_DAYS_ALLOWED)):
        raise ServiceError(_("날짜는 2000년 1월 1일부터 1년 뒤까지로 입력하세요."), field="happened_on")
    route = data.procurement_route if to in ROUTE_ALLOWED else None
    if to == OutcomeStage.CONTRACTED and route is None:
        raise ServiceError(_("계약 방식을 고르세요."), field="procurement_route")
    amount = data.amount if to in AMOUNT_ALLOWED else None
    if to == OutcomeStage.CONTRACTED and amount is None:
        raise ServiceError(_("계약 금액을 입력하세요."), field="amount")
    if amount is not None and not 0 <= amount <= AMOUNT_MAX:
        raise ServiceError(_("금액은 0원부터 1조 원까지 입력하세요."), field="amount")
    note = _clean(data.note)
    if len(note) > NOTE_MAX:
        raise ServiceError(_("메모는 %(n)d자 이하로 입력하세요.", n=NOTE_MAX), field="note")
    if to == OutcomeStage.STOPPED and not note:
        raise ServiceError(_("중단 사유를 메모에 적어 주세요."), field="note")
    return StepInput(to, happened_on, route, amount, note)


# --- the steps -----------------------------------------------------------------------------


def propose_step(actor: User, match: Match, data: StepInput) -> OutcomeStep:
    """One side proposes the next step; it counts once the other side confirms it."""
    side = _require_side(actor, match)
    data = _checked(data, date.today())
    outcome = ensure_outcome(match)
    _lock(outcome)
    if open_step(outcome) is not None:
        raise ServiceError(_("상대방의 확인을 기다리는 단계가 있습니다. 확인되거나 거절된 뒤에 "
                             "다음 단계를 제안하세요."), field="to_stage")
    if not may_move(outcome.stage, data.to_stage):
        raise ServiceError(_("현재 단계(%(stage)s)에서는 %(to)s(으)로 갈 수 없습니다.",
                             stage=label(outcome.stage), to=label(data.to_stage)),
                           field="to_stage")
    now = utcnow()
    step = OutcomeStep(outcome=outcome, to_stage=data.to_stage, status=StepStatus.PROPOSED,
                       proposed_side=side, proposed_by_id=actor.id, proposed_at=now,
                       happened_on=data.happened_on, procurement_route=data.procurement_route,
                       amount=data.amount, note=data.note)
    outcome.last_activity_at = now
    db.session.add(step)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the other side proposed at the same moment and won
        raise ServiceError(_("상대방의 확인을 기다리는 단계가 있습니다. 확인되거나 거절된 뒤에 "
                             "다음 단계를 제안하세요."), field="to_stage") from error
    notify_side(match, _other(side), "outcome_step",
                 _l("도입 단계 확인 요청: %(need)s ↔ %(solution)s → %(stage)s",
                    stage=label(data.to_stage), **pair_names(match)),
                 _l("상대방이 다음 단계를 제안했습니다. 확인하거나 사유와 함께 거절해 주세요."))
    return step


def _answerable_step(actor: User, match: Match, step_id: int | None) -> tuple[Side, MatchOutcome,
                                                                             OutcomeStep]:
    side = _require_side(actor, match)
    outcome = outcome_of(match)
    if outcome is None:
        raise ServiceError(_("확인할 단계가 없습니다."))
    _lock(outcome)
    step = open_step(outcome)
    if step is None or step.id != step_id:
        raise ServiceError(_("확인할 단계가 없거나 이미 처리되었습니다. 화면을 새로 고쳐 확인하세요."))
    if step.proposed_side == side:
        raise ServiceError(_("내 조직이 제안한 단계는 상대방이 확인해야 합니다."))
    return side, outcome, step


def confirm_step(actor: User, match: Match, step_id: int | None) -> OutcomeStep:
    """The other side confirms the proposed step: the match moves to its stage."""
    side, outcome, step = _answerable_step(actor, match, step_id)
    if not may_move(outcome.stage, step.to_stage):  # cannot happen with one open step; kept safe
        raise ServiceError(_("현재 단계(%(stage)s)에서는 %(to)s(으)로 갈 수 없습니다.",
                             stage=label(outcome.stage), to=label(step.to_stage)))
    now = utcnow()
    step.status = StepStatus.CONFIRMED
    step.responded_by_id = actor.id
    step.responded_at = now
    outcome.stage = step.to_stage
    outcome.stage_since = now
    outcome.last_activity_at = now
    if step.to_stage == OutcomeStage.CONTRACTED:
        outcome.procurement_route = step.procurement_route
        outcome.contract_amount = step.amount
        outcome.contracted_on = step.happened_on
    db.session.flush()
    notify_side(match, step.proposed_side, "outcome_step",
                 _l("상대방이 확인했습니다: %(need)s ↔ %(solution)s → %(stage)s",
                    stage=label(step.to_stage), **pair_names(match)))
    return step


def reject_step(actor: User, match: Match, step_id: int | None, reason: str | None
                ) -> OutcomeStep:
    """The other side rejects the proposed step with a reason; the stage stays as it was."""
    reason = _clean(reason)
    if not reason:
        raise ServiceError(_("거절 사유를 입력하세요."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("사유는 %(n)d자 이하로 입력하세요.", n=REASON_MAX), field="reason")
    side, outcome, step = _answerable_step(actor, match, step_id)
    now = utcnow()
    step.status = StepStatus.REJECTED
    step.responded_by_id = actor.id
    step.responded_at = now
    step.response_reason = reason
    outcome.last_activity_at = now
    db.session.flush()
    notify_side(match, step.proposed_side, "outcome_step",
                 _l("상대방이 제안한 단계를 거절했습니다: %(need)s ↔ %(solution)s → %(stage)s",
                    stage=label(step.to_stage), **pair_names(match)),
                 _l("사유: %(reason)s", reason=reason))
    return step


# --- stalled matches -----------------------------------------------------------------------


def stall_cutoff(now: datetime | None = None) -> datetime:
    """Matches with no step since this moment are stalled."""
    return _now(now) - timedelta(days=int(current_app.config.get("OUTCOME_STALL_DAYS", 30)))


def _due_clause(cutoff: datetime):
    return (MatchOutcome.stage.in_(OPEN_STAGES), MatchOutcome.last_activity_at <= cutoff,
            or_(MatchOutcome.reminder_sent_at.is_(None),
                MatchOutcome.reminder_sent_at < MatchOutcome.last_activity_at))


def remind_stalled(now: datetime | None = None) -> int:
    """Remind both sides of each stalled match, once per stall (a new step re-arms it).

    Safe when two runs overlap: each reminder is claimed by a conditional UPDATE that only one
    transaction can win (PostgreSQL also skips rows another run holds).
    """
    moment = _now(now)
    cutoff = stall_cutoff(moment)
    without_row = select(Match).where(
        Match.status == MatchStatus.APPROVED, Match.reviewed_at <= cutoff,
        ~Match.id.in_(select(MatchOutcome.match_id)))
    for match in db.session.scalars(without_row).all():
        ensure_outcome(match)
    sent = 0
    due = db.session.scalars(
        select(MatchOutcome).where(*_due_clause(cutoff)).order_by(MatchOutcome.id)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
    for outcome in due:
        claimed = db.session.execute(
            update(MatchOutcome).where(MatchOutcome.id == outcome.id, *_due_clause(cutoff))
            .values(reminder_sent_at=moment, version=MatchOutcome.version + 1)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        db.session.refresh(outcome)
        match = outcome.match
        days = (moment - _aware(outcome.last_activity_at)).days
        for side in (Side.MUNICIPALITY, Side.COMPANY):
            notify_side(match, side, "outcome_reminder",
                         _l("%(days)d일째 진행이 없습니다: %(need)s ↔ %(solution)s",
                            days=days, **pair_names(match)),
                         _l("현재 단계는 %(stage)s입니다. 다음 단계를 제안하거나, 상대방이 제안한 "
                            "단계를 확인해 주세요.", stage=label(outcome.stage)))
        sent += 1
    db.session.flush()
    return sent


# --- verified references -------------------------------------------------------------------


@dataclass
class VerifiedReference:
    """A deployment both sides confirmed: where, since when, how it was bought."""

    match_id: int
    solution: Solution
    municipality: Municipality
    stage: OutcomeStage
    contracted_on: date | None
    procurement_route: ProcurementRoute | None


def _verified_query():
    return (select(MatchOutcome, Match).join(Match, Match.id == MatchOutcome.match_id)
            .where(MatchOutcome.stage.in_(VERIFIED_STAGES), Match.status == MatchStatus.APPROVED)
            .options(selectinload(Match.need).selectinload(Need.municipality),
                     selectinload(Match.solution))
            .order_by(MatchOutcome.contracted_on.desc(), MatchOutcome.id.desc()))


def _references(rows) -> list[VerifiedReference]:
    return [VerifiedReference(match.id, match.solution, match.need.owner, outcome.stage,
                              outcome.contracted_on, outcome.procurement_route)
            for outcome, match in rows]


def verified_references_of_solution(solution: Solution) -> list[VerifiedReference]:
    """The solution's verified deployments, newest contract first."""
    return _references(db.session.execute(
        _verified_query().where(Match.solution_id == solution.id)).all())


def verified_references_of_company(company_id: int) -> list[VerifiedReference]:
    """Verified deployments of every solution of the company, newest contract first."""
    return _references(db.session.execute(
        _verified_query().join(Solution, Solution.id == Match.solution_id)
        .where(Solution.company_id == company_id)).all())


def verified_places(solution_ids: Iterable[int] | None = None) -> dict[int, list[Municipality]]:
    """The municipalities of each solution's verified deployments (None: every solution)."""
    query = (select(Match.solution_id, Municipality)
             .join(MatchOutcome, MatchOutcome.match_id == Match.id)
             .join(Need, Need.id == Match.need_id)
             .join(Municipality, Municipality.id == Need.municipality_id)
             .where(MatchOutcome.stage.in_(VERIFIED_STAGES), Match.status == MatchStatus.APPROVED)
             .order_by(Match.id))
    if solution_ids is not None:
        query = query.where(Match.solution_id.in_(list(solution_ids)))
    places: dict[int, list[Municipality]] = {}
    for solution_id, municipality in db.session.execute(query).all():
        places.setdefault(solution_id, []).append(municipality)
    return places


# --- where matches stop (admins) -----------------------------------------------------------


@dataclass
class StageFigures:
    """One stage on the admins' outcome page."""

    stage: OutcomeStage
    count: int = 0
    stalled: int = 0
    durations: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        """Median days matches spent in this stage before their next confirmed step."""
        return round(statistics.median(self.durations), 1) if self.durations else None


def overview(now: datetime | None = None) -> list[StageFigures]:
    """Per stage: approved matches in it now, how many of those are stalled, median days spent."""
    moment = _now(now)
    cutoff = stall_cutoff(moment)
    figures = {stage: StageFigures(stage) for stage in STAGE_ORDER}
    matches = db.session.scalars(select(Match).where(Match.status == MatchStatus.APPROVED)).all()
    outcomes = {o.match_id: o for o in db.session.scalars(
        select(MatchOutcome).options(selectinload(MatchOutcome.steps)))}
    for match in matches:
        outcome = outcomes.get(match.id)
        start = _aware(match.reviewed_at) or moment
        stage, last = OutcomeStage.NEGOTIATING, start
        if outcome is not None:
            for step in outcome.steps:
                if step.status == StepStatus.CONFIRMED and step.responded_at is not None:
                    moved = _aware(step.responded_at)
                    figures[stage].durations.append((moved - start).total_seconds() / 86400)
                    stage, start = step.to_stage, moved
            stage, last = outcome.stage, _aware(outcome.last_activity_at)
        figures[stage].count += 1
        if stage in OPEN_STAGES and last <= cutoff:
            figures[stage].stalled += 1
    return [figures[stage] for stage in STAGE_ORDER]
