"""The match and consortium state machine (app/services/workflow/), at the service level."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditLog,
    ConfirmationStatus,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    MembershipStatus,
    NeedStatus,
    Notification,
    OfficialStatus,
    Role,
    Side,
    SizeClass,
    SolutionStatus,
)
from app.models.base import utcnow
from app.services import recommendations, unit_of_work, workflow
from app.services.errors import PermissionDenied, ServiceError
from tests import factories


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture()
def other_company_user(db):
    """Staff of a third company (approved startup)."""
    other = factories.make_company(size_class=SizeClass.STARTUP)
    user = factories.make_user(role=Role.COMPANY, company=other)
    unit_of_work.commit()
    return user


@pytest.fixture()
def other_official(db):
    """A verified official of another municipality."""
    user = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    unit_of_work.commit()
    return user


@pytest.fixture()
def pending_match(db, official, company_user, need, solution):
    match = workflow.express_interest(official, need, solution, "함께 이야기하고 싶습니다.", score=0.72)
    unit_of_work.commit()
    return match


def notifications_of(db, user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def reload(db, model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


# --- the tables ------------------------------------------------------------------------------


def test_transition_tables_cover_every_action_and_only_pending_can_be_answered():
    assert set(workflow.MATCH_TRANSITIONS) == {"accept", "decline", "withdraw", "expire",
                                               "approve", "reject"}
    for action in ("accept", "decline", "withdraw", "expire"):
        assert workflow.MATCH_TRANSITIONS[action].sources == {MatchStatus.PENDING}
    approve = workflow.MATCH_TRANSITIONS["approve"]
    assert (approve.sources, approve.target) == ({MatchStatus.MUTUAL}, MatchStatus.APPROVED)
    assert workflow.CONSORTIUM_TRANSITIONS["accept"].sources == {ConsortiumStatus.SUBMITTED}
    assert workflow.MATCH_TRANSITIONS["reject"].reason_required
    assert not workflow.MATCH_TRANSITIONS["decline"].reason_required


# Names importable from the single module app/services/workflow.py before it became a package.
NAMES_BEFORE_THE_SPLIT = """
    ACTIVE_CONSORTIUM_STATUSES CONSORTIUM_TRANSITIONS MATCH_TRANSITIONS OPEN_CONSORTIUM_STATUSES
    can_transition is_overdue shown_status status_label can_view_consortium is_member_of
    is_official_of responding_side side_of accept decline existing_match express_interest withdraw
    approve reject LEAD_SIZES MAX_PARTNERS PARTNER_SIZES SHARE_TOLERANCE answer_consortium
    cap_shares propose_consortium respond_to_consortium suggested_shares withdraw_consortium
    ExpiryCounts expire_overdue send_reminders Contact ContactDetails company_members
    consortium_contact_details contact_details municipality_officials ResponseStats response_stats
    consortium_invitations incoming_requests interest_needs interest_solutions
    organisation_consortia organisation_matches outgoing_requests partner_candidates review_queue
    submitted_consortia MESSAGE_MAX REASON_MAX Match MatchStatus Need Solution _aware _notify_admins
