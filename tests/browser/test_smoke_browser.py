"""The live server answers in a real browser."""


def test_home_page_in_chromium(new_page, screenshot):
    page = new_page()
    page.goto("/")
    assert "양방향 매칭" in page.content()
    assert screenshot(page, "00-home").stat().st_size > 10_000
