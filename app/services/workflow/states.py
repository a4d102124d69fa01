"""The match and consortium state machine: transition tables and the status people see."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.extensions import db
from app.labels import label
from app.models import ConsortiumProposal, ConsortiumStatus, Match, MatchStatus
from app.services.errors import ServiceError
from app.services.transitions import Transition, transition_table
from app.services.workflow.common import _is_overdue

# Every status change of a match or a consortium proposal; anything else is refused.
MATCH_TRANSITIONS = transition_table(
    Transition("accept", frozenset({MatchStatus.PENDING}), MatchStatus.MUTUAL),
    Transition("decline", frozenset({MatchStatus.PENDING}), MatchStatus.DECLINED),
    Transition("withdraw", frozenset({MatchStatus.PENDING}), MatchStatus.WITHDRAWN),
    Transition("expire", frozenset({MatchStatus.PENDING}), MatchStatus.EXPIRED),
    Transition("approve", frozenset({MatchStatus.MUTUAL}), MatchStatus.APPROVED),
    Transition("reject", frozenset({MatchStatus.MUTUAL}), MatchStatus.REJECTED,
               reason_required=True),
)

CONSORTIUM_TRANSITIONS = transition_table(
    Transition("all_confirmed", frozenset({ConsortiumStatus.AWAITING_PARTNERS}),
               ConsortiumStatus.SUBMITTED),
    Transition("partner_decline", frozenset({ConsortiumStatus.AWAITING_PARTNERS}),
               ConsortiumStatus.PARTNER_DECLINED),
    Transition("withdraw", frozenset({ConsortiumStatus.AWAITING_PARTNERS,
                                      ConsortiumStatus.SUBMITTED}), ConsortiumStatus.WITHDRAWN),
    Transition("accept", frozenset({ConsortiumStatus.SUBMITTED}), ConsortiumStatus.MUTUAL),
    Transition("decline", frozenset({ConsortiumStatus.SUBMITTED}), ConsortiumStatus.DECLINED),
    Transition("expire", frozenset({ConsortiumStatus.AWAITING_PARTNERS,
                                    ConsortiumStatus.SUBMITTED}), ConsortiumStatus.EXPIRED),
    Transition("approve", frozenset({ConsortiumStatus.MUTUAL}), ConsortiumStatus.APPROVED),
    Transition("reject", frozenset({ConsortiumStatus.MUTUAL}), ConsortiumStatus.REJECTED,
               reason_required=True),
)

OPEN_CONSORTIUM_STATUSES = (ConsortiumStatus.AWAITING_PARTNERS, ConsortiumStatus.SUBMITTED,
                            ConsortiumStatus.MUTUAL)
ACTIVE_CONSORTIUM_STATUSES = OPEN_CONSORTIUM_STATUSES + (ConsortiumStatus.APPROVED,)


def table_of(item: Match | ConsortiumProposal) -> dict[str, Transition]:
    """The transition table of a match or a consortium proposal."""
    return MATCH_TRANSITIONS if isinstance(item, Match) else CONSORTIUM_TRANSITIONS


def is_overdue(item: Match | ConsortiumProposal, now: datetime | None = None) -> bool:
    """Still open for an answer in the database, but past its deadline (reads as expired)."""
    return item.status in table_of(item)["expire"].sources and _is_overdue(item.expires_at, now)


def shown_status(item: Match | ConsortiumProposal) -> MatchStatus | ConsortiumStatus:
    """The status as people see it: overdue requests read as expired before the job writes it."""
    if is_overdue(item):
        return MatchStatus.EXPIRED if isinstance(item, Match) else ConsortiumStatus.EXPIRED
    return item.status


def can_transition(item: Match | ConsortiumProposal, action: str) -> bool:
    """True when the item's (shown) status allows the action (by the transition tables)."""
    table = table_of(item)
    if action not in table:
        return False
    return shown_status(item) in table[action].sources


def _lock(item: Match | ConsortiumProposal) -> None:
    """Re-read the item under a row lock (PostgreSQL) so concurrent transitions queue up.

    The loser of a race then sees the winner's status and is refused by the transition table;
    where there are no row locks (SQLite), the version column refuses its stale UPDATE instead.
    """
    db.session.refresh(item, with_for_update=True)


def _require_allowed(item: Match | ConsortiumProposal, action: str) -> None:
    """Refuse with a clear message when the item's status does not allow the action."""
    if not can_transition(item, action):
        if is_overdue(item):
            raise ServiceError(_("응답 기한이 지난 요청입니다.") if isinstance(item, Match)
                               else _("응답 기한이 지난 제안입니다."))
        raise ServiceError(_("현재 상태(%(status)s)에서는 이 작업을 할 수 없습니다.",
                             status=status_label(shown_status(item))))


def _transition(item: Match | ConsortiumProposal, action: str) -> None:
    """Move the item along the table or refuse with a clear message."""
    _require_allowed(item, action)
    item.status = table_of(item)[action].target


def status_label(status: MatchStatus | ConsortiumStatus) -> str:
    """The label of a match or consortium status (the one vocabulary of app/labels.py)."""
    return label(status)
