"""Overseas demand (K-City Network): organisations invited by the admins, and their officials.

An admin creates an OverseasOrganisation and invites a person by e-mail; the link
(/overseas/join/<token>) creates an account, or links the signed-in one, as a verified official
of that organisation (role "municipality" with `overseas_organisation_id` instead of a
municipality). The organisation's officials post needs in English (Need.language = "en").
The invitation's token is stored only as its SHA-256; expiry follows the company invitations
(`accounts.invitation_expiry`).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import countries
from app.extensions import db
from app.formatting import format_date
from app.models import (
    OfficialStatus,
    OrganisationKind,
    OverseasInvitation,
    OverseasOrganisation,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import accounts, passwords, privacy
from app.services.companies import EMAIL_MAX, EMAIL_PATTERN
from app.services.errors import NotFound, PermissionDenied, Problems, ServiceError
from app.services.mail import send_mail

NAME_MAX = 120
CITY_MAX = 80
USER_NAME_MAX = 60


@dataclass
class OrganisationData:
    """What the admin's form submits for a new organisation."""

    name: str | None = None
    name_ko: str | None = None
    country: str | None = None
    city: str | None = None
    kind: str | None = None
    contact_email: str | None = None


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _require_admin(actor: User) -> None:
    if actor is None or not actor.is_admin:
        raise PermissionDenied()


