"""Who acts for which side of a match or consortium proposal, and which actions they may take."""
from __future__ import annotations

from flask_babel import gettext as _

from app.models import (
    AccountStatus,
    ConfirmationStatus,
    ConsortiumMember,
    ConsortiumProposal,
    Match,
    Need,
    Side,
    User,
)
from app.services.errors import PermissionDenied
from app.services.workflow.states import can_transition

MATCH_ACTIONS = ("accept", "decline", "withdraw", "approve", "reject")
CONSORTIUM_ACTIONS = ("confirm", "partner_decline", "accept", "decline", "withdraw", "approve",
                      "reject")
# A partner's answer is checked against the transition it may lead to.
_CONSORTIUM_TRANSITION_OF = {"confirm": "all_confirmed"}


def _is_active(user: User) -> bool:
    return user.account_status == AccountStatus.ACTIVE


def is_official_of(user: User, need: Need) -> bool:
    """An official acting for the need's owner, a municipality or an overseas organisation
    (verified, active: User.acts_for_organisation)."""
    return bool(user.is_authenticated and user.is_official and user.acts_for_organisation
                and user.owner_key == need.owner_key)


def is_member_of(user: User, company_id: int) -> bool:
    """Staff acting for this company (active, approved member: User.acts_for_organisation)."""
    return bool(user.is_authenticated and user.is_company_user and user.acts_for_organisation
                and user.company_id == company_id)


def side_of(user: User, match: Match) -> Side | None:
    """Which side of the match the user acts for (None for anyone else)."""
    if is_official_of(user, match.need):
        return Side.MUNICIPALITY
    if is_member_of(user, match.solution.company_id):
        return Side.COMPANY
    return None


def responding_side(match: Match) -> Side:
    """The side that must answer the request."""
    return Side.COMPANY if match.initiator_side == Side.MUNICIPALITY else Side.MUNICIPALITY


def _is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin and _is_active(user))


def partner_membership(user: User, proposal: ConsortiumProposal) -> ConsortiumMember | None:
    """The user's company's place in the consortium as an invited partner (not the lead)."""
    return next((m for m in proposal.members
                 if not m.is_lead and is_member_of(user, m.company_id)), None)


def is_party_to(user: User, item: Match | ConsortiumProposal, action: str) -> bool:
    """Whether the user is the one who takes this action on the item (whatever its status)."""
    if action in ("approve", "reject"):
        return _is_admin(user)
    if isinstance(item, Match):
        side = side_of(user, item)
        if side is None:
            return False
        return (side == item.initiator_side) == (action == "withdraw")
    if action in ("confirm", "partner_decline"):
        return partner_membership(user, item) is not None
    if action in ("accept", "decline"):
        return (item.submitted_at is not None
                and is_official_of(user, item.need))
    return action == "withdraw" and is_member_of(user, item.lead_company_id)


def allowed_actions(user: User, item: Match | ConsortiumProposal) -> frozenset[str]:
    """The actions the user may take on the match or proposal now (what the pages offer).

    The services refuse everything else: they check the same party rule (require_party) and,
    under the row lock, the same transition tables.
    """
    if isinstance(item, Match):
        return frozenset(action for action in MATCH_ACTIONS
                         if is_party_to(user, item, action) and can_transition(item, action))
    allowed = set()
    for action in CONSORTIUM_ACTIONS:
        if not is_party_to(user, item, action):
            continue
        if not can_transition(item, _CONSORTIUM_TRANSITION_OF.get(action, action)):
            continue
        if action in ("confirm", "partner_decline") and (
                partner_membership(user, item).confirmation != ConfirmationStatus.PENDING):
            continue
        allowed.add(action)
    return frozenset(allowed)


def require_party(user: User, item: Match | ConsortiumProposal, action: str) -> None:
    """Refuse (403) anyone but the party who takes this action on the item."""
    if is_party_to(user, item, action):
        return
    if isinstance(item, Match) and side_of(user, item) is not None:
        raise PermissionDenied(_("요청한 쪽만 철회할 수 있습니다.") if action == "withdraw"
                               else _("내 조직이 보낸 요청에는 응답할 수 없습니다."))
    raise PermissionDenied()


def _require_admin(user: User) -> None:
    if not _is_admin(user):
        raise PermissionDenied()


def _require_responder(actor: User, match: Match) -> None:
    require_party(actor, match, "accept")


def can_view_consortium(user: User, proposal: ConsortiumProposal) -> bool:
    """Admins, member companies, and the municipality once the proposal reached it."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if any(is_member_of(user, m.company_id) for m in proposal.members):
        return True
    reached = proposal.submitted_at is not None
    return reached and is_official_of(user, proposal.need)
