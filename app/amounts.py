"""Amounts typed the way Koreans write them: 5억, 1억 2천만, 5천만원, 3,000,000원, 1.5억, １２０만.

`parse_amount` reads one into whole units (won by default) or raises AmountError, whose
`message` is localised; `describe_amount` shows what was understood: "1억 2,000만 원 (120,000,000원)".
The same grammar is mirrored in static/js/amounts.js for the hint shown while typing.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Context, Decimal, localcontext

from flask_babel import lazy_gettext as _l

MAX_AMOUNT = 10**15  # 1,000조: far above any budget, safely inside a BIGINT
MAX_INPUT_LENGTH = 60
BIG_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4}
SMALL_UNITS = {"천": 1000, "백": 100, "십": 10}
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[조억만천백십]")
_DIGIT_GROUPS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])")
_SPACED_DIGITS = re.compile(r"[0-9.,]\s+[0-9]")
_MINUS = ("-", "−", "–", "‐")
_CURRENCY_SIGNS = ("₩", "KRW", "krw")
ENGLISH_UNITS = {"원": "KRW {n}", "명": "{n} people"}

UNREADABLE = _l("금액을 읽을 수 없습니다. 숫자와 만·억·조 단위로 입력하세요. (예: 5억, 1억 2천만, 3,000,000원)")
NEGATIVE = _l("0 이상으로 입력하세요.")
TOO_LARGE = _l("너무 큰 값입니다. 1,000조 이하로 입력하세요.")
FRACTION = _l("1 단위 아래의 소수는 쓸 수 없습니다. (1.5억은 되지만 1.5원은 안 됩니다)")


class AmountError(ValueError):
    """An amount that cannot be read; `message` says why in the user's language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _normalise(text: str, unit: str) -> str:
    """Full-width digits to ASCII, no currency sign, unit suffix or spaces; digit groups joined."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for sign in _CURRENCY_SIGNS:
        cleaned = cleaned.removeprefix(sign).strip()
    if _SPACED_DIGITS.search(cleaned):  # "1 000" or "5 5": which number was meant?
        raise AmountError(UNREADABLE)
    cleaned = re.sub(r"\s+", "", cleaned).removesuffix(unit)
    return _DIGIT_GROUPS.sub(lambda match: match.group(0).replace(",", ""), cleaned)


def _read(cleaned: str) -> Decimal:
    """The value of 조/억/만 groups, each made of 천/백/십 parts and a plain number."""
    total = Decimal(0)
    group = Decimal(0)  # the part before the next big unit
    number: Decimal | None = None  # digits not yet attached to a unit
    last_big = last_small = None
    position = 0
    for match in _TOKEN.finditer(cleaned):
        if match.start() != position:
            raise AmountError(UNREADABLE)
        position = match.end()
        token = match.group(0)
        if token[0].isdigit():
            if number is not None:
                raise AmountError(UNREADABLE)
            number = Decimal(token)
        elif token in SMALL_UNITS:
            if last_small is not None and SMALL_UNITS[token] >= last_small:
                raise AmountError(UNREADABLE)  # 백천, 천천
            group += (1 if number is None else number) * SMALL_UNITS[token]  # 천만: one 천
            last_small, number = SMALL_UNITS[token], None
        else:
            part = group + (number or 0)
            if (number is None and group == 0) or (last_big is not None
                                                   and BIG_UNITS[token] >= last_big):
                raise AmountError(UNREADABLE)  # 만, 5억억, 5만억
            total += part * BIG_UNITS[token]
            last_big, last_small, group, number = BIG_UNITS[token], None, Decimal(0), None
    if position != len(cleaned) or position == 0:
        raise AmountError(UNREADABLE)
    return total + group + (number or 0)


def parse_amount(text: str, *, unit: str = "원", maximum: int = MAX_AMOUNT) -> int:
    """The whole number of `unit`s that `text` means (AmountError when it means none)."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        raise AmountError(UNREADABLE if not isinstance(text, str) else TOO_LARGE)
    cleaned = _normalise(text, unit)
    if cleaned.startswith(_MINUS):
        body = cleaned.lstrip("".join(_MINUS))
        _read(body)  # garbage after the sign is unreadable, a number after it is negative
        raise AmountError(NEGATIVE)
    with localcontext(Context(prec=2 * MAX_INPUT_LENGTH)):  # exact for every input allowed
        value = _read(cleaned)
    if value > maximum:
        raise AmountError(TOO_LARGE)
    if value != value.to_integral_value():
        raise AmountError(FRACTION)
    return int(value)


def korean_units(value: int) -> str:
    """1억 2,000만 / 3조 5억 / 9,000: the number in 조·억·만 groups with thousands separators."""
    parts = []
    for name, size in BIG_UNITS.items():
        count, value = divmod(value, size)
        if count:
            parts.append(f"{count:,}{name}")
    if value or not parts:
        parts.append(f"{value:,}")
    return " ".join(parts)


def describe_amount(value: int | None, *, unit: str = "원", locale: str = "ko") -> str:
    """What an amount field understood: "1억 2,000만 원 (120,000,000원)", "9,000원", "KRW 9,000"."""
    if value is None:
        return ""
    if locale == "en":
        return ENGLISH_UNITS.get(unit, "{n} " + unit).format(n=f"{value:,}")
    if value < 10_000:
        return f"{value:,}{unit}"
    return f"{korean_units(value)} {unit} ({value:,}{unit})"
