"""One unit of work per request, command or job: commit once, then run what had to wait for it.

Services register side effects that leave the process (mail, queued jobs) with `after_commit`;
they run only once the transaction that caused them has committed, and never when it rolls back.
A savepoint that rolls back does not drop them, so a callback re-reads the rows it acts on (a
row that was rolled back is simply not there) instead of trusting what it captured.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_PENDING = "citymatch_after_commit_pending"
_RELEASED = "citymatch_after_commit_released"


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback()` after the current transaction of the app's session commits."""
    db.session.info.setdefault(_PENDING, []).append(callback)


def commit() -> None:
    """Commit the session, then run the callbacks that the commit released."""
    db.session.commit()
    run_released()


def run_released() -> None:
    """Run (once) every callback released by a commit of the app's session."""
    info = db.session.info
    while info.get(_RELEASED):
        callback = info[_RELEASED].pop(0)
        try:
            callback()
        except Exception:  # the transaction is committed: report, don't undo or fail the caller
            current_app.logger.exception("After-commit callback %r failed", callback)


def _release(session: Session) -> None:
    session.info.setdefault(_RELEASED, []).extend(session.info.pop(_PENDING, []))


def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


def register(app: Flask) -> None:
    """Listen to commits and rollbacks; run released callbacks when a request or context ends."""
    if not event.contains(Session, "after_commit", _release):
        event.listen(Session, "after_commit", _release)
        event.listen(Session, "after_rollback", _drop)

    @app.teardown_request
    def run_callbacks_of_committed_work(error: BaseException | None) -> None:
        # What was committed stays committed even if the request failed later: its effects go out.
        run_released()

    @app.teardown_appcontext
    def run_callbacks_of_committed_commands(error: BaseException | None) -> None:
        # CLI commands and jobs that end with a plain session commit: their effects go out too.
        run_released()
