"""Regulatory sandbox (규제샌드박스): solutions and matches that need an exemption to be trialled.

A solution may declare that it can only be trialled under a regulatory exemption, naming the rule
at stake; a match may be flagged as needing one (one per match), and its progress through the
sandbox process is recorded step by step (transitions: app/services/sandbox.py).
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, VersionedMixin, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.user import User
    from app.models.workflow import Match

#: Longest name of the rule at stake (a law, an article, a standard).
SANDBOX_RULE_MAX = 300
#: Longest note on a progress step.
SANDBOX_NOTE_MAX = 500


class SandboxKind(str, enum.Enum):
    """Which exemption of the regulatory sandbox the trial needs."""

    DEMONSTRATION = "demonstration"  # 실증특례: a limited trial where a rule forbids it
    TEMPORARY_PERMIT = "temporary_permit"  # 임시허가: market launch before a rule exists


class SandboxProgress(str, enum.Enum):
    """Where a match's exemption stands: needed → applied → under_review → granted | refused,
    or withdrawn from any open progress."""

    NEEDED = "needed"  # 신청 필요
    APPLIED = "applied"  # 신청함
    UNDER_REVIEW = "under_review"  # 심사 중
    GRANTED = "granted"  # 승인(특례 지정)
    REFUSED = "refused"  # 불승인
    WITHDRAWN = "withdrawn"  # 신청 철회


class MatchSandbox(VersionedMixin, TimestampMixin, Base):
    """The exemption one match needs: its kind, the rule at stake and its current progress."""

    __tablename__ = "match_sandbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        ForeignKey("need_match.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    kind: Mapped[SandboxKind] = mapped_column(enum_column(SandboxKind, "match_sandbox_kind"),
                                              nullable=False, index=True)
    rule: Mapped[str] = mapped_column(String(SANDBOX_RULE_MAX), nullable=False)
    progress: Mapped[SandboxProgress] = mapped_column(
        enum_column(SandboxProgress, "match_sandbox_progress"), nullable=False,
        default=SandboxProgress.NEEDED, index=True,
    )
    progress_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                     nullable=False)
    flagged_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    match: Mapped["Match"] = relationship()
    flagged_by: Mapped[Optional["User"]] = relationship(foreign_keys=[flagged_by_id])
    steps: Mapped[list["SandboxStep"]] = relationship(
        back_populates="sandbox", cascade="all, delete-orphan", order_by="SandboxStep.id"
    )


class SandboxStep(Base):
    """One change of a match's exemption progress: from what, to what, by whom, why, when."""

    __tablename__ = "sandbox_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    sandbox_id: Mapped[int] = mapped_column(
        ForeignKey("match_sandbox.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_progress: Mapped[Optional[SandboxProgress]] = mapped_column(
        enum_column(SandboxProgress, "sandbox_step_from"))
    to_progress: Mapped[SandboxProgress] = mapped_column(
        enum_column(SandboxProgress, "sandbox_step_to"), nullable=False)
    actor_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(SANDBOX_NOTE_MAX), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )

    sandbox: Mapped["MatchSandbox"] = relationship(back_populates="steps")
    actor: Mapped[Optional["User"]] = relationship(foreign_keys=[actor_id])
