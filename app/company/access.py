"""Access rules for company staff pages: company staff with a company required."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.models import Role


def company_member_required(view: Callable) -> Callable:
    """Company staff only (others 403); staff without a company are sent to create one.

    Staff of companies that are not (yet) approved members pass: these pages hold only their own
    drafts and their membership application. Deal flow uses organisation_required instead.
    """

    @wraps(view)
    @role_required(Role.COMPANY)
    def wrapped(*args, **kwargs):
        if current_user.company_id is None:
            flash(_("먼저 기업 정보를 등록하세요. (Register your company first.)"), "info")
            return redirect(url_for("company.create"))
        return view(*args, **kwargs)

    return wrapped
