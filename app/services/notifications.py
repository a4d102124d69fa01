"""In-app notifications and their e-mails, rendered in each recipient's language."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.security import public_url
from app.models import (
    AccountStatus,
    Company,
    EmailPreference,
    Match,
    MatchingChange,
    Municipality,
    Need,
    Notification,
    OverseasOrganisation,
    Role,
    Solution,
    StrongMatchAlert,
    User,
)
from app.models.base import utcnow
from app.services.errors import PermissionDenied, ServiceError
from app.services.mail import send_mail
from app.templating import lazy_place_name

#: Stable notification kinds and their labels on the e-mail preferences page.
KINDS: dict[str, object] = {
    "match_request": _l("새 관심 요청"),
    "match_accepted": _l("보낸 관심 요청 수락"),
    "match_declined": _l("보낸 관심 요청 거절"),
    "match_withdrawn": _l("받은 관심 요청 철회"),
    "match_mutual": _l("상호 관심 성립(관리자 검토 대기)"),
    "match_approved": _l("매칭 승인"),
    "match_rejected": _l("매칭 반려"),
    "match_reminder": _l("응답 기한 임박 알림"),
    "match_expired": _l("관심 요청 만료"),
    "consortium_invitation": _l("컨소시엄 참여 요청"),
    "consortium_update": _l("컨소시엄 진행 상황"),
    "strong_match": _l("새로운 유력 매칭"),
    "joint_invitation": _l("공동구매 그룹 초대"),
    "joint_update": _l("공동구매 그룹 참여 응답"),
    "need_question": _l("수요에 대한 새 질문"),
    "need_answer": _l("내 질문에 대한 답변"),
    "membership_decided": _l("융합 얼라이언스 회원 심사 결과"),
    "membership_application": _l("기업의 회원 가입 신청(관리자)"),
    "verification_application": _l("공무원의 인증 신청(관리자)"),
    "conversation_message": _l("대화 새 메시지"),
    "meeting_update": _l("미팅 제안·확정·알림"),
    "outcome_step": _l("도입 진행 단계 확인 요청·결과"),
    "outcome_reminder": _l("진행이 멈춘 매칭 알림"),
    "solution_rating": _l("솔루션 평가와 답변"),
    "regulatory_sandbox": _l("규제특례(규제샌드박스) 필요 표시와 진행 상황"),
}
#: Kinds shown in the notification centre only (their e-mail is the digest, app/services/digests.py).
IN_APP_KINDS: dict[str, object] = {
    "saved_search": _l("저장한 검색 조건에 맞는 새 게시물"),
}

DEFAULT_LOCALE = "ko"
TITLE_MAX_LENGTH = 200
LINK_MAX_LENGTH = 300
STRONG_MATCH_TOP_K = 10


# --- rendering --------------------------------------------------------------------------------


def _recipient_locale(user: User) -> str:
    return user.locale or DEFAULT_LOCALE


def _render(text) -> str:
    """A lazy (or plain) string as text in the current (forced) locale."""
    return "" if text is None else str(text)


def local_path(endpoint: str, **values) -> str:
    """A site-relative URL for an endpoint, inside or outside a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def absolute_url(link: str) -> str:
    """An absolute URL for a site-relative link, on PUBLIC_BASE_URL (never the request's Host)."""
    if link.startswith(("http://", "https://")):
        return link
    return public_url(current_app, link)


def _email_text(body: str, link: str | None) -> str:
    """The e-mail body (already in the recipient's locale): text, link, preferences footer."""
    parts = [body] if body else []
    if link:
        parts.append(_("자세히 보기: %(url)s", url=absolute_url(link)))
    parts.append("-- \n" + _("CityMatch 알림입니다. 이메일 수신 설정: %(url)s",
                            url=absolute_url(local_path("notifications.preferences"))))
    return "\n\n".join(parts)


# --- sending ----------------------------------------------------------------------------------


def _can_receive(user: User) -> bool:
    return user.account_status == AccountStatus.ACTIVE and user.deleted_at is None


def email_enabled(user: User, kind: str) -> bool:
    """Whether the user receives e-mail for this kind (default: yes)."""
    enabled = db.session.scalar(
        select(EmailPreference.enabled)
        .where(EmailPreference.user_id == user.id, EmailPreference.kind == kind)
    )
    return True if enabled is None else bool(enabled)


def email_preferences(user: User) -> dict[str, bool]:
    """Every kind with whether the user receives its e-mails."""
    stored = dict(db.session.execute(
        select(EmailPreference.kind, EmailPreference.enabled)
        .where(EmailPreference.user_id == user.id)
    ).tuples().all())
    return {kind: bool(stored.get(kind, True)) for kind in KINDS}


