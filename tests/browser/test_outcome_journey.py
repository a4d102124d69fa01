"""Browser journey after the match: from a recommendation to a rated, verified deployment.

An official finds a solution among the recommendations of a need, expresses interest; the company
accepts; an admin approves; then the outcome steps (실증 → 계약·도입 → 운영) are each proposed by
one side and confirmed by the other, the municipality rates the solution, and any visitor sees the
verified deployment and the rating on the solution page.
"""
from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from app.models import Role
from tests import factories
from tests.browser.test_journeys import (
    NEED_TEXT,
    NEED_TITLE,
    SOLUTION_SUMMARY,
    SOLUTION_TEXT,
    SOLUTION_TITLE,
    flash,
    in_app,
    sign_in,
)

REVIEW = "어르신 호출 대기시간이 절반으로 줄었습니다."


def make_parties(live_server) -> dict:
    """An admin, a company with the DRT solution, and an official of 종로구 with the DRT need."""
    def build():
        admin = factories.make_user(role=Role.ADMIN, email="outcome.admin@citymatch.kr")
        company = factories.make_company(name="도입검증 모빌리티")
        staff = factories.make_user(role=Role.COMPANY, company=company)
        solution = factories.make_solution(company, title=SOLUTION_TITLE,
                                           description=SOLUTION_TEXT)
        solution.summary = SOLUTION_SUMMARY
        official = factories.make_user(role=Role.MUNICIPALITY)
        need = factories.make_need(official, title=NEED_TITLE, description=NEED_TEXT)
        return {"admin": admin.email, "staff": staff.email, "official": official.email,
                "need_id": need.id, "solution_id": solution.id}
    return in_app(live_server, build)


def propose(page: Page, stage: str, *, route: str | None = None, amount: str | None = None):
    page.get_by_label("다음 단계", exact=True).select_option(label=stage)
    page.get_by_label("날짜 (시작일·계약일·운영 시작일)").fill(date.today().isoformat())
    if route:
        page.get_by_label("계약 방식", exact=True).select_option(label=route)
    if amount:
        page.get_by_label("금액 (원)", exact=True).fill(amount)
    page.get_by_role("button", name="단계 제안", exact=True).click()
    expect(flash(page)).to_contain_text("다음 단계를 제안했습니다")
    expect(page.get_by_test_id("awaiting-other-side")).to_contain_text(stage)


def confirm(page: Page, outcome_url: str, stage_value: str):
    page.goto(outcome_url)
    page.get_by_role("button", name="단계 확인").click()
    expect(flash(page)).to_contain_text("단계를 확인했습니다")
    expect(page.get_by_test_id("outcome-stage")).to_have_attribute("data-stage", stage_value)


def test_from_recommendation_to_a_rated_verified_deployment(live_server, new_page, screenshot):
    parties = make_parties(live_server)
    official = new_page()
    sign_in(official, parties["official"])
    official.goto(f"/my/needs/{parties['need_id']}")
    recommended = official.locator(
        "section[aria-labelledby=recommended-solutions-heading] article.recommendation"
    ).filter(has=official.get_by_role("link", name=SOLUTION_TITLE))
    expect(recommended).to_have_count(1)
    recommended.get_by_role("link", name="관심 표현").click()
    official.get_by_label("메시지").fill("실증부터 함께 검토하고 싶습니다.")
    official.get_by_role("button", name="관심 표현 보내기").click()
    expect(flash(official)).to_contain_text("관심을 표현했습니다")
    match_url = official.url

    company = new_page()
    sign_in(company, parties["staff"])
    company.goto(match_url)
    company.get_by_role("button", name="수락").click()
    expect(flash(company)).to_contain_text("요청을 수락했습니다")

    admin = new_page()
    sign_in(admin, parties["admin"])
    admin.goto("/matches/review")
    admin.locator("article.review-item").filter(has_text=NEED_TITLE).get_by_role(
        "button", name="승인").click()
    expect(flash(admin)).to_contain_text("승인했습니다")

    # 실증: the official proposes, the company confirms (the official cannot confirm it).
    official.goto(match_url)
    official.get_by_role("link", name="진행 상황 보기·단계 제안").click()
    outcome_url = official.url
    expect(official.get_by_test_id("outcome-stage")).to_have_attribute("data-stage", "negotiating")
    propose(official, "실증(PoC)")
    expect(official.get_by_role("button", name="단계 확인")).to_have_count(0)
    confirm(company, outcome_url, "poc")

    # 계약·도입: the company proposes with the procurement route and amount; the official confirms.
    propose(company, "계약·도입", route="스마트챌린지", amount="45000000")
    confirm(official, outcome_url, "contracted")
    expect(official.get_by_test_id("verified-reference")).to_be_visible()

    # 운영: the official proposes, the company confirms; then the official rates the solution.
    propose(official, "운영")
    confirm(company, outcome_url, "operating")
    official.goto(outcome_url)
    official.get_by_label("별점", exact=True).select_option("5")
    official.get_by_label("짧은 평가").fill(REVIEW)
    official.get_by_role("button", name="평가 등록").click()
    expect(flash(official)).to_contain_text("평가를 등록했습니다")
    company.goto(outcome_url)
    company.get_by_label("답변", exact=True).fill("감사합니다. 배차 알고리즘을 계속 개선하겠습니다.")
    company.get_by_role("button", name="답변 등록").click()
    expect(flash(company)).to_contain_text("답변을 등록했습니다")

    # Any visitor sees the verified deployment, apart from self-declared references, and the rating.
    visitor = new_page()
    visitor.goto(f"/solutions/{parties['solution_id']}")
    verified = visitor.get_by_test_id("verified-references")
    expect(verified).to_contain_text("서울특별시 종로구")
    expect(verified).to_contain_text("스마트챌린지")
    expect(visitor.get_by_test_id("rating-summary")).to_contain_text("평균 5.0점 (1건)")
    expect(visitor.locator("body")).to_contain_text(REVIEW)
    expect(visitor.locator("body")).not_to_contain_text("45,000,000")
    screenshot(visitor, "outcome-verified-solution")
    admin.goto("/matches/outcomes")
    expect(admin.locator("tr[data-stage=operating] td").first).to_have_text(re.compile("^1$"))
