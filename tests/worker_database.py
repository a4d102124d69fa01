"""One PostgreSQL database per pytest-xdist worker, so parallel workers never share tables."""
from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def use_worker_database() -> None:
    """Point TEST_DATABASE_URL at `<database>_<worker>` and create it when it is missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not worker or not url.startswith("postgres"):
        return
    base = make_url(url)
    name = f"{base.database}_{worker}"
    # Connect to the shared database to create the worker's own (needs the CREATEDB role).
    # psycopg 3 is the driver requirements.txt installs (as app.config picks it).
    engine = create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                connection.execute(text(
                    f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    finally:
        engine.dispose()
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(
        hide_password=False)
