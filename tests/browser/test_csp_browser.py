"""Under the Content-Security-Policy: confirmations and the language switch work from static JS."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.models import MatchStatus
from tests.browser.test_journeys import flash, make_pending_request, match_status, sign_in


def _watch_csp_violations(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None)
    return messages


def test_dismissed_confirmation_keeps_the_request_and_accepted_one_declines(live_server, new_page,
                                                                            screenshot):
    request = make_pending_request(live_server, "확인창")
    page = new_page()
    violations = _watch_csp_violations(page)
    sign_in(page, request.company_user.email)
    page.goto(f"/matches/{request.match_id}")
    screenshot(page, "csp-01-match-detail")

    questions: list[str] = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="거절").click()
    page.wait_for_timeout(300)  # a submitted form would navigate; none may happen
    assert questions == ["이 요청을 거절할까요?"]
    assert match_status(live_server, request.match_id) == MatchStatus.PENDING

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="거절").click()
    expect(flash(page)).to_contain_text("요청을 거절했습니다")
    assert match_status(live_server, request.match_id) == MatchStatus.DECLINED
    assert violations == []


def test_language_switch_submits_without_inline_script(live_server, new_page, screenshot):
    page = new_page()
    violations = _watch_csp_violations(page)
    page.goto("/")
    page.get_by_label("언어").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "csp-02-home-english")
    assert violations == []


def test_a_limited_field_counts_characters_and_the_server_explains_the_limit(live_server, new_page,
                                                                            screenshot):
    page = new_page()
    violations = _watch_csp_violations(page)
    page.goto("/auth/register")
    name = page.locator("#name")
    counter = page.locator('[data-counter-for="name"]')
    expect(counter).to_have_text("0 / 60")
    name.fill("김신규")
    expect(counter).to_have_text("3 / 60")
    too_long = "가" * 61
    name.fill(too_long)  # the browser does not cut the text silently: no maxlength attribute
    assert name.input_value() == too_long
    expect(counter).to_have_text("61 / 60")
    expect(counter).to_have_class(re.compile(r"\btext-danger\b"))
    screenshot(page, "csp-03-length-counter")
    page.get_by_role("button", name="가입 신청").click()
    expect(page.locator("#name")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_text("이름은 2자 이상 60자 이하로 입력하세요.")).to_be_visible()
    assert page.locator("#name").input_value() == too_long  # the server kept what was typed
    assert violations == []
