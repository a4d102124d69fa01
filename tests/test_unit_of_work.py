"""After-commit callbacks: side effects run once the transaction commits, never after a rollback."""
from __future__ import annotations

from app.extensions import db as _db
from app.services import unit_of_work
from tests import factories


def test_a_callback_runs_after_commit_and_only_once(db):
    ran = []
    factories.make_company()
    unit_of_work.after_commit(lambda: ran.append("sent"))
    assert ran == []
    unit_of_work.commit()
    assert ran == ["sent"]
    unit_of_work.commit()
    assert ran == ["sent"]


def test_a_rolled_back_transaction_runs_nothing(db):
    ran = []
    factories.make_company()
    unit_of_work.after_commit(lambda: ran.append("sent"))
    _db.session.rollback()
    unit_of_work.commit()
    assert ran == []


def test_a_plain_session_commit_releases_callbacks_for_the_boundary(db):
    ran = []
    unit_of_work.after_commit(lambda: ran.append("sent"))
    _db.session.commit()
    assert ran == []  # released, not yet run: the boundary (request teardown) runs them
    unit_of_work.run_released()
    assert ran == ["sent"]


def test_a_failing_callback_does_not_stop_the_others(db, caplog):
    ran = []

    def broken():
        raise RuntimeError("smtp down")

    unit_of_work.after_commit(broken)
    unit_of_work.after_commit(lambda: ran.append("second"))
    unit_of_work.commit()
    assert ran == ["second"]
    assert "After-commit callback" in caplog.text
