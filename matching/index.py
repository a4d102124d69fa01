"""Field-weighted TF-IDF index with cosine search, explanations and incremental updates."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Hashable, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import saxpy as _saxpy
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer

from matching.text import KoreanAnalyzer, DEFAULT_ANALYZER, normalize, split_tokens

#: Default field weights: short, precise fields count more than the long description.
DEFAULT_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("tags", 2.0),
    ("summary", 1.5),
    ("text", 1.0),
)
#: Joiner of adjacent-term bigram features (analysed terms never contain a space).
BIGRAM_JOINER = " "
#: Prefix of character-bigram subword features (contains a space, so it can collide with no
#: analysed term, and every "not a plain term" check on ``BIGRAM_JOINER`` also skips subwords).
SUBWORD_PREFIX = " #"
#: Prefix of raw-text character n-gram features (``char_ngrams``); contains a space like
#: ``SUBWORD_PREFIX``, so it collides with no analysed term and explanations skip it.
CHAR_PREFIX = " ~"
#: Parameters of the retrieval preset (queries → documents; the CLI's ``rank``/``evaluate``):
#: bounded BM25 over the analysed terms fused 0.7/0.3 with a raw-text character n-gram cosine,
#: each block divided by its best score for the query (chosen on train parts of four sets in
#: docs/matching.md; the symmetric cosine default stays for need ↔ solution).
RETRIEVAL: dict = {"scoring": "bm25", "k1": 0.9, "char_ngrams": 0.3,
                   "char_field_weights": False, "fusion": "max"}
#: The preset before the max-normalised fusion (kept for comparison in research/).
RETRIEVAL_SUM: dict = {"scoring": "bm25", "char_ngrams": 0.2, "k1": 0.9}
_SCORE_DECIMALS = 6
#: Indexes with at least this many rows keep features present in at least this share of the
#: rows also as a dense block (at most this many bytes) for search and search_many.
_DENSE_MIN_ROWS = 20_000
_DENSE_MIN_SHARE = 0.05
_DENSE_BUDGET = 384 * 2**20
#: Documents analysed and counted per block in ``fit`` (bounds the token strings held at once).
_FIT_BLOCK = 8192
_DTYPE = np.float32


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
    document is the field-weighted sum of counts (features: analysed terms, optional adjacent-term
    ``bigrams`` and, with ``subwords`` > 0, character bigrams of Hangul terms of at least
    ``subword_min_len`` letters weighted ``subwords`` × the field weight), then ``tf`` weighting ("bm25": saturation
    ``tf·(k1+1)/(tf+k1·(1-b+b·len/avglen))``, "sublinear": ``1+log tf``, "raw"), times the
    smoothed IDF of scikit-learn's ``TfidfTransformer``, L2-normalised; scores are cosines.

    ``char_ngrams`` = w > 0 adds character n-grams (``char_range``, within words padded with a
    space, as scikit-learn's ``char_wb``) of each field's raw text (counted × the field weight,
    or once per field without ``char_field_weights``), weighted sublinearly × IDF and
    L2-normalised as a block of their own: the score is ``(1-w)·term score + w·char cosine``
    (``fusion="sum"``) or, with ``fusion="max"``, ``(1-w)·term/max term + w·char/max char``, each
    block divided by its best score for that query among the documents searched, so the two
    blocks weigh alike whatever their scales (the best document in both scores 1).
    ``scoring="bm25"`` makes the term score a bounded BM25 for retrieval (asymmetric): a document
    term weighs ``idf · tf_bm25/(k1+1)``, a query term ``1 / Σ query idf``, so the score is the
    IDF-weighted share of query terms matched (saturated) in [0, 1]; :meth:`transform` then
    weighs *queries* and :meth:`vectorize` documents. ``"cosine"`` (the default) is symmetric.
    """

    def __init__(
        self,
        fields: Sequence[tuple[str, float]] = DEFAULT_FIELDS,
        analyzer: KoreanAnalyzer | None = None,
        bigrams: bool = False,
        tf: str = "bm25",
        k1: float = 1.2,
        b: float = 0.75,
        refit_every: int | None = 500,
        subwords: float = 0.2,
        subword_min_len: int = 2,
        scoring: str = "cosine",
        char_ngrams: float = 0.0,
        char_range: tuple[int, int] = (2, 3),
        char_field_weights: bool = True,
        fusion: str = "sum",
    ):
        self.fields = fields
        self.analyzer = analyzer
        self.bigrams = bigrams
        self.subwords = subwords
        self.subword_min_len = subword_min_len
        self.tf = tf
        self.k1 = k1
        self.b = b
        self.refit_every = refit_every
        self.scoring = scoring
        self.char_ngrams = char_ngrams
        self.char_range = char_range
        self.char_field_weights = char_field_weights
        self.fusion = fusion

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
            if self.char_ngrams:
                for name, _w in self.fields:
                    row[CHAR_PREFIX + name] = char_wb_ngrams(field_text(doc.get(name)),
                                                             self.char_range)
            out.append(row)
        if todo:
            analysed = self._analyzer().analyse_many(t for _, _, t in todo)
            for (i, name, _t), toks in zip(todo, analysed):
                out[i][name] = toks
        return out

    def _counts(self, analysed: Sequence[Mapping[str, list[str]]], grow: bool,
                extend: bool = False) -> sp.csr_matrix:
        """Field-weighted term counts, one row per document (vocabulary grows if ``grow``).

        With ``extend`` (and not ``grow``) unknown terms get columns past the vocabulary that
        are not stored, so they count in the norm exactly as if the documents had been added.

        Vectorised: every token of every field is mapped once to a local integer id, bigrams are
        pairs of adjacent local ids inside one field (``np.unique`` on ``a·L + b`` codes, so no
        per-occurrence bigram strings are built), and the sparse matrix is assembled from
        ``(row, column, field weight)`` triples whose duplicates scipy sums.
        """
        vocab = self.vocabulary_
        terms = self._terms
        tokens: list[str] = []
        seg_rows: list[int] = []
        seg_weights: list[float] = []
        seg_lengths: list[int] = []
        seg_chars: list[bool] = []
        sources = [(name, weight, False) for name, weight in self.fields]
        if self.char_ngrams:
            sources += [(CHAR_PREFIX + name, weight if self.char_field_weights else 1.0, True)
                        for name, weight in self.fields]
        for r, row in enumerate(analysed):
            for name, weight, is_char in sources:
                toks = row.get(name)
                if toks:
                    tokens.extend(toks)
                    seg_rows.append(r)
                    seg_weights.append(weight)
                    seg_lengths.append(len(toks))
                    seg_chars.append(is_char)
        n_rows = len(analysed)
        if not tokens:
            return sp.csr_matrix((n_rows, len(terms)), dtype=np.float64)
        local: dict[str, int] = dict.fromkeys(tokens)  # first-appearance order, C speed
        for k, term in enumerate(local):
            local[term] = k
        ids = np.fromiter(map(local.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        del tokens
        lengths = np.asarray(seg_lengths, dtype=np.int64)
        tok_rows = np.repeat(np.asarray(seg_rows, dtype=np.int32), lengths)
        tok_weights = np.repeat(np.asarray(seg_weights, dtype=np.float32), lengths)

        extra: dict[str, int] = {}

        def columns(strings: Iterable[str]) -> np.ndarray:
            """Global column of each feature string (-1 if unknown and neither grown nor extended)."""
            out = []
            for term in strings:
                j = vocab.get(term)
                if j is None:
                    if grow:
                        j = vocab[term] = len(terms)
                        terms.append(term)
                    elif extend:
                        j = extra.setdefault(term, len(terms) + len(extra))
                    else:
                        j = -1
                out.append(j)
            return np.asarray(out, dtype=np.int64)

        uniq = list(local)
        cols = columns(uniq)[ids]
        rows, data = tok_rows, tok_weights
        if self.bigrams:
            valid = np.ones(ids.shape[0], dtype=bool)
            valid[np.cumsum(lengths) - 1] = False  # last token of each field has no successor
            valid[np.repeat(np.asarray(seg_chars, dtype=bool), lengths)] = False  # no char pairs
            pos = np.flatnonzero(valid)
            if pos.size:
                width = len(uniq)
                codes, inverse = _factorize(ids[pos] * width + ids[pos + 1], width * width)
                bcols = columns(uniq[c // width] + BIGRAM_JOINER + uniq[c % width]
                                for c in codes.tolist())
                cols = np.concatenate([cols, bcols[inverse]])
                rows = np.concatenate([rows, tok_rows[pos]])
                data = np.concatenate([data, tok_weights[pos]])
        if self.subwords:
            # Character bigrams of Hangul terms (" #교통" from 교통, " #스마", " #마트" from 스마트),
            # weighted ``subwords`` × field weight: partial matches of compounds, like char n-gram
            # TF-IDF, but derived from the analysed terms so a rebuild needs no raw text.
            per_term = [_hangul_bigrams(t, self.subword_min_len) for t in uniq]
            n_sub = np.fromiter((len(x) for x in per_term), dtype=np.int64, count=len(per_term))
            if n_sub.any():
                scols = columns(g for x in per_term for g in x)
                starts = np.concatenate(([0], np.cumsum(n_sub)[:-1]))
                occ_n = n_sub[ids]
                occ = np.repeat(np.arange(ids.shape[0]), occ_n)
                within = np.arange(occ.shape[0]) - np.repeat(np.cumsum(occ_n) - occ_n, occ_n)
                cols = np.concatenate([cols, scols[starts[ids[occ]] + within]])
                rows = np.concatenate([rows, tok_rows[occ]])
                data = np.concatenate([data, tok_weights[occ] * np.float32(self.subwords)])
        keep = cols >= 0
        if not keep.all():
            cols, rows, data = cols[keep], rows[keep], data[keep]
        mat = sp.coo_matrix((data.astype(np.float64), (rows, cols.astype(np.int32))),
                            shape=(n_rows, len(terms) + len(extra))).tocsr()
        mat.sum_duplicates()
        mat.sort_indices()
        return mat

    # ------------------------------------------------------------------ weighting
    def _char_columns(self, indices: np.ndarray) -> np.ndarray:
        """Whether each column index is a character n-gram feature (unknown columns: no)."""
        terms = self._terms
        flags = getattr(self, "_char_flags", None)
        if flags is None or flags.shape[0] != len(terms):
            flags = self._char_flags = np.fromiter(
                (t.startswith(CHAR_PREFIX) for t in terms), dtype=bool, count=len(terms))
        out = np.zeros(indices.shape[0], dtype=bool)
        known = indices < flags.shape[0]
        out[known] = flags[indices[known]]
        return out

    def _weight(self, counts: sp.csr_matrix, query: bool = False) -> sp.csr_matrix:
        """Apply tf weighting, fitted IDF and normalisation to count rows (unknown columns dropped).

        ``query``: the rows are queries (only differs with ``scoring="bm25"``).
        """
        if not self.char_ngrams and self.scoring == "cosine":
            return self._weight_block(counts)
        counts = sp.csr_matrix(counts)
        char = self._char_columns(counts.indices)
        if self.scoring not in ("cosine", "bm25"):
            raise ValueError(f"unknown scoring {self.scoring!r}; use 'cosine' or 'bm25'")
        w = float(self.char_ngrams)
        terms = self._weight_block(_mask_entries(counts, ~char),
                                   mode="cosine" if self.scoring == "cosine" else
                                   ("bm25_query" if query else "bm25_doc"))
        if not w:
            return terms
        chars = self._weight_block(_mask_entries(counts, char), tf="sublinear")
        if self.scoring == "cosine":  # both sides scaled: a symmetric fused cosine
            fused = terms * np.sqrt(1.0 - w) + chars * np.sqrt(w)
        else:
            fused = terms * (1.0 - w) + chars * w if query else terms + chars
        return sp.csr_matrix(fused, dtype=_DTYPE)

    def _weight_block(self, counts: sp.csr_matrix, mode: str = "cosine",
                      tf: str | None = None) -> sp.csr_matrix:
        """Weigh count rows of one feature block: tf, IDF, then L2 norm (``cosine``) or bounded
        BM25 (``bm25_doc``: ``idf·tf/(k1+1)``; ``bm25_query``: ``1 / Σ idf`` per term)."""
        tf = tf or self.tf
        n_feat = self.idf_.shape[0]
        counts = sp.csr_matrix(counts)
        n_rows = counts.shape[0]
        indices, indptr = counts.indices, counts.indptr
        row_of = np.repeat(np.arange(n_rows, dtype=np.int32), np.diff(indptr))
        data = counts.data.astype(np.float64)  # always a copy: the counts stay untouched
        if mode == "bm25_query":
            data = np.ones_like(data)
        elif mode == "bm25_doc" or tf == "bm25":
            lengths = np.bincount(row_of, weights=data, minlength=n_rows)
            rel = lengths / self.avg_length_ if self.avg_length_ > 0 else np.ones_like(lengths)
            denom_row = self.k1 * (1.0 - self.b + self.b * rel)
            data = data * (self.k1 + 1.0) / (data + denom_row[row_of])
            if mode == "bm25_doc":
                data /= self.k1 + 1.0
        elif tf == "sublinear":
            data = 1.0 + np.log(data)
        elif tf != "raw":
            raise ValueError(f"unknown tf weighting {self.tf!r}; use 'bm25', 'sublinear' or 'raw'")
        # Terms unseen at the last fit get the IDF of a term seen once: they count in the
        # norm (so a new document is not over-scored) but are not scored until a refit.
        known = indices < n_feat
        all_known = bool(known.all())
        if all_known:
            data *= self.idf_[indices]
        else:
            idf = np.full(indices.shape, self.unseen_idf_)
            idf[known] = self.idf_[indices[known]]
            data *= idf
        if mode == "cosine":
            norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n_rows))
        elif mode == "bm25_query":  # weight 1 / Σ idf: a document matching every term (fully
            norms = np.bincount(row_of, weights=data, minlength=n_rows)  # saturated) scores 1
            data = np.ones_like(data)
        else:
            norms = np.ones(n_rows)
        norms[norms == 0] = 1.0
        data /= norms[row_of]
        keep = (data != 0) & known
        if not keep.all():
            indices, data = indices[keep], data[keep]
            indptr = np.concatenate(([0], np.cumsum(np.bincount(row_of[keep], minlength=n_rows))))
        return sp.csr_matrix((data.astype(_DTYPE), indices, indptr), shape=(n_rows, n_feat))

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
        if self.char_ngrams:  # BM25 lengths count analysed terms, not character n-grams
            counts = _mask_entries(sp.csr_matrix(counts), ~self._char_columns(counts.indices))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        self.avg_length_ = float(lengths.mean()) if lengths.size else 0.0

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Iterable[Mapping], y=None) -> "TextIndex":
        """Analyse (or read pre-analysed tokens of) the documents ``X``, learn IDF and build the
        index; ``y`` is ignored (scikit-learn convention)."""
        docs = list(X)
        ids = [d["id"] for d in docs]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1}, key=str)[:5]
            raise ValueError(f"duplicate document ids: {dup}")
        self.vocabulary_: dict[str, int] = {}
        self._terms: list[str] = []
        # Analyse and count in blocks, so only one block's token strings are alive at a time.
        blocks = [self._counts(self.analyse_docs(docs[i:i + _FIT_BLOCK]), grow=True)
                  for i in range(0, len(docs), _FIT_BLOCK)]
        width = len(self._terms)
        counts = sp.vstack([_widen(m, width) for m in blocks], format="csr") if blocks else \
            sp.csr_matrix((0, 0))
        del blocks
        groups = [d.get("group") for d in docs]
        self._build(ids, groups, counts)
        return self

    def _build(self, ids: list, groups: list, counts: sp.csr_matrix) -> None:
        """(Re)compute IDF and all weighted matrices from stored counts."""
        self._fit_weights(counts)
        self.ids_ = list(ids)
        counts = sp.csr_matrix(counts, dtype=_DTYPE)
        counts.sort_indices()
        self._counts_base = counts
        X = self._weight(counts)
        if X.nnz == counts.nnz:  # same sparsity pattern (always at fit): share the index arrays
            X = sp.csr_matrix((X.data, counts.indices, counts.indptr), shape=X.shape)
        self._X_base = X
        self._groups_base = list(groups)
        self._group_codes: dict[Any, int] = {}
        self._group_base = np.array([self._group_code(g) for g in groups], dtype=np.int32)
        self._XT = X.T.tocsr()
        # Large indexes: frequent features (long posting lists) also as a dense block, so that
        # scoring them is a streaming dense operation instead of a sparse product.
        self._dense = _dense_split(self._XT, _DENSE_BUDGET)
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
        counts = self._counts(self.analyse_docs(docs), grow=False)
        return self._weight(counts, query=True)

    def vectorize(self, docs: Iterable[Mapping]) -> sp.csr_matrix:
        """TF-IDF rows of documents exactly as :meth:`add` would store them, without adding them
        (terms unseen at the last fit count in the norm but are not scored)."""
        self._check()
        return self._weight(self._counts(self.analyse_docs(list(docs)), grow=False, extend=True))

    def vector_of(self, doc_id: Hashable) -> sp.csr_matrix:
        """The stored TF-IDF row (1 × n_features) of a live document."""
        self._check()
        seg, k = self._pos[doc_id]
        return self._X_base[k] if seg == "b" else self._delta_rows[k]

    def _query_vector(self, query: Any) -> sp.csr_matrix:
        """Accept a text, a doc mapping or a ready 1-row matrix and return a TF-IDF row."""
        if sp.issparse(query):
            return sp.csr_matrix(query)
        if isinstance(query, str):
            query = {"id": None, self.fields[-1][0]: query}
        return self.transform([query])

    def _raw_scores(self, q: sp.csr_matrix, group: Any, rounded: bool = True
                    ) -> tuple["_Ids", np.ndarray]:
        """Scores of every base and delta row; dead or out-of-group rows get -inf.

        Rounded to ``_SCORE_DECIMALS`` unless ``rounded`` is false (then float32 for the base).
        """
        if not self._max_fusion():
            ids, vals = self._plain_scores(q, group)
            return ids, (np.round(vals.astype(np.float64), _SCORE_DECIMALS) if rounded else vals)
        q = sp.csr_matrix(q)
        char = self._char_columns(q.indices)
        ids, terms = self._plain_scores(_mask_entries(q, ~char), group)
        _, chars = self._plain_scores(_mask_entries(q, char), group)
        w = float(self.char_ngrams)
        vals = terms * _max_factor(terms, 1.0 - w) + chars * _max_factor(chars, w)
        return ids, (np.round(vals.astype(np.float64), _SCORE_DECIMALS) if rounded else vals)

    def _max_fusion(self) -> bool:
        """Whether the blocks are fused max-normalised (``fusion="max"`` with a char block)."""
        if self.fusion not in ("sum", "max"):
            raise ValueError(f"unknown fusion {self.fusion!r}; use 'sum' or 'max'")
        return self.fusion == "max" and bool(self.char_ngrams)

    def _max_normalised(self, queries: sp.csr_matrix, XT: sp.csr_matrix,
                        chunk_size: int) -> sp.csr_matrix:
        """Query rows whose term and char parts are rescaled so each block's best score over
        the columns of ``XT`` is its fusion weight (the linear form of ``fusion="max"``)."""
        queries = sp.csr_matrix(queries, dtype=_DTYPE, copy=True)
        char = self._char_columns(queries.indices)
        w = float(self.char_ngrams)
        factors = np.ones(queries.nnz, dtype=np.float64)
        for part, weight in ((~char, 1.0 - w), (char, w)):
            sub = _mask_entries(queries, part)
            best = np.concatenate([
                np.asarray((sub[i:i + chunk_size] @ XT).max(axis=1).todense()).ravel()
                for i in range(0, sub.shape[0], chunk_size)]) if sub.shape[0] else np.zeros(0)
            scale = np.where(best > 0, weight / np.where(best > 0, best, 1.0), 1.0)
            rows = np.repeat(np.arange(queries.shape[0]), np.diff(queries.indptr))
            factors[part] = scale[rows[part]]
        queries.data = (queries.data * factors).astype(_DTYPE)
        return queries

    def _plain_scores(self, q: sp.csr_matrix, group: Any) -> tuple["_Ids", np.ndarray]:
        """Unrounded dot products of ``q`` with every base and delta row (-inf: not searched)."""
        if self._dense is not None:
            base = _hybrid_scores(q, self._dense)
        elif self._XT.shape[1]:
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
        return ids, (np.concatenate([base, delta]) if delta.size else base)

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
        ids, vals = self._raw_scores(self._query_vector(query), group, rounded=False)
        if top_k > 0 and vals.shape[0] > top_k:
            # Round only the near-top: every value that can reach the top k after rounding
            # (same result as rounding all scores first, without two passes over 100k floats).
            kth = np.partition(vals, vals.shape[0] - top_k)[vals.shape[0] - top_k]
            cand = np.flatnonzero(vals >= kth - 2e-6)
            ids = _Subset(ids, cand)
            vals = vals[cand]
        return top_k_pairs(ids, np.round(vals.astype(np.float64), _SCORE_DECIMALS), top_k, min_score)

    def search_many(self, queries: sp.csr_matrix, top_k: int = 10, group: Any = None,
                    chunk_size: int = 256, max_query_terms: int | None = None,
                    rescore_depth: int = 100) -> list[list[tuple[Hashable, float]]]:
        """Top-``k`` results for many query rows at once (chunked sparse products).

        Exact by default. On large indexes (≥ ``_DENSE_MIN_ROWS`` rows) the features whose
        posting lists cover ≥ 5 % of the rows are multiplied as a dense block (BLAS, all cores)
        and the rest sparsely; the sum is the same cosine up to float rounding (≤ 1e-6, so exact
        ties may be ordered differently than by :meth:`search`). With
        ``max_query_terms=N`` each query keeps only its ``N`` highest-weighted features to
        *generate* candidates (a much cheaper product: the dropped features are the frequent,
        low-IDF ones with long posting lists); the ``max(rescore_depth, top_k)`` best candidates
        are then **re-scored with the full query vector**, so every returned score is the exact
        cosine and only documents that the pruned query ranks below ``rescore_depth`` can be
        missed (used for the all-pairs pass; see ``docs/benchmarks.md``).
        """
        self._check()
        queries = sp.csr_matrix(queries, dtype=_DTYPE)
        mask = self._group_mask(group)
        cols = np.flatnonzero(mask)
        dkeep = [k for k, a in enumerate(self._delta_alive)
                 if a and (group is None or self._delta_groups[k] == group)]
        ids_all = [self.ids_[k] for k in cols] + [self._delta_ids[k] for k in dkeep]
        XT = self._XT[:, cols] if cols.size != self._XT.shape[1] else self._XT
        if dkeep:
            XT = sp.hstack([XT, self._X_delta[dkeep].T], format="csr")
        n_feat = XT.shape[0]
        if queries.shape[1] != n_feat:
            queries = _widen(queries, n_feat) if queries.shape[1] < n_feat else \
                sp.csr_matrix(queries[:, :n_feat])
        if self._max_fusion():
            queries = self._max_normalised(queries, XT, chunk_size)
        if max_query_terms:
            # Live rows of the candidate space as one CSR (base rows by index, delta appended).
            X_live = self._X_base[cols] if cols.size != self._X_base.shape[0] else self._X_base
            if dkeep:
                X_live = sp.vstack([X_live, self._X_delta[dkeep]], format="csr")
            depth = max(rescore_depth, top_k)
        out: list[list[tuple[Hashable, float]]] = []
        dense = None
        if not max_query_terms and self._dense is not None:
            dense_rows, XTd, sparse_rows, XTs = self._dense
            if cols.size != self._XT.shape[1]:
                XTd, XTs = XTd[:, cols], sp.csr_matrix(XTs[:, cols])
            if dkeep:
                Xd = self._X_delta[dkeep]
                XTd = np.hstack([XTd, Xd[:, dense_rows].toarray().T.astype(_DTYPE)])
                XTs = sp.hstack([XTs, Xd[:, sparse_rows].T], format="csr")
            dense = (dense_rows, XTd, sparse_rows, XTs)
        if dense is not None:
            # Hybrid exact product: frequent features (long posting lists) as a dense
            # matrix product (BLAS, all cores), the rest as a sparse product.
            dense_rows, XT_dense, sparse_rows, XT_sparse = dense
            for start in range(0, queries.shape[0], chunk_size):
                block = queries[start:start + chunk_size]
                S = block[:, dense_rows].toarray() @ XT_dense
                if sparse_rows.size:
                    S += (block[:, sparse_rows] @ XT_sparse).toarray()
                out.extend(_top_k_dense(ids_all, S, top_k))
            return out
        for start in range(0, queries.shape[0], chunk_size):
            block = queries[start:start + chunk_size]
            if not max_query_terms:
                S = (block @ XT).tocsr()
                for r in range(S.shape[0]):
                    a, b = S.indptr[r], S.indptr[r + 1]
                    vals = np.round(S.data[a:b].astype(np.float64), _SCORE_DECIMALS)
                    out.append(_top_k_subset(ids_all, S.indices[a:b], vals, top_k))
                continue
            S = (_prune_rows(block, max_query_terms) @ XT).tocsr()
            cand_rows, cand_cols = [], []
            for r in range(S.shape[0]):
                a, b = S.indptr[r], S.indptr[r + 1]
                c = S.indices[a:b]
                if b - a > depth:
                    c = c[np.argpartition(S.data[a:b], b - a - depth)[b - a - depth:]]
                cand_cols.append(c)
                cand_rows.append(np.full(c.shape[0], r, dtype=np.int64))
            if not cand_cols:
                continue
            qr = np.concatenate(cand_rows)
            dc = np.concatenate(cand_cols).astype(np.int64)
            exact = _gather_dot(X_live, dc, block, qr)
            offsets = np.concatenate(([0], np.cumsum([c.shape[0] for c in cand_cols])))
            for r in range(S.shape[0]):
                a, b = offsets[r], offsets[r + 1]
                out.append(_top_k_subset(ids_all, dc[a:b], exact[a:b], top_k))
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
            v = sp.csr_matrix(self._query_vector(doc))
            indices, data = v.indices, v.data
        else:
            self._check()
            seg, k = self._pos[doc]
            if seg == "b":  # read the stored row in place (slicing a CSR row costs more)
                start, end = self._X_base.indptr[k], self._X_base.indptr[k + 1]
                indices, data = self._X_base.indices[start:end], self._X_base.data[start:end]
            else:
                row = self._delta_rows[k]
                indices, data = row.indices, row.data
        return {self._terms[j]: float(w) for j, w in zip(indices.tolist(), data.tolist())}

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
        total += self._X_base.data.nbytes
        if self._dense is not None:
            total += self._dense[1].nbytes + sum(
                a.nbytes for a in (self._dense[3].data, self._dense[3].indices, self._dense[3].indptr))
        if not np.shares_memory(self._X_base.indices, self._counts_base.indices):
            total += self._X_base.indices.nbytes + self._X_base.indptr.nbytes
        return total


