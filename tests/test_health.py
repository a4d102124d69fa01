"""/healthz and /readyz: what each checks, the 503 reasons, and that neither writes."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app import create_app
from app.config import TestingConfig
from app.extensions import db as _db
from app.models import Role
from app.services import recommendations
from tests import factories


class UnreachableDatabase(TestingConfig):
    """A SQLite file in a directory that does not exist: every connection attempt fails."""

    SQLALCHEMY_DATABASE_URI = "sqlite:////nonexistent-citymatch-dir/db.sqlite3"


@pytest.fixture()
def statements(app):
    """Every SQL statement the app's engine runs during the test."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture()
def migrated(app, db, runner):
    """The test database stamped at the migrations' head (its schema comes from the models)."""
    result = runner.invoke(args=["db", "stamp", "head"])
    assert result.exit_code == 0, result.output
    yield
    db.session.execute(text("DROP TABLE alembic_version"))
    db.session.commit()


def test_healthz_answers_without_touching_the_database(client, statements):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert statements == []


def test_healthz_answers_while_the_database_is_unreachable():
    response = create_app(UnreachableDatabase).test_client().get("/healthz")

    assert response.status_code == 200


def test_readyz_is_ready_when_migrated_and_loads_the_engine(app, client, migrated, statements):
    official = factories.make_user(role=Role.MUNICIPALITY)
    factories.make_need(official)
    _db.session.commit()
    app.extensions.pop(recommendations.EXTENSION_KEY, None)
    statements.clear()

    response = client.get("/readyz")

    assert response.status_code == 200 and response.json == {"status": "ready"}
    engine = app.extensions[recommendations.EXTENSION_KEY]
    assert engine.recommender is not None and len(engine.recommender.needs_) == 1
    writes = [s for s in statements if s.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_readyz_reports_migrations_behind(client, db):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["reason"] == "migrations_not_at_head"
    assert "no revision" in response.json["detail"]


def test_readyz_reports_an_unreachable_database():
    response = create_app(UnreachableDatabase).test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["reason"] == "database_unreachable"
