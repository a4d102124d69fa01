"""Companies (convergence-alliance members) and invitations to join them."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, VersionedMixin, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.geo import Municipality
    from app.models.solution import Solution
    from app.models.user import User


class SizeClass(str, enum.Enum):
    """Company size class used by the alliance."""

    LARGE = "large"  # 대기업
    MID = "mid"  # 중견기업
    SME = "sme"  # 중소기업
    STARTUP = "startup"  # 스타트업


class MembershipStatus(str, enum.Enum):
    """Convergence-alliance membership of a company."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


company_region = Table(
    "company_region",
    Base.metadata,
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id"), primary_key=True),
)


class Company(VersionedMixin, TimestampMixin, Base):
    """A smart-city company; its users list solutions."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    # Ten digits without hyphens; formatted 123-45-67890 for display.
    business_number: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    size_class: Mapped[SizeClass] = mapped_column(
        enum_column(SizeClass, "size_class"), nullable=False
    )
    hq_region_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), nullable=False)
    website: Mapped[Optional[str]] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    membership_status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status"),
        nullable=False,
        default=MembershipStatus.NONE,
    )
    membership_reason: Mapped[Optional[str]] = mapped_column(String(500))
    membership_applied_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    membership_decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    hq_region: Mapped["Municipality"] = relationship()
    regions_served: Mapped[list["Municipality"]] = relationship(
        secondary=company_region, order_by="Municipality.sort_order"
    )
    members: Mapped[list["User"]] = relationship(back_populates="company")
    solutions: Mapped[list["Solution"]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )

    @property
    def formatted_business_number(self) -> str:
        """The business number as 123-45-67890."""
        n = self.business_number
        return f"{n[:3]}-{n[3:5]}-{n[5:]}"

    @property
    def is_approved_member(self) -> bool:
        return self.membership_status == MembershipStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Company {self.name}>"


class CompanyInvitation(Base):
    """A single-use link inviting a colleague to join a company."""

    __tablename__ = "company_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    company: Mapped["Company"] = relationship()
    invited_by: Mapped["User"] = relationship(foreign_keys=[invited_by_id])
