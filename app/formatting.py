"""Locale-aware formatting of KRW amounts and dates, and of business numbers, for display."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from flask_babel import force_locale, gettext

from app.i18n import current_language

SEOUL = ZoneInfo("Asia/Seoul")
UTC = ZoneInfo("UTC")
ENGLISH_DATE = "MMM d, y"
ENGLISH_DATETIME = "MMM d, y, h:mm a"


def _language(locale: str | None) -> str:
    return locale or current_language()


def _korean_krw(amount: int) -> str:
    eok, rest = divmod(amount, 100_000_000)
    man, won = divmod(rest, 10_000)
    if not (eok or man):
        return f"{won:,}원"
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if man:
        parts.append(f"{man:,}만")
    if won:
        parts.append(f"{won:,}")
    return " ".join(parts) + " 원"


def format_krw(amount: int | None, locale: str | None = None) -> str:
    """Won per locale: Korean 1억 5,000만 원 / 1,500만 원 / 9,000원, English KRW 15,000,000."""
    if amount is None:
        return ""
    if _language(locale) == "en":
        return f"-KRW {-amount:,}" if amount < 0 else f"KRW {amount:,}"
    if amount < 0:
        return "-" + _korean_krw(-amount)
    return _korean_krw(amount)


def format_krw_range(low: int | None, high: int | None, locale: str | None = None) -> str:
    """A budget or price range: "A ~ B" (Korean) or "A – B" (English); open ends read as or more/less."""
    language = _language(locale)
    with force_locale(language):
        if low is None and high is None:
            return gettext("협의")
        if low is None:
            return gettext("%(amount)s 이하", amount=format_krw(high, language))
        if high is None:
            return gettext("%(amount)s 이상", amount=format_krw(low, language))
    if low == high:
        return format_krw(low, language)
    separator = " – " if language == "en" else " ~ "
    return format_krw(low, language) + separator + format_krw(high, language)


def format_date(value: date | datetime | None, locale: str | None = None) -> str:
    """A date (with time for datetimes, in Seoul time): 2026-11-22 14:30 / Nov 22, 2026, 2:30 PM."""
    if value is None:
        return ""
    language = _language(locale)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if language == "en":
            return babel_format_datetime(value, ENGLISH_DATETIME, tzinfo=SEOUL, locale="en")
        return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
    if language == "en":
        return babel_format_date(value, ENGLISH_DATE, locale="en")
    return value.strftime("%Y-%m-%d")


def format_business_number(digits: str | None) -> str:
    """123-45-67890 from ten digits."""
    if not digits:
        return ""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
