"""Forms of the account page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class DeleteAccountForm(FlaskForm):
    """The password again, to delete the account."""

    password = PasswordField(_l("현재 비밀번호"), validators=[
        DataRequired(_l("비밀번호를 입력하세요.")),
        Length(max=128, message=_l("비밀번호는 10자 이상 128자 이하여야 합니다.")),
    ])


class ConsentForm(FlaskForm):
    """Consent to the current privacy notice (its version travels with the form)."""

    version = HiddenField()
    privacy_consent = BooleanField(
        _l("위 개인정보 수집·이용에 동의합니다. (필수)"),
        validators=[DataRequired(_l("개인정보 수집·이용에 동의해야 서비스를 계속 이용할 수 있습니다."))])
