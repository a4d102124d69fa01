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
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class SolutionPolicyTag(Base):
    """One policy area claimed for a solution by its company, and the admin's check."""

    __tablename__ = "solution_policy_tag"
    __table_args__ = (
        CheckConstraint(REVIEWED_CONDITION, name="reviewed_when_checked"),
        # The filters and the share look tags up by area and status.
        Index("ix_solution_policy_tag_area_status", "area", "status"),
    )

    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[PolicyArea] = mapped_column(
        enum_column(PolicyArea, "solution_policy_area"), primary_key=True)
    status: Mapped[PolicyTagStatus] = mapped_column(
        enum_column(PolicyTagStatus, "solution_policy_status"), nullable=False,
        default=PolicyTagStatus.CLAIMED,
    )
    claimed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    solution: Mapped["Solution"] = relationship(back_populates="policy_tags")
    reviewed_by: Mapped[Optional["User"]] = relationship()


class NeedPolicyTag(Base):
    """One policy area claimed for a need by its officials, and the admin's check."""

    __tablename__ = "need_policy_tag"
    __table_args__ = (
        CheckConstraint(REVIEWED_CONDITION, name="reviewed_when_checked"),
        Index("ix_need_policy_tag_area_status", "area", "status"),
    )

    need_id: Mapped[int] = mapped_column(
        ForeignKey("need.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[PolicyArea] = mapped_column(
        enum_column(PolicyArea, "need_policy_area"), primary_key=True)
    status: Mapped[PolicyTagStatus] = mapped_column(
        enum_column(PolicyTagStatus, "need_policy_status"), nullable=False,
        default=PolicyTagStatus.CLAIMED,
    )
    claimed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    need: Mapped["Need"] = relationship(back_populates="policy_tags")
    reviewed_by: Mapped[Optional["User"]] = relationship()
