"""The admins' review of mutual matches and consortia (approve or reject)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import ConsortiumProposal, Match, Side, User
from app.models.base import utcnow
from app.services import audit
from app.services.workflow.common import _check_reason, _link
from app.services.workflow.notify import (
    _notifications,
    _notify_consortium_companies,
    _notify_side,
    _pair_names,
)
from app.services.workflow.permissions import _require_admin
from app.services.workflow.states import _lock, _transition, table_of


def _review(admin: User, item: Match | ConsortiumProposal, action: str, reason: str | None):
    _require_admin(admin)
    reason = _check_reason(reason, required=table_of(item)[action].reason_required)
    _lock(item)
    before = audit.snapshot(item, ["status"])
    _transition(item, action)
    item.reviewed_by_id = admin.id
    item.reviewed_at = utcnow()
    item.review_reason = reason
    db.session.flush()
    label = (f"{item.need.title} ↔ {item.solution.title}" if isinstance(item, Match)
             else f"{item.need.title} ↔ {item.lead_company.name} 컨소시엄")
    prefix = "match" if isinstance(item, Match) else "consortium"
    audit.record(admin, f"{prefix}.{action}", item, before=before,
                 after=audit.snapshot(item, ["status"]), reason=reason, label=label)
    return reason


def approve(admin: User, item: Match | ConsortiumProposal, reason: str | None = None):
    """An admin approves a mutual match (or consortium): contact details become visible."""
    if isinstance(item, ConsortiumProposal):
        return _review_consortium(admin, item, "approve", reason)
    reason = _review(admin, item, "approve", reason)
    names = _pair_names(item)
    for side in (Side.MUNICIPALITY, Side.COMPANY):
        _notify_side(item, side, "match_approved",
                     _l("매칭이 승인되었습니다: %(need)s ↔ %(solution)s", **names),
                     _l("이제 매칭 상세 화면에서 상대방의 연락처를 볼 수 있습니다."))
    return item


def reject(admin: User, item: Match | ConsortiumProposal, reason: str | None):
    """An admin rejects a mutual match (or consortium); a reason is required."""
    if isinstance(item, ConsortiumProposal):
        return _review_consortium(admin, item, "reject", reason)
    reason = _review(admin, item, "reject", reason)
    names = _pair_names(item)
    for side in (Side.MUNICIPALITY, Side.COMPANY):
        _notify_side(item, side, "match_rejected",
                     _l("매칭이 반려되었습니다: %(need)s ↔ %(solution)s", **names),
                     _l("사유: %(reason)s", reason=reason))
    return item


def _review_consortium(admin: User, proposal: ConsortiumProposal, action: str,
                       reason: str | None) -> ConsortiumProposal:
    reason = _review(admin, proposal, action, reason)
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    if action == "approve":
        kind = "match_approved"
        title = _l("컨소시엄이 승인되었습니다: %(need)s", need=proposal.need.title)
        body = _l("이제 상세 화면에서 서로의 연락처를 볼 수 있습니다.")
    else:
        kind = "match_rejected"
        title = _l("컨소시엄이 반려되었습니다: %(need)s", need=proposal.need.title)
        body = _l("사유: %(reason)s", reason=reason)
    _notify_consortium_companies(proposal, kind, title, body)
    _notifications().notify_municipality(proposal.need.owner, kind, title, body, link)
    return proposal
