"""Forms of the administrators' console: decisions with a reason, and list filters."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.labels import choices
from app.models import AccountStatus, MembershipStatus, OfficialStatus, Role
from app.services.admin import REASON_MAX_LENGTH


def int_or_none(value: object) -> int | None:
    """Coerce a select value to int; empty or malformed values mean no choice."""
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _all_option(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _l("전체")), *options]


class DecisionForm(FlaskForm):
    """An administrative action chosen with a submit button, and its reason."""

    action = HiddenField(validators=[DataRequired(_l("처리할 작업을 선택하세요."))])
    reason = TextAreaField(
        _l("사유"),
        validators=[Optional(), Length(max=REASON_MAX_LENGTH,
                                       message=_l("사유는 500자 이하로 입력하세요."))],
        render_kw={"rows": 3, "maxlength": REASON_MAX_LENGTH},
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


def _parse_day(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(_l("날짜는 YYYY-MM-DD 형식으로 입력하세요.")) from exc


class AuditFilterForm(FlaskForm):
    """Audit entries by action, target type, actor and date range (Seoul time)."""

    class Meta:
        csrf = False

    action = SelectField(_l("작업"), validate_choice=False)
    target_type = SelectField(_l("대상 종류"), validate_choice=False)
    actor = SelectField(_l("처리자"), coerce=int_or_none, validate_choice=False)
    date_from = StringField(_l("시작일"), render_kw={"type": "date"})
    date_to = StringField(_l("종료일"), render_kw={"type": "date"})

    def validate_date_from(self, field) -> None:
        """A calendar date or nothing."""
        _parse_day(field.data)

    def validate_date_to(self, field) -> None:
        """A calendar date not before the start date, or nothing."""
        end = _parse_day(field.data)
        try:
            start = _parse_day(self.date_from.data)
        except ValidationError:
            return
        if start and end and end < start:
            raise ValidationError(_l("종료일은 시작일과 같거나 이후여야 합니다."))

    def day(self, name: str) -> date | None:
        """The parsed date of a date field, or None when empty or malformed."""
        try:
            return _parse_day(getattr(self, name).data)
        except ValidationError:
            return None


class MunicipalityDomainsForm(FlaskForm):
    """A municipality's official e-mail domains (space-separated; empty: the default)."""

    email_domains = StringField(
        _l("공식 이메일 도메인"),
        validators=[Optional(), Length(max=300, message=_l("도메인 목록은 300자 이하로 입력하세요."))],
        render_kw={"maxlength": 300, "placeholder": "jongno.go.kr seoul.go.kr"},
    )
