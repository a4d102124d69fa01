"""Enforce the session lifetimes on every request (app/services/sessions.py)."""
from __future__ import annotations

from flask import Flask, current_app, flash, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_logged_in

from app.services import sessions

SESSION_EXPIRED = _l("오랫동안 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요.")
SESSION_REVOKED = _l("로그인 세션이 종료되어 로그아웃되었습니다. 다시 로그인하세요.")


def _stamp_sign_in(sender, user, **extra) -> None:
    sessions.start(session)


def _enforce_lifetimes() -> None:
    """Sign out a revoked, idle or too old session; otherwise restart the idle timer."""
    if request.endpoint == "static":
        return
    if not current_user.is_authenticated:
        if "_user_id" in session:  # its token was revoked (logout elsewhere, suspension, …)
            logout_user()
            flash(str(SESSION_REVOKED), "warning")
        return
    config = current_app.config
    if sessions.is_expired(session, config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]):
        logout_user()
        flash(str(SESSION_EXPIRED), "warning")
        return
    sessions.touch(session)


def init_app(app: Flask) -> None:
    """Check every request's session and stamp each sign-in."""
    user_logged_in.connect(_stamp_sign_in, app)
    app.before_request(_enforce_lifetimes)
