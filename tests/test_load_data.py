"""`flask generate-load-data`: the deterministic data set the load test runs against."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, func, select

import matching
from app.extensions import db as _db
from app.models import (
    Base,
    Company,
    DeploymentReference,
    MatchingChange,
    MembershipStatus,
    Municipality,
    Need,
    OfficialStatus,
    Role,
    Solution,
    User,
)
from app.services import recommendations
from app.services.load_data import LOAD_PASSWORD, large_company_accounts, load_account_email
from tests.conftest import REFERENCE_TABLES
from tests.test_reference_data import categories_restored

SMALL = ["generate-load-data", "--solutions", "120", "--needs", "60", "--companies", "30",
         "--seed", "3", "--quiet"]


def _generated_rows() -> dict[str, list]:
    return {
        "companies": list(_db.session.execute(select(Company.name, Company.size_class,
                                                     Company.business_number).order_by(Company.id))),
        # by company name, not id: PostgreSQL sequences keep counting after a delete
        "solutions": list(_db.session.execute(select(Solution.title, Solution.description,
                                                     Company.name).join(Company)
                                              .order_by(Solution.id))),
        "needs": list(_db.session.execute(select(Need.title, Need.municipality_id,
                                                 Need.budget_max).order_by(Need.id))),
    }


def _empty_generated_tables() -> None:
    _db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            _db.session.execute(delete(table))
    _db.session.commit()


def test_generates_the_requested_rows_with_analysed_text_and_accounts(app, runner):
    with categories_restored(app):
        result = runner.invoke(args=SMALL)
        assert result.exit_code == 0, result.output
        assert "30 companies, 120 solutions, 60 needs" in result.output
        assert _db.session.scalar(select(func.count()).select_from(Company)) == 30
        assert _db.session.scalar(select(func.count()).select_from(Solution)) == 120
        assert _db.session.scalar(select(func.count()).select_from(Need)) == 60
        assert _db.session.scalar(select(func.count()).select_from(DeploymentReference)) > 0
        assert all(s.analysed_text and s.analysed_text["title"] and s.analysed_text["text"]
                   for s in _db.session.scalars(select(Solution)))
        assert all(n.analysed_text and n.analysed_text["text"] for n in _db.session.scalars(select(Need)))
        stamped = {r.analyser_version for model in (Solution, Need)
                   for r in _db.session.scalars(select(model))}
        assert stamped == {matching.ANALYSER_VERSION}
        assert all(s.regions_served for s in _db.session.scalars(select(Solution)))
        companies = list(_db.session.scalars(select(Company)))
        assert {c.membership_status for c in companies} == {MembershipStatus.APPROVED}
        sizes = Counter(c.size_class.value for c in companies)
        assert set(sizes) == {"large", "mid", "sme", "startup"}
        per_company = Counter(_db.session.scalars(select(Solution.company_id)))
        by_size = {size: [per_company[c.id] for c in companies if c.size_class.value == size]
                   for size in sizes}
        assert min(by_size["large"]) > max(by_size["startup"])  # large firms list many solutions
        officials = list(_db.session.scalars(select(User).where(User.role == Role.MUNICIPALITY)))
        municipalities = _db.session.scalar(select(func.count()).select_from(Municipality))
        assert len(officials) == municipalities == 243
        assert {o.official_status for o in officials} == {OfficialStatus.VERIFIED}
        # every listing is in the change log, so running app processes pick it up
        logged = _db.session.scalar(select(func.count()).select_from(MatchingChange))
        assert logged == 120 + 60


def test_same_seed_gives_the_same_rows_and_another_seed_differs(app, runner):
    with categories_restored(app):
        assert runner.invoke(args=SMALL).exit_code == 0
        first = _generated_rows()
        _empty_generated_tables()
        assert runner.invoke(args=SMALL).exit_code == 0
        assert _generated_rows() == first
        _empty_generated_tables()
        assert runner.invoke(args=SMALL[:-2] + ["4", "--quiet"]).exit_code == 0
        assert _generated_rows()["solutions"] != first["solutions"]


def test_refuses_to_generate_twice(app, runner):
    with categories_restored(app):
        assert runner.invoke(args=SMALL).exit_code == 0
        again = runner.invoke(args=SMALL)
        assert again.exit_code != 0
        assert "already generated" in again.output
        assert _db.session.scalar(select(func.count()).select_from(Solution)) == 120


def test_generated_accounts_sign_in_and_pages_recommend(app, runner, client):
    with categories_restored(app):
        assert runner.invoke(args=SMALL).exit_code == 0
        firm = large_company_accounts(limit=1)[0]
        response = client.post("/auth/login", data={"email": firm, "password": LOAD_PASSWORD})
        assert response.status_code == 302
        assert client.get("/my/company/").status_code == 200
        official = client.post("/auth/logout")
        assert official.status_code == 302
        response = client.post("/auth/login", data={"email": load_account_email("official", 1),
                                                    "password": LOAD_PASSWORD})
        assert response.status_code == 302
        need = _db.session.scalar(select(Need).where(Need.status == "open").order_by(Need.id))
        assert recommendations.solutions_for_need(need)  # the engine finds matches in the data
