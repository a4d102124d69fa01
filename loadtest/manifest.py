"""Write the ids and accounts the load test uses (JSON) from the generated data set.

    DATABASE_URL=postgresql://… .venv/bin/python loadtest/manifest.py > manifest.json
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402


def main() -> None:
    os.environ.setdefault("SECRET_KEY", "loadtest-manifest")
    from app import create_app
    from app.extensions import db
    from app.models import Company, Need, NeedStatus, SizeClass, Solution, User
    from app.services.load_data import LOAD_EMAIL_DOMAIN, LOAD_PASSWORD
    from app.services.visibility import public_need_clause, public_solution_clause

    app = create_app("production")
    with app.app_context():
        solutions = list(db.session.scalars(select(Solution.id).where(public_solution_clause())
                                            .order_by(Solution.id)))
        needs = list(db.session.scalars(select(Need.id).where(
            public_need_clause(), Need.status == NeedStatus.OPEN).order_by(Need.id)))
        companies = list(db.session.scalars(select(Company.id).order_by(Company.id)))
        staff = db.session.execute(
            select(User.email, Company.id, Company.size_class)
            .join(Company, Company.id == User.company_id)
            .where(User.email.like(f"%@{LOAD_EMAIL_DOMAIN}"))
            .where(Company.size_class.in_([SizeClass.LARGE, SizeClass.MID]))
            .order_by(User.email)).all()
        own_solutions: dict[int, list[int]] = {}
        for sid, cid in db.session.execute(select(Solution.id, Solution.company_id)
                                           .where(public_solution_clause())):
            own_solutions.setdefault(cid, []).append(sid)
        officials = db.session.execute(
            select(User.email, User.id).where(User.email.like(f"official%@{LOAD_EMAIL_DOMAIN}"))
            .order_by(User.email)).all()
        own_needs: dict[int, list[int]] = {}
        for nid, uid in db.session.execute(select(Need.id, Need.created_by_id)
                                           .where(Need.status == NeedStatus.OPEN)):
            own_needs.setdefault(uid, []).append(nid)
    json.dump({
        "password": LOAD_PASSWORD,
        "solutions": solutions,
        "needs": needs,
        "companies": companies,
        "large_firms": [{"email": e, "company_id": c, "solutions": sorted(own_solutions.get(c, []))}
                        for e, c, size in staff if size == SizeClass.LARGE and own_solutions.get(c)],
        "mid_firms": [{"email": e, "company_id": c, "solutions": sorted(own_solutions.get(c, []))}
                      for e, c, size in staff if size == SizeClass.MID and own_solutions.get(c)],
        "officials": [{"email": e, "needs": sorted(own_needs.get(u, []))}
                      for e, u in officials if own_needs.get(u)],
    }, sys.stdout)


if __name__ == "__main__":
    main()
