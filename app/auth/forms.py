"""Forms for sign-up and sign-in."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from app.models import Role

PHONE_PATTERN = r"^[0-9+\-() ]{7,20}$"


def optional_int(value: object) -> int | None:
    """Coerce a select value to int, treating '' and None as no choice."""
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("이메일"), validators=[DataRequired(_l("이메일을 입력하세요.")),
                                            Email(_l("올바른 이메일 주소가 아닙니다."))])
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하세요."))])


class RegistrationForm(FlaskForm):
    """A new company user or municipal official."""

    role = RadioField(
        _l("회원 유형"),
        choices=[(Role.COMPANY.value, _l("기업 회원 (솔루션 등록)")),
                 (Role.MUNICIPALITY.value, _l("지자체 공무원 (수요 등록)"))],
        default=Role.COMPANY.value,
        validators=[DataRequired(_l("회원 유형을 선택하세요."))],
    )
    email = EmailField(_l("이메일"), validators=[
        DataRequired(_l("이메일을 입력하세요.")),
        Email(_l("올바른 이메일 주소가 아닙니다.")),
        Length(max=254, message=_l("이메일은 254자 이하여야 합니다.")),
    ])
    name = StringField(_l("이름"), validators=[
        DataRequired(_l("이름을 입력하세요.")),
        Length(min=2, max=60, message=_l("이름은 2자 이상 60자 이하로 입력하세요.")),
    ])
    department = StringField(_l("부서"), validators=[
        Optional(), Length(max=100, message=_l("부서명은 100자 이하로 입력하세요.")),
    ])
    phone = StringField(_l("연락처"), validators=[
        Optional(), Regexp(PHONE_PATTERN, message=_l("전화번호 형식이 올바르지 않습니다. (예: 02-123-4567)")),
    ])
    municipality_id = SelectField(_l("소속 지자체"), coerce=optional_int, validate_choice=False,
                                  validators=[Optional()])
    password = PasswordField(_l("비밀번호"), validators=[
        DataRequired(_l("비밀번호를 입력하세요.")),
        Length(min=10, max=128, message=_l("비밀번호는 10자 이상 128자 이하여야 합니다.")),
    ])
    password_confirm = PasswordField(_l("비밀번호 확인"), validators=[
        DataRequired(_l("비밀번호를 한 번 더 입력하세요.")),
        EqualTo("password", message=_l("비밀번호가 일치하지 않습니다.")),
    ])
    privacy_consent = BooleanField(
        _l("위 개인정보 수집·이용에 동의합니다. (필수)"),
        validators=[DataRequired(_l("개인정보 수집·이용에 동의해야 가입할 수 있습니다."))])

    def validate_municipality_id(self, field) -> None:
        """Officials must pick a municipality from the list."""
        if self.role.data == Role.MUNICIPALITY.value:
            valid_ids = {mid for options in field.choices.values() for mid, _ in options}
            if not field.data or field.data not in valid_ids:
                raise ValidationError(_l("소속 지자체를 목록에서 선택하세요."))


class ConfirmRegistrationForm(FlaskForm):
    """The button that completes a sign-up from the e-mailed link (POST, so reading it is safe)."""


def _new_password_fields():
    return (
        PasswordField(_l("새 비밀번호"), validators=[
            DataRequired(_l("비밀번호를 입력하세요.")),
            Length(min=10, max=128, message=_l("비밀번호는 10자 이상 128자 이하여야 합니다.")),
        ]),
        PasswordField(_l("새 비밀번호 확인"), validators=[
            DataRequired(_l("비밀번호를 한 번 더 입력하세요.")),
            EqualTo("password", message=_l("비밀번호가 일치하지 않습니다.")),
        ]),
    )


class EmailOnlyForm(FlaskForm):
    """An e-mail address (password reset request, confirmation resend)."""

    email = EmailField(_l("이메일"), validators=[DataRequired(_l("이메일을 입력하세요.")),
                                            Email(_l("올바른 이메일 주소가 아닙니다.")),
                                            Length(max=254, message=_l("이메일은 254자 이하여야 합니다."))])


class ResetPasswordForm(FlaskForm):
    """A new password chosen from a reset link."""

    password, password_confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    """The current password and a new one."""

    current_password = PasswordField(_l("현재 비밀번호"),
                                     validators=[DataRequired(_l("비밀번호를 입력하세요."))])
    password, password_confirm = _new_password_fields()
