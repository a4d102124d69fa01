"""Keep the matching engine's inputs current: analyse changed text and log changed listings.

Registered once as SQLAlchemy session events, so every service (and the demo seed) that edits a
solution, a need, a company's membership or an official's status is covered without each having
to remember it. Text is analysed before the flush (stored in `analysed_text`, stamped with the
analyser's version in `analyser_version`; a row analysed by another version is redone when it is
next saved, and app/services/reanalysis.py redoes the rest); the ids of changed
solutions and needs are written to `matching_change` just before commit, where every app process
picks them up (see app/services/recommendations.py).
"""
from __future__ import annotations

from sqlalchemy import event, inspect, insert, select
from sqlalchemy.orm import Session

from app.models import (
    Company,
    DeploymentReference,
    Match,
    MatchingChange,
    MatchOutcome,
    Need,
    Solution,
    SolutionRating,
    User,
)

SOLUTION_TEXT_FIELDS = ("title", "summary", "description", "tags")
NEED_TEXT_FIELDS = ("title", "description")
COMPANY_MATCHING_FIELDS = ("membership_status", "size_class", "regions_served")
USER_MATCHING_FIELDS = ("official_status", "account_status")
_PENDING_KEY = "citymatch_matching_changes"


def solution_text_fields(solution: Solution) -> dict[str, str]:
    """The texts of a solution the engine analyses, by field."""
    return {
        "title": solution.title or "",
        "summary": solution.summary or "",
        "tags": " ".join(tag.name for tag in solution.tags),
        "text": solution.description or "",
    }


def need_text_fields(need: Need) -> dict[str, str]:
    """The texts of a need the engine analyses, by field."""
    return {"title": need.title or "", "text": need.description or ""}


def current_analyser_version() -> str:
    """The version of the analyser :func:`analyse_fields` uses (stored with each analysis)."""
    from matching import ANALYSER_VERSION

    return ANALYSER_VERSION


def needs_analysis(obj: Solution | Need, text_fields: tuple[str, ...]) -> bool:
    """Whether a new or edited row's stored analysis is missing, outdated or of another analyser."""
    return (obj.analysed_text is None or obj.analyser_version != current_analyser_version()
            or _changed(obj, text_fields))


def analyse_fields(fields: list[dict[str, str]]) -> list[dict[str, str]]:
    """Analyse many {field: text} dicts in one batch; returns {field: joined terms}."""
    from matching import analyse_many, join_tokens

    flat = [text for item in fields for text in item.values()]
    analysed = iter(analyse_many(flat))
    return [{name: join_tokens(next(analysed)) for name in item} for item in fields]


def _changed(obj, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _pending(session: Session) -> set[tuple[str, object]]:
    return session.info.setdefault(_PENDING_KEY, set())


def _before_flush(session: Session, flush_context, instances) -> None:
    """Analyse the text of new and edited solutions and needs."""
    to_analyse: list[Solution | Need] = []
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Solution):
            if obj in session.new or needs_analysis(obj, SOLUTION_TEXT_FIELDS):
                to_analyse.append(obj)
        elif isinstance(obj, Need):
            if obj in session.new or needs_analysis(obj, NEED_TEXT_FIELDS):
                to_analyse.append(obj)
    if not to_analyse:
        return
    texts = [solution_text_fields(o) if isinstance(o, Solution) else need_text_fields(o)
             for o in to_analyse]
    version = current_analyser_version()
    for obj, analysed in zip(to_analyse, analyse_fields(texts)):
        obj.analysed_text = analysed
        obj.analyser_version = version


def _after_flush(session: Session, flush_context) -> None:
    """Remember which solutions and needs changed in a way that matters for matching."""
    pending = _pending(session)
    touched = list(session.new) + list(session.dirty) + list(session.deleted)
    for obj in touched:
        if isinstance(obj, Solution) and obj.id is not None:
            pending.add(("solution", obj.id))
        elif isinstance(obj, Need) and obj.id is not None:
            pending.add(("need", obj.id))
        elif isinstance(obj, DeploymentReference) and obj.solution_id is not None:
            pending.add(("solution", obj.solution_id))
        elif isinstance(obj, SolutionRating) and obj.solution_id is not None:
            pending.add(("solution", obj.solution_id))
        elif isinstance(obj, MatchOutcome) and obj.match_id is not None and (
            obj in session.deleted or _changed(obj, ("stage",))
        ):  # a confirmed contract (or its stop) adds or removes a verified reference
            pending.update(("solution", sid) for sid in session.scalars(
                select(Match.solution_id).where(Match.id == obj.match_id)))
        elif isinstance(obj, Company) and obj.id is not None and (
            obj in session.deleted or _changed(obj, COMPANY_MATCHING_FIELDS)
        ):
            pending.update(("solution", sid) for sid in session.scalars(
                select(Solution.id).where(Solution.company_id == obj.id)))
        elif isinstance(obj, User) and obj.id is not None and _changed(obj, USER_MATCHING_FIELDS):
            pending.update(("need", nid) for nid in session.scalars(
                select(Need.id).where(Need.created_by_id == obj.id)))


def _before_commit(session: Session) -> None:
    """Write the remembered changes to the change log inside the committing transaction."""
    pending = session.info.pop(_PENDING_KEY, None)
    if session.new or session.dirty or session.deleted:
        session.flush()
        pending = (pending or set()) | session.info.pop(_PENDING_KEY, set())
    if pending:
        session.execute(insert(MatchingChange), [
            {"entity": entity, "entity_id": entity_id}
            for entity, entity_id in sorted(pending, key=lambda item: (item[0], item[1]))
        ])


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING_KEY, None)


def register(session_class=Session) -> None:
    """Install the listeners (idempotent)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("before_commit", _before_commit),
                           ("after_soft_rollback", _after_soft_rollback)):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
