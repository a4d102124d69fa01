"""`flask export` / `flask import`: every table round-trips with its ids, on SQLite and PostgreSQL."""
from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import delete, select, text

from app.extensions import db as _db
from app.models import Base, Category, Municipality, Role, SizeClass
from app.services import workflow
from app.services.reference_data import load_municipalities
from tests import factories
from tests.conftest import TEST_CATEGORIES


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    _db.session.expire_all()
    return {
        table.name: [tuple(row) for row in _db.session.execute(
            select(table).order_by(*table.primary_key.columns))]
        for table in Base.metadata.sorted_tables
    }


def wipe_everything() -> None:
    """Empty every table, reference data included (and PostgreSQL's id sequences)."""
    _db.session.rollback()
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(Base.metadata.sorted_tables):
            _db.session.execute(delete(table))
    _db.session.commit()


@pytest.fixture()
def restore_reference_data(app, db):
    """Put the suite's reference data back if a test left the database without it."""
    yield
    db.session.rollback()
    if db.session.scalar(select(Municipality.id).limit(1)) is None:
        load_municipalities()
    if db.session.scalar(select(Category.id).limit(1)) is None:
        for order, (code, ko, en) in enumerate(TEST_CATEGORIES):
            db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
    db.session.commit()


@pytest.fixture()
def marketplace(db):
    """Rows in most tables: companies, staff, an official, listings, a match and notifications."""
    lead = factories.make_company(size_class=SizeClass.LARGE, regions=["서울특별시", "부산광역시"])
    staff = factories.make_user(role=Role.COMPANY, company=lead)
    official = factories.make_user(role=Role.MUNICIPALITY)
    factories.make_user(role=Role.ADMIN)
    solution = factories.make_solution(lead, title="수요응답형 교통 배차 플랫폼")
    factories.make_reference(solution)
    need = factories.make_need(official, title="어르신 이동을 위한 수요응답형 버스")
    need.secondary_categories = [factories.category("health_welfare")]
    db.session.commit()
    workflow.express_interest(official, need, solution, "함께 검토하고 싶습니다.")
    db.session.commit()
    return {"staff": staff, "need": need}


def test_export_then_import_restores_every_table_with_its_ids(app, db, runner, tmp_path,
                                                             marketplace, restore_reference_data):
    before = snapshot()
    assert before["need_match"] and before["notification"] and before["solution_region"]
    backup = tmp_path / "citymatch.jsonl.gz"

    exported = runner.invoke(args=["export", str(backup)])
    assert exported.exit_code == 0, exported.output
    wipe_everything()
    assert all(not rows for rows in snapshot().values())
    imported = runner.invoke(args=["import", str(backup)])

    assert imported.exit_code == 0, imported.output
    assert snapshot() == before
    total = sum(len(rows) for rows in before.values())
    assert f"exported {total} rows" in exported.output
    assert f"imported {total} rows" in imported.output


def test_new_rows_after_an_import_get_fresh_ids(app, db, runner, tmp_path, marketplace,
                                               restore_reference_data):
    """The id sequences continue after the imported rows (they start at 1 on a new server)."""
    backup = tmp_path / "citymatch.jsonl"
    assert runner.invoke(args=["export", str(backup)]).exit_code == 0
    highest = max(row[0] for row in snapshot()["user_account"])
    wipe_everything()
    assert runner.invoke(args=["import", str(backup)]).exit_code == 0

    newcomer = factories.make_user(role=Role.MUNICIPALITY)
    db.session.commit()

    assert newcomer.id > highest


def test_import_refuses_a_database_that_is_not_empty(app, db, runner, tmp_path, marketplace):
    backup = tmp_path / "citymatch.jsonl"
    assert runner.invoke(args=["export", str(backup)]).exit_code == 0
    before = snapshot()

    result = runner.invoke(args=["import", str(backup)])

    assert result.exit_code != 0
    assert "빈 데이터베이스에만" in result.output and "import needs an empty database" in result.output
    assert snapshot() == before


def test_import_refuses_a_truncated_file_and_imports_nothing(app, db, runner, tmp_path, marketplace,
                                                            restore_reference_data):
    backup = tmp_path / "citymatch.jsonl"
    assert runner.invoke(args=["export", str(backup)]).exit_code == 0
    lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    wipe_everything()

    result = runner.invoke(args=["import", str(cut)])

    assert result.exit_code != 0
    assert "truncated or damaged" in result.output
    assert all(not rows for rows in snapshot().values())


def test_import_refuses_a_file_that_is_not_an_export(app, db, runner, tmp_path):
    other = tmp_path / "other.jsonl.gz"
    with gzip.open(other, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"hello": "world"}) + "\n")

    result = runner.invoke(args=["import", str(other)])

    assert result.exit_code != 0
    assert "not a CityMatch export file" in result.output


def test_export_of_a_database_without_tables_fails_clearly_and_leaves_no_file(tmp_path):
    from app import create_app
    from app.config import TestingConfig

    class EmptyFile(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.sqlite3'}"

    target = tmp_path / "backup.jsonl"

    empty = create_app(EmptyFile)
    with empty.app_context():  # not the suite's app, whose context is active
        result = empty.test_cli_runner().invoke(args=["export", str(target)])

    assert result.exit_code != 0
    assert "could not read the database" in result.output
    assert not target.exists()
