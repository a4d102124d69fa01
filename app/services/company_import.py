"""Importing alliance member companies from a CSV file: read, validate every row, then create.

The import is all-or-nothing: `check_rows` reports every problem of every row (business number
check digit, duplicates in the file and in the database, unknown size class or province), and
`import_rows` writes nothing unless the whole file is clean. Like every service it takes the
acting user first, flushes and never commits.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.labels import label
from app.models import Company, MembershipStatus, Role, SizeClass, User
from app.models.base import utcnow
from app.services import audit, business_status
from app.services.bizno import (
    NumberProblem,
    normalise_business_number,
    number_problem,
    structure_message,
)
from app.services.errors import PermissionDenied, ServiceError
from app.services.reference_data import provinces

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
NAME_MIN, NAME_MAX = 2, 100
WEBSITE_MAX = 200
DESCRIPTION_MAX = 5000
ENCODINGS = ("utf-8-sig", "cp949")
AUDIT_FIELDS = ["name", "business_number", "size_class", "hq_region_id", "website",
                "membership_status"]

# Column code → accepted header spellings (the codes, or the Korean headers of the template).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "기업명"),
    "business_number": ("business_number", "사업자등록번호"),
    "size_class": ("size_class", "기업 규모", "기업규모"),
    "hq_region": ("hq_region", "본사 소재지", "본사소재지"),
    "regions_served": ("regions_served", "사업 지역", "사업지역"),
    "website": ("website", "웹사이트"),
    "description": ("description", "기업 소개", "기업소개"),
    "membership": ("membership", "회원 상태", "회원상태"),
}
REQUIRED_COLUMNS = ("name", "business_number", "size_class", "hq_region")
COLUMN_LABELS = {
    "name": _l("기업명"),
    "business_number": _l("사업자등록번호"),
    "size_class": _l("기업 규모"),
    "hq_region": _l("본사 소재지"),
    "regions_served": _l("사업 지역"),
    "website": _l("웹사이트"),
    "description": _l("기업 소개"),
    "membership": _l("회원 상태"),
}
MEMBERSHIP_WORDS = {
    "": MembershipStatus.APPROVED,
    "approved": MembershipStatus.APPROVED,
    "승인": MembershipStatus.APPROVED,
    "승인됨": MembershipStatus.APPROVED,
    "pending": MembershipStatus.PENDING,
    "대기": MembershipStatus.PENDING,
    "승인대기": MembershipStatus.PENDING,
}
TEMPLATE_ROWS = [
    ["name", "business_number", "size_class", "hq_region", "regions_served", "website",
     "description", "membership"],
    ["예시스마트시티", "000-00-00000", "스타트업", "서울특별시", "서울특별시;경기도",
     "https://example.co.kr", "수요응답형 교통 플랫폼을 만드는 기업", "approved"],
]


@dataclass(frozen=True)
class RowError:
    """One problem in the file: its line (1 = header), column, value and message."""

    line: int
    column: str
    value: str
    message: str

    @property
    def column_label(self) -> str:
        """The column's display name."""
        return str(COLUMN_LABELS.get(self.column, self.column))


@dataclass(frozen=True)
class CleanRow:
    """A validated row, as plain data (safe to hand to a background job)."""

    line: int
    name: str
    business_number: str
    size_class: str
    hq_region_id: int
    region_ids: tuple[int, ...]
    website: str | None
    description: str
    membership: str


