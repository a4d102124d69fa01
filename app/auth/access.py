"""View decorators for roles, and safe redirect targets."""
from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urljoin, urlsplit

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden

from app.models import Role


class NotActingForOrganisation(Forbidden):
    """403 for a signed-in user who does not (yet) act for their organisation, with the reason."""

    def __init__(self, user) -> None:
        super().__init__()
        if user.is_official:
            self.detail = _l("공무원 인증이 끝난 뒤 이용할 수 있습니다. 인증 상태와 증빙 제출은 "
                             "'공무원 인증' 페이지에서 확인하세요.")
        else:
            self.detail = _l("융합 얼라이언스 회원 승인을 받은 기업의 구성원만 이용할 수 있습니다. "
                             "신청 상태는 기업 페이지에서 확인하세요.")


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


def organisation_required(*roles: Role) -> Callable:
    """Require one of the roles and User.acts_for_organisation (verified official, staff of an
    approved company, admin); others get a 403 that says why."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @role_required(*roles)
        def wrapped(*args, **kwargs):
            if not current_user.acts_for_organisation:
                raise NotActingForOrganisation(current_user)
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
