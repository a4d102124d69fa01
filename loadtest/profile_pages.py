"""CPU time, wall time and SQL statements per page type, in-process with the test client.

Run against a database holding the generated data set (see scripts/loadtest.sh):

    DATABASE_URL=postgresql://… .venv/bin/python loadtest/profile_pages.py --repeat 20
    … --cprofile need_detail     # also print the top functions of one page type
    … --only home,browse_solutions --statements 3   # and each page type's slowest statements

The engine is built once before measuring (as in a warmed-up worker). Detail pages are sampled
at random, so most are first views (cache misses); my_company_large repeats one firm's page
(cache hits). CPU time is the process's (time.process_time), so the figures hold on a busy
machine where wall-clock ones do not.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

SEARCH_TERMS = ("교통", "CCTV", "스마트 주차", "돌봄", "에너지", "침수", "관광", "디지털트윈")


class StatementTiming:
    """Counts and times every SQL statement an engine executes (execute only, not row loading)."""

    def __init__(self) -> None:
        self.count = 0
        self.total_ms = 0.0
        self.by_statement: dict[str, float] = {}

    def listen(self, engine) -> None:
        """Time the engine's statements from now on."""
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        """Start counting one request."""
        self.count, self.total_ms = 0, 0.0

    def slowest(self, limit: int) -> list[tuple[str, float]]:
        """The statements with the most time since the last clear, slowest first."""
        ranked = sorted(self.by_statement.items(), key=lambda item: item[1], reverse=True)
        return ranked[:limit]

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info.setdefault("statement_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        elapsed = (time.perf_counter() - conn.info["statement_started"].pop()) * 1000
        self.count += 1
        self.total_ms += elapsed
        key = " ".join(statement.split())[:110]
        self.by_statement[key] = self.by_statement.get(key, 0.0) + elapsed


def page_urls(rng: random.Random, repeat: int) -> dict[str, list[str]]:
    """Sample URLs of every page type from the database."""
    from app.extensions import db
    from app.models import Company, Need, Solution
    from app.services.visibility import public_need_clause, public_solution_clause

    solution_ids = list(db.session.scalars(select(Solution.id).where(public_solution_clause())))
    need_ids = list(db.session.scalars(select(Need.id).where(public_need_clause(),
                                                             Need.status == "open")))
    large_ids = list(db.session.scalars(select(Company.id).where(Company.size_class == "large")))
    company_ids = list(db.session.scalars(select(Company.id)))
    pick = lambda ids: [rng.choice(ids) for _ in range(repeat)]  # noqa: E731
    return {
        "home": ["/"] * repeat,
        "browse_solutions": [f"/solutions?page={rng.randint(1, 40)}" for _ in range(repeat)],
        "search_solutions": [f"/solutions?q={rng.choice(SEARCH_TERMS)}" for _ in range(repeat)],
        "browse_needs": [f"/needs?page={rng.randint(1, 40)}" for _ in range(repeat)],
        "search_needs": [f"/needs?q={rng.choice(SEARCH_TERMS)}" for _ in range(repeat)],
        "solution_detail": [f"/solutions/{i}" for i in pick(solution_ids)],
        "need_detail": [f"/needs/{i}" for i in pick(need_ids)],
        "company_detail_any": [f"/companies/{i}" for i in pick(company_ids)],
        "company_detail_large": [f"/companies/{i}" for i in pick(large_ids)],
        "login_form": ["/auth/login"] * repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page type")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cprofile", default=None, help="page type to profile with cProfile")
    parser.add_argument("--only", default=None, help="comma-separated page types")
    parser.add_argument("--statements", type=int, default=0,
                        help="also print this many slowest statements per page type (mean ms)")
    parser.add_argument("--warm", action="store_true",
                        help="repeat one URL per page type (cached results) instead of sampling")
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "profile-pages")
    from app import create_app
    from app.extensions import db
    from app.services import recommendations
    from app.services.load_data import large_company_accounts

    app = create_app("production")
    app.config.update(SESSION_COOKIE_SECURE=False, WTF_CSRF_ENABLED=False)
    timing = StatementTiming()
    with app.app_context():
        timing.listen(db.engine)
        rng = random.Random(args.seed)
        urls = page_urls(rng, args.repeat)
        large_accounts = large_company_accounts(limit=5)
        started = time.perf_counter()
        recommendations.engine().current()
        print(f"engine built in {time.perf_counter() - started:.1f}s", file=sys.stderr)

    client = app.test_client()
    if large_accounts:
        from app.services.load_data import LOAD_PASSWORD

        client.post("/auth/login", data={"email": large_accounts[0], "password": LOAD_PASSWORD})
        urls["my_company_large"] = ["/my/company/"] * args.repeat
    anonymous = app.test_client()
    wanted = set(args.only.split(",")) if args.only else None
    if args.warm:
        urls = {page_type: [found[0]] * len(found) for page_type, found in urls.items()}

    print(f"{'page type':24} {'n':>3} {'cpu p50':>8} {'cpu mean':>9} {'wall p50':>9} "
          f"{'wall max':>9} {'SQL/req':>8} {'SQL ms':>7}")
    for page_type, page_urls_ in urls.items():
        if wanted and page_type not in wanted:
            continue
        who = client if page_type == "my_company_large" else anonymous
        who.get(page_urls_[0])  # warm caches of this page type once
        cpu, wall, sql, sql_ms = [], [], [], []
        timing.by_statement.clear()
        profiler = cProfile.Profile() if args.cprofile == page_type else None
        for url in page_urls_:
            timing.reset()
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = who.get(url)
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            sql.append(timing.count)
            sql_ms.append(timing.total_ms)
            if response.status_code != 200:
                print(f"  {url}: HTTP {response.status_code}", file=sys.stderr)
        print(f"{page_type:24} {len(cpu):3d} {statistics.median(cpu):7.1f}ms {statistics.mean(cpu):8.1f}ms "
              f"{statistics.median(wall):8.1f}ms {max(wall):8.1f}ms {statistics.mean(sql):8.1f} "
              f"{statistics.mean(sql_ms):6.1f}ms")
        for statement, total in timing.slowest(args.statements):
            print(f"    {total / len(cpu):6.1f}ms  {statement}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
