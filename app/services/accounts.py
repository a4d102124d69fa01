"""Registration with e-mail confirmation, authentication and invitations to a company."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Optional

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import (
    AccountStatus,
    CompanyInvitation,
    GovernmentLevel,
    Municipality,
    OfficialStatus,
    Role,
    User,
)
from app.models.base import utcnow
from app.services.errors import ServiceError
from app.services.mail import send_mail
from app.templating import place_name, place_short_name

_REGISTRATION_SALT = "citymatch-registration"
# Compared against when the e-mail is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively, without surrounding spaces."""
    return (email or "").strip().lower()


@dataclass
class RegistrationRequest:
    """What the registration form collected; carried in the signed confirmation link."""

    email: str
    name: str
    role: str
    password_hash: str
    phone: Optional[str] = None
    department: Optional[str] = None
    municipality_id: Optional[int] = None
    invitation_token: Optional[str] = None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_REGISTRATION_SALT)


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
    expires = invitation.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    return invitation if expires > utcnow() else None


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
) -> None:
    """Validate and e-mail a confirmation link; the account exists only once it is followed.

    The caller always shows the same answer, so the form never reveals whether an
    address is registered: a registered address receives a notice instead of a link.
    """
    email = normalise_email(email)
    if role not in (Role.COMPANY, Role.MUNICIPALITY):
        raise ServiceError(_("가입할 수 없는 회원 유형입니다."), field="role")
    if role == Role.MUNICIPALITY:
        municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
        if municipality is None:
            raise ServiceError(_("소속 지자체를 목록에서 선택하세요."), field="municipality_id")
    if invitation_token:
        invitation = valid_invitation(invitation_token)
        if invitation is None:
            raise ServiceError(_("초대 링크가 만료되었거나 이미 사용되었습니다."))
        if normalise_email(invitation.email) != email:
            raise ServiceError(_("초대받은 이메일 주소로 가입해야 합니다."), field="email")
        if role != Role.COMPANY:
            raise ServiceError(_("기업 초대는 기업 회원으로만 수락할 수 있습니다."), field="role")

    if user_by_email(email) is not None:
        send_mail(
            email,
            _("[CityMatch] 가입 시도 안내"),
            _("이 이메일 주소로 이미 CityMatch 계정이 있습니다. 본인이 시도한 것이라면 로그인하세요: "
              "%(link)s\n본인이 아니라면 이 메일을 무시하세요.",
              link=url_for("auth.login", _external=True)),
        )
        return

    registration = RegistrationRequest(
        email=email,
        name=name.strip(),
        role=role.value,
        password_hash=generate_password_hash(password),
        phone=(phone or "").strip() or None,
        department=(department or "").strip() or None,
        municipality_id=municipality_id if role == Role.MUNICIPALITY else None,
        invitation_token=invitation_token or None,
    )
    token = _serializer().dumps(asdict(registration))
    link = url_for("auth.confirm", token=token, _external=True)
    send_mail(
        email,
        _("[CityMatch] 가입 확인"),
        _("%(name)s님, CityMatch 가입을 완료하려면 24시간 안에 아래 링크를 여세요.\n%(link)s",
          name=registration.name, link=link),
    )


def confirm_registration(token: str) -> User:
    """Create the account described by a confirmation link."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["REGISTRATION_LINK_MAX_AGE"])
        registration = RegistrationRequest(**data)
    except SignatureExpired as exc:
        raise ServiceError(_("가입 확인 링크가 만료되었습니다. 다시 가입해 주세요.")) from exc
    except (BadSignature, TypeError) as exc:
        raise ServiceError(_("가입 확인 링크가 올바르지 않습니다.")) from exc

    if user_by_email(registration.email) is not None:
        raise ServiceError(_("이미 가입이 완료된 링크입니다. 로그인하세요."))
    role = Role(registration.role)
    user = User(
        email=registration.email,
        name=registration.name,
        role=role,
        password_hash=registration.password_hash,
        phone=registration.phone,
        department=registration.department,
        municipality_id=registration.municipality_id,
        official_status=OfficialStatus.PENDING if role == Role.MUNICIPALITY else None,
    )
    db.session.add(user)
    if registration.invitation_token:
        invitation = valid_invitation(registration.invitation_token)
        if invitation is None:
            raise ServiceError(_("초대 링크가 만료되었거나 이미 사용되었습니다."))
        user.company_id = invitation.company_id
        db.session.flush()
        invitation.accepted_at = utcnow()
        invitation.accepted_by_id = user.id
    db.session.flush()
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


def record_login(user: User) -> None:
    """Remember when the user last signed in."""
    user.last_login_at = utcnow()
    db.session.flush()


def create_admin(email: str, password: str, name: str) -> User:
    """Create an administrator account (used by `flask create-admin`)."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise ServiceError(_("이미 사용 중인 이메일입니다."), field="email")
    if len(password) < 8:
        raise ServiceError(_("비밀번호는 8자 이상이어야 합니다."), field="password")
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
