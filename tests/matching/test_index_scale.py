"""Vectorised counting, subword features and the pruned all-pairs mode of ``TextIndex``."""
import random
from collections import Counter

import numpy as np
import pytest

from matching.index import BIGRAM_JOINER, SUBWORD_PREFIX, TextIndex

VOCAB = ["교통", "버스", "수요응답형", "스마트폴", "cctv", "iot", "미세먼지", "센서", "주차장", "알림",
         "드론", "배송", "가", "5g", "플랫폼", "관제", "침수", "하천"]


def reference_counts(doc_tokens, fields, bigrams, subwords, min_len):
    """Straightforward per-document counting, to check the vectorised implementation."""
    acc = Counter()
    for name, weight in fields:
        toks = doc_tokens.get(name) or []
        feats = list(toks)
        if bigrams:
            feats += [a + BIGRAM_JOINER + b for a, b in zip(toks, toks[1:])]
        for f in feats:
            acc[f] += weight
        if subwords:
            for t in toks:
                if len(t) >= max(min_len, 2) and all("가" <= ch <= "힣" for ch in t):
                    for i in range(len(t) - 1):
                        acc[SUBWORD_PREFIX + t[i:i + 2]] += weight * subwords
    return acc


@pytest.fixture(scope="module")
def random_docs():
    rng = random.Random(7)
    docs = []
    for i in range(300):
        docs.append({"id": i, "tokens": {
            "title": [rng.choice(VOCAB) for _ in range(rng.randint(0, 4))],
            "text": [rng.choice(VOCAB) for _ in range(rng.randint(0, 40))]}})
    return docs


@pytest.mark.parametrize("bigrams,subwords,min_len", [(True, 0.0, 2), (False, 0.2, 2),
                                                      (True, 0.5, 3), (False, 0.0, 2)])
def test_vectorised_counts_equal_reference(random_docs, bigrams, subwords, min_len):
    idx = TextIndex(bigrams=bigrams, subwords=subwords, subword_min_len=min_len,
                    refit_every=None).fit(random_docs)
    counts = idx._counts_base
    for k, doc in enumerate(random_docs):
        row = counts[k]
        got = {idx._terms[j]: float(v) for j, v in zip(row.indices, row.data)}
        want = reference_counts(doc["tokens"], idx.fields, bigrams, subwords, min_len)
        assert got == pytest.approx(dict(want), abs=1e-5)


def test_subword_features_are_not_terms():
    # 지하차도 is one term to both analysers (mecab-ko splits 스마트폴, Kiwi does not)
    idx = TextIndex().fit([{"id": 1, "title": "지하차도", "text": "교차로 CCTV"},
                           {"id": 2, "title": "지하 차도", "text": "가로등"}])
    # the compound and its split form share subwords, so they match partially
    found = idx.search("지하차도", top_k=2)
    assert [d for d, _ in found] == [1, 2] and found[1][1] > 0
    assert all(BIGRAM_JOINER in t for t in idx._terms if t.startswith(SUBWORD_PREFIX))
    for t, _ in idx.shared_terms("지하차도", 2, n=10, unigrams_only=True):
        assert BIGRAM_JOINER not in t


def test_memory_and_weighted_rows_share_indices(random_docs):
    idx = TextIndex(refit_every=None).fit(random_docs)
    assert np.shares_memory(idx._X_base.indices, idx._counts_base.indices)
    assert idx.memory_bytes() > 0
    for k in (0, 5, 17):
        assert (idx.vector_of(k) != idx._weight(idx._counts_base[k])).nnz == 0


def test_pruned_all_pairs_returns_exact_cosines(random_docs):
    idx = TextIndex(refit_every=None).fit(random_docs)
    idx.add([{"id": "new", "tokens": {"title": ["드론", "배송"], "text": ["드론", "배송", "알림"]}}])
    idx.remove([3])
    Q = idx.transform(random_docs[:60])
    exact = idx.search_many(Q, top_k=10)
    assert exact[:5] == [idx.search(Q[i], top_k=10) for i in range(5)]
    # keeping every feature and re-scoring all candidates reproduces the exact results (the
    # re-scored cosines are summed in another order: equal up to the 6-decimal rounding)
    full = idx.search_many(Q, top_k=10, max_query_terms=10_000, rescore_depth=10_000)
    for f, e in zip(full, exact):
        assert [s for _, s in f] == pytest.approx([s for _, s in e], abs=2e-6)
        assert {d for d, s in f if s > e[-1][1] + 2e-6} == {d for d, s in e if s > e[-1][1] + 2e-6}
    pruned = idx.search_many(Q, top_k=10, max_query_terms=8, rescore_depth=50, chunk_size=7)
    all_scores = [dict(zip(*idx.scores(Q[i]))) for i in range(Q.shape[0])]
    overlap = []
    for i, (p, e) in enumerate(zip(pruned, exact)):
        for doc, score in p:  # every reported score is the exact cosine
            assert score == pytest.approx(all_scores[i][doc], abs=2e-6)
        assert [s for _, s in p] == sorted((s for _, s in p), reverse=True)
        assert 3 not in [d for d, _ in p]
        overlap.append(len({d for d, _ in p} & {d for d, _ in e}) / max(len(e), 1))
    assert np.mean(overlap) > 0.6


def test_dense_hybrid_scoring_equals_sparse(random_docs, monkeypatch):
    import matching.index as mi

    sparse_idx = TextIndex(refit_every=None).fit(random_docs)
    monkeypatch.setattr(mi, "_DENSE_MIN_ROWS", 10)
    idx = TextIndex(refit_every=None).fit([dict(d, group="a" if d["id"] % 3 else "b")
                                           for d in random_docs])
    assert idx._dense is not None and sparse_idx._dense is None
    idx.add([{"id": "new", "group": "a", "tokens": {"title": ["드론"], "text": ["드론", "배송"]}}])
    sparse_idx.add([{"id": "new", "tokens": {"title": ["드론"], "text": ["드론", "배송"]}}])
    Q = sparse_idx.transform(random_docs[:40])
    for i in range(5):
        a, b = idx.scores(Q[i]), sparse_idx.scores(Q[i])
        assert a[0] == b[0] and np.allclose(a[1], b[1], atol=2e-6)
    for group in (None, "a"):
        many = idx.search_many(Q, top_k=10, group=group)
        for i in range(Q.shape[0]):
            want = dict(zip(*sparse_idx.scores(Q[i])))
            keep = [d for d in want if group is None or d == "new" or d % 3]
            best = sorted((want[d] for d in keep), reverse=True)[:10]
            assert [s for _, s in many[i]] == pytest.approx(best, abs=2e-6)
            for d, s in many[i]:
                assert s == pytest.approx(want[d], abs=2e-6)
