"""Talking after approval: a thread per approved match or consortium, its messages and
attachments, each reader's cursor, and meeting proposals with their time slots."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Base, VersionedMixin, enum_column, utcnow
from app.models.workflow import Side

if TYPE_CHECKING:
    from app.models.user import User
    from app.models.workflow import ConsortiumProposal, Match


class ConversationThread(Base):
    """The one conversation of an approved match or of an approved consortium proposal."""

    __tablename__ = "conversation_thread"
    __table_args__ = (
        CheckConstraint("(match_id IS NULL) <> (proposal_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("need_match.id", ondelete="CASCADE"), unique=True)
    proposal_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("consortium_proposal.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)

    match: Mapped[Optional["Match"]] = relationship()
    proposal: Mapped[Optional["ConsortiumProposal"]] = relationship()


class ConversationMessage(Base):
    """One message in a thread, by one person acting for one side."""

    __tablename__ = "conversation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_thread.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    author_side: Mapped[Side] = mapped_column(enum_column(Side, "conversation_side"),
                                              nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)

    author: Mapped[Optional["User"]] = relationship()
    attachments: Mapped[list["ConversationAttachment"]] = relationship(
        back_populates="message", order_by="ConversationAttachment.id")


class ConversationAttachment(Base):
    """A file sent with a message; the bytes live in the database, never under static/."""

    __tablename__ = "conversation_attachment"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_message.id", ondelete="CASCADE"), nullable=False, index=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_thread.id", ondelete="CASCADE"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    message: Mapped["ConversationMessage"] = relationship(back_populates="attachments")


class ConversationRead(Base):
    """How far one user has read one thread (messages after it count as unread)."""

    __tablename__ = "conversation_read"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_thread.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    last_message_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class MeetingStatus(str, enum.Enum):
    """A meeting proposal: waiting for the other side, one slot accepted, or all declined."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Meeting(VersionedMixin, Base):
    """A meeting one side proposed in a thread, with one or more time slots to choose from."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_thread.id", ondelete="CASCADE"), nullable=False, index=True)
    proposed_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    proposer_side: Mapped[Side] = mapped_column(enum_column(Side, "meeting_side"),
                                                nullable=False)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), nullable=False,
        default=MeetingStatus.PROPOSED, index=True)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)
    responded_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    thread: Mapped["ConversationThread"] = relationship()
    proposed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[proposed_by_id])
    slots: Mapped[list["MeetingSlot"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingSlot.starts_at")

    @property
    def chosen_slot(self) -> Optional["MeetingSlot"]:
        """The accepted slot, if any."""
        return next((slot for slot in self.slots if slot.chosen), None)


class MeetingSlot(Base):
    """One proposed time, with an online link or a place."""

    __tablename__ = "meeting_slot"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    location: Mapped[str] = mapped_column(String(300), nullable=False)
    chosen: Mapped[bool] = mapped_column(nullable=False, default=False)

    meeting: Mapped["Meeting"] = relationship(back_populates="slots")
