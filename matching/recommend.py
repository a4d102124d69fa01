"""Two-way recommender: need → solutions, solution → needs, company → needs."""
from __future__ import annotations

import threading
from datetime import date
from typing import Any, Hashable, Iterable, Optional

from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from matching.explain import Match
from matching.index import TextIndex
from matching.records import NeedDoc, SolutionDoc, as_need, as_solution
from matching.scoring import DEFAULT_CONFIG, ScoringConfig, score_pair


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

    # ------------------------------------------------------------------ scoring
    def _today(self) -> date:
        """The reference date for deadlines."""
        return self.today or date.today()

    def _match(self, need: NeedDoc, sol: SolutionDoc, cosine: float, query_key, doc_key) -> Match:
        """Score one pair and attach its explanation."""
        ps = score_pair(need, sol, cosine, self._today(), self.config)
        terms = tuple(
            (t, round(w, 6)) for t, w in
            self.index_.shared_terms(self.index_.vector_of(query_key), doc_key,
                                     n=self.n_terms, unigrams_only=True))
        return Match(need.id, sol.id, sol.company_id, ps.score, ps.text_score, ps.text_relevance,
                     ps.need_fit, ps.company_fit, ps.need_side, ps.company_side, ps.components,
                     terms, ps.reasons, ps.low_confidence)

    @staticmethod
    def _rank(matches: list[Match], key_id, top_k: int, include_low: bool) -> list[Match]:
        """Sort by score (desc) then id; drop low-confidence matches unless asked."""
        if not include_low:
            matches = [m for m in matches if not m.low_confidence]
        matches.sort(key=lambda m: (-m.score, -m.text_score, key_id(m)))
        return matches[:top_k]

    def recommend_solutions(self, need: Any, top_k: int = 10,
                            include_low_confidence: bool = False) -> list[Match]:
        """Ranked solutions for a need (an id of an indexed need, or a NeedDoc/mapping)."""
        self._check()
        with self._lock:
            if isinstance(need, (NeedDoc, dict)):
                nd = as_need(need)
                if nd.id not in self.needs_ or self.needs_[nd.id] is not nd:
                    self.upsert_need(nd)
            else:
                nd = self.needs_[need]
            qkey = ("need", nd.id)
            hits = self.index_.search(self.index_.vector_of(qkey), self.candidates,
                                      group="solution")
            matches = [self._match(nd, self.solutions_[k[1]], cos, qkey, k) for k, cos in hits]
        return self._rank(matches, lambda m: m.solution_id, top_k, include_low_confidence)

    def recommend_needs(self, solution: Any, top_k: int = 10,
                        include_low_confidence: bool = False) -> list[Match]:
        """Ranked needs for a solution (an indexed id, or a SolutionDoc/mapping)."""
        self._check()
        with self._lock:
            if isinstance(solution, (SolutionDoc, dict)):
                sol = as_solution(solution)
                if sol.id not in self.solutions_ or self.solutions_[sol.id] is not sol:
                    self.upsert_solution(sol)
            else:
                sol = self.solutions_[solution]
            skey = ("solution", sol.id)
            hits = self.index_.search(self.index_.vector_of(skey), self.candidates, group="need")
            matches = [self._match(self.needs_[k[1]], sol, cos, k, skey) for k, cos in hits]
        return self._rank(matches, lambda m: m.need_id, top_k, include_low_confidence)

    def recommend_needs_for_company(self, company_id: Hashable, top_k: int = 10,
                                    include_low_confidence: bool = False) -> list[Match]:
        """Ranked needs for a company: each need with its best-matching solution of the company."""
        self._check()
        best: dict[Hashable, Match] = {}
        for sol in self.company_solutions(company_id):
            for m in self.recommend_needs(sol.id, self.candidates, include_low_confidence):
                cur = best.get(m.need_id)
                if cur is None or (-m.score, m.solution_id) < (-cur.score, cur.solution_id):
                    best[m.need_id] = m
        return self._rank(list(best.values()), lambda m: m.need_id, top_k, True)

    def company_solutions(self, company_id: Hashable) -> list[SolutionDoc]:
        """The indexed solutions of a company, by id."""
        self._check()
        sols = [s for s in self.solutions_.values() if s.company_id == company_id]
        return sorted(sols, key=lambda s: s.id)

    def text_score(self, need_id: Hashable, solution_id: Hashable) -> float:
        """Cosine between an indexed need and an indexed solution."""
        self._check()
        q = self.index_.vector_of(("need", need_id))
        d = self.index_.vector_of(("solution", solution_id))
        return round(float(q.multiply(d).sum()), 6)
