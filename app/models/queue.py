"""Background work kept in the database: jobs, log cursors and each engine's log position."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Job(Base):
    """One background operation (run by the queue worker) and how far it got."""

    __tablename__ = "job"

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    FINISHED = (DONE, FAILED)
    # Kinds of which at most one job may be unfinished at a time (a database-enforced rule).
    SINGLE_KINDS = ("rematch",)
    _UNFINISHED_SINGLE = "kind IN ('rematch') AND status IN ('queued', 'running')"
    __table_args__ = (
        Index("uq_job_one_unfinished_per_single_kind", "kind", unique=True,
              sqlite_where=text(_UNFINISHED_SINGLE), postgresql_where=text(_UNFINISHED_SINGLE)),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=QUEUED, index=True)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Last sign of life: set when queued or re-queued and at every checkpoint while running.
    heartbeat: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                nullable=False)

    @property
    def finished(self) -> bool:
        """True once the job succeeded or failed."""
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        """Progress in whole percent (100 when finished successfully)."""
        if self.status == self.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view of the job."""
        return {
            "id": self.id, "kind": self.kind, "label": self.label, "status": self.status,
            "done": self.done, "total": self.total, "percent": self.percent,
            "message": self.message, "error": self.error, "result": self.result,
            "finished": self.finished, "attempts": self.attempts,
        }


class LogCursor(Base):
    """A named position in the change log (the notifier's cursor, the pruned floor)."""

    __tablename__ = "log_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow, nullable=False)


class EnginePosition(Base):
    """The last change a process's matching engine applied, with when it said so."""

    __tablename__ = "engine_position"

    consumer: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_change_id: Mapped[int] = mapped_column(Integer, nullable=False)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                              index=True)
