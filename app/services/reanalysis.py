"""Re-analyse stored solutions and needs that another analyser version analysed.

A row keeps the terms of the analyser that saw its text last (`analyser_version`); when the
matching library's analysis changes (`matching.ANALYSER_VERSION`), old rows no longer meet
newly analysed queries. This redoes them in batches, one commit per batch, so it may be
interrupted and rerun: a rerun picks up exactly the rows still stale.

The row is updated with a plain UPDATE that keeps `version` and `updated_at`: the listing did not
change for its owner, so an edit form opened before keeps its optimistic-lock version. The UPDATE
only applies while `version` is still the one read; a row edited meanwhile was re-analysed by that
save and is skipped. Each re-analysed id goes to the `matching_change` log, where every running
engine and search index picks the new terms up; stored recommendations need a rematch after.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import MatchingChange, Need, Solution
from app.services import unit_of_work
from app.services.matching_changes import (
    analyse_fields,
    current_analyser_version,
    need_text_fields,
    solution_text_fields,
)

#: Rows analysed (and committed) together.
DEFAULT_BATCH = 500

_KINDS = (
    ("solution", Solution, solution_text_fields, (selectinload(Solution.tags),)),
    ("need", Need, need_text_fields, ()),
)


@dataclass
class ReanalysisReport:
    """What one run did: rows re-analysed by kind, rows skipped, stale rows left."""

    solutions: int = 0
    needs: int = 0
    skipped: int = 0  # edited while being re-analysed (the edit analysed them)
    remaining: int = 0  # still stale when the run stopped at its limit

    @property
    def reanalysed(self) -> int:
        """Rows re-analysed in total."""
        return self.solutions + self.needs


def stale_clause(model, version: str):
    """Rows whose analysis is of another analyser version or of an unknown one (NULL).

    Written as below-or-above rather than "not equal" so the database can use the index.
    """
    column = model.analyser_version
    return or_(column.is_(None), column < version, column > version)


def stale_count(version: str | None = None) -> int:
    """How many solutions and needs another analyser version analysed."""
    version = version or current_analyser_version()
    return sum(db.session.scalar(select(func.count()).select_from(model)
                                 .where(stale_clause(model, version)))
               for _, model, _, _ in _KINDS)


def _reanalyse_rows(model, rows: list, to_fields: Callable, version: str) -> list[int]:
    """Store the current analysis of rows not edited since read; returns their ids."""
    table = model.__table__
    done = []
    for row, analysed in zip(rows, analyse_fields([to_fields(r) for r in rows])):
        result = db.session.execute(
            update(table)
            .where(table.c.id == row.id, table.c.version == row.version)
            .values(analysed_text=analysed, analyser_version=version,
                    updated_at=table.c.updated_at))  # not an edit: keep the owner's timestamp
        if result.rowcount:
            done.append(row.id)
    return done


def reanalyse_stale(batch: int = DEFAULT_BATCH, limit: int | None = None,
                    progress: Callable[[str, int], None] = lambda kind, count: None,
                    ) -> ReanalysisReport:
    """Re-analyse stale rows in committed batches, at most `limit` rows (None: all)."""
    version = current_analyser_version()
    report = ReanalysisReport()
    budget = limit
    for kind, model, to_fields, options in _KINDS:
        after_id = 0
        while budget is None or budget > 0:
            size = batch if budget is None else min(batch, budget)
            rows = list(db.session.scalars(
                select(model).options(*options)
                .where(stale_clause(model, version), model.id > after_id)
                .order_by(model.id).limit(size)))
            if not rows:
                break
            after_id = rows[-1].id
            done = _reanalyse_rows(model, rows, to_fields, version)
            if done:
                db.session.execute(insert(MatchingChange),
                                   [{"entity": kind, "entity_id": i} for i in done])
            unit_of_work.commit()
            setattr(report, f"{kind}s", getattr(report, f"{kind}s") + len(done))
            report.skipped += len(rows) - len(done)
            if budget is not None:
                budget -= len(rows)
            progress(kind, len(done))
    report.remaining = stale_count(version)
    return report


def run_scheduled(limit: int) -> ReanalysisReport:
    """One bounded periodic run; queues a rematch once the last stale rows are done."""
    from app.services import jobs

    report = reanalyse_stale(limit=limit)
    if report.reanalysed and not report.remaining:
        jobs.start_single(jobs.REMATCH, str(jobs.LABELS[jobs.REMATCH]))
        unit_of_work.commit()
    return report
