"""The double opt-in match workflow and consortium proposals: one state machine, in one place.

Every function takes the acting user first, checks object-level authorisation, changes state
through the transition tables below, notifies the people concerned, flushes and never commits.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.models import (
    AccountStatus,
    Company,
    ConfirmationStatus,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Municipality,
    Need,
    NeedStatus,
    Role,
    Side,
    SizeClass,
    Solution,
    User,
)
from app.models.base import utcnow
from app.services import audit
from app.services.contact_filter import ContactKind, find_contact_details
from app.services.errors import PermissionDenied, ServiceError
from app.services.visibility import need_is_public, solution_is_public
from app.templating import lazy_place_name

MESSAGE_MAX = 1000
REASON_MAX = 500
LEAD_SIZES = (SizeClass.LARGE, SizeClass.MID)
PARTNER_SIZES = (SizeClass.SME, SizeClass.STARTUP)
MAX_PARTNERS = 2
SHARE_TOLERANCE = 0.01

# --- the state machine ---------------------------------------------------------------------
# action → (statuses it may start from, status it leads to)

MATCH_TRANSITIONS: dict[str, tuple[frozenset[MatchStatus], MatchStatus]] = {
    "accept": (frozenset({MatchStatus.PENDING}), MatchStatus.MUTUAL),
    "decline": (frozenset({MatchStatus.PENDING}), MatchStatus.DECLINED),
    "withdraw": (frozenset({MatchStatus.PENDING}), MatchStatus.WITHDRAWN),
    "expire": (frozenset({MatchStatus.PENDING}), MatchStatus.EXPIRED),
    "approve": (frozenset({MatchStatus.MUTUAL}), MatchStatus.APPROVED),
    "reject": (frozenset({MatchStatus.MUTUAL}), MatchStatus.REJECTED),
}

CONSORTIUM_TRANSITIONS: dict[str, tuple[frozenset[ConsortiumStatus], ConsortiumStatus]] = {
    "all_confirmed": (frozenset({ConsortiumStatus.AWAITING_PARTNERS}), ConsortiumStatus.SUBMITTED),
    "partner_decline": (frozenset({ConsortiumStatus.AWAITING_PARTNERS}),
                        ConsortiumStatus.PARTNER_DECLINED),
    "withdraw": (frozenset({ConsortiumStatus.AWAITING_PARTNERS, ConsortiumStatus.SUBMITTED}),
                 ConsortiumStatus.WITHDRAWN),
    "accept": (frozenset({ConsortiumStatus.SUBMITTED}), ConsortiumStatus.MUTUAL),
    "decline": (frozenset({ConsortiumStatus.SUBMITTED}), ConsortiumStatus.DECLINED),
    "expire": (frozenset({ConsortiumStatus.AWAITING_PARTNERS, ConsortiumStatus.SUBMITTED}),
               ConsortiumStatus.EXPIRED),
    "approve": (frozenset({ConsortiumStatus.MUTUAL}), ConsortiumStatus.APPROVED),
    "reject": (frozenset({ConsortiumStatus.MUTUAL}), ConsortiumStatus.REJECTED),
}

OPEN_CONSORTIUM_STATUSES = (ConsortiumStatus.AWAITING_PARTNERS, ConsortiumStatus.SUBMITTED,
                            ConsortiumStatus.MUTUAL)
ACTIVE_CONSORTIUM_STATUSES = OPEN_CONSORTIUM_STATUSES + (ConsortiumStatus.APPROVED,)


def is_overdue(item: Match | ConsortiumProposal, now: datetime | None = None) -> bool:
    """Still open for an answer in the database, but past its deadline (reads as expired)."""
    table = MATCH_TRANSITIONS if isinstance(item, Match) else CONSORTIUM_TRANSITIONS
    return item.status in table["expire"][0] and _is_overdue(item.expires_at, now)


def shown_status(item: Match | ConsortiumProposal) -> MatchStatus | ConsortiumStatus:
    """The status as people see it: overdue requests read as expired before the job writes it."""
    if is_overdue(item):
        return MatchStatus.EXPIRED if isinstance(item, Match) else ConsortiumStatus.EXPIRED
    return item.status


def can_transition(item: Match | ConsortiumProposal, action: str) -> bool:
    """True when the item's (shown) status allows the action (by the transition tables)."""
    table = MATCH_TRANSITIONS if isinstance(item, Match) else CONSORTIUM_TRANSITIONS
    if action not in table:
        return False
    return shown_status(item) in table[action][0]


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
    table = MATCH_TRANSITIONS if isinstance(item, Match) else CONSORTIUM_TRANSITIONS
    item.status = table[action][1]


