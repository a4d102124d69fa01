"""Market activity over time: needs, solutions and matches per week or month (Seoul time)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.formatting import SEOUL
from app.models import Match, MatchStatus, Need, Solution

WEEK = "week"
MONTH = "month"
GRANULARITIES = (WEEK, MONTH)
MAX_DAYS = 3 * 366  # longer ranges would draw hundreds of weekly rows
MUTUAL_OR_LATER = (MatchStatus.MUTUAL, MatchStatus.APPROVED, MatchStatus.REJECTED)
METRICS = ("needs_posted", "solutions_published", "matches_requested", "matches_mutual",
           "matches_approved")


@dataclass(frozen=True)
class TrendRow:
    """The counts of one week (starting Monday) or month."""

    period: date
    counts: dict[str, int]


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SEOUL).astimezone(timezone.utc)


def period_start(day: date, granularity: str) -> date:
    """The Monday of the day's week, or the first of its month."""
    if granularity == WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_period(start: date, granularity: str) -> date:
    if granularity == WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def periods(date_from: date, date_to: date, granularity: str) -> list[date]:
    """Every period start from the one holding `date_from` to the one holding `date_to`."""
    starts, current = [], period_start(date_from, granularity)
    while current <= date_to:
        starts.append(current)
        current = _next_period(current, granularity)
    return starts


def _moments(column, date_from: date, date_to: date, *where) -> list[datetime]:
    query = select(column).where(column >= _utc(date_from),
                                 column < _utc(date_to + timedelta(days=1)), *where)
    return list(db.session.scalars(query))


def _bucket(moments: list[datetime], granularity: str) -> Counter:
    def seoul_day(moment: datetime) -> date:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return aware.astimezone(SEOUL).date()
    return Counter(period_start(seoul_day(moment), granularity) for moment in moments)


def activity(date_from: date, date_to: date, granularity: str = MONTH) -> list[TrendRow]:
    """Counts per period between two Seoul dates (inclusive), oldest period first."""
    if granularity not in GRANULARITIES:
        raise ValueError(granularity)
    tallies = {
        "needs_posted": _moments(Need.created_at, date_from, date_to),
        "solutions_published": _moments(Solution.published_at, date_from, date_to),
        "matches_requested": _moments(Match.created_at, date_from, date_to),
        "matches_mutual": _moments(Match.responded_at, date_from, date_to,
                                   Match.status.in_(MUTUAL_OR_LATER)),
        "matches_approved": _moments(Match.reviewed_at, date_from, date_to,
                                     Match.status == MatchStatus.APPROVED),
    }
    buckets = {metric: _bucket(moments, granularity) for metric, moments in tallies.items()}
    return [TrendRow(start, {metric: buckets[metric].get(start, 0) for metric in METRICS})
            for start in periods(date_from, date_to, granularity)]
