"""Raw rows of needs, solutions and matches for the admins' CSV exports, read in batches."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.formatting import SEOUL
from app.labels import label
from app.models import Match, Need, Solution
from app.templating import category_name, place_name

BATCH = 500


def _day(moment: date | datetime | None) -> str:
    """ISO dates, and datetimes in Seoul time to the minute, whatever the reader's locale."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return aware.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


NEED_HEADERS = [_l("번호"), _l("제목"), _l("지자체"), _l("분야"), _l("상태"), _l("게시 상태"),
                _l("최소 예산(원)"), _l("최대 예산(원)"), _l("신청 마감"), _l("등록 일시")]
SOLUTION_HEADERS = [_l("번호"), _l("솔루션명"), _l("기업"), _l("분야"), _l("기술 성숙도"), _l("상태"),
                    _l("게시 상태"), _l("최저 가격(원)"), _l("최고 가격(원)"), _l("게시 일시"),
                    _l("등록 일시")]
MATCH_HEADERS = [_l("번호"), _l("수요 번호"), _l("수요"), _l("지자체"), _l("솔루션 번호"), _l("솔루션"),
                 _l("기업"), _l("요청한 쪽"), _l("상태"), _l("요청 일시"), _l("응답 일시"),
                 _l("검토 일시")]


def _rows(query, to_row) -> Iterator[list[Any]]:
    for item in db.session.scalars(query.execution_options(yield_per=BATCH)):
        yield to_row(item)


def need_rows() -> Iterator[list[Any]]:
    """Every need, oldest first."""
    query = select(Need).options(joinedload(Need.municipality), joinedload(Need.primary_category)) \
        .order_by(Need.id)
    return _rows(query, lambda need: [
        need.id, need.title, place_name(need.municipality), category_name(need.primary_category),
        label(need.status), label(need.moderation_status), need.budget_min, need.budget_max,
        _day(need.application_deadline), _day(need.created_at)])


def solution_rows() -> Iterator[list[Any]]:
    """Every solution, oldest first."""
    query = select(Solution).options(joinedload(Solution.company),
                                     joinedload(Solution.primary_category)).order_by(Solution.id)
    return _rows(query, lambda solution: [
        solution.id, solution.title, solution.company.name,
        category_name(solution.primary_category), label(solution.maturity), label(solution.status),
        label(solution.moderation_status), solution.price_min, solution.price_max,
        _day(solution.published_at), _day(solution.created_at)])


def match_rows() -> Iterator[list[Any]]:
    """Every match request, oldest first."""
    query = select(Match).options(
        joinedload(Match.need).joinedload(Need.municipality),
        joinedload(Match.solution).joinedload(Solution.company)).order_by(Match.id)
    return _rows(query, lambda match: [
        match.id, match.need_id, match.need.title, place_name(match.need.municipality),
        match.solution_id, match.solution.title, match.solution.company.name,
        label(match.initiator_side), label(match.status), _day(match.created_at),
        _day(match.responded_at), _day(match.reviewed_at)])


EXPORTS = {
    "needs": (NEED_HEADERS, need_rows),
    "solutions": (SOLUTION_HEADERS, solution_rows),
    "matches": (MATCH_HEADERS, match_rows),
}