def status_label(status: MatchStatus | ConsortiumStatus) -> str:
    """A Korean label of a match or consortium status."""
    labels = {
        MatchStatus.PENDING: _("응답 대기"),
        MatchStatus.DECLINED: _("거절됨"),
        MatchStatus.EXPIRED: _("기한 만료"),
        MatchStatus.WITHDRAWN: _("철회됨"),
        MatchStatus.MUTUAL: _("상호 수락 · 관리자 검토 중"),
        MatchStatus.APPROVED: _("승인됨"),
        MatchStatus.REJECTED: _("반려됨"),
        ConsortiumStatus.AWAITING_PARTNERS: _("참여사 확인 대기"),
        ConsortiumStatus.SUBMITTED: _("지자체 응답 대기"),
        ConsortiumStatus.PARTNER_DECLINED: _("참여사 거절"),
        ConsortiumStatus.WITHDRAWN: _("철회됨"),
        ConsortiumStatus.DECLINED: _("거절됨"),
        ConsortiumStatus.EXPIRED: _("기한 만료"),
        ConsortiumStatus.MUTUAL: _("상호 수락 · 관리자 검토 중"),
        ConsortiumStatus.APPROVED: _("승인됨"),
        ConsortiumStatus.REJECTED: _("반려됨"),
    }
    return labels.get(status, str(status.value))


# --- small helpers -------------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    """Stored datetimes come back naive from SQLite; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _now(now: datetime | None = None) -> datetime:
    return _aware(now) if now is not None else utcnow()


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=int(current_app.config.get("MATCH_REQUEST_EXPIRY_DAYS", 14)))


