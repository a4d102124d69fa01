"""Administrators' decisions (membership, officials, moderation, accounts) and console queries."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select

from app.extensions import db
from app.formatting import SEOUL
from app.labels import label
from app.models import (
    AccountStatus,
    AuditLog,
    Company,
    MembershipStatus,
    ModerationStatus,
    Municipality,
    Need,
    OverseasOrganisation,
    OfficialStatus,
    Role,
    Solution,
    SolutionStatus,
    User,
)
from app.models.base import utcnow
from app.services import accounts, membership_notices
from app.services.audit import record, snapshot
from app.services.errors import NotFound, PermissionDenied, ServiceError
from app.services.transitions import Transition, allowed_from, transition_table
from app.services.visibility import public_need_clause, public_solution_clause

REASON_MAX_LENGTH = 500
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Every allowed status change lives in these tables; anything else is refused.
COMPANY_TRANSITIONS = transition_table(
    Transition("approve", frozenset({MembershipStatus.PENDING}), MembershipStatus.APPROVED,
               False, _l("승인")),
    Transition("reject", frozenset({MembershipStatus.PENDING}), MembershipStatus.REJECTED,
               True, _l("반려"), destructive=True),
    Transition("suspend", frozenset({MembershipStatus.APPROVED}), MembershipStatus.SUSPENDED,
               True, _l("정지"), destructive=True),
    Transition("reinstate", frozenset({MembershipStatus.SUSPENDED}), MembershipStatus.APPROVED,
               False, _l("정지 해제")),
)

OFFICIAL_TRANSITIONS = transition_table(
    Transition("verify", frozenset({OfficialStatus.PENDING, OfficialStatus.REJECTED}),
               OfficialStatus.VERIFIED, False, _l("인증")),
    Transition("reject", frozenset({OfficialStatus.PENDING}), OfficialStatus.REJECTED,
               True, _l("반려"), destructive=True),
    Transition("suspend", frozenset({OfficialStatus.VERIFIED}), OfficialStatus.SUSPENDED,
               True, _l("정지"), destructive=True),
    Transition("reinstate", frozenset({OfficialStatus.SUSPENDED}), OfficialStatus.VERIFIED,
               False, _l("정지 해제")),
)

MODERATION_TRANSITIONS = transition_table(
    Transition("suspend", frozenset({ModerationStatus.ACTIVE}), ModerationStatus.SUSPENDED,
               True, _l("게시 중단"), destructive=True),
    Transition("reinstate", frozenset({ModerationStatus.SUSPENDED}), ModerationStatus.ACTIVE,
               False, _l("게시 재개")),
)

ACCOUNT_TRANSITIONS = transition_table(
    Transition("suspend", frozenset({AccountStatus.ACTIVE}), AccountStatus.SUSPENDED,
               True, _l("계정 정지"), destructive=True),
    Transition("reactivate", frozenset({AccountStatus.SUSPENDED}), AccountStatus.ACTIVE,
               False, _l("계정 복구")),
)

COMPANY_FIELDS = ["membership_status", "membership_reason", "membership_decided_at"]
OFFICIAL_FIELDS = ["official_status", "official_status_reason"]
MODERATION_FIELDS = ["moderation_status", "moderation_reason"]
ACCOUNT_FIELDS = ["account_status"]

LISTING_STATES = ("pending", "public", "suspended")


# --- decisions -------------------------------------------------------------------------------

def _require_admin(actor: User | None) -> None:
    if actor is None or not getattr(actor, "is_admin", False) or not actor.is_active:
        raise PermissionDenied()


def clean_reason(reason: str | None, required: bool) -> str | None:
    """The trimmed reason, or a field error when it is missing (if required) or too long."""
    reason = (reason or "").strip() or None
    if required and reason is None:
        raise ServiceError(_("사유를 입력하세요. 반려·정지에는 사유가 필요합니다."), field="reason")
    if reason is not None and len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(_("사유는 %(max)d자 이하로 입력하세요.", max=REASON_MAX_LENGTH),
                           field="reason")
    return reason


def _transition(table: dict[str, Transition], action: str, current: enum.Enum | None) -> Transition:
    transition = table.get(action or "")
    if transition is None:
        raise ServiceError(_("알 수 없는 작업입니다."))
    if current not in transition.sources:
        raise ServiceError(_("현재 상태(%(status)s)에서는 '%(action)s' 처리를 할 수 없습니다.",
                             status=label(current) or _("없음"), action=transition.label))
    return transition


def available_actions(table: dict[str, Transition], current: enum.Enum | None) -> list[Transition]:
    """The actions of a transition table allowed from the current state."""
    return allowed_from(table, current)


def decide_membership(actor: User, company: Company, action: str,
                      reason: str | None = None) -> AuditLog:
    """Approve, reject, suspend or reinstate a company's alliance membership."""
    _require_admin(actor)
    transition = _transition(COMPANY_TRANSITIONS, action, company.membership_status)
    reason = clean_reason(reason, transition.reason_required)
    before = snapshot(company, COMPANY_FIELDS)
    company.membership_status = transition.target
    company.membership_reason = reason
    company.membership_decided_at = utcnow()
    db.session.flush()
    membership_notices.membership_decided(company, transition.action, reason)
    return record(actor, f"company.{transition.action}", company, before=before,
                  after=snapshot(company, COMPANY_FIELDS), reason=reason)


