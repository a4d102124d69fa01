"""Companies: profile, convergence-alliance membership applications and colleague invitations."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.formatting import format_date
from app.models import (
    Company,
    CompanyInvitation,
    GovernmentLevel,
    MembershipStatus,
    Municipality,
    Role,
    SizeClass,
    User,
)
from app.models.base import utcnow
from app.services import accounts, audit, business_status, membership_notices
from app.services.bizno import (
    NumberProblem,
    normalise_business_number,
    number_problem,
    structure_message,
)
from app.services.errors import (
    NotFound,
    PermissionDenied,
    Problems,
    ServiceError,
    check_version,
)
from app.services.mail import send_mail

NAME_MIN, NAME_MAX = 2, 100
WEBSITE_MAX = 200
DESCRIPTION_MAX = 5000
EMAIL_MAX = 254
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# A company may apply for alliance membership only from these states.
MEMBERSHIP_APPLICABLE_FROM = frozenset({MembershipStatus.NONE, MembershipStatus.REJECTED})
VERIFIED_IDENTITY_STATUSES = (MembershipStatus.APPROVED, MembershipStatus.SUSPENDED)
AUDIT_FIELDS = ["name", "business_number", "size_class", "hq_region_id", "website",
                "membership_status", "membership_reason"]


@dataclass
class CompanyProfile:
    """What the company form collected (raw, validated by the service)."""

    name: str
    business_number: str
    size_class: str
    hq_region_id: int | None
    region_ids: list[int | None] = field(default_factory=list)
    website: str | None = None
    description: str = ""


@dataclass(frozen=True)
class _CleanProfile:
    name: str
    business_number: str
    size_class: SizeClass
    hq_region: Municipality
    regions: list[Municipality]
    website: str | None
    description: str


def own_company(actor: User) -> Company:
    """The actor's company; refuses anyone who is not company staff with a company."""
    if actor is None or actor.role != Role.COMPANY:
        raise PermissionDenied()
    if actor.company is None:
        raise NotFound(_("소속 기업이 없습니다. 먼저 기업 정보를 등록하세요."))
    return actor.company


def _provinces_by_id(ids: list[int | None]) -> dict[int, Municipality]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Municipality).where(Municipality.id.in_(wanted),
                                   Municipality.level == GovernmentLevel.PROVINCE)
    )
    return {m.id: m for m in rows}


def _clean_website(raw: str | None) -> str | None:
    website = (raw or "").strip()
    if not website:
        return None
    if len(website) > WEBSITE_MAX:
        raise ServiceError(_("웹사이트 주소는 %(max)d자 이하여야 합니다.", max=WEBSITE_MAX),
                           field="website")
    parts = urlsplit(website)
    host = parts.hostname or ""
    if (parts.scheme.lower() not in {"http", "https"} or "." not in host
            or re.search(r"\s", website)):
        raise ServiceError(_("http:// 또는 https://로 시작하는 올바른 웹사이트 주소를 입력하세요. "
                             "(예: https://example.co.kr)"), field="website")
    return website


