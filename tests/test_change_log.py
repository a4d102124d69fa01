"""The change log's positions: the notifier's cursor, engine positions, pruning and the floor."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from app import create_app
from app.config import TestingConfig
from app.extensions import db as _db
from app.models import (
    Category,
    EnginePosition,
    LogCursor,
    MatchingChange,
    Notification,
    Role,
    StrongMatchAlert,
)
from app.models.base import utcnow
from app.services import change_log, recommendations
from app.services.notifications import notify_new_strong_matches
from app.services.reference_data import load_municipalities
from tests import factories
from tests.conftest import TEST_CATEGORIES


@pytest.fixture()
def everything_strong(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRONG_MATCH_SCORE", 0.0)


def _strong_notifications(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "strong_match"))


def _latest_change(db) -> int:
    return db.session.scalar(select(func.max(MatchingChange.id))) or 0


def _market(db):
    company = factories.make_company()
    factories.make_user(role=Role.COMPANY, company=company)
    solution = factories.make_solution(company, title="수요응답형 교통 배차")
    official = factories.make_user(role=Role.MUNICIPALITY)
    db.session.commit()
    return company, solution, official


# --- the notifier's cursor ----------------------------------------------------------------------


def test_notifier_cursor_is_stored_and_moves_with_the_notifications(app, db, everything_strong):
    _, _, official = _market(db)
    factories.make_need(official, title="어르신 수요응답형 버스")
    db.session.commit()

    report = notify_new_strong_matches()
    db.session.commit()

    assert report.pairs == 1 and report.last_change_id == _latest_change(db)
    assert db.session.get(LogCursor, change_log.NOTIFIER).position == _latest_change(db)


def test_notifier_does_not_rescan_changes_behind_its_cursor(app, db, everything_strong):
    _, _, official = _market(db)
    factories.make_need(official, title="어르신 수요응답형 버스")
    db.session.commit()
    assert notify_new_strong_matches().pairs == 1
    db.session.commit()
    # Forget the notices and the pairs' alert records: only the cursor can now stop a second one.
    db.session.execute(delete(Notification))
    db.session.execute(delete(StrongMatchAlert))
    db.session.commit()

    again = notify_new_strong_matches()
    db.session.commit()

    assert (again.changes, again.pairs) == (0, 0)
    assert _strong_notifications(db) == 0
    # `--since 0` deliberately starts over.
    assert notify_new_strong_matches(0).pairs == 1


def test_rolled_back_run_leaves_the_cursor_so_nothing_is_skipped(app, db, everything_strong):
    _, _, official = _market(db)
    factories.make_need(official, title="어르신 수요응답형 버스")
    db.session.commit()

    assert notify_new_strong_matches().pairs == 1
    db.session.rollback()  # e.g. the worker died before committing
    assert change_log.position(change_log.NOTIFIER) == 0
    assert _strong_notifications(db) == 0

    assert notify_new_strong_matches().pairs == 1
    db.session.commit()
    assert _strong_notifications(db) == 1


def test_cli_notify_matches_keeps_since_and_the_cursor(app, db, runner, everything_strong):
    _, _, official = _market(db)
    factories.make_need(official, title="어르신 수요응답형 버스")
    db.session.commit()
    first = runner.invoke(args=["notify-matches"])
    second = runner.invoke(args=["notify-matches"])
    assert "1 new strong matches" in first.output and "0 changes checked" in second.output
    assert _strong_notifications(db) == 1


# --- pruning ------------------------------------------------------------------------------------


def _record(consumer: str, position: int, seconds_ago: float = 0) -> None:
    change_log.record_position(_db.engine, consumer, position,
                               now=utcnow() - timedelta(seconds=seconds_ago))


def test_prune_keeps_what_the_slowest_live_engine_or_the_notifier_has_not_applied(app, db):
    _, _, official = _market(db)
    for _ in range(4):
        factories.make_need(official)
        db.session.commit()
    ids = list(db.session.scalars(select(MatchingChange.id).order_by(MatchingChange.id)))
    ttl = app.config["MATCHING_CONSUMER_TTL_SECONDS"]
    _record("web-1", ids[-1])
    _record("web-2", ids[-3])
    _record("asleep", ids[0] - 1, seconds_ago=ttl + 60)
    change_log.advance(change_log.NOTIFIER, ids[-2])
    db.session.commit()

    report = change_log.prune()
    db.session.commit()

    assert (report.floor, report.live_consumers) == (ids[-3], 2)
    assert list(db.session.scalars(select(MatchingChange.id).order_by(MatchingChange.id))) == \
        ids[-2:]
    assert db.session.get(LogCursor, change_log.FLOOR).position == ids[-3]
    assert set(db.session.scalars(select(EnginePosition.consumer))) == {"web-1", "web-2"}

    # The notifier is the slowest now: nothing more goes until it moves on.
    _record("web-2", ids[-1])
    db.session.commit()
    assert change_log.prune().floor == ids[-2]
    db.session.commit()
    assert list(db.session.scalars(select(MatchingChange.id))) == [ids[-1]]


def test_prune_always_keeps_the_newest_change(app, db):
    _market(db)
    newest = _latest_change(db)
    _record("web-1", newest)
    change_log.advance(change_log.NOTIFIER, newest)
    db.session.commit()
    assert change_log.prune().floor == newest - 1
    db.session.commit()
    assert list(db.session.scalars(select(MatchingChange.id))) == [newest]


def test_prune_without_a_notifier_cursor_keeps_everything(app, db):
    _market(db)
    _record("web-1", _latest_change(db))
    db.session.commit()
    assert change_log.prune().deleted == 0
    assert db.session.scalar(select(func.count()).select_from(MatchingChange)) > 0


def test_engine_below_the_floor_rebuilds_instead_of_applying(app, db, official):
    company, _, _ = _market(db)
    need = factories.make_need(official, title="스마트 가로등 원격 제어 도입")
    db.session.commit()
    engine = recommendations.engine()
    assert [m.solution.title for m in recommendations.solutions_for_need(need)] == \
        ["수요응답형 교통 배차"]

    factories.make_solution(company, title="스마트 가로등 원격 제어",
                            description="스마트 가로등을 원격으로 제어하고 밝기를 조절합니다.")
    db.session.commit()
    factories.make_need(official, title="다른 수요")
    db.session.commit()
    # This engine slept through a prune: the change that added the solution is gone.
    change_log.advance(change_log.NOTIFIER, _latest_change(db))
    db.session.commit()
    assert change_log.prune().deleted > 0
    db.session.commit()
    assert engine.last_change_id < change_log.position(change_log.FLOOR)

    titles = [m.solution.title for m in recommendations.solutions_for_need(need)]
    assert "스마트 가로등 원격 제어" in titles
    assert engine.last_change_id == _latest_change(db)


def test_engine_reports_its_position_on_its_own_connection(tmp_path):
    database = tmp_path / "positions.sqlite3"

    class ReportingConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        MATCHING_POSITION_REPORT_SECONDS = 0.01

    app = create_app(ReportingConfig)
    with app.app_context():
        try:
            _db.create_all()
            load_municipalities()
            for order, (code, ko, en) in enumerate(TEST_CATEGORIES):
                _db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
            need = factories.make_need(factories.make_user(role=Role.MUNICIPALITY))
            factories.make_solution(factories.make_company())
            _db.session.commit()

            response = app.test_client().get(f"/needs/{need.id}")
            assert response.status_code == 200
            reporter = app.extensions[change_log._REPORTER_KEY]
            reporter.thread.join(10)

            _db.session.rollback()
            rows = _db.session.execute(select(EnginePosition.consumer,
                                              EnginePosition.last_change_id)).all()
            assert [position for _, position in rows] == [_latest_change(_db)]
            assert rows[0][0] == reporter.consumer
        finally:
            _db.session.remove()
            _db.engine.dispose()
