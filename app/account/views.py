"""Thin views for the account page: sessions, data download and account deletion."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from app.account import consent_guard
from app.account.forms import ConsentForm, DeleteAccountForm
from app.auth.access import is_safe_redirect
from app.rate_limits import password_check_limits
from app.service_errors import commit_service
from app.services import account_deletion, personal_data, privacy, sessions
from app.models.base import utcnow

bp = Blueprint("account", __name__)
bp.before_app_request(consent_guard.require_current_consent)


@bp.route("/")
@login_required
def index():
    """The user's details, consents, data download and the "sign out everywhere" button."""
    return render_template("account/index.html", form=FlaskForm(),
                           consents=privacy.consents_of(current_user))


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


@bp.route("/data.json")
@login_required
def download_data():
    """Everything stored about the signed-in user, as a JSON file (reads only)."""
    body = json.dumps(personal_data.export(current_user), ensure_ascii=False, indent=2)
    filename = f"citymatch-my-data-{utcnow():%Y%m%d}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/delete", methods=["GET", "POST"])
@password_check_limits
@login_required
def delete():
    """Explain what deletion does; delete the account when the password is given again."""
    form = DeleteAccountForm()
    user = current_user._get_current_object()
    if form.validate_on_submit() and commit_service(
            lambda: account_deletion.delete_account(user, form.password.data), form):
        logout_user()
        flash(_("계정을 삭제했습니다. 그동안 이용해 주셔서 감사합니다."), "info")
        return redirect(url_for("main.index"))
    return render_template(
        "account/delete.html", form=form,
        last_admin=account_deletion.is_last_admin(user),
        last_member=account_deletion.is_last_company_member(user),
    ), (400 if form.errors else 200)


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    """The current privacy notice, to accept again after it changed."""
    form = ConsentForm(version=privacy.CURRENT.version)
    target = request.args.get("next")
    if form.validate_on_submit() and commit_service(
            lambda: privacy.accept_current(current_user, form.version.data), form):
        session[consent_guard.SESSION_KEY] = privacy.CURRENT.version
        flash(_("개인정보 수집·이용에 동의했습니다."), "success")
        return redirect(target if is_safe_redirect(target) else url_for("account.index"))
    return render_template("account/consent.html", form=form, consent=privacy.CURRENT,
                           accepted=privacy.has_accepted(current_user, privacy.CURRENT.version)
                           ), (400 if form.errors else 200)
