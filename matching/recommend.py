"""Two-way recommender: need → solutions, solution → needs, company → needs."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date
from typing import Any, Hashable, Iterable, NamedTuple, Optional

import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from matching.explain import Match
from matching.index import TextIndex
from matching.records import NeedDoc, SolutionDoc, as_need, as_solution
from matching.scoring import DEFAULT_CONFIG, PairScore, ScoringConfig, score_pair


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
                            or getattr(rec.solutions_.get(key[1]), "company_id", None) == search.query[1]):
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
    def fit(self, solutions: Iterable[Any], needs: Iterable[Any] = (), y=None) -> "Recommender":
        """Index solutions and needs (NeedDoc/SolutionDoc or mappings)."""
        sols = [as_solution(s) for s in solutions]
        nds = [as_need(n) for n in needs]
        self._lock = threading.RLock()
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

    # ------------------------------------------------------------------ freshness
    def upsert_solution(self, solution: Any) -> "Recommender":
        """Add or replace a solution; visible to the next query."""
        self._check()
        sol = as_solution(solution)
        with self._lock:
            self.index_.add([sol.index_doc()])
            self.solutions_[sol.id] = sol
        return self

    def upsert_need(self, need: Any) -> "Recommender":
        """Add or replace a need; visible to the next query."""
        self._check()
        nd = as_need(need)
        with self._lock:
            self.index_.add([nd.index_doc()])
            self.needs_[nd.id] = nd
        return self

    def remove_solution(self, solution_id: Hashable) -> "Recommender":
        """Forget a solution."""
        self._check()
        with self._lock:
            self.index_.remove([("solution", solution_id)])
            self.solutions_.pop(solution_id, None)
        return self

    def remove_need(self, need_id: Hashable) -> "Recommender":
        """Forget a need."""
        self._check()
        with self._lock:
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
        result can later be checked against changes with ``ChangeImpact``."""
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
        searched = Searched(key, group, k, tuple(
            self.index_.search(self.index_.vector_of(key), k, group=group)))
        self.record(searched)
        return searched

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

    def _explain(self, need: NeedDoc, sol: SolutionDoc, ps: PairScore) -> Match:
        """Attach the explanation (shared terms) to a scored pair; only for shown matches."""
        terms = tuple(
            (t, round(w, 6)) for t, w in
            self.index_.shared_terms(self.index_.vector_of(("need", need.id)),
                                     ("solution", sol.id), n=self.n_terms, unigrams_only=True))
        return Match(need.id, sol.id, sol.company_id, ps.score, ps.text_score, ps.text_relevance,
                     ps.need_fit, ps.company_fit, ps.need_side, ps.company_side, ps.components,
                     terms, ps.reasons, ps.low_confidence)

    @staticmethod
    def _rank(scored: list[Scored], top_k: int, include_low: bool) -> list[Scored]:
        """Sort by score (desc), text score (desc) then the ranked item's id; drop weak ones
        unless asked."""
        if not include_low:
            scored = [s for s in scored if not s.pair.low_confidence]
        scored.sort(key=lambda s: (-s.pair.score, -s.pair.text_score, s.ranked_id))
        return scored[:top_k]

    def _need_of(self, need: Any) -> NeedDoc:
        if isinstance(need, (NeedDoc, dict)):
            nd = as_need(need)
            if nd.id not in self.needs_ or self.needs_[nd.id] is not nd:
                self.upsert_need(nd)
            return nd
        return self.needs_[need]

    def _solution_of(self, solution: Any) -> SolutionDoc:
        if isinstance(solution, (SolutionDoc, dict)):
            sol = as_solution(solution)
            if sol.id not in self.solutions_ or self.solutions_[sol.id] is not sol:
                self.upsert_solution(sol)
            return sol
        return self.solutions_[solution]

    def score_solutions(self, need: Any) -> list[Scored]:
        """Every text-near solution of a need, scored but not explained (cheap), nearest first."""
        self._check()
        today = self._today()
        with self._lock:
            nd = self._need_of(need)
            hits = self.near(("need", nd.id), "solution", self.candidates).hits
            return [Scored(score_pair(nd, self.solutions_[k[1]], cos, today, self.config),
                           nd, self.solutions_[k[1]], k[1]) for k, cos in hits]

    def score_needs(self, solution: Any) -> list[Scored]:
        """Every text-near open need of a solution, scored but not explained, nearest first."""
        self._check()
        today = self._today()
        with self._lock:
            sol = self._solution_of(solution)
            hits = self.near(("solution", sol.id), "need", self.candidates).hits
            return [Scored(score_pair(self.needs_[k[1]], sol, cos, today, self.config),
                           self.needs_[k[1]], sol, k[1]) for k, cos in hits]

    def recommend_solutions(self, need: Any, top_k: int = 10,
                            include_low_confidence: bool = False) -> list[Match]:
        """Ranked solutions for a need (an id of an indexed need, or a NeedDoc/mapping)."""
        self._check()
        with self._lock:
            ranked = self._rank(self.score_solutions(need), top_k, include_low_confidence)
            return [self._explain(s.need, s.solution, s.pair) for s in ranked]

    def recommend_needs(self, solution: Any, top_k: int = 10,
                        include_low_confidence: bool = False) -> list[Match]:
        """Ranked needs for a solution (an indexed id, or a SolutionDoc/mapping)."""
        self._check()
        with self._lock:
            ranked = self._rank(self.score_needs(solution), top_k, include_low_confidence)
            return [self._explain(s.need, s.solution, s.pair) for s in ranked]

    def recommend_needs_for_company(self, company_id: Hashable, top_k: int = 10,
                                    include_low_confidence: bool = False) -> list[Match]:
        """Ranked needs for a company: each need with its best-matching solution of the company."""
        self._check()
        best: dict[Hashable, Scored] = {}
        with self._lock:
            for sol in self.company_solutions(company_id):
                for s in self._rank(self.score_needs(sol.id), self.candidates,
                                    include_low_confidence):
                    cur = best.get(s.need.id)
                    if cur is None or (-s.pair.score, s.solution.id) < (-cur.pair.score,
                                                                        cur.solution.id):
                        best[s.need.id] = s
            ranked = self._rank(list(best.values()), top_k, True)
            return [self._explain(s.need, s.solution, s.pair) for s in ranked]

    def company_solutions(self, company_id: Hashable) -> list[SolutionDoc]:
        """The indexed solutions of a company, by id."""
        self._check()
        sols = sorted((s for s in self.solutions_.values() if s.company_id == company_id),
                      key=lambda s: s.id)
        self.record(Searched(("company", company_id), "company", 0,
                             tuple((("solution", s.id), 1.0) for s in sols)))
        return sols

    def text_score(self, need_id: Hashable, solution_id: Hashable) -> float:
        """Cosine between an indexed need and an indexed solution."""
        self._check()
        q = self.index_.vector_of(("need", need_id))
        d = self.index_.vector_of(("solution", solution_id))
        return round(float(q.multiply(d).sum()), 6)