@dataclass
class ImportCheck:
    """The outcome of checking a file: clean rows and every problem found."""

    rows: list[CleanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row is valid and there is at least one."""
        return bool(self.rows) and not self.errors

    @property
    def bad_lines(self) -> int:
        """How many rows have at least one problem."""
        return len({error.line for error in self.errors})


def template_csv_rows() -> list[list[str]]:
    """Header and one example row for the downloadable template."""
    return [list(row) for row in TEMPLATE_ROWS]


def _decode(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(_("파일을 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장한 CSV 파일을 올리세요."),
                       field="file")


def _header_map(header: list[str]) -> dict[str, int]:
    spellings = {spelling.replace(" ", "").lower(): code
                 for code, names in COLUMNS.items() for spelling in names}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        code = spellings.get((cell or "").replace(" ", "").lower())
        if code is not None and code not in positions:
            positions[code] = index
    return positions


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: value}) for each non-blank row; a file-level problem raises ServiceError."""
    if not data or not data.strip():
        raise ServiceError(_("빈 파일입니다. 머리글과 기업 행이 있는 CSV 파일을 올리세요."), field="file")
    if len(data) > MAX_BYTES:
        raise ServiceError(_("파일이 너무 큽니다. %(size)dMB 이하로 나누어 올리세요.",
                             size=MAX_BYTES // (1024 * 1024)), field="file")
    text = _decode(data)
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ServiceError(_("CSV 형식이 올바르지 않습니다: %(detail)s", detail=str(error)),
                           field="file") from error
    if not table:
        raise ServiceError(_("빈 파일입니다. 머리글과 기업 행이 있는 CSV 파일을 올리세요."), field="file")
    positions = _header_map(table[0])
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        raise ServiceError(_("필수 열이 없습니다: %(columns)s. 첫 줄에 열 이름(name, business_number, "
                             "size_class, hq_region …)을 넣으세요.",
                             columns=", ".join(missing)), field="file")
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any((cell or "").strip() for cell in cells):
            continue
        rows.append((line, {code: (cells[index].strip() if index < len(cells) else "")
                            for code, index in positions.items()}))
    if not rows:
        raise ServiceError(_("가져올 기업 행이 없습니다. 머리글 아래에 기업을 한 줄에 하나씩 적으세요."),
                           field="file")
    if len(rows) > MAX_ROWS:
        raise ServiceError(_("한 번에 %(max)d개 행까지 가져올 수 있습니다. 파일을 나누어 올리세요.",
                             max=MAX_ROWS), field="file")
    return rows


def _size_words() -> dict[str, SizeClass]:
    words = {}
    for member in SizeClass:
        words[member.value] = member
        words[label(member).replace(" ", "").lower()] = member
    return words


def _website_problem(website: str) -> str | None:
    if len(website) > WEBSITE_MAX:
        return _("웹사이트 주소는 %(max)d자 이하여야 합니다.", max=WEBSITE_MAX)
    parts = urlsplit(website)
    if (parts.scheme.lower() not in {"http", "https"} or "." not in (parts.hostname or "")
            or re.search(r"\s", website)):
        return _("http:// 또는 https://로 시작하는 올바른 웹사이트 주소를 입력하세요.")
    return None


class _Checker:
    """Validates rows one by one, remembering names and numbers already seen in the file."""

    def __init__(self) -> None:
        self.provinces = {p.name: p for p in provinces()}
        self.sizes = _size_words()
        self.names_seen: dict[str, int] = {}
        self.numbers_seen: dict[str, int] = {}
        self.errors: list[RowError] = []

    def fail(self, line: int, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(line, column, value, message))

    def name(self, line: int, raw: str) -> str:
        name = re.sub(r"\s+", " ", raw)
        if not name:
            self.fail(line, "name", raw, _("기업명을 입력하세요."))
        elif not NAME_MIN <= len(name) <= NAME_MAX:
            self.fail(line, "name", raw, _("기업명은 %(min)d자 이상 %(max)d자 이하로 입력하세요.",
                                           min=NAME_MIN, max=NAME_MAX))
        elif name.lower() in self.names_seen:
            self.fail(line, "name", raw, _("파일의 %(line)d행과 기업명이 중복됩니다.",
                                           line=self.names_seen[name.lower()]))
        elif db.session.scalar(select(Company.id).where(func.lower(Company.name) == name.lower())):
            self.fail(line, "name", raw, _("이미 등록된 기업명입니다."))
        else:
            self.names_seen[name.lower()] = line
        return name

    def business_number(self, line: int, raw: str) -> str:
        digits = normalise_business_number(raw)
        if digits is None:
            self.fail(line, "business_number", raw,
                      _("사업자등록번호는 숫자 10자리입니다. (예: 123-45-67890)"))
        elif number_problem(digits) is NumberProblem.CHECK_DIGIT:
            self.fail(line, "business_number", raw,
                      _("유효하지 않은 사업자등록번호입니다 (검증 숫자 불일치)."))
        elif number_problem(digits) is not None:
            self.fail(line, "business_number", raw, structure_message(number_problem(digits)))
        elif digits in self.numbers_seen:
            self.fail(line, "business_number", raw, _("파일의 %(line)d행과 사업자등록번호가 중복됩니다.",
                                                      line=self.numbers_seen[digits]))
        elif db.session.scalar(select(Company.id).where(Company.business_number == digits)):
            self.fail(line, "business_number", raw, _("이미 등록된 사업자등록번호입니다."))
        else:
            self.numbers_seen[digits] = line
        return digits or ""

    def size_class(self, line: int, raw: str) -> str:
        member = self.sizes.get(raw.replace(" ", "").lower())
        if member is None:
            allowed = ", ".join(label(m) for m in SizeClass)
            self.fail(line, "size_class", raw,
                      _("알 수 없는 기업 규모입니다. 다음 중 하나를 쓰세요: %(allowed)s", allowed=allowed))
            return ""
        return member.value

    def region(self, line: int, column: str, raw: str) -> int | None:
        province = self.provinces.get(raw.strip())
        if province is None:
            message = (_("본사 소재지를 입력하세요.") if not raw.strip() else
                       _("알 수 없는 광역자치단체입니다: %(name)s (예: 서울특별시, 경기도)", name=raw.strip()))
            self.fail(line, column, raw, message)
            return None
        return province.id

    def membership(self, line: int, raw: str) -> str:
        status = MEMBERSHIP_WORDS.get(raw.replace(" ", "").lower())
        if status is None:
            self.fail(line, "membership", raw,
                      _("회원 상태는 approved(승인) 또는 pending(승인 대기)이어야 합니다."))
            return ""
        return status.value

    def row(self, line: int, values: dict[str, str]) -> CleanRow | None:
        before = len(self.errors)
        name = self.name(line, values.get("name", ""))
        digits = self.business_number(line, values.get("business_number", ""))
        size_class = self.size_class(line, values.get("size_class", ""))
        hq_region_id = self.region(line, "hq_region", values.get("hq_region", ""))
        region_ids: list[int] = []
        for part in (values.get("regions_served", "") or "").split(";"):
            if part.strip():
                region_id = self.region(line, "regions_served", part)
                if region_id is not None and region_id not in region_ids:
                    region_ids.append(region_id)
        website = values.get("website", "") or None
        if website and (problem := _website_problem(website)):
            self.fail(line, "website", website, problem)
        description = values.get("description", "")
        if len(description) > DESCRIPTION_MAX:
            self.fail(line, "description", description[:40] + "…",
                      _("기업 소개는 %(max)d자 이하로 입력하세요.", max=DESCRIPTION_MAX))
        membership = self.membership(line, values.get("membership", ""))
        if len(self.errors) > before or hq_region_id is None:
            return None
        return CleanRow(line, name, digits, size_class, hq_region_id,
                        tuple(region_ids or [hq_region_id]), website, description, membership)


def check_rows(rows: list[tuple[int, dict[str, str]]]) -> ImportCheck:
    """Validate every row against the rules, the rest of the file and the database."""
    checker = _Checker()
    clean = [row for row in (checker.row(line, values) for line, values in rows) if row]
    return ImportCheck(rows=clean, errors=checker.errors)


def import_rows(actor: User, rows: list[tuple[int, dict[str, str]]],
                progress: Callable[[Iterable[CleanRow]], Iterable[CleanRow]] | None = None
                ) -> list[Company]:
    """Create every company of a clean file (audit-logged); refuses the whole file on any error."""
    if actor is None or actor.role != Role.ADMIN:
        raise PermissionDenied()
    check = check_rows(rows)
    if not check.ok:
        raise ServiceError(_("파일에 문제가 있는 행이 %(count)d개 있어 아무것도 가져오지 않았습니다.",
                             count=check.bad_lines), field="file")
    provinces_by_id = {p.id: p for p in provinces()}
    nts_answers = business_status.lookup(row.business_number for row in check.rows)
    now = utcnow()
    created = []
    for row in (progress(check.rows) if progress else check.rows):
        status = MembershipStatus(row.membership)
        company = Company(
            name=row.name,
            business_number=row.business_number,
            size_class=SizeClass(row.size_class),
            hq_region=provinces_by_id[row.hq_region_id],
            website=row.website,
            description=row.description,
            membership_status=status,
            membership_applied_at=now,
            membership_decided_at=now if status == MembershipStatus.APPROVED else None,
        )
        company.regions_served = [provinces_by_id[i] for i in row.region_ids]
        db.session.add(company)
        try:
            db.session.flush()
        except IntegrityError as error:  # another admin registered the same firm meanwhile;
            # the caller rolls the whole import back (it is all or nothing)
            raise ServiceError(_("%(line)d행의 기업이 방금 다른 곳에서 등록되었습니다. 파일을 다시 올려 "
                                 "검사하세요.", line=row.line), field="file") from error
        audit.record(actor, "company.import", company,
                     after=audit.snapshot(company, AUDIT_FIELDS),
                     reason=_("CSV 가져오기 (%(line)d행)", line=row.line))
        business_status.record(company, nts_answers)
        created.append(company)
    return created