def _max_factor(scores: np.ndarray, weight: float) -> float:
    """``weight / best finite positive score`` (``weight`` when there is none)."""
    finite = scores[np.isfinite(scores)]
    best = float(finite.max()) if finite.size else 0.0
    return weight / best if best > 0 else weight


def _dense_split(XT: sp.csr_matrix, budget: int):
    """Split a features × docs matrix into dense frequent rows and sparse rare rows (or None)."""
    n_feat, n_docs = XT.shape
    if n_docs < _DENSE_MIN_ROWS or n_feat == 0:
        return None
    df = np.diff(XT.indptr)
    order = np.argsort(-df, kind="stable")
    max_dense = int(budget // (4 * n_docs))
    dense_rows = np.sort(order[:max_dense][df[order[:max_dense]] >= _DENSE_MIN_SHARE * n_docs])
    if dense_rows.size == 0:
        return None
    sparse_rows = np.setdiff1d(np.arange(n_feat), dense_rows)
    XTd = np.ascontiguousarray(XT[dense_rows].toarray(), dtype=_DTYPE)
    return (dense_rows, XTd, sparse_rows, sp.csr_matrix(XT[sparse_rows]))


#: BLAS threads for one query's dense scoring: an int, None (the library's default threads) or
#: ``"auto"`` (the default threads while the 1-minute load average is below the number of
#: cores, else one). A query makes ≈ 180 short vector operations, each waking the BLAS thread
#: pool: on an idle machine two threads halve the time (100k: p50 3.3 vs 6.1 ms), but on a busy
#: one the threads wait for a free core at every operation (p95 130–200 ms instead of ≈ 20 ms),
#: and the load average lags a sudden rise ("auto": p95 44 ms in one run). One thread is
#: predictable; see docs/benchmarks.md. Batches (search_many) always keep all threads.
SEARCH_BLAS_THREADS: int | str | None = 1
_BLAS = {"controller": None, "users": 0, "saved": None}
_BLAS_LOCK = threading.Lock()


def _search_threads() -> int | None:
    """BLAS threads for the next single query (None: leave the library's setting)."""
    if SEARCH_BLAS_THREADS != "auto":
        return SEARCH_BLAS_THREADS
    try:
        busy = os.getloadavg()[0] >= (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        busy = True
    return 1 if busy else None


@contextmanager
def search_blas_threads():
    """Run the block with the BLAS threads of :func:`_search_threads` (reference-counted)."""
    threads = _search_threads()
    if threads is None:
        yield
        return
    with _BLAS_LOCK:
        if _BLAS["users"] == 0:
            if _BLAS["controller"] is None:
                from threadpoolctl import ThreadpoolController

                _BLAS["controller"] = ThreadpoolController().select(user_api="blas")
            libs = _BLAS["controller"].lib_controllers
            _BLAS["saved"] = [lib.num_threads for lib in libs]
            for lib in libs:
                lib.set_num_threads(threads)
        _BLAS["users"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS["users"] -= 1
            if _BLAS["users"] == 0:
                for lib, n in zip(_BLAS["controller"].lib_controllers, _BLAS["saved"]):
                    lib.set_num_threads(n)


def _hybrid_scores(q: sp.csr_matrix, dense) -> np.ndarray:
    """Scores of one query row against all base rows with a :func:`_dense_split` layout."""
    dense_rows, XTd, sparse_rows, XTs = dense
    out = np.zeros(XTd.shape[1], dtype=_DTYPE)
    q = sp.csr_matrix(q)
    pos = np.searchsorted(dense_rows, q.indices)
    hit = (pos < dense_rows.size) & (dense_rows[np.minimum(pos, dense_rows.size - 1)] == q.indices)
    with search_blas_threads():
        for j, v in zip(pos[hit].tolist(), q.data[hit].tolist()):
            _saxpy(XTd[j], out, a=v)  # out += v · row, in place
    if (~hit).any():
        rest = sp.csr_matrix((q.data[~hit], q.indices[~hit], [0, int((~hit).sum())]),
                             shape=(1, q.shape[1]))
        part = (rest[:, sparse_rows] @ XTs).tocsr()
        out[part.indices] += part.data
    return out


def _top_k_dense(ids: Sequence[Hashable], S: np.ndarray,
                 k: int) -> list[list[tuple[Hashable, float]]]:
    """Per-row :func:`top_k_pairs` of a dense score block (vectorised candidate selection)."""
    n_rows, n_cols = S.shape
    if k <= 0 or n_cols == 0:
        return [[] for _ in range(n_rows)]
    if n_cols > k:
        kth = np.partition(S, n_cols - k, axis=1)[:, n_cols - k]
        # near-ties below the k-th value are kept so that rounding cannot reorder the cut
        rows, cols = np.nonzero(S >= (kth - 2e-6)[:, None])
    else:
        rows, cols = np.nonzero(np.ones_like(S, dtype=bool))
    vals = np.round(S[rows, cols].astype(np.float64), _SCORE_DECIMALS)
    out: list[list[tuple[Hashable, float]]] = [[] for _ in range(n_rows)]
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    for r in range(n_rows):
        a, b = bounds[r], bounds[r + 1]
        out[r] = _top_k_subset(ids, cols[a:b], vals[a:b], k)
    return out


def _prune_rows(mat: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Keep the ``n`` largest entries of each CSR row (ties: lower column first)."""
    counts = np.diff(mat.indptr)
    if counts.size == 0 or counts.max() <= n:
        return mat
    rows = np.repeat(np.arange(mat.shape[0]), counts)
    # sort within rows by descending value: primary key row, secondary -value
    order = np.lexsort((mat.indices, -mat.data, rows))
    rank = np.arange(order.shape[0]) - np.repeat(mat.indptr[:-1], counts)
    keep = order[rank < n]
    keep.sort()
    kept_counts = np.minimum(counts, n)
    indptr = np.concatenate(([0], np.cumsum(kept_counts)))
    return sp.csr_matrix((mat.data[keep], mat.indices[keep], indptr), shape=mat.shape)


def _gather_dot(X: sp.csr_matrix, rows: np.ndarray, Q: sp.csr_matrix,
                qrows: np.ndarray) -> np.ndarray:
    """``X[rows[i]] · Q[qrows[i]]`` for every i (C-level row gathers and a sparse product)."""
    if rows.size == 0:
        return np.zeros(0)
    prod = X[rows].multiply(Q[qrows])
    dots = np.asarray(prod.sum(axis=1), dtype=np.float64).ravel()
    return np.round(dots, _SCORE_DECIMALS)


def _top_k_subset(ids: Sequence[Hashable], positions: np.ndarray, vals: np.ndarray,
                  k: int) -> list[tuple[Hashable, float]]:
    """Like :func:`top_k_pairs` over the documents at ``positions`` of ``ids`` only."""
    n = vals.shape[0]
    if k <= 0 or n == 0:
        return []
    if n > k:
        kth = np.partition(vals, n - k)[n - k]
        cand = np.flatnonzero(vals >= kth)
    else:
        cand = np.arange(n)
    cand = [int(c) for c in cand if vals[c] > 0]
    _sort_by_score_then_id(cand, lambda c: vals[c], lambda c: ids[positions[c]])
    return [(ids[positions[c]], float(vals[c])) for c in cand[:k]]


def _sort_by_score_then_id(cand: list, score, ident) -> None:
    """Sort candidates by descending score, ties by ascending id (mixed id types: by type name)."""
    try:
        cand.sort(key=lambda c: (-score(c), ident(c)))
    except TypeError:  # e.g. int and str ids tied on score
        cand.sort(key=lambda c: (-score(c), type(ident(c)).__name__, str(ident(c))))


def _hangul_bigrams(term: str, min_len: int) -> list[str]:
    """Character bigrams (``SUBWORD_PREFIX`` + 2 letters) of an all-Hangul term of ≥ ``min_len``."""
    if len(term) < max(min_len, 2) or term[0] == " " or not all("가" <= ch <= "힣" for ch in term):
        return []
    return [SUBWORD_PREFIX + term[i:i + 2] for i in range(len(term) - 1)]


def char_wb_ngrams(text: str, ngram_range: tuple[int, int] = (2, 3)) -> list[str]:
    """``CHAR_PREFIX`` + character n-grams of each lower-cased word padded with spaces (char_wb)."""
    out: list[str] = []
    for word in normalize(text).lower().split():
        out.extend(_word_ngrams(word, ngram_range))
    return out


@lru_cache(maxsize=200_000)
def _word_ngrams(word: str, ngram_range: tuple[int, int]) -> tuple[str, ...]:
    """The char_wb n-gram features of one word (cached: words repeat across documents)."""
    lo, hi = ngram_range
    padded = f" {word} "
    return tuple(CHAR_PREFIX + padded[i:i + n] for n in range(lo, hi + 1)
                 for i in range(max(1, len(padded) - n + 1)))


def _mask_entries(mat: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The same CSR matrix with only the stored entries where ``keep`` is true."""
    if keep.all():
        return mat
    rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))[keep]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=mat.shape[0]))))
    return sp.csr_matrix((mat.data[keep], mat.indices[keep], indptr), shape=mat.shape)


