"""Who may see what: the rules that decide which listings are public.

Beyond the public listings, confidential records (private or suspended needs and solutions,
matches, consortia, contacts) are shown only to users for whom `User.acts_for_organisation` holds
(active admins, verified officials, staff of approved companies) and to the author of a draft.
"""
from __future__ import annotations

from sqlalchemy import Select, and_, select

from app.models import (
    Company,
    MembershipStatus,
    ModerationStatus,
    Need,
    NeedStatus,
    Role,
    Solution,
    SolutionStatus,
    User,
)


def public_solution_clause():
    """Published, not suspended, by an approved alliance member."""
    return and_(
        Solution.status == SolutionStatus.PUBLISHED,
        Solution.moderation_status == ModerationStatus.ACTIVE,
        Solution.company_id.in_(
            select(Company.id).where(Company.membership_status == MembershipStatus.APPROVED)
        ),
    )


def public_need_clause():
    """Not suspended, posted by an official who acts for their municipality (verified, active)."""
    return and_(
        Need.moderation_status == ModerationStatus.ACTIVE,
        Need.created_by_id.in_(
            select(User.id).where(User.role == Role.MUNICIPALITY, User.acts_for_organisation)
        ),
    )


def public_solutions() -> Select:
    """A select of every solution the public catalogue may show."""
    return select(Solution).where(public_solution_clause())


def public_needs(statuses: tuple[NeedStatus, ...] | None = None) -> Select:
    """A select of every need the public catalogue may show (optionally by status)."""
    query = select(Need).where(public_need_clause())
    if statuses:
        query = query.where(Need.status.in_(statuses))
    return query


def solution_is_public(solution: Solution) -> bool:
    """The same rule as public_solution_clause, for one loaded object."""
    return (
        solution.status == SolutionStatus.PUBLISHED
        and solution.moderation_status == ModerationStatus.ACTIVE
        and solution.company.membership_status == MembershipStatus.APPROVED
    )


def need_is_public(need: Need) -> bool:
    """The same rule as public_need_clause, for one loaded object."""
    author = need.created_by
    return (
        need.moderation_status == ModerationStatus.ACTIVE
        and author.is_official
        and author.acts_for_organisation
    )


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_view_solution(user, solution: Solution) -> bool:
    """Public solutions for everyone; others for admins and their own company's active staff.

    A company that is not (or no longer) an approved member has only drafts: its staff see them.
    """
    if solution_is_public(solution):
        return True
    if not _signed_in(user) or not user.is_active:
        return False
    return user.is_admin or (user.is_company_user and user.company_id == solution.company_id)


def can_view_need(user, need: Need) -> bool:
    """Public needs for everyone; others for admins, officials acting for the need's
    municipality, and the need's author (an unverified official's own drafts)."""
    if need_is_public(need):
        return True
    if not _signed_in(user) or not user.is_active:
        return False
    if user.acts_for_organisation:
        return user.is_admin or (user.is_official and user.owner_key == need.owner_key)
    return user.is_official and need.created_by_id == user.id


def can_view_company(user, company: Company) -> bool:
    """Approved alliance members for everyone; others for admins and their own staff."""
    if company.membership_status == MembershipStatus.APPROVED:
        return True
    if not _signed_in(user) or not user.is_active:
        return False
    return user.is_admin or user.company_id == company.id
