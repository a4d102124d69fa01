"""Korean business registration numbers (사업자등록번호): parsing and check digit."""
from __future__ import annotations

import re

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalise_business_number(raw: str) -> str | None:
    """Ten digits from input such as '123-45-67890' or '1234567890'; None if malformed."""
    if raw is None:
        return None
    cleaned = re.sub(r"[\s\-]", "", raw.strip())
    if not re.fullmatch(r"\d{10}", cleaned):
        return None
    return cleaned


def check_digit(first_nine: str) -> int:
    """The official check digit for the first nine digits."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_business_number(raw: str) -> bool:
    """True when the input is ten digits whose last one is the correct check digit."""
    digits = normalise_business_number(raw)
    return digits is not None and check_digit(digits[:9]) == int(digits[9])


def format_business_number(digits: str) -> str:
    """123-45-67890."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