def _link(endpoint: str, **values) -> str:
    """A site-relative link, also outside a request (CLI jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def _notifications():
    from app.services import notifications

    return notifications


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _refuse_contact_details(text: str, field: str) -> None:
    """Contact details are shared only after both sides agreed and an admin approved."""
    kind = find_contact_details(text)
    if kind is ContactKind.PHONE:
        raise ServiceError(_("승인 전에 보내는 글에는 전화번호를 쓸 수 없습니다. 연락처는 양측이 수락하고 "
                             "관리자가 승인한 뒤에 공개됩니다."), field=field)
    if kind is ContactKind.EMAIL:
        raise ServiceError(_("승인 전에 보내는 글에는 이메일 주소를 쓸 수 없습니다. 연락처는 양측이 수락하고 "
                             "관리자가 승인한 뒤에 공개됩니다."), field=field)
    if kind is ContactKind.URL:
        raise ServiceError(_("승인 전에 보내는 글에는 웹 주소(URL)를 쓸 수 없습니다. 연락처는 양측이 수락하고 "
                             "관리자가 승인한 뒤에 공개됩니다."), field=field)


def _check_message(message: str | None) -> str:
    message = _clean(message)
    if not message:
        raise ServiceError(_("상대방에게 보낼 메시지를 입력하세요."), field="message")
    if len(message) > MESSAGE_MAX:
        raise ServiceError(_("메시지는 %(n)d자 이하로 입력하세요.", n=MESSAGE_MAX), field="message")
    _refuse_contact_details(message, "message")
    return message


def _check_reason(reason: str | None, *, required: bool = False,
                  to_other_side: bool = False) -> str | None:
    """A reason; one shown to the other side before approval may not carry contact details."""
    reason = _clean(reason)
    if required and not reason:
        raise ServiceError(_("사유를 입력하세요."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("사유는 %(n)d자 이하로 입력하세요.", n=REASON_MAX), field="reason")
    if to_other_side:
        _refuse_contact_details(reason, "reason")
    return reason or None


def _is_active(user: User) -> bool:
    return user.account_status == AccountStatus.ACTIVE


def is_official_of(user: User, municipality_id: int) -> bool:
    """An official acting for this municipality (verified, active: User.acts_for_organisation)."""
    return bool(user.is_authenticated and user.is_official and user.acts_for_organisation
                and user.municipality_id == municipality_id)


def is_member_of(user: User, company_id: int) -> bool:
    """Staff acting for this company (active, approved member: User.acts_for_organisation)."""
    return bool(user.is_authenticated and user.is_company_user and user.acts_for_organisation
                and user.company_id == company_id)


def side_of(user: User, match: Match) -> Side | None:
    """Which side of the match the user acts for (None for anyone else)."""
    if is_official_of(user, match.need.municipality_id):
        return Side.MUNICIPALITY
    if is_member_of(user, match.solution.company_id):
        return Side.COMPANY
    return None


def responding_side(match: Match) -> Side:
    """The side that must answer the request."""
    return Side.COMPANY if match.initiator_side == Side.MUNICIPALITY else Side.MUNICIPALITY


def _require_admin(user: User) -> None:
    if not (user.is_authenticated and user.is_admin and _is_active(user)):
        raise PermissionDenied()


def _is_overdue(expires_at: datetime, now: datetime | None = None) -> bool:
    return _aware(expires_at) <= _now(now)


# --- notifications -------------------------------------------------------------------------


def _notify_side(match: Match, side: Side, kind: str, title, body="") -> None:
    """Notify every member of one side of the match."""
    link = _link("matches.detail", match_id=match.id)
    notifications = _notifications()
    if side == Side.MUNICIPALITY:
        notifications.notify_municipality(match.need.municipality, kind, title, body, link)
    else:
        notifications.notify_company(match.solution.company, kind, title, body, link)


def _notify_admins(kind: str, title, body, link: str) -> None:
    _notifications().notify_admins(kind, title, body, link)


def _pair_names(match: Match) -> dict[str, str]:
    return {"need": match.need.title, "solution": match.solution.title,
            "municipality": lazy_place_name(match.need.municipality),
            "company": match.solution.company.name}


# --- matches ---------------------------------------------------------------------------------


def existing_match(need: Need, solution: Solution) -> Match | None:
    """The match of this need–solution pair, if any (there is at most one)."""
    return db.session.scalar(
        select(Match).where(Match.need_id == need.id, Match.solution_id == solution.id)
    )


def express_interest(actor: User, need: Need, solution: Solution, message: str,
                     score: float | None = None) -> Match:
    """Ask the other side to match this need with this solution (pending until answered)."""
    if is_official_of(actor, need.municipality_id):
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
    requester = (lazy_place_name(need.municipality) if side == Side.MUNICIPALITY
                 else solution.company.name)
    _notify_side(match, responding_side(match), "match_request",
                 _l("%(requester)s의 매칭 요청: %(need)s ↔ %(solution)s", requester=requester,
                    **_pair_names(match)),
                 _l("%(requester)s이(가) 관심을 표현했습니다. 기한 안에 수락 또는 거절해 주세요.\n\n"
                    "%(message)s", requester=requester, message=message))
    return match


def _require_responder(actor: User, match: Match) -> None:
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied()
    if side == match.initiator_side:
        raise PermissionDenied(_("내 조직이 보낸 요청에는 응답할 수 없습니다."))


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
    _notify_admins("match_mutual", _l("검토할 상호 매칭: %(need)s ↔ %(solution)s", **names),
                   _l("%(municipality)s와(과) %(company)s이(가) 모두 수락했습니다.", **names),
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
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied()
    if side != match.initiator_side:
        raise PermissionDenied(_("요청한 쪽만 철회할 수 있습니다."))
    _lock(match)
    _transition(match, "withdraw")
    db.session.flush()
    _notify_side(match, responding_side(match), "match_withdrawn",
                 _l("매칭 요청이 철회되었습니다: %(need)s ↔ %(solution)s", **_pair_names(match)))
    return match


def _review(admin: User, item: Match | ConsortiumProposal, action: str, reason: str | None):
    _require_admin(admin)
    reason = _check_reason(reason, required=(action == "reject"))
    _lock(item)
    before = audit.snapshot(item, ["status"])
    _transition(item, action)
    item.reviewed_by_id = admin.id
    item.reviewed_at = utcnow()
    item.review_reason = reason
    db.session.flush()
    label = (f"{item.need.title} ↔ {item.solution.title}" if isinstance(item, Match)
             else f"{item.need.title} ↔ {item.lead_company.name} 컨소시엄")
    prefix = "match" if isinstance(item, Match) else "consortium"
    audit.record(admin, f"{prefix}.{action}", item, before=before,
                 after=audit.snapshot(item, ["status"]), reason=reason, label=label)
    return reason


def approve(admin: User, item: Match | ConsortiumProposal, reason: str | None = None):
    """An admin approves a mutual match (or consortium): contact details become visible."""
    if isinstance(item, ConsortiumProposal):
        return _review_consortium(admin, item, "approve", reason)
    reason = _review(admin, item, "approve", reason)
    names = _pair_names(item)
    for side in (Side.MUNICIPALITY, Side.COMPANY):
        _notify_side(item, side, "match_approved",
                     _l("매칭이 승인되었습니다: %(need)s ↔ %(solution)s", **names),
                     _l("이제 매칭 상세 화면에서 상대방의 연락처를 볼 수 있습니다."))
    return item


def reject(admin: User, item: Match | ConsortiumProposal, reason: str | None):
    """An admin rejects a mutual match (or consortium); a reason is required."""
    if isinstance(item, ConsortiumProposal):
        return _review_consortium(admin, item, "reject", reason)
    reason = _review(admin, item, "reject", reason)
    names = _pair_names(item)
    for side in (Side.MUNICIPALITY, Side.COMPANY):
        _notify_side(item, side, "match_rejected",
                     _l("매칭이 반려되었습니다: %(need)s ↔ %(solution)s", **names),
                     _l("사유: %(reason)s", reason=reason))
    return item


# --- expiry and reminders --------------------------------------------------------------------


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
    allowed, expired = MATCH_TRANSITIONS["expire"]
    for match in _overdue_rows(Match, allowed, moment):
        if not _claim(match, allowed, {"status": expired}, Match.expires_at <= moment):
            continue
        for side in (Side.MUNICIPALITY, Side.COMPANY):
            _notify_side(match, side, "match_expired",
                         _l("응답 기한이 지나 매칭 요청이 만료되었습니다: %(need)s ↔ %(solution)s",
                            **_pair_names(match)))
        counts.matches += 1
    allowed, expired = CONSORTIUM_TRANSITIONS["expire"]
    for proposal in _overdue_rows(ConsortiumProposal, allowed, moment):
        was_submitted = proposal.status == ConsortiumStatus.SUBMITTED
        if not _claim(proposal, allowed, {"status": expired},
                      ConsortiumProposal.expires_at <= moment):
            continue
        title = _l("응답 기한이 지나 컨소시엄 제안이 만료되었습니다: %(need)s", need=proposal.need.title)
        _notify_consortium_companies(proposal, "match_expired", title)
        if was_submitted:
            _notifications().notify_municipality(
                proposal.need.municipality, "match_expired", title, "",
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
    open_statuses = CONSORTIUM_TRANSITIONS["expire"][0]
    for proposal in _due_for_reminder(ConsortiumProposal, open_statuses, moment, horizon):
        if not _claim(proposal, open_statuses, {"reminder_sent_at": moment},
                      ConsortiumProposal.reminder_sent_at.is_(None)):
            continue
        title = _l("응답 기한이 다가옵니다: 컨소시엄 제안 %(need)s", need=proposal.need.title)
        body = _l("%(date)s까지 응답하지 않으면 제안이 만료됩니다.",
                  date=_aware(proposal.expires_at).strftime("%Y-%m-%d"))
        link = _link("matches.consortium_detail", proposal_id=proposal.id)
        if proposal.status == ConsortiumStatus.SUBMITTED:
            _notifications().notify_municipality(proposal.need.municipality, "match_reminder",
                                                 title, body, link)
        else:
            for member in proposal.members:
                if not member.is_lead and member.confirmation == ConfirmationStatus.PENDING:
                    _notifications().notify_company(member.company, "match_reminder", title,
                                                    body, link)
        sent += 1
    db.session.flush()
    return sent


# --- contact details -------------------------------------------------------------------------


@dataclass
class Contact:
    """A person's contact details, shared only after admin approval."""

    name: str
    email: str
    department: str | None = None
    phone: str | None = None
    is_key_person: bool = False


