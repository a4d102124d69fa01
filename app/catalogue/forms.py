"""GET forms that validate the catalogue's search and filter parameters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.labels import choices
from app import countries
from app.models import Maturity, NeedStatus, PolicyArea, SizeClass
from app.amount_field import AmountField
from app.needs.forms import krw_validators
from app.services.catalogue import (
    CompanyFilters,
    NeedFilters,
    SolutionFilters,
)
from app.templating import category_name, place_short_name

KEYWORD_MAX = 100
ALL_STATUSES = "all"
# The needs list's population-decline filter (values: app.services.decline.FILTER_KINDS).
DECLINE_CHOICES = [("", _l("모든 지역")), ("1", _l("인구감소지역·관심지역")),
                   ("decline", _l("인구감소지역만")), ("interest", _l("관심지역만"))]


class KnownChoice:
    """Refuse a select value that is not among the field's choices, with a specific message."""

    def __init__(self, message) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data in (None, ""):
            return
        if not any(str(value) == str(field.data) for value, _label in field.choices):
            raise ValidationError(self.message)


def filter_select(label, invalid_message, **kwargs) -> SelectField:
    """A select for a GET filter: unknown values get a Korean message instead of a crash."""
    return SelectField(label, validate_choice=False, validators=[KnownChoice(invalid_message)],
                       **kwargs)


class SearchForm(FlaskForm):
    """Common behaviour: no CSRF (GET), and values only from fields that passed validation."""

    class Meta:
        csrf = False

    q = StringField(_l("검색어"), validators=[
        Optional(), Length(max=KEYWORD_MAX, message=_l("검색어는 100자 이하로 입력하세요.")),
    ])

    def value(self, name: str):
        """The field's value, or None when it is empty or invalid."""
        field = self[name]
        if field.errors or field.data in (None, ""):
            return None
        return field.data

    def warnings(self) -> list[str]:
        """'Label: message' for every field whose value was ignored."""
        return [f"{self[name].label.text}: {errors[0]}" for name, errors in self.errors.items()]

    def effective_sort(self, default: str) -> str:
        """The order in effect: the chosen one, else relevance when a keyword is given, else
        `default` (relevance needs a keyword); the select then shows it."""
        chosen = self.value("sort")
        if self.value("q"):
            sort = chosen or "relevance"
        else:
            sort = chosen if chosen and chosen != "relevance" else default
        self.sort.data = sort
        return sort

    def has_filters(self) -> bool:
        """True when any filter other than the sort order is set."""
        return any(self.value(field.name) is not None
                   for field in self if field.name not in ("sort", "status"))


def _category_choices(categories) -> list[tuple[str, str]]:
    return [("", _l("전체 분야"))] + [(c.code, category_name(c)) for c in categories]


def policy_area_select() -> SelectField:
    """The confirmed policy-area filter of the solutions and needs lists."""
    return filter_select(_l("정책 중점 분야"), choices=[("", _l("전체"))] + choices(PolicyArea),
                         invalid_message=_l("알 수 없는 정책 분야입니다."))


def _region_choices(provinces) -> list[tuple[str, str]]:
    return [("", _l("전국"))] + [(str(p.id), place_short_name(p)) for p in provinces]


def _policy_area(value: str | None) -> PolicyArea | None:
    return PolicyArea(value) if value else None


class SolutionSearchForm(SearchForm):
    """Keyword, category, region, company size, maturity, budget and sort of the solutions list."""

    category = filter_select(_l("분야"), invalid_message=_l("알 수 없는 분야입니다."))
    region = filter_select(_l("서비스 지역"), invalid_message=_l("알 수 없는 지역입니다."))
    size = filter_select(_l("기업 규모"), choices=[("", _l("전체 규모"))] + choices(SizeClass),
                             invalid_message=_l("알 수 없는 기업 규모입니다."))
    maturity = filter_select(_l("기술 성숙도"),
                                 choices=[("", _l("전체 단계"))] + choices(Maturity),
                                 invalid_message=_l("알 수 없는 성숙도입니다."))
    budget = AmountField(_l("가용 예산 (원)"), validators=krw_validators(),
                         render_kw={"placeholder": "50,000,000"})
    policy_area = policy_area_select()
    sort = filter_select(_l("정렬"), choices=[
        ("relevance", _l("관련도순")), ("newest", _l("최신순")), ("title", _l("이름순")),
        ("price", _l("가격 낮은순")),
    ], invalid_message=_l("알 수 없는 정렬 방식입니다."))

    def set_choices(self, categories, provinces) -> None:
        """Fill the category and region lists."""
        self.category.choices = _category_choices(categories)
        self.region.choices = _region_choices(provinces)

    def to_filters(self) -> SolutionFilters:
        """The valid parameters as service filters."""
        region = self.value("region")
        size = self.value("size")
        maturity = self.value("maturity")
        return SolutionFilters(
            q=self.value("q") or "",
            category_code=self.value("category"),
            region_id=int(region) if region else None,
            size_class=SizeClass(size) if size else None,
            maturity=Maturity(maturity) if maturity else None,
            budget=self.value("budget"),
            sort=self.effective_sort("newest"),
            policy_area=_policy_area(self.value("policy_area")),
        )


