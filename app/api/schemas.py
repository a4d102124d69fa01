"""Marshmallow schemas of the public API: its query parameters and the records it returns.

Validation messages are Korean msgids: static ones are translated when the error is answered
(app/api/errors.py), those with numbers or choices by the validators below, in the request.
"""
from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_babel import gettext as _
from marshmallow import fields

from app.catalogue.forms import KEYWORD_MAX
from app.ids import MAX_ID, MAX_PAGE
from app import countries
from app.models import (DataHubStandard, GovernmentLevel, Maturity, NeedStatus, OrganisationKind,
                        PolicyArea, SandboxKind, SizeClass)
from app.services import public_api
from app.services.needs import MAX_KRW

NOT_A_WHOLE_NUMBER = "정수를 입력하세요."
NOT_A_TEXT = "문자열을 입력하세요."
NOT_A_MOMENT = ("ISO 8601 날짜 또는 일시를 입력하세요. "
                "예: 2026-01-31 또는 2026-01-31T09:00:00+09:00")
UNKNOWN_PARAMETER = "알 수 없는 매개변수입니다."
NOT_A_FLAG = "1 또는 0을 입력하세요."
KEYWORD_TOO_LONG = "검색어는 100자 이하로 입력하세요."  # the catalogue's message


class Between(ma.validate.Validator):
    """A whole number from `minimum` to `maximum`, with a localised message."""

    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, value: int) -> int:
        if not self.minimum <= value <= self.maximum:
            raise ma.ValidationError(_("%(min)s 이상 %(max)s 이하의 정수를 입력하세요.",
                                       min=f"{self.minimum:,}", max=f"{self.maximum:,}"))
        return value


class OneOf(ma.validate.Validator):
    """One of the listed values, with a localised message naming them."""

    def __init__(self, values) -> None:
        self.values = [str(value) for value in values]

    def __call__(self, value: str) -> str:
        if value not in self.values:
            raise ma.ValidationError(_("허용되지 않는 값입니다. 가능한 값: %(values)s",
                                       values=", ".join(self.values)))
        return value


def whole(minimum: int, maximum: int, description: str, **kwargs) -> fields.Integer:
    """A whole-number query parameter."""
    return fields.Integer(validate=Between(minimum, maximum),
                          error_messages={"invalid": NOT_A_WHOLE_NUMBER},
                          metadata={"description": description}, **kwargs)


def choice(values, description: str, **kwargs) -> fields.String:
    """A query parameter taking one of a few values."""
    values = [getattr(value, "value", value) for value in values]
    return fields.String(validate=OneOf(values), error_messages={"invalid": NOT_A_TEXT},
                         metadata={"description": description, "enum": values}, **kwargs)


class QuerySchema(ma.Schema):
    """Query parameters: unknown ones are refused; empty ones count as absent."""

    error_messages = {"unknown": UNKNOWN_PARAMETER}

    @ma.pre_load
    def drop_empty(self, data, **kwargs):
        return {key: data[key] for key in data if data[key] not in ("", None)}


def _known_category(code: str) -> None:
    if not public_api.category_exists(code):
        raise ma.ValidationError(_("알 수 없는 분야입니다."))


def _known_region(region_id: int) -> None:
    if not public_api.municipality_exists(region_id):
        raise ma.ValidationError(_("알 수 없는 지역입니다."))


def _q() -> fields.String:
    return fields.String(
        validate=ma.validate.Length(max=KEYWORD_MAX, error=KEYWORD_TOO_LONG),
        error_messages={"invalid": NOT_A_TEXT},
        metadata={"description": "Keywords; every word must appear (title, text, company or "
                                 "municipality name, tags)."})


def _category() -> fields.String:
    return fields.String(validate=_known_category, error_messages={"invalid": NOT_A_TEXT},
                         metadata={"description": "Category code (e.g. `transport`); primary or "
                                                  "secondary category."})


def _known_country(value: str) -> None:
    if not countries.is_known(value):
        raise ma.ValidationError(_("알 수 없는 국가 코드입니다. ISO 3166-1 두 글자 코드를 쓰세요 (예: VN)."))


def _region(description: str) -> fields.Integer:
    return fields.Integer(validate=[Between(1, MAX_ID), _known_region],
                          error_messages={"invalid": NOT_A_WHOLE_NUMBER},
                          metadata={"description": description})


def _budget(description: str) -> fields.Integer:
    return whole(0, MAX_KRW, description)


def _policy_area() -> fields.String:
    return choice(PolicyArea, "Policy area of the 4th Smart City Plan: `climate` (기후위기 대응) "
                              "or `inclusion` (디지털 포용); only tags an admin confirmed.")


