"""Joint procurement: a group of municipalities buying one solution for similar needs."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, VersionedMixin, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.geo import Municipality
    from app.models.need import Need
    from app.models.user import User


class InvitationStatus(str, enum.Enum):
    """A municipality's answer to an invitation into a joint procurement group."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


# A need belongs to at most one group at a time; a declined invitation frees it.
ACTIVE_MEMBER_CONDITION = "status IN ('pending', 'accepted')"


class JointGroup(Base):
    """A joint procurement group led by the municipality whose need started it."""

    __tablename__ = "joint_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id"), nullable=False, index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )

    lead_municipality: Mapped["Municipality"] = relationship()
    created_by: Mapped["User"] = relationship()
    members: Mapped[list["JointMember"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="JointMember.id"
    )

    @property
    def lead_member(self) -> "JointMember":
        """The lead municipality's own need."""
        return next(m for m in self.members if m.is_lead)


class JointMember(VersionedMixin, Base):
    """One need (and its municipality) in a group: the lead's, or an invited one."""

    __tablename__ = "joint_member"
    __table_args__ = (
        UniqueConstraint("group_id", "need_id"),
        Index("uq_joint_member_active_need", "need_id", unique=True,
              sqlite_where=text(ACTIVE_MEMBER_CONDITION),
              postgresql_where=text(ACTIVE_MEMBER_CONDITION)),
        CheckConstraint("NOT is_lead OR status = 'accepted'", name="lead_accepted"),
        CheckConstraint("(responded_at IS NULL) = (status = 'pending')",
                        name="responded_when_answered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("joint_group.id", ondelete="CASCADE"), nullable=False, index=True
    )
    need_id: Mapped[int] = mapped_column(
        ForeignKey("need.id", ondelete="CASCADE"), nullable=False
    )
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id"), nullable=False, index=True
    )
    is_lead: Mapped[bool] = mapped_column(nullable=False, default=False)
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column(InvitationStatus, "joint_invitation_status"), nullable=False,
        default=InvitationStatus.PENDING,
    )
    # The similarity to the lead need when invited (None for the lead itself).
    score: Mapped[Optional[float]] = mapped_column()
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    responded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    group: Mapped["JointGroup"] = relationship(back_populates="members")
    need: Mapped["Need"] = relationship()
    municipality: Mapped["Municipality"] = relationship()
    invited_by: Mapped["User"] = relationship(foreign_keys=[invited_by_id])
    responded_by: Mapped[Optional["User"]] = relationship(foreign_keys=[responded_by_id])
