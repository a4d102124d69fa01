"""Market analytics for the admin dashboard: counts, the match funnel, breakdowns and timings.

Every function is a read-only query returning plain rows (dataclasses, ints, floats); medians are
computed in Python from fetched durations so the same code runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from statistics import median
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.formatting import SEOUL
from app.models import (
    Company,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    DeclineKind,
    Match,
    MatchStatus,
    MembershipStatus,
    ModerationStatus,
    Municipality,
    Need,
    NeedStatus,
    OfficialStatus,
    Recommendation,
    Role,
    Side,
    SizeClass,
    Solution,
    SolutionStatus,
    User,
)
from app.services.reference_data import categories, provinces

# Matches that reached "both sides said yes", whatever the admins decided afterwards.
MUTUAL_REACHED = (MatchStatus.MUTUAL, MatchStatus.APPROVED, MatchStatus.REJECTED)
LEAD_SIZES = (SizeClass.LARGE, SizeClass.MID)
PARTNER_SIZES = (SizeClass.STARTUP, SizeClass.SME)
FUNNEL_STEPS = ("recommended", "interest", "mutual", "approved")


@dataclass(frozen=True)
class CountRow:
    """How many objects are in one state (an enum member)."""

    key: enum.Enum
    count: int


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel with its conversion from the previous step (None for the first)."""

    key: str
    count: int
    conversion: float | None


@dataclass(frozen=True)
class BreakdownRow:
    """Matches for one category or province: interest, mutual and approved counts."""

    key: str
    name: str
    interest: int
    mutual: int
    approved: int


@dataclass(frozen=True)
class ResponseTimeRow:
    """Median time from request to answer for one responding side ('all' for every answer)."""

    side: str
    answered: int
    median_hours: float | None


@dataclass(frozen=True)
class MemberRow:
    """A firm in a formed consortium."""

    company: str
    size_class: SizeClass
    share: float
    is_lead: bool


@dataclass(frozen=True)
class ConsortiumRow:
    """An approved consortium with its need, municipality and member firms."""

    id: int
    need_title: str
    municipality: str
    lead_company: str
    reviewed_at: datetime | None
    members: list[MemberRow] = field(default_factory=list)


@dataclass(frozen=True)
class PartnershipRow:
    """A large/mid-sized firm and a startup/SME partner in one approved consortium."""

    consortium_id: int
    lead_company: str
    lead_size: SizeClass
    partner_company: str
    partner_size: SizeClass
    need_title: str


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _counts_by(column, members: Iterable[enum.Enum], *where) -> list[CountRow]:
    """Counts grouped by an enum column, every member listed (zero when absent)."""
    found = dict(db.session.execute(
        select(column, func.count()).where(*where).group_by(column)
    ).all())
    return [CountRow(member, found.get(member, 0)) for member in members]


def companies_by_membership() -> list[CountRow]:
    """Companies per alliance membership status."""
    return _counts_by(Company.membership_status, MembershipStatus)


def members_by_size() -> list[CountRow]:
    """Approved alliance members per size class."""
    return _counts_by(Company.size_class, SizeClass,
                      Company.membership_status == MembershipStatus.APPROVED)


def matches_by_status() -> list[CountRow]:
    """Matches per workflow status."""
    return _counts_by(Match.status, MatchStatus)


def consortia_by_status() -> list[CountRow]:
    """Consortium proposals per status."""
    return _counts_by(ConsortiumProposal.status, ConsortiumStatus)


def summary() -> dict[str, int]:
    """The headline numbers of the market."""
    return {
        "alliance_members": _count(select(Company.id).where(
            Company.membership_status == MembershipStatus.APPROVED)),
        "verified_officials": _count(select(User.id).where(
            User.role == Role.MUNICIPALITY, User.official_status == OfficialStatus.VERIFIED)),
        "published_solutions": _count(select(Solution.id).where(
            Solution.status == SolutionStatus.PUBLISHED,
            Solution.moderation_status == ModerationStatus.ACTIVE)),
        "open_needs": _count(select(Need.id).where(
            Need.status == NeedStatus.OPEN, Need.moderation_status == ModerationStatus.ACTIVE)),
        "matches": _count(select(Match.id)),
        "approved_matches": _count(select(Match.id).where(Match.status == MatchStatus.APPROVED)),
        "consortia_formed": _count(select(ConsortiumProposal.id).where(
            ConsortiumProposal.status == ConsortiumStatus.APPROVED)),
        "partnerships": len(large_startup_partnerships()),
    }


