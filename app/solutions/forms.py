"""Forms for a company's solutions and their deployment references."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.amount_field import AmountField
from app.company.fields import MultiCheckboxField, PlainNumberField, safe_int
from app.labels import choices
from app.models import DataHubStandard, Maturity, PolicyArea, SandboxKind
from app.models.sandbox import SANDBOX_RULE_MAX
from app.services import accounts, reference_data
from app.services.data_hub import DATA_HUB_NAME_MAX, LICENSE_MAX, SOURCE_URL_MAX
from app.services.solutions import (
    DESCRIPTION_MAX,
    FIRST_REFERENCE_YEAR,
    OUTCOME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    current_year,
)
from app.templating import category_name, place_short_name

PRICE_VALIDATORS = [
    Optional(),
    NumberRange(min=0, message=_l("가격은 0원 이상이어야 합니다.")),
]


class SolutionForm(FlaskForm):
    """A solution's listing: what it is, its fields, tags, maturity, price and regions."""

    version = HiddenField()  # the version the form was loaded with (optimistic locking)
    title = StringField(_l("솔루션명"), validators=[
        DataRequired(_l("솔루션명을 입력하세요.")),
        Length(max=TITLE_MAX, message=_l("솔루션명은 %(max)d자 이하로 입력하세요.")),
    ])
    summary = StringField(_l("한 줄 소개"), validators=[
        DataRequired(_l("한 줄 소개를 입력하세요.")),
        Length(max=SUMMARY_MAX, message=_l("한 줄 소개는 %(max)d자 이하로 입력하세요.")),
    ])
    description = TextAreaField(_l("상세 설명"), validators=[
        DataRequired(_l("상세 설명을 입력하세요.")),
        Length(max=DESCRIPTION_MAX, message=_l("상세 설명은 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"rows": 8})
    primary_category_id = SelectField(_l("주 분야"), coerce=safe_int, validate_choice=False,
                                      validators=[DataRequired(_l("주 분야를 선택하세요."))])
    secondary_category_ids = MultiCheckboxField(_l("보조 분야 (선택)"))
    tags = StringField(_l("태그"), validators=[
        Optional(), Length(max=1000, message=_l("태그 입력이 너무 깁니다.")),
    ], render_kw={"placeholder": _l("예: DRT, 수요응답형교통, AI")})
    maturity = SelectField(_l("기술 성숙도"), validate_choice=False,
                           validators=[DataRequired(_l("기술 성숙도를 선택하세요."))])
    price_min = AmountField(_l("최저 가격 (원)"), validators=PRICE_VALIDATORS,
                            render_kw={"placeholder": "15,000,000"})
    price_max = AmountField(_l("최고 가격 (원)"), validators=PRICE_VALIDATORS,
                            render_kw={"placeholder": "50,000,000"})
    region_ids = MultiCheckboxField(_l("공급 가능 지역 (복수 선택)"))
    data_hub_standards = MultiCheckboxField(_l("데이터허브 연계 표준 (선택)"), coerce=str)
    open_source_license = StringField(_l("오픈소스 라이선스 (SPDX)"), validators=[
        Optional(), Length(max=LICENSE_MAX,
                           message=_l("오픈소스 라이선스는 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"placeholder": "Apache-2.0", "autocomplete": "off"})
    source_url = StringField(_l("소스 코드 주소"), validators=[
        Optional(), Length(max=SOURCE_URL_MAX,
                           message=_l("소스 코드 주소는 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"placeholder": "https://github.com/...", "inputmode": "url"})
    # 영문 요약 (해외 수요용): optional; matched against overseas needs written in English.
    title_en = StringField(_l("영문 솔루션명"), validators=[
        Optional(), Length(max=TITLE_MAX, message=_l("영문 솔루션명은 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"lang": "en", "placeholder": "Demand-responsive transport platform"})
    summary_en = StringField(_l("영문 한 줄 소개"), validators=[
        Optional(),
        Length(max=SUMMARY_MAX, message=_l("영문 한 줄 소개는 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"lang": "en"})
    description_en = TextAreaField(_l("영문 상세 설명"), validators=[
        Optional(),
        Length(max=DESCRIPTION_MAX, message=_l("영문 상세 설명은 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"rows": 5, "lang": "en"})
    sandbox_kind = SelectField(_l("규제 특례 필요 여부"), validate_choice=False)
    sandbox_rule = StringField(_l("특례가 필요한 규제 (법령·조항)"), validators=[
        Optional(),
        Length(max=SANDBOX_RULE_MAX, message=_l("규제 내용은 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"placeholder": _l("예: 도로교통법 제2조 (자율주행 차량의 공공도로 운행)")})
    policy_areas = MultiCheckboxField(_l("정책 중점 분야 (선택)"), coerce=str,
                                      choices=choices(PolicyArea))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        categories = [(c.id, category_name(c)) for c in reference_data.categories()]
        self.primary_category_id.choices = [("", _l("-- 선택하세요 --"))] + categories
        self.secondary_category_ids.choices = categories
        self.maturity.choices = [("", _l("-- 선택하세요 --"))] + choices(Maturity)
        self.region_ids.choices = [(p.id, place_short_name(p)) for p in reference_data.provinces()]
        self.data_hub_standards.choices = choices(DataHubStandard)
        self.sandbox_kind.choices = [("", _l("필요 없음"))] + choices(SandboxKind)

    def validate_region_ids(self, field) -> None:
        """At least one region must be ticked."""
        if not field.data:
            raise ValidationError(_l("공급 가능 지역을 한 곳 이상 선택하세요."))

    def validate_price_max(self, field) -> None:
        """The range must be ordered when both ends are given."""
        low = self.price_min.data
        if field.data is not None and low is not None and low >= 0 and field.data < low:
            raise ValidationError(_l("최고 가격은 최저 가격보다 크거나 같아야 합니다."))


class ReferenceForm(FlaskForm):
    """One past deployment: where, which year, with what outcome."""

    municipality_id = SelectField(_l("도입 지자체"), coerce=safe_int, validate_choice=False,
                                  validators=[DataRequired(_l("도입 지자체를 선택하세요."))])
    year = PlainNumberField(_l("도입 연도"), validators=[InputRequired(_l("도입 연도를 입력하세요."))],
                            invalid_message=_l("연도는 숫자로 입력하세요. (예: 2023)"),
                            render_kw={"inputmode": "numeric", "placeholder": "2023"})
    outcome = StringField(_l("도입 성과"), validators=[
        DataRequired(_l("도입 성과를 입력하세요.")),
        Length(max=OUTCOME_MAX, message=_l("도입 성과는 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"placeholder": _l("예: 배차 대기시간 30% 감소")})
    data_hub_name = StringField(_l("운영 데이터허브 (선택)"), validators=[
        Optional(), Length(max=DATA_HUB_NAME_MAX,
                           message=_l("데이터허브 이름은 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"placeholder": _l("예: 부산 데이터허브")})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = {"": [("", _l("-- 선택하세요 --"))],
                                        **dict(accounts.municipality_choices())}

    def validate_year(self, field) -> None:
        """Between 1990 and this year."""
        last = current_year()
        if field.data is not None and not FIRST_REFERENCE_YEAR <= field.data <= last:
            raise ValidationError(_l("도입 연도는 %(first)d년부터 %(last)d년 사이로 입력하세요.",
                                     first=FIRST_REFERENCE_YEAR, last=last))
