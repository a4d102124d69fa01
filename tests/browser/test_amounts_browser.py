"""The amount hint in a real browser: typing "1억 2천만" shows what it will be read as
(static/js/amounts.js, under the CSP); the server reads the same and shows it again."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_csp_browser import _watch_csp_violations
from tests.browser.test_journeys import make_official, sign_in


def test_typing_a_korean_amount_shows_what_it_means(live_server, new_page, screenshot):
    official = make_official(live_server, municipality="서울특별시 성동구")
    page = new_page()
    violations = _watch_csp_violations(page)
    sign_in(page, official.email)
    page.goto("/my/needs/new")

    hint = page.locator('[data-amount-hint-for="budget_min"]')
    page.locator("#budget_min").press_sequentially("1억 2천만", delay=20)
    expect(hint).to_have_text("1억 2,000만 원 (120,000,000원)")
    page.locator("#budget_min").fill("5억억")
    expect(hint).to_have_text("")
    page.locator("#budget_max").fill("5천만원")
    expect(page.locator('[data-amount-hint-for="budget_max"]')).to_have_text(
        "5,000만 원 (50,000,000원)")
    screenshot(page, "amount-hint")
    assert not violations
