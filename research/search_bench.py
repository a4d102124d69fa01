"""Catalogue search latency: server time of the search pages and of the search service.

Runs the app in-process (test client) against the database in DATABASE_URL (e.g. one filled by
`flask generate-load-data`) and prints p50/p95/p99 in milliseconds:

* page: a full GET of /solutions, /needs and /companies with a keyword (analysis, index, SQL
  filters, rendering), warm index; the first request's time (index build) is printed apart;
* service: `search_solutions` (ranked, this change) beside the substring search it replaced
  (`paginate(solution_search(...))`, newest first), for the same queries.

Queries are drawn with a fixed seed from the listings' own titles (one word, two words, a
particle form, a one-letter typo, and a word with a category filter and page 2), so they hit.

    DATABASE_URL=sqlite:////tmp/load_10k.db .venv/bin/python research/search_bench.py --requests 150
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PARTICLES = ("을", "의", "에서", "는")


def percentiles(samples: list[float]) -> str:
    """'p50 / p95 / p99' in ms."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"{cuts[49]:7.1f} / {cuts[94]:7.1f} / {cuts[98]:7.1f}"


def typo(word: str, rng: random.Random) -> str:
    """The word with its last Hangul syllable's final consonant changed (가로등 → 가로듬)."""
    last = ord(word[-1]) - 0xAC00
    if not 0 <= last < 11172:
        return word + "x"
    tail = (last % 28 + 1 + rng.randrange(26)) % 28
    return word[:-1] + chr(0xAC00 + last - last % 28 + tail)


def draw_queries(titles: list[str], n: int, rng: random.Random) -> list[dict]:
    """Query-string dicts: one word, two words, particle form, typo, filtered page 2."""
    words = [w for t in titles for w in t.split() if len(w) >= 2 and w.isalnum()]
    out = []
    for k in range(n):
        word, other = rng.choice(words), rng.choice(words)
        kind = k % 5
        if kind == 0:
            out.append({"q": word})
        elif kind == 1:
            out.append({"q": f"{word} {other}"})
        elif kind == 2:
            out.append({"q": word + rng.choice(PARTICLES)})
        elif kind == 3:
            out.append({"q": typo(word, rng)})
        else:
            out.append({"q": word, "page": "2", "_filtered": True})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=150, help="timed requests per list")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "search-bench")
    os.environ.setdefault("TRUSTED_HOSTS", "localhost")
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import Category, Company, Need, Solution
    from app.services import catalogue
    from app.services.pagination import paginate
    from app.services.visibility import public_need_clause, public_solution_clause

    app = create_app("production")
    app.config.update(SESSION_COOKIE_SECURE=False)
    logging.getLogger("citymatch.request").disabled = True
    rng = random.Random(args.seed)
    with app.app_context():
        counts = (db.session.scalar(select(func.count()).select_from(Solution).where(public_solution_clause())),
                  db.session.scalar(select(func.count()).select_from(Need).where(public_need_clause())),
                  db.session.scalar(select(func.count(Company.id))))
        solution_titles = list(db.session.scalars(select(Solution.title).limit(3000)))
        need_titles = list(db.session.scalars(select(Need.title).limit(3000)))
        category = db.session.scalar(select(Category.code).order_by(Category.id).limit(1))
    print(f"public solutions {counts[0]:,}, public needs {counts[1]:,}, companies {counts[2]:,}")

    client = app.test_client()
    started = time.perf_counter()
    client.get("/solutions", query_string={"q": "스마트"})
    print(f"first search request (Kiwi load + index build): {time.perf_counter() - started:.2f} s")
    with app.app_context():
        from app.services import search

        index = search.engine().index
        print(f"search index: {len(index):,} documents, {index.n_features_:,} features, "
              f"{index.memory_bytes() / 2**20:.1f} MiB of matrices")

    print(f"{'page (warm index)':34s}   p50 /     p95 /     p99 ms   results>0")
    for path, titles in (("/solutions", solution_titles), ("/needs", need_titles),
                         ("/companies", solution_titles)):
        samples, found = [], 0
        for query in draw_queries(titles, args.requests, rng):
            params = {k: v for k, v in query.items() if not k.startswith("_")}
            if query.get("_filtered") and path != "/companies":
                params["category"] = category
            if path == "/needs":
                params["status"] = "all"
            t0 = time.perf_counter()
            response = client.get(path, query_string=params)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, params, response.status_code)
            found += "검색 결과 0건" not in response.get_data(as_text=True)
        print(f"{path:34s} {percentiles(samples)}   {found}/{len(samples)}")

    per_page = app.config["PAGE_SIZE"]
    ranked, substring = [], []
    with app.test_request_context():
        for query in draw_queries(solution_titles, args.requests, rng):
            filters = catalogue.SolutionFilters(q=query["q"], sort="relevance",
                                                category_code=category if query.get("_filtered") else None)
            page = int(query.get("page", 1))
            t0 = time.perf_counter()
            list(catalogue.search_solutions(filters, page, per_page).pagination.items)
            ranked.append((time.perf_counter() - t0) * 1000)
            filters.sort = "newest"
            t0 = time.perf_counter()
            list(paginate(catalogue.solution_search(filters), page, per_page).items)
            substring.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
    print(f"{'service, solutions':34s}   p50 /     p95 /     p99 ms")
    print(f"{'  ranked search_solutions':34s} {percentiles(ranked)}")
    print(f"{'  substring LIKE (replaced)':34s} {percentiles(substring)}")


if __name__ == "__main__":
    main()