def _updated_since() -> fields.DateTime:
    return fields.DateTime(format="iso", error_messages={"invalid": NOT_A_MOMENT},
                           metadata={"description": "Only records changed at or after this "
                                                    "ISO 8601 moment (UTC when no offset)."})


class PageQuery(QuerySchema):
    """Pagination: `page` from 1, `per_page` up to API_MAX_PAGE_SIZE (default API_PAGE_SIZE)."""

    page = whole(1, MAX_PAGE, "Page number, from 1.", load_default=1)
    per_page = fields.Integer(error_messages={"invalid": NOT_A_WHOLE_NUMBER},
                              metadata={"description": "Records per page (default 20, at most "
                                                       "100 unless configured otherwise)."})

    @ma.validates("per_page")
    def validate_per_page(self, value: int, **kwargs) -> None:
        Between(1, current_app.config["API_MAX_PAGE_SIZE"])(value)


def _data_hub(description: str) -> fields.String:
    return choice([s.value for s in DataHubStandard] + [public_api.ANY_DATA_HUB], description)


def _open_source(description: str) -> fields.String:
    return choice(("1", "0"), description)


class SolutionFilters(QuerySchema):
    """Filters of published solutions."""

    q = _q()
    category = _category()
    region = _region("Local-government id: solutions serving it (or its whole province).")
    maturity = choice(Maturity, "Technology maturity.")
    size_class = choice(SizeClass, "Size class of the company.")
    budget_min = _budget("Lower end of your budget (KRW): solutions whose price reaches it.")
    budget_max = _budget("Upper end of your budget (KRW): solutions priced from at most it.")
    data_hub = _data_hub("Data-hub standard code: solutions supporting it; `any`: any standard.")
    open_source = _open_source("`1`: open-source solutions (an SPDX licence); `0`: the others.")
    policy_area = _policy_area()
    updated_since = _updated_since()
    sandbox = choice(("1", "0"), "`1`: only solutions whose trial needs a regulatory exemption "
                     "(regulatory sandbox: 실증특례 or 임시허가); `0`: only the others.")


class NeedFilters(QuerySchema):
    """Filters of public needs."""

    q = _q()
    category = _category()
    region = _region("Local-government id: its needs (a province: with its basic governments).")
    status = choice([s.value for s in NeedStatus] + ["all"],
                    "Need status; default `open`, `all` for every status.")
    budget_min = _budget("Needs whose budget reaches at least this (KRW).")
    budget_max = _budget("Needs whose budget starts at most at this (KRW).")
    data_hub = _data_hub("Needs requiring a data hub through this standard; `any`: requiring "
                         "a data hub at all.")
    open_source = _open_source("`1`: needs requiring open source; `0`: the others.")
    policy_area = _policy_area()
    decline = choice(("1", "decline", "interest"),
                     "Only needs from population-decline places (행정안전부 고시 제2021-66호): `1` "
                     "both kinds, `decline` the 89 인구감소지역, `interest` the 18 관심지역.")
    overseas = fields.Boolean(
        truthy={"1", "true"}, falsy={"0", "false"}, error_messages={"invalid": NOT_A_FLAG},
        metadata={"description": "`1`: only needs of overseas organisations (K-City Network); "
                                 "`0`: only Korean local governments' needs."})
    country = fields.String(
        validate=_known_country, error_messages={"invalid": NOT_A_TEXT},
        metadata={"description": "ISO 3166-1 alpha-2 code (e.g. `VN`) of the overseas "
                                 "organisation; implies overseas needs."})
    updated_since = _updated_since()


class CompanyFilters(QuerySchema):
    """Filters of approved alliance members."""

    q = _q()
    category = _category()
    region = _region("Local-government id of the head office (a province: with its basics).")
    size_class = choice(SizeClass, "Size class.")
    updated_since = _updated_since()


class MunicipalityFilters(QuerySchema):
    """Filters of local governments."""

    q = fields.String(validate=ma.validate.Length(max=KEYWORD_MAX, error=KEYWORD_TOO_LONG),
                      error_messages={"invalid": NOT_A_TEXT},
                      metadata={"description": "Words of the Korean or English name."})
    region = _region("A province id: the province and its basic governments.")
    level = choice(GovernmentLevel, "`province` (광역) or `basic` (기초).")


class SolutionQuery(SolutionFilters, PageQuery):
    sort = choice(("newest", "title", "price"), "Order; default `newest`.")


