"""Saved searches, bookmarks, digest cursors and the alerts already sent (deduplicated here)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    PrimaryKeyConstraint,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.company import Company
    from app.models.geo import Municipality
    from app.models.need import Need
    from app.models.solution import Solution
    from app.models.taxonomy import Category

def _set(column: str) -> str:
    """1 when the column is set, else 0 (portable: PostgreSQL cannot add booleans)."""
    return f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"


ONE_LISTING = f"{_set('need_id')} + {_set('solution_id')} + {_set('company_id')} = 1"
ONE_NEED_OR_SOLUTION = f"{_set('need_id')} + {_set('solution_id')} = 1"


class SearchTarget(str, enum.Enum):
    """What a saved search follows: needs (companies) or solutions (officials)."""

    NEED = "need"
    SOLUTION = "solution"


class DigestFrequency(str, enum.Enum):
    """How often a user receives the digest of new listings matching their saved searches."""

    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class SavedSearch(Base):
    """One followed set of criteria: a field, a region and a budget range (each optional)."""

    __tablename__ = "saved_search"
    __table_args__ = (
        CheckConstraint("budget_min IS NULL OR budget_min >= 0", name="budget_min_non_negative"),
        CheckConstraint("budget_max IS NULL OR budget_max >= 0", name="budget_max_non_negative"),
        CheckConstraint("budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
                        name="budget_range_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    target: Mapped[SearchTarget] = mapped_column(
        enum_column(SearchTarget, "search_target"), nullable=False)
    category_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("category.id", ondelete="CASCADE"))
    region_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"))
    budget_min: Mapped[Optional[int]] = mapped_column(BigInteger)
    budget_max: Mapped[Optional[int]] = mapped_column(BigInteger)
    # Needs only: follow only needs from population-decline areas and areas of concern.
    declining_only: Mapped[bool] = mapped_column(nullable=False, default=False,
                                                 server_default=false())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)

    category: Mapped[Optional["Category"]] = relationship()
    region: Mapped[Optional["Municipality"]] = relationship()


class Bookmark(Base):
    """A user's bookmark of one need, solution or company."""

    __tablename__ = "bookmark"
    __table_args__ = (
        CheckConstraint(ONE_LISTING, name="one_listing"),
        UniqueConstraint("user_id", "need_id"),
        UniqueConstraint("user_id", "solution_id"),
        UniqueConstraint("user_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    need_id: Mapped[Optional[int]] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    solution_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"))
    company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)

    need: Mapped[Optional["Need"]] = relationship()
    solution: Mapped[Optional["Solution"]] = relationship()
    company: Mapped[Optional["Company"]] = relationship()


class DigestCursor(Base):
    """A user's digest frequency and the moment up to which listings were already digested."""

    __tablename__ = "digest_cursor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[DigestFrequency] = mapped_column(
        enum_column(DigestFrequency, "digest_frequency"), nullable=False,
        default=DigestFrequency.OFF)
    digested_until: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)


class ListingAlert(Base):
    """A follower was alerted to one new need or solution (the row makes it happen once)."""

    __tablename__ = "listing_alert"
    __table_args__ = (
        CheckConstraint(ONE_NEED_OR_SOLUTION, name="one_listing"),
        UniqueConstraint("user_id", "need_id"),
        UniqueConstraint("user_id", "solution_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    need_id: Mapped[Optional[int]] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    solution_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)


class StrongMatchAlert(Base):
    """A need–solution pair was announced as a strong match (once, whoever runs the notifier)."""

    __tablename__ = "strong_match_alert"
    __table_args__ = (PrimaryKeyConstraint("need_id", "solution_id"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"),
                                             index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)