@dataclass
class ContactDetails:
    """Both sides' people: the requester, the responder and their colleagues."""

    municipality: list[Contact] = field(default_factory=list)
    company: list[Contact] = field(default_factory=list)


def _people(key_people: Iterable[User | None], colleagues: Iterable[User]) -> list[Contact]:
    result: list[Contact] = []
    seen: set[int] = set()
    for person in key_people:
        if person is None or person.id in seen:
            continue
        seen.add(person.id)
        result.append(Contact(person.name, person.email, person.department, person.phone, True))
    for person in colleagues:
        if person.id in seen:
            continue
        seen.add(person.id)
        result.append(Contact(person.name, person.email))
    return result


def municipality_officials(municipality_id: int) -> list[User]:
    """Verified, active officials of a municipality."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.MUNICIPALITY, User.municipality_id == municipality_id,
                           User.acts_for_organisation).order_by(User.id)))


def company_members(company_id: int) -> list[User]:
    """Active staff of a company."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.COMPANY, User.company_id == company_id,
                           User.account_status == AccountStatus.ACTIVE).order_by(User.id)))


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def contact_details(actor: User, match: Match) -> ContactDetails:
    """Both sides' contacts, for the two sides and admins, and only once approved."""
    if side_of(actor, match) is None and not actor.is_admin:
        raise PermissionDenied()
    if match.status != MatchStatus.APPROVED:
        raise PermissionDenied(_("연락처는 관리자 승인 후에 공개됩니다."))
    by_side = {match.initiator_side: match.requested_by, responding_side(match): _user(match.responded_by_id)}
    return ContactDetails(
        municipality=_people([by_side[Side.MUNICIPALITY]],
                             municipality_officials(match.need.municipality_id)),
        company=_people([by_side[Side.COMPANY]], company_members(match.solution.company_id)),
    )


def consortium_contact_details(actor: User, proposal: ConsortiumProposal) -> ContactDetails:
    """The municipality's and every member company's contacts, once the consortium is approved."""
    if not can_view_consortium(actor, proposal):
        raise PermissionDenied()
    if proposal.status != ConsortiumStatus.APPROVED:
        raise PermissionDenied(_("연락처는 관리자 승인 후에 공개됩니다."))
    companies: list[Contact] = []
    for member in proposal.members:
        key = [proposal.proposed_by] if member.is_lead else [_user(member.responded_by_id)]
        companies.extend(_people(key, company_members(member.company_id)))
    return ContactDetails(
        municipality=_people([_user(proposal.responded_by_id)],
                             municipality_officials(proposal.need.municipality_id)),
        company=companies,
    )


# --- response statistics ---------------------------------------------------------------------


