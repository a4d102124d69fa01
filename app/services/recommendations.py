"""The bridge between CityMatch's data and the `matching` library.

One engine per app process holds a fitted `matching.Recommender` over every recommendable
solution and need (published solutions of approved alliance members; open needs of verified
officials). It is built from the analysed text stored in the database (no re-analysis), and
before each use it applies the changes other requests or processes logged in `matching_change`
(see app/services/matching_changes.py), so an edit shows up in the very next recommendation.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Company,
    DeploymentReference,
    MatchingChange,
    Municipality,
    Need,
    NeedStatus,
    Recommendation,
    SizeClass,
    Solution,
)
from app.models.base import utcnow
from app.services import change_log, decline
from app.services.visibility import public_need_clause, public_solution_clause

EXTENSION_KEY = "citymatch_matching"
LEAD_SIZES = (SizeClass.LARGE, SizeClass.MID)


# --- converting rows into the library's plain records -------------------------------------


def _place(municipality) -> dict[str, Any] | None:
    if municipality is None:  # an overseas need: no Korean place to compare
        return None
    return {"id": municipality.id, "province": municipality.province.name, "kind": municipality.kind}


def solution_record(solution: Solution, verified: list | None = None,
                    rated: tuple[int, float] | None | bool = False) -> dict[str, Any]:
    """A solution as the plain mapping `matching.SolutionDoc` takes.

    Verified deployments and ratings (app/services/outcomes.py, ratings.py) are looked up for
    this solution unless the caller passes them (`solution_records` does, for many at once).
    """
    from app.services.outcomes import verified_places
    from app.services.ratings import rating_totals

    if verified is None:
        verified = verified_places([solution.id]).get(solution.id, [])
    if rated is False:
        rated = rating_totals([solution.id]).get(solution.id)
    regions = solution.regions_served or solution.company.regions_served
    return {
        "kind": "solution",
        "id": solution.id,
        "title": solution.title,
        "company_id": solution.company_id,
        "summary": solution.summary,
        "description": solution.description,
        "tags": [tag.name for tag in solution.tags],
        "category": solution.primary_category.code,
        "secondary_categories": [c.code for c in solution.secondary_categories],
        "maturity": solution.maturity.value,
        "price_min": solution.price_min,
        "price_max": solution.price_max,
        "regions_served": [region.name for region in regions],
        "references": [_place(ref.municipality) for ref in solution.references],
        "company_size": solution.company.size_class.value,
        "tokens": solution.analysed_text,
        "verified_references": [_place(place) for place in verified],
        "rating_count": rated[0] if rated else 0,
        "rating_mean": rated[1] if rated else None,
        "data_hub_standards": [standard.value for standard in solution.data_hub_standards],
        "open_source_license": solution.open_source_license,
        # English summary: the engine matches English (overseas) needs against these alone.
        "title_en": solution.title_en,
        "summary_en": solution.summary_en,
        "description_en": solution.description_en,
    }


def solution_records(solutions: Iterable[Solution]) -> list[dict[str, Any]]:
    """Records of many solutions, with their verified deployments and ratings in two queries."""
    from app.services.outcomes import verified_places
    from app.services.ratings import rating_totals

    verified, rated = verified_places(), rating_totals()
    return [solution_record(s, verified.get(s.id, []), rated.get(s.id)) for s in solutions]


def need_record(need: Need) -> dict[str, Any]:
    """A need as the plain mapping `matching.NeedDoc` takes."""
    return {
        "kind": "need",
        "id": need.id,
        "title": need.title,
        "description": need.description,
        "place": _place(need.municipality),
        "category": need.primary_category.code,
        "secondary_categories": [c.code for c in need.secondary_categories],
        "budget_min": need.budget_min,
        "budget_max": need.budget_max,
        "deadline": need.application_deadline,
        "tokens": need.analysed_text,
        "requires_data_hub": need.requires_data_hub,
        "required_data_hub_standard": (need.required_data_hub_standard.value
                                       if need.required_data_hub_standard else None),
        "requires_open_source": need.requires_open_source,
        "language": need.language or "ko",
        "declining_area": decline.is_declining(need.municipality_id),
    }


def recommendable_solutions_query():
    """Solutions that may be recommended, with what the records need loaded."""
    return (
        select(Solution)
        .where(public_solution_clause())
        .options(
            selectinload(Solution.company).selectinload(Company.regions_served),
            selectinload(Solution.tags),
            selectinload(Solution.primary_category),
            selectinload(Solution.secondary_categories),
            selectinload(Solution.regions_served),
            selectinload(Solution.references)
            .selectinload(DeploymentReference.municipality),
            selectinload(Solution.data_hub_links),
        )
    )


def recommendable_needs_query():
    """Open needs of verified officials, with what the records need loaded."""
    return (
        select(Need)
        .where(public_need_clause(), Need.status == NeedStatus.OPEN)
        .options(
            selectinload(Need.municipality),
            selectinload(Need.primary_category),
            selectinload(Need.secondary_categories),
        )
    )


# --- the per-process engine ------------------------------------------------------------------


class ResultCache:
    """Engine results (plain library objects, no rows), each with the searches it came from.

    Valid for one fit of the index (a build or an IDF refit, and one day: deadlines score
    against today). Between fits an applied change drops only the results it can affect
    (`matching.ChangeImpact`), so an edit no longer empties every page's cache. Every process
    applies the same change log to the same fit, so a per-process cache cannot make two workers
    disagree.
    """

    def __init__(self, max_entries: int = 2_048) -> None:
        self.max_entries = max_entries
        self.version: tuple | None = None
        self.entries: OrderedDict[tuple, tuple[Any, list]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: tuple, key: tuple, compute: Callable[[], tuple[Any, list]]) -> Any:
        """The cached value for `key` at `version`; `compute()` returns (value, searches)."""
        with self.lock:
            if version != self.version:
                self.entries = OrderedDict()
                self.version = version
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key][0]
        value, searches = compute()
        with self.lock:
            if version == self.version:
                self.entries[key] = (value, searches)
                while len(self.entries) > self.max_entries:  # least recently used first
                    self.entries.popitem(last=False)
        return value

    def invalidate(self, impact) -> int:
        """Drop the results a batch of changes can affect; returns how many were dropped."""
        with self.lock:
            kept = OrderedDict((key, entry) for key, entry in self.entries.items()
                               if not impact.affects(entry[1]))
            dropped = len(self.entries) - len(kept)
            self.entries = kept
        return dropped


class MatchingEngine:
    """A fitted recommender kept in step with the database through the change log.

    The library's estimators hold no locks; every use of `recommender` (queries, upserts,
    refits, the partnership analysis) happens under `lock`.
    """

    def __init__(self, large_share_cap: float, inline_refit_max_docs: int = 5_000,
                 refit_interval_seconds: float = 300.0, deadline_warning_days: int = 14) -> None:
        self.large_share_cap = large_share_cap
        self.deadline_warning_days = deadline_warning_days
        self.inline_refit_max_docs = inline_refit_max_docs
        self.refit_interval_seconds = refit_interval_seconds
        self.lock = threading.RLock()
        self.recommender = None
        self.last_change_id = 0
        self.built_at = None
        self.refitted_at = 0.0
        self.changes_since_refit = 0
        self.refit_thread: threading.Thread | None = None
        self.results = ResultCache()
        # The partnership analysis of the current fit; its memos are pruned on every change.
        self.partnerships: tuple | None = None

    @property
    def version(self) -> tuple:
        """The fit results are computed on: a build or an IDF refit starts a new one (and so
        does a new day, as deadlines are scored against today, or a new score definition)."""
        from matching.scoring import SCORE_VERSION

        return (SCORE_VERSION, self.built_at, self.refitted_at, date.today())

    def new_recommender(self):
        """An unfitted recommender with the app's scoring settings."""
        from matching import Recommender, ScoringConfig

        return Recommender(config=ScoringConfig(deadline_warning_days=self.deadline_warning_days),
                           refit_every=None)

    def cached(self, key: tuple, compute: Callable[[Any], Any], depends_on: tuple = ()) -> Any:
        """`compute(recommender)` for the up-to-date engine, cached until a change affects it.

        `depends_on` names documents (("need", id) / ("solution", id)) the result depends on
        beyond the searches it makes, e.g. the page's own listing.
        """
        from matching.recommend import Searched

        def run():
            with current.recording() as searches:
                searches.extend(Searched(doc, "self", 0, ()) for doc in depends_on)
                value = compute(current)
            # memoised searches are recorded once per use; keep each once (shared, not copied)
            return value, list({id(search): search for search in searches}.values())

        with self.lock:
            current = self.current()
            return self.results.get(self.version, key, run)

    def build(self) -> None:
        """Fit from every recommendable solution and need (stored analysed text)."""
        with self.lock:
            last_change = change_log.latest_change_id()
            solutions = solution_records(db.session.scalars(recommendable_solutions_query()))
            needs = [need_record(n) for n in db.session.scalars(recommendable_needs_query())]
            self.recommender = self.new_recommender().fit(solutions + needs)
            self.last_change_id = last_change
            self.built_at = utcnow()
            self.refitted_at = time.monotonic()
            self.changes_since_refit = 0

    def sync(self) -> int:
        """Apply logged changes since the last build or sync; returns how many were applied."""
        with self.lock:
            if self.recommender is None:
                self.build()
                return 0
            changes = db.session.execute(
                select(MatchingChange.id, MatchingChange.entity, MatchingChange.entity_id)
                .where(MatchingChange.id > self.last_change_id)
                .order_by(MatchingChange.id)
            ).all()
            if not changes:
                return 0
            # Pruning keeps the newest change, so an engine it left behind always sees one here.
            if change_log.missed_pruned_changes(self.last_change_id):
                self.build()
                return len(changes)
            solution_ids = {c.entity_id for c in changes if c.entity == "solution"}
            need_ids = {c.entity_id for c in changes if c.entity == "need"}
            self._apply(solution_ids, recommendable_solutions_query(), Solution.id,
                        solution_record, self.recommender.upsert_solution,
                        self.recommender.remove_solution)
            self._apply(need_ids, recommendable_needs_query(), Need.id, need_record,
                        self.recommender.upsert_need, self.recommender.remove_need)
            self.last_change_id = changes[-1].id
            version = self.version
            self._refresh_idf(len(changes))
            if self.version == version:
                from matching.recommend import ChangeImpact

                impact = ChangeImpact(self.recommender, [("solution", i) for i in solution_ids]
                                      + [("need", i) for i in need_ids])
                self.results.invalidate(impact)
                if self.partnerships is not None:
                    self.partnerships[1].forget(impact)
            return len(changes)

    def _refresh_idf(self, applied: int) -> None:
        """Let new vocabulary count: terms unseen at the last fit score nothing until a refit.

        A refit recomputes IDF from stored counts (no re-analysis). Small catalogues refit at
        once (milliseconds); large ones refit in a background thread at most once per interval,
        on a copy, and swap it in, so queries never wait for it.
        """
        self.changes_since_refit += applied
        size = self.recommender.n_documents()
        if size <= self.inline_refit_max_docs:
            self.recommender.refit()
            self.refitted_at = time.monotonic()
            self.changes_since_refit = 0
            return
        running = self.refit_thread is not None and self.refit_thread.is_alive()
        if running or time.monotonic() - self.refitted_at < self.refit_interval_seconds:
            return
        snapshot = (self.recommender.records(), self.last_change_id)
        self.refit_thread = threading.Thread(target=self._refit_copy, args=snapshot,
                                             name="matching-refit", daemon=True)
        self.refit_thread.start()

    def _refit_copy(self, records: list, snapshot_change_id: int) -> None:
        """Fit a fresh recommender from in-memory records and swap it in."""
        fresh = self.new_recommender().fit(records)
        with self.lock:
            self.recommender = fresh
            # Changes logged after the snapshot are applied again by the next sync.
            self.last_change_id = min(self.last_change_id, snapshot_change_id)
            self.refitted_at = time.monotonic()
            self.changes_since_refit = 0

    @staticmethod
    def _apply(ids: set[int], query, id_column, to_record: Callable, upsert: Callable,
               remove: Callable) -> None:
        if not ids:
            return
        still_recommendable = {row.id: row for row in db.session.scalars(query.where(id_column.in_(ids)))}
        for object_id in sorted(ids):
            row = still_recommendable.get(object_id)
            if row is None:
                remove(object_id)
            else:
                upsert(to_record(row))

    def current(self):
        """The recommender, brought up to date."""
        self.sync()
        change_log.report_position(self.last_change_id)
        return self.recommender


