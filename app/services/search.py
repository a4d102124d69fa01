"""Relevance-ranked keyword search of the public catalogue (solutions, needs, companies).

One search index per app process: a `matching.TextIndex` over every listing a visitor may see
(public solutions, public needs of any status, approved alliance members with their public
solutions' text), built from the analysed text stored in the database. Like the recommendation
engine (app/services/recommendations.py) it applies the `matching_change` log before each use,
and it notices edited companies by their `updated_at`, so a search always sees the current
catalogue. It does not report a log position (an idle index must not hold back pruning): when
changes it had not applied were pruned, it compares the visible ids with its own and re-reads
the listings edited since its last sync instead of rebuilding. Filters stay in SQL (app/services/catalogue.py); the index decides which listings
match and in what order.
"""
from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from datetime import timedelta
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import scipy.sparse as sp
from flask import current_app
from sqlalchemy import func, select, true

from app.extensions import db
from app.models import (Company, MatchingChange, MembershipStatus, Municipality, Need,
                        OverseasOrganisation, Solution)
from app.models.base import utcnow
from app.services import change_log
from app.services.visibility import public_need_clause, public_solution_clause

EXTENSION_KEY = "citymatch_search"
GROUPS = ("solution", "need", "company")
#: Field weights: titles and names first, then tags, summaries and places, then long text.
SEARCH_FIELDS = (("title", 3.0), ("tags", 2.0), ("summary", 1.5), ("org", 1.5), ("text", 1.0))
SUGGESTIONS_PER_WORD = 3
_ANALYSIS_CACHE_MAX = 50_000
_HIT_CACHE_MAX = 256
#: After missing pruned changes, listings edited this long before the last sync are re-read too
#: (clock skew between processes and transactions still open at that moment).
RECONCILE_MARGIN = timedelta(minutes=10)


@dataclass
class SearchHits:
    """What one keyword query matches in one group, best first."""

    ranked: list[int] = field(default_factory=list)      # listings holding every concept
    partial: list[int] = field(default_factory=list)     # listings holding at least one
    scores: dict[int, float] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)     # query words no visible listing has


def _company_mark() -> tuple:
    """A cheap fingerprint of the approved companies (changes when one is edited or leaves)."""
    return tuple(db.session.execute(
        select(func.count(Company.id), func.max(Company.updated_at))
        .where(Company.membership_status == MembershipStatus.APPROVED)).one())


def _tokens(stored: dict | None, name: str) -> list[str]:
    return ((stored or {}).get(name) or "").split()