def set_email_preferences(user: User, preferences: Mapping[str, bool]) -> None:
    """Store which e-mails the user receives ({kind: enabled}); unknown kinds are refused."""
    unknown = [kind for kind in preferences if kind not in KINDS]
    if unknown:
        raise ServiceError(_("알 수 없는 알림 종류입니다: %(kinds)s", kinds=", ".join(unknown)))
    existing = {pref.kind: pref for pref in db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id == user.id))}
    for kind, enabled in preferences.items():
        pref = existing.get(kind)
        if pref is None:
            db.session.add(EmailPreference(user_id=user.id, kind=kind, enabled=bool(enabled)))
        else:
            pref.enabled = bool(enabled)
    db.session.flush()


def notify(recipient: User, kind: str, title, body="", link: str | None = None
           ) -> Notification | None:
    """Store an in-app notification and e-mail it, in the recipient's language.

    `title` and `body` are lazy strings (or plain text); `link` a site-relative path. Returns
    None (and does nothing) for suspended accounts.
    """
    if kind not in KINDS and kind not in IN_APP_KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if not _can_receive(recipient):
        return None
    with force_locale(_recipient_locale(recipient)):
        title_text = _render(title)[:TITLE_MAX_LENGTH]
        body_text = _render(body)
        mailed = kind in KINDS and email_enabled(recipient, kind)
        mail_text = _email_text(body_text, link) if mailed else None
    notification = Notification(user_id=recipient.id, kind=kind, title=title_text,
                                body=body_text, link=link[:LINK_MAX_LENGTH] if link else None)
    db.session.add(notification)
    db.session.flush()
    if mail_text is not None:
        send_mail(recipient.email, title_text, mail_text)
    return notification


def _notify_all(users: Iterable[User], kind: str, title, body, link) -> list[Notification]:
    sent = (notify(user, kind, title, body, link) for user in users)
    return [notification for notification in sent if notification is not None]


def company_recipients(company: Company) -> list[User]:
    """Every member acting for a company (none while it is not an approved member)."""
    return list(db.session.scalars(
        select(User).where(User.company_id == company.id, User.role == Role.COMPANY,
                           User.acts_for_organisation).order_by(User.id)))


def municipality_recipients(municipality: Municipality | OverseasOrganisation) -> list[User]:
    """Every official acting for a municipality, or for an overseas organisation (a need's
    `owner`), verified and active."""
    if isinstance(municipality, OverseasOrganisation):
        belongs = User.overseas_organisation_id == municipality.id
    else:
        belongs = User.municipality_id == municipality.id
    return list(db.session.scalars(
        select(User).where(belongs,
                           User.role == Role.MUNICIPALITY,
                           User.acts_for_organisation).order_by(User.id)))


