"""Consortium proposals: a large/mid-sized lead firm with 1–2 startups/SMEs."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.korean import particle_args
from app.models import (
    ConfirmationStatus,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Need,
    NeedStatus,
    SizeClass,
    Solution,
    User,
)
from app.models.base import utcnow
from app.services.errors import PermissionDenied, ServiceError
from app.services.visibility import need_is_public, solution_is_public
from app.services.workflow.common import _check_message, _check_reason, _expiry, _link
from app.services.workflow.notify import (
    _notifications,
    _notify_consortium_companies,
    notify_admins,
)
from app.services.workflow.permissions import is_member_of, require_party
from app.services.workflow.states import (
    ACTIVE_CONSORTIUM_STATUSES,
    _lock,
    _require_allowed,
    _transition,
    is_overdue,
)

LEAD_SIZES = (SizeClass.LARGE, SizeClass.MID)
PARTNER_SIZES = (SizeClass.SME, SizeClass.STARTUP)
MAX_PARTNERS = 2
SHARE_TOLERANCE = 0.01


def cap_shares(lead_solution_id: int, partner_solution_ids: list[int],
               cap: float | None = None) -> dict[int, float]:
    """Equal shares, with the lead's share held to the large-firm cap and the rest to partners."""
    if cap is None:
        cap = float(current_app.config.get("CONSORTIUM_LARGE_SHARE_CAP", 0.30))
    count = 1 + len(partner_solution_ids)
    lead = min(1 / count, cap)
    rest = (1 - lead) / len(partner_solution_ids)
    shares = {lead_solution_id: round(lead, 4)}
    shares.update({sid: round(rest, 4) for sid in partner_solution_ids})
    return shares


def suggested_shares(need: Need, lead_solution: Solution, partner_solutions: list[Solution]
                     ) -> dict[int, float] | None:
    """The shares of the matching engine's suggestion with exactly these members, if any."""
    from app.services import recommendations

    wanted = {lead_solution.id, *(s.id for s in partner_solutions)}
    for proposal in recommendations.consortia_for_need(need, top_k=20,
                                                       lead_company=lead_solution.company):
        if {m.solution.id for m in proposal.members} == wanted:
            return {m.solution.id: float(m.share) for m in proposal.members}
    return None


def _check_shares(shares: dict[int, float], lead_solution: Solution,
                  partners: list[Solution]) -> dict[int, float]:
    cap = float(current_app.config.get("CONSORTIUM_LARGE_SHARE_CAP", 0.30))
    wanted = {lead_solution.id, *(s.id for s in partners)}
    if set(shares) != wanted:
        raise ServiceError(_("구성원마다 지분을 정해야 합니다."), field="shares")
    if any(not 0 <= value <= 1 for value in shares.values()):
        raise ServiceError(_("지분은 0%에서 100% 사이여야 합니다."), field="shares")
    if abs(sum(shares.values()) - 1) > SHARE_TOLERANCE:
        raise ServiceError(_("지분의 합은 100%여야 합니다."), field="shares")
    if shares[lead_solution.id] > cap + 1e-9:
        raise ServiceError(_("주관사(대기업·중견기업) 지분은 %(cap)d%%를 넘을 수 없습니다.",
                             cap=round(cap * 100)), field="shares")
    return shares


