"""Korean business registration numbers (사업자등록번호): parsing, structure and check digit.

The National Tax Service (국세청) assigns the ten digits as ``XXX-XX-XXXXX``:

1. digits 1–3, the office code (청코드): 101–999 (formerly the tax office's own number, whose
   first digit is its regional office, so never below 101);
2. digits 4–5, the individual/corporate type code (개인·법인 구분코드): 01–79 taxable individuals,
   80 other persons (apartment management offices, multi-level sellers), 81/86/87/88 for-profit
   head offices, 82 non-profit corporations, 83 the state and local governments, 84 foreign
   corporations, 85 for-profit branches, 89 religious bodies, 90–99 tax-exempt individuals, so
   every code but 00 is in use;
3. digits 6–9, a serial number given per type in order of registration: 0001–9999;
4. digit 10, a check digit computed by the NTS system (weights 1 3 7 1 3 7 1 3 5).

Source: the NTS rules for assigning business registration numbers (사업자등록번호 부여 기준,
사업자등록 사무처리규정), as published in the NTS guidance on the 사업자등록번호 체계.
Only numbers that this structure makes impossible are refused: office code below 101, type
code 00, serial 0000 (all zeros is each of those), or a wrong check digit.
"""
from __future__ import annotations

import enum
import re

from flask_babel import gettext as _

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
LOWEST_OFFICE_CODE = 101


class NumberProblem(str, enum.Enum):
    """Why ten digits cannot be a business registration number."""

    OFFICE_CODE = "office_code"
    TYPE_CODE = "type_code"
    SERIAL = "serial"
    CHECK_DIGIT = "check_digit"


def normalise_business_number(raw: str) -> str | None:
    """Ten digits from input such as '123-45-67890' or '1234567890'; None if malformed."""
    if raw is None:
        return None
    cleaned = re.sub(r"[\s\-]", "", raw.strip())
    if not re.fullmatch(r"[0-9]{10}", cleaned):
        return None
    return cleaned


def check_digit(first_nine: str) -> int:
    """The official check digit for the first nine digits."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def number_problem(digits: str) -> NumberProblem | None:
    """The first structural problem of ten digits, or None when they can be a real number."""
    if int(digits[:3]) < LOWEST_OFFICE_CODE:
        return NumberProblem.OFFICE_CODE
    if digits[3:5] == "00":
        return NumberProblem.TYPE_CODE
    if digits[5:9] == "0000":
        return NumberProblem.SERIAL
    if check_digit(digits[:9]) != int(digits[9]):
        return NumberProblem.CHECK_DIGIT
    return None


def structure_message(problem: NumberProblem) -> str:
    """The localised reason a number with this structural problem is refused."""
    if problem is NumberProblem.OFFICE_CODE:
        return _("존재할 수 없는 사업자등록번호입니다: 앞 3자리(세무서 코드)는 101 이상입니다. "
                 "번호를 다시 확인하세요.")
    if problem is NumberProblem.TYPE_CODE:
        return _("존재할 수 없는 사업자등록번호입니다: 가운데 2자리(개인·법인 구분 코드)는 00이 될 수 "
                 "없습니다. 번호를 다시 확인하세요.")
    return _("존재할 수 없는 사업자등록번호입니다: 일련번호(6~9번째 자리)는 0000이 될 수 없습니다. "
             "번호를 다시 확인하세요.")


def is_valid_business_number(raw: str) -> bool:
    """True when the input is ten digits of a possible structure with the correct check digit."""
    digits = normalise_business_number(raw)
    return digits is not None and number_problem(digits) is None


def format_business_number(digits: str) -> str:
    """123-45-67890."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