def conversion(count: int, previous: int) -> float | None:
    """count as a percentage of previous, one decimal (None when previous is zero)."""
    if not previous:
        return None
    return round(100.0 * count / previous, 1)


def funnel() -> list[FunnelStep]:
    """Recommended → interest → mutual → approved, each with conversion from the step before."""
    counts = {
        "recommended": _count(select(Recommendation.need_id, Recommendation.solution_id)
                              .where(Recommendation.low_confidence.is_(False)).distinct()),
        "interest": _count(select(Match.id)),
        "mutual": _count(select(Match.id).where(Match.status.in_(MUTUAL_REACHED))),
        "approved": _count(select(Match.id).where(Match.status == MatchStatus.APPROVED)),
    }
    steps: list[FunnelStep] = []
    previous: int | None = None
    for key in FUNNEL_STEPS:
        count = counts[key]
        steps.append(FunnelStep(key, count, None if previous is None else conversion(count,
                                                                                   previous)))
        previous = count
    return steps


def _tally(pairs: Iterable[tuple[object, MatchStatus]]) -> dict[object, Counter]:
    """Per key: how many matches, how many reached mutual, how many were approved."""
    tallies: dict[object, Counter] = {}
    for key, status in pairs:
        tally = tallies.setdefault(key, Counter())
        tally["interest"] += 1
        tally["mutual"] += status in MUTUAL_REACHED
        tally["approved"] += status == MatchStatus.APPROVED
    return tallies


def _breakdown(items: Iterable[tuple[object, str, str]], tallies: dict[object, Counter]
               ) -> list[BreakdownRow]:
    rows = []
    for item_id, key, name in items:
        tally = tallies.get(item_id, Counter())
        rows.append(BreakdownRow(key, name, tally["interest"], tally["mutual"], tally["approved"]))
    return rows


def category_name(category, locale: str = "ko") -> str:
    """A category's name in the interface language (Korean unless English is asked for)."""
    return category.name_en if locale == "en" else category.name_ko


def matches_by_category(locale: str = "ko") -> list[BreakdownRow]:
    """Matches per primary category of the need, every category listed."""
    tallies = _tally(db.session.execute(
        select(Need.primary_category_id, Match.status).join(Need, Match.need_id == Need.id)
    ).all())
    return _breakdown(((c.id, c.code, category_name(c, locale)) for c in categories()), tallies)


def municipality_name(municipality, locale: str = "ko", *, short: bool = False) -> str:
    """A local government's (full or own) name in the interface language, Korean as fallback."""
    if locale == "en":
        english = municipality.name_en if short else municipality.full_name_en
        if english:
            return english
    return municipality.name if short else municipality.full_name


def matches_by_province(locale: str = "ko") -> list[BreakdownRow]:
    """Matches per province of the need's municipality, every province listed."""
    rows = db.session.execute(
        select(func.coalesce(Municipality.parent_id, Municipality.id), Match.status)
        .join(Need, Match.need_id == Need.id)
        .join(Municipality, Need.municipality_id == Municipality.id)
    ).all()
    tallies = _tally(rows)
    return _breakdown(((p.id, p.name, municipality_name(p, locale, short=True))
                       for p in provinces()), tallies)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def median_hours(durations: list[float]) -> float | None:
    """The median of durations in hours, one decimal (None for no data)."""
    if not durations:
        return None
    return round(median(durations), 1)


