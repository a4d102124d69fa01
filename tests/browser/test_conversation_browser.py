"""After approval, in a real browser: a message with an attachment, a meeting proposal, the other
side's unread badge, accepting a slot and downloading the invitation."""
from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from app.formatting import SEOUL
from app.models import Role
from app.services import workflow
from tests import factories
from tests.browser.test_journeys import Party, flash, in_app, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def make_approved_match(live_server):
    def build():
        company = factories.make_company(name="대화 모빌리티")
        staff = factories.make_user(role=Role.COMPANY, company=company)
        solution = factories.make_solution(company, title="대화 DRT 배차 플랫폼")
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name="서울특별시 중구")
        admin = factories.make_user(role=Role.ADMIN)
        need = factories.make_need(official, title="대화 수요응답형 버스 도입")
        match = workflow.express_interest(official, need, solution, "도입을 함께 검토하고 싶습니다.")
        workflow.accept(staff, match)
        workflow.approve(admin, match)
        return match.id, Party(official.email), Party(staff.email)
    return in_app(live_server, build)


def test_message_with_attachment_and_an_accepted_meeting(live_server, new_page, screenshot,
                                                         tmp_path):
    match_id, official, staff = make_approved_match(live_server)
    start = (datetime.now(SEOUL) + timedelta(days=5)).replace(hour=10, minute=0)

    company_page = new_page()
    sign_in(company_page, staff.email)
    company_page.goto(f"/matches/{match_id}")
    company_page.get_by_test_id("open-conversation").click()
    company_page.locator("#body").fill("제안서를 첨부합니다. 연락처: 02-555-0199")
    company_page.locator("#files").set_input_files(
        [{"name": "제안서.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    company_page.get_by_role("button", name="보내기").click()
    expect(flash(company_page)).to_contain_text("메시지를 보냈습니다")
    expect(company_page.get_by_test_id("attachment")).to_contain_text("제안서.pdf")

    company_page.locator("#slots-0-starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    company_page.locator("#slots-0-ends_at").fill(
        (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    company_page.locator("#slots-0-location").fill("https://meet.example.kr/drt")
    company_page.get_by_role("button", name="미팅 제안").click()
    expect(flash(company_page)).to_contain_text("미팅 시간을 제안했습니다")
    screenshot(company_page, "conversation-01-company")

    official_page = new_page()
    sign_in(official_page, official.email)
    expect(official_page.get_by_test_id("unread-messages")).to_have_text("1")
    official_page.goto(f"/conversations/matches/{match_id}")
    expect(official_page.get_by_test_id("messages")).to_contain_text("제안서를 첨부합니다")
    with official_page.expect_download() as attachment:
        official_page.get_by_test_id("attachment").click()
    assert attachment.value.suggested_filename.endswith(".pdf")
    official_page.get_by_role("button", name="이 시간으로 수락").click()
    expect(flash(official_page)).to_contain_text("미팅을 확정했습니다")
    with official_page.expect_download() as invitation:
        official_page.get_by_test_id("ics-link").click()
    saved = tmp_path / "invite.ics"
    invitation.value.save_as(saved)
    assert b"BEGIN:VEVENT" in saved.read_bytes()
    official_page.get_by_role("button", name="모두 읽음으로 표시").click()
    expect(official_page.get_by_test_id("unread-messages")).to_have_count(0)
    screenshot(official_page, "conversation-02-official")
