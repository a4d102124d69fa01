"""Request ids (header, error pages, app log lines) and one JSON log line per request."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask.logging import default_handler

from app import create_app
from app.config import TestingConfig
from app.request_log import LOGGER_NAME


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture()
def request_lines():
    """The JSON objects written to the request logger during the test."""
    handler = _Lines()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_a_request_without_an_id_gets_a_new_one(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_a_valid_incoming_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:zone-1"})

    assert response.headers["X-Request-ID"] == "lb-7f3a.42:zone-1"


@pytest.mark.parametrize("bad", ["<script>alert(1)</script>", "a" * 129, "two words", "id;drop"])
def test_an_unsafe_or_overlong_incoming_id_is_replaced(client, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_error_pages_show_the_request_id(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "trace-404"})

    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "trace-404"
    assert 'data-testid="request-id">trace-404<' in response.get_data(as_text=True)


def test_one_json_line_per_request_with_who_what_and_how_long(company_client, company_user,
                                                             request_lines):
    response = company_client.get("/solutions", headers={"X-Request-ID": "req-1"})

    assert response.status_code == 200
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == "req-1"
    assert line["method"] == "GET" and line["path"] == "/solutions"
    assert line["endpoint"] == "catalogue.solutions" and line["status"] == 200
    assert line["user_id"] == company_user.id
    assert line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_anonymous_requests_log_a_null_user(client, request_lines):
    client.get("/healthz")

    assert request_lines[-1]["user_id"] is None and request_lines[-1]["endpoint"] == "health.healthz"


def test_application_log_lines_carry_the_request_id():
    app = create_app(TestingConfig)
    stream = io.StringIO()
    previous = default_handler.setStream(stream)
    attached = default_handler not in app.logger.handlers
    if attached:
        app.logger.addHandler(default_handler)

    @app.get("/_test/log-something")
    def log_something():
        app.logger.warning("something worth knowing")
        return "ok"

    try:
        app.test_client().get("/_test/log-something", headers={"X-Request-ID": "trace-log"})
    finally:
        default_handler.setStream(previous)
        if attached:
            app.logger.removeHandler(default_handler)

    assert "[trace-log]: something worth knowing" in stream.getvalue()
