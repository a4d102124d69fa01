"""Long admin operations as background jobs with visible progress (a small in-process registry).

A job runs a function in a thread with its own app context and database session, like a
request: the runner commits when the function returns and rolls back when it raises. The
function reports progress through the `Job` it receives (`job.total`, `job.step()`). With the
`JOBS_RUN_INLINE` setting (on in tests) the job runs synchronously before `start` returns.
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

from flask import current_app

from app.extensions import db
from app.models.base import utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)
MAX_KEPT_JOBS = 100

_jobs: dict[str, "Job"] = {}
_lock = threading.Lock()


@dataclass
class Job:
    """One background operation and how far it got."""

    id: str
    kind: str
    label: str
    started_by_id: int | None = None
    status: str = QUEUED
    done: int = 0
    total: int = 0
    message: str = ""
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once the job succeeded or failed."""
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        """Progress in whole percent (100 when finished successfully)."""
        if self.status == DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

    def step(self, message: str | None = None) -> None:
        """Count one unit of work done (optionally with a status message)."""
        self.done += 1
        if message is not None:
            self.message = message

    def track(self, items: Iterable) -> Iterator:
        """Iterate over items, setting the total first and counting each one once it is done."""
        items = list(items)
        self.total = len(items)
        for item in items:
            yield item
            self.step()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view of the job."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "error": self.error,
            "result": self.result,
            "finished": self.finished,
        }


def get(job_id: str) -> Job | None:
    """The job with this id, or None (unknown or forgotten)."""
    with _lock:
        return _jobs.get(job_id)


def running(kind: str) -> Job | None:
    """A job of this kind that has not finished yet, if any."""
    with _lock:
        return next((job for job in _jobs.values() if job.kind == kind and not job.finished),
                    None)


def _remember(job: Job) -> None:
    with _lock:
        _jobs[job.id] = job
        finished = [j for j in _jobs.values() if j.finished]
        for old in sorted(finished, key=lambda j: j.created_at)[:max(0, len(_jobs) - MAX_KEPT_JOBS)]:
            _jobs.pop(old.id, None)


def _run(app, job: Job, work: Callable[[Job], dict[str, Any] | None], done_message: str) -> None:
    """Run the work in a fresh app context; commit on success, roll back and record on failure."""
    with app.app_context():
        job.status = RUNNING
        try:
            job.result = work(job) or {}
            db.session.commit()
        except Exception as error:  # the job reports any failure instead of dying silently
            db.session.rollback()
            app.logger.exception("Background job %s (%s) failed", job.id, job.kind)
            job.error = getattr(error, "message", None) or str(error) or type(error).__name__
            job.status = FAILED
        else:
            job.message = done_message
            job.status = DONE
        finally:
            job.finished_at = utcnow()
            db.session.remove()


def start(kind: str, label: str, work: Callable[[Job], dict[str, Any] | None], *,
          started_by_id: int | None = None, done_message: str = "") -> Job:
    """Register a job and run `work(job)` in a background thread (inline when configured)."""
    app = current_app._get_current_object()
    job = Job(id=uuid.uuid4().hex, kind=kind, label=label, started_by_id=started_by_id)
    _remember(job)
    if app.config.get("JOBS_RUN_INLINE", app.testing):
        _run(app, job, work, done_message)
    else:
        threading.Thread(target=_run, args=(app, job, work, done_message),
                         name=f"job-{kind}-{job.id[:8]}", daemon=True).start()
    return job
