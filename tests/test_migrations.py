"""Alembic migrations upgrade an empty database to exactly the models' schema, and back."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import Base


def _app_for(url: str):
    class MigrationConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(MigrationConfig)


def _assert_upgrade_matches_models(url: str) -> None:
    application = _app_for(url)
    with application.app_context():
        upgrade()
        engine = db.engine
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {"user_account", "company", "solution", "need", "audit_log"} <= tables
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            assert compare_metadata(context, Base.metadata) == []
        downgrade(revision="base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        engine.dispose()


def test_sqlite_upgrades_from_empty_to_the_models_and_back(tmp_path):
    _assert_upgrade_matches_models(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


@pytest.mark.postgres
def test_postgresql_upgrades_from_empty_to_the_models_and_back():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    from app.config import _normalise_database_url

    url = _normalise_database_url(url)
    schema = f"migration_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(url)
    with admin_engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in url else "?"
        _assert_upgrade_matches_models(f"{url}{separator}options=-csearch_path%3D{schema}")
    finally:
        with admin_engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()
