"""Forms for the company profile, colleague invitations and simple confirmations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.company.fields import MultiCheckboxField, safe_int
from app.labels import choices
from app.models import SizeClass
from app.services import reference_data
from app.services.companies import DESCRIPTION_MAX, NAME_MAX, NAME_MIN, WEBSITE_MAX
from app.templating import place_short_name


def strip_text(value: str | None) -> str | None:
    """Drop surrounding spaces from a text input."""
    return value.strip() if isinstance(value, str) else value


class CompanyForm(FlaskForm):
    """A company's profile (creation and editing)."""

    version = HiddenField()  # the version the form was loaded with (optimistic locking)
    name = StringField(_l("기업명"), validators=[
        DataRequired(_l("기업명을 입력하세요.")),
        Length(min=NAME_MIN, max=NAME_MAX,
               message=_l("기업명은 %(min)d자 이상 %(max)d자 이하로 입력하세요.")),
    ])
    business_number = StringField(_l("사업자등록번호"), validators=[
        DataRequired(_l("사업자등록번호를 입력하세요.")),
        Length(max=20, message=_l("사업자등록번호는 숫자 10자리입니다. (예: 123-45-67890)")),
    ], render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": "123-45-67890"})
    size_class = SelectField(_l("기업 규모"), validate_choice=False,
                             validators=[DataRequired(_l("기업 규모를 선택하세요."))])
    hq_region_id = SelectField(_l("본사 소재지"), coerce=safe_int, validate_choice=False,
                               validators=[DataRequired(_l("본사 소재지(광역자치단체)를 선택하세요."))])
    region_ids = MultiCheckboxField(_l("사업 지역 (복수 선택)"))
    website = StringField(_l("웹사이트"), validators=[
        Optional(),
        Length(max=WEBSITE_MAX, message=_l("웹사이트 주소는 %(max)d자 이하여야 합니다.")),
    ], render_kw={"placeholder": "https://", "inputmode": "url"})
    description = TextAreaField(_l("기업 소개"), validators=[
        DataRequired(_l("기업 소개를 입력하세요.")),
        Length(max=DESCRIPTION_MAX, message=_l("기업 소개는 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"rows": 6})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        provinces = [(p.id, place_short_name(p)) for p in reference_data.provinces()]
        self.size_class.choices = [("", _l("-- 선택하세요 --"))] + choices(SizeClass)
        self.hq_region_id.choices = [("", _l("-- 선택하세요 --"))] + provinces
        self.region_ids.choices = provinces

    def validate_region_ids(self, field) -> None:
        """At least one region must be ticked."""
        if not field.data:
            raise ValidationError(_l("사업 지역을 한 곳 이상 선택하세요."))


class InvitationForm(FlaskForm):
    """The e-mail address of a colleague to invite."""

    email = EmailField(_l("초대할 동료의 이메일"), validators=[
        DataRequired(_l("초대할 이메일 주소를 입력하세요.")),
        Email(_l("올바른 이메일 주소가 아닙니다.")),
        Length(max=254, message=_l("이메일은 254자 이하여야 합니다.")),
    ], filters=[strip_text])


class ConfirmForm(FlaskForm):
    """A bare POST form (CSRF token only), used to accept an invitation."""
