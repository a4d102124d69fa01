"""Thin views for sign-up, confirmation, sign-in and sign-out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.access import is_safe_redirect
from app.auth.forms import (
    ChangePasswordForm,
    ConfirmRegistrationForm,
    EmailOnlyForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
)
from app.models import Role
from app.service_errors import commit_service, validate_with_rules
from app.rate_limits import auth_limits, password_check_limits
from app.services import accounts, privacy, sessions, unit_of_work
from app.services.accounts import LoginOutcome

bp = Blueprint("auth", __name__)

REGISTRATION_SENT = _l("입력하신 주소로 안내 메일을 보냈습니다. 메일의 링크를 열어 가입을 완료하세요.")
BAD_LOGIN = _l("이메일 또는 비밀번호가 올바르지 않습니다.")
LOCKED_LOGIN = _l("로그인 시도가 너무 많아 이 이메일 주소의 로그인을 잠시 막았습니다. 잠시 후 다시 시도하세요.")
RESET_SENT = _l("이 주소로 가입된 계정이 있으면 비밀번호 재설정 링크를 보냈습니다.")
SIGN_UP_ROLES = (Role.COMPANY.value, Role.MUNICIPALITY.value)
RESEND_SENT = _l("이 주소로 확인을 기다리는 가입이 있으면 확인 메일을 다시 보냈습니다.")


def _home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.index")
    if user.is_company_user:
        return url_for("company.dashboard")
    return url_for("needs.index")


def _chosen_role(form: RegistrationForm) -> Role | None:
    return Role(form.role.data) if form.role.data in SIGN_UP_ROLES else None


@bp.route("/register", methods=["GET", "POST"])
@auth_limits
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
    elif request.method == "GET" and request.args.get("role") in SIGN_UP_ROLES:
        form.role.data = request.args["role"]  # the home page's "공무원 회원 가입" link
    consent_version = privacy.CURRENT.version if form.privacy_consent.data else None
    if validate_with_rules(form, lambda: accounts.check_registration(
            email=form.email.data, password=form.password.data, name=form.name.data,
            role=_chosen_role(form), municipality_id=form.municipality_id.data,
            invitation_token=invite_token, consent_version=consent_version),
            flash_unplaced=True) and commit_service(
            lambda: accounts.request_registration(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                role=Role(form.role.data),
                phone=form.phone.data,
                department=form.department.data,
                municipality_id=form.municipality_id.data,
                invitation_token=invite_token,
                consent_version=consent_version,
            ), form, flash_unplaced=True):
        flash(str(REGISTRATION_SENT), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, invitation=invitation,
                           invite_token=invite_token, consent=privacy.CURRENT), (
        400 if form.errors else 200)


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
@auth_limits
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    unconfirmed = False
    if form.validate_on_submit():
        result = accounts.sign_in(form.email.data, form.password.data)
        unit_of_work.commit()
        if result.outcome == LoginOutcome.SIGNED_IN:
            login_user(result.user)
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else _home_for(result.user))
        if result.outcome == LoginOutcome.SUSPENDED:
            form.email.errors.append(_("정지된 계정입니다. 관리자에게 문의하세요."))
        elif result.outcome == LoginOutcome.LOCKED:
            form.email.errors.append(str(LOCKED_LOGIN))
        elif result.outcome == LoginOutcome.UNCONFIRMED:
            unconfirmed = True
            form.email.errors.append(_("아직 가입 확인을 마치지 않았습니다. 메일의 링크를 열어 가입을 완료하세요."))
        else:
            form.password.errors.append(str(BAD_LOGIN))
    return render_template("auth/login.html", form=form, unconfirmed=unconfirmed), (
        400 if form.errors else 200)


def _email_link_page(send, sent_message, title: str, english: str, button: str):
    """A one-field form that mails a link (the same answer whether or not the address exists)."""
    form = EmailOnlyForm()
    if form.validate_on_submit() and commit_service(lambda: send(form.email.data), form):
        flash(str(sent_message), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/email_only.html", form=form, title=title, english=english,
                           button=button), (400 if form.errors else 200)


@bp.route("/confirm/resend", methods=["GET", "POST"])
@auth_limits
def resend_confirmation():
    """Send the sign-up confirmation link again (the same answer for any address)."""
    return _email_link_page(accounts.resend_confirmation, RESEND_SENT, _("확인 메일 다시 받기"),
                            "Resend confirmation", _("확인 메일 보내기"))


@bp.route("/reset", methods=["GET", "POST"])
@auth_limits
def reset_request():
    """Ask for a password reset link (the same answer for any address)."""
    return _email_link_page(accounts.request_password_reset, RESET_SENT, _("비밀번호 재설정"),
                            "Reset password", _("재설정 링크 보내기"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@auth_limits
def reset_with_token(token: str):
    """Choose a new password from an e-mailed link (single use)."""
    form = ResetPasswordForm()
    if request.method == "GET":
        try:
            accounts.user_for_reset_token(token)
        except accounts.ServiceError as refused:
            flash(refused.message, "danger")
            return redirect(url_for("auth.reset_request"))
    elif validate_with_rules(form, lambda: accounts.check_password_reset(
            token, form.password.data)) and commit_service(
            lambda: accounts.reset_password(token, form.password.data), form):
        flash(_("비밀번호를 바꿨습니다. 새 비밀번호로 로그인하세요."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form, title=_("새 비밀번호 정하기"),
                           english="Choose a new password"), (400 if form.errors else 200)


@bp.route("/password", methods=["GET", "POST"])
@password_check_limits
@login_required
def change_password():
    """A signed-in user changes their password."""
    form = ChangePasswordForm()
    if validate_with_rules(form, lambda: accounts.check_password_change(
            current_user, form.current_password.data, form.password.data)) and commit_service(
            lambda: accounts.change_password(current_user, form.current_password.data,
                                             form.password.data), form):
        login_user(current_user._get_current_object())  # every other session has ended
        flash(_("비밀번호를 바꿨습니다. 다른 기기에서는 로그아웃되었습니다."), "success")
        return redirect(_home_for(current_user))
    return render_template("auth/password.html", form=form, title=_("비밀번호 변경"),
                           english="Change password"), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST with CSRF token): every copy of the session cookie stops working."""
    sessions.revoke_all_sessions(current_user._get_current_object(), action="user.logout")
    unit_of_work.commit()
    logout_user()
    flash(_("로그아웃했습니다."), "info")
    return redirect(url_for("main.index"))
