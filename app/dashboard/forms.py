"""Forms of the admin dashboard: the company CSV upload, the rematch button, the trend period."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from app.services import trends


class CompanyImportForm(FlaskForm):
    """Upload a CSV file of alliance member companies."""

    file = FileField(
        _l("CSV 파일"),
        validators=[
            FileRequired(_l("가져올 CSV 파일을 선택하세요.")),
            FileAllowed(["csv", "txt"], _l("확장자가 .csv인 파일만 올릴 수 있습니다.")),
        ],
        render_kw={"accept": ".csv,text/csv"},
    )


class RematchForm(FlaskForm):
    """Start recomputing every stored recommendation (a POST with its CSRF token)."""


def _parse_day(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(_l("날짜는 YYYY-MM-DD 형식으로 입력하세요.")) from exc


class TrendFilterForm(FlaskForm):
    """The period of the activity trends: a Seoul-date range and weekly or monthly rows."""

    class Meta:
        csrf = False

    date_from = StringField(_l("시작일"), render_kw={"type": "date"})
    date_to = StringField(_l("종료일"), render_kw={"type": "date"})
    granularity = SelectField(_l("단위"), choices=[(trends.MONTH, _l("월별")), (trends.WEEK, _l("주별"))],
                              default=trends.MONTH, validate_choice=False)

    def validate_granularity(self, field) -> None:
        """Monthly or weekly rows."""
        if field.data not in trends.GRANULARITIES:
            raise ValidationError(_l("단위는 월별 또는 주별 중에서 고르세요."))

    def validate_date_from(self, field) -> None:
        """A calendar date or nothing."""
        _parse_day(field.data)

    def validate_date_to(self, field) -> None:
        """A calendar date not before the start and at most about three years after it."""
        end = _parse_day(field.data)
        try:
            start = _parse_day(self.date_from.data)
        except ValidationError:
            return
        if start and end and end < start:
            raise ValidationError(_l("종료일은 시작일과 같거나 이후여야 합니다."))
        if start and end and (end - start).days > trends.MAX_DAYS:
            raise ValidationError(_l("기간은 3년 이내로 지정하세요."))

    def period(self, today: date) -> tuple[date, date, str]:
        """The valid range and granularity, defaulting to the last twelve months."""
        def day(name: str) -> date | None:
            try:
                return _parse_day(getattr(self, name).data)
            except ValidationError:
                return None
        valid = not self.errors
        end = (day("date_to") if valid else None) or today
        start = (day("date_from") if valid else None) or (end - timedelta(days=365)).replace(day=1)
        if start > end:
            start = end.replace(day=1)
        granularity = self.granularity.data if self.granularity.data in trends.GRANULARITIES \
            else trends.MONTH
        return start, end, granularity
