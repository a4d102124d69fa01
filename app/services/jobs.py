"""Long operations as durable background jobs: state in the `job` table, work on the queue.

`start` adds a job row in the caller's transaction and enqueues its task only after that
transaction commits (app/services/unit_of_work.py), so a rolled-back request leaves nothing
behind. A queue worker runs `run(job_id)`: it claims the job (a conditional update, so a
duplicate message runs nothing), does the work in its own session and commits the result with
the job's final state in one transaction. While it runs, `JobRun.track` checkpoints progress
and a heartbeat at most every JOB_CHECKPOINT_SECONDS. The queue drops a message before running
it, so a killed worker would lose the job; `reap` (periodic, and at consumer start) re-queues
jobs whose heartbeat went stale, and jobs that were committed but never enqueued, up to
JOB_MAX_ATTEMPTS runs. Work is written to be re-run: rematch replaces each need's
recommendations, the company import is one transaction.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Iterable, Iterator

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Job, User
from app.models.base import utcnow
from app.services import unit_of_work

QUEUED, RUNNING, DONE, FAILED = Job.QUEUED, Job.RUNNING, Job.DONE, Job.FAILED
REMATCH, COMPANY_IMPORT = "rematch", "company_import"


class JobLost(Exception):
    """This run no longer owns the job (it was re-queued and another run took it over)."""


@dataclass(frozen=True)
class Kind:
    """How to run one kind of job and what its page says."""

    work: Callable[["JobRun", dict[str, Any]], dict[str, Any]]
    working: Any
    done: Any
    # True when the work may commit as it goes (re-running it is harmless); else progress is
    # reported on a separate connection and the work commits once, at the end.
    checkpoints_commit_work: bool


KINDS: dict[str, Kind] = {}
LABELS = {REMATCH: _l("추천 다시 계산"), COMPANY_IMPORT: _l("기업 CSV 가져오기")}


def kind(name: str, working, done, checkpoints_commit_work: bool):
    """Register the work function of a job kind."""
    def decorator(work):
        KINDS[name] = Kind(work, working, done, checkpoints_commit_work)
        return work
    return decorator


# --- reading ----------------------------------------------------------------------------------


def get(job_id: str) -> Job | None:
    """The job with this id, or None."""
    return db.session.get(Job, job_id) if len(job_id) <= 32 else None


def running(kind_name: str) -> Job | None:
    """The oldest job of this kind that has not finished yet, if any."""
    return db.session.scalars(
        select(Job).where(Job.kind == kind_name, Job.status.in_((QUEUED, RUNNING)))
        .order_by(Job.created_at).limit(1)).first()


def display_label(job: Job) -> str:
    """The job's name in the reader's language (the stored label for unknown kinds)."""
    label = LABELS.get(job.kind)
    return str(label) if label is not None else job.label


def status_message(job: Job) -> str:
    """What the job page says about a job: its kind's working or done message, else its own."""
    spec = KINDS.get(job.kind)
    if spec is not None and job.status == RUNNING:
        return str(spec.working)
    if spec is not None and job.status == DONE:
        return str(spec.done)
    return job.message


# --- starting ---------------------------------------------------------------------------------


def start(kind_name: str, label: str, payload: dict[str, Any] | None = None, *,
          started_by: User | None = None) -> Job:
    """Add a queued job (flushes); its task is enqueued once the caller's transaction commits."""
    if kind_name not in KINDS:
        raise ValueError(f"Unknown job kind {kind_name!r}")
    job = Job(id=uuid.uuid4().hex, kind=kind_name, label=label[:200], status=QUEUED,
              payload=payload or {}, started_by_id=started_by.id if started_by else None,
              message="", result={}, heartbeat=utcnow())
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    unit_of_work.after_commit(lambda: enqueue(job_id))
    return job


def start_single(kind_name: str, label: str, payload: dict[str, Any] | None = None, *,
                 started_by: User | None = None) -> tuple[Job, bool]:
    """Start a job of a single kind unless one is unfinished: (the job, True if new).

    A unique partial index allows one unfinished job per single kind, so two admins (or an admin
    and the nightly schedule) starting one at the same instant get the same job.
    """
    if kind_name not in Job.SINGLE_KINDS:
        raise ValueError(f"{kind_name!r} is not a single kind")
    existing = running(kind_name)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            job = start(kind_name, label, payload, started_by=started_by)
    except IntegrityError:  # its enqueue callback finds no row and runs nothing
        existing = running(kind_name)
        if existing is None:  # the other job finished in between: try once more
            return start_single(kind_name, label, payload, started_by=started_by)
        return existing, False
    return job, True


def enqueue(job_id: str) -> None:
    """Put the job's task on the queue (call only once the job row is committed)."""
    from app.tasks import run_job

    run_job(job_id)


# --- running ----------------------------------------------------------------------------------


class JobRun:
    """One attempt at a job, as the work function sees it: progress and checkpoints."""

    def __init__(self, job_id: str, attempt: int, spec: Kind) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.spec = spec
        self.done = 0
        self.total = 0
        self.interval = float(current_app.config["JOB_CHECKPOINT_SECONDS"])
        self.checkpointed_at = time.monotonic()

    def track(self, items: Iterable) -> Iterator:
        """Iterate over items, setting the total first and checkpointing as they are done."""
        items = list(items)
        self.total = len(items)
        self.checkpoint()
        for item in items:
            yield item
            self.done += 1
            if time.monotonic() - self.checkpointed_at >= self.interval:
                self.checkpoint()

    def _progress(self):
        return (update(Job).where(Job.id == self.job_id, Job.attempts == self.attempt,
                                  Job.status == RUNNING)
                .values(done=self.done, total=self.total, heartbeat=utcnow()))

    def checkpoint(self) -> None:
        """Make the progress and heartbeat visible to other processes."""
        self.checkpointed_at = time.monotonic()
        if self.spec.checkpoints_commit_work:
            if db.session.execute(self._progress()).rowcount != 1:
                raise JobLost(self.job_id)
            unit_of_work.commit()
            return
        if db.engine.dialect.name == "sqlite":
            # The work holds SQLite's only write lock until it commits: progress shows at the end.
            return
        with db.engine.begin() as connection:
            if connection.execute(self._progress()).rowcount != 1:
                raise JobLost(self.job_id)