""".split()


def test_the_workflow_package_still_offers_every_name_of_the_old_module():
    missing = [name for name in NAMES_BEFORE_THE_SPLIT if not hasattr(workflow, name)]
    assert missing == []


# --- express interest ------------------------------------------------------------------------


def test_official_expresses_interest_and_the_company_is_notified(db, pending_match, company_user,
                                                                  official, outbox, app):
    match = reload(db, Match, pending_match.id)
    assert match.status == MatchStatus.PENDING
    assert match.initiator_side == Side.MUNICIPALITY
    assert match.requested_by_id == official.id
    assert match.score == pytest.approx(0.72)
    expected = app.config["MATCH_REQUEST_EXPIRY_DAYS"]
    delta = workflow._aware(match.expires_at) - workflow._aware(match.created_at)
    assert delta == timedelta(days=expected)
    assert len(notifications_of(db, company_user, "match_request")) == 1
    assert notifications_of(db, official) == []
    assert any(mail.to == company_user.email for mail in outbox)


def test_company_expresses_interest_in_a_need(db, company_user, official, need, solution):
    match = workflow.express_interest(company_user, need, solution, "저희 솔루션을 제안합니다.")
    unit_of_work.commit()
    assert match.initiator_side == Side.COMPANY
    assert len(notifications_of(db, official, "match_request")) == 1


def test_expiry_days_come_from_the_config(db, app, official, need, solution):
    app.config["MATCH_REQUEST_EXPIRY_DAYS"] = 5
    try:
        match = workflow.express_interest(official, need, solution, "메시지")
    finally:
        app.config["MATCH_REQUEST_EXPIRY_DAYS"] = 14
    assert match.expires_at - match.created_at == timedelta(days=5)


def test_double_interest_is_refused_from_either_side(db, pending_match, company_user, official,
                                                     need, solution):
    with pytest.raises(ServiceError, match="이미 매칭 요청"):
        workflow.express_interest(official, need, solution, "한 번 더")
    db.session.rollback()
    with pytest.raises(ServiceError, match="이미 매칭 요청"):
        workflow.express_interest(company_user, need, solution, "저희도")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Match.id))) == 1


@pytest.mark.parametrize("status", [NeedStatus.MATCHED, NeedStatus.CLOSED, NeedStatus.IN_REVIEW])
def test_interest_in_a_need_that_is_not_open_is_refused(db, official, need, solution, status):
    need.status = status
    unit_of_work.commit()
    with pytest.raises(ServiceError) as caught:
        workflow.express_interest(official, need, solution, "메시지")
    assert caught.value.field == "need_id"


def test_closing_a_need_stops_its_recommendations(db, official, need, solution):
    assert recommendations.is_recommendable_need(need)
    assert [m.need.id for m in recommendations.needs_for_solution(solution)] == [need.id]
    need.status = NeedStatus.MATCHED
    unit_of_work.commit()
    assert not recommendations.is_recommendable_need(need)
    assert recommendations.needs_for_solution(solution) == []
    assert recommendations.solutions_for_need(need) == []


def test_interest_in_a_private_solution_is_refused(db, official, need, company):
    draft = factories.make_solution(company, status=SolutionStatus.DRAFT)
    unit_of_work.commit()
    with pytest.raises(ServiceError) as caught:
        workflow.express_interest(official, need, draft, "메시지")
    assert caught.value.field == "solution_id"


def test_a_third_organisation_cannot_express_interest(db, other_company_user, other_official,
                                                      admin_user, need, solution):
    for actor in (other_company_user, other_official, admin_user):
        with pytest.raises(PermissionDenied):
            workflow.express_interest(actor, need, solution, "메시지")


def test_an_unverified_official_cannot_express_interest(db, need, solution):
    pending = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    unit_of_work.commit()
    with pytest.raises(PermissionDenied):
        workflow.express_interest(pending, need, solution, "메시지")


@pytest.mark.parametrize("message", ["", "   ", "가" * 1001])
def test_the_message_is_required_and_bounded(db, official, need, solution, message):
    with pytest.raises(ServiceError) as caught:
        workflow.express_interest(official, need, solution, message)
    assert caught.value.field == "message"


# --- answering -------------------------------------------------------------------------------


def test_accept_makes_the_match_mutual_and_tells_requester_and_admins(
        db, pending_match, company_user, official, admin_user):
    workflow.accept(company_user, pending_match)
    unit_of_work.commit()
    match = reload(db, Match, pending_match.id)
    assert match.status == MatchStatus.MUTUAL
    assert match.responded_by_id == company_user.id and match.responded_at is not None
    assert len(notifications_of(db, official, "match_accepted")) == 1
    assert len(notifications_of(db, admin_user, "match_mutual")) == 1


def test_the_requesting_side_cannot_accept_its_own_request(db, pending_match, official):
    colleague = factories.make_user(role=Role.MUNICIPALITY)
    unit_of_work.commit()
    for actor in (official, colleague):
        with pytest.raises(PermissionDenied):
            workflow.accept(actor, pending_match)
    assert reload(db, Match, pending_match.id).status == MatchStatus.PENDING


def test_a_third_organisation_cannot_answer_or_withdraw(db, pending_match, other_company_user,
                                                        other_official):
    for actor in (other_company_user, other_official):
        with pytest.raises(PermissionDenied):
            workflow.accept(actor, pending_match)
        with pytest.raises(PermissionDenied):
            workflow.decline(actor, pending_match)
        with pytest.raises(PermissionDenied):
            workflow.withdraw(actor, pending_match)
    assert reload(db, Match, pending_match.id).status == MatchStatus.PENDING


def test_decline_with_reason_then_declining_again_is_refused(db, pending_match, company_user,
                                                             official):
    workflow.decline(company_user, pending_match, "이번에는 일정이 맞지 않습니다.")
    unit_of_work.commit()
    match = reload(db, Match, pending_match.id)
    assert match.status == MatchStatus.DECLINED
    assert match.response_reason == "이번에는 일정이 맞지 않습니다."
    declined = notifications_of(db, official, "match_declined")
    assert len(declined) == 1 and "일정이 맞지 않습니다" in declined[0].body
    with pytest.raises(ServiceError, match="현재 상태"):
        workflow.decline(company_user, match)
    with pytest.raises(ServiceError, match="현재 상태"):
        workflow.accept(company_user, match)


def test_decline_reason_is_bounded(db, pending_match, company_user):
    with pytest.raises(ServiceError) as caught:
        workflow.decline(company_user, pending_match, "가" * 501)
    assert caught.value.field == "reason"


def test_only_the_requesting_side_may_withdraw(db, pending_match, company_user, official):
    with pytest.raises(PermissionDenied):
        workflow.withdraw(company_user, pending_match)
    workflow.withdraw(official, pending_match)
    unit_of_work.commit()
    assert reload(db, Match, pending_match.id).status == MatchStatus.WITHDRAWN
    assert len(notifications_of(db, company_user, "match_withdrawn")) == 1
    with pytest.raises(ServiceError):
        workflow.accept(company_user, pending_match)


def test_accepting_after_expiry_is_refused(db, pending_match, company_user):
    pending_match.expires_at = utcnow() - timedelta(minutes=1)
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="기한"):
        workflow.accept(company_user, pending_match)


# --- admin review ----------------------------------------------------------------------------


def _mutual(db, pending_match, company_user):
    workflow.accept(company_user, pending_match)
    unit_of_work.commit()
    return pending_match


@pytest.mark.parametrize("status", [MatchStatus.PENDING, MatchStatus.DECLINED,
                                    MatchStatus.EXPIRED, MatchStatus.WITHDRAWN,
                                    MatchStatus.APPROVED, MatchStatus.REJECTED])
def test_only_mutual_matches_can_be_approved_or_rejected(db, pending_match, admin_user, status):
    pending_match.status = status
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="현재 상태"):
        workflow.approve(admin_user, pending_match)
    with pytest.raises(ServiceError, match="현재 상태"):
        workflow.reject(admin_user, pending_match, "사유")
    assert reload(db, Match, pending_match.id).status == status


def test_approval_is_audited_and_notifies_both_sides(db, pending_match, company_user, official,
                                                     admin_user):
    match = _mutual(db, pending_match, company_user)
    workflow.approve(admin_user, match, "적합한 매칭입니다.")
    unit_of_work.commit()
    match = reload(db, Match, match.id)
    assert match.status == MatchStatus.APPROVED and match.reviewed_by_id == admin_user.id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "match.approve"))
    assert entry.actor_id == admin_user.id and entry.target_id == match.id
    assert entry.before == {"status": "mutual"} and entry.after == {"status": "approved"}
    assert len(notifications_of(db, official, "match_approved")) == 1
    assert len(notifications_of(db, company_user, "match_approved")) == 1


def test_reject_requires_a_reason_and_is_audited(db, pending_match, company_user, official,
                                                 admin_user):
    match = _mutual(db, pending_match, company_user)
    with pytest.raises(ServiceError) as caught:
        workflow.reject(admin_user, match, "  ")
    assert caught.value.field == "reason"
    db.session.rollback()
    workflow.reject(admin_user, match, "중복 신청입니다.")
    unit_of_work.commit()
    assert reload(db, Match, match.id).status == MatchStatus.REJECTED
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "match.reject"))
    assert entry.reason == "중복 신청입니다."
    assert len(notifications_of(db, company_user, "match_rejected")) == 1


def test_only_admins_review(db, pending_match, company_user, official):
    match = _mutual(db, pending_match, company_user)
    for actor in (company_user, official):
        with pytest.raises(PermissionDenied):
            workflow.approve(actor, match)


# --- contact details -------------------------------------------------------------------------


def test_contact_details_only_after_approval(db, pending_match, company_user, official,
                                             admin_user, other_company_user):
    with pytest.raises(PermissionDenied):
        workflow.contact_details(official, pending_match)
    match = _mutual(db, pending_match, company_user)
    with pytest.raises(PermissionDenied):
        workflow.contact_details(company_user, match)
    workflow.approve(admin_user, match)
    unit_of_work.commit()
    details = workflow.contact_details(company_user, match)
    assert details.municipality[0].email == official.email and details.municipality[0].is_key_person
    assert details.municipality[0].phone == official.phone
    assert details.company[0].email == company_user.email
    with pytest.raises(PermissionDenied):
        workflow.contact_details(other_company_user, match)


def test_contact_details_list_colleagues_without_phone(db, pending_match, company_user, official,
                                                       admin_user, company):
    colleague = factories.make_user(role=Role.COMPANY, company=company)
    unit_of_work.commit()
    match = _mutual(db, pending_match, company_user)
    workflow.approve(admin_user, match)
    unit_of_work.commit()
    details = workflow.contact_details(official, match)
    emails = {c.email: c for c in details.company}
    assert set(emails) == {company_user.email, colleague.email}
    assert emails[colleague.email].phone is None


# --- expiry and reminders --------------------------------------------------------------------


def test_expire_overdue_expires_and_notifies_both_sides(db, pending_match, company_user, official):
    assert workflow.expire_overdue().total == 0
    later = utcnow() + timedelta(days=15)
    counts = workflow.expire_overdue(now=later)
    unit_of_work.commit()
    assert counts.matches == 1
    assert reload(db, Match, pending_match.id).status == MatchStatus.EXPIRED
    assert len(notifications_of(db, official, "match_expired")) == 1
    assert len(notifications_of(db, company_user, "match_expired")) == 1
    with pytest.raises(ServiceError):
        workflow.accept(company_user, pending_match)


def test_reminders_go_once_to_the_answering_side(db, pending_match, company_user, official):
    assert workflow.send_reminders() == 0
    soon = utcnow() + timedelta(days=12)
    assert workflow.send_reminders(now=soon) == 1
    unit_of_work.commit()
    assert workflow.send_reminders(now=soon + timedelta(hours=1)) == 0
    assert len(notifications_of(db, company_user, "match_reminder")) == 1
    assert notifications_of(db, official, "match_reminder") == []
    assert reload(db, Match, pending_match.id).reminder_sent_at is not None


# --- response statistics ---------------------------------------------------------------------


def test_response_stats_count_expired_as_unanswered(db, company, company_user, official,
                                                    solution):
    needs = [factories.make_need(official) for _ in range(3)]
    unit_of_work.commit()
    matches = [workflow.express_interest(official, n, solution, "메시지") for n in needs]
    unit_of_work.commit()
    matches[0].created_at = utcnow() - timedelta(hours=10)
    matches[1].created_at = utcnow() - timedelta(hours=30)
    workflow.accept(company_user, matches[0])
    workflow.decline(company_user, matches[1])
    unit_of_work.commit()
    workflow.expire_overdue(now=utcnow() + timedelta(days=20))
    unit_of_work.commit()
    stats = workflow.response_stats(company)
    assert (stats.received, stats.answered, stats.expired) == (3, 2, 1)
    assert stats.rate == pytest.approx(2 / 3)
    assert stats.median_hours == pytest.approx(20, abs=0.1)
    empty = workflow.response_stats(official.municipality)
    assert empty.rate is None and empty.median_hours is None


# --- consortia -------------------------------------------------------------------------------


@pytest.fixture()
def lead(db):
    """A large approved company, its staff member and a public solution."""
    company = factories.make_company(size_class=SizeClass.LARGE)
    user = factories.make_user(role=Role.COMPANY, company=company)
    solution = factories.make_solution(company, title="통합 교통 관제 플랫폼")
    unit_of_work.commit()
    return user, solution


@pytest.fixture()
def partner(db, company, company_user):
    """The startup `company` with a public solution."""
    solution = factories.make_solution(company, title="DRT 호출 앱")
    unit_of_work.commit()
    return company_user, solution


def _propose(db, lead, partner, need, shares=None):
    user, lead_solution = lead
    proposal = workflow.propose_consortium(user, need, lead_solution, [partner[1]], shares,
                                           "함께 제안합니다.")
    unit_of_work.commit()
    return proposal


def test_consortium_goes_partners_then_municipality_then_admin(db, lead, partner, need, official,
                                                               admin_user, app):
    proposal = _propose(db, lead, partner, need)
    assert proposal.status == ConsortiumStatus.AWAITING_PARTNERS
    lead_member, partner_member = proposal.members
    assert lead_member.is_lead and lead_member.confirmation == ConfirmationStatus.CONFIRMED
    assert lead_member.share <= app.config["CONSORTIUM_LARGE_SHARE_CAP"] + 1e-9
    assert lead_member.share + partner_member.share == pytest.approx(1)
    assert len(notifications_of(db, partner[0], "consortium_invitation")) == 1
    # the municipality does not see it yet
    assert not workflow.can_view_consortium(official, proposal)
    assert workflow.submitted_consortia(official) == []
    with pytest.raises(PermissionDenied):
        workflow.answer_consortium(official, proposal, True)
    db.session.rollback()

    workflow.respond_to_consortium(partner[0], partner_member, True)
    unit_of_work.commit()
    proposal = reload(db, ConsortiumProposal, proposal.id)
    assert proposal.status == ConsortiumStatus.SUBMITTED and proposal.submitted_at is not None
    assert workflow.submitted_consortia(official) == [proposal]
    assert len(notifications_of(db, official, "match_request")) == 1

    workflow.answer_consortium(official, proposal, True)
    unit_of_work.commit()
    assert proposal.status == ConsortiumStatus.MUTUAL
    assert len(notifications_of(db, admin_user, "match_mutual")) == 1
    with pytest.raises(PermissionDenied):
        workflow.consortium_contact_details(official, proposal)
    workflow.approve(admin_user, proposal)
    unit_of_work.commit()
    assert reload(db, ConsortiumProposal, proposal.id).status == ConsortiumStatus.APPROVED
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "consortium.approve"))
    details = workflow.consortium_contact_details(official, proposal)
    assert {c.email for c in details.company} >= {lead[0].email, partner[0].email}


def test_partner_decline_stops_the_proposal_and_notifies_the_lead(db, lead, partner, need):
    proposal = _propose(db, lead, partner, need)
    workflow.respond_to_consortium(partner[0], proposal.members[1], False, "여력이 없습니다.")
    unit_of_work.commit()
    assert reload(db, ConsortiumProposal, proposal.id).status == ConsortiumStatus.PARTNER_DECLINED
    updates = notifications_of(db, lead[0], "consortium_update")
    assert len(updates) == 1 and "여력이 없습니다" in updates[0].body
    with pytest.raises(ServiceError):
        workflow.respond_to_consortium(partner[0], proposal.members[1], True)


def test_only_the_partner_company_confirms_and_the_lead_cannot(db, lead, partner, need,
                                                               other_company_user):
    proposal = _propose(db, lead, partner, need)
    for actor in (other_company_user, lead[0]):
        with pytest.raises(PermissionDenied):
            workflow.respond_to_consortium(actor, proposal.members[1], True)
    with pytest.raises(PermissionDenied):
        workflow.respond_to_consortium(lead[0], proposal.members[0], True)


def test_a_startup_cannot_lead_a_consortium(db, partner, need):
    user, solution = partner
    other = factories.make_company(size_class=SizeClass.SME)
    partner_solution = factories.make_solution(other)
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="대기업·중견기업"):
        workflow.propose_consortium(user, need, solution, [partner_solution], None, "제안")


def test_partners_must_be_startups_or_smes_of_other_companies(db, lead, need):
    user, lead_solution = lead
    own = factories.make_solution(lead_solution.company)
    big = factories.make_company(size_class=SizeClass.MID)
    big_solution = factories.make_solution(big)
    unit_of_work.commit()
    for partners in ([own], [big_solution], []):
        with pytest.raises(ServiceError) as caught:
            workflow.propose_consortium(user, need, lead_solution, partners, None, "제안")
        assert caught.value.field == "partner_solution_ids"


def test_three_partners_are_too_many(db, lead, need):
    user, lead_solution = lead
    partners = [factories.make_solution(factories.make_company()) for _ in range(3)]
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="1~2"):
        workflow.propose_consortium(user, need, lead_solution, partners, None, "제안")


def test_the_lead_share_cap_is_enforced(db, lead, partner, need):
    user, lead_solution = lead
    with pytest.raises(ServiceError) as caught:
        workflow.propose_consortium(user, need, lead_solution, [partner[1]],
                                    {lead_solution.id: 0.6, partner[1].id: 0.4}, "제안")
    assert caught.value.field == "shares"
    with pytest.raises(ServiceError, match="합은"):
        workflow.propose_consortium(user, need, lead_solution, [partner[1]],
                                    {lead_solution.id: 0.3, partner[1].id: 0.3}, "제안")
    assert db.session.scalar(select(func.count(ConsortiumProposal.id))) == 0


def test_cap_shares_hold_the_lead_to_the_cap():
    shares = workflow.cap_shares(1, [2], cap=0.3)
    assert shares == {1: 0.3, 2: 0.7}
    three = workflow.cap_shares(1, [2, 3], cap=0.3)
    assert three[1] == 0.3 and three[2] == three[3] == pytest.approx(0.35)


def test_a_second_active_proposal_for_the_same_need_is_refused(db, lead, partner, need):
    _propose(db, lead, partner, need)
    with pytest.raises(ServiceError, match="이미 진행 중인"):
        _propose(db, lead, partner, need)


def test_consortium_expires_like_requests(db, lead, partner, need):
    proposal = _propose(db, lead, partner, need)
    counts = workflow.expire_overdue(now=utcnow() + timedelta(days=15))
    unit_of_work.commit()
    assert counts.consortia == 1
    assert reload(db, ConsortiumProposal, proposal.id).status == ConsortiumStatus.EXPIRED


def test_consortium_reminder_goes_once_to_partners_who_have_not_answered(db, lead, partner,
                                                                         need):
    proposal = _propose(db, lead, partner, need)
    partner_user, lead_user = partner[0], lead[0]
    soon = utcnow() + timedelta(days=12)
    assert workflow.send_reminders(now=soon) == 1
    unit_of_work.commit()
    assert workflow.send_reminders(now=soon + timedelta(hours=1)) == 0
    assert len(notifications_of(db, partner_user, "match_reminder")) == 1
    assert notifications_of(db, lead_user, "match_reminder") == []
    assert reload(db, ConsortiumProposal, proposal.id).reminder_sent_at is not None


def test_lead_withdraws_but_partner_cannot(db, lead, partner, need):
    proposal = _propose(db, lead, partner, need)
    with pytest.raises(PermissionDenied):
        workflow.withdraw_consortium(partner[0], proposal)
    workflow.withdraw_consortium(lead[0], proposal)
    unit_of_work.commit()
    assert reload(db, ConsortiumProposal, proposal.id).status == ConsortiumStatus.WITHDRAWN


def test_municipality_declines_a_submitted_consortium(db, lead, partner, need, official,
                                                      other_official, admin_user):
    proposal = _propose(db, lead, partner, need)
    workflow.respond_to_consortium(partner[0], proposal.members[1], True)
    unit_of_work.commit()
    with pytest.raises(PermissionDenied):
        workflow.answer_consortium(other_official, proposal, False)
    with pytest.raises(ServiceError, match="현재 상태"):
        workflow.approve(admin_user, proposal)
    workflow.answer_consortium(official, proposal, False, "예산이 부족합니다.")
    unit_of_work.commit()
    proposal = reload(db, ConsortiumProposal, proposal.id)
    assert proposal.status == ConsortiumStatus.DECLINED
    assert proposal.response_reason == "예산이 부족합니다."
    assert len(notifications_of(db, lead[0], "match_declined")) == 1


def test_unapproved_member_company_cannot_lead(db, need):
    company = factories.make_company(size_class=SizeClass.LARGE,
                                     membership=MembershipStatus.PENDING)
    user = factories.make_user(role=Role.COMPANY, company=company)
    solution = factories.make_solution(company)
    partner_solution = factories.make_solution(factories.make_company())
    unit_of_work.commit()
    with pytest.raises(ServiceError):
        workflow.propose_consortium(user, need, solution, [partner_solution], None, "제안")


def test_the_active_proposal_index_covers_exactly_the_active_statuses():
    from app.models.workflow import ACTIVE_PROPOSAL_CONDITION

    named = set(re.findall(r"'([a-z_]+)'", ACTIVE_PROPOSAL_CONDITION))
    assert named == {status.value for status in workflow.ACTIVE_CONSORTIUM_STATUSES}


# --- particles in the composed messages ------------------------------------------------------


def test_match_messages_choose_particles_by_the_final_consonant(db, official, admin_user, need):
    with_final = factories.make_company(name="한빛")  # 빛: a final consonant → 이, 과
    staff = factories.make_user(role=Role.COMPANY, company=with_final)
    solution = factories.make_solution(with_final, title="한빛 교통 플랫폼")
    unit_of_work.commit()
    match = workflow.express_interest(official, need, solution, "함께 이야기하고 싶습니다.")
    unit_of_work.commit()
    request = notifications_of(db, staff, "match_request")[0]
    assert request.body.startswith("서울특별시 종로구가 관심을 표현했습니다")
    workflow.accept(staff, reload(db, Match, match.id))
    unit_of_work.commit()
    mutual = notifications_of(db, admin_user, "match_mutual")[0]
    assert "서울특별시 종로구와 한빛이 모두 수락했습니다." in mutual.body
    assert not re.search(r"\((가|과|이|와)\)", request.body + mutual.body)
