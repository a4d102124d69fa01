"""Thin views for sign-up, confirmation, sign-in and sign-out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.access import is_safe_redirect
from app.auth.forms import ConfirmRegistrationForm, LoginForm, RegistrationForm
from app.models import Role
from app.service_errors import commit_service
from app.services import accounts, sessions, unit_of_work

bp = Blueprint("auth", __name__)

REGISTRATION_SENT = _l("입력하신 주소로 안내 메일을 보냈습니다. 메일의 링크를 열어 가입을 완료하세요.")
BAD_LOGIN = _l("이메일 또는 비밀번호가 올바르지 않습니다.")


def _home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.index")
    if user.is_company_user:
        return url_for("company.dashboard")
    return url_for("needs.index")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Sign up as company staff or a municipal official (optionally from an invitation)."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    invite_token = request.values.get("invite") or None
    invitation = accounts.valid_invitation(invite_token)
    form = RegistrationForm()
    form.municipality_id.choices = {"": [("", _("-- 선택하세요 --"))],
                                    **dict(accounts.municipality_choices())}
    if invitation is not None and request.method == "GET":
        form.email.data = invitation.email
        form.role.data = Role.COMPANY.value
    if form.validate_on_submit() and commit_service(
            lambda: accounts.request_registration(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                role=Role(form.role.data),
                phone=form.phone.data,
                department=form.department.data,
                municipality_id=form.municipality_id.data,
                invitation_token=invite_token,
            ), form, flash_unplaced=True):
        flash(str(REGISTRATION_SENT), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, invitation=invitation,
                           invite_token=invite_token), (400 if form.errors else 200)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The e-mailed link: a page whose button (POST) creates the account and signs in."""
    form = ConfirmRegistrationForm()
    if not form.validate_on_submit():
        return render_template("auth/confirm.html", form=form)

    def create_and_sign_in():
        user = accounts.confirm_registration(token)
        accounts.record_login(user)
        return user

    outcome = commit_service(create_and_sign_in)
    if not outcome:
        return redirect(url_for("auth.login"))
    user = outcome.value
    login_user(user)
    flash(_("가입이 완료되었습니다. 환영합니다!"), "success")
    if user.is_company_user and user.company_id is None:
        return redirect(url_for("company.create"))
    return redirect(_home_for(user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(str(BAD_LOGIN))
        elif not user.is_active:
            form.email.errors.append(_("정지된 계정입니다. 관리자에게 문의하세요."))
        else:
            accounts.record_login(user)
            unit_of_work.commit()
            login_user(user)
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else _home_for(user))
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST with CSRF token): every copy of the session cookie stops working."""
    sessions.revoke_all_sessions(current_user._get_current_object(), action="user.logout")
    unit_of_work.commit()
    logout_user()
    flash(_("로그아웃했습니다."), "info")
    return redirect(url_for("main.index"))
