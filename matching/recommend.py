"""Two-way recommender: need → solutions, solution → needs, company → needs."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Any, Hashable, Iterable, NamedTuple, Optional

import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from matching.explain import Match
from matching.index import TextIndex
from matching.records import NeedDoc, SolutionDoc, as_need, as_record, as_solution
from matching.scoring import DEFAULT_CONFIG, PairScore, ScoringConfig, ordering_score, score_pair


class Searched(NamedTuple):
    """One nearest-neighbour search a result was computed from (see ``Recommender.recording``).

    ``query`` is the searching document's key, ``hits`` the ``(key, cosine)`` pairs found among
    the top ``k`` of ``group``. For ``group == "company"`` it records the solutions of company
    ``query[1]`` instead.
    """

    query: Hashable
    group: Any
    k: int
    hits: tuple


class ChangeImpact:
    """Which recorded searches a batch of changed documents can affect.

    A search stays exact while no changed document is its query or one of its hits and no
    upserted document of its group would now rank in its top ``k``; the latter is checked
    with the changed document's cosine to the query (cosine is symmetric).
    """

    #: Cosines are rounded and summed in another order on the two sides; stay on the safe side.
    TOLERANCE = 1e-5

    def __init__(self, recommender: "Recommender", changed: Iterable[Hashable]) -> None:
        self.recommender = recommender
        self.changed = set(changed)
        self._cosines: dict = {}

    def _cosine(self, key, query) -> Optional[float]:
        """Cosine of a changed document to a query (None when the document was removed)."""
        index = self.recommender.index_
        if (key, query[0]) not in self._cosines:
            table = None
            if key in index:
                ids, vals = index.scores(index.vector_of(key), group=query[0])
                table = dict(zip(ids, vals.tolist()))
            self._cosines[key, query[0]] = table
        table = self._cosines[key, query[0]]
        return None if table is None else table.get(query, 0.0)

    def affects(self, searches: Iterable[Searched]) -> bool:
        """Whether any of the searches may give another result after the changes."""
        rec = self.recommender
        for search in searches:
            if search.group == "company":
                for key in self.changed:
                    if key[0] == "solution" and (
                            key[1] in {h[0][1] for h in search.hits}
                            or getattr(rec.get_solution(key[1]), "company_id", None) == search.query[1]):
                        return True
                continue
            if search.query in self.changed:
                return True
            hit_keys = {h[0] for h in search.hits}
            threshold = search.hits[-1][1] if search.hits and len(search.hits) >= search.k else 0.0
            for key in self.changed:
                if key[0] != search.group:
                    continue
                if key in hit_keys:
                    return True
                cosine = self._cosine(key, search.query)
                if cosine is not None and cosine > 0 and cosine >= threshold - self.TOLERANCE:
                    return True
        return False


class Scored(NamedTuple):
    """A need–solution pair with its score, before any explanation is built."""

    pair: PairScore
    need: NeedDoc
    solution: SolutionDoc
    ranked_id: Hashable   # id of the item being ranked (the solution or the need)


class Recommender(BaseEstimator):
    """Reciprocal recommender over one shared text index of needs and solutions.

    ``fit(X)`` takes one corpus of ``NeedDoc``/``SolutionDoc`` records (or mappings with a
    ``kind``; see ``matching.catalogue``). Queries never change the fitted state; only
    ``upsert_*``, ``remove_*`` and ``refit`` do. No locks: a caller sharing one instance between
    threads serialises the calls itself. A fitted instance pickles.

    ``candidates`` = how many text-nearest items are re-scored per query; ``today`` fixes the
    date used for deadlines (None = the real date at call time); ``n_terms`` = shared terms
    reported per match; ``refit_every`` = IDF refit after that many changes (None = manual).
    """

    def __init__(self, config: ScoringConfig = DEFAULT_CONFIG, candidates: int = 200,
                 today: Optional[date] = None, n_terms: int = 5, refit_every: Optional[int] = 500,
                 index_params: Optional[dict] = None):
        self.config = config
        self.candidates = candidates
        self.today = today
        self.n_terms = n_terms
        self.refit_every = refit_every
        self.index_params = index_params

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Iterable[Any], y=None) -> "Recommender":
        """Index a corpus of needs and solutions; ``y`` is ignored (scikit-learn convention)."""
        records = [as_record(r) for r in X]
        sols = [r for r in records if isinstance(r, SolutionDoc)]
        nds = [r for r in records if isinstance(r, NeedDoc)]
        self.solutions_: dict[Hashable, SolutionDoc] = {s.id: s for s in sols}
        self.needs_: dict[Hashable, NeedDoc] = {n.id: n for n in nds}
        if len(self.solutions_) != len(sols) or len(self.needs_) != len(nds):
            raise ValueError("duplicate solution or need ids")
        params = dict(self.index_params or {})
        params.setdefault("refit_every", self.refit_every)
        self.index_ = TextIndex(**params).fit(
            [s.index_doc() for s in sols] + [n.index_doc() for n in nds])
        return self

    def _check(self) -> None:
        """Raise ``NotFittedError`` before ``fit``."""
        if not hasattr(self, "index_"):
            raise NotFittedError("This Recommender instance is not fitted yet. Call 'fit' first.")

    # ------------------------------------------------------------------ accessors
    def has_need(self, need_id: Hashable) -> bool:
        """Whether a need of that id is indexed."""
        self._check()
        return need_id in self.needs_

    def has_solution(self, solution_id: Hashable) -> bool:
        """Whether a solution of that id is indexed."""
        self._check()
        return solution_id in self.solutions_

    def get_need(self, need_id: Hashable) -> Optional[NeedDoc]:
        """The indexed need of that id (None if absent)."""
        self._check()
        return self.needs_.get(need_id)

    def get_solution(self, solution_id: Hashable) -> Optional[SolutionDoc]:
        """The indexed solution of that id (None if absent)."""
        self._check()
        return self.solutions_.get(solution_id)

    def n_documents(self) -> int:
        """How many needs and solutions are indexed."""
        self._check()
        return len(self.solutions_) + len(self.needs_)

    def records(self) -> list:
        """Every indexed record (solutions, then needs): a corpus to ``fit`` a fresh copy with."""
        self._check()
        return list(self.solutions_.values()) + list(self.needs_.values())

    def term_weights(self, kind: str, doc_id: Hashable) -> dict[str, float]:
        """``{term: TF-IDF weight}`` of an indexed need (``kind="need"``) or solution."""
        self._check()
        return self.index_.term_weights((kind, doc_id))

    # ------------------------------------------------------------------ freshness
    def upsert_solution(self, solution: Any) -> "Recommender":
        """Add or replace a solution; visible to the next query."""
        self._check()
        sol = as_solution(solution)
        self.index_.add([sol.index_doc()])
        self.solutions_[sol.id] = sol
        return self

    def upsert_need(self, need: Any) -> "Recommender":
        """Add or replace a need; visible to the next query."""
        self._check()
        nd = as_need(need)
        self.index_.add([nd.index_doc()])
        self.needs_[nd.id] = nd
        return self

    def remove_solution(self, solution_id: Hashable) -> "Recommender":
        """Forget a solution."""
        self._check()
        self.index_.remove([("solution", solution_id)])
        self.solutions_.pop(solution_id, None)
        return self

    def remove_need(self, need_id: Hashable) -> "Recommender":
        """Forget a need."""
        self._check()
        self.index_.remove([("need", need_id)])
        self.needs_.pop(need_id, None)
        return self

    def refit(self) -> "Recommender":
        """Recompute IDF from the stored counts of all current documents (no re-analysis)."""
        self._check()
        self.index_.refit()
        return self

    # ------------------------------------------------------------------ dependencies
    @contextmanager
    def recording(self):
        """Collect every search made inside the block (a list of ``Searched``), so a cached
        result can later be checked against changes with ``ChangeImpact`` (which holds for
        queries by indexed id; a query given as an unindexed record is recorded under its key)."""
        log: list[Searched] = []
        previous = getattr(self, "_searches", None)
        self._searches = log
        try:
            yield log
        finally:
            self._searches = previous

    def record(self, searched: Searched) -> None:
        """Note a search (or a memoised one) in the active recording, if any."""
        log = getattr(self, "_searches", None)
        if log is not None:
            log.append(searched)

    def near(self, key: Hashable, group: Any, k: int) -> Searched:
        """The top ``k`` documents of ``group`` nearest to the indexed document ``key``."""
        return self._near_vector(key, self.index_.vector_of(key), group, k)

    def near_many(self, keys: list, group: Any, k: int) -> list[Searched]:
        """``near`` for many documents with one batched search."""
        if not keys:
            return []
        queries = sp.vstack([self.index_.vector_of(key) for key in keys], format="csr")
        out = [Searched(key, group, k, tuple(hits)) for key, hits in
               zip(keys, self.index_.search_many(queries, k, group=group))]
        for searched in out:
            self.record(searched)
        return out

    # ------------------------------------------------------------------ scoring
    def _today(self) -> date:
        """The reference date for deadlines."""
        return self.today or date.today()

    def _explain(self, need: NeedDoc, sol: SolutionDoc, ps: PairScore, vector=None,
                 other: Hashable = None) -> Match:
        """Attach the explanation (shared terms) to a scored pair; only for shown matches.

        By default the need's stored vector against the indexed solution; a query that is not
        indexed passes its own ``vector`` and the ``other`` side's key (shared terms are
        symmetric)."""
        if vector is None:
            vector, other = self.index_.vector_of(("need", need.id)), ("solution", sol.id)
        terms = tuple(
            (t, round(w, 6)) for t, w in
            self.index_.shared_terms(vector, other, n=self.n_terms, unigrams_only=True))
        parts = ps.contributions
        return Match(need.id, sol.id, sol.company_id, ps.score, ps.text_score, parts[0][1],
                     ps.components, parts, terms, ps.reasons, ps.strengths, ps.cautions,
                     ps.low_confidence)

    @staticmethod
    def _rank(scored: list[Scored], top_k: int, include_low: bool,
              config: Optional[ScoringConfig] = None) -> list[Scored]:
        """Sort by score (desc), text score (desc) then the ranked item's id; drop weak ones
        unless asked. With a ``config`` the items are needs ranked for a solution and are
        ordered by ``ordering_score`` (the population-decline boost)."""
        if not include_low:
            scored = [s for s in scored if not s.pair.low_confidence]
        if config is None:
            scored.sort(key=lambda s: (-s.pair.score, -s.pair.text_score, s.ranked_id))
        else:
            scored.sort(key=lambda s: (-ordering_score(s.pair, s.need, config),
                                       -s.pair.score, -s.pair.text_score, s.ranked_id))
        return scored[:top_k]

    def _query(self, kind: str, value: Any):
        """``(record, key, vector)`` of a query: an indexed id, or a record/mapping that is
        vectorised as it would be indexed but not added (queries never change the index)."""
        table = self.needs_ if kind == "need" else self.solutions_
        if not isinstance(value, (NeedDoc, SolutionDoc, dict)):
            key = (kind, value)
            return table[value], key, self.index_.vector_of(key)
        record = as_need(value) if kind == "need" else as_solution(value)
        key = (kind, record.id)
        if table.get(record.id) is record:
            return record, key, self.index_.vector_of(key)
        return record, key, self.index_.vectorize([record.index_doc()])

    def _near_vector(self, key: Hashable, vector, group: Any, k: int) -> Searched:
        """``near`` for a query given by its vector (recorded under ``key``)."""
        searched = Searched(key, group, k, tuple(self.index_.search(vector, k, group=group)))
        self.record(searched)
        return searched

    def _scored_solutions(self, need: Any):
        """The query's vector and its text-near solutions, scored (see ``score_solutions``)."""
        self._check()
        today = self._today()
        nd, key, vector = self._query("need", need)
        hits = self._near_vector(key, vector, "solution", self.candidates).hits
        return vector, [Scored(score_pair(nd, self.solutions_[k[1]], cos, today, self.config),
                               nd, self.solutions_[k[1]], k[1]) for k, cos in hits]

    def score_solutions(self, need: Any) -> list[Scored]:
        """Every text-near solution of a need, scored but not explained (cheap), nearest first."""
        return self._scored_solutions(need)[1]

    def _scored_needs(self, solution: Any):
        """The query's vector and its text-near needs, scored (see ``score_needs``)."""
        self._check()
        today = self._today()
        sol, key, vector = self._query("solution", solution)
        hits = self._near_vector(key, vector, "need", self.candidates).hits
        return vector, [Scored(score_pair(self.needs_[k[1]], sol, cos, today, self.config),
                               self.needs_[k[1]], sol, k[1]) for k, cos in hits]

    def score_needs(self, solution: Any) -> list[Scored]:
        """Every text-near open need of a solution, scored but not explained, nearest first."""
        return self._scored_needs(solution)[1]

    def recommend_solutions(self, need: Any, top_k: int = 10,
                            include_low_confidence: bool = False) -> list[Match]:
        """Ranked solutions for a need (an id of an indexed need, or a NeedDoc/mapping)."""
        vector, scored = self._scored_solutions(need)
        ranked = self._rank(scored, top_k, include_low_confidence)
        return [self._explain(s.need, s.solution, s.pair, vector, ("solution", s.solution.id))
                for s in ranked]

    def recommend_needs(self, solution: Any, top_k: int = 10,
                        include_low_confidence: bool = False) -> list[Match]:
        """Ranked needs for a solution (an indexed id, or a SolutionDoc/mapping)."""
        vector, scored = self._scored_needs(solution)
        ranked = self._rank(scored, top_k, include_low_confidence, self.config)
        return [self._explain(s.need, s.solution, s.pair, vector, ("need", s.need.id))
                for s in ranked]

    def recommend_needs_for_company(self, company_id: Hashable, top_k: int = 10,
                                    include_low_confidence: bool = False) -> list[Match]:
        """Ranked needs for a company: each need with its best-matching solution of the company."""
        self._check()
        best: dict[Hashable, Scored] = {}
        for sol in self.company_solutions(company_id):
            for s in self._rank(self.score_needs(sol.id), self.candidates,
                                include_low_confidence):
                cur = best.get(s.need.id)
                if cur is None or (-s.pair.score, s.solution.id) < (-cur.pair.score,
                                                                    cur.solution.id):
                    best[s.need.id] = s
        ranked = self._rank(list(best.values()), top_k, True, self.config)
        return [self._explain(s.need, s.solution, s.pair) for s in ranked]

    def company_solutions(self, company_id: Hashable) -> list[SolutionDoc]:
        """The indexed solutions of a company, by id."""
        self._check()
        sols = sorted((s for s in self.solutions_.values() if s.company_id == company_id),
                      key=lambda s: s.id)
        self.record(Searched(("company", company_id), "company", 0,
                             tuple((("solution", s.id), 1.0) for s in sols)))
        return sols
