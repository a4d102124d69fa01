"""Resident memory of an app process before and after its matching engine is built.

    DATABASE_URL=postgresql://… .venv/bin/python loadtest/engine_memory.py

Run it once per data-set size; the difference is what each gunicorn worker needs for its engine.
"""
from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mib() -> float:
    """This process's resident set size in MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    os.environ.setdefault("SECRET_KEY", "engine-memory")
    from app import create_app
    from app.services import recommendations

    app = create_app("production")
    with app.app_context():
        app.test_client().get("/solutions")  # imports and first request, as in a fresh worker
        before = rss_mib()
        started = time.perf_counter()
        engine = recommendations.engine()
        engine.current()
        gc.collect()
        after = rss_mib()
        rec = engine.recommender
        from app.services.matching_changes import analyse_fields

        analyse_fields([{"text": "스마트 버스정류장 미세먼지 센서"}])  # the first edit loads Kiwi
        with_kiwi = rss_mib()
        print(f"solutions {len(rec.solutions_)}, needs {len(rec.needs_)}: RSS {before:.0f} MiB "
              f"before the engine, {after:.0f} MiB after (+{after - before:.0f} MiB); "
              f"index matrices {rec.index_.memory_bytes() / 2**20:.0f} MiB; "
              f"built in {time.perf_counter() - started:.1f}s; {with_kiwi:.0f} MiB once the "
              f"text analyser is loaded (first edit)")


if __name__ == "__main__":
    main()