def _refuse_deleted(user: User) -> None:
    """A deleted account (app/services/account_deletion.py) has no status left to change."""
    if user.is_deleted:
        raise ServiceError(_("탈퇴한 계정은 바꿀 수 없습니다."))


def _official(user: User) -> User:
    if user is None or user.role != Role.MUNICIPALITY:
        raise NotFound(_("해당 지자체 공무원을 찾을 수 없습니다."))
    return user


def decide_official(actor: User, official: User, action: str, reason: str | None = None) -> AuditLog:
    """Verify, reject, suspend or reinstate a municipal official."""
    _require_admin(actor)
    official = _official(official)
    _refuse_deleted(official)
    transition = _transition(OFFICIAL_TRANSITIONS, action, official.official_status)
    reason = clean_reason(reason, transition.reason_required)
    before = snapshot(official, OFFICIAL_FIELDS)
    official.official_status = transition.target
    official.official_status_reason = reason
    db.session.flush()
    return record(actor, f"official.{transition.action}", official, before=before,
                  after=snapshot(official, OFFICIAL_FIELDS), reason=reason,
                  label=f"{official.name} <{official.email}>")


def _moderate(actor: User, listing: Solution | Need, kind: str, action: str,
              reason: str | None) -> AuditLog:
    _require_admin(actor)
    transition = _transition(MODERATION_TRANSITIONS, action, listing.moderation_status)
    reason = clean_reason(reason, transition.reason_required)
    before = snapshot(listing, MODERATION_FIELDS)
    listing.moderation_status = transition.target
    listing.moderation_reason = reason if transition.target == ModerationStatus.SUSPENDED else None
    db.session.flush()
    return record(actor, f"{kind}.{transition.action}", listing, before=before,
                  after=snapshot(listing, MODERATION_FIELDS), reason=reason)


def moderate_solution(actor: User, solution: Solution, action: str,
                      reason: str | None = None) -> AuditLog:
    """Suspend a solution from the catalogue (with a reason) or reinstate it."""
    return _moderate(actor, solution, "solution", action, reason)


def moderate_need(actor: User, need: Need, action: str, reason: str | None = None) -> AuditLog:
    """Suspend a need from the catalogue (with a reason) or reinstate it."""
    return _moderate(actor, need, "need", action, reason)


def change_account_status(actor: User, user: User, action: str,
                          reason: str | None = None) -> AuditLog:
    """Suspend (with a reason) or reactivate a user's account; admins cannot suspend themselves."""
    _require_admin(actor)
    _refuse_deleted(user)
    transition = _transition(ACCOUNT_TRANSITIONS, action, user.account_status)
    if transition.target == AccountStatus.SUSPENDED and user.id == actor.id:
        raise ServiceError(_("자기 자신의 계정은 정지할 수 없습니다."))
    reason = clean_reason(reason, transition.reason_required)
    before = snapshot(user, ACCOUNT_FIELDS)
    user.account_status = transition.target
    db.session.flush()
    return record(actor, f"user.{transition.action}", user, before=before,
                  after=snapshot(user, ACCOUNT_FIELDS), reason=reason,
                  label=f"{user.name} <{user.email}>")


