"""Evidence an official gives for their verification: a confirmed official e-mail or a document."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Base, enum_column, utcnow
from app.models.user import User


class EvidenceKind(str, enum.Enum):
    """What kind of evidence an official gave."""

    EMAIL = "email"  # the sign-up address, confirmed by the e-mailed link
    DOCUMENT = "document"  # an uploaded PDF or image (e.g. 재직증명서)


class OfficialEvidence(Base):
    """One piece of evidence for an official's verification, shown in the admin's queue."""

    __tablename__ = "official_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"),
                                               nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)
    # EMAIL: the confirmed address (its domain is compared with the municipality's when shown).
    email: Mapped[Optional[str]] = mapped_column(String(254))
    # DOCUMENT: the bytes (kept in the database, never under static/), their sniffed type.
    filename: Mapped[Optional[str]] = mapped_column(String(200))
    content_type: Mapped[Optional[str]] = mapped_column(String(50))
    size: Mapped[Optional[int]] = mapped_column(Integer)
    content: Mapped[Optional[bytes]] = deferred(mapped_column(LargeBinary))

    user: Mapped[User] = relationship()
