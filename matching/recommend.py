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
from matching.text import ENGLISH_ANALYZER

#: Prefix of a search's group when it ran in the English index: ``("en", "solution")``.
ENGLISH = "en"


def split_group(group: Any) -> tuple[str, Any]:
    """``(language, group)`` of a recorded search's group: ``"solution"`` is a Korean-index
    search, ``("en", "solution")`` an English-index one."""
    if isinstance(group, tuple) and len(group) == 2 and group[0] == ENGLISH:
        return ENGLISH, group[1]
    return "ko", group


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

    def _cosine(self, key, query, language: str = "ko") -> Optional[float]:
        """Cosine of a changed document to a query in the index of ``language`` (None when
        the document is not there)."""
        index = self.recommender.index_for(language)
        if (key, query[0], language) not in self._cosines:
            table = None
            if key in index:
                ids, vals = index.scores(index.vector_of(key), group=query[0])
                table = dict(zip(ids, vals.tolist()))
            self._cosines[key, query[0], language] = table
        table = self._cosines[key, query[0], language]
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
            language, group = split_group(search.group)
            hit_keys = {h[0] for h in search.hits}
            threshold = search.hits[-1][1] if search.hits and len(search.hits) >= search.k else 0.0
            for key in self.changed:
                if key[0] != group:
                    continue
                if key in hit_keys:
                    return True
                cosine = self._cosine(key, search.query, language)
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
    """Reciprocal recommender over a shared text index of needs and solutions per language.

    Korean needs and every solution's Korean fields share ``index_``. English needs
    (``NeedDoc.language == "en"``) and the English fields of the solutions that have some
    (``SolutionDoc.has_english``) share ``english_index_`` (same TF-IDF, analysed by
    ``matching.text.EnglishAnalyzer``; ``english_index_params`` overrides its parameters). An
    English need is matched only in the English index, so a solution without English text is
    no candidate for it; a solution's needs are its Korean needs from ``index_`` and, if it has
    English text, its English needs from ``english_index_``, scored by the same calibrated
    ``score_pair`` and ranked together (one main-list floor).

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
                 index_params: Optional[dict] = None,
                 english_index_params: Optional[dict] = None):
        self.config = config
        self.candidates = candidates
        self.today = today
        self.n_terms = n_terms
        self.refit_every = refit_every
        self.index_params = index_params
        self.english_index_params = english_index_params

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
            [s.index_doc() for s in sols] + [n.index_doc() for n in nds if n.language == "ko"])
        en_params = dict(params, analyzer=ENGLISH_ANALYZER)
        en_params.update(self.english_index_params or {})
        self.english_index_ = TextIndex(**en_params).fit(
            [s.english_index_doc() for s in sols if s.has_english]
            + [n.index_doc() for n in nds if n.language == ENGLISH])
        return self

    def index_for(self, language: str) -> TextIndex:
        """The text index of a language ("ko" or "en")."""
        self._check()
        return self.english_index_ if language == ENGLISH else self.index_

    def _index_of(self, key: Hashable) -> TextIndex:
        """The index holding an indexed document's key: an English need's is the English index;
        a solution's (and a Korean need's) the Korean one."""
        if key[0] == "need":
            need = self.needs_.get(key[1])
            if need is not None and need.language == ENGLISH:
                return self.english_index_
        return self.index_

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
        return self._index_of((kind, doc_id)).term_weights((kind, doc_id))

    # ------------------------------------------------------------------ freshness
    def upsert_solution(self, solution: Any) -> "Recommender":
        """Add or replace a solution; visible to the next query."""
        self._check()
        sol = as_solution(solution)
        self.index_.add([sol.index_doc()])
        if sol.has_english:
            self.english_index_.add([sol.english_index_doc()])
        else:
            self.english_index_.remove([("solution", sol.id)])
        self.solutions_[sol.id] = sol
        return self

    def upsert_need(self, need: Any) -> "Recommender":
        """Add or replace a need; visible to the next query."""
        self._check()
        nd = as_need(need)
        own, other = ((self.english_index_, self.index_) if nd.language == ENGLISH
                      else (self.index_, self.english_index_))
        other.remove([("need", nd.id)])  # its language may have changed
        own.add([nd.index_doc()])
        self.needs_[nd.id] = nd
        return self

    def remove_solution(self, solution_id: Hashable) -> "Recommender":
        """Forget a solution."""
        self._check()
        self.index_.remove([("solution", solution_id)])
        self.english_index_.remove([("solution", solution_id)])
        self.solutions_.pop(solution_id, None)
        return self

    def remove_need(self, need_id: Hashable) -> "Recommender":
        """Forget a need."""
        self._check()
        self.index_.remove([("need", need_id)])
        self.english_index_.remove([("need", need_id)])
        self.needs_.pop(need_id, None)
        return self

    def refit(self) -> "Recommender":
        """Recompute IDF from the stored counts of all current documents in both indexes (no
        re-analysis)."""
        self._check()
        self.index_.refit()
        self.english_index_.refit()
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
        """The top ``k`` documents of ``group`` nearest to the indexed document ``key`` in the
        index that holds it (an English need's neighbours are in the English index)."""
        index = self._index_of(key)
        if index is self.english_index_:
            return self._near_vector(key, index.vector_of(key), (ENGLISH, group), k)
        return self._near_vector(key, index.vector_of(key), group, k)

    def near_many(self, keys: list, group: Any, k: int) -> list[Searched]:
        """``near`` for many documents with one batched search per index (results in the
        order of ``keys``)."""
        if not keys:
            return []
        found: dict = {}
        for language in ("ko", ENGLISH):
            index = self.index_for(language)
            part = [key for key in keys if (self._index_of(key) is index)]
            if not part:
                continue
            queries = sp.vstack([index.vector_of(key) for key in part], format="csr")
            label = group if language == "ko" else (ENGLISH, group)
            for key, hits in zip(part, index.search_many(queries, k, group=group)):
                found[key] = Searched(key, label, k, tuple(hits))
        out = [found[key] for key in keys]
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
        symmetric). An English need's terms are the English index's (English stems)."""
        index = self.index_for(need.language)
        if vector is None:
            vector, other = index.vector_of(("need", need.id)), ("solution", sol.id)
        terms = tuple(
            (t, round(w, 6)) for t, w in
            index.shared_terms(vector, other, n=self.n_terms, unigrams_only=True))
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

    def _record_of(self, kind: str, value: Any):
        """``(record, key, indexed)`` of a query: an indexed id or a record/mapping."""
        table = self.needs_ if kind == "need" else self.solutions_
        if not isinstance(value, (NeedDoc, SolutionDoc, dict)):
            return table[value], (kind, value), True
        record = as_need(value) if kind == "need" else as_solution(value)
        return record, (kind, record.id), table.get(record.id) is record

    def _query(self, kind: str, value: Any, language: str = "ko"):
        """``(record, key, vector)`` of a query in the index of ``language`` (a need's own
        language when ``kind == "need"``): an indexed id, or a record/mapping that is
        vectorised as it would be indexed but not added (queries never change the index)."""
        record, key, indexed = self._record_of(kind, value)
        if kind == "need":
            language = record.language
        index = self.index_for(language)
        if indexed and key in index:
            return record, key, index.vector_of(key)
        doc = (record.english_index_doc() if kind == "solution" and language == ENGLISH
               else record.index_doc())
        return record, key, index.vectorize([doc])

    def _near_vector(self, key: Hashable, vector, group: Any, k: int) -> Searched:
        """``near`` for a query given by its vector (recorded under ``key``); a group
        ``("en", g)`` searches group ``g`` of the English index."""
        language, plain = split_group(group)
        hits = self.index_for(language).search(vector, k, group=plain)
        searched = Searched(key, group, k, tuple(hits))
        self.record(searched)
        return searched

    def _scored_solutions(self, need: Any):
        """The query's vector and its text-near solutions, scored (see ``score_solutions``).

        An English need searches the English index (solutions with English text only)."""
        self._check()
        today = self._today()
        nd, key, vector = self._query("need", need)
        group = (ENGLISH, "solution") if nd.language == ENGLISH else "solution"
        hits = self._near_vector(key, vector, group, self.candidates).hits
        return vector, [Scored(score_pair(nd, self.solutions_[k[1]], cos, today, self.config),
                               nd, self.solutions_[k[1]], k[1]) for k, cos in hits]

    def score_solutions(self, need: Any) -> list[Scored]:
        """Every text-near solution of a need, scored but not explained (cheap), nearest first."""
        return self._scored_solutions(need)[1]

    def _scored_needs(self, solution: Any):
        """The query's vectors per language and its text-near needs, scored (see
        ``score_needs``): Korean needs by the Korean fields, and English needs by the English
        fields when the solution has some; one list, Korean first then English, each nearest
        first."""
        self._check()
        today = self._today()
        sol, key, vector = self._query("solution", solution)
        vectors = {"ko": vector}
        hits = list(self._near_vector(key, vector, "need", self.candidates).hits)
        if sol.has_english and len(self.english_index_):
            _sol, _key, vectors[ENGLISH] = self._query("solution", solution, ENGLISH)
            hits += self._near_vector(key, vectors[ENGLISH], (ENGLISH, "need"),
                                      self.candidates).hits
        return vectors, [Scored(score_pair(self.needs_[k[1]], sol, cos, today, self.config),
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
        vectors, scored = self._scored_needs(solution)
        ranked = self._rank(scored, top_k, include_low_confidence, self.config)
        return [self._explain(s.need, s.solution, s.pair, vectors[s.need.language],
                              ("need", s.need.id)) for s in ranked]

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
