"""Configuration from the environment, and error pages."""
from __future__ import annotations

import pytest

from app import create_app
from app.config import TestingConfig, _normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-the-environment")
    application = create_app("production")
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert not application.debug


def test_unknown_configuration_name_is_refused():
    with pytest.raises(RuntimeError, match="Unknown configuration"):
        create_app("staging-typo")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_selects_the_psycopg3_driver(given, expected):
    assert _normalise_database_url(given) == expected


def test_default_database_is_a_sqlite_file_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    application = create_app("development")
    uri = application.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/citymatch.sqlite3")


def test_missing_page_is_a_korean_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "요청한 페이지를 찾을 수 없습니다" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500_page():
    class QuietErrors(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        PROPAGATE_TEST_ERRORS = False

    application = create_app(QuietErrors)

    @application.route("/boom")
    def boom():
        raise ValueError("broken")

    response = application.test_client().get("/boom")
    assert response.status_code == 500
    assert "일시적인 오류" in response.get_data(as_text=True)
    assert "broken" not in response.get_data(as_text=True)
