"""Who acts for which side of a match or consortium proposal."""
from __future__ import annotations

from flask_babel import gettext as _

from app.models import AccountStatus, ConsortiumProposal, Match, Side, User
from app.services.errors import PermissionDenied


def _is_active(user: User) -> bool:
    return user.account_status == AccountStatus.ACTIVE


def is_official_of(user: User, municipality_id: int) -> bool:
    """An official acting for this municipality (verified, active: User.acts_for_organisation)."""
    return bool(user.is_authenticated and user.is_official and user.acts_for_organisation
                and user.municipality_id == municipality_id)


def is_member_of(user: User, company_id: int) -> bool:
    """Staff acting for this company (active, approved member: User.acts_for_organisation)."""
    return bool(user.is_authenticated and user.is_company_user and user.acts_for_organisation
                and user.company_id == company_id)


def side_of(user: User, match: Match) -> Side | None:
    """Which side of the match the user acts for (None for anyone else)."""
    if is_official_of(user, match.need.municipality_id):
        return Side.MUNICIPALITY
    if is_member_of(user, match.solution.company_id):
        return Side.COMPANY
    return None


def responding_side(match: Match) -> Side:
    """The side that must answer the request."""
    return Side.COMPANY if match.initiator_side == Side.MUNICIPALITY else Side.MUNICIPALITY


def _require_admin(user: User) -> None:
    if not (user.is_authenticated and user.is_admin and _is_active(user)):
        raise PermissionDenied()


def _require_responder(actor: User, match: Match) -> None:
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied()
    if side == match.initiator_side:
        raise PermissionDenied(_("내 조직이 보낸 요청에는 응답할 수 없습니다."))


def can_view_consortium(user: User, proposal: ConsortiumProposal) -> bool:
    """Admins, member companies, and the municipality once the proposal reached it."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if any(is_member_of(user, m.company_id) for m in proposal.members):
        return True
    reached = proposal.submitted_at is not None
    return reached and is_official_of(user, proposal.need.municipality_id)