class NeedSearchForm(SearchForm):
    """Keyword, category, region, budget range, status and sort of the needs list."""

    category = filter_select(_l("분야"), invalid_message=_l("알 수 없는 분야입니다."))
    region = filter_select(_l("지역"), invalid_message=_l("알 수 없는 지역입니다."))
    budget_min = AmountField(_l("예산 하한 (원)"), validators=krw_validators())
    budget_max = AmountField(_l("예산 상한 (원)"), validators=krw_validators())
    policy_area = policy_area_select()
    decline = filter_select(_l("인구감소지역"), choices=DECLINE_CHOICES,
                            invalid_message=_l("알 수 없는 인구감소지역 조건입니다."))
    status = filter_select(_l("상태"), default=NeedStatus.OPEN.value,
                               choices=choices(NeedStatus) + [(ALL_STATUSES, _l("전체 상태"))],
                               invalid_message=_l("알 수 없는 상태입니다."))
    sort = filter_select(_l("정렬"), choices=[
        ("relevance", _l("관련도순")), ("newest", _l("최신순")), ("deadline", _l("마감 임박순")),
        ("budget", _l("예산 높은순")),
    ], invalid_message=_l("알 수 없는 정렬 방식입니다."))
    # Overseas demand (K-City Network): "1" only overseas needs, "0" only Korean ones.
    overseas = filter_select(_l("해외 수요"), choices=[
        ("", _l("국내·해외 전체")), ("0", _l("국내 수요만")), ("1", _l("해외 수요만")),
    ], invalid_message=_l("알 수 없는 해외 수요 필터입니다."))
    country = filter_select(_l("국가"), invalid_message=_l("알 수 없는 국가 코드입니다."))

    def set_choices(self, categories, provinces) -> None:
        """Fill the category, region and country lists."""
        self.category.choices = _category_choices(categories)
        self.region.choices = _region_choices(provinces)
        if isinstance(self.country.data, str):
            self.country.data = self.country.data.strip().upper()
        self.country.choices = [("", _l("전체 국가"))] + countries.choices()

    def validate_budget_max(self, field) -> None:
        """The upper bound may not be below the lower one."""
        low = self.budget_min.data if not self.budget_min.errors else None
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("예산 상한은 하한보다 크거나 같아야 합니다."))

    def to_filters(self) -> NeedFilters:
        """The valid parameters as service filters (status defaults to open)."""
        region = self.value("region")
        status = self.value("status") or NeedStatus.OPEN.value
        statuses = () if status == ALL_STATUSES else (NeedStatus(status),)
        return NeedFilters(
            q=self.value("q") or "",
            category_code=self.value("category"),
            region_id=int(region) if region else None,
            budget_min=self.value("budget_min"),
            budget_max=self.value("budget_max"),
            decline=self.value("decline"),
            statuses=statuses,
            sort=self.effective_sort("newest"),
            policy_area=_policy_area(self.value("policy_area")),
            overseas={"1": True, "0": False}.get(self.value("overseas") or ""),
            country=self.value("country"),
        )


class CompanySearchForm(SearchForm):
    """Keyword, size class and sort of the companies list."""

    size = filter_select(_l("기업 규모"), choices=[("", _l("전체 규모"))] + choices(SizeClass),
                             invalid_message=_l("알 수 없는 기업 규모입니다."))
    sort = filter_select(_l("정렬"), choices=[("relevance", _l("관련도순")), ("name", _l("이름순"))],
                         invalid_message=_l("알 수 없는 정렬 방식입니다."))

    def to_filters(self) -> CompanyFilters:
        """The valid parameters as service filters."""
        size = self.value("size")
        return CompanyFilters(q=self.value("q") or "", size_class=SizeClass(size) if size else None,
                              sort=self.effective_sort("name"))
