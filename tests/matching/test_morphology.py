"""Analyser backends (Kiwi, mecab-ko) and the single-query scoring path of ``TextIndex``."""
import pickle
import random
import threading

import numpy as np
import pytest

import matching.index as mi
from matching.index import TextIndex, top_k_pairs
from matching.morphology import get_backend
from matching.text import DEFAULT_ANALYZER, KoreanAnalyzer

NEED = "어린이 보호구역에서 과속 차량을 단속하고 스마트 가로등을 설치하여 5G CCTV로 알려줍니다."


def test_backends_are_process_wide_and_named():
    assert get_backend("kiwi") is get_backend("kiwi")
    with pytest.raises(ValueError, match="unknown morphological analyser"):
        get_backend("nope")


def test_default_analyser_is_kiwi():
    assert DEFAULT_ANALYZER.backend == "kiwi"
    assert KoreanAnalyzer(backend="kiwi")(NEED) == DEFAULT_ANALYZER(NEED)


@pytest.fixture(scope="module")
def mecab():
    pytest.importorskip("mecab_ko", reason="mecab-ko not installed (requirements-bench.txt)")
    return KoreanAnalyzer(backend="mecab")


def test_mecab_gives_content_terms_and_stems(mecab):
    terms = mecab(NEED)
    for t in ("어린이", "과속", "차량", "단속", "스마트", "가로등", "설치", "5g", "cctv", "알리"):
        assert t in terms
    for particle_or_ending in ("에서", "을", "하여", "줍니다", "로"):
        assert particle_or_ending not in terms
    assert "smart_pole" in terms  # synonyms are built with the same backend


def test_mecab_keeps_numbers_with_thousands_separators_whole(mecab):
    assert mecab("인구 1,000명과 차량 2,000,000대") == ["인구", "1,000", "차량", "2,000,000"]
    assert mecab("1, 000") == ["1", "000"]  # a comma and a space: two numbers


def test_mecab_reads_a_text_final_particle_as_a_particle(mecab):
    # without context mecab-ko-dic splits 가로등의 into 가로/MAG + 등의/NNP
    for word in ("가로등의", "센서의", "지하차도의"):
        assert mecab(word) == [word[:-1]]
    assert mecab("가로등의 교체.") == ["가로등", "교체"]


def test_mecab_synonyms_skip_variants_whose_first_part_is_dropped(mecab):
    # mecab-ko-dic reads 씨씨티비 as 씨씨 (interjection) + 티비: "TV" alone is no CCTV
    assert "cctv" not in mecab("티비 광고를 줄입니다")
    assert "cctv" in mecab("폐쇄회로 텔레비전으로 감시합니다")


def test_mecab_analyser_pickles_and_is_thread_safe(mecab):
    texts = [NEED, "수요응답형 교통 DRT로 농촌 버스 공백을 해소합니다.", "하천 수위 센서로 침수를 예측"] * 10
    want = [mecab(t) for t in texts]
    assert pickle.loads(pickle.dumps(mecab))(texts[0]) == want[0]
    got = [None] * len(texts)

    def work(i):
        got[i] = mecab(texts[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == want


def test_index_with_mecab_backend_ranks_and_pickles(mecab):
    docs = [{"id": "drt", "title": "수요응답형 교통", "text": "농촌 마을 버스를 앱과 전화로 호출합니다."},
            {"id": "flood", "title": "침수 예측", "text": "하천 수위 센서로 지하차도 침수를 경보합니다."}]
    index = TextIndex(analyzer=mecab, refit_every=None).fit(docs)
    assert index.search("지하차도가 침수되면 알려 주세요", top_k=1)[0][0] == "flood"
    again = pickle.loads(pickle.dumps(index))
    assert again.search("버스 호출", top_k=1) == index.search("버스 호출", top_k=1)


def _tied_docs(n=400, seed=3):
    """Random documents over a small vocabulary, many of them duplicated (tied scores)."""
    rng = random.Random(seed)
    vocab = ["교통", "버스", "침수", "센서", "드론", "배송", "주차", "가로등", "cctv", "하천"]
    base = [[rng.choice(vocab) for _ in range(rng.randint(1, 12))] for _ in range(n // 2)]
    return [{"id": f"d{i:04d}", "group": "a" if i % 3 else "b",
             "tokens": {"text": base[i % len(base)]}} for i in range(n)]


@pytest.mark.parametrize("dense", [False, True])
def test_search_equals_ranking_of_all_rounded_scores(dense, monkeypatch):
    if dense:
        monkeypatch.setattr(mi, "_DENSE_MIN_ROWS", 10)
    docs = _tied_docs()
    index = TextIndex(refit_every=None).fit(docs)
    assert (index._dense is not None) == dense
    index.add([{"id": "new", "group": "a", "tokens": {"text": ["드론", "배송", "배송"]}}])
    index.remove(["d0001"])
    Q = index.transform(docs[:30])
    for i in range(Q.shape[0]):
        for group, k in ((None, 10), ("a", 5), (None, 1)):
            ids, vals = index.scores(Q[i], group=group)
            assert index.search(Q[i], top_k=k, group=group) == top_k_pairs(ids, vals, k)


def test_search_blas_threads_restores_the_thread_count(monkeypatch):
    from threadpoolctl import threadpool_info

    monkeypatch.setattr(mi, "SEARCH_BLAS_THREADS", 1)
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    with mi.search_blas_threads():
        with mi.search_blas_threads():  # nested (another thread searching at the same time)
            inside = [lib["num_threads"] for lib in threadpool_info()
                      if lib["user_api"] == "blas"]
        assert [lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == "blas"] == inside
    after = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert inside == [1] * len(before) and after == before


def test_dense_search_is_exact_with_blas_threads_limited(monkeypatch):
    monkeypatch.setattr(mi, "_DENSE_MIN_ROWS", 10)
    docs = _tied_docs(300, seed=5)
    index = TextIndex(refit_every=None).fit(docs)
    Q = index.transform(docs[:10])
    limited = [index.search(Q[i], top_k=10) for i in range(10)]
    monkeypatch.setattr(mi, "SEARCH_BLAS_THREADS", None)
    assert [index.search(Q[i], top_k=10) for i in range(10)] == limited
    assert all(np.isfinite([s for _, s in r]).all() for r in limited)


def test_auto_blas_threads_follow_the_load(monkeypatch):
    monkeypatch.setattr(mi, "SEARCH_BLAS_THREADS", "auto")
    monkeypatch.setattr(mi.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(mi.os, "getloadavg", lambda: (3.5, 3.0, 2.0))
    assert mi._search_threads() == 1
    monkeypatch.setattr(mi.os, "getloadavg", lambda: (0.4, 1.0, 2.0))
    assert mi._search_threads() is None
    monkeypatch.setattr(mi, "SEARCH_BLAS_THREADS", 2)
    assert mi._search_threads() == 2
