"""Thin views for the account page and signing out everywhere."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from app.service_errors import commit_service
from app.services import sessions

bp = Blueprint("account", __name__)


@bp.route("/")
@login_required
def index():
    """The user's details and the "sign out everywhere" button."""
    return render_template("account/index.html", form=FlaskForm())


@bp.route("/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every session of this user, on every device, including this one."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("요청이 만료되었습니다. 다시 시도하세요."), "danger")
        return redirect(url_for("account.index"))
    user = current_user._get_current_object()
    if commit_service(lambda: sessions.revoke_all_sessions(user)):
        logout_user()
        flash(_("모든 기기에서 로그아웃했습니다."), "info")
    return redirect(url_for("auth.login"))
