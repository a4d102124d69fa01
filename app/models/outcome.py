"""What happens after an approved match: outcome stages, double-confirmed steps, ratings."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, VersionedMixin, enum_column, utcnow
from app.models.workflow import Side

if TYPE_CHECKING:
    from app.models.solution import Solution
    from app.models.user import User
    from app.models.workflow import Match

#: Largest amount (원) a step may record: 1조 원, far above any smart-city contract.
AMOUNT_MAX = 10**12


class OutcomeStage(str, enum.Enum):
    """Where an approved match stands (transitions: app/services/outcomes.py)."""

    NEGOTIATING = "negotiating"  # 협의 중
    POC = "poc"  # 실증(PoC)
    CONTRACTED = "contracted"  # 계약·도입
    OPERATING = "operating"  # 운영
    STOPPED = "stopped"  # 중단


class ProcurementRoute(str, enum.Enum):
    """How the municipality buys: the public procurement routes smart-city deals use."""

    INNOVATION_PRODUCT = "innovation_product"  # 혁신제품 지정·시범구매
    COMPETITIVE_DIALOGUE = "competitive_dialogue"  # 경쟁적 대화에 의한 계약
    SMART_CHALLENGE = "smart_challenge"  # 스마트챌린지 사업
    PRIVATE_CONTRACT = "private_contract"  # 수의계약
    OPEN_TENDER = "open_tender"  # 일반(경쟁) 입찰
    OTHER = "other"  # 기타


class StepStatus(str, enum.Enum):
    """A proposed step waits for the other side, who confirms or rejects it."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class MatchOutcome(VersionedMixin, Base):
    """The current stage of one approved match (created with its first step or reminder)."""

    __tablename__ = "match_outcome"
    __table_args__ = (
        CheckConstraint("contract_amount IS NULL OR (contract_amount >= 0 AND contract_amount "
                        f"<= {AMOUNT_MAX})", name="contract_amount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        ForeignKey("need_match.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    stage: Mapped[OutcomeStage] = mapped_column(
        enum_column(OutcomeStage, "outcome_stage"), nullable=False,
        default=OutcomeStage.NEGOTIATING, index=True,
    )
    stage_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # The last proposal, confirmation or rejection: a stalled match has none for N days.
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    procurement_route: Mapped[Optional[ProcurementRoute]] = mapped_column(
        enum_column(ProcurementRoute, "outcome_route"))
    contract_amount: Mapped[Optional[int]] = mapped_column(BigInteger)
    contracted_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )

    match: Mapped["Match"] = relationship()
    steps: Mapped[list["OutcomeStep"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="OutcomeStep.id"
    )


OPEN_STEP_CONDITION = "status = 'proposed'"


class OutcomeStep(Base):
    """One side's proposal to move the match to a stage; the other side confirms or rejects."""

    __tablename__ = "outcome_step"
    __table_args__ = (
        CheckConstraint(f"amount IS NULL OR (amount >= 0 AND amount <= {AMOUNT_MAX})",
                        name="amount_range"),
        # One open proposal per match, even when both sides propose at the same moment.
        Index("uq_outcome_step_open", "outcome_id", unique=True,
              postgresql_where=text(OPEN_STEP_CONDITION),
              sqlite_where=text(OPEN_STEP_CONDITION)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("match_outcome.id", ondelete="CASCADE"), nullable=False, index=True
    )
    to_stage: Mapped[OutcomeStage] = mapped_column(
        enum_column(OutcomeStage, "outcome_step_stage"), nullable=False)
    status: Mapped[StepStatus] = mapped_column(
        enum_column(StepStatus, "outcome_step_status"), nullable=False,
        default=StepStatus.PROPOSED,
    )
    proposed_side: Mapped[Side] = mapped_column(enum_column(Side, "outcome_step_side"),
                                                nullable=False)
    proposed_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    happened_on: Mapped[Optional[date]] = mapped_column(Date)
    procurement_route: Mapped[Optional[ProcurementRoute]] = mapped_column(
        enum_column(ProcurementRoute, "outcome_step_route"))
    amount: Mapped[Optional[int]] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    responded_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    responded_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    response_reason: Mapped[Optional[str]] = mapped_column(String(500))

    outcome: Mapped["MatchOutcome"] = relationship(back_populates="steps")
    proposed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[proposed_by_id])


class SolutionRating(Base):
    """A municipality's 1–5 rating of a solution it runs, once per match; one company reply."""

    __tablename__ = "solution_rating"
    __table_args__ = (CheckConstraint("stars >= 1 AND stars <= 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        ForeignKey("need_match.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stars: Mapped[int] = mapped_column(nullable=False)
    review: Mapped[str] = mapped_column(String(500), nullable=False)
    rated_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    reply: Mapped[Optional[str]] = mapped_column(String(500))
    replied_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    replied_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    match: Mapped["Match"] = relationship()
    solution: Mapped["Solution"] = relationship()
