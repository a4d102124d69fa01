"""The match pages over HTTP: the double opt-in journey, inboxes, expiry, consortia and review."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditLog,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    Notification,
    Role,
    Side,
    SizeClass,
)
from app.models.base import utcnow
from app.services import unit_of_work, workflow
from tests import factories

OFFICIAL_PHONE = "031-987-6543"
COMPANY_PHONE = "02-555-0199"


@pytest.fixture()
def phones(db, official, company_user):
    """Distinct phone numbers so the pages can be searched for them."""
    official.phone = OFFICIAL_PHONE
    company_user.phone = COMPANY_PHONE
    unit_of_work.commit()


@pytest.fixture()
def third_company_client(db, login):
    company = factories.make_company(size_class=SizeClass.SME)
    user = factories.make_user(role=Role.COMPANY, company=company)
    unit_of_work.commit()
    return login(user)


@pytest.fixture()
def third_official_client(db, login):
    user = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    unit_of_work.commit()
    return login(user)


def match_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Match.id)))


def only_match(db) -> Match:
    db.session.expire_all()
    return db.session.scalars(select(Match)).one()


def kinds_for(db, user) -> list[str]:
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the whole journey -----------------------------------------------------------------------


def test_official_to_company_to_admin_journey_reveals_contacts_only_after_approval(
        db, phones, official, official_client, company_user, company_client, admin_user,
        admin_client, need, solution, outbox):
    page = official_client.get(f"/matches/new?solution_id={solution.id}&score=0.81")
    assert page.status_code == 200
    assert need.title in text(page)
    response = official_client.post(
        f"/matches/new?solution_id={solution.id}",
        data={"need_id": need.id, "solution_id": solution.id, "score": "0.81",
              "message": "DRT 도입을 함께 논의하고 싶습니다."})
    assert response.status_code == 302
    match = only_match(db)
    assert response.headers["Location"].endswith(f"/matches/{match.id}")
    assert match.status == MatchStatus.PENDING and match.score == pytest.approx(0.81)
    assert kinds_for(db, company_user) == ["match_request"]
    assert any(m.to == company_user.email for m in outbox)

    inbox = text(company_client.get("/matches/"))
    assert f"/matches/{match.id}" in inbox
    outbox_page = text(official_client.get("/matches/outbox"))
    assert f"/matches/{match.id}" in outbox_page

    for client, other_email, other_phone in (
            (official_client, company_user.email, COMPANY_PHONE),
            (company_client, official.email, OFFICIAL_PHONE)):
        html = text(client.get(f"/matches/{match.id}"))
        assert other_email not in html and other_phone not in html
        assert 'data-testid="contacts-hidden"' in html

    assert company_client.post(f"/matches/{match.id}/accept").status_code == 302
    assert only_match(db).status == MatchStatus.MUTUAL
    assert "match_accepted" in kinds_for(db, official)
    assert "match_mutual" in kinds_for(db, admin_user)
    html = text(official_client.get(f"/matches/{match.id}"))
    assert company_user.email not in html and COMPANY_PHONE not in html

    admin_detail = text(admin_client.get(f"/matches/{match.id}"))
    assert f"/matches/{match.id}/approve" in admin_detail and f"/matches/{match.id}/reject" in admin_detail
    queue = text(admin_client.get("/matches/review"))
    assert need.title in queue and "DRT 도입을 함께 논의하고 싶습니다." in queue and "81%" in queue
    assert admin_client.post(f"/matches/{match.id}/approve",
                             data={"reason": "적합"}).status_code == 302
    assert only_match(db).status == MatchStatus.APPROVED
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "match.approve"))
    assert "match_approved" in kinds_for(db, official)
    assert "match_approved" in kinds_for(db, company_user)

    official_html = text(official_client.get(f"/matches/{match.id}"))
    assert company_user.email in official_html and COMPANY_PHONE in official_html
    company_html = text(company_client.get(f"/matches/{match.id}"))
    assert official.email in company_html and OFFICIAL_PHONE in company_html


def test_company_initiated_request_is_answered_by_the_municipality(
        db, official, official_client, company_user, company_client, need, solution):
    assert company_client.get(f"/matches/new?need_id={need.id}").status_code == 200
    response = company_client.post(f"/matches/new?need_id={need.id}",
                                   data={"need_id": need.id, "solution_id": solution.id,
                                         "message": "저희 솔루션이 적합합니다."})
    assert response.status_code == 302
    match = only_match(db)
    assert match.initiator_side == Side.COMPANY
    assert "match_request" in kinds_for(db, official)
    assert f"/matches/{match.id}" in text(official_client.get("/matches/"))
    # the company cannot accept its own request
    assert company_client.post(f"/matches/{match.id}/accept").status_code == 403
    assert official_client.post(f"/matches/{match.id}/accept").status_code == 302
    assert only_match(db).status == MatchStatus.MUTUAL


def test_decline_with_reason(db, official, company_user, company_client, need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    response = company_client.post(f"/matches/{match.id}/decline",
                                   data={"reason": "올해는 여력이 없습니다."})
    assert response.status_code == 302
    match = only_match(db)
    assert match.status == MatchStatus.DECLINED and match.response_reason == "올해는 여력이 없습니다."
    assert "match_declined" in kinds_for(db, official)
    assert "올해는 여력이 없습니다." in text(company_client.get(f"/matches/{match.id}"))


def test_decline_reason_too_long_is_a_400_with_nothing_written(
        db, official, company_client, need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    response = company_client.post(f"/matches/{match.id}/decline", data={"reason": "가" * 501})
    assert response.status_code == 400
    assert "사유는 500자 이하로 입력하세요." in text(response)
    assert only_match(db).status == MatchStatus.PENDING


def test_withdraw_by_the_requester_only(db, official, official_client, company_user,
                                        company_client, need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    assert company_client.post(f"/matches/{match.id}/withdraw").status_code == 403
    assert official_client.post(f"/matches/{match.id}/withdraw").status_code == 302
    assert only_match(db).status == MatchStatus.WITHDRAWN
    assert "match_withdrawn" in kinds_for(db, company_user)
    assert f"/matches/{match.id}" not in text(company_client.get("/matches/"))


def test_expiry_and_reminder_through_the_cli(db, runner, official, company_user, need, solution,
                                             outbox):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    soon = (utcnow() + timedelta(days=12)).isoformat()
    result = runner.invoke(args=["expire-requests", "--now", soon])
    assert result.exit_code == 0, result.output
    assert "기한 알림 1건" in result.output
    assert "match_reminder" in kinds_for(db, company_user)
    assert "match_reminder" not in kinds_for(db, official)
    later = (utcnow() + timedelta(days=15)).isoformat()
    result = runner.invoke(args=["expire-requests", "--now", later])
    assert result.exit_code == 0 and "매칭 요청 1건" in result.output
    assert only_match(db).status == MatchStatus.EXPIRED
    assert "match_expired" in kinds_for(db, official)
    assert any("만료" in mail.subject for mail in outbox if mail.to == official.email)


def test_cli_rejects_a_malformed_now(runner):
    result = runner.invoke(args=["expire-requests", "--now", "yesterday"])
    assert result.exit_code != 0 and "ISO 8601" in result.output


def test_an_overdue_request_reads_as_expired_and_only_the_job_writes_it(
        db, official, company_client, official_client, need, solution, runner):
    match = workflow.express_interest(official, need, solution, "메시지")
    match.expires_at = utcnow() - timedelta(hours=1)
    unit_of_work.commit()
    inbox = text(company_client.get("/matches/"))
    assert f"/matches/{match.id}" not in inbox
    assert f"/matches/{match.id}" not in text(official_client.get("/matches/outbox"))
    detail = text(company_client.get(f"/matches/{match.id}"))
    assert 'data-status="expired"' in detail and "/accept" not in detail
    expired = text(official_client.get("/matches/history?status=expired"))
    assert f"/matches/{match.id}\"" in expired
    assert only_match(db).status == MatchStatus.PENDING  # reading wrote nothing
    response = company_client.post(f"/matches/{match.id}/accept", follow_redirects=True)
    assert "응답 기한이 지난 요청입니다" in text(response)
    assert only_match(db).status == MatchStatus.PENDING
    result = runner.invoke(args=["expire-requests"])
    assert result.exit_code == 0 and "매칭 요청 1건" in result.output
    assert only_match(db).status == MatchStatus.EXPIRED
    assert kinds_for(db, official).count("match_expired") == 1


def test_history_filters_by_status_and_ignores_bad_values(db, official, official_client, need,
                                                          solution, company):
    other = factories.make_need(official, title="두 번째 수요")
    unit_of_work.commit()
    first = workflow.express_interest(official, need, solution, "메시지")
    second = workflow.express_interest(official, other, solution, "메시지")
    workflow.withdraw(official, second)
    unit_of_work.commit()
    withdrawn = text(official_client.get("/matches/history?status=withdrawn"))
    assert f"/matches/{second.id}\"" in withdrawn and f"/matches/{first.id}\"" not in withdrawn
    for query in ("?status=bogus", "?page=abc", "?page=-4"):
        response = official_client.get("/matches/history" + query)
        assert response.status_code == 200
        assert f"/matches/{first.id}\"" in text(response)


def test_empty_states(official_client, company_client):
    assert "응답을 기다리는 요청이 없습니다" in text(official_client.get("/matches/"))
    assert "확인을 기다리는 컨소시엄 참여 요청이 없습니다" in text(company_client.get("/matches/"))
    assert "응답을 기다리는 보낸 요청이 없습니다" in text(company_client.get("/matches/outbox"))


# --- access ----------------------------------------------------------------------------------


def test_login_required(client, db):
    for url in ("/matches/", "/matches/outbox", "/matches/history", "/matches/1",
                "/matches/new?solution_id=1", "/matches/review", "/matches/consortia/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    response = client.post("/matches/1/accept")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_third_organisations_get_403(db, official, need, solution, third_company_client,
                                     third_official_client):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    for client in (third_company_client, third_official_client):
        assert client.get(f"/matches/{match.id}").status_code == 403
        assert client.post(f"/matches/{match.id}/accept").status_code == 403
        assert client.post(f"/matches/{match.id}/decline", data={"reason": ""}).status_code == 403
        assert client.post(f"/matches/{match.id}/withdraw").status_code == 403
    assert only_match(db).status == MatchStatus.PENDING


def test_wrong_roles_get_403(db, official, official_client, company_client, admin_client,
                             need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    assert official_client.get("/matches/review").status_code == 403
    assert company_client.post(f"/matches/{match.id}/approve").status_code == 403
    assert admin_client.get(f"/matches/new?solution_id={solution.id}").status_code == 403
    assert admin_client.post(f"/matches/{match.id}/accept").status_code == 403
    assert official_client.get(f"/matches/consortia/new?need_id={need.id}").status_code == 403


def test_missing_ids_get_404(official_client, company_client, admin_client, db):
    assert official_client.get("/matches/999999").status_code == 404
    assert official_client.post("/matches/999999/accept").status_code == 404
    assert admin_client.post("/matches/999999/approve").status_code == 404
    assert official_client.get("/matches/new?solution_id=999999").status_code == 404
    assert official_client.get("/matches/new?solution_id=abc").status_code == 404
    assert company_client.get("/matches/new").status_code == 404
    assert company_client.get("/matches/consortia/999999").status_code == 404


# --- bad input on the request form ----------------------------------------------------------


def test_message_too_long_is_a_400_and_nothing_is_written(db, official_client, need, solution):
    response = official_client.post(f"/matches/new?solution_id={solution.id}",
                                    data={"need_id": need.id, "solution_id": solution.id,
                                          "message": "가" * 1001})
    assert response.status_code == 400
    assert "메시지는 1000자 이하로 입력하세요." in text(response)
    assert match_count(db) == 0


def test_missing_message_and_unknown_need_are_field_errors(db, official_client, solution):
    response = official_client.post(f"/matches/new?solution_id={solution.id}",
                                    data={"need_id": "999999", "solution_id": solution.id,
                                          "message": ""})
    assert response.status_code == 400
    assert "상대방에게 보낼 메시지를 입력하세요." in text(response)
    response = official_client.post(f"/matches/new?solution_id={solution.id}",
                                    data={"need_id": "999999", "solution_id": solution.id,
                                          "message": "안녕하세요"})
    assert response.status_code == 400 and "수요를 목록에서 선택하세요." in text(response)
    assert match_count(db) == 0


def test_double_interest_is_a_friendly_400(db, official, official_client, company_client, need,
                                           solution):
    workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    response = company_client.post(f"/matches/new?need_id={need.id}",
                                   data={"need_id": need.id, "solution_id": solution.id,
                                         "message": "저희도 관심 있습니다."})
    assert response.status_code == 400
    assert "이미 매칭 요청이 있습니다" in text(response)
    assert match_count(db) == 1


def test_closed_need_refuses_new_interest(db, need, company_client, solution):
    from app.models import NeedStatus

    need.status = NeedStatus.CLOSED
    unit_of_work.commit()
    response = company_client.post(f"/matches/new?need_id={need.id}",
                                   data={"need_id": need.id, "solution_id": solution.id,
                                         "message": "제안합니다."})
    assert response.status_code == 400
    assert "모집 중인 공개 수요에만" in text(response)
    assert match_count(db) == 0


# --- admin review ----------------------------------------------------------------------------


def _mutual_match(db, official, company_user, need, solution) -> Match:
    match = workflow.express_interest(official, need, solution, "메시지")
    workflow.accept(company_user, match)
    unit_of_work.commit()
    return match


def test_reject_without_reason_is_a_400_then_with_reason_works(
        db, official, official_client, company_user, admin_client, need, solution):
    match = _mutual_match(db, official, company_user, need, solution)
    response = admin_client.post(f"/matches/{match.id}/reject", data={"reason": ""})
    assert response.status_code == 400 and "사유를 입력하세요." in text(response)
    assert only_match(db).status == MatchStatus.MUTUAL
    response = admin_client.post(f"/matches/{match.id}/reject", data={"reason": "중복 신청"})
    assert response.status_code == 302
    assert only_match(db).status == MatchStatus.REJECTED
    assert "match_rejected" in kinds_for(db, official)
    assert company_user.email not in text(official_client.get(f"/matches/{match.id}"))


def test_approving_a_pending_match_is_refused(db, official, admin_client, need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    response = admin_client.post(f"/matches/{match.id}/approve", data={"reason": ""})
    assert response.status_code == 400
    assert "이 작업을 할 수 없습니다" in text(response)  # told why, though it is not in the queue
    assert only_match(db).status == MatchStatus.PENDING


def test_review_queue_empty_state(admin_client, db):
    page = text(admin_client.get("/matches/review"))
    assert "검토를 기다리는 매칭이 없습니다" in page
    assert admin_client.get("/matches/").status_code == 302


# --- consortia -------------------------------------------------------------------------------


@pytest.fixture()
def lead(db, login):
    company = factories.make_company(size_class=SizeClass.LARGE)
    user = factories.make_user(role=Role.COMPANY, company=company)
    solution = factories.make_solution(company, title="통합 교통 관제 플랫폼")
    unit_of_work.commit()
    return user, solution, login(user)


def test_consortium_journey_over_http(db, lead, company_user, company_client, solution, need,
                                      official, official_client, admin_client):
    lead_user, lead_solution, lead_client = lead
    form = lead_client.get(f"/matches/consortia/new?need_id={need.id}"
                           f"&lead_solution_id={lead_solution.id}&partner_solution_id={solution.id}")
    assert form.status_code == 200 and solution.title in text(form)
    response = lead_client.post(f"/matches/consortia/new?need_id={need.id}",
                                data={"lead_solution_id": lead_solution.id,
                                      "partner_solution_ids": [solution.id],
                                      "message": "함께 제안합니다."})
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    proposal = db.session.scalars(select(ConsortiumProposal)).one()
    assert proposal.status == ConsortiumStatus.AWAITING_PARTNERS
    assert "consortium_invitation" in kinds_for(db, company_user)
    assert f"/matches/consortia/{proposal.id}" in text(company_client.get("/matches/"))
    assert official_client.get(f"/matches/consortia/{proposal.id}").status_code == 403
    assert f"/matches/consortia/{proposal.id}" not in text(official_client.get("/matches/"))

    assert company_client.post(f"/matches/consortia/{proposal.id}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsortiumProposal, proposal.id).status == ConsortiumStatus.SUBMITTED
    assert f"/matches/consortia/{proposal.id}" in text(official_client.get("/matches/"))
    assert lead_client.post(f"/matches/consortia/{proposal.id}/accept").status_code == 403
    assert official_client.post(f"/matches/consortia/{proposal.id}/accept").status_code == 302
    html = text(official_client.get(f"/matches/consortia/{proposal.id}"))
    assert lead_user.email not in html
    assert f"/matches/consortia/{proposal.id}/approve" in text(
        admin_client.get(f"/matches/consortia/{proposal.id}"))
    assert f"/matches/consortia/{proposal.id}/approve" in text(admin_client.get("/matches/review"))
    assert admin_client.post(f"/matches/consortia/{proposal.id}/approve",
                             data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsortiumProposal, proposal.id).status == ConsortiumStatus.APPROVED
    html = text(official_client.get(f"/matches/consortia/{proposal.id}"))
    assert lead_user.email in html and company_user.email in html


def test_consortium_partner_decline_and_bad_input(db, lead, company_client, solution, need):
    lead_user, lead_solution, lead_client = lead
    response = lead_client.post(f"/matches/consortia/new?need_id={need.id}",
                                data={"lead_solution_id": lead_solution.id,
                                      "message": "함께 제안합니다."})
    assert response.status_code == 400 and "참여사 솔루션을 1~2개 선택하세요." in text(response)
    assert db.session.scalar(select(func.count(ConsortiumProposal.id))) == 0
    proposal = workflow.propose_consortium(lead_user, need, lead_solution, [solution], None,
                                           "제안")
    unit_of_work.commit()
    response = company_client.post(f"/matches/consortia/{proposal.id}/partner-decline",
                                   data={"reason": "여력이 없습니다."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsortiumProposal, proposal.id).status == \
        ConsortiumStatus.PARTNER_DECLINED
    assert "consortium_update" in kinds_for(db, lead_user)


def test_a_startup_sees_the_lead_size_notice(db, company_client, need):
    page = company_client.get(f"/matches/consortia/new?need_id={need.id}")
    assert page.status_code == 200
    assert "대기업·중견기업이 주관하여" in text(page)


# --- catalogue blocks ------------------------------------------------------------------------


def test_catalogue_pages_link_to_express_interest(db, official_client, company_client, need,
                                                  solution):
    solution_page = text(official_client.get(f"/solutions/{solution.id}"))
    assert f"/matches/new?solution_id={solution.id}" in solution_page
    need_page = text(company_client.get(f"/needs/{need.id}"))
    assert f"/matches/new?need_id={need.id}" in need_page


def test_profiles_show_response_rate_and_median_time(db, client, official, company, company_user,
                                                     need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    match.created_at = utcnow() - timedelta(hours=5)
    unit_of_work.commit()
    workflow.accept(company_user, match)
    unit_of_work.commit()
    page = text(client.get(f"/companies/{company.id}"))
    assert 'data-testid="response-rate">100%' in page
    assert "5.0시간" in page
    municipality_page = text(client.get(f"/municipalities/{official.municipality_id}"))
    assert "아직 응답 기록이 없습니다" in municipality_page


# --- one label per status --------------------------------------------------------------------


def test_a_status_reads_the_same_on_every_page(db, official, official_client, company_user,
                                               admin_client, need, solution):
    match = _mutual_match(db, official, company_user, need, solution)
    mutual = "상호 수락 · 관리자 검토 중"
    pages = [text(official_client.get(f"/matches/{match.id}")),
             text(official_client.get("/matches/history")),
             text(admin_client.get("/matches/review")),
             text(admin_client.get("/admin/dashboard/"))]
    for page in pages:
        assert mutual in page
        assert "상호 수락 · 검토 대기" not in page and "상호 수락 (검토 대기)" not in page


def test_consortium_confirmations_use_the_confirmation_labels(db, lead, company_client, solution,
                                                              need):
    lead_user, lead_solution, lead_client = lead
    proposal = workflow.propose_consortium(lead_user, need, lead_solution, [solution], None,
                                           "제안")
    unit_of_work.commit()
    page = text(lead_client.get(f"/matches/consortia/{proposal.id}"))
    assert 'data-confirmation="confirmed">참여 확인<' in page
    assert 'data-confirmation="pending">확인 대기<' in page


# --- the buttons are the allowed actions -----------------------------------------------------

MATCH_ACTION_URLS = {"accept": "/matches/{id}/accept", "decline": "/matches/{id}/decline",
                     "withdraw": "/matches/{id}/withdraw", "approve": "/matches/{id}/approve",
                     "reject": "/matches/{id}/reject"}


def _offered(page: str, match_id: int) -> set[str]:
    return {action for action, url in MATCH_ACTION_URLS.items()
            if f'"{url.format(id=match_id)}"' in page}


def test_a_match_page_offers_exactly_the_allowed_actions(db, official, official_client,
                                                        company_user, company_client,
                                                        admin_user, admin_client, need, solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    viewers = [(official, official_client), (company_user, company_client),
               (admin_user, admin_client)]
    expected_pending = [{"withdraw"}, {"accept", "decline"}, set()]
    for (user, client), expected in zip(viewers, expected_pending):
        assert workflow.allowed_actions(user, match) == expected
        assert _offered(text(client.get(f"/matches/{match.id}")), match.id) == expected

    assert company_client.post(f"/matches/{match.id}/accept").status_code == 302
    db.session.expire_all()
    match = db.session.get(Match, match.id)
    for (user, client), expected in zip(viewers, [set(), set(), {"approve", "reject"}]):
        assert workflow.allowed_actions(user, match) == expected
        assert _offered(text(client.get(f"/matches/{match.id}")), match.id) == expected
    # an action not offered is refused and changes nothing
    official_client.post(f"/matches/{match.id}/withdraw")
    assert only_match(db).status == MatchStatus.MUTUAL


def test_a_consortium_page_offers_exactly_the_allowed_actions(db, lead, company_user,
                                                             company_client, official,
                                                             official_client, solution, need):
    lead_user, lead_solution, lead_client = lead
    proposal = workflow.propose_consortium(lead_user, need, lead_solution, [solution], None,
                                           "제안")
    unit_of_work.commit()
    base = f"/matches/consortia/{proposal.id}"
    urls = {"confirm": f"{base}/confirm", "partner_decline": f"{base}/partner-decline",
            "accept": f"{base}/accept", "decline": f"{base}/decline",
            "withdraw": f"{base}/withdraw"}

    def offered(client):
        page = text(client.get(base))
        return {action for action, url in urls.items() if f'"{url}"' in page}

    assert workflow.allowed_actions(lead_user, proposal) == {"withdraw"} == offered(lead_client)
    assert workflow.allowed_actions(company_user, proposal) == {"confirm", "partner_decline"}
    assert offered(company_client) == {"confirm", "partner_decline"}
    assert workflow.allowed_actions(official, proposal) == frozenset()  # not submitted yet

    assert company_client.post(f"{base}/confirm").status_code == 302
    db.session.expire_all()
    proposal = db.session.get(ConsortiumProposal, proposal.id)
    assert workflow.allowed_actions(company_user, proposal) == frozenset() == offered(company_client)
    assert workflow.allowed_actions(official, proposal) == {"accept", "decline"}
    assert offered(official_client) == {"accept", "decline"}
    assert offered(lead_client) == {"withdraw"}


# --- the timeline speaks from the reader's side ----------------------------------------------


def _timeline(page: str) -> str:
    start = page.index('id="timeline-heading"')
    return page[start:page.index("</section>", start)]


def test_the_timeline_reads_we_and_the_other_side_from_each_side(
        db, official, official_client, company_user, company_client, admin_client, need,
        solution):
    match = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    assert company_client.post(f"/matches/{match.id}/accept").status_code == 302

    official_view = _timeline(text(official_client.get(f"/matches/{match.id}")))
    assert "우리가 관심을 표현했습니다." in official_view
    assert "상대방이 수락했습니다." in official_view and "우리가 수락했습니다." not in official_view

    company_view = _timeline(text(company_client.get(f"/matches/{match.id}")))
    assert "상대방이 관심을 표현했습니다." in company_view
    assert "우리가 수락했습니다." in company_view and "상대방이 수락했습니다." not in company_view

    admin_view = _timeline(text(admin_client.get(f"/matches/{match.id}")))
    assert "지자체가 관심을 표현했습니다." in admin_view and "기업이 수락했습니다." in admin_view


def test_a_withdrawal_and_a_decline_read_from_each_side(db, official, official_client,
                                                        company_user, company_client, need,
                                                        solution):
    withdrawn = workflow.express_interest(official, need, solution, "메시지")
    unit_of_work.commit()
    assert official_client.post(f"/matches/{withdrawn.id}/withdraw").status_code == 302
    assert "우리가 요청을 철회했습니다." in _timeline(
        text(official_client.get(f"/matches/{withdrawn.id}")))
    assert "상대방이 요청을 철회했습니다." in _timeline(
        text(company_client.get(f"/matches/{withdrawn.id}")))

    declined = workflow.express_interest(company_user, need, factories.make_solution(
        company_user.company, title="두 번째 솔루션"), "메시지")
    unit_of_work.commit()
    assert official_client.post(f"/matches/{declined.id}/decline",
                                data={"reason": "예산 부족"}).status_code == 302
    official_view = _timeline(text(official_client.get(f"/matches/{declined.id}")))
    assert "우리가 거절했습니다." in official_view and "예산 부족" in official_view
    assert "상대방이 거절했습니다." in _timeline(
        text(company_client.get(f"/matches/{declined.id}")))
