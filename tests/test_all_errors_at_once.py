"""Every form reports every problem in one answer (the form's own checks and the service's
rules together), and writes nothing."""
from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import func, select

from app.models import (
    Company,
    ConsortiumProposal,
    DeploymentReference,
    Match,
    Need,
    PendingRegistration,
    Role,
    SizeClass,
    Solution,
)
from app.services import unit_of_work
from tests import factories
from tests.test_company import company_form
from tests.test_needs import TODAY, valid_form
from tests.test_solutions import solution_form


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def assert_all_in(text: str, *messages: str) -> None:
    missing = [message for message in messages if message not in text]
    assert not missing, f"missing in the one answer: {missing}"


def test_company_form_reports_every_error_at_once(db, login):
    loner = factories.make_user(role=Role.COMPANY)
    taken = factories.make_company(name="이미있는기업")
    db.session.commit()
    before = count(db, Company)
    number = factories.valid_business_number(4242)
    wrong_check_digit = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = login(loner).post("/my/company/new", data=company_form(
        name=taken.name, business_number=wrong_check_digit, website="ftp://example",
        description=""))
    assert response.status_code == 400
    assert_all_in(page(response), "이미 등록된 기업명입니다", "유효하지 않은 사업자등록번호",
                  "http:// 또는 https://", "기업 소개를 입력하세요")
    assert count(db, Company) == before


def test_company_edit_reports_every_error_at_once(db, company_client, company):
    response = company_client.post("/my/company/edit", data=company_form(
        name="가", website="not a site", region_ids=[], version=str(company.version)))
    assert response.status_code == 400
    assert_all_in(page(response), "기업명은 2자 이상", "올바른 웹사이트 주소",
                  "사업 지역을 한 곳 이상 선택하세요")


def test_need_form_reports_a_past_deadline_with_the_other_errors(db, official_client, official):
    before = count(db, Need)
    response = official_client.post("/my/needs/new", data=valid_form(
        title="", budget_min="5억억", application_deadline=(TODAY - timedelta(days=1)).isoformat(),
        desired_start=(TODAY - timedelta(days=2)).isoformat()))
    assert response.status_code == 400
    assert_all_in(page(response), "제목을 입력하세요", "금액을 읽을 수 없습니다",
                  "신청 마감일은 오늘 이후", "희망 착수일은 오늘 이후")
    assert count(db, Need) == before


def test_need_edit_reports_every_error_at_once(db, official_client, official):
    need = factories.make_need(official)
    db.session.commit()
    response = official_client.post(f"/my/needs/{need.id}/edit", data=valid_form(
        description="짧음", budget_min="9억", budget_max="1억",
        application_deadline=(TODAY - timedelta(days=1)).isoformat(),
        status="open", version=str(need.version)))
    assert response.status_code == 400
    assert_all_in(page(response), "문제 설명은 20자 이상", "최대 예산은 최소 예산보다",
                  "신청 마감일은 오늘 이후")


def test_solution_form_reports_every_error_at_once(db, company_client, company):
    before = count(db, Solution)
    response = company_client.post("/my/solutions/new", data=solution_form(
        title="", tags=", ".join(f"태그{n}" for n in range(20)), price_min="1억",
        price_max="천만", region_ids=[]))
    assert response.status_code == 400
    assert_all_in(page(response), "솔루션명을 입력하세요", "태그는 15개까지",
                  "최고 가격은 최저 가격보다", "공급 가능 지역을 한 곳 이상")
    assert count(db, Solution) == before


def test_reference_form_reports_every_error_at_once(db, company_client, company, solution):
    before = count(db, DeploymentReference)
    response = company_client.post(f"/my/solutions/{solution.id}/references", data={
        "municipality_id": "", "year": "1980", "outcome": ""})
    assert response.status_code == 400
    assert_all_in(page(response), "도입 지자체를 선택하세요", "도입 연도는 1990년부터",
                  "도입 성과를 입력하세요")
    assert count(db, DeploymentReference) == before


def test_sign_up_reports_a_weak_password_with_the_other_errors(db, client, outbox):
    response = client.post("/auth/register", data={
        "role": "municipality", "email": "official@example.go.kr", "name": "김",
        "municipality_id": "", "password": "1234567890", "password_confirm": "1234567890"})
    assert response.status_code == 400
    assert_all_in(page(response), "이름은 2자 이상", "소속 지자체를 목록에서 선택하세요",
                  "너무 흔하거나 유출된", "개인정보 수집·이용에 동의해야")
    assert count(db, PendingRegistration) == 0 and not outbox


def test_password_change_reports_both_passwords_at_once(db, company_client, company_user):
    response = company_client.post("/auth/password", data={
        "current_password": "not-my-password", "password": "1234567890",
        "password_confirm": "1234567890"})
    assert response.status_code == 400
    assert_all_in(page(response), "현재 비밀번호가 올바르지 않습니다", "너무 흔하거나 유출된")
    db.session.expire_all()
    assert company_user.check_password(factories.PASSWORD)


def test_match_request_reports_every_error_at_once(db, official_client, solution, need):
    response = official_client.post(f"/matches/new?solution_id={solution.id}", data={
        "need_id": "", "solution_id": solution.id, "message": "010-1234-5678로 전화 주세요"})
    assert response.status_code == 400
    assert_all_in(page(response), "수요를 목록에서 선택하세요", "전화번호를 쓸 수 없습니다")
    assert count(db, Match) == 0


def test_consortium_form_reports_every_error_at_once(db, login, need):
    lead_company = factories.make_company(size_class=SizeClass.LARGE)
    lead_user = factories.make_user(role=Role.COMPANY, company=lead_company)
    unit_of_work.commit()
    response = login(lead_user).post(f"/matches/consortia/new?need_id={need.id}", data={
        "lead_solution_id": "", "message": "자세한 건 lead@corp.example.kr 로"})
    assert response.status_code == 400
    assert_all_in(page(response), "주관 솔루션을 선택하세요", "참여사 솔루션을 1~2개 선택하세요",
                  "이메일 주소를 쓸 수 없습니다")
    assert count(db, ConsortiumProposal) == 0
