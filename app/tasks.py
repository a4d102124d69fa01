"""The task queue (Huey) and every background task: jobs and the periodic schedule.

The consumer (`make worker`, i.e. `huey_consumer app.tasks.huey`) imports this module, builds
the Flask app once with `create_app()` and runs each task in a fresh app context, so tasks see
the same configuration, database and engine code as the web app. QUEUE_URL picks the storage:
a SQLite file (default, no server needed) or Redis for several machines. In tests (QUEUE_IMMEDIATE)
tasks run at once in the caller. Periodic tasks use Huey's own scheduler inside the consumer;
the `flask` commands that do the same work stay available for cron.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from app.config import BaseConfig
from app.extensions import db
from app.services import unit_of_work

QUEUE_NAME = "citymatch"
_consumer_app: Flask | None = None
_consumer_app_lock = threading.Lock()


def make_huey(url: str) -> Huey:
    """A Huey instance for a QUEUE_URL: sqlite:///path/to/file or redis://host:port/db."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)  # a fresh clone has no instance/ yet
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    raise RuntimeError(f"QUEUE_URL must start with sqlite:/// or redis:// (got {url!r}) "
                       "(QUEUE_URL은 sqlite:/// 또는 redis:// 로 시작해야 합니다)")


huey = make_huey(BaseConfig.QUEUE_URL)


def init_app(app: Flask) -> None:
    """Run tasks immediately in the caller when the app is configured so (tests)."""
    huey.immediate = bool(app.config.get("QUEUE_IMMEDIATE"))


def flask_app() -> Flask:
    """The current app (immediate mode) or the consumer's own app, built on first use."""
    global _consumer_app
    if has_app_context():
        return current_app._get_current_object()
    with _consumer_app_lock:
        if _consumer_app is None:
            from app import create_app

            _consumer_app = create_app()
        return _consumer_app


@contextmanager
def task_context() -> Iterator[None]:
    """A fresh app context and database session for one task, like a request gets."""
    with flask_app().app_context():
        try:
            yield
        finally:
            db.session.remove()


def every(minutes: int) -> crontab:
    """A crontab firing every `minutes` minutes (1–59)."""
    return crontab(minute=f"*/{max(1, min(59, int(minutes)))}")


# --- jobs ---------------------------------------------------------------------------------------


@huey.task()
def run_job(job_id: str) -> None:
    """Run one job of the `job` table (claimed first, so a duplicate message does nothing)."""
    from app.services import jobs

    with task_context():
        jobs.run(job_id)


@huey.task()
def alert_listing(entity: str, entity_id: int) -> None:
    """Alert the strong matches and followers of a need or solution just published or edited."""
    from app.services.listing_alerts import alert_listing as alert

    with task_context():
        alert(entity, entity_id)
        unit_of_work.commit()


def _reap() -> None:
    from app.services import jobs

    with task_context():
        report = jobs.reap()
        unit_of_work.commit()
        if report.requeued or report.failed:
            current_app.logger.warning("Re-queued %d interrupted jobs, gave up on %d",
                                       report.requeued, report.failed)


@huey.on_startup()
def reap_jobs_at_start() -> None:
    """A restarted consumer picks up at once what a killed one left behind."""
    _reap()


@huey.periodic_task(every(BaseConfig.REAP_JOBS_EVERY_MINUTES))
def reap_jobs() -> None:
    """Re-queue jobs whose worker died (stale heartbeat) or that were never enqueued."""
    _reap()


# --- the periodic schedule ----------------------------------------------------------------------


@huey.periodic_task(every(BaseConfig.NOTIFY_MATCHES_EVERY_MINUTES))
def notify_matches() -> None:
    """Tell the other side about new strong matches (the cursor advances with the notices)."""
    from app.services.notifications import notify_new_strong_matches

    with task_context():
        notify_new_strong_matches()
        unit_of_work.commit()


@huey.periodic_task(every(BaseConfig.DELIVER_MAIL_EVERY_MINUTES))
def deliver_mail() -> None:
    """Retry e-mail whose delivery after commit failed or never ran (the outbox is claim-safe)."""
    from app.services.mail import deliver_pending

    with task_context():
        deliver_pending()


@huey.periodic_task(crontab(minute="41"))
def send_digests() -> None:
    """E-mail the due daily and weekly digests of saved searches (each claimed once, hourly)."""
    from app.services.digests import send_due_digests

    with task_context():
        send_due_digests()


@huey.periodic_task(every(BaseConfig.EXPIRE_REQUESTS_EVERY_MINUTES))
def expire_requests() -> None:
    """Expire overdue requests and proposals, then remind of those expiring soon."""
    from app.services.workflow import expire_overdue, send_reminders

    with task_context():
        expire_overdue()
        send_reminders()
        unit_of_work.commit()


@huey.periodic_task(every(BaseConfig.REMIND_MEETINGS_EVERY_MINUTES))
def remind_meetings() -> None:
    """Remind the participants of accepted meetings starting soon (once per meeting)."""
    from app.services.meetings import send_reminders

    with task_context():
        send_reminders()
        unit_of_work.commit()


@huey.periodic_task(crontab(minute="0", hour=str(BaseConfig.NIGHTLY_REMATCH_UTC_HOUR)))
def nightly_rematch() -> None:
    """Recompute the stored recommendations as a job (unless one is already queued or running)."""
    from app.services import jobs

    with task_context():
        jobs.start_single(jobs.REMATCH, str(jobs.LABELS[jobs.REMATCH]))
        unit_of_work.commit()


@huey.periodic_task(every(BaseConfig.REANALYSE_EVERY_MINUTES))
def reanalyse_stale_listings() -> None:
    """Re-analyse a bounded number of listings another analyser version analysed; rematch after."""
    from app.services.reanalysis import run_scheduled

    with task_context():
        run_scheduled(current_app.config["REANALYSE_ROWS_PER_RUN"])


@huey.periodic_task(crontab(minute="17"))
def prune_account_records() -> None:
    """Delete expired or long-used sign-ups, spent lockout counters and old notices (hourly)."""
    from app.services import account_housekeeping

    with task_context():
        account_housekeeping.prune()
        unit_of_work.commit()


@huey.periodic_task(every(BaseConfig.PRUNE_CHANGES_EVERY_MINUTES))
def prune_change_log() -> None:
    """Delete the matching changes every live engine and the notifier have applied."""
    from app.services import change_log

    with task_context():
        change_log.prune()
        unit_of_work.commit()
