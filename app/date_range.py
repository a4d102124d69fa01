"""A filter form's optional date range (YYYY-MM-DD), shared by the audit log and the dashboard."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError


def parse_day(raw: str | None) -> date | None:
    """A calendar date, None when blank; anything else is a localised ValidationError."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(_l("날짜는 YYYY-MM-DD 형식으로 입력하세요.")) from exc


class DateRangeForm(FlaskForm):
    """A GET filter with an optional start and end date."""

    class Meta:
        csrf = False

    date_from = StringField(_l("시작일"), render_kw={"type": "date"})
    date_to = StringField(_l("종료일"), render_kw={"type": "date"})

    def validate_date_from(self, field) -> None:
        """A calendar date or nothing."""
        parse_day(field.data)

    def validate_date_to(self, field) -> None:
        """A calendar date not before the start date, or nothing."""
        end = parse_day(field.data)
        try:
            start = parse_day(self.date_from.data)
        except ValidationError:
            return
        if start and end and end < start:
            raise ValidationError(_l("종료일은 시작일과 같거나 이후여야 합니다."))

    def day(self, name: str) -> date | None:
        """The parsed date of a date field, or None when empty or malformed."""
        try:
            return parse_day(getattr(self, name).data)
        except ValidationError:
            return None
