"""Registration with e-mail confirmation, authentication, password reset/change and invitations."""
from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import (
    AccountExistsNotice,
    AccountStatus,
    CompanyInvitation,
    GovernmentLevel,
    LoginThrottle,
    Municipality,
    OfficialStatus,
    PendingRegistration,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import audit, membership_notices, privacy, sessions, verification
from app.services.errors import Problems, ServiceError
from app.services.mail import send_mail
from app.services.passwords import check_password_policy
from app.templating import place_name, place_short_name

_REGISTRATION_SALT = "citymatch-registration-v2"
_RESET_SALT = "citymatch-password-reset"
# Compared against when the e-mail is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

# At most one "account exists" notice per address in this interval (finding 7 of issue 8).
ACCOUNT_EXISTS_NOTICE_INTERVAL = timedelta(hours=1)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively, without surrounding spaces."""
    return (email or "").strip().lower()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; treat them as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=utcnow().tzinfo)
    return moment


def _serializer(salt: str = _REGISTRATION_SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def user_by_email(email: str) -> User | None:
    """The user with this e-mail, if any."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def valid_invitation(token: str | None) -> CompanyInvitation | None:
    """The open, unexpired invitation with this token, if any."""
    if not token:
        return None
    invitation = db.session.scalar(select(CompanyInvitation).where(CompanyInvitation.token == token))
    if invitation is None or invitation.accepted_at is not None:
        return None
    return invitation if _aware(invitation.expires_at) > utcnow() else None


def check_registration(*, email: str, password: str, name: str, role: Role | None,
                       municipality_id: int | None = None, invitation_token: str | None = None,
                       consent_version: str | None = None) -> None:
    """Check a sign-up, writing nothing; raise all the refusals together.

    Whether the address is already registered is never among them (see request_registration).
    """
    problems = Problems()
    email = normalise_email(email or "")
    if consent_version != privacy.CURRENT.version:
        problems.add(_("개인정보 수집·이용에 동의해야 가입할 수 있습니다."), field="privacy_consent")
    if role not in (Role.COMPANY, Role.MUNICIPALITY):
        problems.add(_("가입할 수 없는 회원 유형입니다."), field="role")
    if role == Role.MUNICIPALITY:
        municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
        if municipality is None:
            problems.add(_("소속 지자체를 목록에서 선택하세요."), field="municipality_id")
    if invitation_token:
        invitation = valid_invitation(invitation_token)
        if invitation is None:
            problems.add(_("초대 링크가 만료되었거나 이미 사용되었습니다."))
        else:
            if normalise_email(invitation.email) != email:
                problems.add(_("초대받은 이메일 주소로 가입해야 합니다."), field="email")
            if role is not None and role != Role.COMPANY:
                problems.add(_("기업 초대는 기업 회원으로만 수락할 수 있습니다."), field="role")
    problems.check(check_password_policy, password or "", email=email, name=name)
    problems.raise_any()


def request_registration(
    *,
    email: str,
    password: str,
    name: str,
    role: Role,
    phone: str | None = None,
    department: str | None = None,
    municipality_id: int | None = None,
    invitation_token: str | None = None,
    consent_version: str | None = None,
) -> None:
    """Validate and e-mail a confirmation link; the account exists only once it is followed.

    A registered and a new address take the same path (one password hash, one outbox row) and
    the caller shows the same answer: a registered address gets, at most once an hour, a notice
    instead of a link.
    """
    email = normalise_email(email)
    check_registration(email=email, password=password, name=name, role=role,
                       municipality_id=municipality_id, invitation_token=invitation_token,
                       consent_version=consent_version)

    password_hash = generate_password_hash(password)
    if user_by_email(email) is not None:
        _notify_account_exists(email)
        return
    pending = PendingRegistration(
        nonce=secrets.token_urlsafe(24),
        email=email,
        name=name.strip(),
        role=role.value,
        password_hash=password_hash,
        phone=(phone or "").strip() or None,
        department=(department or "").strip() or None,
        municipality_id=municipality_id if role == Role.MUNICIPALITY else None,
        invitation_token=invitation_token or None,
        consent_version=consent_version,
        expires_at=_registration_expiry(),
    )
    db.session.add(pending)
    db.session.flush()
    _send_confirmation_link(pending)


def _registration_expiry() -> datetime:
    return utcnow() + timedelta(seconds=current_app.config["REGISTRATION_LINK_MAX_AGE"])


def _notify_account_exists(email: str) -> None:
    """Tell a registered address someone tried to sign up with it, at most once an hour."""
    now = utcnow()
    notice = db.session.get(AccountExistsNotice, email)
    if notice is not None and _aware(notice.sent_at) > now - ACCOUNT_EXISTS_NOTICE_INTERVAL:
        return
    if notice is None:
        if _insert_once(AccountExistsNotice(email=email, sent_at=now)) is None:
            return  # a concurrent attempt just sent it
    else:
        notice.sent_at = now
    send_mail(
        email,
        _("[CityMatch] 가입 시도 안내"),
        _("이 이메일 주소로 이미 CityMatch 계정이 있습니다. 본인이 시도한 것이라면 로그인하세요: "
          "%(link)s\n본인이 아니라면 이 메일을 무시하세요.",
          link=url_for("auth.login", _external=True)),
    )


def _insert_once(row):
    """Insert a row keyed by e-mail in a savepoint; None when a concurrent request already did."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return None
    return row


def _send_confirmation_link(pending: PendingRegistration) -> None:
    token = _serializer().dumps({"id": pending.id, "nonce": pending.nonce})
    send_mail(
        pending.email,
        _("[CityMatch] 가입 확인"),
        _("%(name)s님, CityMatch 가입을 완료하려면 24시간 안에 아래 링크를 여세요.\n%(link)s",
          name=pending.name, link=url_for("auth.confirm", token=token, _external=True)),
    )


def resend_confirmation(email: str) -> None:
    """Send a fresh link (a new nonce, so older links die) for an open sign-up, if there is one."""
    email = normalise_email(email)
    pending = _open_registration(email)
    if pending is None or user_by_email(email) is not None:
        return
    pending.nonce = secrets.token_urlsafe(24)
    pending.expires_at = _registration_expiry()
    db.session.flush()
    _send_confirmation_link(pending)


def _open_registration(email: str) -> PendingRegistration | None:
    """The newest unused, unexpired sign-up for this address."""
    pending = db.session.scalar(
        select(PendingRegistration)
        .where(PendingRegistration.email == email, PendingRegistration.used_at.is_(None))
        .order_by(PendingRegistration.id.desc()).limit(1))
    if pending is None or _aware(pending.expires_at) <= utcnow():
        return None
    return pending


def confirm_registration(token: str) -> User:
    """Create the account described by a confirmation link (once)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["REGISTRATION_LINK_MAX_AGE"])
        pending_id, nonce = int(data["id"]), str(data["nonce"])
    except SignatureExpired as exc:
        raise ServiceError(_("가입 확인 링크가 만료되었습니다. 다시 가입해 주세요.")) from exc
    except (BadSignature, TypeError, KeyError, ValueError) as exc:
        raise ServiceError(_("가입 확인 링크가 올바르지 않습니다.")) from exc
    pending = db.session.get(PendingRegistration, pending_id)
    if pending is None or not hmac.compare_digest(pending.nonce, nonce):
        raise ServiceError(_("가입 확인 링크가 올바르지 않습니다."))
    if pending.used_at is not None or user_by_email(pending.email) is not None:
        raise ServiceError(_("이미 가입이 완료된 링크입니다. 로그인하세요."))
    if _aware(pending.expires_at) <= utcnow():
        raise ServiceError(_("가입 확인 링크가 만료되었습니다. 다시 가입해 주세요."))
    pending.used_at = utcnow()
    password_hash, pending.password_hash = pending.password_hash, ""  # kept only until used
    role = Role(pending.role)
    user = User(
        email=pending.email,
        name=pending.name,
        role=role,
        password_hash=password_hash,
        phone=pending.phone,
        department=pending.department,
        municipality_id=pending.municipality_id,
        official_status=OfficialStatus.PENDING if role == Role.MUNICIPALITY else None,
    )
    db.session.add(user)
    db.session.flush()
    if pending.consent_version:  # given with the form, when the sign-up was requested
        privacy.record_consent(user, pending.consent_version, accepted_at=pending.created_at)
    if pending.invitation_token:
        invitation = valid_invitation(pending.invitation_token)
        if invitation is None:
            raise ServiceError(_("초대 링크가 만료되었거나 이미 사용되었습니다."))
        user.company_id = invitation.company_id
        db.session.flush()
        invitation.accepted_at = utcnow()
        invitation.accepted_by_id = user.id
    db.session.flush()
    verification.record_confirmed_email(user)  # evidence for the admin's verification queue
    if user.is_official:
        membership_notices.verification_applied(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose e-mail and password match, or None (same cost either way)."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or ""):
        return None
    return user


class LoginOutcome(str, enum.Enum):
    """How a sign-in attempt ended."""

    SIGNED_IN = "signed_in"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    SUSPENDED = "suspended"
    UNCONFIRMED = "unconfirmed"  # the password of an open sign-up: tell them to confirm


@dataclass
class LoginResult:
    """The outcome and, when signed in, the user."""

    outcome: LoginOutcome
    user: Optional[User] = None


def sign_in(email: str, password: str) -> LoginResult:
    """Check a sign-in attempt against the lockout, the accounts and open sign-ups (flushes)."""
    email = normalise_email(email)
    now = utcnow()
    throttle = db.session.get(LoginThrottle, email)
    if throttle is not None and throttle.locked_until and _aware(throttle.locked_until) > now:
        check_password_hash(_DUMMY_HASH, password or "")
        return LoginResult(LoginOutcome.LOCKED)
    user = authenticate(email, password)
    if user is not None:
        if throttle is not None:
            db.session.delete(throttle)
        if not user.is_active:
            return LoginResult(LoginOutcome.SUSPENDED, user)
        record_login(user)
        return LoginResult(LoginOutcome.SIGNED_IN, user)
    if user_by_email(email) is None:
        pending = _open_registration(email)
        if pending is not None and check_password_hash(pending.password_hash, password or ""):
            return LoginResult(LoginOutcome.UNCONFIRMED)
    return LoginResult(_count_failure(email, throttle, now))


def _count_failure(email: str, throttle: LoginThrottle | None, now: datetime) -> LoginOutcome:
    """Count one failed attempt in the window; lock the address when it reaches the limit."""
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_LOCKOUT_WINDOW_SECONDS"])
    if throttle is None:
        throttle = (_insert_once(LoginThrottle(email=email, failed_count=0, window_start=now))
                    or db.session.get(LoginThrottle, email, populate_existing=True))
    if _aware(throttle.window_start) <= now - window:
        throttle.failed_count, throttle.window_start, throttle.locked_until = 1, now, None
    else:
        # Counted in the database, so failures of concurrent attempts all count.
        throttle.failed_count = LoginThrottle.failed_count + 1
    db.session.flush()
    user = user_by_email(email)
    if user is not None:
        audit.record(None, "user.login_failed", user,
                     after={"failed_count": throttle.failed_count})
    outcome = LoginOutcome.BAD_CREDENTIALS
    if throttle.failed_count >= config["LOGIN_LOCKOUT_ATTEMPTS"]:
        throttle.locked_until = now + timedelta(seconds=config["LOGIN_LOCKOUT_SECONDS"])
        throttle.failed_count, throttle.window_start = 0, now
        outcome = LoginOutcome.LOCKED
        if user is not None:
            audit.record(None, "user.locked", user,
                         after={"locked_until": throttle.locked_until.isoformat()})
    db.session.flush()
    return outcome


def record_login(user: User) -> None:
    """Remember when the user last signed in."""
    user.last_login_at = utcnow()
    db.session.flush()


def _reset_serializer(password_hash: str) -> URLSafeTimedSerializer:
    # The current hash is part of the salt: the token dies once the password changes.
    return _serializer(f"{_RESET_SALT}:{password_hash}")


def request_password_reset(email: str) -> None:
    """E-mail a reset link to an active account with this address; nothing otherwise."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        return
    token = _reset_serializer(user.password_hash).dumps({"id": user.id})
    send_mail(
        user.email,
        _("[CityMatch] 비밀번호 재설정"),
        _("%(name)s님, 아래 링크에서 %(minutes)d분 안에 새 비밀번호를 정하세요. 한 번만 쓸 수 있습니다.\n"
          "%(link)s\n요청하지 않았다면 이 메일을 무시하세요.",
          name=user.name, minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
          link=url_for("auth.reset_with_token", token=token, _external=True)),
    )


def user_for_reset_token(token: str) -> User:
    """The user a valid, unused, unexpired reset token belongs to."""
    invalid = ServiceError(_("비밀번호 재설정 링크가 올바르지 않거나 이미 사용되었습니다."))
    _verified, payload = URLSafeTimedSerializer("unverified").loads_unsafe(token)
    user_id = payload.get("id") if isinstance(payload, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise invalid
    try:
        _reset_serializer(user.password_hash).loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise ServiceError(_("비밀번호 재설정 링크가 만료되었습니다. 다시 요청하세요.")) from exc
    except BadSignature as exc:
        raise invalid from exc
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link (which then no longer works)."""
    user = user_for_reset_token(token)
    _set_new_password(user, new_password, action="user.password_reset")
    return user


def check_password_reset(token: str, new_password: str | None) -> None:
    """Check a new password chosen from a reset link, writing nothing."""
    user = user_for_reset_token(token)
    check_password_policy(new_password or "", email=user.email, name=user.name)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in user replaces their password, proving the current one."""
    check_password_change(user, current_password, new_password)
    _set_new_password(user, new_password, action="user.password_changed", actor=user)


def check_password_change(user: User, current_password: str | None,
                          new_password: str | None) -> None:
    """Check a password change, writing nothing; raise all the refusals together."""
    problems = Problems()
    if not user.check_password(current_password or ""):
        problems.add(_("현재 비밀번호가 올바르지 않습니다."), field="current_password")
    problems.check(check_password_policy, new_password or "", email=user.email, name=user.name)
    problems.raise_any()


def _set_new_password(user: User, new_password: str, *, action: str,
                      actor: User | None = None) -> None:
    check_password_policy(new_password, email=user.email, name=user.name)
    user.set_password(new_password)
    throttle = db.session.get(LoginThrottle, normalise_email(user.email))
    if throttle is not None:
        db.session.delete(throttle)
    audit.record(actor, action, user)
    sessions.revoke_all_sessions(user, actor=actor)


def create_admin(email: str, password: str, name: str) -> User:
    """Create an administrator account (used by `flask create-admin`)."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise ServiceError(_("이미 사용 중인 이메일입니다."), field="email")
    check_password_policy(password, email=email, name=name)
    user = User(email=email, name=name.strip() or "관리자", role=Role.ADMIN,
                account_status=AccountStatus.ACTIVE)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def invitation_expiry():
    """When an invitation created now expires."""
    return utcnow() + timedelta(days=current_app.config["INVITATION_VALID_DAYS"])


def municipality_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Local governments grouped by province, for a grouped select: the province itself first."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for municipality in db.session.scalars(select(Municipality).order_by(Municipality.sort_order)):
        if municipality.level == GovernmentLevel.PROVINCE:
            name = place_short_name(municipality)
            groups.append((name, [(municipality.id, _("%(name)s (광역)", name=name))]))
        elif groups:
            groups[-1][1].append((municipality.id, place_name(municipality)))
    return groups
