"""Forms of the admin dashboard: the company CSV upload and the rematch button."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


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
