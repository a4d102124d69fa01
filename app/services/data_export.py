"""Raw rows of needs, solutions and matches for the admins' CSV exports, read in batches."""
from __future__ import annotations

from datetime import date, datetime, timezone
from dataclasses import dataclass
from typing import Any, Callable

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


def _need_row(need: Need) -> list[Any]:
    return [need.id, need.title, place_name(need.owner), category_name(need.primary_category),
            label(need.status), label(need.moderation_status), need.budget_min, need.budget_max,
            _day(need.application_deadline), _day(need.created_at)]


def _solution_row(solution: Solution) -> list[Any]:
    return [solution.id, solution.title, solution.company.name,
            category_name(solution.primary_category), label(solution.maturity),
            label(solution.status), label(solution.moderation_status), solution.price_min,
            solution.price_max, _day(solution.published_at), _day(solution.created_at)]


def _match_row(match: Match) -> list[Any]:
    return [match.id, match.need_id, match.need.title, place_name(match.need.owner),
            match.solution_id, match.solution.title, match.solution.company.name,
            label(match.initiator_side), label(match.status), _day(match.created_at),
            _day(match.responded_at), _day(match.reviewed_at)]


@dataclass(frozen=True)
class Export:
    """One raw export: its column headers, what to read and how a record becomes a row."""

    headers: list
    model: type
    options: tuple
    to_row: Callable[[Any], list[Any]]

    def batch(self, after_id: int = 0) -> tuple[list[list[Any]], int | None]:
        """Up to BATCH rows after record `after_id` in id order, and the id to continue after."""
        size = BATCH
        query = (select(self.model).options(*self.options).where(self.model.id > after_id)
                 .order_by(self.model.id).limit(size))
        records = list(db.session.scalars(query))
        last = records[-1].id if len(records) == size else None
        return [self.to_row(record) for record in records], last


EXPORTS = {
    "needs": Export(NEED_HEADERS, Need,
                    (joinedload(Need.municipality), joinedload(Need.primary_category)), _need_row),
    "solutions": Export(SOLUTION_HEADERS, Solution,
                        (joinedload(Solution.company), joinedload(Solution.primary_category)),
                        _solution_row),
    "matches": Export(MATCH_HEADERS, Match,
                      (joinedload(Match.need).joinedload(Need.municipality),
                       joinedload(Match.solution).joinedload(Solution.company)), _match_row),
}
