"""The form officials use to upload a verification document."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class DocumentForm(FlaskForm):
    """One PDF or image (its type is checked by content on the server)."""

    document = FileField(
        _l("증빙 문서 (재직증명서, 공무원증 사본 등)"),
        validators=[FileRequired(_l("올릴 파일을 선택하세요."))],
        render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"},
    )
