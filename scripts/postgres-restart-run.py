#!/usr/bin/env python3
"""PostgreSQL restarts under load, longer than the CI test (tests/test_postgres_restart.py).

Starts a throwaway PostgreSQL server (root needed: it runs as the postgres user, on a free
port, never the shared one), migrates it, serves it with gunicorn in production configuration,
runs several signed-in clients that post needs and browse, and restarts PostgreSQL several times.
Prints what the clients saw and whether every acknowledged write is in the database.

    .venv/bin/python scripts/postgres-restart-run.py --seconds 60 --restarts 3 --outage 3
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from tests.factories import PASSWORD  # noqa: E402
from tests.live_server import (  # noqa: E402
    Browser,
    GunicornServer,
    NeedPoster,
    ThrowawayPostgres,
    run_flask,
    seed_official,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the run")
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--outage", type=float, default=3.0, help="seconds the database stays down")
    parser.add_argument("--mode", choices=["immediate", "fast"], default="immediate",
                        help="pg_ctl stop mode (immediate = like a crash)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    reason = ThrowawayPostgres.unavailable_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2

    postgres = ThrowawayPostgres().create()
    log_path = Path(tempfile.mkdtemp(prefix="citymatch-restart-")) / "gunicorn.log"
    server = GunicornServer(postgres.url, log_path, workers=args.workers, threads=args.threads)
    outages: list[tuple[float, float]] = []
    try:
        run_flask(postgres.url, "db", "upgrade")
        run_flask(postgres.url, "load-reference-data")
        email, transport_id = seed_official(postgres.url)
        server.start().wait_until_up()
        posters = []
        for number in range(args.clients):
            browser = Browser()
            browser.sign_in(server.base_url, email, PASSWORD)
            posters.append(NeedPoster(server.base_url, browser, transport_id, name=str(number + 1)))
        started = time.monotonic()
        for poster in posters:
            poster.start()
        interval = args.seconds / (args.restarts + 1)
        for restart in range(1, args.restarts + 1):
            time.sleep(max(0.0, started + restart * interval - time.monotonic()))
            down = time.monotonic()
            postgres.stop(args.mode)
            time.sleep(args.outage)
            postgres.start()
            outages.append((down, time.monotonic()))
        time.sleep(max(0.0, started + args.seconds - time.monotonic()))
        for poster in posters:
            poster.stop.set()
        for poster in posters:
            poster.join(timeout=30)
        elapsed = time.monotonic() - started
        ready = posters[0].browser.get(server.base_url + "/readyz").status
        running = server.is_running()
    finally:
        server.stop()
    try:
        with psycopg.connect(postgres.url) as connection:
            stored = {row[0] for row in connection.execute("SELECT title FROM need")}
    finally:
        postgres.destroy()

    history = [entry for poster in posters for entry in poster.browser.history]
    replies = [reply for _, _, reply in history]
    statuses = Counter(reply.status for reply in replies)
    failures = [(method, reply) for method, _, reply in history if reply.status != 200 and reply.status != 302]
    outside = [reply for _, reply in failures
               if not any(reply.ended >= down and reply.started <= up + 1.0 for down, up in outages)]
    acknowledged = {title for poster in posters for title, _ in poster.acknowledged}
    lost = acknowledged - stored
    after_up = [min((r.started - up for r in replies if r.started > up and r.status in (200, 302)),
                    default=float("nan")) for _, up in outages]
    healthy = [1000 * (r.ended - r.started) for r in replies if r.status in (200, 302)
               and not any(r.ended >= down and r.started <= up + 1.0 for down, up in outages)]
    quantiles = statistics.quantiles(healthy, n=20) if len(healthy) >= 20 else [float("nan")] * 19
    log = log_path.read_text(errors="replace")

    print(f"run: {elapsed:.0f} s, {args.clients} clients, gunicorn {args.workers} workers x "
          f"{args.threads} threads, {args.restarts} restarts (pg_ctl -m {args.mode}), "
          f"database down {args.outage:.1f} s each")
    print(f"requests: {len(replies)} ({len(replies) / elapsed:.1f}/s); statuses: "
          + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items())))
    print("failed requests by method: "
          + (", ".join(f"{m}: {c}" for m, c in sorted(Counter(m for m, _ in failures).items())) or "none"))
    print(f"failures outside an outage (+1 s grace): {len(outside)}")
    for method, url, reply in history:
        if reply.status == 0:
            since = min((reply.started - down for down, _ in outages), key=abs, default=0.0)
            print(f"  no answer: {method} {url} sent {since:+.2f} s from an outage's start, "
                  f"after {reply.ended - reply.started:.2f} s: {reply.body[:120]}")
    print("first success after each restart (s after the server accepted connections): "
          + ", ".join(f"{delay:.2f}" for delay in after_up))
    print(f"successful requests outside outages: p50 {statistics.median(healthy):.0f} ms, "
          f"p95 {quantiles[18]:.0f} ms")
    print(f"acknowledged writes: {len(acknowledged)}; need rows: {len(stored)}; lost: {len(lost)}")
    print(f"gunicorn still running: {running}; workers booted: {log.count('Booting worker')} "
          f"(started with {args.workers}); /readyz at the end: {ready}")
    ok = (not lost and not outside and running and ready == 200
          and log.count("Booting worker") == args.workers and 500 not in statuses and 0 not in statuses)
    print(f"gunicorn log: {log_path}")
    print("result: OK" if ok else "result: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
