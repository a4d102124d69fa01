"""On a fresh install (empty database) the first listings must be recommended to each other.

Its own module, so the live server and its matching engine start from an empty database.
"""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

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
    make_official,
    sign_in,
)


def test_first_solution_and_need_on_a_fresh_install_are_matched(live_server, new_page):
    def build():
        company = factories.make_company(name="첫 회원사 모빌리티")
        user = factories.make_user(role=Role.COMPANY, company=company)
        return user.email
    company_email = in_app(live_server, build)

    # The company's first visit fits the engine on a database with no listings yet.
    company_page = new_page()
    sign_in(company_page, company_email)
    expect(company_page.get_by_role("heading", name="추천 수요")).to_be_visible()

    company_page.goto("/my/solutions/new")
    company_page.get_by_label("솔루션명", exact=True).fill(SOLUTION_TITLE)
    company_page.get_by_label("한 줄 소개", exact=True).fill(SOLUTION_SUMMARY)
    company_page.get_by_label("상세 설명", exact=True).fill(SOLUTION_TEXT)
    company_page.get_by_label("주 분야").select_option(label="교통")
    company_page.get_by_label("기술 성숙도").select_option(label="상용화")
    company_page.get_by_label("서울특별시", exact=True).check()
    company_page.get_by_role("button", name="초안으로 저장").click()
    company_page.get_by_role("button", name="게시하기").click()
    expect(company_page.get_by_text("공개 카탈로그에 표시되고 있습니다.")).to_be_visible()

    official = make_official(live_server)
    official_page = new_page()
    sign_in(official_page, official.email)
    official_page.goto("/my/needs/new")
    official_page.get_by_label("제목").fill(NEED_TITLE)
    official_page.get_by_label("문제 설명").fill(NEED_TEXT)
    official_page.get_by_label("주 분야").select_option(label="교통")
    official_page.get_by_label("신청 마감일").fill((date.today() + timedelta(days=45)).isoformat())
    official_page.get_by_role("button", name="등록", exact=True).click()
    expect(flash(official_page)).to_contain_text("수요를 등록했습니다")

    recommendations = official_page.locator(
        "section[aria-labelledby=recommended-solutions-heading]")
    expect(recommendations.get_by_role("link", name=SOLUTION_TITLE)).to_be_visible(timeout=3_000)
