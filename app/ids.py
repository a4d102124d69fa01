"""Whole numbers from outside (URL parts, query strings, form fields): ASCII digits, within range.

Python's `int()` and `str.isdigit()` accept more than a database can store: `int('9' * 30)` is
fine in Python but overflows SQLite's 64-bit INTEGER, `2**31` overflows PostgreSQL's INTEGER (the
type of every id column), and `'²'.isdigit()` is true while `int('²')` fails. Every id, page
number and choice from a request goes through here.
"""
from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL (tests/test_integer_inputs.py)
MAX_PAGE = 10_000
_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")


def parse_whole(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The number written in ASCII digits within [minimum, maximum], or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        if not _ASCII_NUMBER.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def record_id(value: object) -> int:
    """A database id (1 … MAX_ID); raises ValueError otherwise (for `request.args.get(type=…)`)."""
    number = parse_whole(value, minimum=1)
    if number is None:
        raise ValueError(f"not a record id: {value!r}")
    return number


def page_number(value: object) -> int:
    """A page number (1 … MAX_PAGE); raises ValueError otherwise (for `request.args.get(type=…)`)."""
    number = parse_whole(value, minimum=1, maximum=MAX_PAGE)
    if number is None:
        raise ValueError(f"not a page number: {value!r}")
    return number


def optional_record_id(value: object) -> int | None:
    """A select field's coerce: '' or None is no choice, else a record id or ValueError.

    WTForms turns the ValueError into its own localised "Invalid Choice" error on the field.
    """
    if value in (None, "", "None"):
        return None
    return record_id(value)


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in routes: ASCII digits only, 1 … MAX_ID; anything else is a 404, not a 500."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, 1 if min is None else min,
                         MAX_ID if max is None else max, signed=False)

    def to_python(self, value: str) -> int:
        if not _ASCII_NUMBER.fullmatch(value):
            raise ValidationError()
        return super().to_python(value)


def register_converters(app) -> None:
    """Make `<int:…>` the bounded converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = RecordIdConverter
