"""Recorded searches and ChangeImpact: a result a change cannot affect is still exact."""
import random

from matching import Partnerships, Recommender, catalogue
from matching.recommend import ChangeImpact, Searched

from .conftest import TODAY, place

WORDS = ("버스 교통 호출 배차 농촌 주차 센서 미세먼지 조명 CCTV 영상 관제 보행자 알림 전광판 "
         "돌봄 어르신 응급 침수 하천 수위 에너지 태양광 관광 혼잡 안내 쓰레기 수거 드론 "
         "데이터 플랫폼 통합 상황판 안전 교차로 학교 통학로 복지 건강 상담 물 누수").split()
CATEGORIES = ("transport", "safety", "env_energy_water", "health_welfare")
SIZES = ("large", "mid", "sme", "startup", "startup")


def _text(rng, n=8):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _solution(rng, sid):
    company = rng.randrange(12)
    return dict(id=sid, company_id=company, company_size=SIZES[company % len(SIZES)],
                title=_text(rng, 3), summary=_text(rng, 4), description=_text(rng, 10),
                category=rng.choice(CATEGORIES), maturity="commercial",
                price_min=rng.randrange(1, 9) * 10_000_000, regions_served=("경기도",))


def _need(rng, nid):
    return dict(id=nid, title=_text(rng, 3), description=_text(rng, 12),
                category=rng.choice(CATEGORIES), place=place("양평군", "경기도", "군"),
                budget_max=rng.randrange(1, 9) * 50_000_000)


def _results(rec: Recommender, partnerships=None):
    """Every kind of result the app caches, each with the searches it was computed from."""
    partnerships = partnerships or Partnerships(rec)
    out = {}
    for nid in sorted(rec.needs_):
        with rec.recording() as searches:
            searches.append(Searched(("need", nid), "self", 0, ()))
            value = (rec.recommend_solutions(nid, top_k=5, include_low_confidence=True),
                     partnerships.consortia(nid, top_k=3))
        out["need", nid] = (value, searches)
    for sid in sorted(rec.solutions_)[:10]:
        with rec.recording() as searches:
            searches.append(Searched(("solution", sid), "self", 0, ()))
            value = rec.recommend_needs(sid, top_k=5, include_low_confidence=True)
        out["solution", sid] = (value, searches)
    for company in range(0, 12, 5):  # the large firms
        with rec.recording() as searches:
            value = (rec.recommend_needs_for_company(company, top_k=5, include_low_confidence=True),
                     partnerships.partners_for(company, top_k=4, needs_per_solution=6))
        out["company", company] = (value, searches)
    return out


def _values(results):
    return {key: value for key, (value, _) in results.items()}


def test_results_unaffected_by_changes_are_unchanged():
    rng = random.Random(5)
    solutions = [_solution(rng, i) for i in range(1, 81)]
    needs = [_need(rng, i) for i in range(1, 31)]
    rec = Recommender(today=TODAY, candidates=12, refit_every=None).fit(catalogue(solutions, needs))
    kept = dropped = 0
    next_id = 1000
    long_lived = Partnerships(rec)  # memoises across rounds, pruned with forget()
    for _ in range(10):
        before = _results(rec, long_lived)
        changed = []
        for _ in range(2):
            roll = rng.random()
            if roll < 0.4:
                target = rng.choice(sorted(rec.solutions_))
                rec.upsert_solution(_solution(rng, target))
                changed.append(("solution", target))
            elif roll < 0.6:
                next_id += 1
                rec.upsert_solution(_solution(rng, next_id))
                changed.append(("solution", next_id))
            elif roll < 0.75:
                target = rng.choice(sorted(rec.solutions_))
                rec.remove_solution(target)
                changed.append(("solution", target))
            else:
                target = rng.choice(sorted(rec.needs_))
                rec.upsert_need(_need(rng, target))
                changed.append(("need", target))
        impact = ChangeImpact(rec, changed)
        long_lived.forget(impact)
        after = _results(rec)
        assert _values(_results(rec, long_lived)) == _values(after)  # pruned memos stay exact
        for key, (value, searches) in before.items():
            if impact.affects(searches):
                dropped += 1
            else:
                kept += 1
                assert key in after and after[key][0] == value, (key, changed)
    # both branches were exercised: some results survive a change, others are dropped
    assert kept > 50 and dropped > 50


def test_an_upsert_that_would_rank_affects_a_search_and_an_unrelated_one_does_not():
    rng = random.Random(1)
    solutions = [_solution(rng, i) for i in range(1, 41)]
    need = dict(id=1, title="농촌 버스 호출", description="농촌 버스 호출 배차 교통",
                category="transport", place=place("양평군", "경기도", "군"))
    rec = Recommender(today=TODAY, candidates=5, refit_every=None).fit(catalogue(solutions, [need]))
    with rec.recording() as searches:
        rec.recommend_solutions(1, top_k=5)
    assert searches and searches[0].query == ("need", 1)
    rec.upsert_solution(dict(_solution(rng, 500), title="농촌 버스 호출 배차",
                             description="농촌 버스 호출 배차 교통 교통"))
    assert ChangeImpact(rec, [("solution", 500)]).affects(searches)
    rec.upsert_solution(dict(_solution(rng, 501), title="하수 관로", description="하수 관로 점검"))
    assert not ChangeImpact(rec, [("solution", 501)]).affects(searches)
    assert ChangeImpact(rec, [("need", 1)]).affects(searches)
