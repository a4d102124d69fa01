"""View decorators for roles, and safe redirect targets."""
from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urljoin, urlsplit

from flask import abort, request
from flask_login import current_user, login_required

from app.models import Role


def role_required(*roles: Role) -> Callable:
    """Require a signed-in user with one of the roles (401 → login page, else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_redirect(target: str | None) -> bool:
    """True for a relative path on this site (no scheme, host or protocol-relative //)."""
    if not target:
        return False
    if target.startswith("//") or target.startswith("\\") or "\\" in target:
        return False
    reference = urlsplit(request.host_url)
    resolved = urlsplit(urljoin(request.host_url, target))
    return resolved.scheme in {"http", "https"} and resolved.netloc == reference.netloc \
        and target.startswith("/")
