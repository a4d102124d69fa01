"""Public questions of company staff on an open need, each answered once by its officials."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, VersionedMixin, utcnow

if TYPE_CHECKING:
    from app.models.company import Company
    from app.models.need import Need
    from app.models.user import User


class NeedQuestion(VersionedMixin, Base):
    """A question on a need; once answered it is shown to every company viewing the need."""

    __tablename__ = "need_question"
    __table_args__ = (
        CheckConstraint(
            "(answer IS NULL AND answered_at IS NULL AND answered_by_id IS NULL)"
            " OR (answer IS NOT NULL AND answered_at IS NOT NULL)",
            name="answered_together"),
        CheckConstraint("hidden_at IS NULL OR hidden", name="hidden_when_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("need.id", ondelete="CASCADE"), nullable=False, index=True
    )
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False,
                                             index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"),
                                            nullable=False)
    text: Mapped[str] = mapped_column(String(1000), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    answer: Mapped[Optional[str]] = mapped_column(String(2000))
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Hidden by an admin as abusive: shown to nobody but the admins.
    hidden: Mapped[bool] = mapped_column(nullable=False, default=False)
    hidden_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    hidden_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    need: Mapped["Need"] = relationship()
    asked_by: Mapped["User"] = relationship(foreign_keys=[asked_by_id])
    company: Mapped["Company"] = relationship()
    answered_by: Mapped[Optional["User"]] = relationship(foreign_keys=[answered_by_id])
    hidden_by: Mapped[Optional["User"]] = relationship(foreign_keys=[hidden_by_id])
