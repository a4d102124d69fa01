"""The library's estimator contract (scikit-learn's rules): fit(X, y=None), picklable fitted
objects, queries that never change the fitted state, and no display text inside ``matching/``."""
import ast
import inspect
import pickle
import re
from pathlib import Path

import pytest
from sklearn.base import clone

import matching
from matching import Partnerships, Recommender, TextIndex, catalogue

from .conftest import TODAY, drt_solution, place

LIBRARY = Path(matching.__file__).resolve().parent
HANGUL_RUN = re.compile(r"[가-힣]{2,}")

SOLUTIONS = [
    drt_solution(1, "A"),
    drt_solution(2, "B", title="스마트 주차 공유", summary="주차장 빈자리 안내",
                 description="주차 센서로 빈 주차면을 실시간 안내합니다.", category="transport"),
    drt_solution(3, "C", title="하천 수위 경보", summary="침수 예측",
                 description="하천 수위 센서로 침수를 예측하고 경보합니다.", category="safety",
                 company_size="large"),
    drt_solution(4, "D", title="어르신 돌봄 호출", summary="응급 호출",
                 description="농촌 어르신 응급 호출과 병원 이동 지원", category="health_welfare"),
]
NEEDS = [
    dict(id=10, title="농촌 마을 버스 부족", place=place("양평군", "경기도", "군"),
         category="transport", description="버스 배차 간격이 길어 어르신들이 병원에 가기 어렵습니다."),
    dict(id=11, title="지하차도 침수", place=place("수원시", "경기도", "시"), category="safety",
         description="집중호우 때 지하차도 침수를 미리 알고 싶습니다."),
]


def fitted() -> Recommender:
    return Recommender(today=TODAY, refit_every=None).fit(catalogue(SOLUTIONS, NEEDS))


def fitted_state(rec: Recommender) -> bytes:
    """Every fitted attribute (ending in ``_``) of the recommender and its index, serialised."""
    state = {k: v for k, v in vars(rec).items() if k.endswith("_") and k != "index_"}
    state["index"] = vars(rec.index_)
    return pickle.dumps(state)


def rankings(rec: Recommender) -> list:
    return ([rec.recommend_solutions(n["id"], include_low_confidence=True) for n in NEEDS]
            + [rec.recommend_needs(s["id"], include_low_confidence=True) for s in SOLUTIONS]
            + [rec.recommend_needs_for_company("C", include_low_confidence=True)])


@pytest.mark.parametrize("estimator", [Recommender, TextIndex])
def test_fit_takes_one_data_set_and_init_only_stores_parameters(estimator):
    params = list(inspect.signature(estimator.fit).parameters)
    assert params == ["self", "X", "y"]
    assert inspect.signature(estimator.fit).parameters["y"].default is None
    est = estimator()
    assert not [k for k in vars(est) if k.endswith("_") or k.startswith("_")]
    assert clone(est).get_params() == est.get_params()


def test_fit_returns_self_and_takes_kinded_mappings():
    rec = Recommender(today=TODAY)
    mixed = [dict(s, kind="solution") for s in SOLUTIONS] + [dict(n, kind="need") for n in NEEDS]
    assert rec.fit(mixed) is rec
    assert rec.n_documents() == len(SOLUTIONS) + len(NEEDS)
    assert rec.has_need(10) and rec.has_solution(3) and not rec.has_need(3)
    assert rec.get_solution(3).title == "하천 수위 경보" and rec.get_need(99) is None
    with pytest.raises(ValueError, match="kind"):
        Recommender().fit([dict(NEEDS[0])])


def test_a_pickled_fitted_engine_gives_identical_rankings():
    rec = fitted()
    rec.upsert_solution(drt_solution(5, "E", title="버스 정류장 전광판",
                                     description="버스 도착 안내 전광판"))  # a delta row too
    copy = pickle.loads(pickle.dumps(rec))
    assert rankings(copy) == rankings(rec)
    assert Partnerships(copy).consortia(10) == Partnerships(rec).consortia(10)
    assert pickle.loads(pickle.dumps(rec.index_)).search("침수 경보", top_k=3) == \
        rec.index_.search("침수 경보", top_k=3)


def test_queries_never_change_the_fitted_state():
    rec = fitted()
    before = fitted_state(rec)
    rankings(rec)
    Partnerships(rec).consortia(10)
    rec.index_.search("버스 호출", top_k=3)
    ad_hoc = dict(id=77, title="하천 범람 경보", description="새로운낱말 하천 수위 경보",
                  place=place("수원시", "경기도", "시"), category="safety")
    rec.recommend_solutions(ad_hoc, include_low_confidence=True)
    rec.recommend_needs(dict(SOLUTIONS[0], id=78), include_low_confidence=True)
    assert fitted_state(rec) == before
    assert not rec.has_need(77) and not rec.has_solution(78)


def test_an_ad_hoc_query_ranks_as_if_it_had_been_indexed():
    ad_hoc = dict(id=77, title="하천 범람 경보", description="새로운낱말 하천 수위 침수 경보",
                  place=place("수원시", "경기도", "시"), category="safety")
    rec = fitted()
    direct = rec.recommend_solutions(ad_hoc, include_low_confidence=True)
    indexed = fitted().upsert_need(ad_hoc).recommend_solutions(77, include_low_confidence=True)
    assert direct and direct == indexed
    assert direct[0].solution_id == 3


def test_no_display_text_inside_the_library():
    """Korean words appear only in docstrings and comments, never in string values."""
    found = []
    for path in sorted(LIBRARY.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        found += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings and HANGUL_RUN.search(node.value)]
    assert found == []


def test_research_tools_live_outside_the_library_package():
    assert not (LIBRARY / "experiments.py").exists() and not (LIBRARY / "bench.py").exists()
    assert (LIBRARY.parent / "research" / "experiments.py").is_file()