@dataclass
class ResponseStats:
    """How an organisation answers the requests it receives."""

    received: int
    answered: int
    expired: int
    median_hours: float | None

    @property
    def rate(self) -> float | None:
        """Answered / (answered + expired); None before any request was decided."""
        decided = self.answered + self.expired
        return self.answered / decided if decided else None


def response_stats(organisation: Company | Municipality) -> ResponseStats:
    """Response rate and median response time over the requests the organisation received.

    Requests still pending within their deadline and withdrawn ones are not counted against
    the organisation; expired ones count as unanswered.
    """
    query = select(Match).join(Match.need).join(Match.solution)
    if isinstance(organisation, Company):
        query = query.where(Solution.company_id == organisation.id,
                            Match.initiator_side == Side.MUNICIPALITY)
    else:
        query = query.where(Need.municipality_id == organisation.id,
                            Match.initiator_side == Side.COMPANY)
    received = db.session.scalars(query).all()
    answered = [m for m in received if m.responded_at is not None]
    expired = sum(1 for m in received if shown_status(m) == MatchStatus.EXPIRED)
    hours = [(_aware(m.responded_at) - _aware(m.created_at)).total_seconds() / 3600
             for m in answered]
    return ResponseStats(received=len(received), answered=len(answered), expired=expired,
                         median_hours=statistics.median(hours) if hours else None)


# --- consortia -------------------------------------------------------------------------------


def cap_shares(lead_solution_id: int, partner_solution_ids: list[int],
               cap: float | None = None) -> dict[int, float]:
    """Equal shares, with the lead's share held to the large-firm cap and the rest to partners."""
    if cap is None:
        cap = float(current_app.config.get("CONSORTIUM_LARGE_SHARE_CAP", 0.30))
    count = 1 + len(partner_solution_ids)
    lead = min(1 / count, cap)
    rest = (1 - lead) / len(partner_solution_ids)
    shares = {lead_solution_id: round(lead, 4)}
    shares.update({sid: round(rest, 4) for sid in partner_solution_ids})
    return shares


def suggested_shares(need: Need, lead_solution: Solution, partner_solutions: list[Solution]
                     ) -> dict[int, float] | None:
    """The shares of the matching engine's suggestion with exactly these members, if any."""
    from app.services import recommendations

    wanted = {lead_solution.id, *(s.id for s in partner_solutions)}
    for proposal in recommendations.consortia_for_need(need, top_k=20,
                                                       lead_company=lead_solution.company):
        if {m.solution.id for m in proposal.members} == wanted:
            return {m.solution.id: float(m.share) for m in proposal.members}
    return None


def _check_shares(shares: dict[int, float], lead_solution: Solution,
                  partners: list[Solution]) -> dict[int, float]:
    cap = float(current_app.config.get("CONSORTIUM_LARGE_SHARE_CAP", 0.30))
    wanted = {lead_solution.id, *(s.id for s in partners)}
    if set(shares) != wanted:
        raise ServiceError(_("구성원마다 지분을 정해야 합니다."), field="shares")
    if any(not 0 <= value <= 1 for value in shares.values()):
        raise ServiceError(_("지분은 0%에서 100% 사이여야 합니다."), field="shares")
    if abs(sum(shares.values()) - 1) > SHARE_TOLERANCE:
        raise ServiceError(_("지분의 합은 100%여야 합니다."), field="shares")
    if shares[lead_solution.id] > cap + 1e-9:
        raise ServiceError(_("주관사(대기업·중견기업) 지분은 %(cap)d%%를 넘을 수 없습니다.",
                             cap=round(cap * 100)), field="shares")
    return shares


