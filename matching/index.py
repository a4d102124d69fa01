"""Field-weighted TF-IDF index with cosine search, explanations and incremental updates."""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Hashable, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer

from matching.text import KoreanAnalyzer, DEFAULT_ANALYZER, split_tokens

#: Default field weights: short, precise fields count more than the long description.
DEFAULT_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("tags", 2.0),
    ("summary", 1.5),
    ("text", 1.0),
)
#: Joiner of adjacent-term bigram features (analysed terms never contain a space).
BIGRAM_JOINER = " "
_SCORE_DECIMALS = 6
_DTYPE = np.float32


def term_features(tokens: Sequence[str], bigrams: bool) -> list[str]:
    """Unigram terms plus, optionally, adjacent-term bigrams ``"a b"``."""
    tokens = list(tokens)
    if bigrams and len(tokens) > 1:
        tokens.extend(a + BIGRAM_JOINER + b for a, b in zip(tokens, tokens[1:]))
    return tokens


def field_text(value: Any) -> str:
    """Render a field value (string, list of tags, None) as text for analysis."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ".join(str(v) for v in value)


class TextIndex(BaseEstimator):
    """Searchable TF-IDF index over documents with several weighted text fields.

    Each document is a mapping with an ``id``, optional ``group`` (e.g. "need"/"solution") and
    text fields (see ``fields``). Pre-analysed tokens may be given as ``doc["tokens"][field]``
    (a list or a space-joined string); then the text is not re-analysed. Term frequency per
    document is the field-weighted sum of counts, then ``tf`` weighting ("bm25": saturation
    ``tf·(k1+1)/(tf+k1·(1-b+b·len/avglen))``, "sublinear": ``1+log tf``, "raw"), times the
    smoothed IDF of scikit-learn's ``TfidfTransformer``, L2-normalised; scores are cosines.
    """

    def __init__(
        self,
        fields: Sequence[tuple[str, float]] = DEFAULT_FIELDS,
        analyzer: KoreanAnalyzer | None = None,
        bigrams: bool = True,
        tf: str = "bm25",
        k1: float = 1.2,
        b: float = 0.75,
        refit_every: int | None = 500,
    ):
        self.fields = fields
        self.analyzer = analyzer
        self.bigrams = bigrams
        self.tf = tf
        self.k1 = k1
        self.b = b
        self.refit_every = refit_every

    # ------------------------------------------------------------------ analysis
    def _analyzer(self) -> KoreanAnalyzer:
        """The analyser in use (the shared default unless one was given)."""
        return self.analyzer if self.analyzer is not None else DEFAULT_ANALYZER

    def analyse_docs(self, docs: Sequence[Mapping]) -> list[dict[str, list[str]]]:
        """Per-document ``{field: tokens}``, analysing in one batch only the fields not given."""
        out: list[dict[str, list[str]]] = []
        todo: list[tuple[int, str, str]] = []
        for i, doc in enumerate(docs):
            given = doc.get("tokens") or {}
            row: dict[str, list[str]] = {}
            for name, _w in self.fields:
                if name in given and given[name] is not None:
                    row[name] = split_tokens(given[name])
                else:
                    text = field_text(doc.get(name))
                    if text.strip():
                        todo.append((i, name, text))
                    else:
                        row[name] = []
            out.append(row)
        if todo:
            analysed = self._analyzer().analyse_many(t for _, _, t in todo)
            for (i, name, _t), toks in zip(todo, analysed):
                out[i][name] = toks
        return out

    def _counts(self, analysed: Sequence[Mapping[str, list[str]]], grow: bool) -> sp.csr_matrix:
        """Field-weighted term counts, one row per document (vocabulary grows if ``grow``)."""
        vocab = self.vocabulary_
        terms = self._terms
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for row in analysed:
            acc: dict[int, float] = {}
            for name, weight in self.fields:
                toks = row.get(name)
                if not toks:
                    continue
                for term, c in Counter(term_features(toks, self.bigrams)).items():
                    j = vocab.get(term)
                    if j is None:
                        if not grow:
                            continue
                        j = vocab[term] = len(terms)
                        terms.append(term)
                    acc[j] = acc.get(j, 0.0) + weight * c
            indices.extend(acc.keys())
            data.extend(acc.values())
            indptr.append(len(indices))
        mat = sp.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32),
             np.asarray(indptr, dtype=np.int64)),
            shape=(len(analysed), len(terms)),
        )
        mat.sort_indices()
        return mat

    # ------------------------------------------------------------------ weighting
    def _weight(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Apply tf weighting, fitted IDF and L2 norm to count rows (unknown columns dropped)."""
        n_feat = self.idf_.shape[0]
        counts = sp.csr_matrix(counts, dtype=np.float64, copy=True)
        if self.tf == "bm25":
            lengths = np.asarray(counts.sum(axis=1)).ravel()
            rel = lengths / self.avg_length_ if self.avg_length_ > 0 else np.ones_like(lengths)
            denom_row = self.k1 * (1.0 - self.b + self.b * rel)
            row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
            tfv = counts.data
            counts.data = tfv * (self.k1 + 1.0) / (tfv + denom_row[row_of])
        elif self.tf == "sublinear":
            counts.data = 1.0 + np.log(counts.data)
        elif self.tf != "raw":
            raise ValueError(f"unknown tf weighting {self.tf!r}; use 'bm25', 'sublinear' or 'raw'")
        # Terms unseen at the last fit get the IDF of a term seen once: they count in the
        # norm (so a new document is not over-scored) but are not scored until a refit.
        known = counts.indices < n_feat
        idf = np.full(counts.indices.shape, self.unseen_idf_)
        idf[known] = self.idf_[counts.indices[known]]
        counts.data *= idf
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        counts.data /= norms[row_of]
        counts.data[~known] = 0.0
        counts.eliminate_zeros()
        counts = sp.csr_matrix(counts[:, :n_feat]) if counts.shape[1] != n_feat else counts
        return sp.csr_matrix(counts, dtype=_DTYPE)

    def _fit_weights(self, counts: sp.csr_matrix) -> None:
        """Learn IDF and the average document length from a count matrix."""
        transformer = TfidfTransformer(smooth_idf=True, sublinear_tf=False)
        if counts.shape[0] == 0 or counts.shape[1] == 0:
            self.idf_ = np.ones(counts.shape[1])
        else:
            transformer.fit(counts)
            self.idf_ = transformer.idf_.copy()
        n_docs = counts.shape[0]
        self.unseen_idf_ = float(np.log((1.0 + n_docs) / 2.0) + 1.0)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        self.avg_length_ = float(lengths.mean()) if lengths.size else 0.0

    # ------------------------------------------------------------------ fitting
    def fit(self, docs: Iterable[Mapping], y=None) -> "TextIndex":
        """Analyse (or read pre-analysed tokens of) ``docs``, learn IDF and build the index."""
        docs = list(docs)
        ids = [d["id"] for d in docs]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1}, key=str)[:5]
            raise ValueError(f"duplicate document ids: {dup}")
        analysed = self.analyse_docs(docs)
        self._lock = threading.RLock()
        self.vocabulary_: dict[str, int] = {}
        self._terms: list[str] = []
        counts = self._counts(analysed, grow=True)
        groups = [d.get("group") for d in docs]
        self._build(ids, groups, counts)
        return self

    def _build(self, ids: list, groups: list, counts: sp.csr_matrix) -> None:
        """(Re)compute IDF and all weighted matrices from stored counts."""
        self._fit_weights(counts)
        self.ids_ = list(ids)
        self._counts_base = sp.csr_matrix(counts, dtype=_DTYPE)
        self._groups_base = list(groups)
        self._group_codes: dict[Any, int] = {}
        self._group_base = np.array([self._group_code(g) for g in groups], dtype=np.int32)
        self._XT = self._weight(counts).T.tocsr()
        self._alive = np.ones(len(ids), dtype=bool)
        self._pos: dict[Hashable, tuple[str, int]] = {i: ("b", k) for k, i in enumerate(ids)}
        self._delta_ids: list = []
        self._delta_groups: list = []
        self._delta_counts: list[sp.csr_matrix] = []
        self._delta_rows: list[sp.csr_matrix] = []
        self._delta_alive: list[bool] = []
        self._X_delta = sp.csr_matrix((0, self.idf_.shape[0]))
        self.n_changes_ = 0

    def _group_code(self, group: Any) -> int:
        """Small integer code of a group label (assigned on first sight)."""
        code = self._group_codes.get(group)
        if code is None:
            code = self._group_codes[group] = len(self._group_codes)
        return code

    def _group_mask(self, group: Any) -> np.ndarray:
        """Live base rows, restricted to ``group`` when given."""
        mask = self._alive.copy()
        if group is not None:
            mask &= self._group_base == self._group_codes.get(group, -1)
        return mask

    def _check(self) -> None:
        """Raise ``NotFittedError`` unless ``fit`` has been called."""
        if not hasattr(self, "idf_"):
            raise NotFittedError("This TextIndex instance is not fitted yet. Call 'fit' first.")

    # ------------------------------------------------------------------ incremental updates
    def add(self, docs: Iterable[Mapping]) -> "TextIndex":
        """Insert or replace documents now, with the current vocabulary and IDF."""
        self._check()
        docs = list(docs)
        if not docs:
            return self
        analysed = self.analyse_docs(docs)
        with self._lock:
            counts = self._counts(analysed, grow=True)
            rows = self._weight(counts)
            for k, doc in enumerate(docs):
                self._kill(doc["id"])
                self._pos[doc["id"]] = ("d", len(self._delta_ids))
                self._delta_ids.append(doc["id"])
                self._delta_groups.append(doc.get("group"))
                self._delta_counts.append(counts[k])
                self._delta_rows.append(rows[k])
                self._delta_alive.append(True)
            self._X_delta = sp.vstack(self._delta_rows, format="csr") if self._delta_rows else \
                sp.csr_matrix((0, self.idf_.shape[0]))
            self.n_changes_ += len(docs)
            if self.refit_every and self.n_changes_ >= self.refit_every:
                self.refit()
        return self

    def remove(self, ids: Iterable[Hashable]) -> "TextIndex":
        """Remove documents by id (unknown ids are ignored)."""
        self._check()
        with self._lock:
            for i in ids:
                if self._kill(i):
                    self.n_changes_ += 1
            if self.refit_every and self.n_changes_ >= self.refit_every:
                self.refit()
        return self

    def _kill(self, doc_id: Hashable) -> bool:
        """Mark the live row of ``doc_id`` as deleted; return whether there was one."""
        where = self._pos.pop(doc_id, None)
        if where is None:
            return False
        seg, k = where
        if seg == "b":
            self._alive[k] = False
        else:
            self._delta_alive[k] = False
        return True

    def refit(self) -> "TextIndex":
        """Recompute vocabulary IDF and weights from stored counts of all live documents."""
        self._check()
        with self._lock:
            ids, groups, rows = [], [], []
            alive_b = np.flatnonzero(self._alive)
            ids.extend(self.ids_[k] for k in alive_b)
            groups.extend(self._groups_base[k] for k in alive_b)
            width = len(self._terms)
            base = self._counts_base[alive_b]
            base = sp.csr_matrix((base.data, base.indices, base.indptr), shape=(base.shape[0], width))
            rows.append(base)
            for k, alive in enumerate(self._delta_alive):
                if alive:
                    ids.append(self._delta_ids[k])
                    groups.append(self._delta_groups[k])
                    r = self._delta_counts[k]
                    rows.append(sp.csr_matrix((r.data, r.indices, r.indptr), shape=(1, width)))
            counts = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, width))
            self._build(ids, groups, counts)
        return self

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        """Number of live documents."""
        self._check()
        return len(self._pos)

    def __contains__(self, doc_id: Hashable) -> bool:
        """Whether ``doc_id`` is a live document."""
        return hasattr(self, "_pos") and doc_id in self._pos

    def transform(self, docs: Iterable[Mapping]) -> sp.csr_matrix:
        """TF-IDF rows of new documents (not added), with the fitted vocabulary and IDF."""
        self._check()
        docs = list(docs)
        with self._lock:
            counts = self._counts(self.analyse_docs(docs), grow=False)
            return self._weight(counts)

    def vector_of(self, doc_id: Hashable) -> sp.csr_matrix:
        """The stored TF-IDF row (1 × n_features) of a live document."""
        self._check()
        seg, k = self._pos[doc_id]
        return self._weight(self._counts_base[k]) if seg == "b" else self._delta_rows[k]

    def _query_vector(self, query: Any) -> sp.csr_matrix:
        """Accept a text, a doc mapping or a ready 1-row matrix and return a TF-IDF row."""
        if sp.issparse(query):
            return sp.csr_matrix(query)
        if isinstance(query, str):
            query = {"id": None, self.fields[-1][0]: query}
        return self.transform([query])

    def _raw_scores(self, q: sp.csr_matrix, group: Any) -> tuple["_Ids", np.ndarray]:
        """Scores of every base and delta row; dead or out-of-group rows get -inf."""
        with self._lock:
            if self._XT.shape[1]:
                base = np.asarray((q @ self._XT).todense(), dtype=np.float64).ravel()
            else:
                base = np.zeros(0)
            base[~self._group_mask(group)] = -np.inf
            delta = np.zeros(0)
            if self._delta_ids:
                delta = np.asarray((self._X_delta @ q.T).todense(), dtype=np.float64).ravel()
                for k, alive in enumerate(self._delta_alive):
                    if not alive or (group is not None and self._delta_groups[k] != group):
                        delta[k] = -np.inf
            ids = _Ids(self.ids_, list(self._delta_ids))
        return ids, np.round(np.concatenate([base, delta]), _SCORE_DECIMALS)

    def scores(self, query: Any, group: Any = None) -> tuple[list, np.ndarray]:
        """``(ids, cosines)`` of all live documents (optionally of one ``group``) for ``query``."""
        self._check()
        ids, vals = self._raw_scores(self._query_vector(query), group)
        keep = np.flatnonzero(np.isfinite(vals))
        return [ids[k] for k in keep], vals[keep]

    def search(self, query: Any, top_k: int = 10, group: Any = None,
               min_score: float = 0.0) -> list[tuple[Hashable, float]]:
        """Top-``k`` ``(id, cosine)`` pairs, best first, ties broken by id; zero scores dropped."""
        self._check()
        ids, vals = self._raw_scores(self._query_vector(query), group)
        return top_k_pairs(ids, vals, top_k, min_score)

    def search_many(self, queries: sp.csr_matrix, top_k: int = 10, group: Any = None,
                    chunk_size: int = 256) -> list[list[tuple[Hashable, float]]]:
        """Top-``k`` results for many query rows at once (chunked sparse products)."""
        self._check()
        queries = sp.csr_matrix(queries)
        with self._lock:
            mask = self._group_mask(group)
            cols = np.flatnonzero(mask)
            ids = [self.ids_[k] for k in cols]
            dkeep = [k for k, a in enumerate(self._delta_alive)
                     if a and (group is None or self._delta_groups[k] == group)]
            ids_all = ids + [self._delta_ids[k] for k in dkeep]
            XT = self._XT[:, cols] if cols.size != self._XT.shape[1] else self._XT
            XdT = self._X_delta[dkeep].T.tocsr() if dkeep else None
            out: list[list[tuple[Hashable, float]]] = []
            for start in range(0, queries.shape[0], chunk_size):
                block = queries[start:start + chunk_size]
                S = (block @ XT).toarray()
                if XdT is not None:
                    S = np.hstack([S, (block @ XdT).toarray()])
                S = np.round(S.astype(np.float64), _SCORE_DECIMALS)
                for r in range(S.shape[0]):
                    out.append(top_k_pairs(ids_all, S[r], top_k))
        return out

    def shared_terms(self, query: Any, doc_id: Hashable, n: int = 5,
                     unigrams_only: bool = False) -> list[tuple[str, float]]:
        """Terms present in both query and document, by contribution ``w_q·w_d`` (sum = cosine)."""
        q = self._query_vector(query)
        d = self.vector_of(doc_id)
        prod = q.multiply(d).tocsr()
        pairs = [(self._terms[j], float(v)) for j, v in zip(prod.indices, prod.data) if v > 0]
        if unigrams_only:
            pairs = [p for p in pairs if BIGRAM_JOINER not in p[0]]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs[:n]

    def term_weights(self, doc: Any) -> dict[str, float]:
        """``{term: weight}`` of a live document id or of a query (text, mapping, row)."""
        if isinstance(doc, (str, Mapping)) or sp.issparse(doc):
            v = self._query_vector(doc)
        else:
            v = self.vector_of(doc)
        v = sp.csr_matrix(v)
        return {self._terms[j]: float(w) for j, w in zip(v.indices, v.data)}

    @property
    def n_features_(self) -> int:
        """Number of scored terms (those known at the last fit or refit)."""
        self._check()
        return int(self.idf_.shape[0])

    def memory_bytes(self) -> int:
        """Approximate bytes held by the sparse matrices of the index."""
        self._check()
        total = 0
        for m in (self._XT, self._counts_base, self._X_delta):
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return total


class _Ids:
    """Read-only concatenation of the base and delta id lists (no copying of the base)."""

    def __init__(self, base: list, delta: list):
        self.base, self.delta = base, delta

    def __len__(self) -> int:
        return len(self.base) + len(self.delta)

    def __getitem__(self, k: int):
        n = len(self.base)
        return self.base[k] if k < n else self.delta[k - n]


def top_k_pairs(ids: Sequence[Hashable], vals: np.ndarray, k: int,
                min_score: float = 0.0) -> list[tuple[Hashable, float]]:
    """The ``k`` best ``(id, score)`` with score > ``min_score``, ties broken by ascending id."""
    if k <= 0 or len(ids) == 0:
        return []
    vals = np.asarray(vals)
    if len(vals) > k:
        kth = np.partition(vals, len(vals) - k)[len(vals) - k]
        cand = np.flatnonzero(vals >= kth)
    else:
        cand = np.arange(len(vals))
    cand = [int(c) for c in cand if vals[c] > min_score]
    cand.sort(key=lambda c: (-vals[c], ids[c]))
    return [(ids[c], float(vals[c])) for c in cand[:k]]
