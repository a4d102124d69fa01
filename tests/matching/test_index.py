"""TextIndex: estimator conventions, determinism, explanations, incremental updates."""
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.index import TextIndex, top_k_pairs
from matching.text import analyse

DOCS = [
    {"id": "a", "title": "수요응답형 교통", "text": "농촌 버스 배차 간격이 길어 주민이 불편합니다"},
    {"id": "b", "title": "스마트 폴", "text": "CCTV와 IoT 센서를 설치한 가로등"},
    {"id": "c", "title": "DRT 플랫폼", "text": "AI 기반 수요응답 버스 호출 서비스"},
    {"id": "d", "title": "DRT 플랫폼", "text": "AI 기반 수요응답 버스 호출 서비스"},
    {"id": "e", "title": "미세먼지 측정", "text": "대기질 센서 네트워크와 공기질 알림"},
]


def test_not_fitted_errors():
    idx = TextIndex()
    for call in (lambda: idx.search("교통"), lambda: idx.add(DOCS[:1]),
                 lambda: idx.transform(DOCS[:1]), lambda: idx.refit()):
        with pytest.raises(NotFittedError):
            call()


def test_fit_returns_self_and_fitted_state():
    idx = TextIndex()
    assert idx.fit(DOCS) is idx
    assert hasattr(idx, "idf_") and hasattr(idx, "vocabulary_") and hasattr(idx, "ids_")
    assert not hasattr(TextIndex(), "idf_")
    assert clone(idx).get_params() == idx.get_params()
    assert "bigrams" in idx.get_params()


def test_duplicate_ids_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        TextIndex().fit(DOCS + [DOCS[0]])


def test_ties_broken_by_id_and_deterministic():
    idx = TextIndex().fit(DOCS)
    res = idx.search("수요응답 버스 DRT", top_k=3)
    ids = [r[0] for r in res]
    assert ids.index("c") < ids.index("d")
    assert res[ids.index("c")][1] == res[ids.index("d")][1]
    again = TextIndex().fit(list(reversed(DOCS))).search("수요응답 버스 DRT", top_k=3)
    assert res == again
    assert top_k_pairs(["z", "y", "x"], [1.0, 1.0, 1.0], 2) == [("x", 1.0), ("y", 1.0)]


def test_zero_scores_dropped_and_scores_are_cosines():
    idx = TextIndex().fit(DOCS)
    res = idx.search("미세먼지", top_k=10)
    assert [r[0] for r in res] == ["e"]
    assert 0 < res[0][1] <= 1


def test_pretokenised_input_equals_analysed():
    pre = [{"id": d["id"], "tokens": {"title": analyse(d["title"]), "text": " ".join(analyse(d["text"]))}}
           for d in DOCS]
    a = TextIndex().fit(DOCS).search("버스 호출", top_k=5)
    b = TextIndex().fit(pre).search("버스 호출", top_k=5)
    assert a == b


def test_field_weights_title_counts_more():
    docs = [{"id": "t", "title": "주차", "text": "안내 서비스"},
            {"id": "x", "title": "안내 서비스", "text": "주차"}]
    assert TextIndex().fit(docs).search("주차", top_k=2)[0][0] == "t"


def test_shared_terms_occur_in_both():
    idx = TextIndex().fit(DOCS)
    q = "수요응답형 교통 DRT 도입과 CCTV"
    terms = idx.shared_terms(q, "c", n=10, unigrams_only=True)
    assert terms
    q_terms, d_terms = set(analyse(q)), set(analyse(DOCS[2]["title"] + " " + DOCS[2]["text"]))
    for t, w in terms:
        assert t in q_terms and t in d_terms and w > 0
    assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)


def test_add_is_visible_immediately():
    idx = TextIndex(refit_every=None).fit(DOCS)
    idx.add([{"id": "f", "title": "버스 센서 알림", "text": "버스 정류장 센서 알림"}])
    assert idx.search("버스 센서 알림", top_k=1)[0][0] == "f"
    assert "f" in idx and len(idx) == 6


def test_edit_uses_new_text():
    idx = TextIndex(refit_every=None).fit(DOCS)
    idx.add([{"id": "b", "title": "미세먼지 알림", "text": "대기질 센서"}])
    assert "b" not in [r[0] for r in idx.search("CCTV 가로등", top_k=5)]
    assert "b" in [r[0] for r in idx.search("미세먼지 대기질", top_k=5)]
    assert len(idx) == 5


def test_remove_disappears():
    idx = TextIndex(refit_every=None).fit(DOCS)
    idx.remove(["e"])
    assert "e" not in [r[0] for r in idx.search("미세먼지", top_k=5)]
    assert len(idx) == 4
    idx.remove(["unknown"])


def test_refit_keeps_documents_and_learns_new_terms():
    idx = TextIndex(refit_every=2).fit(DOCS)
    idx.add([{"id": "f", "title": "드론 배송", "text": "물류 드론"}])
    assert idx.search("물류", top_k=1) == []  # unseen term ignored until refit
    idx.add([{"id": "g", "title": "스마트 팜", "text": "온실 센서"}])  # 2nd change → refit
    assert idx.n_changes_ == 0
    assert idx.search("물류", top_k=1)[0][0] == "f"
    assert len(idx) == 7


def test_unseen_terms_do_not_inflate_new_doc_score():
    idx = TextIndex(refit_every=None).fit(DOCS)
    idx.add([{"id": "n", "title": "폐쇄회로 방범 카메라", "text": "방범용 폐쇄회로 카메라 관제"}])
    before = dict(idx.search("cctv", top_k=5))["n"]
    idx.refit()
    after = dict(idx.search("cctv", top_k=5))["n"]
    assert before < 0.9 and abs(before - after) < 0.2


