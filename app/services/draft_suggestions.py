"""Live suggestions while an official drafts a need: the published solutions that fit it best.

The draft is scored as a temporary need record that is never stored: nothing is written to the
database, and the shared fitted index is only queried (the library's queries never change it).
Scores and the low-confidence rule are the library's own (`Match.score`, `Match.low_confidence`),
so a change to the scoring reaches these suggestions unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.amounts import AmountError, parse_amount
from app.extensions import db
from app.ids import parse_whole
from app.models import Category, Company, Solution, User
from app.services import recommendations
from app.services.errors import ServiceError
from app.services.matching_changes import analyse_fields
from app.services.needs import DESCRIPTION_MAX, MAX_KRW, TITLE_MAX
from app.services.visibility import public_solution_clause

SUGGESTION_LIMIT = 5  # strong suggestions shown
PARTIAL_LIMIT = 3  # nearest partial fits, shown (marked) only when nothing strong fits
DRAFT_MIN_CHARS = 8  # non-space characters of title + description before anything is suggested
# Only the start of a very long description is analysed: Kiwi's time grows with the text, and a
# suggestion is asked for on every pause in typing (a 200-word draft is ≈ 700 characters).
ANALYSED_DESCRIPTION_CHARS = 3_000
DRAFT_ID = "draft"  # never an indexed need's id (those are integers)
_SPACE = re.compile(r"\s+")


class DraftRejected(ServiceError):
    """A draft field no need could hold (too long, not a number, not a listed category)."""


@dataclass
class Draft:
    """What the official has typed so far, checked and ready to score."""

    title: str = ""
    description: str = ""
    category: Category | None = None
    secondary_categories: list[Category] = field(default_factory=list)
    budget_min: int | None = None
    budget_max: int | None = None
    deadline: date | None = None

    @property
    def meaningful_chars(self) -> int:
        """Characters of title and description, spaces not counted."""
        return len(_SPACE.sub("", self.title + self.description))


@dataclass
class Suggestion:
    """One published solution for the draft, with the library's headline score."""

    solution_id: int
    title: str
    company: str
    score: float
    low_confidence: bool


@dataclass
class DraftSuggestions:
    """Strong suggestions; or, when none fits, the nearest partial fits; and a hint if any."""

    suggestions: list[Suggestion]
    partial: list[Suggestion]
    hint: str | None = None


# --- reading the draft -----------------------------------------------------------------------


def _single(form: MultiDict, name: str) -> str:
    values = form.getlist(name)
    if len(values) > 1:
        raise DraftRejected(_("한 항목에 값을 하나만 보낼 수 있습니다."), field=name)
    return values[0].strip() if values else ""


def _text(form: MultiDict, name: str, limit: int, message: str) -> str:
    value = _single(form, name)
    if len(value) > limit:
        raise DraftRejected(message, field=name)
    return value


def _amount(form: MultiDict, name: str) -> int | None:
    raw = _single(form, name)
    if raw == "":
        return None
    try:
        amount = parse_amount(raw)
    except AmountError as error:
        raise DraftRejected(str(error.message), field=name) from error
    if amount > MAX_KRW:
        raise DraftRejected(_("예산은 0원 이상, 1,000조 원 이하로 입력하세요."), field=name)
    return amount


def _deadline(form: MultiDict) -> date | None:
    raw = _single(form, "application_deadline")
    if raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DraftRejected(_("날짜는 YYYY-MM-DD 형식으로 입력하세요."),
                            field="application_deadline") from None


def _categories(form: MultiDict) -> tuple[Category | None, list[Category]]:
    raw_primary = _single(form, "primary_category_id")
    primary_id = parse_whole(raw_primary, minimum=1) if raw_primary else None
    if raw_primary and primary_id is None:
        raise DraftRejected(_("주 분야를 목록에서 선택하세요."), field="primary_category_id")
    secondary_ids = [parse_whole(v, minimum=1) for v in form.getlist("secondary_category_ids")]
    if None in secondary_ids:
        raise DraftRejected(_("부 분야를 목록에서 선택하세요."), field="secondary_category_ids")
    wanted = set(secondary_ids) | ({primary_id} if primary_id else set())
    found = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(wanted)))} \
        if wanted else {}
    if primary_id and primary_id not in found:
        raise DraftRejected(_("주 분야를 목록에서 선택하세요."), field="primary_category_id")
    if any(i not in found for i in secondary_ids):
        raise DraftRejected(_("부 분야를 목록에서 선택하세요."), field="secondary_category_ids")
    primary = found.get(primary_id) if primary_id else None
    secondaries = [found[i] for i in dict.fromkeys(secondary_ids) if i != primary_id]
    return primary, secondaries


