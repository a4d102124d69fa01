"""Live suggestions in a real browser: typing a need's description updates the suggestion panel
after the pause in typing (static JS under the CSP, CSRF on)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.test_csp_browser import _watch_csp_violations
from tests.browser.test_journeys import in_app, make_official, sign_in

SENSOR_TITLE = "지하차도 침수 예측 수위 센서"
DRT_TITLE = "농어촌 DRT 호출·배차 플랫폼"
FLOOD_TEXT = ("집중호우 때 지하차도가 침수되어 차량이 고립됩니다. 수위 센서로 침수 위험을 실시간 측정하고 "
              "침수 예측 경보를 보내야 합니다.")
DRT_TEXT = ("읍면 지역 어르신이 전화나 앱으로 호출하면 오는 수요응답형 교통(DRT) 버스와 실시간 배차 "
            "플랫폼이 필요합니다.")


def make_catalogue(live_server) -> None:
    def build():
        company = factories.make_company(name="물길센서")
        factories.make_solution(
            company, title=SENSOR_TITLE, category_code="safety",
            description="지하차도와 하천의 IoT 수위 센서입니다. 침수 위험을 실시간 측정하고 집중호우 때 "
                        "침수 예측 경보를 자동으로 보냅니다.")
        factories.make_solution(
            company, title=DRT_TITLE, category_code="transport",
            description="농어촌 읍면의 수요응답형 교통(DRT) 호출 앱과 실시간 배차 플랫폼으로 어르신의 "
                        "이동권을 보장합니다.")
    in_app(live_server, build)


def test_typing_a_description_updates_the_suggestions_after_a_pause(live_server, new_page,
                                                                    screenshot):
    make_catalogue(live_server)
    official = make_official(live_server, municipality="서울특별시 성동구")
    page = new_page()
    violations = _watch_csp_violations(page)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url)
            if request.method == "POST" and request.url.endswith("/my/needs/suggestions") else None)
    sign_in(page, official.email)
    page.goto("/my/needs/new")

    panel = page.locator("#draft-suggestions")
    expect(panel).to_be_visible()  # shown by app.js (hidden without JavaScript)
    expect(panel.locator("[aria-live=polite]")).to_contain_text("입력하면 비슷한 공개 솔루션이")
    suggestions = panel.locator("[data-suggestions-list] li a")

    page.locator("#title").fill("지하차도 침수")
    description = page.locator("#description")
    description.press_sequentially(FLOOD_TEXT[:40], delay=15)
    description.fill(FLOOD_TEXT)
    # the first answer waits for the server to load Kiwi and build its engine
    expect(suggestions.first).to_have_text(SENSOR_TITLE, timeout=60_000)
    expect(panel.locator("[data-suggestions-status]")).to_contain_text("이 초안과 맞는 공개 솔루션")
    typed = 40 + 2  # keystrokes and fills that each fired an input event
    assert 1 <= len(posts) < typed / 4, posts  # debounced: one request per pause, not per key
    screenshot(page, "draft-suggestions-01-flood")

    page.locator("#title").fill("읍면 수요응답형 버스")
    description.fill(DRT_TEXT)
    expect(suggestions.first).to_have_text(DRT_TITLE)
    expect(suggestions.first).to_have_attribute("target", "_blank")  # the draft stays open
    screenshot(page, "draft-suggestions-02-drt")

    description.fill("")
    page.locator("#title").fill("")
    expect(panel.locator("[data-suggestions-status]")).to_contain_text("조금 더 입력하면")
    expect(suggestions).to_have_count(0)
    assert violations == []
