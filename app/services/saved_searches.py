"""Saved searches: companies follow needs by field, region and budget; officials follow solutions
by field. The same criteria select the listings of a digest and the followers of a new listing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select

from app.extensions import db
from app.models import (
    Category,
    GovernmentLevel,
    Municipality,
    Need,
    Role,
    SavedSearch,
    SearchTarget,
    Solution,
    User,
)
from app.services import decline
from app.services.errors import NotFound, PermissionDenied, ServiceError
from app.services.visibility import public_need_clause, public_solution_clause
from app.templating import category_name, place_name

MAX_PER_USER = 20
MAX_KRW = 10**15  # the needs' own ceiling (app/services/needs.py)


@dataclass
class SearchCriteria:
    """What the saved-search form collected (raw, validated here)."""

    category_id: int | None = None
    region_id: int | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    # Needs only: only needs from population-decline areas and areas of concern.
    declining_only: bool = False


def target_for(user: User) -> SearchTarget:
    """What the user may follow: companies follow needs, officials follow solutions."""
    if user.role == Role.COMPANY:
        return SearchTarget.NEED
    if user.role == Role.MUNICIPALITY:
        return SearchTarget.SOLUTION
    raise PermissionDenied(_("기업 회원과 지자체 공무원만 검색 조건을 저장할 수 있습니다."))


def searches_of(user: User) -> list[SavedSearch]:
    """The user's saved searches, oldest first."""
    return list(db.session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)))


def _clean(target: SearchTarget, criteria: SearchCriteria) -> SearchCriteria:
    """Check the criteria before anything changes; raise on the first problem."""
    if criteria.category_id is not None and db.session.get(Category, criteria.category_id) is None:
        raise ServiceError(_("분야를 목록에서 선택하세요."), field="category_id")
    if target == SearchTarget.SOLUTION:
        if criteria.region_id is not None or criteria.budget_min is not None \
                or criteria.budget_max is not None or criteria.declining_only:
            raise ServiceError(_("솔루션은 분야로만 구독할 수 있습니다."), field="category_id")
        if criteria.category_id is None:
            raise ServiceError(_("구독할 분야를 선택하세요."), field="category_id")
        return criteria
    if criteria.region_id is not None:
        region = db.session.get(Municipality, criteria.region_id)
        if region is None or region.level != GovernmentLevel.PROVINCE:
            raise ServiceError(_("지역(광역자치단체)을 목록에서 선택하세요."), field="region_id")
    for name in ("budget_min", "budget_max"):
        amount = getattr(criteria, name)
        if amount is not None and not 0 <= amount <= MAX_KRW:
            raise ServiceError(_("예산은 0원 이상, 1,000조 원 이하로 입력하세요."), field=name)
    if criteria.budget_min is not None and criteria.budget_max is not None \
            and criteria.budget_min > criteria.budget_max:
        raise ServiceError(_("최대 예산은 최소 예산보다 크거나 같아야 합니다."), field="budget_max")
    if not criteria.declining_only and all(
            value is None for value in (criteria.category_id, criteria.region_id,
                                        criteria.budget_min, criteria.budget_max)):
        raise ServiceError(_("분야, 지역, 예산 중 하나 이상을 지정하세요."), field="category_id")
    return criteria


def save_search(user: User, criteria: SearchCriteria) -> SavedSearch:
    """Follow new listings matching the criteria (flushes); duplicates are refused."""
    target = target_for(user)
    clean = _clean(target, criteria)
    existing = searches_of(user)
    if len(existing) >= MAX_PER_USER:
        raise ServiceError(_("검색 조건은 %(n)d개까지 저장할 수 있습니다.", n=MAX_PER_USER))
    values = (clean.category_id, clean.region_id, clean.budget_min, clean.budget_max,
              bool(clean.declining_only))
    if any((s.category_id, s.region_id, s.budget_min, s.budget_max, s.declining_only) == values
           for s in existing):
        raise ServiceError(_("이미 같은 조건을 저장했습니다."))
    search = SavedSearch(user_id=user.id, target=target, category_id=clean.category_id,
                         region_id=clean.region_id, budget_min=clean.budget_min,
                         budget_max=clean.budget_max,
                         declining_only=bool(clean.declining_only))
    db.session.add(search)
    db.session.flush()
    return search


def delete_search(user: User, search_id: int) -> None:
    """Stop following one of the user's own saved searches (flushes)."""
    search = db.session.get(SavedSearch, search_id)
    if search is None:
        raise NotFound()
    if search.user_id != user.id:
        raise PermissionDenied()
    db.session.delete(search)
    db.session.flush()


