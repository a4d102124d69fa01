"""Contact details, shared with both sides once an admin approved."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AccountStatus,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Role,
    Side,
    User,
)
from app.services.errors import PermissionDenied
from app.services.workflow.permissions import can_view_consortium, responding_side, side_of


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


def need_officials(need: Need) -> list[User]:
    """Verified, active officials of the need's owner: its municipality or overseas organisation."""
    if need.is_overseas:
        return list(db.session.scalars(
            select(User).where(User.role == Role.MUNICIPALITY,
                               User.overseas_organisation_id == need.overseas_organisation_id,
                               User.acts_for_organisation).order_by(User.id)))
    return municipality_officials(need.municipality_id)


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
                             need_officials(match.need)),
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
                             need_officials(proposal.need)),
        company=companies,
    )
