"""The API docs page: the vendored Swagger UI renders under the CSP and calls the API."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_csp_browser import _watch_csp_violations


def test_swagger_ui_renders_the_openapi_document_and_tries_an_endpoint(live_server, new_page,
                                                                       screenshot):
    page = new_page()
    violations = _watch_csp_violations(page)
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CityMatch open data API")
    operation = page.locator("#operations-api-get_api_v1_statistics")
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table tbody .response-col_status")
    expect(live.first).to_contain_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("min_organisations")
    screenshot(page, "api-docs-swagger-ui")
    assert violations == []
    assert outside == []  # no CDN: every asset comes from the site
