"""Server time of the live-suggestion endpoint (POST /my/needs/suggestions) per catalogue size.

Not a test: prints numbers for docs/benchmarks.md. For each size it uses (or makes, with the
code behind `flask generate-load-data`) a SQLite database of the load-test data set, signs in as a
generated official, builds the engine with one request, then posts `--requests` distinct 200-word
Korean drafts through the app (Flask test client, in process: the time is the app's own, without
network). The drafts are composed from the demo needs' sentences (app/data/demo/needs.json).
Analysis (Kiwi) and the engine query are timed separately by wrapping the module's two steps.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEMO_NEEDS = ROOT / "app" / "data" / "demo" / "needs.json"
URL = "/my/needs/suggestions"
WORDS = 200


def bench_config(database_url: str):
    """The production settings that matter here, on the given database, without limits or CSRF
    (a token check is one HMAC; the bench posts without one)."""
    from app.config import BaseConfig

    class BenchConfig(BaseConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "suggest-bench"
        WTF_CSRF_ENABLED = False
        RATE_LIMITS_ENABLED = False
        REQUEST_LOG_TO_STDERR = False
        MATCHING_POSITION_REPORT_SECONDS = 0.0
        PUBLIC_BASE_URL = "http://localhost"

    return BenchConfig


def drafts(count: int, seed: int, category_ids: list[int]) -> list[dict[str, str]]:
    """`count` distinct drafts: a demo need's title and 200 words of demo need sentences."""
    needs = json.loads(DEMO_NEEDS.read_text(encoding="utf-8"))
    sentences = [s for n in needs for s in re.split(r"(?<=[.!?다])\s+", n["description"]) if s]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words: list[str] = []
        while len(words) < WORDS:
            words.extend(rng.choice(sentences).split())
        out.append({
            "title": rng.choice(needs)["title"],
            "description": " ".join(words[:WORDS]),
            "primary_category_id": str(rng.choice(category_ids)),
            "budget_min": f"{rng.randrange(1, 50) * 10_000_000:,}",
            "budget_max": f"{rng.randrange(50, 200) * 10_000_000:,}",
        })
    return out


def ensure_data(app, solutions: int) -> float | None:
    """Generate the load data set once (None if it was already there), as the CLI does."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Solution
    from app.services.load_data import generate_load_data

    with app.app_context():
        db.create_all()
        if db.session.scalar(select(func.count()).select_from(Solution)):
            return None
        started = time.perf_counter()
        generate_load_data(solutions=solutions, needs=max(1, solutions // 2),
                           companies=max(1, solutions // 5), seed=1)
        db.session.commit()
        return time.perf_counter() - started


class StepTimer:
    """Wraps app.services.draft_suggestions' analysis and engine query to time each call."""

    def __init__(self) -> None:
        from app.services import draft_suggestions

        self.module = draft_suggestions
        self.analysis: list[float] = []
        self.engine: list[float] = []
        self.originals = (draft_suggestions.analyse_fields, draft_suggestions._ranked)

        def timed(function, into):
            def wrapper(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    into.append(time.perf_counter() - started)
            return wrapper

        draft_suggestions.analyse_fields = timed(self.originals[0], self.analysis)
        draft_suggestions._ranked = timed(self.originals[1], self.engine)

    def reset(self) -> None:
        self.analysis.clear()
        self.engine.clear()

    def restore(self) -> None:
        self.module.analyse_fields, self.module._ranked = self.originals


def percentiles(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"{p50:6.1f} {p95:6.1f} {p99:6.1f}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(size: int, data_dir: Path, requests: int, seed: int) -> None:
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Category
    from app.services.load_data import LOAD_PASSWORD, load_account_email

    database = data_dir / f"suggest-bench-{size}.sqlite3"
    app = create_app(bench_config(f"sqlite:///{database}"))
    generated = ensure_data(app, size)
    with app.app_context():
        category_ids = list(db.session.scalars(select(Category.id)))
    client = app.test_client()
    login = client.post("/auth/login", data={"email": load_account_email("official", 1),
                                             "password": LOAD_PASSWORD})
    assert login.status_code == 302, f"sign-in failed: {login.status_code}"
    texts = drafts(requests + 1, seed, category_ids)
    timer = StepTimer()
    try:
        started = time.perf_counter()
        first = client.post(URL, data=texts[0])
        build = time.perf_counter() - started
        assert first.status_code == 200, first.get_data(as_text=True)[:300]
        timer.reset()
        totals, cpu, shown = [], [], []
        load_before = load_average()
        for draft in texts[1:]:
            wall, process = time.perf_counter(), time.process_time()
            response = client.post(URL, data=draft)
            totals.append(time.perf_counter() - wall)
            cpu.append(time.process_time() - process)
            assert response.status_code == 200, response.status_code
            shown.append(len(response.get_json()["suggestions"]))
        load_after = load_average()
        empty = []  # the fixed cost: sign-in check, form parsing, the hint, JSON
        for _ in range(min(requests, 100)):
            wall = time.perf_counter()
            client.post(URL, data={"title": "", "description": ""})
            empty.append(time.perf_counter() - wall)
    finally:
        timer.restore()
    made = f"generated in {generated:.0f} s" if generated is not None else "reused"
    print(f"\n{size:,} solutions ({made}; {database}); first request incl. engine build "
          f"{build:.1f} s; {requests} drafts of {WORDS} words; load average before "
          f"{load_before}, after {load_after}")
    print("                          p50    p95    p99  (ms)")
    print(f"  request (server time) {percentiles(totals)}")
    print(f"  request CPU           {percentiles(cpu)}")
    print(f"  analysis (Kiwi)       {percentiles(timer.analysis)}")
    print(f"  engine query          {percentiles(timer.engine)}")
    rest = [t - a - e for t, a, e in zip(totals, timer.analysis, timer.engine)]
    print(f"  rest (Flask, session, SQL, JSON) {percentiles(rest)}")
    print(f"  empty draft (no analysis, no engine) {percentiles(empty)}")
    print(f"  strong suggestions per draft: mean {statistics.mean(shown):.1f}, "
          f"none for {sum(1 for n in shown if n == 0)} of {len(shown)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="solutions per run, comma-separated")
    parser.add_argument("--requests", type=int, default=300, help="drafts posted per size")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/citymatch-suggest-bench"),
                        help="where the SQLite data sets are kept (reused when present)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {load_average()} (nproc {os.cpu_count()})")
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.data_dir, args.requests, args.seed)


if __name__ == "__main__":
    main()
