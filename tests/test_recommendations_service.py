"""The app ↔ matching bridge: analysed text, the change log, freshness, visibility and rematch."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import (
    MatchingChange,
    MembershipStatus,
    ModerationStatus,
    NeedStatus,
    OfficialStatus,
    Recommendation,
    Role,
    SizeClass,
    SolutionStatus,
)
from app.services import recommendations
from tests import factories

DRT_NEED = ("읍면 지역 어르신들이 병원과 시장에 가기 어렵습니다. 버스 배차 간격이 길어 "
            "수요응답형 교통(DRT) 호출 서비스와 배차 플랫폼 도입을 원합니다.")
DRT_SOLUTION = ("농어촌 수요응답형 교통 DRT 호출 앱과 AI 배차 플랫폼입니다. 읍면 어르신이 전화나 "
                "앱으로 호출하면 버스 배차를 최적화합니다.")
FLOOD_SOLUTION = ("하천 수위 센서와 강우 레이더로 도심 침수를 예측하고 지하차도 통제를 자동화합니다.")


def _changes(db) -> set[tuple[str, int]]:
    db.session.expire_all()
    return {(c.entity, c.entity_id) for c in db.session.scalars(select(MatchingChange))}


def test_analysed_text_is_stored_on_flush_and_follows_edits(db, company):
    solution = factories.make_solution(company, title="수요응답형 교통을 위한 배차 플랫폼",
                                       description=DRT_SOLUTION)
    db.session.commit()
    assert "교통" in solution.analysed_text["title"].split()
    assert "drt" in solution.analysed_text["text"].split()
    solution.description = FLOOD_SOLUTION
    db.session.commit()
    assert "침수" in solution.analysed_text["text"].split()
    assert "drt" not in solution.analysed_text["text"].split()


def test_commits_log_changed_listings_including_indirect_changes(db, company, official):
    solution = factories.make_solution(company)
    need = factories.make_need(official)
    db.session.commit()
    assert {("solution", solution.id), ("need", need.id)} <= _changes(db)

    db.session.execute(MatchingChange.__table__.delete())
    db.session.commit()
    company.membership_status = MembershipStatus.SUSPENDED
    official.official_status = OfficialStatus.SUSPENDED
    db.session.commit()
    assert _changes(db) == {("solution", solution.id), ("need", need.id)}


def test_a_rolled_back_change_logs_nothing(db, company):
    db.session.execute(MatchingChange.__table__.delete())
    db.session.commit()
    factories.make_solution(company)
    db.session.rollback()
    db.session.commit()
    assert _changes(db) == set()


def _drt_setup(db, company, official):
    solution = factories.make_solution(company, title="농어촌 DRT 배차 플랫폼", description=DRT_SOLUTION)
    flood = factories.make_solution(company, title="도심 침수 예측", description=FLOOD_SOLUTION,
                                    category_code="safety")
    need = factories.make_need(official, title="읍면 수요응답형 교통 도입", description=DRT_NEED)
    db.session.commit()
    return solution, flood, need


def test_need_gets_the_relevant_solution_first_with_an_explanation(db, company, official):
    solution, flood, need = _drt_setup(db, company, official)
    matches = recommendations.solutions_for_need(need)
    assert matches[0].solution.id == solution.id
    explanation = matches[0].explanation
    assert explanation["score"] > 0 and not explanation["low_confidence"]
    terms = [term for term, _ in explanation["shared_terms"]]
    need_terms = set(need.analysed_text["title"].split()) | set(need.analysed_text["text"].split())
    solution_terms = set().union(*(set(v.split()) for v in solution.analysed_text.values()))
    assert terms and all(t in need_terms and t in solution_terms for t in terms)
    assert "same_category" in explanation["reasons"] and "reason_labels" not in explanation
    assert [m.need.id for m in recommendations.needs_for_solution(solution)] == [need.id]


def test_only_public_solutions_and_open_public_needs_are_recommended(db, company, official):
    solution, _, need = _drt_setup(db, company, official)
    pending = factories.make_company(membership=MembershipStatus.PENDING)
    hidden = factories.make_solution(pending, title="농어촌 DRT 배차 플랫폼 2", description=DRT_SOLUTION)
    draft = factories.make_solution(company, title="DRT 초안", description=DRT_SOLUTION,
                                    status=SolutionStatus.DRAFT)
    suspended = factories.make_solution(company, title="DRT 정지", description=DRT_SOLUTION)
    suspended.moderation_status = ModerationStatus.SUSPENDED
    unverified = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    pending_need = factories.make_need(unverified, title="DRT 수요(미인증)", description=DRT_NEED)
    closed_need = factories.make_need(official, title="DRT 수요(종료)", description=DRT_NEED,
                                      status=NeedStatus.CLOSED)
    db.session.commit()

    recommended = {m.solution.id for m in recommendations.solutions_for_need(need)}
    assert solution.id in recommended
    assert not recommended & {hidden.id, draft.id, suspended.id}
    for_solution = {m.need.id for m in recommendations.needs_for_solution(solution)}
    assert need.id in for_solution and not for_solution & {pending_need.id, closed_need.id}
    assert recommendations.solutions_for_need(closed_need) == []
    assert recommendations.needs_for_solution(hidden) == []


def test_changes_are_visible_to_the_next_recommendation_without_a_rebuild(db, company, official):
    solution, _, need = _drt_setup(db, company, official)
    assert recommendations.solutions_for_need(need)[0].solution.id == solution.id
    engine = recommendations.engine()
    built_at = engine.built_at

    newcomer = factories.make_solution(company, title="읍면 어르신 DRT 호출 배차 플랫폼 수요응답형 교통",
                                       description=DRT_NEED)
    db.session.commit()
    assert newcomer.id in {m.solution.id for m in recommendations.solutions_for_need(need)}

    newcomer.title, newcomer.description = "공원 조명 관리", "공원 가로등 밝기를 원격으로 조절합니다."
    newcomer.tags = []
    db.session.commit()
    strong = [m.solution.id for m in recommendations.solutions_for_need(need) if not m.low_confidence]
    assert newcomer.id not in strong

    newcomer.status = SolutionStatus.ARCHIVED
    db.session.commit()
    assert newcomer.id not in {m.solution.id for m in recommendations.solutions_for_need(need)}
    assert engine.built_at == built_at, "updates are incremental, not rebuilds"


def test_a_solution_not_serving_the_region_is_ranked_down(db, official):
    near = factories.make_company(regions=["서울특별시"])
    far = factories.make_company(regions=["제주특별자치도"], hq="제주특별자치도")
    serving = factories.make_solution(near, title="농어촌 DRT 배차 플랫폼", description=DRT_SOLUTION)
    elsewhere = factories.make_solution(far, title="농어촌 DRT 배차 플랫폼 ", description=DRT_SOLUTION,
                                        regions=["제주특별자치도"])
    need = factories.make_need(official, title="읍면 수요응답형 교통 도입", description=DRT_NEED)
    db.session.commit()
    ranked = [m.solution.id for m in recommendations.solutions_for_need(need)]
    assert ranked.index(serving.id) < ranked.index(elsewhere.id)
    far_match = next(m for m in recommendations.solutions_for_need(need)
                     if m.solution.id == elsewhere.id)
    assert "outside_region" in far_match.explanation["reasons"]


def test_consortia_combine_a_lead_and_startups_within_the_share_cap(db, official):
    large = factories.make_company(size_class=SizeClass.LARGE)
    startup = factories.make_company(size_class=SizeClass.STARTUP)
    sensor_co = factories.make_company(size_class=SizeClass.SME)
    factories.make_solution(large, title="디지털트윈 통합 관제 플랫폼", category_code="safety",
                            description="디지털트윈 기반 도시 통합 관제 대시보드와 3차원 시각화 플랫폼입니다.")
    factories.make_solution(startup, title="하천 수위 센서", category_code="safety",
                            description="LoRa 통신 하천 수위 센서로 침수 위험을 실시간 감지합니다.")
    factories.make_solution(sensor_co, title="강우 예측 AI", category_code="safety",
                            description="강우 레이더 자료로 침수 예측 모델을 운영하고 경보를 보냅니다.")
    factories.make_solution(sensor_co, title="마을 하수처리장 원격 운영", category_code="env_energy_water",
                            description="읍면 마을 하수처리장의 펌프를 원격으로 운영합니다.")
    need = factories.make_need(
        official, title="침수 예측과 통합 관제", category_code="safety",
        description="LoRa 하천 수위 센서로 침수 위험을 실시간 감지하고, 강우 레이더 자료로 침수 예측 "
                    "모델을 운영해 경보를 보내며, 결과는 관제 대시보드에서 보고 싶습니다.")
    db.session.commit()
    proposals = recommendations.consortia_for_need(need)
    assert proposals, "a consortium should cover more than any single solution"
    for proposal in proposals:
        assert "마을 하수처리장 원격 운영" not in {m.solution.title for m in proposal.members}
        assert proposal.lead.company.size_class in (SizeClass.LARGE, SizeClass.MID)
        assert proposal.coverage > proposal.best_single_coverage
        assert proposal.lead.share <= proposal.share_cap + 1e-9
        assert sum(m.share for m in proposal.members) == pytest.approx(1, abs=1e-5)
    partners = recommendations.partners_for_company(large)
    assert {p.company.id for p in partners} <= {startup.id, sensor_co.id}
    assert recommendations.partners_for_company(startup) == []


def test_rematch_stores_ranked_recommendations_for_open_needs(runner, db, company, official):
    solution, _, need = _drt_setup(db, company, official)
    closed = factories.make_need(official, title="DRT 종료", description=DRT_NEED,
                                 status=NeedStatus.CLOSED)
    db.session.commit()
    result = runner.invoke(args=["rematch"])
    assert result.exit_code == 0, result.output
    assert "추천" in result.output and "open needs" in result.output
    rows = list(db.session.scalars(select(Recommendation).order_by(Recommendation.rank)))
    assert rows and {r.need_id for r in rows} == {need.id}
    assert rows[0].solution_id == solution.id and rows[0].rank == 1
    assert rows[0].explanation["shared_terms"]
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))

    count = db.session.scalar(select(func.count(Recommendation.id)))
    assert runner.invoke(args=["rematch"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Recommendation.id))) == count
    assert closed.id not in {r.need_id for r in db.session.scalars(select(Recommendation))}


def test_an_engine_started_on_an_empty_catalogue_scores_new_vocabulary(db, company, official):
    assert recommendations.needs_for_company(company) == []  # the engine is built empty here
    solution, _, need = _drt_setup(db, company, official)
    matches = recommendations.solutions_for_need(need)
    assert matches and matches[0].solution.id == solution.id
    assert matches[0].explanation["text_score"] > 0.1


def test_large_catalogues_refit_in_the_background_and_swap(app, db, company, official):
    engine = recommendations.engine()
    engine.inline_refit_max_docs = 0
    engine.refit_interval_seconds = 0
    engine.build()
    solution, _, need = _drt_setup(db, company, official)
    before = engine.recommender
    recommendations.solutions_for_need(need)  # applies the change log, starts the refit
    assert engine.refit_thread is not None
    engine.refit_thread.join(timeout=30)
    assert engine.recommender is not before, "the refitted copy was swapped in"
    matches = recommendations.solutions_for_need(need)
    assert matches and matches[0].solution.id == solution.id
    assert matches[0].explanation["text_score"] > 0.1


def test_cached_results_follow_relevant_edits_and_survive_unrelated_ones(app, db, company, official):
    """Without an inline refit (large catalogues), changes drop only the results they affect."""
    inline = app.config["MATCHING_INLINE_REFIT_MAX_DOCS"]
    app.config["MATCHING_INLINE_REFIT_MAX_DOCS"] = 0
    app.extensions.pop("citymatch_matching", None)
    try:
        need = factories.make_need(official, title="읍면 수요응답형 교통 도입", description=DRT_NEED)
        flood = factories.make_solution(company, title="도심 침수 예측", description=FLOOD_SOLUTION)
        other_need = factories.make_need(official, title="하천 침수 대응",
                                         description=FLOOD_SOLUTION)
        db.session.commit()
        assert [m.solution.id for m in recommendations.solutions_for_need(need)] in ([flood.id], [])
        eng = recommendations.engine()
        key = ("solutions_for_need", need.id, 10)
        assert key in eng.results.entries

        # an edit that cannot reach the need's results keeps the cached entry
        other_need.description = FLOOD_SOLUTION + " 지하차도 통제"
        db.session.commit()
        recommendations.solutions_for_need(need)
        assert key in eng.results.entries

        # a new solution that matches the need shows up at once
        drt = factories.make_solution(company, title="수요응답형 교통 DRT 배차 플랫폼",
                                      description=DRT_SOLUTION)
        db.session.commit()
        assert recommendations.solutions_for_need(need)[0].solution.id == drt.id
    finally:
        app.config["MATCHING_INLINE_REFIT_MAX_DOCS"] = inline
        app.extensions.pop("citymatch_matching", None)


def test_result_cache_evicts_the_least_recently_used_and_empties_on_a_new_fit():
    cache = recommendations.ResultCache(max_entries=2)
    calls = []

    def compute(name):
        return lambda: (calls.append(name) or name, [])

    assert cache.get("fit-1", ("a",), compute("a")) == "a"
    cache.get("fit-1", ("b",), compute("b"))
    cache.get("fit-1", ("a",), compute("a"))  # a hit: a becomes the most recently used
    cache.get("fit-1", ("c",), compute("c"))  # evicts b
    assert list(cache.entries) == [("a",), ("c",)]
    assert calls == ["a", "b", "c"]
    cache.get("fit-2", ("a",), compute("a"))  # a new fit recomputes
    assert calls == ["a", "b", "c", "a"] and list(cache.entries) == [("a",)]


def test_every_reason_code_of_the_engine_is_worded_and_translated_by_the_app(app):
    """The library returns reason codes only; app/labels.py words each one in Korean and English."""
    from flask_babel import force_locale

    from app.labels import REASON_TEXTS, reason_label
    from matching import REASON_CODES

    assert set(REASON_TEXTS) == set(REASON_CODES)
    with app.test_request_context():
        korean = {code: reason_label(code) for code in REASON_CODES}
        with force_locale("en"):
            english = {code: reason_label(code) for code in REASON_CODES}
    assert korean["same_category"] == "같은 분야의 솔루션입니다"
    assert english["same_category"] == "A solution in the same field"
    assert all(english[code] != korean[code] for code in REASON_CODES)
