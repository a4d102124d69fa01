"""Formatting of KRW amounts, dates and business numbers for display."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def format_krw(amount: int | None) -> str:
    """Format won the Korean way: 1억 5,000만 원, 1,500만 원, 9,000원."""
    if amount is None:
        return ""
    if amount < 0:
        return "-" + format_krw(-amount)
    eok, rest = divmod(amount, 100_000_000)
    man, won = divmod(rest, 10_000)
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if man:
        parts.append(f"{man:,}만")
    if won or not parts:
        parts.append(f"{won:,}")
    return " ".join(parts) + " 원" if (eok or man) else f"{won:,}원"


def format_krw_range(low: int | None, high: int | None) -> str:
    """A budget or price range; open ends read as 이상/이하."""
    if low is None and high is None:
        return "협의"
    if low is None:
        return f"{format_krw(high)} 이하"
    if high is None:
        return f"{format_krw(low)} 이상"
    if low == high:
        return format_krw(low)
    return f"{format_krw(low)} ~ {format_krw(high)}"


def format_date(value: date | datetime | None) -> str:
    """YYYY-MM-DD, in Seoul time for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("UTC"))
        return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def format_business_number(digits: str | None) -> str:
    """123-45-67890 from ten digits."""
    if not digits:
        return ""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