def propose_consortium(actor: User, need: Need, lead_solution: Solution,
                       partner_solutions: list[Solution], shares: dict[int, float] | None,
                       message: str) -> ConsortiumProposal:
    """A large/mid-sized firm proposes itself with 1–2 startups/SMEs; partners confirm first."""
    lead_company = lead_solution.company
    if not is_member_of(actor, lead_company.id):
        raise PermissionDenied()
    if not lead_company.is_approved_member or lead_company.size_class not in LEAD_SIZES:
        raise ServiceError(_("컨소시엄은 승인된 대기업·중견기업 회원만 제안할 수 있습니다."),
                           field="lead_solution_id")
    if need.status != NeedStatus.OPEN or not need_is_public(need):
        raise ServiceError(_("모집 중인 공개 수요에만 제안할 수 있습니다."), field="need_id")
    if not solution_is_public(lead_solution):
        raise ServiceError(_("주관 솔루션이 공개 상태가 아닙니다."), field="lead_solution_id")
    if not 1 <= len(partner_solutions) <= MAX_PARTNERS:
        raise ServiceError(_("참여사 솔루션을 1~2개 선택하세요."), field="partner_solution_ids")
    partner_companies = set()
    for partner in partner_solutions:
        if partner.company_id == lead_company.id or partner.company_id in partner_companies:
            raise ServiceError(_("참여사는 주관사와 다른 서로 다른 기업이어야 합니다."),
                               field="partner_solution_ids")
        if partner.company.size_class not in PARTNER_SIZES:
            raise ServiceError(_("참여사는 스타트업 또는 중소기업이어야 합니다."),
                               field="partner_solution_ids")
        if not solution_is_public(partner):
            raise ServiceError(_("참여사 솔루션이 공개 상태가 아닙니다."), field="partner_solution_ids")
        partner_companies.add(partner.company_id)
    message = _check_message(message)
    if shares is None:
        shares = cap_shares(lead_solution.id, [s.id for s in partner_solutions])
    shares = _check_shares(dict(shares), lead_solution, partner_solutions)
    duplicate = db.session.scalar(
        select(ConsortiumProposal.id).where(
            ConsortiumProposal.need_id == need.id,
            ConsortiumProposal.lead_company_id == lead_company.id,
            ConsortiumProposal.status.in_(ACTIVE_CONSORTIUM_STATUSES)))
    if duplicate is not None:
        raise ServiceError(_("이 수요에 대해 이미 진행 중인 컨소시엄 제안이 있습니다."), field="message")
    now = utcnow()
    proposal = ConsortiumProposal(need=need, lead_company=lead_company, proposed_by=actor,
                                  message=message, status=ConsortiumStatus.AWAITING_PARTNERS,
                                  created_at=now, expires_at=_expiry(now))
    proposal.members.append(ConsortiumMember(
        company=lead_company, solution=lead_solution, is_lead=True, share=shares[lead_solution.id],
        confirmation=ConfirmationStatus.CONFIRMED, responded_by_id=actor.id, responded_at=now))
    for partner in partner_solutions:
        proposal.members.append(ConsortiumMember(company=partner.company, solution=partner,
                                                 is_lead=False, share=shares[partner.id]))
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same proposal, sent at the same moment, won
        raise ServiceError(_("이 수요에 대해 이미 진행 중인 컨소시엄 제안이 있습니다."),
                           field="message") from error
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    for member in proposal.members:
        if not member.is_lead:
            _notifications().notify_company(
                member.company, "consortium_invitation",
                _l("%(lead)s의 컨소시엄 참여 요청: %(need)s", lead=lead_company.name,
                   need=need.title),
                _l("참여 솔루션: %(solution)s, 지분 %(share)s%%. 참여 여부를 확인해 주세요.",
                   solution=member.solution.title, share=round(member.share * 100)), link)
    return proposal


def _notify_consortium_companies(proposal: ConsortiumProposal, kind: str, title, body="",
                                 include_lead: bool = True) -> None:
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    for member in proposal.members:
        if member.is_lead and not include_lead:
            continue
        _notifications().notify_company(member.company, kind, title, body, link)


def respond_to_consortium(actor: User, member: ConsortiumMember, confirm: bool,
                          reason: str | None = None) -> ConsortiumProposal:
    """A partner firm confirms or declines; all confirmed → submitted to the municipality."""
    proposal = member.proposal
    if member.is_lead or not is_member_of(actor, member.company_id):
        raise PermissionDenied()
    reason = _check_reason(reason, to_other_side=True)
    _lock(proposal)
    for colleague in proposal.members:  # the other partners' answers as of the lock
        db.session.refresh(colleague)
    if proposal.status == ConsortiumStatus.AWAITING_PARTNERS and is_overdue(proposal):
        raise ServiceError(_("응답 기한이 지난 제안입니다."))
    if member.confirmation != ConfirmationStatus.PENDING:
        raise ServiceError(_("이미 응답한 참여 요청입니다."))
    now = utcnow()
    if confirm:
        _require_allowed(proposal, "all_confirmed")
        member.confirmation = ConfirmationStatus.CONFIRMED
    else:
        _transition(proposal, "partner_decline")
        member.confirmation = ConfirmationStatus.DECLINED
    member.responded_by_id = actor.id
    member.responded_at = now
    member.response_reason = reason
    flag_modified(proposal, "status")  # bump the proposal's version: one answer at a time
    db.session.flush()
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    notifications = _notifications()
    if not confirm:
        notifications.notify_company(
            proposal.lead_company, "consortium_update",
            _l("%(company)s이(가) 컨소시엄 참여를 거절했습니다: %(need)s",
               company=member.company.name, need=proposal.need.title),
            _l("사유: %(reason)s", reason=reason) if reason else "", link)
        return proposal
    if all(m.confirmation == ConfirmationStatus.CONFIRMED for m in proposal.members):
        _transition(proposal, "all_confirmed")
        proposal.submitted_at = now
        db.session.flush()
        _notify_consortium_companies(
            proposal, "consortium_update",
            _l("모든 참여사가 확인하여 컨소시엄 제안을 지자체에 보냈습니다: %(need)s",
               need=proposal.need.title))
        notifications.notify_municipality(
            proposal.need.municipality, "match_request",
            _l("%(lead)s 컨소시엄의 제안: %(need)s", lead=proposal.lead_company.name,
               need=proposal.need.title),
            proposal.message, link)
    else:
        notifications.notify_company(
            proposal.lead_company, "consortium_update",
            _l("%(company)s이(가) 컨소시엄 참여를 확인했습니다: %(need)s",
               company=member.company.name, need=proposal.need.title), "", link)
    return proposal