def _claim(job_id: str) -> int | None:
    """Mark a queued job running for this attempt; the attempt number, or None if not queued."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == QUEUED)
        .values(status=RUNNING, attempts=Job.attempts + 1, heartbeat=now, started_at=now,
                error=None)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(select(Job.attempts).where(Job.id == job_id))
    unit_of_work.commit()
    return attempt


def _error_text(error: BaseException) -> str:
    return str(getattr(error, "message", None) or error or type(error).__name__)


def run(job_id: str) -> str | None:
    """Run a queued job to the end (in a worker's app context); returns its final status."""
    attempt = _claim(job_id)
    if attempt is None:
        return None
    job = db.session.get(Job, job_id)
    kind_name = job.kind
    spec = KINDS.get(kind_name)
    session = db.session()
    session.expire_on_commit = False  # checkpoints must not reload the work's rows
    progress = JobRun(job_id, attempt, spec) if spec else None
    try:
        if spec is None:
            raise ValueError(f"Unknown job kind {kind_name!r}")
        result = spec.work(progress, dict(job.payload or {})) or {}
        finished = db.session.execute(
            update(Job).where(Job.id == job_id, Job.attempts == attempt, Job.status == RUNNING)
            .values(status=DONE, result=result, done=progress.total, total=progress.total,
                    finished_at=utcnow(), heartbeat=utcnow(), message="", payload={}))
        if finished.rowcount != 1:
            raise JobLost(job_id)
        unit_of_work.commit()
        return DONE
    except JobLost:
        db.session.rollback()
        current_app.logger.warning("Job %s attempt %s was taken over; stopping", job_id, attempt)
        return None
    except Exception as error:  # the job reports any failure instead of dying silently
        db.session.rollback()
        current_app.logger.exception("Background job %s (%s) failed", job_id, kind_name)
        db.session.execute(
            update(Job).where(Job.id == job_id, Job.attempts == attempt)
            .values(status=FAILED, error=_error_text(error)[:2000], finished_at=utcnow()))
        unit_of_work.commit()
        return FAILED
    finally:
        session.expire_on_commit = True


# --- recovering -------------------------------------------------------------------------------


@dataclass
class ReapReport:
    """What one `reap` did."""

    requeued: int
    failed: int
    forgotten: int = 0


def reap() -> ReapReport:
    """Re-queue running jobs whose heartbeat went stale and queued jobs never dispatched (flushes).

    A job that already used JOB_MAX_ATTEMPTS runs is marked failed instead; finished jobs older
    than JOB_KEEP_DAYS are deleted.
    """
    config = current_app.config
    now = utcnow()
    stale = now - timedelta(seconds=float(config["JOB_HEARTBEAT_TIMEOUT_SECONDS"]))
    max_attempts = int(config["JOB_MAX_ATTEMPTS"])
    requeued = failed = 0
    candidates = db.session.execute(
        select(Job.id, Job.status, Job.attempts)
        .where(Job.status.in_((QUEUED, RUNNING)), Job.heartbeat < stale)).all()
    for job_id, status, attempts in candidates:
        still_stale = (Job.id == job_id, Job.status == status, Job.heartbeat < stale)
        # Compared in the database: the session's copies may be stale (and SQLite's naive).
        if status == RUNNING and attempts >= max_attempts:
            failed += db.session.execute(update(Job).where(*still_stale).execution_options(
                synchronize_session=False).values(
                status=FAILED, finished_at=now,
                error=f"작업이 {attempts}번 중단되어 포기했습니다. "
                      f"(gave up after {attempts} interrupted runs)")).rowcount
            continue
        if db.session.execute(update(Job).where(*still_stale).execution_options(
                synchronize_session=False).values(status=QUEUED, heartbeat=now)).rowcount == 1:
            requeued += 1
            unit_of_work.after_commit(lambda job_id=job_id: enqueue(job_id))
    forgotten = db.session.execute(delete(Job).where(
        Job.status.in_(Job.FINISHED),
        Job.finished_at < now - timedelta(days=float(config["JOB_KEEP_DAYS"])))
        .execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return ReapReport(requeued=requeued, failed=failed, forgotten=forgotten or 0)


# --- the kinds of job -------------------------------------------------------------------------


@kind(REMATCH, _l("수요별 추천을 계산하고 있습니다…"), _l("추천을 다시 계산했습니다."),
      checkpoints_commit_work=True)
def _rematch(job: JobRun, payload: dict[str, Any]) -> dict[str, Any]:
    from app.services.recommendations import rematch

    report = rematch(top_k=int(payload.get("top_k", 10)), progress=job.track)
    return {"needs": report.needs, "recommendations": report.recommendations,
            "low_confidence": report.low_confidence}


@kind(COMPANY_IMPORT, _l("기업을 가져오고 있습니다…"), _l("기업 가져오기를 마쳤습니다."),
      checkpoints_commit_work=False)
def _company_import(job: JobRun, payload: dict[str, Any]) -> dict[str, Any]:
    from app.services import company_import

    actor = db.session.get(User, payload.get("actor_id"))
    rows = [(int(line), dict(values)) for line, values in payload.get("rows", [])]
    created = company_import.import_rows(actor, rows, progress=job.track)
    return {"created": len(created)}
