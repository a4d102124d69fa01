"""Expiry of overdue requests and reminders before the deadline (periodic jobs)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    ConfirmationStatus,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Side,
)
from app.services.workflow.common import _aware, _link, _now
from app.services.workflow.notify import (
    _notifications,
    _notify_consortium_companies,
    _notify_side,
    _pair_names,
)
from app.services.workflow.permissions import responding_side
from app.services.workflow.states import CONSORTIUM_TRANSITIONS, MATCH_TRANSITIONS


@dataclass
class ExpiryCounts:
    """How many requests and proposals expired."""

    matches: int = 0
    consortia: int = 0

    @property
    def total(self) -> int:
        return self.matches + self.consortia


def _overdue_rows(model, statuses, moment: datetime):
    """Open rows past their deadline, locked for this run; rows another run holds are skipped."""
    return db.session.scalars(
        select(model).where(model.status.in_(list(statuses)), model.expires_at <= moment)
        .order_by(model.id).with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()


def _claim(item: Match | ConsortiumProposal, from_statuses, values: dict, *extra) -> bool:
    """A conditional UPDATE of one row; True when this caller made the change (exactly once)."""
    model = type(item)
    changed = db.session.execute(
        update(model)
        .where(model.id == item.id, model.status.in_(list(from_statuses)), *extra)
        .values(version=model.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.refresh(item)
    return changed == 1


def expire_overdue(now: datetime | None = None) -> ExpiryCounts:
    """Expire pending requests and proposals past their deadline, notifying both sides once.

    Safe when two runs overlap (and against users answering at the same moment): PostgreSQL
    skips rows another transaction holds, and each row moves by a conditional UPDATE from an
    open status, which only one transaction can win.
    """
    moment = _now(now)
    counts = ExpiryCounts()
    expire = MATCH_TRANSITIONS["expire"]
    allowed, expired = expire.sources, expire.target
    for match in _overdue_rows(Match, allowed, moment):
        if not _claim(match, allowed, {"status": expired}, Match.expires_at <= moment):
            continue
        for side in (Side.MUNICIPALITY, Side.COMPANY):
            _notify_side(match, side, "match_expired",
                         _l("응답 기한이 지나 매칭 요청이 만료되었습니다: %(need)s ↔ %(solution)s",
                            **_pair_names(match)))
        counts.matches += 1
    expire = CONSORTIUM_TRANSITIONS["expire"]
    allowed, expired = expire.sources, expire.target
    for proposal in _overdue_rows(ConsortiumProposal, allowed, moment):
        was_submitted = proposal.status == ConsortiumStatus.SUBMITTED
        if not _claim(proposal, allowed, {"status": expired},
                      ConsortiumProposal.expires_at <= moment):
            continue
        title = _l("응답 기한이 지나 컨소시엄 제안이 만료되었습니다: %(need)s", need=proposal.need.title)
        _notify_consortium_companies(proposal, "match_expired", title)
        if was_submitted:
            _notifications().notify_municipality(
                proposal.need.owner, "match_expired", title, "",
                _link("matches.consortium_detail", proposal_id=proposal.id))
        counts.consortia += 1
    db.session.flush()
    return counts


def _due_for_reminder(model, statuses, moment: datetime, horizon: datetime):
    return db.session.scalars(
        select(model).where(model.status.in_(list(statuses)), model.reminder_sent_at.is_(None),
                            model.expires_at > moment, model.expires_at <= horizon)
        .order_by(model.id).with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()


def send_reminders(now: datetime | None = None) -> int:
    """Remind the answering side of requests expiring soon (once per request, even if two
    runs overlap: the reminder mark is set by a conditional UPDATE)."""
    moment = _now(now)
    days = int(current_app.config.get("MATCH_REMINDER_DAYS_BEFORE", 3))
    horizon = moment + timedelta(days=days)
    sent = 0
    pending = (MatchStatus.PENDING,)
    for match in _due_for_reminder(Match, pending, moment, horizon):
        if not _claim(match, pending, {"reminder_sent_at": moment},
                      Match.reminder_sent_at.is_(None)):
            continue
        _notify_side(match, responding_side(match), "match_reminder",
                     _l("응답 기한이 다가옵니다: %(need)s ↔ %(solution)s", **_pair_names(match)),
                     _l("%(date)s까지 수락 또는 거절하지 않으면 요청이 만료됩니다.",
                        date=_aware(match.expires_at).strftime("%Y-%m-%d")))
        sent += 1
    open_statuses = CONSORTIUM_TRANSITIONS["expire"].sources
    for proposal in _due_for_reminder(ConsortiumProposal, open_statuses, moment, horizon):
        if not _claim(proposal, open_statuses, {"reminder_sent_at": moment},
                      ConsortiumProposal.reminder_sent_at.is_(None)):
            continue
        title = _l("응답 기한이 다가옵니다: 컨소시엄 제안 %(need)s", need=proposal.need.title)
        body = _l("%(date)s까지 응답하지 않으면 제안이 만료됩니다.",
                  date=_aware(proposal.expires_at).strftime("%Y-%m-%d"))
        link = _link("matches.consortium_detail", proposal_id=proposal.id)
        if proposal.status == ConsortiumStatus.SUBMITTED:
            _notifications().notify_municipality(proposal.need.owner, "match_reminder",
                                                 title, body, link)
        else:
            for member in proposal.members:
                if not member.is_lead and member.confirmation == ConfirmationStatus.PENDING:
                    _notifications().notify_company(member.company, "match_reminder", title,
                                                    body, link)
        sent += 1
    db.session.flush()
    return sent
