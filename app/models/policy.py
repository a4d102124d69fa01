"""Policy tags of the 4th Smart City Comprehensive Plan on solutions and needs.

The plan steers at least 35% of a diffusion project's total cost to climate-crisis response and
digital inclusion. An author claims the areas a listing serves; an admin confirms or rejects each
claim; only confirmed tags count in the catalogue filters, the API and the dashboard's shares.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.need import Need
    from app.models.solution import Solution
    from app.models.user import User


class PolicyArea(str, enum.Enum):
    """The two areas the plan reserves at least 35% of the cost for."""

    CLIMATE = "climate"  # 기후위기 대응
    INCLUSION = "inclusion"  # 디지털 포용


class PolicyTagStatus(str, enum.Enum):
    """An author's claim, then the admin's check: claimed → confirmed | rejected."""

    CLAIMED = "claimed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


# A claim has no review yet; a confirmed or rejected tag records when it was checked.
REVIEWED_CONDITION = "(reviewed_at IS NULL) = (status = 'claimed')"


class PolicyTagMixin:
    """The claim and its check, shared by the solution and need tag tables."""

    #: "solution" or "need": names the table's enum types (solution_policy_area, …).
    listing_kind: str

    @declared_attr
    def area(cls) -> Mapped[PolicyArea]:
        return mapped_column(enum_column(PolicyArea, f"{cls.listing_kind}_policy_area"),
                             primary_key=True)

    @declared_attr
    def status(cls) -> Mapped[PolicyTagStatus]:
        return mapped_column(enum_column(PolicyTagStatus, f"{cls.listing_kind}_policy_status"),
                             nullable=False, default=PolicyTagStatus.CLAIMED)

    claimed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    @declared_attr
    def reviewed_by_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @declared_attr
    def reviewed_by(cls) -> Mapped[Optional["User"]]:
        return relationship()

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        # The filters and the share look tags up by area and status.
        return (CheckConstraint(REVIEWED_CONDITION, name="reviewed_when_checked"),
                Index(f"ix_{cls.__tablename__}_area_status", "area", "status"))


class SolutionPolicyTag(PolicyTagMixin, Base):
    """One policy area claimed for a solution by its company, and the admin's check."""

    __tablename__ = "solution_policy_tag"
    listing_kind = "solution"

    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True
    )
    solution: Mapped["Solution"] = relationship(back_populates="policy_tags")


class NeedPolicyTag(PolicyTagMixin, Base):
    """One policy area claimed for a need by its officials, and the admin's check."""

    __tablename__ = "need_policy_tag"
    listing_kind = "need"

    need_id: Mapped[int] = mapped_column(
        ForeignKey("need.id", ondelete="CASCADE"), primary_key=True
    )
    need: Mapped["Need"] = relationship(back_populates="policy_tags")