def admin_recipients() -> list[User]:
    """Every active platform administrator."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.ADMIN,
                           User.account_status == AccountStatus.ACTIVE).order_by(User.id)))


def notify_company(company: Company, kind: str, title, body="", link: str | None = None
                   ) -> list[Notification]:
    """Notify every member acting for a company."""
    return _notify_all(company_recipients(company), kind, title, body, link)


def notify_municipality(municipality: Municipality, kind: str, title, body="",
                        link: str | None = None) -> list[Notification]:
    """Notify every official acting for a municipality."""
    return _notify_all(municipality_recipients(municipality), kind, title, body, link)


def notify_admins(kind: str, title, body="", link: str | None = None) -> list[Notification]:
    """Notify every active platform administrator."""
    return _notify_all(admin_recipients(), kind, title, body, link)


# --- reading ----------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (one COUNT query)."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def notifications_query(user: User):
    """The user's notifications, newest first (for pagination)."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read."""
    if notification.user_id != user.id:
        raise PermissionDenied(_("다른 사용자의 알림입니다."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount or 0


# --- new strong matches -----------------------------------------------------------------------


@dataclass
class StrongMatchReport:
    """What one `notify_new_strong_matches` run did."""

    last_change_id: int
    changes: int
    pairs: int
    notifications: int


def _strong(explanation: Mapping, threshold: float) -> bool:
    return not explanation.get("low_confidence") and float(explanation.get("score", 0)) >= threshold


def _pair_links(need_id: int, solution_id: int) -> tuple[str, str]:
    """(link for the company side, link for the municipality side) of one need–solution pair."""
    return (local_path("catalogue.need_detail", need_id=need_id, solution=solution_id),
            local_path("catalogue.solution_detail", solution_id=solution_id, need=need_id))


def _pair_already_known(need_id: int, solution_id: int, links: tuple[str, str]) -> bool:
    """True when the pair was notified before or the two sides are already in touch."""
    notified = db.session.scalar(
        select(Notification.id)
        .where(Notification.kind == "strong_match", Notification.link.in_(links)).limit(1)
    )
    if notified is not None:
        return True
    return db.session.scalar(
        select(Match.id).where(Match.need_id == need_id, Match.solution_id == solution_id)
    ) is not None


def _claim_pair(need_id: int, solution_id: int) -> StrongMatchAlert | None:
    """Record that the pair is being announced; None when another run already did (its key)."""
    claim = StrongMatchAlert(need_id=need_id, solution_id=solution_id)
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:
        return None
    return claim


def _notify_company_of_need(need: Need, solution: Solution, link: str) -> list[Notification]:
    return notify_company(
        solution.company, "strong_match",
        _l("새 수요가 솔루션 '%(solution)s'와 잘 맞습니다", solution=solution.title),
        _l("%(municipality)s의 수요 '%(need)s'가 귀사의 솔루션 '%(solution)s'와 잘 맞는 것으로 "
           "추천되었습니다.", municipality=lazy_place_name(need.owner), need=need.title,
           solution=solution.title),
        link,
    )


def _notify_municipality_of_solution(need: Need, solution: Solution, link: str
                                     ) -> list[Notification]:
    return notify_municipality(
        need.owner, "strong_match",
        _l("수요 '%(need)s'에 잘 맞는 새 솔루션", need=need.title),
        _l("%(company)s의 솔루션 '%(solution)s'가 수요 '%(need)s'와 잘 맞는 것으로 "
           "추천되었습니다.", company=solution.company.name, solution=solution.title,
           need=need.title),
        link,
    )


def notify_new_strong_matches(since_change_id: int | None = None) -> StrongMatchReport:
    """Tell the other side about strong matches of needs/solutions changed after a change id.

    A changed need notifies the companies of its strong solutions; a changed solution notifies
    the municipalities of its strong needs. Each need–solution pair is notified once, and not
    at all when a match request between them already exists. Without `since_change_id`,
    continues after the notifier's cursor in the database; the cursor row is locked and moved in
    the same transaction as the notifications, so a crash neither repeats nor skips any (flushes).
    """
    from app.services import change_log

    cursor = change_log.locked_cursor(change_log.NOTIFIER)
    if since_change_id is None:
        since_change_id = cursor.position
    rows = db.session.execute(
        select(MatchingChange.id, MatchingChange.entity, MatchingChange.entity_id)
        .where(MatchingChange.id > since_change_id).order_by(MatchingChange.id)
    ).all()
    last_change_id = max((row.id for row in rows), default=since_change_id)
    changed = {(row.entity, row.entity_id) for row in rows}
    pairs = notifications = 0
    for entity, entity_id in sorted(changed):
        listing_pairs, listing_notifications = notify_strong_matches_of(entity, entity_id)
        pairs += listing_pairs
        notifications += listing_notifications
    change_log.advance(change_log.NOTIFIER, last_change_id)
    return StrongMatchReport(last_change_id=last_change_id, changes=len(changed), pairs=pairs,
                             notifications=notifications)


def notify_strong_matches_of(entity: str, entity_id: int) -> tuple[int, int]:
    """Tell the other side about the new strong matches of one need or solution (flushes).

    Returns (pairs, notifications). Each pair is announced once: a `strong_match_alert` row is
    inserted first, so the instant job and the periodic run never both announce it.
    """
    from app.services.recommendations import needs_for_solution, solutions_for_need

    threshold = float(current_app.config.get("STRONG_MATCH_SCORE", 0.6))
    if entity == "need":
        need = db.session.get(Need, entity_id)
        matches = ([(need, m.solution, m.explanation) for m in solutions_for_need(
            need, top_k=STRONG_MATCH_TOP_K)] if need is not None else [])
    elif entity == "solution":
        solution = db.session.get(Solution, entity_id)
        matches = ([(m.need, solution, m.explanation) for m in needs_for_solution(
            solution, top_k=STRONG_MATCH_TOP_K)] if solution is not None else [])
    else:
        return 0, 0
    pairs = notifications = 0
    for need, solution, explanation in matches:
        if not _strong(explanation, threshold):
            continue
        links = _pair_links(need.id, solution.id)
        if _pair_already_known(need.id, solution.id, links):
            continue
        claim = _claim_pair(need.id, solution.id)
        if claim is None:
            continue
        if entity == "need":
            sent = _notify_company_of_need(need, solution, links[0])
        else:
            sent = _notify_municipality_of_solution(need, solution, links[1])
        if not sent:  # nobody to tell yet: a later run may announce the pair
            db.session.delete(claim)
            db.session.flush()
        else:
            pairs += 1
            notifications += len(sent)
    return pairs, notifications