def read_draft(form: MultiDict) -> Draft:
    """The draft from the need form's fields (others are ignored); DraftRejected if malformed."""
    title = _text(form, "title", TITLE_MAX, _("제목은 %(n)d자 이하로 입력하세요.", n=TITLE_MAX))
    description = _text(form, "description", DESCRIPTION_MAX,
                        _("문제 설명은 %(n)d자 이하로 입력하세요.", n=DESCRIPTION_MAX))
    primary, secondaries = _categories(form)
    return Draft(title=title, description=description, category=primary,
                 secondary_categories=secondaries, budget_min=_amount(form, "budget_min"),
                 budget_max=_amount(form, "budget_max"), deadline=_deadline(form))


# --- scoring it ------------------------------------------------------------------------------


def draft_record(draft: Draft, official: User, tokens: dict[str, str]) -> dict[str, Any]:
    """The draft as the plain need mapping the engine takes (the shape of
    `recommendations.need_record`), never indexed."""
    municipality = official.municipality
    return {
        "kind": "need",
        "id": DRAFT_ID,
        "title": draft.title,
        "description": draft.description,
        "place": {"id": municipality.id, "province": municipality.province.name,
                  "kind": municipality.kind},
        "category": draft.category.code if draft.category else None,
        "secondary_categories": [c.code for c in draft.secondary_categories],
        "budget_min": draft.budget_min,
        "budget_max": draft.budget_max,
        "deadline": draft.deadline,
        "tokens": tokens,
    }


def _visible_solutions(ids: list[int]) -> dict[int, tuple[str, str]]:
    """(title, company name) of the solutions among `ids` a visitor may see now, in one query
    (the engine may lag a request behind)."""
    if not ids:
        return {}
    query = (select(Solution.id, Solution.title, Company.name).join(Solution.company)
             .where(Solution.id.in_(ids), public_solution_clause()))
    return {row.id: (row.title, row.name) for row in db.session.execute(query)}


def _ranked(record: dict[str, Any], top_k: int) -> list:
    """The engine's best matches for the record, weak ones included (ranked by score, so the
    strong ones come first), queried once under the engine's lock."""
    engine = recommendations.engine()
    with engine.lock:
        return engine.current().recommend_solutions(record, top_k=top_k,
                                                    include_low_confidence=True)


def _as_suggestions(matches: list) -> list[Suggestion]:
    visible = _visible_solutions([m.solution_id for m in matches])
    return [Suggestion(m.solution_id, *visible[m.solution_id], float(m.score),
                       bool(m.low_confidence))
            for m in matches if m.solution_id in visible]


def suggest(draft: Draft, official: User) -> DraftSuggestions:
    """Published solutions for a draft need: strong ones, else the nearest partial fits (marked).

    Reads only: no row is added or changed and the engine's index is not touched.
    """
    hint_more = _("제목이나 문제 설명을 조금 더 입력하면 비슷한 공개 솔루션을 보여 드립니다.")
    if draft.meaningful_chars < DRAFT_MIN_CHARS:
        return DraftSuggestions([], [], hint_more)
    # Analysed outside the engine's lock: Kiwi is the slow part and needs no shared state.
    tokens = analyse_fields([{"title": draft.title,
                              "text": draft.description[:ANALYSED_DESCRIPTION_CHARS]}])[0]
    if not any(tokens.values()):
        return DraftSuggestions([], [], hint_more)
    ranked = _as_suggestions(_ranked(draft_record(draft, official, tokens), SUGGESTION_LIMIT))
    strong = [s for s in ranked if not s.low_confidence]
    if strong:
        return DraftSuggestions(strong, [])
    partial = ranked[:PARTIAL_LIMIT]
    return DraftSuggestions([], partial, _(
        "아직 이 초안에 잘 맞는 공개 솔루션이 없습니다. 등록한 수요가 공개되면 기업들이 보고 제안할 수 있습니다."))