def test_groups_filter():
    docs = [dict(d, group="x" if d["id"] < "c" else "y") for d in DOCS]
    idx = TextIndex().fit(docs)
    assert {r[0] for r in idx.search("버스 센서", top_k=10, group="x")} <= {"a", "b"}
    idx.add([{"id": "z", "group": "x", "title": "버스", "text": "버스"}])
    assert "z" in [r[0] for r in idx.search("버스", top_k=10, group="x")]
    assert "z" not in [r[0] for r in idx.search("버스", top_k=10, group="y")]


def test_search_many_matches_search():
    idx = TextIndex(refit_every=None).fit(DOCS)
    idx.add([{"id": "f", "title": "버스 정보", "text": "버스 도착 안내"}])
    queries = [{"id": 1, "text": "버스 호출"}, {"id": 2, "text": "센서 가로등"}]
    many = idx.search_many(idx.transform(queries), top_k=3)
    assert many == [idx.search(q["text"], top_k=3) for q in queries]


def test_bounded_bm25_scores_are_shares_of_the_query():
    """scoring="bm25": in [0, 1], more matched query terms score more, repeated terms saturate."""
    docs = [{"id": "all", "title": "", "text": "버스 배차 간격 버스 배차 간격"},
            {"id": "one", "title": "", "text": "버스 노선 안내 지도"},
            {"id": "none", "title": "", "text": "미세먼지 측정 센서"}]
    idx = TextIndex(scoring="bm25", subwords=0.0).fit(docs)
    hits = dict(idx.search("버스 배차 간격"))
    assert list(hits) == ["all", "one"]
    assert 0 < hits["one"] < hits["all"] <= 1.0
    with pytest.raises(ValueError, match="scoring"):
        TextIndex(scoring="okapi", char_ngrams=0.2).fit(docs)


def test_char_ngrams_match_fragments_the_analyser_misses():
    docs = [{"id": "m", "title": "", "text": "river level monitor"},
            {"id": "x", "title": "", "text": "parking payment kiosk"}]
    plain = TextIndex().fit(docs)
    fused = TextIndex(char_ngrams=0.2).fit(docs)
    assert plain.search("moniter") == []  # a typo: no analysed term in common
    assert [d for d, _ in fused.search("moniter")] == ["m"]


def test_fused_cosine_stays_a_cosine_and_updates_work():
    idx = TextIndex(char_ngrams=0.2).fit(DOCS)
    top, score = idx.search(dict(DOCS[1], id=None))[0]
    assert top == "b" and score == pytest.approx(1.0, abs=1e-5)
    idx.add([{"id": "f", "title": "하천 수위", "text": "하천 수위 센서로 침수 경보"}])
    assert idx.search("하천 수위 경보")[0][0] == "f"
    shown = idx.shared_terms("센서 경보", "f", unigrams_only=True)  # 센서 is in the fitted vocabulary
    assert shown and all(" " not in t for t, _ in shown)  # no char n-gram is shown as a term
    import pickle
    again = pickle.loads(pickle.dumps(idx))
    assert again.search("하천 수위 경보") == idx.search("하천 수위 경보")


def test_max_fusion_the_best_document_of_both_blocks_scores_one():
    """fusion="max" (the RETRIEVAL preset): each block divided by its best score for the query,
    also within a group and with documents added since the fit; search_many agrees with search."""
    from matching.index import RETRIEVAL

    docs = [dict(d, group="x" if d["id"] in "abe" else "y") for d in DOCS]
    idx = TextIndex(refit_every=None, **RETRIEVAL).fit(docs)
    top, score = idx.search("CCTV와 IoT 센서를 설치한 가로등")[0]
    assert top == "b" and score == pytest.approx(1.0, abs=1e-5)
    hits = idx.search("수요응답 버스", group="x")
    assert hits[0] == ("a", pytest.approx(1.0, abs=1e-5))  # c/d score more overall, not in x
    assert all(0 < s <= 1.0 + 1e-6 for _, s in idx.search("센서 버스"))
    idx.add([{"id": "f", "title": "버스 정보", "text": "버스 도착 안내", "group": "y"}])
    queries = [{"id": 1, "text": "버스 도착 정보"}, {"id": 2, "text": "센서 가로등"}]
    for group in (None, "y"):
        many = idx.search_many(idx.transform(queries), top_k=3, group=group)
        assert many == [idx.search(q["text"], top_k=3, group=group) for q in queries]
    assert idx.search("버스 도착 정보")[0] == ("f", pytest.approx(1.0, abs=1e-5))
    with pytest.raises(ValueError, match="fusion"):
        TextIndex(char_ngrams=0.2, fusion="rank").fit(DOCS).search("버스")


def test_char_field_weights_false_counts_each_field_once():
    docs = [{"id": "t", "title": "moniter", "text": "parking kiosk payment"},
            {"id": "x", "title": "parking kiosk payment", "text": "moniter"}]
    weighted = dict(TextIndex(char_ngrams=1.0).fit(docs).search("moniter"))
    flat = dict(TextIndex(char_ngrams=1.0, char_field_weights=False).fit(docs).search("moniter"))
    assert weighted["t"] > weighted["x"]  # the title's n-grams count × 3
    assert flat["t"] == pytest.approx(flat["x"])  # the same n-grams, once each
