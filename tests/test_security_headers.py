"""Security headers on every kind of response, and templates without inline scripts or styles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from app.config import ProductionConfig
from app.security import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REQUIRED_DIRECTIVES = ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                       "base-uri 'self'", "form-action 'self'"]
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def _assert_headers(response, production: bool = False) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    for directive in REQUIRED_DIRECTIVES:
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    if production:
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in headers


def test_headers_on_public_signed_in_error_and_static_responses(client, company_client):
    samples = [
        client.get("/"),
        client.get("/auth/login"),
        client.get("/no/such/page"),
        client.get("/static/css/app.css"),
        client.get("/static/js/app.js"),
        company_client.get("/account/"),
        company_client.get("/my/company/"),
    ]
    assert [response.status_code for response in samples] == [200, 200, 404, 200, 200, 200, 200]
    for response in samples:
        _assert_headers(response)


@pytest.fixture()
def production_client(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test")

    class Production(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        REQUEST_LOG_TO_STDERR = False

    application = create_app(Production)
    return application, application.test_client()


def test_production_adds_hsts_and_secure_cookies(production_client):
    application, client = production_client
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["REMEMBER_COOKIE_SECURE"] is True
    for path in ("/healthz", "/static/css/app.css", "/no/such/page"):
        _assert_headers(client.get(path), production=True)


def test_development_has_no_hsts(tmp_path):
    from app.config import DevelopmentConfig

    class LocalDevelopment(DevelopmentConfig):
        SECRET_KEY_FILE = tmp_path / "secret_key"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    application = create_app(LocalDevelopment)
    assert not application.config.get("SESSION_COOKIE_SECURE")
    _assert_headers(application.test_client().get("/healthz"))


def test_policy_allows_no_inline_code():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        markup = JINJA.sub("", path.read_text(encoding="utf-8"))
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER, JAVASCRIPT_URL):
            for match in pattern.finditer(markup):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}")
    assert offenders == []


def test_the_template_scan_would_notice_inline_code():
    samples = ['<p style="color: red">', "<script>alert(1)</script>", '<a onclick="x()">',
               "<style>p{}</style>"]
    for sample in samples:
        assert any(pattern.search(sample) for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER))


def test_confirm_questions_reach_the_page_as_data(admin_client, db):
    page = admin_client.get("/admin/dashboard/").get_data(as_text=True)
    assert 'data-confirm="저장된 추천을 모두 다시 계산합니다. 계속할까요?"' in page
    assert "/static/js/app.js" in page