def describe(search: SavedSearch) -> str:
    """The criteria of a saved search in words, in the current language."""
    parts = [category_name(search.category) if search.category else None,
             place_name(search.region) if search.region else None]
    if search.budget_min is not None or search.budget_max is not None:
        parts.append(_("예산 %(low)s ~ %(high)s원",
                       low=f"{search.budget_min:,}" if search.budget_min is not None else "",
                       high=f"{search.budget_max:,}" if search.budget_max is not None else ""))
    if search.declining_only:
        parts.append(_("인구감소지역·관심지역만"))
    return " · ".join(part for part in parts if part) or _("전체")


# --- which listings match -----------------------------------------------------------------------


def _need_clause(search: SavedSearch):
    clauses = []
    if search.category_id is not None:
        clauses.append(Need.primary_category_id == search.category_id)
    if search.region_id is not None:
        clauses.append(Need.municipality_id.in_(
            select(Municipality.id).where(or_(Municipality.id == search.region_id,
                                              Municipality.parent_id == search.region_id))))
    # A need's budget range overlaps the followed range (an open end overlaps everything).
    if search.budget_min is not None:
        clauses.append(or_(Need.budget_max.is_(None), Need.budget_max >= search.budget_min))
    if search.budget_max is not None:
        clauses.append(or_(Need.budget_min.is_(None), Need.budget_min <= search.budget_max))
    if search.declining_only:
        clauses.append(decline.need_clause())
    return and_(*clauses)


def _solution_clause(search: SavedSearch):
    if search.category_id is None:
        return and_()
    return Solution.primary_category_id == search.category_id


def new_needs(search: SavedSearch, since: datetime, until: datetime) -> Select:
    """Public needs matching a saved search, posted in (since, until], oldest first."""
    return (select(Need).where(public_need_clause(), _need_clause(search),
                               Need.created_at > since, Need.created_at <= until)
            .order_by(Need.created_at, Need.id))


def new_solutions(search: SavedSearch, since: datetime, until: datetime) -> Select:
    """Public solutions matching a saved search, published in (since, until], oldest first."""
    published = func.coalesce(Solution.published_at, Solution.created_at)
    return (select(Solution).where(public_solution_clause(), _solution_clause(search),
                                   published > since, published <= until)
            .order_by(published, Solution.id))


def followers_of_need(need: Need) -> list[tuple[User, SavedSearch]]:
    """Each user with a saved search this need matches, with the first such search."""
    if need.municipality is None:  # an overseas need: only searches without a Korean region
        regions = []
    else:
        regions = [need.municipality_id] + ([need.municipality.parent_id]
                                            if need.municipality.parent_id else [])
    clauses = [SavedSearch.target == SearchTarget.NEED,
               or_(SavedSearch.category_id.is_(None),
                   SavedSearch.category_id == need.primary_category_id),
               or_(SavedSearch.region_id.is_(None), SavedSearch.region_id.in_(regions))]
    if need.budget_max is not None:
        clauses.append(or_(SavedSearch.budget_min.is_(None),
                           SavedSearch.budget_min <= need.budget_max))
    if need.budget_min is not None:
        clauses.append(or_(SavedSearch.budget_max.is_(None),
                           SavedSearch.budget_max >= need.budget_min))
    if not decline.is_declining(need.municipality_id):
        clauses.append(SavedSearch.declining_only.is_(False))
    return _first_per_user(list(db.session.scalars(
        select(SavedSearch).where(*clauses).order_by(SavedSearch.user_id, SavedSearch.id))))


def followers_of_solution(solution: Solution) -> list[tuple[User, SavedSearch]]:
    """Each user with a saved search this solution matches, with the first such search."""
    searches = db.session.scalars(
        select(SavedSearch).where(
            SavedSearch.target == SearchTarget.SOLUTION,
            or_(SavedSearch.category_id.is_(None),
                SavedSearch.category_id == solution.primary_category_id))
        .order_by(SavedSearch.user_id, SavedSearch.id)).all()
    return _first_per_user(list(searches))


def _first_per_user(searches: list[SavedSearch]) -> list[tuple[User, SavedSearch]]:
    seen: dict[int, SavedSearch] = {}
    for search in searches:
        seen.setdefault(search.user_id, search)
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(seen)))} if seen else {}
    return [(users[user_id], search) for user_id, search in seen.items() if user_id in users]
