"""Forms of the alerts page: a saved search, the digest frequency, the bookmark button."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField

from app.amount_field import AmountField
from app.ids import optional_record_id
from app.labels import choices
from app.models import DigestFrequency
from app.needs.forms import krw_validators
from app.services.reference_data import categories, provinces
from app.services.saved_searches import SearchCriteria
from app.templating import category_name, place_name


class SavedSearchForm(FlaskForm):
    """Field, region and budget range to follow (region and budget only for needs).

    The selects do not check their choices: the service refuses an unknown field or region with
    its own message, so a forged id changes nothing either way.
    """

    category_id = SelectField(_l("분야"), coerce=optional_record_id, validate_choice=False)
    region_id = SelectField(_l("지역"), coerce=optional_record_id, validate_choice=False)
    budget_min = AmountField(_l("최소 예산 (원)"), validators=krw_validators())
    budget_max = AmountField(_l("최대 예산 (원)"), validators=krw_validators())
    declining_only = BooleanField(_l("인구감소지역·관심지역의 수요만"))
    submit = SubmitField(_l("검색 조건 저장"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category_id.choices = [("", _l("전체 분야"))] + [
            (c.id, category_name(c)) for c in categories()]
        self.region_id.choices = [("", _l("전체 지역"))] + [
            (p.id, place_name(p)) for p in provinces()]

    def criteria(self) -> SearchCriteria:
        """The submitted criteria, for the service to validate."""
        return SearchCriteria(category_id=self.category_id.data, region_id=self.region_id.data,
                              budget_min=self.budget_min.data, budget_max=self.budget_max.data,
                              declining_only=bool(self.declining_only.data))


class DigestForm(FlaskForm):
    """How often to receive the digest e-mail."""

    frequency = SelectField(_l("요약 메일"), choices=choices(DigestFrequency),
                            validate_choice=False)
    submit = SubmitField(_l("저장"))


class ActionForm(FlaskForm):
    """A button that posts (delete, bookmark), with its CSRF token and where to return."""

    next = HiddenField()
