"""Outcome tracking after approval (app/services/outcomes.py): the table, double confirmation,
stalled reminders, verified references and the admins' page."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from sqlalchemy import func, select

from app.models import (
    MatchOutcome,
    Notification,
    OutcomeStage,
    OutcomeStep,
    ProcurementRoute,
    Role,
    StepStatus,
)
from app.models.base import utcnow
from app.services import outcomes, recommendations, unit_of_work, workflow
from app.services.errors import PermissionDenied, ServiceError
from tests import factories

S = OutcomeStage
ALLOWED = {(S.NEGOTIATING, S.POC), (S.NEGOTIATING, S.CONTRACTED), (S.POC, S.CONTRACTED),
           (S.CONTRACTED, S.OPERATING), (S.NEGOTIATING, S.STOPPED), (S.POC, S.STOPPED),
           (S.CONTRACTED, S.STOPPED)}


def step_input(to: OutcomeStage, **overrides) -> outcomes.StepInput:
    """Valid facts for a step to `to`."""
    values = {"happened_on": date.today(), "note": "진행 메모"}
    if to == S.CONTRACTED:
        values |= {"procurement_route": ProcurementRoute.INNOVATION_PRODUCT, "amount": 45_000_000}
    if to == S.STOPPED:
        values |= {"note": "예산이 확보되지 않았습니다."}
    values |= overrides
    return outcomes.StepInput(to, **values)


@pytest.fixture()
def approved(db, official, company_user, need, solution, admin_user):
    match = workflow.express_interest(official, need, solution, "도입을 검토합니다.")
    workflow.accept(company_user, match)
    workflow.approve(admin_user, match)
    unit_of_work.commit()
    return match


def move(match, to, proposer, confirmer):
    step = outcomes.propose_step(proposer, match, step_input(to))
    outcomes.confirm_step(confirmer, match, step.id)
    unit_of_work.commit()
    return step


PATHS = {S.NEGOTIATING: [], S.POC: [S.POC], S.CONTRACTED: [S.CONTRACTED],
         S.OPERATING: [S.CONTRACTED, S.OPERATING], S.STOPPED: [S.STOPPED]}


def bring_to(match, stage, official, company_user):
    for to in PATHS[stage]:
        move(match, to, official, company_user)


# --- the table -------------------------------------------------------------------------------


def test_the_table_is_exactly_the_documented_life_cycle():
    table = {(start, to) for to, starts in outcomes.OUTCOME_TRANSITIONS.items() for start in starts}
    assert table == ALLOWED
    assert outcomes.next_stages(S.OPERATING) == [] and outcomes.next_stages(S.STOPPED) == []


@pytest.mark.parametrize(("start", "to"), sorted(product(S, S), key=lambda p: (p[0].value, p[1].value)))
def test_every_transition_is_allowed_or_refused_by_the_table(db, approved, official, company_user,
                                                               start, to):
    bring_to(approved, start, official, company_user)
    assert outcomes.stage_of(approved) == start
    if (start, to) in ALLOWED:
        move(approved, to, company_user, official)
        assert outcomes.stage_of(approved) == to
    else:
        with pytest.raises(ServiceError):
            outcomes.propose_step(company_user, approved, step_input(to))
        db.session.rollback()
        assert outcomes.stage_of(approved) == start
        assert db.session.scalar(select(func.count()).select_from(OutcomeStep).where(
            OutcomeStep.status == StepStatus.PROPOSED)) == 0


# --- double confirmation -----------------------------------------------------------------------


def test_a_step_counts_only_once_the_other_side_confirms(db, approved, official, company_user):
    step = outcomes.propose_step(official, approved, step_input(S.POC))
    unit_of_work.commit()
    assert outcomes.stage_of(approved) == S.NEGOTIATING
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == company_user.id, Notification.kind == "outcome_step")).all()
    assert len(notes) == 1
    with pytest.raises(ServiceError, match="상대방이 확인"):
        outcomes.confirm_step(official, approved, step.id)
    db.session.rollback()
    outcomes.confirm_step(company_user, approved, step.id)
    unit_of_work.commit()
    assert outcomes.stage_of(approved) == S.POC


def test_the_other_side_rejects_with_a_reason_and_nothing_moves(db, approved, official,
                                                                company_user):
    step = outcomes.propose_step(company_user, approved, step_input(S.CONTRACTED))
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="거절 사유"):
        outcomes.reject_step(official, approved, step.id, "  ")
    db.session.rollback()
    outcomes.reject_step(official, approved, step.id, "계약 금액이 다릅니다.")
    unit_of_work.commit()
    assert outcomes.stage_of(approved) == S.NEGOTIATING
    assert db.session.get(OutcomeStep, step.id).status == StepStatus.REJECTED
    # the way is open again for a corrected proposal
    outcomes.propose_step(company_user, approved, step_input(S.CONTRACTED, amount=40_000_000))


def test_one_open_proposal_at_a_time(db, approved, official, company_user):
    outcomes.propose_step(official, approved, step_input(S.POC))
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="기다리는 단계"):
        outcomes.propose_step(company_user, approved, step_input(S.STOPPED))


def test_a_stale_step_id_is_refused(db, approved, official, company_user):
    step = outcomes.propose_step(official, approved, step_input(S.POC))
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="이미 처리"):
        outcomes.confirm_step(company_user, approved, step.id + 1)


def test_only_the_parties_of_an_approved_match_act(db, approved, official, company_user, need,
                                                   solution):
    stranger = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    with pytest.raises(PermissionDenied):
        outcomes.propose_step(stranger, approved, step_input(S.POC))
    other_need = factories.make_need(official, title="다른 수요")
    pending = workflow.express_interest(official, other_need, solution, "검토합니다.")
    with pytest.raises(ServiceError, match="승인한 매칭만"):
        outcomes.propose_step(official, pending, step_input(S.POC))


@pytest.mark.parametrize(("to", "overrides", "field"), [
    (S.POC, {"happened_on": None}, "happened_on"),
    (S.POC, {"happened_on": date(1999, 12, 31)}, "happened_on"),
    (S.CONTRACTED, {"procurement_route": None}, "procurement_route"),
    (S.CONTRACTED, {"amount": None}, "amount"),
    (S.CONTRACTED, {"amount": -1}, "amount"),
    (S.CONTRACTED, {"amount": 10**12 + 1}, "amount"),
    (S.STOPPED, {"note": ""}, "note"),
    (S.POC, {"note": "가" * 501}, "note"),
])
def test_bad_facts_are_refused_by_field_and_store_nothing(db, approved, official, to, overrides,
                                                          field):
    with pytest.raises(ServiceError) as refused:
        outcomes.propose_step(official, approved, step_input(to, **overrides))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutcomeStep)) == 0


def test_the_contract_facts_are_kept_on_the_outcome(db, approved, official, company_user):
    move(approved, S.CONTRACTED, company_user, official)
    outcome = outcomes.outcome_of(approved)
    assert outcome.procurement_route == ProcurementRoute.INNOVATION_PRODUCT
    assert outcome.contract_amount == 45_000_000 and outcome.contracted_on == date.today()


# --- over HTTP -------------------------------------------------------------------------------


def test_the_pages_propose_confirm_and_refuse_bad_input(db, approved, login, official,
                                                        company_user):
    company = login(company_user)
    page = company.get(f"/matches/{approved.id}/outcome")
    assert page.status_code == 200 and "다음 단계 제안" in page.get_data(as_text=True)
    bad = company.post(f"/matches/{approved.id}/outcome/propose",
                       data={"to_stage": "contracted", "happened_on": "2026-01-05",
                             "procurement_route": "open_tender", "amount": "-5"})
    assert bad.status_code == 400
    assert "0 이상으로 입력하세요" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutcomeStep)) == 0
    good = company.post(f"/matches/{approved.id}/outcome/propose",
                        data={"to_stage": "poc", "happened_on": date.today().isoformat(),
                              "amount": "300만 원", "note": "시범 운영"})
    assert good.status_code == 302
    step_id = db.session.scalar(select(OutcomeStep.id))
    municipality = login(official)
    assert "단계 확인" in municipality.get(f"/matches/{approved.id}/outcome").get_data(as_text=True)
    confirmed = municipality.post(f"/matches/{approved.id}/outcome/confirm",
                                  data={"step_id": str(step_id)})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert outcomes.stage_of(approved) == S.POC
    detail = municipality.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert f"/matches/{approved.id}/outcome" in detail


def test_english_error_for_a_missing_reason(db, approved, login, official, company_user):
    step = outcomes.propose_step(official, approved, step_input(S.POC))
    unit_of_work.commit()
    client = login(company_user)
    client.post("/locale", data={"locale": "en", "next": "/"})
    response = client.post(f"/matches/{approved.id}/outcome/reject",
                           data={"step_id": str(step.id), "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for rejecting." in response.get_data(as_text=True)
    assert db.session.get(OutcomeStep, step.id).status == StepStatus.PROPOSED


# --- stalled matches ---------------------------------------------------------------------------


def test_a_stalled_match_reminds_both_sides_once_until_the_next_step(app, db, approved, official,
                                                                     company_user):
    days = app.config["OUTCOME_STALL_DAYS"]
    later = utcnow() + timedelta(days=days + 1)
    assert outcomes.remind_stalled(later) == 1
    assert outcomes.remind_stalled(later) == 0  # claimed once
    unit_of_work.commit()
    for user in (official, company_user):
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.kind == "outcome_reminder")) == 1
    outcome = db.session.scalar(select(MatchOutcome))
    activity = later + timedelta(hours=1)
    outcome.last_activity_at = activity  # a new step re-arms the reminder
    unit_of_work.commit()
    assert outcomes.remind_stalled(activity + timedelta(days=days) - timedelta(minutes=1)) == 0
    assert outcomes.remind_stalled(activity + timedelta(days=days, minutes=1)) == 1


def test_a_fresh_match_is_not_stalled(db, approved):
    assert outcomes.remind_stalled() == 0


def test_the_periodic_task_sends_the_reminders(app, db, approved, official):
    from app import tasks

    approved.reviewed_at = utcnow() - timedelta(days=app.config["OUTCOME_STALL_DAYS"] + 2)
    unit_of_work.commit()
    tasks.remind_stalled_outcomes()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == official.id, Notification.kind == "outcome_reminder")) == 1


def test_admins_see_where_matches_stop(app, db, approved, official, company_user, admin_client,
                                       login):
    move(approved, S.POC, official, company_user)
    figures = {row.stage: row for row in outcomes.overview()}
    assert figures[S.POC].count == 1 and figures[S.NEGOTIATING].count == 0
    assert figures[S.NEGOTIATING].median_days is not None
    later = utcnow() + timedelta(days=app.config["OUTCOME_STALL_DAYS"] + 1)
    assert {row.stage: row.stalled for row in outcomes.overview(later)}[S.POC] == 1
    page = admin_client.get("/matches/outcomes")
    assert page.status_code == 200 and 'data-stage="poc"' in page.get_data(as_text=True)
    assert login(official).get("/matches/outcomes").status_code == 403


# --- verified references -----------------------------------------------------------------------


def test_a_confirmed_contract_is_a_verified_reference_on_the_public_pages(
        db, approved, official, company_user, client, solution):
    page = client.get(f"/solutions/{solution.id}").get_data(as_text=True)
    assert "아직 검증된 도입 실적이 없습니다." in page
    move(approved, S.CONTRACTED, company_user, official)
    page = client.get(f"/solutions/{solution.id}").get_data(as_text=True)
    assert 'data-testid="verified-references"' in page and "양측 확인" in page
    assert "45,000,000" not in page  # the amount stays between the parties
    company_page = client.get(f"/companies/{solution.company_id}").get_data(as_text=True)
    assert 'class="list-group-item border-success verified-reference"' in company_page


def test_a_stopped_deployment_is_no_reference(db, approved, official, company_user, solution):
    move(approved, S.CONTRACTED, company_user, official)
    assert len(outcomes.verified_references_of_solution(solution)) == 1
    move(approved, S.STOPPED, official, company_user)
    assert outcomes.verified_references_of_solution(solution) == []


def test_a_verified_reference_reaches_the_engine(db, approved, official, company_user, solution):
    assert recommendations.solution_record(solution)["verified_references"] == []
    move(approved, S.CONTRACTED, company_user, official)
    record = recommendations.solution_record(solution)
    assert [place["id"] for place in record["verified_references"]] == [official.municipality_id]


def test_the_contract_amount_is_typed_the_korean_way(db, approved, login, company_user):
    company = login(company_user)
    response = company.post(f"/matches/{approved.id}/outcome/propose",
                            data={"to_stage": "contracted", "happened_on": date.today().isoformat(),
                                  "procurement_route": "open_tender", "amount": "1억 2천만 원"})
    assert response.status_code == 302
    assert db.session.scalar(select(OutcomeStep.amount)) == 120_000_000