def propose_consortium(actor: User, need: Need, lead_solution: Solution,
                       partner_solutions: list[Solution], shares: dict[int, float] | None,
                       message: str) -> ConsortiumProposal:
    """A large/mid-sized firm proposes itself with 1–2 startups/SMEs; partners confirm first."""
    lead_company = lead_solution.company
    if not is_member_of(actor, lead_company.id):
        raise PermissionDenied()
    if not lead_company.is_approved_member or lead_company.size_class not in LEAD_SIZES:
        raise ServiceError(_("컨소시엄은 승인된 대기업·중견기업 회원만 제안할 수 있습니다."),
                           field="lead_solution_id")
    if need.status != NeedStatus.OPEN or not need_is_public(need):
        raise ServiceError(_("모집 중인 공개 수요에만 제안할 수 있습니다."), field="need_id")
    if not solution_is_public(lead_solution):
        raise ServiceError(_("주관 솔루션이 공개 상태가 아닙니다."), field="lead_solution_id")
    if not 1 <= len(partner_solutions) <= MAX_PARTNERS:
        raise ServiceError(_("참여사 솔루션을 1~2개 선택하세요."), field="partner_solution_ids")
    partner_companies = set()
    for partner in partner_solutions:
        if partner.company_id == lead_company.id or partner.company_id in partner_companies:
            raise ServiceError(_("참여사는 주관사와 다른 서로 다른 기업이어야 합니다."),
                               field="partner_solution_ids")
        if partner.company.size_class not in PARTNER_SIZES:
            raise ServiceError(_("참여사는 스타트업 또는 중소기업이어야 합니다."),
                               field="partner_solution_ids")
        if not solution_is_public(partner):
            raise ServiceError(_("참여사 솔루션이 공개 상태가 아닙니다."), field="partner_solution_ids")
        partner_companies.add(partner.company_id)
    message = _check_message(message)
    if shares is None:
        shares = cap_shares(lead_solution.id, [s.id for s in partner_solutions])
    shares = _check_shares(dict(shares), lead_solution, partner_solutions)
    duplicate = db.session.scalar(
        select(ConsortiumProposal.id).where(
            ConsortiumProposal.need_id == need.id,
            ConsortiumProposal.lead_company_id == lead_company.id,
            ConsortiumProposal.status.in_(ACTIVE_CONSORTIUM_STATUSES)))
    if duplicate is not None:
        raise ServiceError(_("이 수요에 대해 이미 진행 중인 컨소시엄 제안이 있습니다."), field="message")
    now = utcnow()
    proposal = ConsortiumProposal(need=need, lead_company=lead_company, proposed_by=actor,
                                  message=message, status=ConsortiumStatus.AWAITING_PARTNERS,
                                  created_at=now, expires_at=_expiry(now))
    proposal.members.append(ConsortiumMember(
        company=lead_company, solution=lead_solution, is_lead=True, share=shares[lead_solution.id],
        confirmation=ConfirmationStatus.CONFIRMED, responded_by_id=actor.id, responded_at=now))
    for partner in partner_solutions:
        proposal.members.append(ConsortiumMember(company=partner.company, solution=partner,
                                                 is_lead=False, share=shares[partner.id]))
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same proposal, sent at the same moment, won
        raise ServiceError(_("이 수요에 대해 이미 진행 중인 컨소시엄 제안이 있습니다."),
                           field="message") from error
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    for member in proposal.members:
        if not member.is_lead:
            _notifications().notify_company(
                member.company, "consortium_invitation",
                _l("%(lead)s의 컨소시엄 참여 요청: %(need)s", lead=lead_company.name,
                   need=need.title),
                _l("참여 솔루션: %(solution)s, 지분 %(share)s%%. 참여 여부를 확인해 주세요.",
                   solution=member.solution.title, share=round(member.share * 100)), link)
    return proposal