def create_admin_account(email: str, password: str, name: str) -> User:
    """Create an administrator from the command line and record it in the audit log."""
    email = accounts.normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ServiceError(_("올바른 이메일 주소가 아닙니다."), field="email")
    name = (name or "").strip()
    if len(name) > 60:
        raise ServiceError(_("이름은 60자 이하로 입력하세요."), field="name")
    if len(password or "") > 128:
        raise ServiceError(_("비밀번호는 128자 이하여야 합니다."), field="password")
    user = accounts.create_admin(email=email, password=password or "", name=name)
    record(None, "user.create_admin", user, after=snapshot(user, ["email", "name", "role"]),
           label=f"{user.name} <{user.email}>")
    return user


# --- console queries -----------------------------------------------------------------------

def enum_or_none(enum_cls: type[enum.Enum], value: str | None) -> enum.Enum | None:
    """The enum member with this value, or None for a missing or unknown value."""
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def pending_solution_clause():
    """Published, not suspended, by a company that is not yet an approved member."""
    return and_(
        Solution.status == SolutionStatus.PUBLISHED,
        Solution.moderation_status == ModerationStatus.ACTIVE,
        Solution.company_id.in_(select(Company.id).where(
            Company.membership_status.in_((MembershipStatus.NONE, MembershipStatus.PENDING)))),
    )


def pending_need_clause():
    """Not suspended, posted by an official still waiting for verification."""
    return and_(
        Need.moderation_status == ModerationStatus.ACTIVE,
        Need.created_by_id.in_(select(User.id).where(
            User.official_status == OfficialStatus.PENDING)),
    )


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def dashboard() -> dict[str, int]:
    """The numbers shown on the console home page."""
    officials = select(User).where(User.role == Role.MUNICIPALITY, User.deleted_at.is_(None))
    return {
        "companies_pending": _count(select(Company).where(
            Company.membership_status == MembershipStatus.PENDING)),
        "officials_pending": _count(officials.where(
            User.official_status == OfficialStatus.PENDING)),
        "solutions_pending": _count(select(Solution).where(pending_solution_clause())),
        "needs_pending": _count(select(Need).where(pending_need_clause())),
        "companies_suspended": _count(select(Company).where(
            Company.membership_status == MembershipStatus.SUSPENDED)),
        "officials_suspended": _count(officials.where(
            User.official_status == OfficialStatus.SUSPENDED)),
        "solutions_suspended": _count(select(Solution).where(
            Solution.moderation_status == ModerationStatus.SUSPENDED)),
        "needs_suspended": _count(select(Need).where(
            Need.moderation_status == ModerationStatus.SUSPENDED)),
        "users_suspended": _count(select(User).where(
            User.account_status == AccountStatus.SUSPENDED)),
    }


def recent_audit_entries(limit: int = 10) -> list[AuditLog]:
    """The newest audit entries."""
    return list(db.session.scalars(
        select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)))


def company_query(status: str | None = None, search: str | None = None) -> Select:
    """Companies, optionally by membership status and name or business number; applicants first."""
    query = select(Company)
    membership = enum_or_none(MembershipStatus, status)
    if membership is not None:
        query = query.where(Company.membership_status == membership)
    search = (search or "").strip()
    if search:
        digits = re.sub(r"[\s\-]", "", search)
        conditions = [Company.name.icontains(search, autoescape=True)]
        if digits.isdigit():
            conditions.append(Company.business_number.contains(digits, autoescape=True))
        query = query.where(or_(*conditions))
    return query.order_by(Company.membership_applied_at.desc().nulls_last(),
                          Company.created_at.desc(), Company.id.desc())


def official_query(status: str | None = None, search: str | None = None) -> Select:
    """Municipal officials with their municipality, optionally by status or name/e-mail/place."""
    query = select(User).join(Municipality, User.municipality_id == Municipality.id).where(
        User.role == Role.MUNICIPALITY, User.deleted_at.is_(None))
    official_status = enum_or_none(OfficialStatus, status)
    if official_status is not None:
        query = query.where(User.official_status == official_status)
    search = (search or "").strip()
    if search:
        query = query.where(or_(
            User.name.icontains(search, autoescape=True),
            User.email.icontains(search, autoescape=True),
            Municipality.full_name.icontains(search, autoescape=True),
        ))
    return query.order_by(User.created_at.desc(), User.id.desc())


