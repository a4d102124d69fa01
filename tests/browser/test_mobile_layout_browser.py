"""On a 390 px phone the main pages fit the screen and need cards keep their status badge on one line."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.models import Role
from app.services import workflow
from tests import factories
from tests.browser.test_journeys import in_app

PHONE = {"width": 390, "height": 844}
LONG_PLACE = "전북특별자치도 남원시"


@dataclass
class World:
    official_email: str
    need_id: int
    solution_id: int


@pytest.fixture(scope="module")
def world(live_server) -> World:
    """An official of a long-named municipality with needs (one long-titled), a match and a solution."""
    def build():
        official = factories.make_user(role=Role.MUNICIPALITY, municipality_name=LONG_PLACE)
        need = factories.make_need(
            official, category_code="env_energy_water",
            title="하천 범람 예측을 위한 사물인터넷 수위 센서와 주민 알림 플랫폼 구축 사업",
            budget=(150_000_000, 1_200_000_000))
        factories.make_need(official, category_code="health_welfare")
        company = factories.make_company(name="스마트하천테크놀로지주식회사")
        solution = factories.make_solution(company, title="사물인터넷 수위 센서 기반 하천 범람 예측 플랫폼")
        workflow.express_interest(official, need, solution, "도입 조건을 이야기하고 싶습니다.")
        return World(official.email, need.id, solution.id)
    return in_app(live_server, build)


def sign_in_on_phone(page, email: str) -> None:
    """Sign in through the login form (the menu is collapsed on a phone)."""
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/auth/login" not in page.url


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_main_pages_fit_a_390_px_phone(live_server, browser, world, screenshot):
    context = browser.new_context(base_url=live_server.url, locale="ko-KR", viewport=PHONE)
    try:
        page = context.new_page()
        public = ["/", "/needs", "/solutions", f"/needs/{world.need_id}",
                  f"/solutions/{world.solution_id}"]
        for path in public:
            page.goto(path)
            print(page.evaluate("() => { const t = document.querySelector('main table'); return t && [getComputedStyle(t).overflowX, getComputedStyle(t).display, t.getBoundingClientRect().width, t.scrollWidth, getComputedStyle(t.parentElement).overflowX] }"))
            assert page_width(page) <= PHONE["width"], path
        sign_in_on_phone(page, world.official_email)
        for path in ["/my/needs/", f"/my/needs/{world.need_id}", "/matches/", "/matches/outbox"]:
            page.goto(path)
            assert page.url.endswith(path), page.url
            assert page_width(page) <= PHONE["width"], path
            screenshot(page, "mobile-" + path.strip("/").replace("/", "-"))
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_need_card_badge_stays_on_one_line_beside_a_long_place_name(live_server, browser, world,
                                                                   locale):
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/needs")
        card = page.locator(".card-listing", has_text="하천 범람 예측").first
        place = card.locator("p.small > span").first
        badge = card.locator("p.small > span").last.locator(".badge").last  # the status badge
        font_size = badge.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
        box = badge.bounding_box()
        # one line is the font size plus .35em padding above and below; two lines would be 2.7em
        assert box is not None and box["height"] < font_size * 2.2, (box, font_size)
        assert box["width"] > box["height"]  # a pill, not a column of characters
        place_box = place.bounding_box()
        assert place_box is not None and place_box["x"] + place_box["width"] <= box["x"]
    finally:
        context.close()
