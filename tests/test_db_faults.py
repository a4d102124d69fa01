"""Database outages: a localised 503 with Retry-After, bounded retries of reads, recovery."""
from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app import create_app
from app.config import TestingConfig
from app.extensions import db as _db
from app.request_log import LOGGER_NAME
from app.services.reference_data import load_municipalities
from tests import factories
from tests.test_request_log import _Lines


def _config_for(path) -> type:
    class FileDatabase(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        DB_RETRY_BACKOFF_SECONDS = 0.0

    return FileDatabase


@pytest.fixture()
def request_lines():
    handler = _Lines()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.fixture()
def outage(tmp_path):
    """An app whose database lives in a directory that does not exist yet (unreachable)."""
    return create_app(_config_for(tmp_path / "not-yet" / "citymatch.sqlite3"))


@pytest.fixture()
def fail_next_queries(app):
    """Make the next N statements (optionally only those starting with a verb) fail as if the
    connection to the database dropped."""
    remaining = {"count": 0, "verb": ""}

    def drop(conn, cursor, statement, parameters, context, executemany):
        if remaining["count"] > 0 and statement.lstrip().upper().startswith(remaining["verb"]):
            remaining["count"] -= 1
            lost = sqlite3.OperationalError("server closed the connection unexpectedly")
            raise OperationalError(statement, parameters, lost, connection_invalidated=True)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", drop)

    def arm(count: int, verb: str = "") -> None:
        remaining.update(count=count, verb=verb)

    yield arm
    event.remove(engine, "before_cursor_execute", drop)


def test_a_page_answers_a_localised_503_with_retry_after_while_the_database_is_down(outage):
    client = outage.test_client()

    korean = client.get("/solutions", headers={"X-Request-ID": "outage-1"})
    english = client.get("/solutions", headers={"Accept-Language": "en"})

    assert korean.status_code == 503 and english.status_code == 503
    assert korean.headers["Retry-After"] == "5"
    page = korean.get_data(as_text=True)
    assert "데이터베이스에 연결할 수 없습니다" in page
    assert 'data-testid="request-id">outage-1<' in page
    assert "could not reach the database" in english.get_data(as_text=True)


def test_a_read_is_retried_a_bounded_number_of_times_before_the_503(outage, request_lines):
    response = outage.test_client().get("/needs")

    assert response.status_code == 503
    assert len(request_lines) == 1, "only the final attempt is logged"
    assert request_lines[0]["attempts"] == 1 + outage.config["DB_READ_RETRIES"]
    assert request_lines[0]["status"] == 503


def test_a_write_is_never_replayed(outage, request_lines):
    response = outage.test_client().post("/auth/login", data={"email": "a@example.kr",
                                                              "password": "x"})

    assert response.status_code == 503
    assert [line.get("attempts", 1) for line in request_lines] == [1]


def test_a_read_that_loses_its_connection_once_succeeds_on_retry(client, db, fail_next_queries,
                                                                 request_lines):
    company = factories.make_company(name="재시도주식회사")
    factories.make_solution(company, title="끊겨도 보이는 솔루션")
    db.session.commit()
    fail_next_queries(1)

    response = client.get("/solutions")

    assert response.status_code == 200
    assert "끊겨도 보이는 솔루션" in response.get_data(as_text=True)
    assert request_lines[-1]["attempts"] == 2 and request_lines[-1]["status"] == 200


def test_a_write_that_loses_its_connection_gets_a_503_not_a_500(official_client, fail_next_queries):
    fail_next_queries(100)

    response = official_client.post("/locale", data={"locale": "en"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_a_write_whose_flush_loses_the_connection_gets_a_503(official_client, official,
                                                            fail_next_queries, request_lines):
    """The signed-in user's row is expired by the failed flush; the 503 must not reload it."""
    fail_next_queries(1, verb="UPDATE")

    response = official_client.post("/locale", data={"locale": "en"})

    assert response.status_code == 503
    assert request_lines[-1]["user_id"] == official.id and request_lines[-1]["status"] == 503


def test_losing_the_connection_after_the_response_is_made_does_not_turn_it_into_a_500(tmp_path):
    """The request's idle transaction is rolled back at teardown, after the page was built."""
    app = create_app(_config_for(tmp_path / "citymatch.sqlite3"))
    with app.app_context():
        _db.create_all()
        engine = _db.engine
    armed = {"rollbacks": 0}

    def lose_connection(connection):
        if armed["rollbacks"]:
            armed["rollbacks"] -= 1
            lost = sqlite3.OperationalError("server closed the connection unexpectedly")
            raise OperationalError("ROLLBACK", {}, lost, connection_invalidated=True)

    event.listen(engine, "rollback", lose_connection)
    client = app.test_client()
    armed["rollbacks"] = 1

    response = client.get("/solutions")

    assert response.status_code == 200 and armed["rollbacks"] == 0
    assert client.get("/solutions").status_code == 200


def test_the_app_recovers_by_itself_once_the_database_is_back(outage, tmp_path):
    client = outage.test_client()
    assert client.get("/municipalities").status_code == 503

    (tmp_path / "not-yet").mkdir()
    with outage.app_context():
        _db.create_all()
        load_municipalities()
        _db.session.commit()
    response = client.get("/municipalities")

    assert response.status_code == 200
    assert "종로구" in response.get_data(as_text=True)


def test_postgresql_connection_attempts_give_up_after_the_configured_timeout():
    class UnroutablePostgres(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://citymatch@127.0.0.1:9/none"
        DB_CONNECT_TIMEOUT = 3

    app = create_app(UnroutablePostgres)
    seen = {}

    def record_and_stop(dialect, conn_rec, cargs, cparams):
        seen.update(cparams)
        raise RuntimeError("recorded")

    with app.app_context():
        event.listen(_db.engine, "do_connect", record_and_stop)
        with pytest.raises(RuntimeError, match="recorded"):
            _db.engine.connect()

    assert seen["connect_timeout"] == 3
