"""Forms for an official's needs, and the budget validators shared with the catalogue filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from app.amount_field import AmountField
from app.ids import optional_record_id, record_id
from app.labels import NEED_LANGUAGES, choices
from app.models import DataHubStandard, NeedStatus, PolicyArea
from app.services.needs import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    MAX_KRW,
    MAX_POPULATION,
    TARGET_AREA_MAX,
    TITLE_MAX,
    NeedData,
)
from app.templating import category_name

# A select of record ids: '' is no choice; a malformed or out-of-range id is a form error.
optional_int = optional_record_id


class CheckboxListField(SelectMultipleField):
    """Several choices shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        allowed = {value for value, _label in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("목록에 있는 항목만 선택할 수 있습니다."))


def krw_validators() -> list:
    """Optional, 0 to MAX_KRW won."""
    return [Optional(), NumberRange(min=0, max=MAX_KRW,
                                    message=_l("0원 이상, 1,000조 원 이하로 입력하세요."))]


class NeedForm(FlaskForm):
    """A new need: the problem, categories, budget, timeline and target."""

    title = StringField(_l("제목"), validators=[
        DataRequired(_l("제목을 입력하세요.")),
        Length(max=TITLE_MAX, message=_l("제목은 120자 이하로 입력하세요.")),
    ])
    description = TextAreaField(_l("문제 설명"), render_kw={"rows": 8}, validators=[
        DataRequired(_l("문제 설명을 입력하세요.")),
        Length(min=DESCRIPTION_MIN, max=DESCRIPTION_MAX,
               message=_l("문제 설명은 20자 이상 10,000자 이하로 입력하세요.")),
    ])
    primary_category_id = SelectField(_l("주 분야"), coerce=optional_int, validators=[
        DataRequired(_l("주 분야를 선택하세요.")),
    ])
    secondary_category_ids = CheckboxListField(_l("부 분야 (선택)"), coerce=record_id,
                                               validators=[Optional()])
    budget_min = AmountField(_l("최소 예산 (원)"), validators=krw_validators(),
                             render_kw={"placeholder": "10,000,000"})
    budget_max = AmountField(_l("최대 예산 (원)"), validators=krw_validators(),
                             render_kw={"placeholder": "50,000,000"})
    desired_start = DateField(_l("희망 착수일"), validators=[Optional()])
    application_deadline = DateField(_l("신청 마감일"), validators=[Optional()])
    target_area = StringField(_l("대상 지역"), validators=[
        Optional(),
        Length(max=TARGET_AREA_MAX, message=_l("대상 지역은 200자 이하로 입력하세요.")),
    ])
    # 한국어 / English: officials normally post Korean; an English need is matched against the
    # solutions' English summaries. Checked by the service (a clear message, not WTForms').
    language = SelectField(_l("작성 언어"), choices=list(NEED_LANGUAGES), default="ko",
                           validate_choice=False)
    target_population = AmountField(_l("대상 인구 (명)"), unit="명",
                                    validators=[Optional(), NumberRange(
                                        min=0, max=MAX_POPULATION,
                                        message=_l("대상 인구는 0명 이상 1억 명 이하로 입력하세요."))])
    requires_data_hub = BooleanField(_l("데이터허브 연계 필요"))
    required_data_hub_standard = SelectField(_l("필요한 연계 표준 (선택)"), validate_choice=False,
                                             validators=[Optional()])
    requires_open_source = BooleanField(_l("오픈소스 솔루션 필요"))
    policy_areas = CheckboxListField(_l("정책 중점 분야 (선택)"), choices=choices(PolicyArea),
                                     validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.required_data_hub_standard.choices = (
            [("", _l("-- 표준 무관 --"))] + choices(DataHubStandard))

    def set_category_choices(self, categories) -> None:
        """Fill both category lists from the loaded categories."""
        options = [(c.id, category_name(c)) for c in categories]
        self.primary_category_id.choices = [("", _l("-- 선택하세요 --"))] + options
        self.secondary_category_ids.choices = options

    def validate_budget_max(self, field) -> None:
        """The maximum may not be below the minimum."""
        if field.data is not None and self.budget_min.data is not None \
                and not self.budget_min.errors and field.data < self.budget_min.data:
            raise ValidationError(_l("최대 예산은 최소 예산보다 크거나 같아야 합니다."))

    def validate_secondary_category_ids(self, field) -> None:
        """A secondary category may not repeat the primary one."""
        if self.primary_category_id.data and self.primary_category_id.data in (field.data or []):
            raise ValidationError(_l("주 분야와 같은 분야는 부 분야로 선택할 수 없습니다."))

    def to_data(self) -> NeedData:
        """The submitted values for the needs service."""
        return NeedData(
            title=self.title.data or "",
            description=self.description.data or "",
            primary_category_id=self.primary_category_id.data,
            secondary_category_ids=list(self.secondary_category_ids.data or []),
            budget_min=self.budget_min.data,
            budget_max=self.budget_max.data,
            desired_start=self.desired_start.data,
            application_deadline=self.application_deadline.data,
            target_area=self.target_area.data,
            target_population=self.target_population.data,
            requires_data_hub=bool(self.requires_data_hub.data),
            required_data_hub_standard=self.required_data_hub_standard.data or None,
            requires_open_source=bool(self.requires_open_source.data),
            language=self.language.data or "ko",
            policy_areas=list(self.policy_areas.data or []),
        )


class NeedEditForm(NeedForm):
    """An existing need, including its status."""

    version = HiddenField()  # the version the form was loaded with (optimistic locking)
    status = SelectField(_l("상태"), choices=choices(NeedStatus),
                         validators=[DataRequired(_l("상태를 선택하세요."))])

    def to_data(self) -> NeedData:
        """The submitted values, including the new status."""
        data = super().to_data()
        data.status = NeedStatus(self.status.data) \
            if self.status.data in NeedStatus._value2member_map_ else None
        return data


class NeedStatusForm(FlaskForm):
    """One status button on the need pages."""

    status = SelectField(_l("상태"), choices=choices(NeedStatus),
                         validators=[DataRequired(_l("상태를 선택하세요."))])
