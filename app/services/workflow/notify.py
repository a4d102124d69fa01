"""Notifications of the workflow's events to the sides and the admins."""
from __future__ import annotations

from app.models import ConsortiumProposal, Match, Side
from app.services.workflow.common import _link
from app.templating import lazy_place_name


def _notifications():
    from app.services import notifications

    return notifications


def _notify_side(match: Match, side: Side, kind: str, title, body="") -> None:
    """Notify every member of one side of the match."""
    link = _link("matches.detail", match_id=match.id)
    notifications = _notifications()
    if side == Side.MUNICIPALITY:
        notifications.notify_municipality(match.need.owner, kind, title, body, link)
    else:
        notifications.notify_company(match.solution.company, kind, title, body, link)


def _notify_admins(kind: str, title, body, link: str) -> None:
    _notifications().notify_admins(kind, title, body, link)


def notify_admins(kind: str, title, body, link: str) -> None:
    """Notify every admin, by the package's `_notify_admins` (the seam tests replace)."""
    from app.services import workflow

    workflow._notify_admins(kind, title, body, link)


def _pair_names(match: Match) -> dict[str, str]:
    return {"need": match.need.title, "solution": match.solution.title,
            "municipality": lazy_place_name(match.need.owner),
            "company": match.solution.company.name}


def _notify_consortium_companies(proposal: ConsortiumProposal, kind: str, title, body="",
                                 include_lead: bool = True) -> None:
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    for member in proposal.members:
        if member.is_lead and not include_lead:
            continue
        _notifications().notify_company(member.company, kind, title, body, link)