def _name_taken(name: str, exclude_id: int | None) -> bool:
    query = select(Company.id).where(func.lower(Company.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return db.session.scalar(query) is not None


def _business_number_taken(digits: str, exclude_id: int | None) -> bool:
    query = select(Company.id).where(Company.business_number == digits)
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return db.session.scalar(query) is not None


def _clean_name(raw: str | None) -> str:
    name = re.sub(r"\s+", " ", (raw or "").strip())
    if not name:
        raise ServiceError(_("기업명을 입력하세요."), field="name")
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ServiceError(_("기업명은 %(min)d자 이상 %(max)d자 이하로 입력하세요.",
                             min=NAME_MIN, max=NAME_MAX), field="name")
    return name


def _clean_business_number(raw: str | None) -> str:
    digits = normalise_business_number(raw or "")
    if digits is None:
        raise ServiceError(_("사업자등록번호는 숫자 10자리입니다. (예: 123-45-67890)"),
                           field="business_number")
    problem = number_problem(digits)
    if problem is NumberProblem.CHECK_DIGIT:
        raise ServiceError(_("유효하지 않은 사업자등록번호입니다. 번호를 다시 확인하세요."),
                           field="business_number")
    if problem is not None:
        raise ServiceError(structure_message(problem), field="business_number")
    return digits


def _clean_size_class(raw: str | None) -> SizeClass:
    try:
        return SizeClass(raw)
    except ValueError as exc:
        raise ServiceError(_("기업 규모를 목록에서 선택하세요."), field="size_class") from exc


def _clean_hq_region(region_id: int | None) -> Municipality:
    hq_region = _provinces_by_id([region_id]).get(region_id or -1)
    if hq_region is None:
        raise ServiceError(_("본사 소재지(광역자치단체)를 목록에서 선택하세요."), field="hq_region_id")
    return hq_region


def _clean_regions(ids: list[int | None]) -> list[Municipality]:
    region_ids = list(dict.fromkeys(ids or []))
    if not region_ids:
        raise ServiceError(_("사업 지역을 한 곳 이상 선택하세요."), field="region_ids")
    found = _provinces_by_id(region_ids)
    if any(region_id not in found for region_id in region_ids):
        raise ServiceError(_("사업 지역은 목록의 광역자치단체 중에서 선택하세요."), field="region_ids")
    return sorted(found.values(), key=lambda m: m.sort_order)


def _clean_description(raw: str | None) -> str:
    description = (raw or "").strip()
    if not description:
        raise ServiceError(_("기업 소개를 입력하세요."), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(_("기업 소개는 %(max)d자 이하로 입력하세요.", max=DESCRIPTION_MAX),
                           field="description")
    return description


def check_profile(profile: CompanyProfile, company: Company | None = None) -> _CleanProfile:
    """Check every field of a new profile (or of `company`'s) before anything is changed;
    raise all the refusals together."""
    exclude_id = company.id if company is not None else None
    problems = Problems()
    name = problems.check(_clean_name, profile.name)
    digits = problems.check(_clean_business_number, profile.business_number)
    size_class = problems.check(_clean_size_class, profile.size_class)
    hq_region = problems.check(_clean_hq_region, profile.hq_region_id)
    regions = problems.check(_clean_regions, profile.region_ids)
    website = problems.check(_clean_website, profile.website)
    description = problems.check(_clean_description, profile.description)
    if name is not None and _name_taken(name, exclude_id):
        problems.add(_("이미 등록된 기업명입니다. 다른 이름을 입력하거나 기존 기업에 초대를 요청하세요."),
                     field="name")
    if digits is not None and _business_number_taken(digits, exclude_id):
        problems.add(_("이미 등록된 사업자등록번호입니다. 같은 기업의 동료에게 초대를 요청하세요."),
                     field="business_number")
    if company is not None and company.membership_status in VERIFIED_IDENTITY_STATUSES:
        # The admins verified these facts; changing them would bypass that review.
        if digits is not None and digits != company.business_number:
            problems.add(_("승인된 기업의 사업자등록번호는 변경할 수 없습니다. 관리자에게 문의하세요."),
                         field="business_number")
        if size_class is not None and size_class != company.size_class:
            problems.add(_("승인된 기업의 기업 규모는 변경할 수 없습니다. 관리자에게 문의하세요."),
                         field="size_class")
    problems.raise_any()
    return _CleanProfile(name, digits, size_class, hq_region, regions, website, description)


def _flush_unique() -> None:
    """Flush; a unique-constraint race becomes a field error (the caller rolls back)."""
    try:
        db.session.flush()
    except IntegrityError as error:
        detail = str(error.orig).lower()
        if "business_number" in detail:
            raise ServiceError(_("이미 등록된 사업자등록번호입니다. 같은 기업의 동료에게 초대를 요청하세요."),
                               field="business_number") from error
        if "name" in detail:
            raise ServiceError(_("이미 등록된 기업명입니다. 다른 이름을 입력하거나 기존 기업에 초대를 요청하세요."),
                               field="name") from error
        raise ServiceError(_("저장하지 못했습니다. 입력 내용을 확인한 뒤 다시 시도하세요.")) from error


def _apply_profile(company: Company, clean: _CleanProfile) -> None:
    company.name = clean.name
    company.business_number = clean.business_number
    company.size_class = clean.size_class
    company.hq_region = clean.hq_region
    company.regions_served = clean.regions
    company.website = clean.website
    company.description = clean.description


def create_company(actor: User, profile: CompanyProfile) -> Company:
    """Register the actor's company and make the actor its first member."""
    if actor is None or actor.role != Role.COMPANY:
        raise PermissionDenied()
    if actor.company_id is not None:
        raise ServiceError(_("이미 소속 기업이 있습니다. 한 계정은 한 기업에만 소속될 수 있습니다."))
    clean = check_profile(profile)
    nts_answers = business_status.lookup([clean.business_number])  # None when switched off
    company = Company(membership_status=MembershipStatus.NONE)
    _apply_profile(company, clean)
    db.session.add(company)
    _flush_unique()
    actor.company = company
    db.session.flush()
    audit.record(actor, "company.create", company, after=audit.snapshot(company, AUDIT_FIELDS))
    business_status.record(company, nts_answers)
    return company


def update_company(actor: User, profile: CompanyProfile,
                   expected_version: int | None = None) -> Company:
    """Change the profile of the actor's own company (refused with a VersionConflict when it
    changed since `expected_version` was loaded)."""
    company = own_company(actor)
    check_version(company, expected_version)
    clean = check_profile(profile, company)
    number_changed = clean.business_number != company.business_number
    nts_answers = business_status.lookup([clean.business_number]) if number_changed else None
    before = audit.snapshot(company, AUDIT_FIELDS)
    _apply_profile(company, clean)
    _flush_unique()
    audit.record(actor, "company.update", company, before=before,
                 after=audit.snapshot(company, AUDIT_FIELDS))
    business_status.record(company, nts_answers)
    return company


def can_apply_for_membership(company: Company) -> bool:
    """True when the company may (re-)apply for convergence-alliance membership."""
    return company.membership_status in MEMBERSHIP_APPLICABLE_FROM


def apply_for_membership(actor: User) -> Company:
    """Ask the admins to admit the actor's company to the alliance (none/rejected → pending)."""
    company = own_company(actor)
    status = company.membership_status
    if status == MembershipStatus.PENDING:
        raise ServiceError(_("이미 회원 가입을 신청했습니다. 관리자 검토를 기다려 주세요."))
    if status == MembershipStatus.APPROVED:
        raise ServiceError(_("이미 승인된 융합 얼라이언스 회원입니다."))
    if status not in MEMBERSHIP_APPLICABLE_FROM:
        raise ServiceError(_("회원 자격이 정지된 상태에서는 다시 신청할 수 없습니다. 관리자에게 문의하세요."))
    before = audit.snapshot(company, AUDIT_FIELDS)
    company.membership_status = MembershipStatus.PENDING
    company.membership_applied_at = utcnow()
    company.membership_reason = None
    db.session.flush()
    audit.record(actor, "company.apply_membership", company, before=before,
                 after=audit.snapshot(company, AUDIT_FIELDS))
    membership_notices.membership_applied(company)
    return company


def colleagues(company: Company) -> list[User]:
    """The company's members, by name."""
    return list(db.session.scalars(
        select(User).where(User.company_id == company.id).order_by(User.name, User.id)
    ))


def invitation_is_expired(invitation: CompanyInvitation) -> bool:
    """True once the invitation's expiry time has passed."""
    expires = invitation.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    return expires <= utcnow()


def open_invitations(company: Company) -> list[CompanyInvitation]:
    """The company's not-yet-accepted invitations (expired ones included), newest first."""
    return list(db.session.scalars(
        select(CompanyInvitation)
        .where(CompanyInvitation.company_id == company.id,
               CompanyInvitation.accepted_at.is_(None))
        .order_by(CompanyInvitation.created_at.desc(), CompanyInvitation.id.desc())
    ))


def registration_link(invitation: CompanyInvitation) -> str:
    """The sign-up link for a new colleague."""
    return url_for("auth.register", invite=invitation.token, _external=True)


def join_link(invitation: CompanyInvitation) -> str:
    """The link for a colleague who already has a company account."""
    return url_for("company.join", token=invitation.token, _external=True)


def _send_invitation(actor: User, invitation: CompanyInvitation) -> None:
    company = invitation.company
    send_mail(
        invitation.email,
        _("[CityMatch] %(company)s에서 초대했습니다 (invitation)", company=company.name),
        _("%(inviter)s님이 CityMatch의 %(company)s 기업 계정에 초대했습니다.\n\n"
          "아래 링크에서 이 이메일 주소로 가입하세요 (%(expires)s까지 유효):\n%(register)s\n\n"
          "이미 CityMatch 기업 회원 계정이 있다면 로그인한 뒤 이 링크를 여세요:\n%(join)s\n\n"
          "%(inviter)s invited you to join %(company)s on CityMatch. "
          "Sign up with this e-mail address using the first link.",
          inviter=actor.name, company=company.name,
          expires=format_date(invitation.expires_at),
          register=registration_link(invitation), join=join_link(invitation)),
    )


def invite_colleague(actor: User, email: str) -> CompanyInvitation:
    """Create a single-use invitation to the actor's company and e-mail its link."""
    company = own_company(actor)
    address = accounts.normalise_email(email)
    if not address:
        raise ServiceError(_("초대할 이메일 주소를 입력하세요."), field="email")
    if len(address) > EMAIL_MAX or not EMAIL_PATTERN.match(address):
        raise ServiceError(_("올바른 이메일 주소가 아닙니다."), field="email")
    existing_user = accounts.user_by_email(address)
    if existing_user is not None and existing_user.company_id == company.id:
        raise ServiceError(_("이미 우리 기업의 구성원인 이메일입니다."), field="email")
    for invitation in open_invitations(company):
        if accounts.normalise_email(invitation.email) == address \
                and not invitation_is_expired(invitation):
            raise ServiceError(_("이미 초대 메일을 보낸 주소입니다. 아래 초대 목록에서 "
                                 "‘다시 보내기’를 누르세요."), field="email")
    invitation = CompanyInvitation(
        company=company,
        email=address,
        token=secrets.token_urlsafe(32),
        invited_by_id=actor.id,
        expires_at=accounts.invitation_expiry(),
    )
    db.session.add(invitation)
    db.session.flush()
    _send_invitation(actor, invitation)
    return invitation


def _own_invitation(actor: User, invitation_id: int) -> CompanyInvitation:
    company = own_company(actor)
    invitation = db.session.get(CompanyInvitation, invitation_id)
    if invitation is None:
        raise NotFound()
    if invitation.company_id != company.id:
        raise PermissionDenied()
    if invitation.accepted_at is not None:
        raise ServiceError(_("이미 수락된 초대입니다."))
    return invitation


def resend_invitation(actor: User, invitation_id: int) -> CompanyInvitation:
    """Send an open invitation again, valid for a fresh period."""
    invitation = _own_invitation(actor, invitation_id)
    invitation.expires_at = accounts.invitation_expiry()
    db.session.flush()
    _send_invitation(actor, invitation)
    return invitation


def revoke_invitation(actor: User, invitation_id: int) -> str:
    """Withdraw an open invitation; returns the address it was sent to."""
    invitation = _own_invitation(actor, invitation_id)
    address = invitation.email
    db.session.delete(invitation)
    db.session.flush()
    return address


def invitation_for(actor: User, token: str) -> CompanyInvitation:
    """The open invitation behind a join link, if the actor may accept it."""
    if actor is None or actor.role != Role.COMPANY:
        raise PermissionDenied()
    invitation = accounts.valid_invitation(token)
    if invitation is None:
        raise NotFound(_("초대 링크가 만료되었거나 이미 사용되었습니다. 초대한 분께 다시 요청하세요."))
    if accounts.normalise_email(invitation.email) != accounts.normalise_email(actor.email):
        raise PermissionDenied(_("이 초대는 다른 이메일 주소로 보낸 것입니다. "
                                 "초대받은 주소의 계정으로 로그인하세요."))
    if actor.company_id == invitation.company_id:
        raise ServiceError(_("이미 이 기업의 구성원입니다."))
    if actor.company_id is not None:
        raise ServiceError(_("이미 다른 기업에 소속되어 있어 초대를 수락할 수 없습니다."))
    return invitation


def accept_invitation(actor: User, token: str) -> Company:
    """Join the company that invited the actor's e-mail address."""
    invitation = invitation_for(actor, token)
    actor.company_id = invitation.company_id
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = actor.id
    db.session.flush()
    return invitation.company
