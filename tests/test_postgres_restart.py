"""Fault test: PostgreSQL restarts under a stream of writes and reads served by gunicorn.

The test runs its own throwaway PostgreSQL server (never the shared one), migrates it with
`flask db upgrade` as `make serve` does, and serves it with gunicorn. A client thread signs in
as an official and loops: open the new-need form, post a need with a unique title, browse the
catalogue. Mid-run the database is stopped abruptly (`pg_ctl -m immediate`, like a crash) and
started again. Then: errors only while it was down, and only 503s (never a 500 or no answer);
gunicorn recovered by itself (same processes, no worker replaced); every write the client was
told succeeded is in the database.
"""
from __future__ import annotations

import time

import psycopg
import pytest

from tests.factories import PASSWORD
from tests.live_server import (
    Browser,
    GunicornServer,
    NeedPoster,
    ThrowawayPostgres,
    run_flask,
    seed_official,
)

WRITES_BEFORE_OUTAGE = 6
WRITES_AFTER_RECOVERY = 6
OUTAGE_SECONDS = 1.5
# A request that started just before the server accepted connections again may still see
# "the database system is starting up"; later ones must all succeed.
RECOVERY_GRACE_SECONDS = 1.0
# Bounds for each phase on a busy machine (the run itself takes about 15 s).
PHASE_DEADLINE_SECONDS = 60


@pytest.fixture()
def postgres():
    reason = ThrowawayPostgres.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = ThrowawayPostgres().create()
    try:
        yield server
    finally:
        server.destroy()


def wait_for_a_503(browser: Browser, deadline: float) -> None:
    """Keep the database down until the client has seen it (a long request may span a short outage)."""
    while not any(reply.status == 503 for _, _, reply in list(browser.history)):
        assert time.monotonic() < deadline, "the client never saw the outage"
        time.sleep(0.05)


def test_errors_only_while_postgres_is_down_and_no_acknowledged_write_is_lost(postgres, tmp_path):
    run_flask(postgres.url, "db", "upgrade")
    run_flask(postgres.url, "load-reference-data")
    email, transport_id = seed_official(postgres.url)
    server = GunicornServer(postgres.url, tmp_path / "gunicorn.log", workers=1, threads=2).start()
    try:
        server.wait_until_up()
        browser = Browser()
        browser.sign_in(server.base_url, email, PASSWORD)
        poster = NeedPoster(server.base_url, browser, transport_id)
        poster.start()
        try:
            poster.wait_for_writes(WRITES_BEFORE_OUTAGE, timeout=PHASE_DEADLINE_SECONDS)
            down_at = time.monotonic()
            postgres.stop("immediate")
            time.sleep(OUTAGE_SECONDS)
            wait_for_a_503(browser, deadline=time.monotonic() + PHASE_DEADLINE_SECONDS)
            postgres.start()
            up_at = time.monotonic()
            poster.wait_for_writes(WRITES_AFTER_RECOVERY, after=up_at + RECOVERY_GRACE_SECONDS,
                                   timeout=PHASE_DEADLINE_SECONDS)
        finally:
            poster.stop.set()
            poster.join(timeout=30)
        ready = browser.get(server.base_url + "/readyz")
        still_running = server.is_running()
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")

    replies = [reply for _, _, reply in browser.history]
    statuses = {reply.status for reply in replies}
    assert statuses <= {200, 302, 503}, f"unexpected statuses {statuses}\n{log[-3000:]}"
    failures = [reply for reply in replies if reply.status == 503]
    assert failures, "the outage was not seen at all: the test did not test anything"
    for failure in failures:
        assert failure.ended >= down_at, f"a 503 {down_at - failure.ended:.2f} s before the outage"
        assert failure.started <= up_at + RECOVERY_GRACE_SECONDS, (
            f"a 503 for a request sent {failure.started - up_at:.2f} s after the database was back")
    assert all(reply.headers.get("Retry-After") for reply in failures)

    assert still_running and ready.status == 200
    assert log.count("Booting worker") == 1, "the worker was replaced: recovery needed a restart"

    with psycopg.connect(postgres.url) as connection:
        stored = {row[0] for row in connection.execute("SELECT title FROM need")}
    acknowledged = [title for title, _ in poster.acknowledged]
    assert len(acknowledged) >= WRITES_BEFORE_OUTAGE + WRITES_AFTER_RECOVERY
    assert set(acknowledged) <= stored, f"lost acknowledged writes: {set(acknowledged) - stored}"
    failed_methods = sorted({method for method, _, reply in browser.history if reply.status == 503})
    print(f"\nacknowledged writes {len(acknowledged)}, rows {len(stored)}, requests {len(replies)}, "
          f"503 answers {len(failures)} ({'/'.join(failed_methods)}), outage {OUTAGE_SECONDS} s")
