"""The consortium partner picker: a searchable box over many partner solutions, with the chosen
ones (including one preselected from a link) listed visibly; the native select without JS."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from app.models import Role, SizeClass
from tests import factories
from tests.browser.test_csp_browser import _watch_csp_violations
from tests.browser.test_journeys import in_app, sign_in

PRESELECTED = "가나다모빌리티 · 읍면 DRT 배차"
WANTED = "물길센서 · 지하차도 침수 수위 센서"


@dataclass
class Proposal:
    lead_email: str
    need_id: int
    lead_solution_id: int
    preselected_id: int


@pytest.fixture(scope="module")
def proposal(live_server) -> Proposal:
    """A large lead company, a need and forty startup solutions to choose partners from."""
    def build():
        official = factories.make_user(role=Role.MUNICIPALITY)
        need = factories.make_need(official, title="스마트 교통·안전 통합 사업")
        lead_company = factories.make_company(name="대형건설정보통신", size_class=SizeClass.LARGE)
        lead = factories.make_user(role=Role.COMPANY, company=lead_company)
        lead_solution = factories.make_solution(lead_company, title="통합 관제 플랫폼")
        preselected = factories.make_solution(factories.make_company(name="가나다모빌리티"),
                                              title="읍면 DRT 배차")
        factories.make_solution(factories.make_company(name="물길센서"), title="지하차도 침수 수위 센서")
        for n in range(40):
            factories.make_solution(factories.make_company(name=f"스타트업{n:02d}"),
                                    title=f"스마트 솔루션 {n:02d}")
        return Proposal(lead.email, need.id, lead_solution.id, preselected.id)
    return in_app(live_server, build)


def form_url(proposal: Proposal) -> str:
    return (f"/matches/consortia/new?need_id={proposal.need_id}"
            f"&lead_solution_id={proposal.lead_solution_id}"
            f"&partner_solution_id={proposal.preselected_id}")


def test_typing_filters_partners_and_chosen_ones_are_listed(live_server, new_page, proposal,
                                                           screenshot):
    page = new_page()
    violations = _watch_csp_violations(page)
    sign_in(page, proposal.lead_email)
    page.goto(form_url(proposal))
    picker = page.locator(".ts-wrapper")
    expect(picker).to_be_visible()
    chosen = picker.locator(".ts-control .item")
    expect(chosen).to_have_count(1)
    expect(chosen.first).to_contain_text(PRESELECTED)  # the preselected partner is visible

    search = picker.locator("input")
    search.click()
    search.press_sequentially("없는이름", delay=30)
    expect(page.locator(".ts-dropdown")).to_contain_text("일치하는 솔루션이 없습니다.")
    search.fill("")
    search.press_sequentially("물길", delay=30)
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text(WANTED)
    options.first.click()
    expect(chosen).to_have_count(2)
    expect(chosen.nth(1)).to_contain_text(WANTED)
    screenshot(page, "partner-picker-01-two-chosen")


    page.locator("#message").fill("함께 제안합니다.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).not_to_have_text("컨소시엄 제안")
    assert page.url.split("?")[0].rsplit("/", 1)[-1].isdigit(), page.url
    body = page.locator("main").inner_text()
    assert "가나다모빌리티" in body and "물길센서" in body
    assert violations == []


def test_without_javascript_the_native_select_works(live_server, browser, proposal):
    context = browser.new_context(base_url=live_server.url, locale="ko-KR",
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/auth/login")
        page.locator("#email").fill(proposal.lead_email)
        page.locator("#password").fill(factories.PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.goto(form_url(proposal))
        native = page.locator("select#partner_solution_ids")
        expect(native).to_be_visible()
        assert page.locator(".ts-wrapper").count() == 0
        selected = native.evaluate("s => [...s.selectedOptions].map(o => o.textContent)")
        assert selected == [PRESELECTED]
    finally:
        context.close()