def response_times() -> list[ResponseTimeRow]:
    """Median hours from request to answer: overall, answered by municipalities, by companies."""
    rows = db.session.execute(
        select(Match.initiator_side, Match.created_at, Match.responded_at)
        .where(Match.responded_at.is_not(None))
    ).all()
    by_side: dict[str, list[float]] = {"all": [], Side.MUNICIPALITY.value: [],
                                       Side.COMPANY.value: []}
    for initiator, created_at, responded_at in rows:
        hours = (_aware(responded_at) - _aware(created_at)).total_seconds() / 3600
        if hours < 0:
            continue
        responder = Side.COMPANY if initiator == Side.MUNICIPALITY else Side.MUNICIPALITY
        by_side["all"].append(hours)
        by_side[responder.value].append(hours)
    return [ResponseTimeRow(side, len(values), median_hours(values))
            for side, values in by_side.items()]


def _approved_consortia() -> list[ConsortiumProposal]:
    return list(db.session.scalars(
        select(ConsortiumProposal)
        .where(ConsortiumProposal.status == ConsortiumStatus.APPROVED)
        .options(
            selectinload(ConsortiumProposal.need).selectinload(Need.municipality),
            selectinload(ConsortiumProposal.lead_company),
            selectinload(ConsortiumProposal.members).selectinload(ConsortiumMember.company),
        )
        .order_by(ConsortiumProposal.reviewed_at.desc(), ConsortiumProposal.id.desc())
    ))


def formed_consortia(locale: str = "ko") -> list[ConsortiumRow]:
    """Approved consortia with their member firms (lead first)."""
    rows = []
    for proposal in _approved_consortia():
        members = sorted(proposal.members, key=lambda m: (not m.is_lead, m.id))
        rows.append(ConsortiumRow(
            id=proposal.id,
            need_title=proposal.need.title,
            municipality=municipality_name(proposal.need.owner, locale),
            lead_company=proposal.lead_company.name,
            reviewed_at=proposal.reviewed_at,
            members=[MemberRow(m.company.name, m.company.size_class, m.share, m.is_lead)
                     for m in members],
        ))
    return rows


def large_startup_partnerships() -> list[PartnershipRow]:
    """Large/mid-sized lead × startup/SME partner pairs in approved consortia."""
    rows = []
    for proposal in _approved_consortia():
        lead = proposal.lead_company
        if lead.size_class not in LEAD_SIZES:
            continue
        for member in proposal.members:
            partner = member.company
            if partner.id == lead.id or partner.size_class not in PARTNER_SIZES:
                continue
            rows.append(PartnershipRow(proposal.id, lead.name, lead.size_class, partner.name,
                                       partner.size_class, proposal.need.title))
    return rows


# --- population-decline areas (행정안전부 고시 제2021-66호) ----------------------------------------


@dataclass(frozen=True)
class DeclineAreaRow:
    """Of the places designated of one kind: how many posted needs and found matches in a period."""

    kind: DeclineKind | None  # None: both kinds together
    designated: int
    posted_needs: int
    mutual_matches: int
    approved_matches: int


def _seoul_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SEOUL).astimezone(timezone.utc)


def _places(column, start: datetime, end: datetime, *where) -> set[int]:
    """Municipality ids of needs whose `column` moment lies in [start, end)."""
    query = (select(Need.municipality_id).join(Match, Match.need_id == Need.id)
             if column.class_ is Match else select(Need.municipality_id))
    return set(db.session.scalars(query.where(column >= start, column < end, *where).distinct()))


def decline_areas(year: int) -> list[DeclineAreaRow]:
    """Per kind and in total: designated places that posted needs and that found a match in a
    Seoul calendar year, counted as the dashboard's trends count them (a need by when it was
    posted, a mutual match by when the other side accepted, an approved one by its review)."""
    from app.services import decline

    start, end = _seoul_midnight(date(year, 1, 1)), _seoul_midnight(date(year + 1, 1, 1))
    kinds = decline.kinds_by_municipality()
    posted = _places(Need.created_at, start, end)
    mutual = _places(Match.responded_at, start, end, Match.status.in_(MUTUAL_REACHED))
    approved = _places(Match.reviewed_at, start, end, Match.status == MatchStatus.APPROVED)
    rows = []
    for kind in (DeclineKind.DECLINE, DeclineKind.INTEREST, None):
        places = {m for m, k in kinds.items() if kind is None or k == kind}
        rows.append(DeclineAreaRow(kind, len(places), len(places & posted), len(places & mutual),
                                   len(places & approved)))
    return rows
