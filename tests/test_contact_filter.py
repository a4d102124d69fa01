"""Messages before approval may not carry phone numbers, e-mail addresses or web addresses."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import ConsortiumProposal, Match, MatchStatus, Notification, Role, SizeClass
from app.services import unit_of_work, workflow
from app.services.contact_filter import ContactKind, find_contact_details
from tests import factories

PHONES = ["010-1234-5678", "010 1234 5678", "01012345678", "010.1234.5678",
          "0 1 0 - 1 2 3 4 - 5 6 7 8", "02 123 4567", "(02) 123-4567", "031-987-6543",
          "+82 10 1234 5678", "+82-2-123-4567", "+82 (0)10-1234-5678", "070-1234-5678",
          "대표번호 1588-1234", "０１０－１２３４－５６７８", "전화 010-1234-5678로 주세요"]
EMAILS = ["kim@city.go.kr", "kim @ naver . com", "kim(at)naver(dot)com", "kim 골뱅이 naver 닷 com",
          "kim at naver dot com", "연락처kim@naver.com", "ＫＩＭ＠ＮＡＶＥＲ．ＣＯＭ"]
URLS = ["https://example.kr", "http://x.y", "hxxps://evil", "www.example.co.kr",
        "홈페이지naver.com으로 오세요", "open.kakao.com/o/abc", "example[.]com", "smartcity.io"]
ORDINARY = ["예산은 3억 5천만 원입니다.", "사업 기간 2024-2028년", "2024.03.15에 착수", "예산 1500-2000만 원",
            "1600-1800 사이의 가구", "50,000,000원", "0.5 1.2 3.4 5.6 7.8", "03-15 회의", "버전 2.0.1",
            "Node.js 기반", "data at scale. Co-design", "5G 10 1234", "10-20% 절감",
            "2026.01.02 ~ 2026.12.31", "전화로 연락드리겠습니다", "이메일로 보내겠습니다", "1,500-2,000대",
            "주민 2,300명", "예산 3억 원 (2025-2027)", "ASP.NET 기반", "총 120대 (2024.1~2025.12)", "0 - 10 - 20 - 30 - 40 - 50"]


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_are_found(text):
    assert find_contact_details(text) is ContactKind.PHONE


@pytest.mark.parametrize("text", EMAILS)
def test_email_addresses_are_found(text):
    assert find_contact_details(text) is ContactKind.EMAIL


@pytest.mark.parametrize("text", URLS)
def test_web_addresses_are_found(text):
    assert find_contact_details(text) is ContactKind.URL


@pytest.mark.parametrize("text", ORDINARY)
def test_budgets_years_dates_and_prose_are_not_contact_details(text):
    assert find_contact_details(text) is None


def counts(db) -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Match.id))),
            db.session.scalar(select(func.count(Notification.id))))


@pytest.mark.parametrize("message, refusal", [
    ("자세한 내용은 010-1234-5678로 전화 주세요.", "전화번호를 쓸 수 없습니다"),
    ("담당자 이메일: kim 골뱅이 naver 닷 com", "이메일 주소를 쓸 수 없습니다"),
    ("소개 자료: https://example.kr/deck", "웹 주소(URL)를 쓸 수 없습니다"),
])
def test_interest_with_contact_details_is_refused_and_writes_nothing(
        db, official_client, need, solution, message, refusal):
    before = counts(db)
    response = official_client.post(f"/matches/new?solution_id={solution.id}",
                                    data={"need_id": need.id, "solution_id": solution.id,
                                          "message": message})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert refusal in page and "관리자가 승인한 뒤에 공개됩니다" in page
    assert counts(db) == before


def test_company_interest_with_an_email_is_refused_in_english(db, company_client, need, solution):
    response = company_client.post(f"/matches/new?need_id={need.id}",
                                   data={"need_id": need.id, "solution_id": solution.id,
                                         "message": "Write to sales@example.com"},
                                   headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "may not contain e-mail addresses" in response.get_data(as_text=True)
    assert counts(db)[0] == 0


def test_interest_with_budget_and_years_is_sent(db, official_client, need, solution):
    message = "예산 3억 5천만 원, 사업 기간 2024-2028년, 2025.03.15 착수 예정입니다."
    response = official_client.post(f"/matches/new?solution_id={solution.id}",
                                    data={"need_id": need.id, "solution_id": solution.id,
                                          "message": message})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Match)).one().message == message


def test_decline_reason_with_a_phone_number_is_refused(db, official, company_client, need,
                                                       solution):
    match = workflow.express_interest(official, need, solution, "관심 있습니다.")
    unit_of_work.commit()
    response = company_client.post(f"/matches/{match.id}/decline",
                                   data={"reason": "대신 02 123 4567로 연락 주세요"})
    assert response.status_code == 400
    assert "전화번호를 쓸 수 없습니다" in response.get_data(as_text=True)
    db.session.expire_all()
    refused = db.session.get(Match, match.id)
    assert refused.status == MatchStatus.PENDING and refused.response_reason is None


def test_consortium_message_with_a_url_is_refused(db, login, company_user, solution, need):
    lead_company = factories.make_company(size_class=SizeClass.LARGE)
    lead_user = factories.make_user(role=Role.COMPANY, company=lead_company)
    lead_solution = factories.make_solution(lead_company, title="통합 교통 관제 플랫폼")
    unit_of_work.commit()
    response = login(lead_user).post(f"/matches/consortia/new?need_id={need.id}",
                                     data={"lead_solution_id": lead_solution.id,
                                           "partner_solution_ids": [solution.id],
                                           "message": "함께 제안합니다. www.lead-corp.kr 참고"})
    assert response.status_code == 400
    assert "웹 주소(URL)를 쓸 수 없습니다" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ConsortiumProposal.id))) == 0
