#!/usr/bin/env python3
"""Sign-up timing for a registered versus a new e-mail (issue 8, finding 7); prints numbers only.

Posts the registration form N times for each kind, alternating, against the testing app on an
in-memory SQLite database (mail captured, limits off), and prints median and mean milliseconds.
Usage: .venv/bin/python scripts/signup-timing-bench.py [N]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.config import TestingConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Role, User  # noqa: E402

try:  # absent before issue 8, so the script also measures the earlier code
    from app.models import AccountExistsNotice
except ImportError:
    AccountExistsNotice = None

PASSWORD = "violet-harbour-71"


def main(rounds: int) -> None:
    app = create_app(TestingConfig)
    with app.app_context():
        db.create_all()
        user = User(email="taken@example.kr", name="기존회원", role=Role.COMPANY)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        timings: dict[str, list[float]] = {"taken": [], "new": []}
        for n in range(rounds):
            for kind in ("taken", "new"):
                email = "taken@example.kr" if kind == "taken" else f"new{n}@example.kr"
                if AccountExistsNotice is not None:  # so every taken attempt mails
                    db.session.query(AccountExistsNotice).delete()
                    db.session.commit()
                started = time.perf_counter()
                response = client.post("/auth/register", data={
                    "role": "company", "email": email, "name": "김신규",
                    "password": PASSWORD, "password_confirm": PASSWORD,
                    "privacy_consent": "y"})
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 302, response.status_code
        for kind, values in timings.items():
            print(f"{kind:5}  n={len(values)}  median={statistics.median(values):7.1f} ms  "
                  f"mean={statistics.fmean(values):7.1f} ms")
        difference = statistics.median(timings["new"]) - statistics.median(timings["taken"])
        print(f"median difference (new - taken): {difference:+.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