class NeedQuery(NeedFilters, PageQuery):
    sort = choice(("newest", "deadline", "budget"), "Order; default `newest`.")


class CompanyQuery(CompanyFilters, PageQuery):
    pass


class MunicipalityQuery(MunicipalityFilters, PageQuery):
    pass


# --- records ------------------------------------------------------------------------------------


class CategorySchema(ma.Schema):
    code = fields.String()
    name_ko = fields.String()
    name_en = fields.String()


class PlaceSchema(ma.Schema):
    id = fields.Integer()
    full_name = fields.String()
    full_name_en = fields.String(allow_none=True)


class CompanyRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    size_class = fields.String(metadata={"enum": [s.value for s in SizeClass]})


class ReferenceSchema(ma.Schema):
    municipality = fields.Nested(PlaceSchema)
    year = fields.Integer()
    outcome = fields.String()
    data_hub_name = fields.String(allow_none=True,
                                  metadata={"description": "The data hub it runs on, if any."})


class SandboxSchema(ma.Schema):
    """The regulatory exemption a solution's trial needs."""

    kind = fields.String(metadata={"enum": [k.value for k in SandboxKind],
                                   "description": "`demonstration` (실증특례) or "
                                                  "`temporary_permit` (임시허가)."})
    rule = fields.String(metadata={"description": "The rule at stake."})


class SolutionSchema(ma.Schema):
    """A published solution of an approved alliance member."""

    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    description = fields.String()
    company = fields.Nested(CompanyRefSchema)
    primary_category = fields.Nested(CategorySchema)
    secondary_categories = fields.List(fields.Nested(CategorySchema))
    maturity = fields.String(metadata={"enum": [m.value for m in Maturity]})
    price_min = fields.Integer(allow_none=True, metadata={"description": "KRW"})
    price_max = fields.Integer(allow_none=True, metadata={"description": "KRW"})
    regions_served = fields.List(fields.Nested(PlaceSchema))
    tags = fields.List(fields.String())
    policy_tags = fields.List(fields.String(metadata={"enum": [a.value for a in PolicyArea]}),
                              metadata={"description": "Policy areas an admin confirmed "
                                                       "(`climate`, `inclusion`)."})
    references = fields.List(fields.Nested(ReferenceSchema))
    data_hub_standards = fields.List(fields.String(
        metadata={"enum": [s.value for s in DataHubStandard]}),
        metadata={"description": "Data-hub interfaces/standards it supports (docs/data-hub.md)."})
    open_source_license = fields.String(allow_none=True, metadata={
        "description": "SPDX licence expression; null when it is not open source."})
    source_url = fields.String(allow_none=True, metadata={
        "description": "Source-code repository (given with every licence)."})
    regulatory_sandbox = fields.Nested(SandboxSchema, allow_none=True, metadata={
        "description": "The regulatory exemption its trial needs; null when none."})
    published_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()
    url = fields.String(metadata={"description": "The solution's page on the site."})
    title_en = fields.String(allow_none=True, metadata={
        "description": "English title for overseas (English) needs, if the company gave one."})
    summary_en = fields.String(allow_none=True, metadata={"description": "English summary."})
    description_en = fields.String(allow_none=True, metadata={
        "description": "English description."})


class OverseasOrganisationSchema(ma.Schema):
    """A foreign city government, agency or development bank (K-City Network)."""

    id = fields.Integer()
    name = fields.String()
    name_ko = fields.String(allow_none=True)
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    city = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": [k.value for k in OrganisationKind]})


