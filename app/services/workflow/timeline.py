"""A match's history as its reader sees it: "we" and "the other side", or the sides by name."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.labels import label
from app.models import Match, MatchStatus, Side, User
from app.services.workflow.permissions import responding_side, side_of
from app.services.workflow.states import shown_status

US, THEM = "us", "them"

# (event, who did it as the reader sees it) → the sentence
SENTENCES = {
    ("interest", US): _l("우리가 관심을 표현했습니다."),
    ("interest", THEM): _l("상대방이 관심을 표현했습니다."),
    ("interest", Side.MUNICIPALITY): _l("지자체가 관심을 표현했습니다."),
    ("interest", Side.COMPANY): _l("기업이 관심을 표현했습니다."),
    ("accept", US): _l("우리가 수락했습니다."),
    ("accept", THEM): _l("상대방이 수락했습니다."),
    ("accept", Side.MUNICIPALITY): _l("지자체가 수락했습니다."),
    ("accept", Side.COMPANY): _l("기업이 수락했습니다."),
    ("decline", US): _l("우리가 거절했습니다."),
    ("decline", THEM): _l("상대방이 거절했습니다."),
    ("decline", Side.MUNICIPALITY): _l("지자체가 거절했습니다."),
    ("decline", Side.COMPANY): _l("기업이 거절했습니다."),
    ("withdraw", US): _l("우리가 요청을 철회했습니다."),
    ("withdraw", THEM): _l("상대방이 요청을 철회했습니다."),
    ("withdraw", Side.MUNICIPALITY): _l("지자체가 요청을 철회했습니다."),
    ("withdraw", Side.COMPANY): _l("기업이 요청을 철회했습니다."),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a match's history: what, when (if known), an optional reason.

    A "deadline" entry is the answer's deadline rather than an event.
    """

    text: str
    at: datetime | None = None
    reason: str | None = None
    kind: str = "event"


def _who(reader_side: Side | None, actor_side: Side):
    if reader_side is None:
        return actor_side
    return US if reader_side == actor_side else THEM


def match_timeline(reader: User, match: Match) -> list[TimelineEntry]:
    """The match's events, phrased from the reader's side (admins read the sides' names)."""
    reader_side = side_of(reader, match)
    status = shown_status(match)
    entries = [TimelineEntry(str(SENTENCES["interest", _who(reader_side, match.initiator_side)]),
                             match.created_at)]
    if status == MatchStatus.PENDING:
        entries.append(TimelineEntry(str(_l("응답 기한")), match.expires_at, kind="deadline"))
    if match.reminder_sent_at:
        entries.append(TimelineEntry(str(_l("응답 기한 알림을 보냈습니다.")), match.reminder_sent_at))
    if match.responded_at:
        event = "decline" if status == MatchStatus.DECLINED else "accept"
        who = _who(reader_side, responding_side(match))
        entries.append(TimelineEntry(str(SENTENCES[event, who]), match.responded_at,
                                     match.response_reason))
    if status == MatchStatus.WITHDRAWN:
        entries.append(TimelineEntry(
            str(SENTENCES["withdraw", _who(reader_side, match.initiator_side)])))
    if status == MatchStatus.EXPIRED:
        entries.append(TimelineEntry(str(_l("응답 기한이 지나 만료되었습니다.")), match.expires_at))
    if match.reviewed_at:
        text = (_l("관리자가 승인했습니다.") if status == MatchStatus.APPROVED
                else _l("관리자가 반려했습니다."))
        entries.append(TimelineEntry(str(text), match.reviewed_at, match.review_reason))
    elif status == MatchStatus.MUTUAL:
        entries.append(TimelineEntry(str(_l("양측이 모두 수락하여 관리자 검토를 기다리고 있습니다."))))
    return entries


def request_state(reader: User, match: Match) -> str:
    """A short state of an existing request for the reader (shown instead of "관심 표현")."""
    status = shown_status(match)
    if status != MatchStatus.PENDING:
        return label(status)
    if side_of(reader, match) == match.initiator_side:
        return str(_l("요청 보냄 · 응답 대기"))
    return str(_l("받은 요청 · 응답 필요"))
