"""The dashboard's tables (shown on the page and exported as CSV), built from the analytics rows."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from app.formatting import SEOUL, format_date
from app.labels import label
from app.models import Side
from app.services import analytics

FUNNEL_LABELS = {
    "recommended": _l("추천"),
    "interest": _l("관심 표명"),
    "mutual": _l("상호 수락"),
    "approved": _l("승인"),
}
SIDE_LABELS = {
    "all": _l("전체"),
    Side.MUNICIPALITY.value: _l("지자체가 응답"),
    Side.COMPANY.value: _l("기업이 응답"),
}
SUMMARY_LABELS = {
    "alliance_members": _l("얼라이언스 회원사"),
    "verified_officials": _l("인증된 공무원"),
    "published_solutions": _l("게시된 솔루션"),
    "open_needs": _l("모집 중인 수요"),
    "matches": _l("매칭 요청"),
    "approved_matches": _l("승인된 매칭"),
    "consortia_formed": _l("결성된 컨소시엄"),
    "partnerships": _l("대·중견기업–스타트업·중소기업 파트너십"),
}


@dataclass(frozen=True)
class Table:
    """A titled table: column headers and rows of plain values (None = no value)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _locale() -> str:
    locale = get_locale()
    return locale.language if locale else "ko"


def _counts(key: str, title, first_header, rows: list[analytics.CountRow],
            count_header=_l("건수")) -> Table:
    return Table(key, str(title), [str(first_header), str(count_header)],
                 [[label(row.key), row.count] for row in rows])


def _breakdown(key: str, title, first_header, rows: list[analytics.BreakdownRow]) -> Table:
    return Table(key, str(title),
                 [str(first_header), str(_l("관심 표명")), str(_l("상호 수락")), str(_l("승인"))],
                 [[row.name, row.interest, row.mutual, row.approved] for row in rows])


def summary_table() -> Table:
    """Headline numbers."""
    return Table("summary", str(_l("주요 지표")), [str(_l("지표")), str(_l("값"))],
                 [[str(SUMMARY_LABELS[key]), value] for key, value in analytics.summary().items()])


def funnel_table() -> Table:
    """The match funnel with conversion percentages."""
    return Table("funnel", str(_l("매칭 퍼널")),
                 [str(_l("단계")), str(_l("건수")), str(_l("이전 단계 대비 전환율(%)"))],
                 [[str(FUNNEL_LABELS[step.key]), step.count, step.conversion]
                  for step in analytics.funnel()])


def matches_by_status_table() -> Table:
    """Matches per status."""
    return _counts("matches_by_status", _l("상태별 매칭"), _l("매칭 상태"),
                   analytics.matches_by_status())


def matches_by_category_table() -> Table:
    """Matches per need category."""
    return _breakdown("matches_by_category", _l("분야별 매칭"), _l("분야"),
                      analytics.matches_by_category(_locale()))


def matches_by_province_table() -> Table:
    """Matches per province."""
    return _breakdown("matches_by_province", _l("광역자치단체별 매칭"), _l("광역자치단체"),
                      analytics.matches_by_province(_locale()))


def response_times_table() -> Table:
    """Median response time overall and per responding side."""
    return Table("response_times", str(_l("응답 시간 중앙값")),
                 [str(_l("응답 주체")), str(_l("응답 건수")), str(_l("응답 시간 중앙값(시간)"))],
                 [[str(SIDE_LABELS[row.side]), row.answered, row.median_hours]
                  for row in analytics.response_times()])


def companies_by_membership_table() -> Table:
    """Companies per membership status."""
    return _counts("companies_by_membership", _l("회원 상태별 기업"), _l("회원 상태"),
                   analytics.companies_by_membership(), _l("기업 수"))


def members_by_size_table() -> Table:
    """Alliance members per size class."""
    return _counts("members_by_size", _l("규모별 얼라이언스 회원사"), _l("기업 규모"),
                   analytics.members_by_size(), _l("회원사 수"))


def consortia_by_status_table() -> Table:
    """Consortium proposals per status."""
    return _counts("consortia_by_status", _l("상태별 컨소시엄 제안"), _l("컨소시엄 상태"),
                   analytics.consortia_by_status())