class NeedSchema(ma.Schema):
    """A public need of a local government."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    municipality = fields.Nested(PlaceSchema, allow_none=True,
                                 metadata={"description": "None for an overseas need."})
    language = fields.String(metadata={"enum": ["ko", "en"],
                                       "description": "The language the need is written in."})
    overseas = fields.Boolean(metadata={"description": "Posted by an overseas organisation."})
    overseas_organisation = fields.Nested(OverseasOrganisationSchema, allow_none=True)
    primary_category = fields.Nested(CategorySchema)
    secondary_categories = fields.List(fields.Nested(CategorySchema))
    status = fields.String(metadata={"enum": [s.value for s in NeedStatus]})
    budget_min = fields.Integer(allow_none=True, metadata={"description": "KRW"})
    budget_max = fields.Integer(allow_none=True, metadata={"description": "KRW"})
    desired_start = fields.Date(allow_none=True)
    application_deadline = fields.Date(allow_none=True)
    target_area = fields.String(allow_none=True)
    target_population = fields.Integer(allow_none=True)
    requires_data_hub = fields.Boolean()
    required_data_hub_standard = fields.String(allow_none=True, metadata={
        "enum": [s.value for s in DataHubStandard],
        "description": "The one standard required, if named (implies requires_data_hub)."})
    requires_open_source = fields.Boolean()
    policy_tags = fields.List(fields.String(metadata={"enum": [a.value for a in PolicyArea]}),
                              metadata={"description": "Policy areas an admin confirmed "
                                                       "(`climate`, `inclusion`)."})
    declining_area = fields.Boolean(metadata={
        "description": "The municipality is a designated 인구감소지역 or 관심지역."})
    decline_kind = fields.String(allow_none=True, metadata={
        "enum": ["decline", "interest"],
        "description": "`decline` (인구감소지역), `interest` (관심지역) or null."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    url = fields.String(metadata={"description": "The need's page on the site."})
    language = fields.String(metadata={
        "enum": ["ko", "en"],
        "description": "Language the need is written in (en: overseas demand, matched against "
                       "the solutions' English summaries)."})


class CompanySchema(ma.Schema):
    """An approved convergence-alliance member."""

    id = fields.Integer()
    name = fields.String()
    business_number = fields.String(metadata={"description": "As on the public profile."})
    size_class = fields.String(metadata={"enum": [s.value for s in SizeClass]})
    description = fields.String()
    website = fields.String(allow_none=True)
    hq_region = fields.Nested(PlaceSchema)
    regions_served = fields.List(fields.Nested(PlaceSchema))
    public_solution_count = fields.Integer()
    updated_at = fields.DateTime()
    url = fields.String(metadata={"description": "The company's page on the site."})


class MunicipalitySchema(ma.Schema):
    """One of the 243 local governments."""

    id = fields.Integer()
    name = fields.String()
    full_name = fields.String()
    name_en = fields.String(allow_none=True)
    full_name_en = fields.String(allow_none=True)
    level = fields.String(metadata={"enum": [g.value for g in GovernmentLevel]})
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
    open_need_count = fields.Integer()
    url = fields.String(metadata={"description": "The local government's page on the site."})


class PageMetaSchema(ma.Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class PageLinksSchema(ma.Schema):
    self = fields.String()
    first = fields.String()
    last = fields.String()
    prev = fields.String(allow_none=True)
    next = fields.String(allow_none=True)


def page_schema(name: str, item: type[ma.Schema]) -> type[ma.Schema]:
    """A page of records: `data`, `meta` (page, per_page, total, pages) and `links`."""
    return type(name, (ma.Schema,), {
        "data": fields.List(fields.Nested(item)),
        "meta": fields.Nested(PageMetaSchema),
        "links": fields.Nested(PageLinksSchema),
    })


SolutionPage = page_schema("SolutionPage", SolutionSchema)
NeedPage = page_schema("NeedPage", NeedSchema)
CompanyPage = page_schema("CompanyPage", CompanySchema)
MunicipalityPage = page_schema("MunicipalityPage", MunicipalitySchema)


class CellSchema(ma.Schema):
    key = fields.String(metadata={"description": "Category code, province id or size class."})
    label = fields.String(metadata={"description": "Name in the request's language."})
    count = fields.Integer(allow_none=True, metadata={"description": "null when suppressed."})
    suppressed = fields.Boolean()


class BreakdownSchema(ma.Schema):
    total = fields.Integer(allow_none=True)
    cells = fields.List(fields.Nested(CellSchema))


class SolutionStatsSchema(ma.Schema):
    by_category = fields.Nested(BreakdownSchema)
    by_region = fields.Nested(BreakdownSchema)
    by_size_class = fields.Nested(BreakdownSchema)


class NeedStatsSchema(ma.Schema):
    by_category = fields.Nested(BreakdownSchema)
    by_region = fields.Nested(BreakdownSchema)


class CompanyStatsSchema(ma.Schema):
    by_region = fields.Nested(BreakdownSchema)
    by_size_class = fields.Nested(BreakdownSchema)


class StatisticsSchema(ma.Schema):
    """Counts of public listings, with cells from too few organisations suppressed."""

    min_organisations = fields.Integer()
    solutions = fields.Nested(SolutionStatsSchema)
    open_needs = fields.Nested(NeedStatsSchema)
    companies = fields.Nested(CompanyStatsSchema)


COLLECTION_SCHEMAS = {
    "solutions": (SolutionFilters, SolutionSchema),
    "needs": (NeedFilters, NeedSchema),
    "companies": (CompanyFilters, CompanySchema),
    "municipalities": (MunicipalityFilters, MunicipalitySchema),
}
