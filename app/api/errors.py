"""The public API's errors: JSON in the request's language, never an HTML page."""
from __future__ import annotations

import json
import time
from http import HTTPStatus

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import limiter
from app.request_log import current_request_id

API_PREFIX = "/api/"


def is_api_request() -> bool:
    """Whether the current request is for the public API (its errors are JSON)."""
    return has_request_context() and request.path.startswith(API_PREFIX)


def _retry_after() -> int:
    """Seconds until the breached rate limit lets the client in again (at least 1)."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


def _localised(messages) -> dict | list | str:
    """Validation messages (Korean msgids, or already translated) in the request's language."""
    if isinstance(messages, dict):
        return {str(key): _localised(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_localised(message) for message in messages]
    return _(str(messages))


def json_error(code: int, message: str, detail: str | None = None, errors: dict | None = None):
    """The JSON error response: code, status, localised message, optional detail and errors."""
    try:
        status = HTTPStatus(code).phrase
    except ValueError:
        status = "Error"
    payload: dict = {"code": code, "status": status, "message": str(message)}
    if detail:
        payload["detail"] = str(detail)
    if errors:
        payload["errors"] = errors
    payload["request_id"] = current_request_id()
    # Korean as UTF-8 text, not \u escapes: readable in a terminal or a log.
    response = current_app.response_class(json.dumps(payload, ensure_ascii=False) + "\n",
                                          status=code, mimetype="application/json")
    if code == 429:
        response.headers["Retry-After"] = str(_retry_after())
    return response


def handle_http_exception(error: HTTPException):
    """An HTTP error raised by an API view (a bad parameter, a missing record, a rate limit)."""
    from app.errors import ERROR_TITLES

    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    messages = data.get("messages")
    if messages:  # webargs: {location: {parameter: [messages]}}
        errors = {}
        for per_location in messages.values():
            errors.update(_localised(per_location))
    message = ERROR_TITLES.get(code, ERROR_TITLES[500])
    detail = _("요청 매개변수를 확인해 주세요.") if errors else None
    return json_error(code, str(message), detail, errors)
