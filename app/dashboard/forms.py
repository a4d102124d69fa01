"""Forms of the admin dashboard: the company CSV upload, the rematch button, the trend period."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import ValidationError

from app.date_range import DateRangeForm, parse_day
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


class TrendFilterForm(DateRangeForm):
    """The period of the activity trends: a Seoul-date range and weekly or monthly rows."""

    granularity = SelectField(_l("단위"), choices=[(trends.MONTH, _l("월별")), (trends.WEEK, _l("주별"))],
                              default=trends.MONTH, validate_choice=False)

    def validate_granularity(self, field) -> None:
        """Monthly or weekly rows."""
        if field.data not in trends.GRANULARITIES:
            raise ValidationError(_l("단위는 월별 또는 주별 중에서 고르세요."))

    def validate_date_to(self, field) -> None:
        """A calendar date not before the start and at most about three years after it."""
        super().validate_date_to(field)
        start, end = self.day("date_from"), parse_day(field.data)
        if start and end and (end - start).days > trends.MAX_DAYS:
            raise ValidationError(_l("기간은 3년 이내로 지정하세요."))

    def period(self, today: date) -> tuple[date, date, str]:
        """The valid range and granularity, defaulting to the last twelve months."""
        valid = not self.errors
        end = (self.day("date_to") if valid else None) or today
        start = (self.day("date_from") if valid else None) or (end - timedelta(days=365)).replace(day=1)
        if start > end:
            start = end.replace(day=1)
        granularity = self.granularity.data if self.granularity.data in trends.GRANULARITIES \
            else trends.MONTH
        return start, end, granularity
