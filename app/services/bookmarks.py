"""Bookmarks of needs, solutions and companies: only of what the user may see, listed on one page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Bookmark, Company, Need, Solution, User
from app.services.errors import NotFound
from app.services.visibility import can_view_company, can_view_need, can_view_solution

#: Bookmarkable kinds: model, Bookmark column and the visibility rule.
KINDS = {
    "need": (Need, "need_id", can_view_need),
    "solution": (Solution, "solution_id", can_view_solution),
    "company": (Company, "company_id", can_view_company),
}


@dataclass(frozen=True)
class BookmarkList:
    """A user's bookmarks that they may still see, by kind, newest first."""

    needs: list[Need]
    solutions: list[Solution]
    companies: list[Company]

    def __bool__(self) -> bool:
        return bool(self.needs or self.solutions or self.companies)


def _visible_listing(user: User, kind: str, listing_id: int):
    """The listing, when it exists and the user may see it (NotFound otherwise: no leak)."""
    if kind not in KINDS:
        raise NotFound()
    model, _column, may_view = KINDS[kind]
    listing = db.session.get(model, listing_id)
    if listing is None or not may_view(user, listing):
        raise NotFound()
    return listing


def _existing(user: User, kind: str, listing_id: int) -> Bookmark | None:
    column = getattr(Bookmark, KINDS[kind][1])
    return db.session.scalars(
        select(Bookmark).where(Bookmark.user_id == user.id, column == listing_id)).first()


def is_bookmarked(user, kind: str, listing_id: int) -> bool:
    """Whether a signed-in user has bookmarked this listing (False for visitors)."""
    if not getattr(user, "is_authenticated", False) or kind not in KINDS:
        return False
    return _existing(user, kind, listing_id) is not None


def toggle(user: User, kind: str, listing_id: int) -> bool:
    """Bookmark a visible listing, or remove the bookmark; True when it is now bookmarked."""
    _visible_listing(user, kind, listing_id)
    existing = _existing(user, kind, listing_id)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Bookmark(user_id=user.id, **{KINDS[kind][1]: listing_id}))
    except IntegrityError:  # a second click at the same instant already added it
        pass
    return True


def bookmarks_of(user: User) -> BookmarkList:
    """The user's bookmarks, leaving out listings they may no longer see."""
    rows = db.session.scalars(select(Bookmark).where(Bookmark.user_id == user.id)
                              .order_by(Bookmark.created_at.desc(), Bookmark.id.desc())).all()
    needs = [row.need for row in rows if row.need is not None and can_view_need(user, row.need)]
    solutions = [row.solution for row in rows
                 if row.solution is not None and can_view_solution(user, row.solution)]
    companies = [row.company for row in rows
                 if row.company is not None and can_view_company(user, row.company)]
    return BookmarkList(needs=needs, solutions=solutions, companies=companies)