def hash_token(token: str) -> str:
    """The stored form of an invitation token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def organisations() -> list[OverseasOrganisation]:
    """Every overseas organisation, by country then name."""
    return list(db.session.scalars(
        select(OverseasOrganisation).order_by(OverseasOrganisation.country,
                                              OverseasOrganisation.name)))


def officials_of(organisation: OverseasOrganisation) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.overseas_organisation_id == organisation.id).order_by(User.id)))


def open_invitations(organisation: OverseasOrganisation) -> list[OverseasInvitation]:
    """Invitations not accepted yet (expired ones included), newest first."""
    return list(db.session.scalars(
        select(OverseasInvitation)
        .where(OverseasInvitation.organisation_id == organisation.id,
               OverseasInvitation.accepted_at.is_(None))
        .order_by(OverseasInvitation.created_at.desc(), OverseasInvitation.id.desc())))


def _valid_email(address: str, field: str) -> str:
    address = accounts.normalise_email(address)
    if not address:
        raise ServiceError(_("이메일 주소를 입력하세요."), field=field)
    if len(address) > EMAIL_MAX or not EMAIL_PATTERN.match(address):
        raise ServiceError(_("올바른 이메일 주소가 아닙니다."), field=field)
    return address


def create_organisation(actor: User, data: OrganisationData) -> OverseasOrganisation:
    """Add an overseas organisation (admins); every refusal is reported at once."""
    _require_admin(actor)
    problems = Problems()
    name, name_ko, city = _clean(data.name), _clean(data.name_ko), _clean(data.city)
    country = countries.normalise_code(data.country)
    if not name:
        problems.add(_("기관명(영문)을 입력하세요."), field="name")
    elif len(name) > NAME_MAX:
        problems.add(_("기관명은 %(max)d자 이하로 입력하세요.", max=NAME_MAX), field="name")
    elif db.session.scalar(select(OverseasOrganisation.id).where(
            func.lower(OverseasOrganisation.name) == name.lower())) is not None:
        problems.add(_("같은 이름의 해외 기관이 이미 있습니다."), field="name")
    if len(name_ko) > NAME_MAX:
        problems.add(_("기관명은 %(max)d자 이하로 입력하세요.", max=NAME_MAX), field="name_ko")
    if not countries.is_known(country):
        problems.add(_("국가를 ISO 3166-1 두 글자 코드 목록에서 고르세요."), field="country")
    if len(city) > CITY_MAX:
        problems.add(_("도시명은 %(max)d자 이하로 입력하세요.", max=CITY_MAX), field="city")
    try:
        kind = OrganisationKind(data.kind)
    except ValueError:
        kind = None
        problems.add(_("기관 유형을 고르세요."), field="kind")
    contact = None
    if _clean(data.contact_email):
        try:
            contact = _valid_email(data.contact_email, "contact_email")
        except ServiceError as error:
            problems.add(error.message, field="contact_email")
    problems.raise_any()
    organisation = OverseasOrganisation(name=name, name_ko=name_ko or None, country=country,
                                        city=city or None, kind=kind, contact_email=contact,
                                        created_by_id=actor.id)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def join_link(token: str) -> str:
    return url_for("overseas.join", token=token, _external=True)


def invite(actor: User, organisation_id: int | None, email: str | None) -> OverseasInvitation:
    """Invite a person to act for the organisation; the link is e-mailed after commit."""
    _require_admin(actor)
    organisation = db.session.get(OverseasOrganisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise ServiceError(_("초대할 해외 기관을 고르세요."), field="organisation_id")
    if not organisation.active:
        raise ServiceError(_("비활성화된 해외 기관에는 초대할 수 없습니다."), field="organisation_id")
    address = _valid_email(email, "email")
    existing = accounts.user_by_email(address)
    if existing is not None and existing.overseas_organisation_id == organisation.id:
        raise ServiceError(_("이미 이 기관의 담당자인 이메일입니다."), field="email")
    for invitation in open_invitations(organisation):
        if invitation.email == address and not _expired(invitation):
            raise ServiceError(_("이미 초대 메일을 보낸 주소입니다."), field="email")
    token = secrets.token_urlsafe(32)
    invitation = OverseasInvitation(organisation=organisation, email=address,
                                    token_hash=hash_token(token), invited_by_id=actor.id,
                                    expires_at=accounts.invitation_expiry())
    db.session.add(invitation)
    db.session.flush()
    # English first: the invitee is abroad.
    send_mail(
        address,
        f"[CityMatch] Invitation: {organisation.name} on K-City Network / 해외 기관 담당자 초대",
        f"You are invited to post your organisation's smart-city needs on CityMatch as an "
        f"official of {organisation.name}.\n\n"
        f"Open this link to create your account or link your existing one "
        f"(valid until {format_date(invitation.expires_at)}):\n{join_link(token)}\n\n"
        f"CityMatch의 해외 기관 {organisation.full_name} 담당자로 초대되었습니다. "
        f"위 링크에서 계정을 만들거나 연결하세요.",
    )
    return invitation


def _expired(invitation: OverseasInvitation) -> bool:
    expires = invitation.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    return expires <= utcnow()


def invitation_for_token(token: str | None) -> OverseasInvitation:
    """The open invitation behind a link; a clear NotFound when unknown, used or expired."""
    invitation = None
    if token and len(token) <= 200:
        invitation = db.session.scalar(select(OverseasInvitation).where(
            OverseasInvitation.token_hash == hash_token(token)))
    if invitation is None:
        raise NotFound(_("초대 링크가 올바르지 않습니다. 관리자에게 새 초대를 요청하세요."))
    if invitation.accepted_at is not None:
        raise NotFound(_("이미 사용된 초대 링크입니다. 가입한 계정으로 로그인하세요."))
    if _expired(invitation):
        raise NotFound(_("초대 링크가 만료되었습니다. 관리자에게 새 초대를 요청하세요."))
    if not invitation.organisation.active:
        raise NotFound(_("비활성화된 해외 기관의 초대입니다."))
    return invitation


def _make_official(user: User, invitation: OverseasInvitation) -> None:
    user.role = Role.MUNICIPALITY
    user.municipality_id = None
    user.overseas_organisation_id = invitation.organisation_id
    user.official_status = OfficialStatus.VERIFIED  # invited by an admin: vetted already
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id


def join_new(token: str | None, *, name: str | None, password: str | None,
             consent_version: str | None = None) -> User:
    """Create the invitee's account (the e-mail is proven by the link) as an official."""
    invitation = invitation_for_token(token)
    if accounts.user_by_email(invitation.email) is not None:
        raise ServiceError(_("이 이메일로 된 계정이 이미 있습니다. 로그인한 뒤 이 링크를 다시 여세요."))
    problems = Problems()
    name = _clean(name)
    if not name:
        problems.add(_("이름을 입력하세요."), field="name")
    elif len(name) > USER_NAME_MAX:
        problems.add(_("이름은 %(max)d자 이하로 입력하세요.", max=USER_NAME_MAX), field="name")
    problem = passwords.password_problem(password or "", email=invitation.email, name=name)
    if problem:
        problems.add(problem, field="password")
    if not consent_version:
        problems.add(_("개인정보 수집·이용에 동의해야 가입할 수 있습니다."), field="privacy_consent")
    problems.raise_any()
    user = User(email=invitation.email, name=name, role=Role.MUNICIPALITY, locale="en",
                overseas_organisation_id=invitation.organisation_id,
                official_status=OfficialStatus.VERIFIED)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    privacy.record_consent(user, consent_version)
    _make_official(user, invitation)
    db.session.flush()
    return user


def join_existing(actor: User, token: str | None) -> OverseasOrganisation:
    """Link the signed-in account to the organisation that invited its e-mail address."""
    invitation = invitation_for_token(token)
    if accounts.normalise_email(actor.email) != invitation.email:
        raise PermissionDenied(_("이 초대는 다른 이메일 주소로 보낸 것입니다. "
                                 "초대받은 주소의 계정으로 로그인하세요."))
    if actor.is_admin or actor.company_id is not None or actor.municipality_id is not None:
        raise ServiceError(_("기업·지자체·관리자 계정은 해외 기관 담당자로 연결할 수 없습니다. "
                             "로그아웃한 뒤 새 계정을 만드세요."))
    if actor.overseas_organisation_id is not None:
        raise ServiceError(_("이미 해외 기관 담당자인 계정입니다."))
    _make_official(actor, invitation)
    db.session.flush()
    return invitation.organisation
