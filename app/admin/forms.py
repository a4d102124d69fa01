"""Forms of the administrators' console: decisions with a reason, and list filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.date_range import DateRangeForm
from app.ids import parse_whole
from app.labels import choices
from app.models import AccountStatus, MembershipStatus, OfficialStatus, Role
from app.services.admin import REASON_MAX_LENGTH


def int_or_none(value: object) -> int | None:
    """Coerce a select value to int; empty or malformed values mean no choice."""
    return parse_whole(value, minimum=1)


def _all_option(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _l("전체")), *options]


class DecisionForm(FlaskForm):
    """An administrative action chosen with a submit button, and its reason."""

    action = HiddenField(validators=[DataRequired(_l("처리할 작업을 선택하세요."))])
    reason = TextAreaField(
        _l("사유"),
        validators=[Optional(), Length(max=REASON_MAX_LENGTH,
                                       message=_l("사유는 500자 이하로 입력하세요."))],
        render_kw={"rows": 3},
    )
    next = HiddenField()


class BusinessStatusForm(FlaskForm):
    """Ask the National Tax Service again about a company's business number (CSRF only)."""


class FilterForm(FlaskForm):
    """A GET form read from the query string (no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("검색"), validators=[Optional(), Length(max=100, message=_l(
        "검색어는 100자 이하로 입력하세요."))])


class CompanyFilterForm(FilterForm):
    """Companies by membership status and name or business number."""

    status = SelectField(_l("회원 상태"), choices=_all_option(choices(MembershipStatus)),
                         validate_choice=False)


class OfficialFilterForm(FilterForm):
    """Officials by verification status, name, e-mail or municipality."""

    status = SelectField(_l("인증 상태"), choices=_all_option(choices(OfficialStatus)),
                         validate_choice=False)


class ListingFilterForm(FilterForm):
    """Solutions or needs by moderation state."""

    state = SelectField(_l("상태"), validate_choice=False, choices=[
        ("", _l("전체")),
        ("pending", _l("공개 대기")),
        ("public", _l("공개 중")),
        ("suspended", _l("게시 중단")),
    ])


class UserFilterForm(FilterForm):
    """Users by e-mail or name, role and account status."""

    role = SelectField(_l("역할"), choices=_all_option(choices(Role)), validate_choice=False)
    status = SelectField(_l("계정 상태"), choices=_all_option(choices(AccountStatus)),
                         validate_choice=False)


class AuditFilterForm(DateRangeForm):
    """Audit entries by action, target type, actor and date range (Seoul time)."""

    action = SelectField(_l("작업"), validate_choice=False)
    target_type = SelectField(_l("대상 종류"), validate_choice=False)
    actor = SelectField(_l("처리자"), coerce=int_or_none, validate_choice=False)


class MunicipalityDomainsForm(FlaskForm):
    """A municipality's official e-mail domains (space-separated; empty: the default)."""

    email_domains = StringField(
        _l("공식 이메일 도메인"),
        validators=[Optional(), Length(max=300, message=_l("도메인 목록은 300자 이하로 입력하세요."))],
        render_kw={"maxlength": 300, "placeholder": "jongno.go.kr seoul.go.kr"},
    )
