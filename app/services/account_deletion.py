"""A user deletes their own account (PIPA art. 36): personal data erased, records kept anonymous."""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from app.extensions import db
from app.models import (
    AccountExistsNotice,
    AccountStatus,
    AuditLog,
    CompanyInvitation,
    EmailPreference,
    LoginThrottle,
    Notification,
    OutgoingEmail,
    PendingRegistration,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import audit, sessions
from app.services.errors import ServiceError

DELETED_NAME = "탈퇴한 사용자"
# Keys of audit snapshots that may hold the user's personal data.
PERSONAL_KEYS = ("email", "name", "phone", "department", "official_status_reason")


def deleted_label(user_id: int) -> str:
    """What the audit log and other records show instead of the deleted person."""
    return f"{DELETED_NAME} #{user_id}"


def deleted_email(user_id: int) -> str:
    """A unique placeholder address in the reserved .invalid domain (never deliverable)."""
    return f"deleted-{user_id}@deleted.invalid"


def is_last_admin(user: User) -> bool:
    """True when no other active, undeleted administrator would remain."""
    if not user.is_admin:
        return False
    others = db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMIN, User.id != user.id, User.deleted_at.is_(None),
        User.account_status == AccountStatus.ACTIVE))
    return not others


def is_last_company_member(user: User) -> bool:
    """True when the user is the only remaining member of their company."""
    if user.company_id is None:
        return False
    others = db.session.scalar(select(func.count(User.id)).where(
        User.company_id == user.company_id, User.id != user.id, User.deleted_at.is_(None)))
    return not others


def delete_account(user: User, password: str) -> None:
    """Erase the user's personal data after checking their password (flushes; caller commits).

    The row stays as an anonymous "deleted user" so needs, matches and proposals keep their
    author; notifications, preferences, pending sign-ups, lockout counters and mail to the
    address are removed; sessions end; audit entries about the user lose their personal data.
    """
    if user.is_deleted:
        raise ServiceError(_("이미 탈퇴한 계정입니다."))
    if not user.check_password(password or ""):
        raise ServiceError(_("비밀번호가 올바르지 않습니다."), field="password")
    if is_last_admin(user):
        raise ServiceError(_("마지막 관리자는 탈퇴할 수 없습니다. 다른 관리자를 먼저 만드세요."))
    old_email = user.email
    company_id = user.company_id
    left_company_empty = is_last_company_member(user)

    _erase_linked_rows(user, old_email)
    sessions.revoke_all_sessions(user)
    user.email = deleted_email(user.id)
    user.name = DELETED_NAME
    user.phone = None
    user.department = None
    user.official_status_reason = None
    user.locale = None
    user.last_login_at = None
    user.company_id = None
    user.set_password(secrets.token_urlsafe(32))  # nobody knows it: the row cannot sign in
    user.deleted_at = utcnow()
    db.session.flush()
    _anonymise_audit_log(user.id, old_email)
    audit.record(user, "user.deleted", user, label=deleted_label(user.id),
                 after={"role": user.role.value, "company_id": company_id,
                        "company_left_without_members": left_company_empty})


def _erase_linked_rows(user: User, email: str) -> None:
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(EmailPreference).where(EmailPreference.user_id == user.id))
    db.session.execute(delete(OutgoingEmail).where(func.lower(OutgoingEmail.to_address) == email))
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email == email))
    db.session.execute(delete(AccountExistsNotice).where(AccountExistsNotice.email == email))
    db.session.execute(update(CompanyInvitation)
                       .where(func.lower(CompanyInvitation.email) == email)
                       .values(email=deleted_email(user.id)))


def _anonymise_audit_log(user_id: int, email: str) -> None:
    """Entries about the user keep what happened and when, without who they were."""
    entries = db.session.scalars(select(AuditLog).where(or_(
        (AuditLog.target_type == "User") & (AuditLog.target_id == user_id),
        AuditLog.target_label.contains(email, autoescape=True))))
    for entry in entries:
        entry.target_label = deleted_label(user_id)
        entry.before = _scrubbed(entry.before)
        entry.after = _scrubbed(entry.after)
    db.session.flush()


def _scrubbed(snapshot: dict | None) -> dict | None:
    if not snapshot:
        return snapshot
    return {key: (None if key in PERSONAL_KEYS else value) for key, value in snapshot.items()}
