"""Database outages: a clear, localised 503 instead of a 500, and bounded retries of reads.

While the database is unreachable (restarted, failed over, network cut) a request gets a 503
page with `Retry-After`. A GET or HEAD that hit a lost connection is run again from the start
(fresh app context and session) a bounded number of times with a short backoff, so a read that
straddles a quick restart still succeeds; writes are never replayed (the client was not told
they succeeded, so nothing acknowledged is lost). Recovery needs no restart: the pool's
pre-ping replaces dead connections and invalidated pools reconnect on the next checkout.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, g, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError

from app.extensions import db, login_manager
from app.request_log import ENV_ATTEMPT, ENV_SKIP_LOG, current_request_id, signed_in_user_id

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
_ENV_RETRIES_LEFT = "citymatch.db_retries_left"
_RETRY_PENDING = "citymatch.db_retry_pending"
# SQLAlchemy's code for "Can't reconnect until invalid transaction is rolled back": the session
# kept going after a lost connection. Other PendingRollbackErrors are programming errors (500).
_INVALID_CONNECTION_CODE = "8s2b"

UNAVAILABLE_TITLE = _l("서비스를 잠시 이용할 수 없습니다.")
UNAVAILABLE_DETAIL = _l("데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.")


def is_database_unavailable(error: BaseException) -> bool:
    """True for errors that mean the database could not be reached or the connection was lost."""
    if isinstance(error, PendingRollbackError):
        return error.code == _INVALID_CONNECTION_CODE
    return isinstance(error, (OperationalError, InterfaceError))


class ReadRetryMiddleware:
    """Run a GET/HEAD again when the app reported a lost database connection for it."""

    def __init__(self, wsgi_app, retries: int, backoff_seconds: float) -> None:
        self.wsgi_app = wsgi_app
        self.retries = retries
        self.backoff_seconds = backoff_seconds

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in IDEMPOTENT_METHODS or self.retries <= 0:
            return self.wsgi_app(environ, start_response)
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            environ[ENV_ATTEMPT] = attempt
            environ[_ENV_RETRIES_LEFT] = attempts - attempt
            started: list = []
            # Flask calls start_response before returning its body and never uses write().
            body = self.wsgi_app(environ, lambda *args: started.extend(args))
            if not environ.pop(_RETRY_PENDING, False):
                start_response(*started)
                return body
            if hasattr(body, "close"):
                body.close()
            time.sleep(self.backoff_seconds * attempt)
        raise AssertionError("the last attempt is never marked for retry")


def _forget_failed_work() -> None:
    """Roll back; render the error page as for a visitor (the user's row would need the database)."""
    g.request_user_id = signed_in_user_id()
    g._login_user = login_manager.anonymous_user()
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is discarded at teardown anyway
        current_app.logger.debug("Rollback after a database outage failed", exc_info=True)


def _limit_connect_time(engine, seconds: int) -> None:
    """Make PostgreSQL connection attempts give up after `seconds` (the default is to wait on)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "do_connect")
    def connect_with_timeout(dialect, conn_rec, cargs, cparams):
        cparams.setdefault("connect_timeout", seconds)


def register(app: Flask) -> None:
    """Install the 503 handler, the read-retry middleware and the connection timeout."""
    with app.app_context():
        _limit_connect_time(db.engine, app.config["DB_CONNECT_TIMEOUT"])
    app.wsgi_app = ReadRetryMiddleware(app.wsgi_app, app.config["DB_READ_RETRIES"],
                                       app.config["DB_RETRY_BACKOFF_SECONDS"])

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse): rolling back the request's idle transaction on a connection that just died must
    # not turn a response that is already made (a committed write's redirect) into a 500.
    @app.teardown_appcontext
    def close_session_despite_outage(error: BaseException | None) -> None:
        try:
            db.session.remove()
        except Exception as failure:
            if not is_database_unavailable(failure):
                raise
            app.logger.warning("Database connection lost while closing the session: %s",
                               getattr(failure, "orig", None) or failure)
            db.session.registry.clear()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)
    def database_unavailable(error: Exception):
        if not is_database_unavailable(error):
            raise error
        _forget_failed_work()
        environ = request.environ
        retry = request.method in IDEMPOTENT_METHODS and environ.get(_ENV_RETRIES_LEFT, 0) > 0
        if retry:
            environ[_RETRY_PENDING] = True
            environ[ENV_SKIP_LOG] = True
        app.logger.warning("Database unavailable for %s %s (%s): %s", request.method,
                           request.path, "will retry" if retry else "answered 503",
                           getattr(error, "orig", None) or error)
        page = render_template("errors/error.html", code=503, message=str(UNAVAILABLE_TITLE),
                               detail=str(UNAVAILABLE_DETAIL), request_id=current_request_id())
        response = make_response(page, 503)
        response.headers["Retry-After"] = str(app.config["DB_UNAVAILABLE_RETRY_AFTER"])
        return response