def answer_consortium(actor: User, proposal: ConsortiumProposal, accept_it: bool,
                      reason: str | None = None) -> ConsortiumProposal:
    """The municipality accepts (→ mutual, admin review) or declines a submitted consortium."""
    if not is_official_of(actor, proposal.need.municipality_id) or proposal.submitted_at is None:
        raise PermissionDenied()
    reason = _check_reason(reason, to_other_side=True)
    _lock(proposal)
    if proposal.status == ConsortiumStatus.SUBMITTED and is_overdue(proposal):
        raise ServiceError(_("응답 기한이 지난 제안입니다."))
    _transition(proposal, "accept" if accept_it else "decline")
    proposal.responded_by_id = actor.id
    proposal.responded_at = utcnow()
    proposal.response_reason = None if accept_it else reason
    db.session.flush()
    need_title = proposal.need.title
    if accept_it:
        _notify_consortium_companies(
            proposal, "match_accepted",
            _l("지자체가 컨소시엄 제안을 수락했습니다: %(need)s", need=need_title),
            _l("관리자 검토 후 연락처가 공개됩니다."))
        _notify_admins("match_mutual",
                       _l("검토할 컨소시엄: %(need)s", need=need_title),
                       _l("%(lead)s 주관 컨소시엄", lead=proposal.lead_company.name),
                       _link("matches.review"))
    else:
        _notify_consortium_companies(
            proposal, "match_declined",
            _l("지자체가 컨소시엄 제안을 거절했습니다: %(need)s", need=need_title),
            _l("사유: %(reason)s", reason=reason) if reason else "")
    return proposal


def withdraw_consortium(actor: User, proposal: ConsortiumProposal) -> ConsortiumProposal:
    """The lead firm withdraws its proposal before the municipality answers."""
    if not is_member_of(actor, proposal.lead_company_id):
        raise PermissionDenied()
    _lock(proposal)
    was_submitted = proposal.status == ConsortiumStatus.SUBMITTED
    _transition(proposal, "withdraw")
    db.session.flush()
    title = _l("컨소시엄 제안이 철회되었습니다: %(need)s", need=proposal.need.title)
    _notify_consortium_companies(proposal, "match_withdrawn", title, include_lead=False)
    if was_submitted:
        _notifications().notify_municipality(
            proposal.need.municipality, "match_withdrawn", title, "",
            _link("matches.consortium_detail", proposal_id=proposal.id))
    return proposal


def _review_consortium(admin: User, proposal: ConsortiumProposal, action: str,
                       reason: str | None) -> ConsortiumProposal:
    reason = _review(admin, proposal, action, reason)
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    if action == "approve":
        kind = "match_approved"
        title = _l("컨소시엄이 승인되었습니다: %(need)s", need=proposal.need.title)
        body = _l("이제 상세 화면에서 서로의 연락처를 볼 수 있습니다.")
    else:
        kind = "match_rejected"
        title = _l("컨소시엄이 반려되었습니다: %(need)s", need=proposal.need.title)
        body = _l("사유: %(reason)s", reason=reason)
    _notify_consortium_companies(proposal, kind, title, body)
    _notifications().notify_municipality(proposal.need.municipality, kind, title, body, link)
    return proposal


def can_view_consortium(user: User, proposal: ConsortiumProposal) -> bool:
    """Admins, member companies, and the municipality once the proposal reached it."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if any(is_member_of(user, m.company_id) for m in proposal.members):
        return True
    reached = proposal.submitted_at is not None
    return reached and is_official_of(user, proposal.need.municipality_id)


# --- lists for the pages ---------------------------------------------------------------------


def _match_options(query):
    return query.options(
        selectinload(Match.need).selectinload(Need.municipality),
        selectinload(Match.solution).selectinload(Solution.company),
    )


def _org_clause(user: User):
    """Matches of the user's organisation (none unless the user acts for it)."""
    if not user.acts_for_organisation:
        return false()
    if user.is_official:
        return Match.need_id.in_(select(Need.id).where(Need.municipality_id == user.municipality_id))
    return Match.solution_id.in_(select(Solution.id).where(Solution.company_id == user.company_id))


def _my_side(user: User) -> Side:
    return Side.MUNICIPALITY if user.is_official else Side.COMPANY


def _shown_as(model, status):
    """A WHERE clause on the status as people see it (overdue open rows read as expired)."""
    open_statuses = list((MATCH_TRANSITIONS if model is Match else CONSORTIUM_TRANSITIONS)
                         ["expire"][0])
    now = utcnow()
    if status in (MatchStatus.EXPIRED, ConsortiumStatus.EXPIRED):
        return or_(model.status == status,
                   and_(model.status.in_(open_statuses), model.expires_at <= now))
    if status in open_statuses:
        return and_(model.status == status, model.expires_at > now)
    return model.status == status


