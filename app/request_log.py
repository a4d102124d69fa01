"""Request ids and one JSON log line per request on the `citymatch.request` logger.

The id comes from a valid incoming `X-Request-ID` (so a load balancer's id follows the request)
or is generated; it is echoed in the response header, shown on error pages and added to the
application's own log lines of that request. It lives in the WSGI environ, so a read that the
database-fault middleware retries (app/db_faults.py) keeps its id and its start time.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect

HEADER = "X-Request-ID"
LOGGER_NAME = "citymatch.request"
# Bounded length and characters that are safe in headers, logs and HTML.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_ENV_ID = "citymatch.request_id"
_ENV_STARTED = "citymatch.request_started"
# Set by the database-fault handler when this attempt will be retried: log only the final one.
ENV_SKIP_LOG = "citymatch.request_log_skip"
ENV_ATTEMPT = "citymatch.db_attempt"
APP_LOG_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s [%(request_id)s]: %(message)s"

request_logger = logging.getLogger(LOGGER_NAME)


def current_request_id() -> str | None:
    """The id of the request being handled (None outside a request)."""
    if not has_request_context():
        return None
    return request.environ.get(_ENV_ID)


def _incoming_or_new_id() -> str:
    incoming = request.headers.get(HEADER, "")
    if VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def signed_in_user_id() -> int | None:
    """The id of the user Flask-Login loaded for this request, without touching the database."""
    # The row's identity, not its attributes: after a failed transaction they are expired and
    # reading them would query the database again. The anonymous user is not a mapped row.
    state = inspect(g.get("_login_user"), raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else g.get("request_user_id")


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonLineFormatter(logging.Formatter):
    """The record's message is already a JSON object: write it as it is, one per line."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def _install_handlers(app: Flask) -> None:
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
        default_handler.setFormatter(logging.Formatter(APP_LOG_FORMAT))
    request_logger.setLevel(logging.INFO)
    request_logger.propagate = False
    if app.config.get("REQUEST_LOG_TO_STDERR") and not request_logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        request_logger.addHandler(handler)


def init_app(app: Flask) -> None:
    """Assign request ids and log one JSON line per request."""
    _install_handlers(app)

    @app.before_request
    def assign_request_id() -> None:
        environ = request.environ
        environ.setdefault(_ENV_ID, _incoming_or_new_id())
        environ.setdefault(_ENV_STARTED, time.perf_counter())

    @app.after_request
    def log_request(response: Response) -> Response:
        environ = request.environ
        request_id = environ.get(_ENV_ID) or _incoming_or_new_id()
        response.headers[HEADER] = request_id
        if environ.pop(ENV_SKIP_LOG, False):
            return response
        started = environ.get(_ENV_STARTED, time.perf_counter())
        line = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": signed_in_user_id(),
            "remote_addr": request.remote_addr,
        }
        if environ.get(ENV_ATTEMPT, 1) > 1:
            line["attempts"] = environ[ENV_ATTEMPT]
        request_logger.info(json.dumps(line, ensure_ascii=False))
        return response