def respond_to_consortium(actor: User, member: ConsortiumMember, confirm: bool,
                          reason: str | None = None) -> ConsortiumProposal:
    """A partner firm confirms or declines; all confirmed → submitted to the municipality."""
    proposal = member.proposal
    if member.is_lead or not is_member_of(actor, member.company_id):
        raise PermissionDenied()
    reason = _check_reason(reason, to_other_side=True)
    _lock(proposal)
    for colleague in proposal.members:  # the other partners' answers as of the lock
        db.session.refresh(colleague)
    if proposal.status == ConsortiumStatus.AWAITING_PARTNERS and is_overdue(proposal):
        raise ServiceError(_("응답 기한이 지난 제안입니다."))
    if member.confirmation != ConfirmationStatus.PENDING:
        raise ServiceError(_("이미 응답한 참여 요청입니다."))
    now = utcnow()
    if confirm:
        _require_allowed(proposal, "all_confirmed")
        member.confirmation = ConfirmationStatus.CONFIRMED
    else:
        _transition(proposal, "partner_decline")
        member.confirmation = ConfirmationStatus.DECLINED
    member.responded_by_id = actor.id
    member.responded_at = now
    member.response_reason = reason
    flag_modified(proposal, "status")  # bump the proposal's version: one answer at a time
    db.session.flush()
    link = _link("matches.consortium_detail", proposal_id=proposal.id)
    notifications = _notifications()
    if not confirm:
        notifications.notify_company(
            proposal.lead_company, "consortium_update",
            _l("%(company)s%(company_ga)s 컨소시엄 참여를 거절했습니다: %(need)s",
               **particle_args("company", member.company.name, "이"), need=proposal.need.title),
            _l("사유: %(reason)s", reason=reason) if reason else "", link)
        return proposal
    if all(m.confirmation == ConfirmationStatus.CONFIRMED for m in proposal.members):
        _transition(proposal, "all_confirmed")
        proposal.submitted_at = now
        db.session.flush()
        _notify_consortium_companies(
            proposal, "consortium_update",
            _l("모든 참여사가 확인하여 컨소시엄 제안을 지자체에 보냈습니다: %(need)s",
               need=proposal.need.title))
        notifications.notify_municipality(
            proposal.need.owner, "match_request",
            _l("%(lead)s 컨소시엄의 제안: %(need)s", lead=proposal.lead_company.name,
               need=proposal.need.title),
            proposal.message, link)
    else:
        notifications.notify_company(
            proposal.lead_company, "consortium_update",
            _l("%(company)s%(company_ga)s 컨소시엄 참여를 확인했습니다: %(need)s",
               **particle_args("company", member.company.name, "이"), need=proposal.need.title), "", link)
    return proposal


def answer_consortium(actor: User, proposal: ConsortiumProposal, accept_it: bool,
                      reason: str | None = None) -> ConsortiumProposal:
    """The municipality accepts (→ mutual, admin review) or declines a submitted consortium."""
    require_party(actor, proposal, "accept" if accept_it else "decline")
    reason = _check_reason(reason, to_other_side=True)
    _lock(proposal)
    if proposal.status == ConsortiumStatus.SUBMITTED and is_overdue(proposal):
        raise ServiceError(_("응답 기한이 지난 제안입니다."))
    _transition(proposal, "accept" if accept_it else "decline")
    proposal.responded_by_id = actor.id
    proposal.responded_at = utcnow()
    proposal.response_reason = None if accept_it else reason
    db.session.flush()
    need_title = proposal.need.title
    if accept_it:
        _notify_consortium_companies(
            proposal, "match_accepted",
            _l("지자체가 컨소시엄 제안을 수락했습니다: %(need)s", need=need_title),
            _l("관리자 검토 후 연락처가 공개됩니다."))
        notify_admins("match_mutual",
                      _l("검토할 컨소시엄: %(need)s", need=need_title),
                      _l("%(lead)s 주관 컨소시엄", lead=proposal.lead_company.name),
                      _link("matches.review"))
    else:
        _notify_consortium_companies(
            proposal, "match_declined",
            _l("지자체가 컨소시엄 제안을 거절했습니다: %(need)s", need=need_title),
            _l("사유: %(reason)s", reason=reason) if reason else "")
    return proposal


def withdraw_consortium(actor: User, proposal: ConsortiumProposal) -> ConsortiumProposal:
    """The lead firm withdraws its proposal before the municipality answers."""
    require_party(actor, proposal, "withdraw")
    _lock(proposal)
    was_submitted = proposal.status == ConsortiumStatus.SUBMITTED
    _transition(proposal, "withdraw")
    db.session.flush()
    title = _l("컨소시엄 제안이 철회되었습니다: %(need)s", need=proposal.need.title)
    _notify_consortium_companies(proposal, "match_withdrawn", title, include_lead=False)
    if was_submitted:
        _notifications().notify_municipality(
            proposal.need.owner, "match_withdrawn", title, "",
            _link("matches.consortium_detail", proposal_id=proposal.id))
    return proposal
