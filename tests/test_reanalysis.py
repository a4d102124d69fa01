"""Re-analysis of listings an older analyser analysed: `flask reanalyse` and the periodic run."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

import matching
from app.models import Job, MatchingChange, Solution
from app.services import reanalysis
from app.services.matching_changes import analyse_fields, solution_text_fields
from matching.text import KoreanAnalyzer
from tests import factories
from tests.db_writes import recording_writes

OLD_VERSION = "r1-before-english-stemming"
ENGLISH_DESCRIPTION = "Flood monitoring sensors warn drivers before underpasses are flooded."
OLD_ANALYSER = KoreanAnalyzer(english=False)  # lower-cased, unstemmed English words


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _age(db, solution: Solution) -> None:
    """Store the old analyser's terms and version, as a row analysed before the change."""
    fields = solution_text_fields(solution)
    old = {name: " ".join(terms) for name, terms in
           zip(fields, OLD_ANALYSER.analyse_many(fields.values()))}
    db.session.execute(update(Solution.__table__).where(Solution.__table__.c.id == solution.id)
                       .values(analysed_text=old, analyser_version=OLD_VERSION))
    db.session.commit()


def _stored(db, solution_id: int) -> Solution:
    db.session.expire_all()
    return db.session.get(Solution, solution_id)


def _english_solution(db, company, title="지하차도 침수 경보 Flood Alert") -> Solution:
    solution = factories.make_solution(company, title=title, description=ENGLISH_DESCRIPTION)
    db.session.commit()
    return solution


def test_writes_stamp_the_current_analyser_version(db, company, official):
    solution = factories.make_solution(company)
    need = factories.make_need(official)
    db.session.commit()
    assert solution.analyser_version == need.analyser_version == matching.ANALYSER_VERSION


def test_an_old_row_is_reanalysed_and_then_meets_a_new_query(client, runner, db, company):
    solution = _english_solution(db, company)
    _age(db, solution)
    before = _stored(db, solution.id)
    version, updated_at = before.version, before.updated_at
    assert "monitoring" in before.analysed_text["text"].split()
    assert "지하차도 침수 경보" not in _text(client.get("/solutions", query_string={"q": "monitor"}))

    result = runner.invoke(args=["reanalyse", "--no-rematch"])

    assert result.exit_code == 0, result.output
    assert "1 solutions and 0 needs re-analysed" in result.output
    after = _stored(db, solution.id)
    terms = after.analysed_text["text"].split()
    assert "monitor" in terms and "monitoring" not in terms
    assert after.analyser_version == matching.ANALYSER_VERSION
    # not an edit: an edit form opened before still holds the right optimistic-lock version
    assert (after.version, after.updated_at) == (version, updated_at)
    assert ("solution", solution.id) in {(c.entity, c.entity_id)
                                        for c in db.session.scalars(select(MatchingChange))}
    assert "지하차도 침수 경보" in _text(client.get("/solutions", query_string={"q": "monitor"}))


def test_current_rows_are_left_untouched(runner, db, company, official):
    factories.make_solution(company, description=ENGLISH_DESCRIPTION)
    factories.make_need(official)
    db.session.commit()
    with recording_writes(db.engine) as writes, writes.during():
        result = runner.invoke(args=["reanalyse"])
    assert result.exit_code == 0, result.output
    assert "0 solutions and 0 needs re-analysed" in result.output
    assert writes == []


def test_an_interrupted_run_keeps_its_batches_and_a_rerun_finishes(runner, db, company):
    solutions = [_english_solution(db, company, title=f"침수 경보 {n}") for n in range(3)]
    for solution in solutions:
        _age(db, solution)

    def interrupt(kind, count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reanalysis.reanalyse_stale(batch=1, progress=interrupt)
    db.session.rollback()
    versions = [_stored(db, s.id).analyser_version for s in solutions]
    assert versions.count(matching.ANALYSER_VERSION) == 1

    rerun = runner.invoke(args=["reanalyse", "--batch", "1", "--no-rematch"])
    assert "2 solutions and 0 needs re-analysed" in rerun.output
    assert all(_stored(db, s.id).analyser_version == matching.ANALYSER_VERSION for s in solutions)
    again = runner.invoke(args=["reanalyse", "--no-rematch"])
    assert "0 solutions and 0 needs re-analysed" in again.output


def test_a_row_edited_meanwhile_is_skipped_not_overwritten(db, company):
    solution = _english_solution(db, company)
    _age(db, solution)
    rows = list(db.session.scalars(select(Solution).where(Solution.id == solution.id)))
    # the owner saves a new description between the read and the write
    db.session.execute(update(Solution.__table__).where(Solution.__table__.c.id == solution.id)
                       .values(version=Solution.__table__.c.version + 1))
    done = reanalysis._reanalyse_rows(Solution, rows, solution_text_fields,
                                      matching.ANALYSER_VERSION)
    db.session.commit()
    assert done == []
    assert _stored(db, solution.id).analyser_version == OLD_VERSION


def test_saving_an_old_row_for_any_reason_reanalyses_it(db, company):
    solution = _english_solution(db, company)
    _age(db, solution)
    stored = _stored(db, solution.id)
    stored.summary = stored.summary  # no text change
    stored.price_max = 50_000_000
    db.session.commit()
    assert stored.analyser_version == matching.ANALYSER_VERSION
    assert stored.analysed_text == analyse_fields([solution_text_fields(stored)])[0]


def test_the_command_queues_a_rematch_after_reanalysing(runner, db, company, need):
    _age(db, _english_solution(db, company))
    result = runner.invoke(args=["reanalyse"])
    assert result.exit_code == 0, result.output
    assert "rematch job" in result.output
    assert db.session.scalar(select(Job).where(Job.kind == "rematch")) is not None


def test_the_periodic_run_is_bounded_and_rematches_once_done(app, db, company, need,
                                                              monkeypatch):
    from app import tasks

    solutions = [_english_solution(db, company, title=f"침수 경보 {n}") for n in range(3)]
    for solution in solutions:
        _age(db, solution)
    monkeypatch.setitem(app.config, "REANALYSE_ROWS_PER_RUN", 2)

    def current() -> int:
        return sum(_stored(db, s.id).analyser_version == matching.ANALYSER_VERSION
                   for s in solutions)

    tasks.reanalyse_stale_listings()
    assert current() == 2
    assert db.session.scalar(select(Job).where(Job.kind == "rematch")) is None
    tasks.reanalyse_stale_listings()
    assert current() == 3
    assert db.session.scalar(select(Job).where(Job.kind == "rematch")) is not None
