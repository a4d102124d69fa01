"""Forms of the notification centre."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from app.services.notifications import KINDS


class EmailPreferencesForm(FlaskForm):
    """One checkbox per notification kind: receive its e-mails or not."""

    submit = SubmitField(_l("저장"))

    def kind_fields(self) -> list[BooleanField]:
        """The checkboxes, in the order of the kinds."""
        return [self[kind] for kind in KINDS]

    def preferences(self) -> dict[str, bool]:
        """The submitted choices as {kind: enabled}."""
        return {kind: bool(self[kind].data) for kind in KINDS}


for _kind, _label in KINDS.items():
    setattr(EmailPreferencesForm, _kind, BooleanField(_label))
