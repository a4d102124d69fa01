"""Digest e-mails: daily or weekly, the new listings matching each of a user's saved searches.

Each user's `digest_cursor` says how often and up to when listings were digested. A run claims a
due cursor with a conditional UPDATE (it moves only if it still holds the value read), queues the
e-mail through the outbox in the same transaction and commits per user: two workers never send
the same digest, and a crash before the commit sends nothing and moves nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import force_locale, gettext as _
from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.labels import label
from app.models import DigestCursor, DigestFrequency, SavedSearch, SearchTarget, User
from app.models.base import utcnow
from app.services import saved_searches, unit_of_work
from app.services.errors import ServiceError
from app.services.mail import send_mail
from app.services.notifications import absolute_url, local_path
from app.services.visibility import can_view_need, can_view_solution

PERIODS = {DigestFrequency.DAILY: timedelta(days=1), DigestFrequency.WEEKLY: timedelta(days=7)}
MAX_ITEMS_PER_SEARCH = 20


@dataclass
class DigestReport:
    """What one `send_due_digests` run did."""

    sent: int = 0
    empty: int = 0
    skipped: int = 0  # claimed by another worker in between


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def frequency_of(user: User) -> DigestFrequency:
    """The user's digest frequency (off until chosen)."""
    cursor = db.session.get(DigestCursor, user.id)
    return cursor.frequency if cursor is not None else DigestFrequency.OFF


def set_frequency(user: User, frequency: str) -> DigestFrequency:
    """Choose daily, weekly or no digest (flushes); a new digest starts from now."""
    try:
        chosen = DigestFrequency(frequency)
    except ValueError as exc:
        raise ServiceError(_("요약 메일 주기를 목록에서 선택하세요."), field="frequency") from exc
    cursor = db.session.get(DigestCursor, user.id)
    if cursor is None:
        cursor = DigestCursor(user_id=user.id, frequency=chosen, digested_until=utcnow())
        db.session.add(cursor)
    else:
        if cursor.frequency == DigestFrequency.OFF and chosen != DigestFrequency.OFF:
            cursor.digested_until = utcnow()  # no backlog from the months it was off
        cursor.frequency = chosen
    db.session.flush()
    return chosen


def digest_sections(user: User, since: datetime, until: datetime
                    ) -> list[tuple[SavedSearch, list[tuple[str, str]]]]:
    """Per saved search, the (title, link) of new listings the user may see, in (since, until]."""
    sections = []
    for search in saved_searches.searches_of(user):
        if search.target == SearchTarget.NEED:
            found = db.session.scalars(saved_searches.new_needs(search, since, until)).all()
            items = [(need.title, local_path("catalogue.need_detail", need_id=need.id))
                     for need in found if can_view_need(user, need)]
        else:
            found = db.session.scalars(saved_searches.new_solutions(search, since, until)).all()
            items = [(solution.title, local_path("catalogue.solution_detail",
                                                 solution_id=solution.id))
                     for solution in found if can_view_solution(user, solution)]
        if items:
            sections.append((search, items[:MAX_ITEMS_PER_SEARCH]))
    return sections


def _digest_text(user: User, frequency: DigestFrequency, sections) -> tuple[str, str]:
    with force_locale(user.locale or "ko"):
        subject = (_("[CityMatch] 오늘의 관심 조건 새 게시물") if frequency == DigestFrequency.DAILY
                   else _("[CityMatch] 이번 주 관심 조건 새 게시물"))
        lines = [_("저장한 검색 조건에 맞는 새 게시물입니다.")]
        for search, items in sections:
            lines.append("")
            lines.append(f"■ {saved_searches.describe(search)} ({label(search.target)})")
            lines.extend(f"- {title}: {absolute_url(link)}" for title, link in items)
        lines.append("")
        lines.append("-- \n" + _("요약 메일 설정: %(url)s",
                                 url=absolute_url(local_path("alerts.index"))))
        return subject, "\n".join(lines)


def _due_cursors(now: datetime) -> list[tuple[int, DigestFrequency, datetime]]:
    """(user id, frequency, digested until) of every cursor whose period has passed."""
    due = or_(*(and_(DigestCursor.frequency == frequency,
                     DigestCursor.digested_until <= now - period)
                for frequency, period in PERIODS.items()))
    return [tuple(row) for row in db.session.execute(
        select(DigestCursor.user_id, DigestCursor.frequency, DigestCursor.digested_until)
        .where(due).order_by(DigestCursor.user_id)).all()]


def _claim(user_id: int, read_until: datetime, now: datetime) -> bool:
    """Move the cursor to `now` if it still stands where it was read; True for this caller."""
    moved = db.session.execute(
        update(DigestCursor)
        .where(DigestCursor.user_id == user_id, DigestCursor.digested_until == read_until,
               DigestCursor.frequency != DigestFrequency.OFF)
        .values(digested_until=now)
        .execution_options(synchronize_session=False)).rowcount
    return moved == 1


def send_due_digests(now: datetime | None = None) -> DigestReport:
    """Send every due digest; its own unit of work (commits once per user)."""
    moment = now or utcnow()
    report = DigestReport()
    for user_id, frequency, read_until in _due_cursors(moment):
        if not _claim(user_id, read_until, moment):
            db.session.rollback()
            report.skipped += 1
            continue
        user = db.session.get(User, user_id)
        sections = (digest_sections(user, _aware(read_until), moment)
                    if user is not None and user.is_active else [])
        if sections:
            subject, body = _digest_text(user, frequency, sections)
            send_mail(user.email, subject, body)
            report.sent += 1
        else:
            report.empty += 1
        unit_of_work.commit()
    return report
