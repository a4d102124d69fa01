"""Shared fixtures: app, db, client, CLI runner, users per role and signed-in clients."""
from __future__ import annotations

import contextvars
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete

from tests.worker_database import use_worker_database

# Before the app modules read TEST_DATABASE_URL: each xdist worker gets its own database.
use_worker_database()

from app import create_app  # noqa: E402
from app.config import TestingConfig
from app.extensions import db as _db
from app.models import Base, Category, MembershipStatus, Municipality, Role, SizeClass
from app.services import unit_of_work
from app.services.reference_data import load_decline_areas, load_municipalities
from tests import factories

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

# Categories used by tests; the full statutory list ships in app/data/categories.csv.
TEST_CATEGORIES = [
    ("transport", "교통", "Transport"),
    ("safety", "방범·방재", "Crime prevention and disaster management"),
    ("env_energy_water", "환경·에너지·수자원", "Environment, energy and water"),
    ("health_welfare", "보건·의료·복지", "Health, medical care and welfare"),
]
REFERENCE_TABLES = {"municipality", "category", "population_decline_area"}


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's app context.

    Each request then gets its own app context, `g` and database session, as in production,
    instead of sharing the test's (which would hide stale-session and login-cache bugs).
    """

    def open(self, *args, **kwargs):
        # A streamed body is read in the request's context too, as a WSGI server reads it in the
        # request's thread (stream_with_context needs its contexts where they were pushed).
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


class IsolatedCliRunner(FlaskCliRunner):
    """A CLI runner whose commands run in their own app context, as `flask …` does.

    The command then ends its unit of work itself: the context's teardown delivers the e-mail
    its commit released, as it would in production.
    """

    def invoke(self, *args, **kwargs):
        def in_own_context():
            with self.app.app_context():
                return FlaskCliRunner.invoke(self, *args, **kwargs)

        return contextvars.Context().run(in_own_context)


@pytest.fixture(scope="session")
def app():
    """One app and schema for the whole run (SQLite in memory or TEST_DATABASE_URL)."""
    application = create_app(TestingConfig)
    application.test_client_class = IsolatedClient
    application.test_cli_runner_class = IsolatedCliRunner
    with application.app_context():
        _db.drop_all()
        _db.create_all()
        load_municipalities()
        load_decline_areas()
        for order, (code, ko, en) in enumerate(TEST_CATEGORIES):
            _db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
        _db.session.commit()
        yield application
        _db.session.remove()
        _db.drop_all()


@pytest.fixture()
def db(app):
    """The database, emptied of everything but reference data after each test."""
    yield _db
    _db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            _db.session.execute(delete(table))
    _db.session.commit()
    _db.session.remove()
    app.extensions.pop("citymatch_outbox", None)
    app.extensions.pop("citymatch_matching", None)
    app.extensions.pop("citymatch_search", None)


@pytest.fixture()
def client(app, db):
    """A test client with no one signed in."""
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    """The `flask` CLI runner."""
    return app.test_cli_runner()


@pytest.fixture()
def outbox(app, db):
    """E-mails captured during the test."""
    from app.services.mail import outbox as captured

    return captured()


@pytest.fixture()
def rate_limits(app, db):
    """Rate limits on, with small numbers (they are off in TestingConfig), reset around the test."""
    from app.extensions import limiter

    settings = {"RATE_LIMITS_ENABLED": True, "RATE_LIMIT_AUTH_PER_IP": "6 per minute",
                "RATE_LIMIT_AUTH_PER_ACCOUNT": "3 per minute",
                "RATE_LIMIT_INTEREST_PER_IP": "2 per minute"}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    limiter.reset()
    yield settings
    app.config.update(saved)
    limiter.reset()


@pytest.fixture()
def shared_data() -> Path:
    """../shared/data, or skip when it is not beside the project."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


def _login(app, user) -> "object":
    test_client = app.test_client()
    response = test_client.post("/auth/login",
                                data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, "test login failed"
    return test_client


@pytest.fixture()
def company(db):
    """An approved alliance-member startup."""
    company = factories.make_company(size_class=SizeClass.STARTUP,
                                     membership=MembershipStatus.APPROVED)
    db.session.commit()
    return company


@pytest.fixture()
def company_user(db, company):
    """A staff member of `company`."""
    user = factories.make_user(role=Role.COMPANY, company=company)
    db.session.commit()
    return user


@pytest.fixture()
def official(db):
    """A verified official of 서울특별시 종로구."""
    user = factories.make_user(role=Role.MUNICIPALITY)
    db.session.commit()
    return user


@pytest.fixture()
def solution(db, company):
    """A published solution of `company` (rural demand-responsive transport)."""
    made = factories.make_solution(company, title="농어촌 DRT 배차 플랫폼")
    unit_of_work.commit()
    return made


@pytest.fixture()
def need(db, official):
    """A public need of `official` matching `solution`."""
    made = factories.make_need(official, title="읍면 수요응답형 교통 도입")
    unit_of_work.commit()
    return made


@pytest.fixture()
def admin_user(db):
    """A platform administrator."""
    user = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    return user


@pytest.fixture()
def company_client(app, company_user):
    """A client signed in as `company_user`."""
    return _login(app, company_user)


@pytest.fixture()
def official_client(app, official):
    """A client signed in as `official`."""
    return _login(app, official)


@pytest.fixture()
def admin_client(app, admin_user):
    """A client signed in as `admin_user`."""
    return _login(app, admin_user)


@pytest.fixture()
def login(app):
    """Sign in any user; returns a new client."""
    return lambda user: _login(app, user)


@pytest.fixture()
def csrf_app():
    """An app with CSRF protection on, as in production (own in-memory database)."""
    class CsrfConfig(TestingConfig):
        WTF_CSRF_ENABLED = True
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    application = create_app(CsrfConfig)
    application.test_client_class = IsolatedClient
    return application


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL', 'sqlite:// (in memory)')}"