def engine() -> MatchingEngine:
    """This app's engine (created on first use)."""
    extensions = current_app.extensions
    if EXTENSION_KEY not in extensions:
        config = current_app.config
        extensions[EXTENSION_KEY] = MatchingEngine(
            large_share_cap=config["CONSORTIUM_LARGE_SHARE_CAP"],
            inline_refit_max_docs=config["MATCHING_INLINE_REFIT_MAX_DOCS"],
            refit_interval_seconds=config["MATCHING_REFIT_INTERVAL_SECONDS"],
            deadline_warning_days=config["MATCH_DEADLINE_WARNING_DAYS"],
        )
    return extensions[EXTENSION_KEY]


# --- what the pages show ---------------------------------------------------------------------


def score_points(explanation: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The score's parts in whole percentage points that add up to the rounded headline.

    Each part is the difference of the rounded running totals (the last total is the rounded
    score itself), so the displayed integers sum exactly to ``round(score * 100)``: the text
    part first, then each factor's deduction.
    """
    parts = list(explanation.get("contributions") or ())
    points, total, shown = [], 0.0, 0
    for i, (part, amount) in enumerate(parts):
        total += amount
        running = round(float(explanation["score"]) * 100) if i == len(parts) - 1 else round(total * 100)
        points.append((part, running - shown))
        shown = running
    return points


class _Explained:
    """What every recommendation card reads from the library's explanation."""

    explanation: dict[str, Any]

    @property
    def low_confidence(self) -> bool:
        """Below the main-list score: the library's one rule, read from the result."""
        return bool(self.explanation["low_confidence"])

    @property
    def points(self) -> list[tuple[str, int]]:
        return score_points(self.explanation)


@dataclass
class SolutionMatch(_Explained):
    """A recommended solution for a need, with the library's explanation."""

    solution: Solution
    explanation: dict[str, Any]
    need: Need | None = None


@dataclass
class NeedMatch(_Explained):
    """A recommended need for a solution (or a company's best solution for it)."""

    need: Need
    solution: Solution
    explanation: dict[str, Any]


@dataclass
class ConsortiumMember:
    """One company of a proposed consortium with its solution, share of the work and the
    coverage of the need it adds to the team."""

    company: Company
    solution: Solution
    share: float
    is_lead: bool
    adds: float = 0.0


@dataclass
class ConsortiumProposal:
    """A large/mid-sized firm plus one or two startups/SMEs for one need."""

    need: Need
    members: list[ConsortiumMember]
    coverage: float
    best_single_coverage: float
    gain: float
    adjusted: bool
    share_cap: float

    @property
    def lead(self) -> ConsortiumMember:
        return next(m for m in self.members if m.is_lead)


@dataclass
class PartnerSuggestion:
    """A startup/SME whose solutions complement a large firm's portfolio."""

    company: Company
    total_gain: float
    needs_helped: int
    examples: list[dict[str, Any]] = field(default_factory=list)


# What the recommendation cards show, loaded with the rows (no query per card).
_SOLUTION_CARD = (selectinload(Solution.company), selectinload(Solution.primary_category))
_NEED_CARD = (selectinload(Need.municipality).selectinload(Municipality.parent),
              selectinload(Need.primary_category))


def _by_id(model, ids: Iterable[int], options: tuple = ()) -> dict[int, Any]:
    ids = set(ids)
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(*options)
    return {row.id: row for row in db.session.scalars(query)}


def is_recommendable_need(need: Need) -> bool:
    """Open and public: the only needs that get or appear in recommendations."""
    return db.session.scalar(
        select(func.count()).select_from(Need)
        .where(Need.id == need.id, public_need_clause(), Need.status == NeedStatus.OPEN)
    ) == 1


def is_recommendable_solution(solution: Solution) -> bool:
    """Published by an approved member and not suspended."""
    return db.session.scalar(
        select(func.count()).select_from(Solution)
        .where(Solution.id == solution.id, public_solution_clause())
    ) == 1


def _shown(matches: list) -> list:
    """The main list (not low-confidence) plus the partial fits: low-confidence matches at or
    above the app's partial-fit score, which the pages show apart, marked as such."""
    floor = current_app.config["MATCH_PARTIAL_FIT_SCORE"]
    return [m for m in matches if not m.low_confidence or m.score >= floor]


def solutions_for_need(need: Need, top_k: int = 10) -> list[SolutionMatch]:
    """Recommended solutions for a recommendable need: the main list, then partial fits."""
    matches = _shown(engine().cached(
        ("solutions_for_need", need.id, top_k),
        lambda rec: rec.recommend_solutions(need.id, top_k=top_k, include_low_confidence=True)
        if rec.has_need(need.id) else [], depends_on=(("need", need.id),)))
    solutions = _by_id(Solution, (m.solution_id for m in matches), _SOLUTION_CARD)
    return [SolutionMatch(solutions[m.solution_id], m.to_dict(), need)
            for m in matches if m.solution_id in solutions]


def needs_for_solution(solution: Solution, top_k: int = 10) -> list[NeedMatch]:
    """Recommended open needs for a recommendable solution: the main list, then partial fits."""
    matches = _shown(engine().cached(
        ("needs_for_solution", solution.id, top_k),
        lambda rec: rec.recommend_needs(solution.id, top_k=top_k, include_low_confidence=True)
        if rec.has_solution(solution.id) else [], depends_on=(("solution", solution.id),)))
    needs = _by_id(Need, (m.need_id for m in matches), _NEED_CARD)
    return [NeedMatch(needs[m.need_id], solution, m.to_dict())
            for m in matches if m.need_id in needs]


def needs_for_company(company: Company, top_k: int = 10) -> list[NeedMatch]:
    """Open needs for a company, each with the company's best-fitting solution (main list,
    then partial fits)."""
    matches = _shown(engine().cached(
        ("needs_for_company", company.id, top_k),
        lambda rec: rec.recommend_needs_for_company(company.id, top_k=top_k,
                                                    include_low_confidence=True)))
    needs = _by_id(Need, (m.need_id for m in matches), _NEED_CARD)
    solutions = _by_id(Solution, (m.solution_id for m in matches), _SOLUTION_CARD)
    return [NeedMatch(needs[m.need_id], solutions[m.solution_id], m.to_dict())
            for m in matches if m.need_id in needs and m.solution_id in solutions]


def _partnerships(recommender):
    """One Partnerships analysis per fit of the engine, so its memos serve many requests."""
    from matching import Partnerships

    eng = engine()
    key = (id(recommender), eng.version)
    if eng.partnerships is None or eng.partnerships[0] != key:
        eng.partnerships = (key, Partnerships(recommender, large_share_cap=eng.large_share_cap))
    return eng.partnerships[1]


def consortia_for_need(need: Need, top_k: int = 3, lead_company: Company | None = None
                       ) -> list[ConsortiumProposal]:
    """Consortia (one large/mid lead + one or two startups/SMEs) covering more of the need."""
    eng = engine()
    proposals = eng.cached(
        ("consortia", need.id, top_k if lead_company is None else 20),
        lambda rec: _partnerships(rec).consortia(need.id, top_k=top_k if lead_company is None
                                                 else 20) if rec.has_need(need.id) else [],
        depends_on=(("need", need.id),))
    if lead_company is not None:
        proposals = [p for p in proposals if p.lead[0] == lead_company.id][:top_k]
    solution_ids = [p.lead[1] for p in proposals] + [sid for p in proposals for _, sid in p.partners]
    solutions = _by_id(Solution, solution_ids, _SOLUTION_CARD)
    result = []
    for proposal in proposals:
        pairs = [(proposal.lead, True)] + [(partner, False) for partner in proposal.partners]
        if any(sid not in solutions for (_, sid), _ in pairs):
            continue
        members = [ConsortiumMember(solutions[sid].company, solutions[sid],
                                    float(proposal.shares.get(sid, 0.0)), is_lead,
                                    float(proposal.marginal.get(sid, 0.0)))
                   for (_, sid), is_lead in pairs]
        result.append(ConsortiumProposal(need, members, proposal.coverage,
                                         proposal.best_single_coverage, proposal.gain,
                                         proposal.adjusted, eng.large_share_cap))
    return result


def partners_for_company(company: Company, top_k: int = 8) -> list[PartnerSuggestion]:
    """Startups/SMEs that complement a large or mid-sized firm's solutions (empty otherwise)."""
    if company.size_class not in LEAD_SIZES:
        return []
    suggestions = engine().cached(
        ("partners_for", company.id, top_k),
        lambda rec: _partnerships(rec).partners_for(company.id, top_k=top_k))
    companies = _by_id(Company, (s.company_id for s in suggestions))
    need_ids = [e[0] for s in suggestions for e in s.examples]
    solution_ids = [e[3] for s in suggestions for e in s.examples]
    needs = _by_id(Need, need_ids, _NEED_CARD)
    solutions = _by_id(Solution, solution_ids, _SOLUTION_CARD)
    result = []
    for suggestion in suggestions:
        if suggestion.company_id not in companies:
            continue
        examples = [
            {"need": needs[need_id], "base_coverage": base, "coverage": with_partner,
             "solution": solutions[solution_id]}
            for need_id, base, with_partner, solution_id in suggestion.examples
            if need_id in needs and solution_id in solutions
        ]
        result.append(PartnerSuggestion(companies[suggestion.company_id],
                                        suggestion.total_gain, suggestion.needs_helped, examples))
    return result


def company_overview(company: Company, consortium_needs: int = 3) -> dict[str, Any]:
    """Recommended needs of a company; for a large or mid-sized firm also partners and the
    consortia it would lead for its best strong recommended needs."""
    needs = needs_for_company(company)
    is_lead_size = company.size_class in LEAD_SIZES
    consortia = []
    if is_lead_size:
        for match in [m for m in needs if not m.low_confidence][:consortium_needs]:
            proposals = consortia_for_need(match.need, top_k=3, lead_company=company)
            if proposals:
                consortia.append((match.need, proposals))
    return {
        "needs": needs,
        "is_lead_size": is_lead_size,
        "partners": partners_for_company(company) if is_lead_size else [],
        "consortia": consortia,
    }


# --- stored recommendations (`flask rematch`) -------------------------------------------------


@dataclass
class RematchReport:
    """What `rematch` did."""

    needs: int
    recommendations: int
    low_confidence: int


def rematch(top_k: int = 10, progress: Callable[[Iterable[Need]], Any] | None = None
            ) -> RematchReport:
    """Rebuild the engine and store fresh recommendations for every open need (flushes)."""
    eng = engine()
    eng.build()
    needs = list(db.session.scalars(recommendable_needs_query().order_by(Need.id)))
    stale = delete(Recommendation)
    if needs:
        stale = stale.where(Recommendation.need_id.not_in([n.id for n in needs]))
    db.session.execute(stale)
    stored = weak = 0
    iterator = progress(needs) if progress else needs
    now = utcnow()
    for need in iterator:
        with eng.lock:
            matches = eng.recommender.recommend_solutions(need.id, top_k=top_k,
                                                          include_low_confidence=True)
        db.session.execute(delete(Recommendation).where(Recommendation.need_id == need.id))
        for rank, match in enumerate(matches, start=1):
            db.session.add(Recommendation(
                need_id=need.id, solution_id=match.solution_id, rank=rank, score=match.score,
                text_score=match.text_score, low_confidence=match.low_confidence,
                explanation=match.to_dict(), computed_at=now,
            ))
            stored += 1
            weak += int(match.low_confidence)
    db.session.flush()
    return RematchReport(needs=len(needs), recommendations=stored, low_confidence=weak)
