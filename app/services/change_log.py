"""Positions in the `matching_change` log: the notifier's cursor, engine positions, pruning.

Every process's matching engine applies the log (app/services/recommendations.py) and reports
the last change it applied, at most every MATCHING_POSITION_REPORT_SECONDS, on its own
connection in a background thread: never in the request's transaction, so GET requests stay
read-only. `prune` (a periodic task) deletes the changes at or below the lowest position of the
engines heard from within MATCHING_CONSUMER_TTL_SECONDS and of the strong-match notifier, and
records that floor; an engine still below the floor (its process slept) rebuilds instead.
"""
from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Engine, delete, func, insert, select, update

from app.extensions import db
from app.models import EnginePosition, LogCursor, MatchingChange
from app.models.base import utcnow

NOTIFIER = "strong_match_notifier"
FLOOR = "matching_change_floor"
_REPORTER_KEY = "citymatch_change_log_reporter"


# --- named cursors ------------------------------------------------------------------------------


def position(name: str) -> int:
    """Where a named cursor stands (0 before its first move)."""
    return db.session.scalar(select(LogCursor.position).where(LogCursor.name == name)) or 0


def locked_cursor(name: str) -> LogCursor:
    """The named cursor row, locked until the transaction ends (created at 0 if missing)."""
    query = select(LogCursor).where(LogCursor.name == name).with_for_update()
    cursor = db.session.scalars(query).first()
    if cursor is None:
        db.session.add(LogCursor(name=name, position=0))
        db.session.flush()
        cursor = db.session.scalars(query).one()
    return cursor


def advance(name: str, to: int) -> int:
    """Move a named cursor forward to `to` (never back); returns where it stands (flushes)."""
    cursor = locked_cursor(name)
    if to > cursor.position:
        cursor.position = to
        db.session.flush()
    return cursor.position


def latest_change_id() -> int:
    """The newest change an engine built now has seen (the floor when the log is pruned)."""
    newest = db.session.scalar(select(func.max(MatchingChange.id))) or 0
    return max(newest, position(FLOOR))


def missed_pruned_changes(last_change_id: int) -> bool:
    """True when changes after `last_change_id` were pruned (the engine must rebuild)."""
    return last_change_id < position(FLOOR)


# --- engine positions ---------------------------------------------------------------------------


def record_position(bind: Engine, consumer: str, last_change_id: int,
                    now: datetime | None = None) -> None:
    """Store a consumer's position with the time, in its own transaction on `bind`."""
    seen = now or utcnow()
    with bind.begin() as connection:
        updated = connection.execute(
            update(EnginePosition).where(EnginePosition.consumer == consumer)
            .values(last_change_id=last_change_id, seen_at=seen)).rowcount
        if not updated:
            connection.execute(insert(EnginePosition).values(
                consumer=consumer, last_change_id=last_change_id, seen_at=seen))


class PositionReporter:
    """Reports one engine's position now and then, from a short-lived background thread."""

    def __init__(self, bind: Engine, interval: float) -> None:
        self.bind = bind
        self.interval = interval
        self.consumer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.reported_at = float("-inf")
        self.thread: threading.Thread | None = None

    def report(self, last_change_id: int) -> None:
        """Start a write of the position unless one ran within the interval or still runs."""
        if time.monotonic() - self.reported_at < self.interval:
            return
        if self.thread is not None and self.thread.is_alive():
            return
        self.reported_at = time.monotonic()
        self.thread = threading.Thread(target=self._write, args=(last_change_id,),
                                       name="matching-position", daemon=True)
        self.thread.start()

    def _write(self, last_change_id: int) -> None:
        try:
            record_position(self.bind, self.consumer, last_change_id)
        except Exception:  # a missed report only delays pruning (or costs this engine a rebuild)
            self.reported_at = float("-inf")


def _shares_one_connection(bind: Engine) -> bool:
    # In-memory SQLite is one connection for the whole process: no separate transaction exists.
    return bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:")


def report_position(last_change_id: int) -> None:
    """Let pruning know this app's engine applied the log up to `last_change_id`."""
    interval = float(current_app.config.get("MATCHING_POSITION_REPORT_SECONDS", 0))
    if interval <= 0:
        return
    reporter = current_app.extensions.get(_REPORTER_KEY)
    if reporter is None:
        bind = db.engine
        if _shares_one_connection(bind):
            return
        reporter = current_app.extensions.setdefault(_REPORTER_KEY,
                                                     PositionReporter(bind, interval))
    reporter.report(last_change_id)


# --- pruning ------------------------------------------------------------------------------------


@dataclass
class PruneReport:
    """What one `prune` did."""

    floor: int
    deleted: int
    live_consumers: int


def prune(now: datetime | None = None) -> PruneReport:
    """Delete changes every live engine and the notifier have applied; record the floor (flushes)."""
    moment = now or utcnow()
    ttl = float(current_app.config.get("MATCHING_CONSUMER_TTL_SECONDS", 600))
    recent = EnginePosition.seen_at >= moment - timedelta(seconds=ttl)
    db.session.execute(delete(EnginePosition).where(~recent))
    live, lowest = db.session.execute(
        select(func.count(), func.min(EnginePosition.last_change_id)).where(recent)).one()
    target = position(NOTIFIER) if lowest is None else min(lowest, position(NOTIFIER))
    # The newest change always stays: SQLite would otherwise hand out its id again.
    newest = db.session.scalar(select(func.max(MatchingChange.id))) or 0
    target = min(target, newest - 1)
    floor = locked_cursor(FLOOR)
    if target <= floor.position:
        return PruneReport(floor=floor.position, deleted=0, live_consumers=live)
    deleted = db.session.execute(delete(MatchingChange).where(MatchingChange.id <= target)).rowcount
    floor.position = target
    db.session.flush()
    return PruneReport(floor=target, deleted=deleted or 0, live_consumers=live)
