"""Contact details (phone numbers, e-mail addresses, web addresses) in free text.

Messages exchanged before both sides agreed and an admin approved must not carry a way to reach
the other side directly: the double opt-in is the product's privacy promise. The patterns accept
simple disguises (spaces, dots or dashes between digits, "+82", "(at)", "골뱅이", "[.]", "닷")
and are anchored on Korean numbering-plan prefixes and known top-level domains so that budgets
("3억 5천만 원"), year ranges ("2024-2028"), dates ("2024.03.15") and decimals do not match.
"""
from __future__ import annotations

import enum
import re
import unicodedata

# Between groups of a phone number: up to three spaces, dots, dashes or brackets.
_SEP = r"[\s.\-–—·()]{0,3}"
# The country code in front of a number whose leading 0 is dropped or bracketed: +82, +82 (0).
_COUNTRY = rf"\+?\s*82{_SEP}(?:\(?0\)?{_SEP})?"
# Area codes (지역번호): 02 (Seoul) and 031–064; mobiles 010–019; 070 internet phones,
# 050x personal numbers and 080 free calls.
_AREA = r"(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4])"
_MOBILE = r"1[016789]"
_SPECIAL = r"(?:70|80|50[2-8])"
_PHONE = re.compile(
    rf"(?<![\d.])(?:{_COUNTRY}|\(?0)(?:{_MOBILE}|{_AREA}|{_SPECIAL})\)?{_SEP}"
    rf"[0-9]{{3,4}}{_SEP}[0-9]{{4}}(?![0-9])"
)
# A mobile number with a separator between every digit ("0 1 0 - 1 2 3 4 …").
_SPACED_MOBILE = re.compile(r"(?<![0-9])0(?:[\s.\-]{1,3}[0-9]){9,10}(?![0-9])")
_MOBILE_DIGITS = re.compile(r"01[016789][0-9]{7,8}")
# Nationwide representative numbers (대표번호) such as 1588-1234.
_REPRESENTATIVE = re.compile(r"(?<![0-9.,])(1[568][0-9]{2})[\s.\-](\d{4})(?![0-9]|\s*[만억천원년%])")

_TLD = r"(?:com|net|org|kr|io|info|biz|app|dev|site|xyz|ai)"
# Korean letters are word characters too, so \b would miss "홈페이지naver.com으로".
_START = r"(?<![a-z0-9\-])"
_END = r"(?![a-z0-9])"
_DOT = r"(?:\.|\s*(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{dot\}|\sdot\s|닷|쩜)\s*)"
_AT = r"(?:@|\s*(?:\(at\)|\[at\]|\{at\}|\sat\s|골뱅이|앳)\s*)"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
_EMAIL = re.compile(rf"[a-z0-9._%+\-]+\s*@\s*{_LABEL}(?:\s*\.\s*{_LABEL})+", re.IGNORECASE)
_DISGUISED_EMAIL = re.compile(rf"[a-z0-9._%+\-]+{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}{_END}",
                              re.IGNORECASE)
_URL = re.compile(
    rf"{_START}(?:https?|hxxps?|ftp)\s*:\s*/\s*/"  # a scheme
    rf"|{_START}www{_DOT}{_LABEL}"  # www.something
    rf"|{_START}[a-z0-9][a-z0-9\-]+(?:{_DOT}{_LABEL})*{_DOT}{_TLD}{_END}(?![.\-][a-z0-9])",  # a domain
    re.IGNORECASE,
)
# Technology names that are spelled like domains.
_NOT_ADDRESSES = frozenset({"asp.net", "ado.net", "vb.net"})


class ContactKind(str, enum.Enum):
    """What kind of contact detail a text contains."""

    PHONE = "phone"
    EMAIL = "email"
    URL = "url"


def _is_year_range(first: str, second: str) -> bool:
    return 1000 <= int(first) <= int(second) <= 2100


def _has_phone(text: str) -> bool:
    if _PHONE.search(text):
        return True
    for candidate in _SPACED_MOBILE.finditer(text):
        if _MOBILE_DIGITS.fullmatch(re.sub(r"[\s.\-]", "", candidate.group())):
            return True
    return any(not _is_year_range(*match.groups()) for match in _REPRESENTATIVE.finditer(text))


def find_contact_details(text: str | None) -> ContactKind | None:
    """The first kind of contact detail found in the text, or None."""
    if not text:
        return None
    normalised = unicodedata.normalize("NFKC", text)
    if _EMAIL.search(normalised) or _DISGUISED_EMAIL.search(normalised):
        return ContactKind.EMAIL
    if any(match.group().lower() not in _NOT_ADDRESSES for match in _URL.finditer(normalised)):
        return ContactKind.URL
    if _has_phone(normalised):
        return ContactKind.PHONE
    return None