def incoming_requests(user: User) -> list[Match]:
    """Pending requests the user's organisation must answer."""
    other = Side.COMPANY if _my_side(user) == Side.MUNICIPALITY else Side.MUNICIPALITY
    return list(db.session.scalars(_match_options(
        select(Match).where(_org_clause(user), _shown_as(Match, MatchStatus.PENDING),
                            Match.initiator_side == other).order_by(Match.expires_at))))


def outgoing_requests(user: User) -> list[Match]:
    """Pending requests the user's organisation sent."""
    return list(db.session.scalars(_match_options(
        select(Match).where(_org_clause(user), _shown_as(Match, MatchStatus.PENDING),
                            Match.initiator_side == _my_side(user))
        .order_by(Match.created_at.desc()))))


def organisation_matches(user: User, status: MatchStatus | None = None):
    """A select of every match of the user's organisation, newest first."""
    query = _match_options(select(Match).where(_org_clause(user))
                           .order_by(Match.created_at.desc(), Match.id.desc()))
    if status is not None:
        query = query.where(_shown_as(Match, status))
    return query


def consortium_invitations(user: User) -> list[ConsortiumMember]:
    """Partner invitations of the user's company still waiting for an answer."""
    if not user.is_company_user or not user.acts_for_organisation:
        return []
    return list(db.session.scalars(
        select(ConsortiumMember).join(ConsortiumMember.proposal).where(
            ConsortiumMember.company_id == user.company_id, ConsortiumMember.is_lead.is_(False),
            ConsortiumMember.confirmation == ConfirmationStatus.PENDING,
            _shown_as(ConsortiumProposal, ConsortiumStatus.AWAITING_PARTNERS))))


def submitted_consortia(user: User) -> list[ConsortiumProposal]:
    """Consortium proposals waiting for the user's municipality's answer."""
    if not user.is_official or not user.acts_for_organisation:
        return []
    return list(db.session.scalars(
        select(ConsortiumProposal).join(ConsortiumProposal.need).where(
            Need.municipality_id == user.municipality_id,
            _shown_as(ConsortiumProposal, ConsortiumStatus.SUBMITTED))
        .order_by(ConsortiumProposal.expires_at)))


def organisation_consortia(user: User, statuses: Iterable[ConsortiumStatus] | None = None
                           ) -> list[ConsortiumProposal]:
    """Consortia the user's company belongs to, or that reached the user's municipality."""
    if not user.acts_for_organisation:
        return []
    query = select(ConsortiumProposal).order_by(ConsortiumProposal.created_at.desc())
    if user.is_official:
        query = query.join(ConsortiumProposal.need).where(
            Need.municipality_id == user.municipality_id,
            ConsortiumProposal.submitted_at.is_not(None))
    else:
        query = query.where(ConsortiumProposal.id.in_(
            select(ConsortiumMember.proposal_id).where(
                ConsortiumMember.company_id == user.company_id)))
    if statuses is not None:
        query = query.where(or_(*(_shown_as(ConsortiumProposal, s) for s in statuses)))
    return list(db.session.scalars(query))


def review_queue() -> tuple[list[Match], list[ConsortiumProposal]]:
    """Mutual matches and consortia waiting for an admin decision, oldest first."""
    matches = list(db.session.scalars(_match_options(
        select(Match).where(Match.status == MatchStatus.MUTUAL).order_by(Match.responded_at))))
    consortia = list(db.session.scalars(
        select(ConsortiumProposal).where(ConsortiumProposal.status == ConsortiumStatus.MUTUAL)
        .order_by(ConsortiumProposal.responded_at)))
    return matches, consortia


def interest_needs(user: User) -> list[Need]:
    """Open, public needs of the official's municipality (to pick one when expressing interest)."""
    if not user.is_authenticated or not user.is_official or not user.acts_for_organisation:
        return []
    needs = db.session.scalars(
        select(Need).where(Need.municipality_id == user.municipality_id,
                           Need.status == NeedStatus.OPEN).order_by(Need.created_at.desc()))
    return [need for need in needs if need_is_public(need)]


def interest_solutions(user: User) -> list[Solution]:
    """Public solutions of the user's company (to pick one when expressing interest)."""
    if not user.is_authenticated or not user.is_company_user or not user.acts_for_organisation:
        return []
    solutions = db.session.scalars(
        select(Solution).where(Solution.company_id == user.company_id).order_by(Solution.title))
    return [solution for solution in solutions if solution_is_public(solution)]


def partner_candidates(lead_company_id: int) -> list[Solution]:
    """Public solutions of startups/SMEs other than the lead company."""
    from app.services.visibility import public_solutions

    return list(db.session.scalars(
        public_solutions().join(Solution.company).where(
            Solution.company_id != lead_company_id,
            Company.size_class.in_(PARTNER_SIZES)).order_by(Company.name, Solution.title)))

