"""Forms of overseas demand: a new organisation, an invitation, and joining through one."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Length, Optional

from app import countries
from app.company.fields import safe_int
from app.labels import choices
from app.models import OrganisationKind


class OrganisationForm(FlaskForm):
    """An overseas organisation (the service checks every rule)."""

    name = StringField(_l("기관명 (영문)"), validators=[
        Length(max=120, message=_l("기관명은 %(max)d자 이하로 입력하세요."))],
        render_kw={"maxlength": 120})
    name_ko = StringField(_l("기관명 (한글, 선택)"), validators=[
        Optional(), Length(max=120, message=_l("기관명은 %(max)d자 이하로 입력하세요."))],
        render_kw={"maxlength": 120})
    country = SelectField(_l("국가"), validate_choice=False)
    city = StringField(_l("도시"), validators=[
        Optional(), Length(max=80, message=_l("도시명은 %(max)d자 이하로 입력하세요."))],
        render_kw={"maxlength": 80})
    kind = SelectField(_l("기관 유형"), validate_choice=False, choices=choices(OrganisationKind))
    contact_email = EmailField(_l("대표 이메일 (선택)"), validators=[
        Optional(), Length(max=254, message=_l("이메일은 254자 이하여야 합니다."))],
        render_kw={"maxlength": 254})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("-- 선택하세요 --"))] + countries.choices()


class InviteForm(FlaskForm):
    """Invite a person by e-mail to act for an organisation."""

    organisation_id = SelectField(_l("해외 기관"), coerce=safe_int, validate_choice=False)
    email = EmailField(_l("초대할 이메일"), validators=[
        Length(max=254, message=_l("이메일은 254자 이하여야 합니다."))],
        render_kw={"maxlength": 254})


class JoinForm(FlaskForm):
    """A new account for the invited person (the e-mail comes from the invitation)."""

    name = StringField(_l("이름"), validators=[
        Length(max=60, message=_l("이름은 %(max)d자 이하로 입력하세요."))],
        render_kw={"maxlength": 60, "autocomplete": "name"})
    password = PasswordField(_l("비밀번호"), render_kw={"autocomplete": "new-password"})
    privacy_consent = BooleanField(_l("위 개인정보 수집·이용에 동의합니다. (필수)"))


class LinkForm(FlaskForm):
    """Link the signed-in account (only the CSRF token)."""
