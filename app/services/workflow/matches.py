"""The double opt-in match: interest, acceptance, decline and withdrawal."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.korean import particle_args
from app.models import Match, MatchStatus, Need, NeedStatus, Side, Solution, User
from app.models.base import utcnow
from app.services.errors import PermissionDenied, ServiceError
from app.services.visibility import need_is_public, solution_is_public
from app.services.workflow.common import _check_message, _check_reason, _expiry, _link
from app.services.workflow.notify import _notify_side, _pair_names, notify_admins
from app.services.workflow.permissions import (
    _require_responder,
    is_member_of,
    is_official_of,
    require_party,
    responding_side,
)
from app.services.workflow.states import _lock, _transition, is_overdue
from app.templating import place_particle_args


def existing_match(need: Need, solution: Solution) -> Match | None:
    """The match of this need–solution pair, if any (there is at most one)."""
    return db.session.scalar(
        select(Match).where(Match.need_id == need.id, Match.solution_id == solution.id)
    )


def express_interest(actor: User, need: Need, solution: Solution, message: str,
                     score: float | None = None) -> Match:
    """Ask the other side to match this need with this solution (pending until answered)."""
    if is_official_of(actor, need):
        side = Side.MUNICIPALITY
    elif is_member_of(actor, solution.company_id):
        side = Side.COMPANY
    else:
        raise PermissionDenied()
    if need.status != NeedStatus.OPEN or not need_is_public(need):
        raise ServiceError(_("모집 중인 공개 수요에만 관심을 표현할 수 있습니다."), field="need_id")
    if not solution_is_public(solution):
        raise ServiceError(_("공개된 솔루션에만 관심을 표현할 수 있습니다."), field="solution_id")
    if side == Side.COMPANY and actor.company is not None and not actor.company.is_approved_member:
        raise PermissionDenied()
    message = _check_message(message)
    if score is not None and not 0 <= score <= 1:
        score = None
    if existing_match(need, solution) is not None:
        raise ServiceError(_("이 수요와 솔루션 사이에는 이미 매칭 요청이 있습니다. "
                             "매칭 내역에서 확인하세요."), field="message")
    now = utcnow()
    match = Match(need=need, solution=solution, initiator_side=side, requested_by=actor,
                  message=message, status=MatchStatus.PENDING, score=score, created_at=now,
                  expires_at=_expiry(now))
    db.session.add(match)
    try:
        db.session.flush()
    except IntegrityError as error:  # a concurrent request for the same pair won; the caller
        # rolls the unit of work back (the failed flush already undid this transaction's work)
        raise ServiceError(_("이 수요와 솔루션 사이에는 이미 매칭 요청이 있습니다. "
                             "매칭 내역에서 확인하세요."), field="message") from error
    requester = (place_particle_args("requester", need.owner, "이")
                 if side == Side.MUNICIPALITY
                 else particle_args("requester", solution.company.name, "이"))
    _notify_side(match, responding_side(match), "match_request",
                 _l("%(requester)s의 매칭 요청: %(need)s ↔ %(solution)s", requester=requester["requester"],
                    **_pair_names(match)),
                 _l("%(requester)s%(requester_ga)s 관심을 표현했습니다. 기한 안에 수락 또는 거절해 주세요.\n\n"
                    "%(message)s", **requester, message=message))
    return match


def _refuse_if_expired(match: Match) -> None:
    if is_overdue(match):
        raise ServiceError(_("응답 기한이 지난 요청입니다."))


def accept(actor: User, match: Match) -> Match:
    """The other side says yes: the match becomes mutual and goes to the admins' review."""
    _require_responder(actor, match)
    _lock(match)
    _refuse_if_expired(match)
    _transition(match, "accept")
    match.responded_by_id = actor.id
    match.responded_at = utcnow()
    db.session.flush()
    names = _pair_names(match)
    _notify_side(match, match.initiator_side, "match_accepted",
                 _l("매칭 요청이 수락되었습니다: %(need)s ↔ %(solution)s", **names),
                 _l("상대방이 요청을 수락했습니다. 관리자 검토 후 연락처가 공개됩니다."))
    notify_admins("match_mutual", _l("검토할 상호 매칭: %(need)s ↔ %(solution)s", **names),
                  _l("%(municipality)s%(municipality_wa)s %(company)s%(company_ga)s 모두 수락했습니다.",
                     **{**names,
                        **place_particle_args("municipality", match.need.owner, "과"),
                        **particle_args("company", match.solution.company.name, "이")}),
                  _link("matches.review"))
    return match


def decline(actor: User, match: Match, reason: str | None = None) -> Match:
    """The other side says no, optionally with a reason."""
    _require_responder(actor, match)
    reason = _check_reason(reason, to_other_side=True)
    _lock(match)
    _refuse_if_expired(match)
    _transition(match, "decline")
    match.responded_by_id = actor.id
    match.responded_at = utcnow()
    match.response_reason = reason
    db.session.flush()
    _notify_side(match, match.initiator_side, "match_declined",
                 _l("매칭 요청이 거절되었습니다: %(need)s ↔ %(solution)s", **_pair_names(match)),
                 _l("사유: %(reason)s", reason=reason) if reason else "")
    return match


def withdraw(actor: User, match: Match) -> Match:
    """The requesting side takes its pending request back."""
    require_party(actor, match, "withdraw")
    _lock(match)
    _transition(match, "withdraw")
    db.session.flush()
    _notify_side(match, responding_side(match), "match_withdrawn",
                 _l("매칭 요청이 철회되었습니다: %(need)s ↔ %(solution)s", **_pair_names(match)))
    return match
