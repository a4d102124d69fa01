"""Lists for the workflow's pages."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Company,
    ConfirmationStatus,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Need,
    NeedStatus,
    Side,
    Solution,
    User,
)
from app.models.base import utcnow
from app.services.visibility import need_is_public, solution_is_public
from app.services.workflow.consortia import PARTNER_SIZES
from app.services.workflow.states import CONSORTIUM_TRANSITIONS, MATCH_TRANSITIONS


def _match_options(query):
    return query.options(
        selectinload(Match.need).selectinload(Need.municipality),
        selectinload(Match.solution).selectinload(Solution.company),
    )


def _org_clause(user: User):
    """Matches of the user's organisation (none unless the user acts for it)."""
    if not user.acts_for_organisation:
        return false()
    if user.is_official:
        return Match.need_id.in_(select(Need.id).where(Need.owned_by(user)))
    return Match.solution_id.in_(select(Solution.id).where(Solution.company_id == user.company_id))


def _my_side(user: User) -> Side:
    return Side.MUNICIPALITY if user.is_official else Side.COMPANY


def _shown_as(model, status):
    """A WHERE clause on the status as people see it (overdue open rows read as expired)."""
    open_statuses = list((MATCH_TRANSITIONS if model is Match else CONSORTIUM_TRANSITIONS)
                         ["expire"].sources)
    now = utcnow()
    if status in (MatchStatus.EXPIRED, ConsortiumStatus.EXPIRED):
        return or_(model.status == status,
                   and_(model.status.in_(open_statuses), model.expires_at <= now))
    if status in open_statuses:
        return and_(model.status == status, model.expires_at > now)
    return model.status == status


def incoming_requests(user: User) -> list[Match]:
    """Pending requests the user's organisation must answer."""
    other = Side.COMPANY if _my_side(user) == Side.MUNICIPALITY else Side.MUNICIPALITY
    return list(db.session.scalars(_match_options(
        select(Match).where(_org_clause(user), _shown_as(Match, MatchStatus.PENDING),
                            Match.initiator_side == other).order_by(Match.expires_at))))


def outgoing_requests(user: User) -> list[Match]:
    """Pending requests the user's organisation sent."""
    return list(db.session.scalars(_match_options(
        select(Match).where(_org_clause(user), _shown_as(Match, MatchStatus.PENDING),
                            Match.initiator_side == _my_side(user))
        .order_by(Match.created_at.desc()))))


def organisation_matches(user: User, status: MatchStatus | None = None):
    """A select of every match of the user's organisation, newest first."""
    query = _match_options(select(Match).where(_org_clause(user))
                           .order_by(Match.created_at.desc(), Match.id.desc()))
    if status is not None:
        query = query.where(_shown_as(Match, status))
    return query


def consortium_invitations(user: User) -> list[ConsortiumMember]:
    """Partner invitations of the user's company still waiting for an answer."""
    if not user.is_company_user or not user.acts_for_organisation:
        return []
    return list(db.session.scalars(
        select(ConsortiumMember).join(ConsortiumMember.proposal).where(
            ConsortiumMember.company_id == user.company_id, ConsortiumMember.is_lead.is_(False),
            ConsortiumMember.confirmation == ConfirmationStatus.PENDING,
            _shown_as(ConsortiumProposal, ConsortiumStatus.AWAITING_PARTNERS))))


def submitted_consortia(user: User) -> list[ConsortiumProposal]:
    """Consortium proposals waiting for the user's municipality's answer."""
    if not user.is_official or not user.acts_for_organisation:
        return []
    return list(db.session.scalars(
        select(ConsortiumProposal).join(ConsortiumProposal.need).where(
            Need.owned_by(user),
            _shown_as(ConsortiumProposal, ConsortiumStatus.SUBMITTED))
        .order_by(ConsortiumProposal.expires_at)))


def organisation_consortia(user: User, statuses: Iterable[ConsortiumStatus] | None = None
                           ) -> list[ConsortiumProposal]:
    """Consortia the user's company belongs to, or that reached the user's municipality."""
    if not user.acts_for_organisation:
        return []
    query = select(ConsortiumProposal).order_by(ConsortiumProposal.created_at.desc())
    if user.is_official:
        query = query.join(ConsortiumProposal.need).where(
            Need.owned_by(user),
            ConsortiumProposal.submitted_at.is_not(None))
    else:
        query = query.where(ConsortiumProposal.id.in_(
            select(ConsortiumMember.proposal_id).where(
                ConsortiumMember.company_id == user.company_id)))
    if statuses is not None:
        query = query.where(or_(*(_shown_as(ConsortiumProposal, s) for s in statuses)))
    return list(db.session.scalars(query))


def review_queue() -> tuple[list[Match], list[ConsortiumProposal]]:
    """Mutual matches and consortia waiting for an admin decision, oldest first."""
    matches = list(db.session.scalars(_match_options(
        select(Match).where(Match.status == MatchStatus.MUTUAL).order_by(Match.responded_at))))
    consortia = list(db.session.scalars(
        select(ConsortiumProposal).where(ConsortiumProposal.status == ConsortiumStatus.MUTUAL)
        .order_by(ConsortiumProposal.responded_at)))
    return matches, consortia


def interest_needs(user: User) -> list[Need]:
    """Open, public needs of the official's municipality (to pick one when expressing interest)."""
    if not user.is_authenticated or not user.is_official or not user.acts_for_organisation:
        return []
    needs = db.session.scalars(
        select(Need).where(Need.owned_by(user),
                           Need.status == NeedStatus.OPEN).order_by(Need.created_at.desc()))
    return [need for need in needs if need_is_public(need)]


def interest_solutions(user: User) -> list[Solution]:
    """Public solutions of the user's company (to pick one when expressing interest)."""
    if not user.is_authenticated or not user.is_company_user or not user.acts_for_organisation:
        return []
    solutions = db.session.scalars(
        select(Solution).where(Solution.company_id == user.company_id).order_by(Solution.title))
    return [solution for solution in solutions if solution_is_public(solution)]


def partner_candidates(lead_company_id: int) -> list[Solution]:
    """Public solutions of startups/SMEs other than the lead company."""
    from app.services.visibility import public_solutions

    return list(db.session.scalars(
        public_solutions().join(Solution.company).where(
            Solution.company_id != lead_company_id,
            Company.size_class.in_(PARTNER_SIZES)).order_by(Company.name, Solution.title)))


def organisation_requests(user: User) -> dict[tuple[int, int], Match]:
    """The user's organisation's matches by (need id, solution id): the pairs already requested."""
    return {(match.need_id, match.solution_id): match
            for match in db.session.scalars(select(Match).where(_org_clause(user)))}