def consortia_table() -> Table:
    """Approved consortia and their members."""
    rows = []
    for row in analytics.formed_consortia(_locale()):
        members = "; ".join(
            f"{m.company} ({label(m.size_class)}, {round(m.share * 100)}%"
            + (f", {_l('주관')})" if m.is_lead else ")")
            for m in row.members
        )
        rows.append([row.id, row.need_title, row.municipality, row.lead_company, members,
                     format_date(row.reviewed_at) or None])
    return Table("consortia", str(_l("결성된 컨소시엄")),
                 [str(_l("번호")), str(_l("수요")), str(_l("지자체")), str(_l("주관 기업")),
                  str(_l("참여 기업 (규모, 지분)")), str(_l("승인일"))], rows)


def partnerships_table() -> Table:
    """Large/mid-sized × startup/SME pairs in approved consortia."""
    return Table("partnerships", str(_l("대·중견기업–스타트업·중소기업 파트너십")),
                 [str(_l("컨소시엄 번호")), str(_l("대·중견기업")), str(_l("규모")),
                  str(_l("스타트업·중소기업")), str(_l("규모")), str(_l("수요"))],
                 [[row.consortium_id, row.lead_company, label(row.lead_size),
                   row.partner_company, label(row.partner_size), row.need_title]
                  for row in analytics.large_startup_partnerships()])


def decline_areas_table(year: int | None = None) -> Table:
    """Designated population-decline places that posted needs and found matches this year."""
    year = year or datetime.now(SEOUL).year
    return Table("decline_areas", gettext("인구감소지역의 수요와 매칭 (%(year)d년)", year=year),
                 [str(_l("구분")), str(_l("지정 지역")), str(_l("수요를 올린 지역")),
                  str(_l("상호 수락 매칭이 있는 지역")), str(_l("승인된 매칭이 있는 지역"))],
                 [[label(row.kind) if row.kind else str(_l("합계")), row.designated,
                   row.posted_needs, row.mutual_matches, row.approved_matches]
                  for row in analytics.decline_areas(year)])


BUILDERS: dict[str, Callable[[], Table]] = {
    "summary": summary_table,
    "funnel": funnel_table,
    "matches_by_status": matches_by_status_table,
    "matches_by_category": matches_by_category_table,
    "matches_by_province": matches_by_province_table,
    "response_times": response_times_table,
    "companies_by_membership": companies_by_membership_table,
    "members_by_size": members_by_size_table,
    "consortia_by_status": consortia_by_status_table,
    "consortia": consortia_table,
    "partnerships": partnerships_table,
    "decline_areas": decline_areas_table,
}


def build(key: str) -> Table | None:
    """The table with this key, or None when there is no such table."""
    builder = BUILDERS.get(key)
    return builder() if builder else None


def build_all() -> dict[str, Table]:
    """Every dashboard table by key."""
    return {key: builder() for key, builder in BUILDERS.items()}


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet.

    Text typed by users (company names, need titles) that starts like a formula is prefixed with a
    quote, so Excel shows it instead of evaluating it (CSV formula injection); numbers are kept.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_header(headers: list[str]) -> str:
    """The first line of a streamed CSV download: a UTF-8 byte-order mark and the headers."""
    return "\ufeff" + csv_rows([headers])


def csv_rows(rows: list[list[Any]]) -> str:
    """CSV lines of some rows (cells made safe for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


TREND_LABELS = {
    "needs_posted": _l("등록된 수요"),
    "solutions_published": _l("게시된 솔루션"),
    "matches_requested": _l("매칭 요청"),
    "matches_mutual": _l("상호 수락"),
    "matches_approved": _l("승인된 매칭"),
}


def period_label(start, granularity: str) -> str:
    """"2026-11" for a month, "2026-11-23 주" (the Monday) for a week."""
    if granularity == "month":
        return start.strftime("%Y-%m")
    return gettext("%(day)s 주", day=start.isoformat())


def trend_table(rows: list, granularity: str) -> Table:
    """The activity trend as a table: one row per period, one column per metric."""
    return Table(
        key="trends", title=str(_l("기간별 추이")),
        headers=[str(_l("기간")), *(str(TREND_LABELS[metric]) for metric in TREND_LABELS)],
        rows=[[period_label(row.period, granularity), *(row.counts[m] for m in TREND_LABELS)]
              for row in rows])


def to_csv(headers: list[str], rows: list[list[Any]]) -> str:
    """CSV text with a UTF-8 byte-order mark first, so Excel reads Korean correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
