"""Whether this process can serve real pages: database, schema version, matching engine."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text

from app.extensions import db
from app.services import recommendations, search


@dataclass(frozen=True)
class Problem:
    """Why the process is not ready: a stable machine-readable reason and a detail for people."""

    reason: str
    detail: str


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts shipped with this code."""
    return frozenset(ScriptDirectory(directory).get_heads())


def _migrations_directory(app: Flask) -> str:
    return str(Path(app.extensions["migrate"].directory))


def check(app: Flask) -> Problem | None:
    """None when ready; otherwise the first thing that is not. Reads only, and rolls back."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            applied = frozenset(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # any failure to reach the database means "not ready"
        return Problem("database_unreachable", type(error).__name__)
    expected = migration_heads(_migrations_directory(app))
    if applied != expected:
        return Problem("migrations_not_at_head",
                       f"database at {sorted(applied) or 'no revision'}, code at {sorted(expected)}")
    try:
        warm_matching_engine()
    except Exception as error:
        return Problem("matching_engine_not_loaded", type(error).__name__)
    finally:
        db.session.rollback()
    return None


def warm_up() -> None:
    """Load what the first requests of a new worker would otherwise wait for (analyser, matching
    engine, catalogue search index)."""
    from matching.text import analyse

    analyse("스마트시티 수요응답형 교통")  # loads the Korean analyser (1–2 s, once per process)
    warm_matching_engine()
    search.engine().sync()  # the first keyword search would otherwise build it (8 s at 10k)


def warm_matching_engine() -> None:
    """Build this process's matching engine (or apply pending changes) so requests find it loaded."""
    recommendations.engine().sync()
    if recommendations.engine().recommender is None:
        raise RuntimeError("the matching engine did not load")
