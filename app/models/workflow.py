"""The match workflow: interest between a need and a solution, consortium proposals."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, VersionedMixin, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.company import Company
    from app.models.need import Need
    from app.models.solution import Solution
    from app.models.user import User


class Side(str, enum.Enum):
    """Which side of the market acted."""

    MUNICIPALITY = "municipality"
    COMPANY = "company"


class MatchStatus(str, enum.Enum):
    """Double opt-in life cycle of a need–solution match (transitions: services/workflow/states)."""

    PENDING = "pending"  # one side expressed interest, the other has not answered
    DECLINED = "declined"  # the other side said no
    EXPIRED = "expired"  # nobody answered in time
    WITHDRAWN = "withdrawn"  # the requesting side took it back
    MUTUAL = "mutual"  # both said yes; waiting for admin review
    APPROVED = "approved"  # admins approved; contact details are shared
    REJECTED = "rejected"  # admins rejected


class Match(VersionedMixin, Base):
    """Interest between one need and one solution, from request to admin decision."""

    __tablename__ = "need_match"
    __table_args__ = (UniqueConstraint("need_id", "solution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("need.id", ondelete="CASCADE"), nullable=False, index=True
    )
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), nullable=False, index=True
    )
    initiator_side: Mapped[Side] = mapped_column(enum_column(Side, "match_side"), nullable=False)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    message: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    status: Mapped[MatchStatus] = mapped_column(
        enum_column(MatchStatus, "match_status"), nullable=False, default=MatchStatus.PENDING,
        index=True,
    )
    # The recommendation score when interest was expressed (None when from a catalogue page).
    score: Mapped[Optional[float]] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    responded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    response_reason: Mapped[Optional[str]] = mapped_column(String(500))
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[Optional[str]] = mapped_column(String(500))

    need: Mapped["Need"] = relationship()
    solution: Mapped["Solution"] = relationship()
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])
    responded_by: Mapped[Optional["User"]] = relationship(foreign_keys=[responded_by_id])
    reviewed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewed_by_id])


class ConsortiumStatus(str, enum.Enum):
    """Life cycle of a consortium proposal to a need."""

    AWAITING_PARTNERS = "awaiting_partners"  # partner firms must confirm first
    SUBMITTED = "submitted"  # every partner confirmed; the municipality is asked
    PARTNER_DECLINED = "partner_declined"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"  # the municipality said no
    EXPIRED = "expired"
    MUTUAL = "mutual"  # the municipality accepted; waiting for admin review
    APPROVED = "approved"
    REJECTED = "rejected"


ACTIVE_PROPOSAL_CONDITION = (
    "status IN ('awaiting_partners', 'submitted', 'mutual', 'approved')"
)


class ConsortiumProposal(VersionedMixin, Base):
    """A large/mid-sized firm's proposal, with startups/SMEs, to serve one need together."""

    __tablename__ = "consortium_proposal"
    # One active proposal per need and lead firm, even when two requests propose at once.
    __table_args__ = (
        Index("uq_consortium_proposal_active_lead", "need_id", "lead_company_id", unique=True,
              postgresql_where=text(ACTIVE_PROPOSAL_CONDITION),
              sqlite_where=text(ACTIVE_PROPOSAL_CONDITION)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("need.id", ondelete="CASCADE"), nullable=False, index=True
    )
    lead_company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
    )
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    message: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    status: Mapped[ConsortiumStatus] = mapped_column(
        enum_column(ConsortiumStatus, "consortium_status"), nullable=False,
        default=ConsortiumStatus.AWAITING_PARTNERS, index=True,
    )
    coverage: Mapped[Optional[float]] = mapped_column(Float)
    best_single_coverage: Mapped[Optional[float]] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    responded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    response_reason: Mapped[Optional[str]] = mapped_column(String(500))
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[Optional[str]] = mapped_column(String(500))

    need: Mapped["Need"] = relationship()
    lead_company: Mapped["Company"] = relationship()
    proposed_by: Mapped["User"] = relationship(foreign_keys=[proposed_by_id])
    responded_by: Mapped[Optional["User"]] = relationship(foreign_keys=[responded_by_id])
    reviewed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewed_by_id])
    members: Mapped[list["ConsortiumMember"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ConsortiumMember.id"
    )


class ConfirmationStatus(str, enum.Enum):
    """A partner firm's answer to a consortium invitation."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class ConsortiumMember(Base):
    """One firm in a consortium proposal, with its solution, role and share of the work."""

    __tablename__ = "consortium_member"
    __table_args__ = (
        UniqueConstraint("proposal_id", "company_id"),
        CheckConstraint("share >= 0 AND share <= 1", name="share_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("consortium_proposal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
    )
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), nullable=False
    )
    is_lead: Mapped[bool] = mapped_column(nullable=False, default=False)
    share: Mapped[float] = mapped_column(Float, nullable=False)
    confirmation: Mapped[ConfirmationStatus] = mapped_column(
        enum_column(ConfirmationStatus, "confirmation_status"), nullable=False,
        default=ConfirmationStatus.PENDING,
    )
    responded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    response_reason: Mapped[Optional[str]] = mapped_column(String(500))

    proposal: Mapped["ConsortiumProposal"] = relationship(back_populates="members")
    company: Mapped["Company"] = relationship()
    responded_by: Mapped[Optional["User"]] = relationship()
    solution: Mapped["Solution"] = relationship()


class Notification(Base):
    """An in-app notification for one user."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    link: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False, index=True
    )
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    user: Mapped["User"] = relationship()


class EmailPreference(Base):
    """Whether a user receives e-mail for one kind of notification (default: yes)."""

    __tablename__ = "email_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    enabled: Mapped[bool] = mapped_column(nullable=False, default=True)
