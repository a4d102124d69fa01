"""Rate limits for sign-in, sign-up, reset, confirmation resend, password checks, interest requests,
live suggestions and the public API."""
from __future__ import annotations

from flask import current_app, request

from app.extensions import limiter


@limiter.request_filter
def _limits_off() -> bool:
    """RATE_LIMITS_ENABLED=0 (the default in tests) exempts every request."""
    return not current_app.config.get("RATE_LIMITS_ENABLED", True)


def _submitted_account() -> str:
    """The normalised e-mail the form names (per-account limit); the IP when there is none."""
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}" if email else f"ip:{request.remote_addr}"


def _auth_per_ip() -> str:
    return current_app.config["RATE_LIMIT_AUTH_PER_IP"]


def _auth_per_account() -> str:
    return current_app.config["RATE_LIMIT_AUTH_PER_ACCOUNT"]


def _interest_per_ip() -> str:
    return current_app.config["RATE_LIMIT_INTEREST_PER_IP"]


def auth_limits(view):
    """POSTs to this form are limited per IP and per submitted account."""
    view = limiter.limit(_auth_per_account, key_func=_submitted_account, methods=["POST"],
                         scope=lambda _endpoint: f"{request.endpoint}:account")(view)
    return limiter.limit(_auth_per_ip, methods=["POST"])(view)


def _signed_in_account() -> str:
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"ip:{request.remote_addr}"


def interest_limits(view):
    """Interest requests are limited per IP and per signed-in user."""
    view = limiter.limit(_interest_per_ip, key_func=_signed_in_account, methods=["POST"],
                         scope=lambda _endpoint: f"{request.endpoint}:user")(view)
    return limiter.limit(_interest_per_ip, methods=["POST"])(view)


def password_check_limits(view):
    """Forms of signed-in users that check their password (change, account deletion) are limited
    per user and per IP, so a borrowed session cannot be used to guess the password."""
    view = limiter.limit(_auth_per_account, key_func=_signed_in_account, methods=["POST"],
                         scope=lambda _endpoint: f"{request.endpoint}:user")(view)
    return limiter.limit(_auth_per_ip, methods=["POST"])(view)


def _suggestions_per_user() -> str:
    return current_app.config["RATE_LIMIT_SUGGESTIONS_PER_USER"]


def _suggestions_per_ip() -> str:
    return current_app.config["RATE_LIMIT_SUGGESTIONS_PER_IP"]


def suggestion_limits(view):
    """Live suggestions (a request per pause in typing) are limited per signed-in user, and more
    loosely per IP, as one town hall's officials may share an address."""
    view = limiter.limit(_suggestions_per_user, key_func=_signed_in_account, methods=["POST"],
                         scope=lambda _endpoint: f"{request.endpoint}:user")(view)
    return limiter.limit(_suggestions_per_ip, methods=["POST"])(view)


def _api_per_ip() -> str:
    return current_app.config["RATE_LIMIT_API_PER_IP"]


def _api_bulk_per_ip() -> str:
    return current_app.config["RATE_LIMIT_API_BULK_PER_IP"]


def api_limits(blueprint) -> None:
    """Every request to the public API counts against one limit per client address."""
    limiter.shared_limit(_api_per_ip, scope="public-api")(blueprint)


def api_bulk_limits(view):
    """Bulk downloads also count against a tighter limit per client address (on top of the
    API's own)."""
    return limiter.shared_limit(_api_bulk_per_ip, scope="public-api-bulk",
                                override_defaults=False)(view)
