"""AmountField: a drop-in for IntegerField that reads Korean amounts (5억, 1억 2천만, 3,000,000원)."""
from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from app.amounts import MAX_AMOUNT, AmountError, describe_amount, parse_amount
from app.i18n import current_language


class AmountInput(TextInput):
    """A text input followed by the line that shows what was understood (static/js/amounts.js
    updates it while typing)."""

    def __call__(self, field: "AmountField", **kwargs) -> Markup:
        kwargs.setdefault("inputmode", "text")  # a numeric keypad has no 억 or 만
        kwargs.setdefault("autocomplete", "off")
        kwargs["data-amount-unit"] = field.unit
        kwargs["data-amount-locale"] = current_language()
        hint_id = f"{field.id}-understood"
        kwargs["aria-describedby"] = " ".join(filter(None, [kwargs.get("aria-describedby"),
                                                            hint_id]))
        hint = Markup('<div id="{}" class="form-text amount-understood" '
                      'data-amount-hint-for="{}" aria-live="polite">{}</div>').format(
            hint_id, field.id, escape(field.understood))
        return super().__call__(field, **kwargs) + hint


class AmountField(Field):
    """A whole amount of `unit` (원 by default) typed the Korean way; `data` is an int or None."""

    widget = AmountInput()

    def __init__(self, label=None, validators=None, *, unit: str = "원",
                 maximum: int = MAX_AMOUNT, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.unit = unit
        self.maximum = maximum

    def process_formdata(self, valuelist: list[str]) -> None:
        """Blank means no value; anything else must read as an amount."""
        raw = (valuelist[0] if valuelist else "") or ""
        if not raw.strip():
            self.data = None
            return
        try:
            self.data = parse_amount(raw, unit=self.unit, maximum=self.maximum)
        except AmountError:
            self.data = None
            raise

    def pre_validate(self, form) -> None:
        """Unreadable input already has its message; range checks would only repeat it."""
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}" if isinstance(self.data, int) else ""

    @property
    def understood(self) -> str:
        """What the value was read as, e.g. "1억 2,000만 원 (120,000,000원)" ('' when none)."""
        if not isinstance(self.data, int) or self.process_errors:
            return ""
        return describe_amount(self.data, unit=self.unit, locale=current_language())
