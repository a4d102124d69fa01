"""Who may see what: the rules that decide which listings are public."""
from __future__ import annotations

from sqlalchemy import Select, and_, select

from app.models import (
    Company,
    MembershipStatus,
    ModerationStatus,
    Need,
    NeedStatus,
    OfficialStatus,
    Solution,
    SolutionStatus,
    User,
)
from app.models.user import AccountStatus


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
    """Not suspended, posted by a verified, active official."""
    return and_(
        Need.moderation_status == ModerationStatus.ACTIVE,
        Need.created_by_id.in_(
            select(User.id).where(
                User.official_status == OfficialStatus.VERIFIED,
                User.account_status == AccountStatus.ACTIVE,
            )
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
        and author.official_status == OfficialStatus.VERIFIED
        and author.account_status == AccountStatus.ACTIVE
    )


def can_view_solution(user, solution: Solution) -> bool:
    """Public solutions for everyone; any solution for its own company's staff and admins."""
    if solution_is_public(solution):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or (user.is_company_user and user.company_id == solution.company_id)


def can_view_need(user, need: Need) -> bool:
    """Public needs for everyone; any need for its municipality's officials and admins."""
    if need_is_public(need):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or (user.is_official and user.municipality_id == need.municipality_id)
