"""Error pages for HTTP errors, CSRF failures and unexpected errors, in the request's language."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db
from app.request_log import current_request_id

ERROR_TITLES = {
    400: _l("잘못된 요청입니다."),
    401: _l("로그인이 필요합니다."),
    403: _l("이 작업을 할 권한이 없습니다."),
    404: _l("요청한 페이지를 찾을 수 없습니다."),
    405: _l("허용되지 않는 요청 방식입니다."),
    413: _l("요청이 너무 큽니다."),
    429: _l("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."),
    500: _l("일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."),
}


def error_page(code: int, detail: str | None = None):
    """The localised error page for an HTTP status, with an optional explanation."""
    return _render(code, detail)


def _render(code: int, detail: str | None = None):
    message = ERROR_TITLES.get(code, ERROR_TITLES[500])
    from app.api.errors import is_api_request, json_error

    if is_api_request():  # the public API answers in JSON, never with a page
        return json_error(code, str(message), detail)
    return render_template("errors/error.html", code=code, message=str(message), detail=detail,
                           request_id=current_request_id()), code


def register(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(400, _("보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요."))

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # No page: an untrusted Host has no URL adapter, so templates cannot build links.
        return ("400 Bad Request: untrusted Host header (신뢰하지 않는 호스트)\n", 400,
                {"Content-Type": "text/plain; charset=utf-8"})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        detail = getattr(error, "detail", None)  # set by app.auth.access.NotActingForOrganisation
        return _render(error.code or 500, str(detail) if detail else None)

    @app.errorhandler(Exception)
    def unhandled_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return _render(500)
