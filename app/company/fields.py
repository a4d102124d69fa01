"""Form fields shared by company and solution forms: checkbox groups, Korean-friendly numbers."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectMultipleField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.ids import parse_whole


def safe_int(value: object) -> int | None:
    """An id from a select or checkbox; None for '', None or anything that is not a record id."""
    return parse_whole(value, minimum=1)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice rendered as checkboxes, so it works well without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("coerce", safe_int)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist) -> None:
        """Keep every submitted value; unknown ones are reported by the service."""
        self.data = [self.coerce(value) for value in valuelist]


class WholeNumberField(Field):
    """A whole number typed as text: accepts thousands separators (15,000,000) and a trailing 원."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or _l("숫자만 입력하세요. (예: 15,000,000)")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:,}"

    def process_formdata(self, valuelist) -> None:
        """Parse the text; blank means no value."""
        raw = (valuelist[0] if valuelist else "") or ""
        cleaned = re.sub(r"[\s,]", "", raw)
        cleaned = cleaned.removesuffix("원")
        if not cleaned:
            self.data = None
            return
        if not re.fullmatch(r"-?[0-9]{1,19}", cleaned):
            self.data = None
            raise ValueError(str(self.invalid_message))
        self.data = int(cleaned)

    def pre_validate(self, form) -> None:
        """Unreadable input already has its message; skip range checks that would repeat it."""
        if self.process_errors:
            raise StopValidation()


class PlainNumberField(WholeNumberField):
    """A whole number shown without thousands separators (e.g. a year)."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)