def solution_query(state: str | None = None, search: str | None = None) -> Select:
    """Solutions for moderation: pending, public, suspended or all; by title or company name."""
    query = select(Solution).join(Company, Solution.company_id == Company.id)
    if state == "pending":
        query = query.where(pending_solution_clause())
    elif state == "public":
        query = query.where(public_solution_clause())
    elif state == "suspended":
        query = query.where(Solution.moderation_status == ModerationStatus.SUSPENDED)
    search = (search or "").strip()
    if search:
        query = query.where(or_(Solution.title.icontains(search, autoescape=True),
                                Company.name.icontains(search, autoescape=True)))
    return query.order_by(Solution.updated_at.desc(), Solution.id.desc())


def need_query(state: str | None = None, search: str | None = None) -> Select:
    """Needs for moderation: pending, public, suspended or all; by title or municipality."""
    query = (select(Need).outerjoin(Municipality, Need.municipality_id == Municipality.id)
             .outerjoin(OverseasOrganisation,
                        Need.overseas_organisation_id == OverseasOrganisation.id))
    if state == "pending":
        query = query.where(pending_need_clause())
    elif state == "public":
        query = query.where(public_need_clause())
    elif state == "suspended":
        query = query.where(Need.moderation_status == ModerationStatus.SUSPENDED)
    search = (search or "").strip()
    if search:
        query = query.where(or_(Need.title.icontains(search, autoescape=True),
                                Municipality.full_name.icontains(search, autoescape=True),
                                OverseasOrganisation.name.icontains(search, autoescape=True)))
    return query.order_by(Need.updated_at.desc(), Need.id.desc())


def user_query(search: str | None = None, role: str | None = None,
               status: str | None = None) -> Select:
    """Users by e-mail or name, role and account status; newest first."""
    query = select(User)
    search = (search or "").strip()
    if search:
        query = query.where(or_(User.email.icontains(search, autoescape=True),
                                User.name.icontains(search, autoescape=True)))
    role_value = enum_or_none(Role, role)
    if role_value is not None:
        query = query.where(User.role == role_value)
    account_status = enum_or_none(AccountStatus, status)
    if account_status is not None:
        query = query.where(User.account_status == account_status)
    return query.order_by(User.created_at.desc(), User.id.desc())


def _seoul_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SEOUL).astimezone(timezone.utc)


def audit_query(action: str | None = None, target_type: str | None = None,
                actor_id: int | None = None, date_from: date | None = None,
                date_to: date | None = None) -> Select:
    """Audit entries newest first, filtered by action, target type, actor and Seoul-time dates."""
    query = select(AuditLog)
    if action:
        query = query.where(AuditLog.action == action)
    if target_type:
        query = query.where(AuditLog.target_type == target_type)
    if actor_id is not None:
        query = query.where(AuditLog.actor_id == actor_id)
    if date_from is not None:
        query = query.where(AuditLog.created_at >= _seoul_midnight_utc(date_from))
    if date_to is not None:
        query = query.where(AuditLog.created_at < _seoul_midnight_utc(date_to + timedelta(days=1)))
    return query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())


def audit_entries_for(target: Any, limit: int = 20) -> list[AuditLog]:
    """The newest audit entries about one object."""
    return list(db.session.scalars(
        select(AuditLog)
        .where(AuditLog.target_type == type(target).__name__, AuditLog.target_id == target.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(limit)))


def latest_reason(target: Any, action: str) -> str | None:
    """The reason of the newest audit entry with this action on the object."""
    return db.session.scalar(
        select(AuditLog.reason)
        .where(AuditLog.target_type == type(target).__name__, AuditLog.target_id == target.id,
               AuditLog.action == action)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(1))


def audit_actor_choices() -> list[tuple[int, str]]:
    """(user id, name and e-mail) for every user who appears as an actor in the log."""
    actors = db.session.scalars(
        select(User).where(User.id.in_(select(AuditLog.actor_id).where(
            AuditLog.actor_id.is_not(None)))).order_by(User.name))
    return [(user.id, f"{user.name} <{user.email}>") for user in actors]
