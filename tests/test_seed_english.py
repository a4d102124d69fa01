"""Demo English summaries (issue 11): `flask seed-demo` fills the solutions' English fields from
app/data/demo/solutions_en.json when that file exists, and ignores it when it does not."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import Company, Solution
from app.services import demo_seed
from tests.test_seed import COMPANIES, full_taxonomy  # noqa: F401 - fixture

FIRST = COMPANIES[0]
KEY = f"{FIRST['name']}/{FIRST['solutions'][0]['title']}"
ENTRY = {"title_en": "City integrated platform",
         "summary_en": "One situation board for CCTV, traffic and disaster systems",
         "description_en": "Links the systems a city already runs into one control room view."}


def _solution(company_name: str, title: str) -> Solution:
    _db.session.expire_all()
    return _db.session.scalar(select(Solution).join(Company).where(
        Company.name == company_name, Solution.title == title))


@pytest.fixture()
def english_file(tmp_path, monkeypatch):
    def write(data):
        path = tmp_path / "solutions_en.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(demo_seed, "SOLUTIONS_EN_JSON", path)
        return path
    return write


def test_english_summaries_fill_the_solutions(app, db, full_taxonomy, english_file):  # noqa: F811
    english_file({KEY: ENTRY})
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    solution = _solution(FIRST["name"], FIRST["solutions"][0]["title"])
    assert (solution.title_en, solution.summary_en, solution.description_en) == (
        ENTRY["title_en"], ENTRY["summary_en"], ENTRY["description_en"])
    other = _solution(FIRST["name"], FIRST["solutions"][1]["title"])
    assert other.title_en is None and other.summary_en is None
    # a second run changes nothing
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0 and _solution(FIRST["name"], FIRST["solutions"][0]["title"]) \
        .summary_en == ENTRY["summary_en"]


def test_absent_file_is_ignored(app, db, full_taxonomy, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setattr(demo_seed, "SOLUTIONS_EN_JSON", tmp_path / "absent.json")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    _db.session.expire_all()
    assert _db.session.scalars(select(Solution.title_en)).all() and \
        set(_db.session.scalars(select(Solution.title_en))) == {None}


@pytest.mark.parametrize("data, message", [
    ({"없는 회사/없는 솔루션": ENTRY}, "unknown solution"),
    ({KEY: "text"}, "expected an object"),
    ({KEY: dict(ENTRY, summary_en="a" * 201)}, "summary_en"),
    ({KEY: dict(ENTRY, title_en=5)}, "title_en"),
    (["not", "an", "object"], "expected an object"),
])
def test_bad_english_file_is_a_clear_error(app, db, full_taxonomy, english_file,  # noqa: F811
                                           data, message):
    english_file(data)
    with pytest.raises(demo_seed.DemoDataError, match=message):
        demo_seed.english_summaries() if not isinstance(data, dict) or KEY in data \
            else _seed_and_raise(app)


def _seed_and_raise(app):
    with app.app_context():
        demo_seed.seed_demo()