class SearchEngine:
    """The fitted search index of one process, kept in step with the database.

    Every use of `index` happens under `lock` (the library's estimators hold no locks)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.index = None
        self.last_change_id = 0
        self.company_mark: tuple | None = None
        self.company_seen: dict[int, Any] = {}       # approved company id → updated_at
        self.company_of: dict[int, int] = {}         # indexed solution id → company id
        self.analysed: dict[str, list[str]] = {}     # short texts (names, places) → terms
        self.nearest = None
        self.nearest_seen = 0
        self.hits_cache: OrderedDict[tuple, SearchHits] = OrderedDict()
        self.indexed: dict[str, set[int]] = {group: set() for group in GROUPS}
        self.synced_at = None

    # --- documents ------------------------------------------------------------------------

    def _analyse(self, texts: Iterable[str]) -> None:
        """Analyse the not yet analysed short texts in one batch."""
        from matching import analyse_many

        todo = list(dict.fromkeys(t for t in texts if t and t not in self.analysed))
        if len(self.analysed) + len(todo) > _ANALYSIS_CACHE_MAX:
            self.analysed = {}
        for text, terms in zip(todo, analyse_many(todo)):
            self.analysed[text] = terms

    def _terms(self, text: str | None) -> list[str]:
        return self.analysed.get(text or "", [])

    def _solution_rows(self, where):
        return db.session.execute(
            select(Solution.id, Solution.company_id, Solution.analysed_text, Company.name)
            .join(Company, Company.id == Solution.company_id)
            .where(public_solution_clause(), where)).all()

    def _need_rows(self, where):
        return db.session.execute(
            select(Need.id, Need.analysed_text, Need.target_area,
                   func.coalesce(Municipality.full_name, OverseasOrganisation.name)
                   .label("full_name"))
            .outerjoin(Municipality, Municipality.id == Need.municipality_id)
            .outerjoin(OverseasOrganisation, OverseasOrganisation.id == Need.overseas_organisation_id)
            .where(public_need_clause(), where)).all()

    def _company_rows(self, where):
        return db.session.execute(
            select(Company.id, Company.name, Company.description, Company.updated_at)
            .where(Company.membership_status == MembershipStatus.APPROVED, where)).all()

    def _solution_doc(self, row) -> dict:
        text = row.analysed_text or {}
        return {"id": ("solution", row.id), "group": "solution", "tokens": {
            "title": _tokens(text, "title"), "tags": _tokens(text, "tags"),
            "summary": _tokens(text, "summary"), "org": self._terms(row.name),
            "text": _tokens(text, "text")}}

    def _need_doc(self, row) -> dict:
        text = row.analysed_text or {}
        return {"id": ("need", row.id), "group": "need", "tokens": {
            "title": _tokens(text, "title"), "tags": [], "summary": [],
            "org": self._terms(row.full_name) + self._terms(row.target_area),
            "text": _tokens(text, "text")}}

    def _company_doc(self, row, solutions: list) -> dict:
        stored = [s.analysed_text or {} for s in solutions]
        return {"id": ("company", row.id), "group": "company", "tokens": {
            "title": self._terms(row.name), "summary": self._terms(row.description),
            "tags": [t for s in stored for name in ("title", "tags") for t in _tokens(s, name)],
            "org": [],
            "text": [t for s in stored for name in ("summary", "text") for t in _tokens(s, name)]}}

    def _company_docs(self, companies, solutions) -> list[dict]:
        by_company: dict[int, list] = {}
        for row in solutions:
            by_company.setdefault(row.company_id, []).append(row)
        self._analyse(itertools.chain.from_iterable((c.name, c.description) for c in companies))
        return [self._company_doc(c, by_company.get(c.id, [])) for c in companies]

    # --- building and keeping in step ------------------------------------------------------

    def build(self) -> None:
        """Fit the index over every visible listing (stored analysed text; names and places
        are analysed here, once per distinct text)."""
        from matching import TextIndex

        with self.lock:
            last_change = change_log.latest_change_id()
            mark = _company_mark()
            solutions = self._solution_rows(true())
            needs = self._need_rows(true())
            companies = self._company_rows(true())
            self._analyse(itertools.chain((r.name for r in solutions),
                                          (r.full_name for r in needs),
                                          (r.target_area for r in needs)))
            docs = ([self._solution_doc(r) for r in solutions] + [self._need_doc(r) for r in needs]
                    + self._company_docs(companies, solutions))
            self.index = TextIndex(fields=SEARCH_FIELDS, refit_every=None).fit(docs)
            self.company_of = {r.id: r.company_id for r in solutions}
            self.company_seen = {c.id: c.updated_at for c in companies}
            self.indexed = {"solution": {r.id for r in solutions}, "need": {r.id for r in needs},
                            "company": {c.id for c in companies}}
            self.synced_at = utcnow()
            self.company_mark = mark
            self.last_change_id = last_change
            self.nearest = None
            self.hits_cache.clear()

    def sync(self) -> int:
        """Apply logged listing changes and company edits; returns how many were applied."""
        with self.lock:
            if self.index is None:
                self.build()
                return 0
            changes = db.session.execute(
                select(MatchingChange.id, MatchingChange.entity, MatchingChange.entity_id)
                .where(MatchingChange.id > self.last_change_id).order_by(MatchingChange.id)).all()
            synced_at = utcnow()
            solution_ids = {c.entity_id for c in changes if c.entity == "solution"}
            need_ids = {c.entity_id for c in changes if c.entity == "need"}
            if changes and change_log.missed_pruned_changes(self.last_change_id):
                # Pruned while this index was idle: compare instead of rebuilding (seconds).
                missed_solutions, missed_needs = self._missed()
                solution_ids |= missed_solutions
                need_ids |= missed_needs
            companies = self._apply_solutions(solution_ids)
            self._apply_needs(need_ids)
            mark = _company_mark()
            if mark != self.company_mark:
                companies |= self._edited_companies()
                self.company_mark = mark
            self._refresh_companies(companies)
            if changes:
                self.last_change_id = changes[-1].id
            self.synced_at = synced_at
            applied = len(changes) + len(companies)
            if applied:
                self.hits_cache.clear()
                # New words score nothing until IDF is refitted (stored counts, no analysis).
                if len(self.index.vocabulary_) > self.index.n_features_:
                    self.index.refit()
            return applied

    def _missed(self) -> tuple[set[int], set[int]]:
        """Solutions and needs that may have changed unseen: those whose visibility differs from
        the index's, and those edited since shortly before the last sync."""
        since = self.synced_at - RECONCILE_MARGIN
        out = []
        for model, clause, group in ((Solution, public_solution_clause(), "solution"),
                                     (Need, public_need_clause(), "need")):
            visible = set(db.session.scalars(select(model.id).where(clause)))
            edited = set(db.session.scalars(select(model.id).where(model.updated_at >= since)))
            out.append((visible ^ self.indexed[group]) | edited)
        return out[0], out[1]

    def _apply_solutions(self, ids: set[int]) -> set[int]:
        """Upsert or drop changed solutions; returns the companies whose text changed."""
        if not ids:
            return set()
        rows = self._solution_rows(Solution.id.in_(ids))
        self._analyse(r.name for r in rows)
        companies = {self.company_of[i] for i in ids if i in self.company_of}
        companies |= {r.company_id for r in rows}
        found = {r.id for r in rows}
        self.index.remove([("solution", i) for i in ids - found])
        for i in ids - found:
            self.company_of.pop(i, None)
        self.indexed["solution"] = (self.indexed["solution"] - ids) | found
        if rows:
            self.index.add([self._solution_doc(r) for r in rows])
            self.company_of.update({r.id: r.company_id for r in rows})
        return companies

    def _apply_needs(self, ids: set[int]) -> None:
        if not ids:
            return
        rows = self._need_rows(Need.id.in_(ids))
        self._analyse(itertools.chain((r.full_name for r in rows), (r.target_area for r in rows)))
        found = {r.id for r in rows}
        self.index.remove([("need", i) for i in ids - found])
        self.indexed["need"] = (self.indexed["need"] - ids) | found
        if rows:
            self.index.add([self._need_doc(r) for r in rows])

    def _edited_companies(self) -> set[int]:
        """Companies approved, edited or no longer approved since the last look."""
        current = dict(db.session.execute(
            select(Company.id, Company.updated_at)
            .where(Company.membership_status == MembershipStatus.APPROVED)).all())
        changed = {i for i, stamp in current.items() if self.company_seen.get(i) != stamp}
        return changed | (set(self.company_seen) - set(current))

    def _refresh_companies(self, ids: set[int]) -> None:
        if not ids:
            return
        rows = self._company_rows(Company.id.in_(ids))
        solutions = self._solution_rows(Solution.company_id.in_(ids))
        found = {r.id for r in rows}
        self.index.remove([("company", i) for i in ids - found])
        for i in ids - found:
            self.company_seen.pop(i, None)
        self.indexed["company"] = (self.indexed["company"] - ids) | found
        if rows:
            self.index.add(self._company_docs(rows, solutions))
            self.company_seen.update({r.id: r.updated_at for r in rows})

    # --- queries ---------------------------------------------------------------------------

    def _presence(self, term: str, group: str) -> np.ndarray | None:
        """Which live listings of the group hold the term (None: a word the index never saw)."""
        column = self.index.vocabulary_.get(term)
        if column is None or column >= self.index.n_features_:
            return None
        # float32 like the index: a float64 query would make scipy copy the whole index
        row = sp.csr_matrix((np.ones(1, dtype=np.float32), ([0], [column])),
                            shape=(1, self.index.n_features_))
        return self.index.scores(row, group=group)[1] > 0

    def hits(self, group: str, parsed) -> SearchHits:
        """The listings of `group` that match the parsed query, ranked by cosine."""
        with self.lock:
            self.sync()
            key = (group, parsed.concepts)
            if key in self.hits_cache:
                self.hits_cache.move_to_end(key)
                return self.hits_cache[key]
            result = self._hits(group, parsed)
            self.hits_cache[key] = result
            while len(self.hits_cache) > _HIT_CACHE_MAX:
                self.hits_cache.popitem(last=False)
            return result

    def _hits(self, group: str, parsed) -> SearchHits:
        query = {"id": None, "tokens": {"text": list(parsed.terms)}}
        ids, cosines = self.index.scores(query, group=group)
        if not ids:
            return SearchHits()
        presence: dict[str, np.ndarray | None] = {t: self._presence(t, group) for t in parsed.terms}
        nowhere = np.zeros(len(ids), dtype=bool)
        every, some = np.ones(len(ids), dtype=bool), nowhere.copy()
        unknown = []
        for concept in parsed.concepts:
            held = nowhere.copy()
            for alternative in concept.alternatives:
                masks = [presence[t] for t in alternative]
                if all(m is not None for m in masks):
                    held |= np.logical_and.reduce(masks)
            if not held.any():
                unknown.append(concept.label)
            every &= held
            some |= held
        ids_array = np.array([i[1] for i in ids], dtype=np.int64)

        def ranked(mask: np.ndarray) -> list[int]:
            positions = np.flatnonzero(mask)
            order = np.lexsort((-ids_array[positions], -cosines[positions]))
            return ids_array[positions[order]].tolist()

        scores = {int(ids_array[k]): float(cosines[k]) for k in np.flatnonzero(some)}
        return SearchHits(ranked=ranked(every), partial=ranked(some & ~every), scores=scores,
                          unknown=unknown)

    def suggestions(self, group: str, words: Iterable[str]) -> dict[str, list[str]]:
        """For each word, the visible vocabulary terms of the group that look most like it."""
        from matching.suggest import NearestTerms

        with self.lock:
            self.sync()
            vocabulary = self.index.vocabulary_
            if self.nearest is None:
                self.nearest, self.nearest_seen = NearestTerms(), 0
                self.nearest.fit([])
            if len(vocabulary) > self.nearest_seen:
                fresh = itertools.islice(vocabulary, self.nearest_seen, None)
                self.nearest.add(t for t in fresh if _suggestable(t))
                self.nearest_seen = len(vocabulary)

            def visible(term: str) -> bool:
                mask = self._presence(term, group)
                return mask is not None and bool(mask.any())

            return {word: [t for t, _ in self.nearest.nearest(word, k=SUGGESTIONS_PER_WORD,
                                                               accept=visible)]
                    for word in words}


def _suggestable(term: str) -> bool:
    """Plain words only: no feature strings, no canonical synonym codes, no single letters."""
    return len(term) >= 2 and " " not in term and "_" not in term and not term.isdigit()


def engine() -> SearchEngine:
    """This app's search engine (created on first use)."""
    extensions = current_app.extensions
    if EXTENSION_KEY not in extensions:
        extensions[EXTENSION_KEY] = SearchEngine()
    return extensions[EXTENSION_KEY]