def _widen(mat: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """The same CSR rows with ``width`` columns (the vocabulary grew after they were counted)."""
    return sp.csr_matrix((mat.data, mat.indices, mat.indptr), shape=(mat.shape[0], width))


def _factorize(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique values of non-negative ``codes`` (< ``bound``) and each code's position."""
    if bound <= 1 << 24:  # small code space: a presence table beats sorting
        present = np.zeros(bound, dtype=bool)
        present[codes] = True
        uniq = np.flatnonzero(present)
        lookup = np.cumsum(present, dtype=np.int32) - 1
        return uniq, lookup[codes]
    uniq, inverse = np.unique(codes, return_inverse=True)
    return uniq, inverse.ravel()


class _Ids:
    """Read-only concatenation of the base and delta id lists (no copying of the base)."""

    def __init__(self, base: list, delta: list):
        self.base, self.delta = base, delta

    def __len__(self) -> int:
        return len(self.base) + len(self.delta)

    def __getitem__(self, k: int):
        n = len(self.base)
        return self.base[k] if k < n else self.delta[k - n]


class _Subset:
    """Read-only view of the ids at ``positions`` of another id sequence."""

    def __init__(self, ids: Sequence[Hashable], positions: np.ndarray):
        self.ids, self.positions = ids, positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, k: int):
        return self.ids[int(self.positions[k])]


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
    _sort_by_score_then_id(cand, lambda c: vals[c], lambda c: ids[c])
    return [(ids[c], float(vals[c])) for c in cand[:k]]
