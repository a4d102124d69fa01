"""English matching (issue 11, overseas demand): English needs against the solutions' English
fields in a separate English index; Korean needs unchanged; both merged for a solution."""
import json
import pickle
from datetime import date

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching import NeedDoc, Recommender, SolutionDoc, catalogue
from matching.cli import main
from matching.evaluation import rank
from matching.recommend import ChangeImpact
from matching.text import ENGLISH_ANALYZER, analyse
from tests.matching.conftest import TODAY, YANGPYEONG, drt_solution

DRT_EN = dict(title_en="Demand-responsive transport platform",
              summary_en="On-demand rural buses dispatched by AI",
              description_en="Residents of rural villages book buses by app or phone; AI "
                             "dispatch routes the on-demand buses.")
PARKING_EN = dict(title_en="Smart parking guidance",
                  summary_en="Parking space sensors and guidance signs",
                  description_en="Sensors on every parking space detect free spaces and guide "
                                 "drivers with signs.")


def solutions():
    """A DRT and a parking solution with English text, and a Korean-only DRT solution."""
    return [
        drt_solution(1, "c1", **DRT_EN),
        drt_solution(2, "c2", title="스마트 주차 안내", summary="주차면 센서와 안내 전광판",
                     description="주차면마다 센서를 달아 빈자리를 안내합니다.", **PARKING_EN),
        drt_solution(3, "c3"),  # Korean only
    ]


ENGLISH_BUS = dict(id=20, title="Rural bus shortage", language="en", place=YANGPYEONG,
                   category="transport", budget_max=300_000_000, deadline=date(2026, 6, 30),
                   description="Buses rarely come to our rural villages. We want on-demand "
                               "buses that residents can book by app or phone.")
ENGLISH_PARKING = dict(id=21, title="Parking guidance downtown", language="en",
                       place=YANGPYEONG, category="transport", budget_max=300_000_000,
                       description="Drivers circle downtown looking for parking; we want "
                                   "parking space sensors and signs showing free spaces.")


@pytest.fixture
def rec(drt_need):
    return Recommender(today=TODAY).fit(catalogue(solutions(),
                                                  [drt_need, ENGLISH_BUS, ENGLISH_PARKING]))


def test_language_is_validated_and_defaults_to_korean():
    assert NeedDoc(1, "x").language == "ko"
    assert NeedDoc(1, "x", language=None).language == "ko"
    assert NeedDoc.from_dict({"id": 1, "title": "x", "language": "en"}).language == "en"
    with pytest.raises(ValueError, match="language"):
        NeedDoc(1, "x", language="fr")


def test_solution_english_fields_and_document():
    sol = SolutionDoc.from_dict(drt_solution(1, "c1", **DRT_EN))
    assert sol.has_english and not SolutionDoc(2, "x", title_en="  ").has_english
    doc = sol.english_index_doc()
    assert doc["title"] == DRT_EN["title_en"] and doc["text"] == DRT_EN["description_en"]
    assert doc["id"] == ("solution", 1)


def test_english_analyser_drops_hangul_and_agrees_with_the_default_on_latin_text():
    text = "Smart streetlights with CCTV cameras and IoT sensors"
    assert ENGLISH_ANALYZER(text) == analyse(text)
    assert ENGLISH_ANALYZER("서울 smart bus 센서") == ["smart", "bus"]
    assert pickle.loads(pickle.dumps(ENGLISH_ANALYZER)) == ENGLISH_ANALYZER


def test_english_need_ranks_the_english_described_relevant_solution_first(rec):
    bus = rec.recommend_solutions(20, include_low_confidence=True)
    assert bus[0].solution_id == 1
    assert 3 not in {m.solution_id for m in bus}  # no English text: no candidate
    assert {"rural", "bus"} & {t for t, _w in bus[0].shared_terms}
    parking = rec.recommend_solutions(21, include_low_confidence=True)
    assert parking[0].solution_id == 2
    assert parking[0].score > (bus[0].score if len(bus) > 1 and bus[1].solution_id == 2 else 0)
    assert not parking[0].low_confidence  # same calibrated scale and floor
    assert parking[0].reasons  # "why this match" codes for the English pair


def test_english_need_given_as_a_record_is_not_indexed(rec):
    query = dict(ENGLISH_BUS, id=99)
    assert rec.recommend_solutions(query, include_low_confidence=True)[0].solution_id == 1
    assert not rec.has_need(99) and 99 not in {k[1] for k in rec.english_index_.ids_}


def test_korean_needs_are_unchanged_by_english_text(drt_need):
    korean_only = [drt_solution(1, "c1"), drt_solution(2, "c2", title="스마트 주차 안내",
                                                        summary="주차면 센서와 안내 전광판",
                                                        description="주차면마다 센서를 달아 빈자리를 안내합니다."),
                   drt_solution(3, "c3")]
    before = Recommender(today=TODAY).fit(catalogue(korean_only, [drt_need]))
    after = Recommender(today=TODAY).fit(catalogue(solutions(),
                                                   [drt_need, ENGLISH_BUS, ENGLISH_PARKING]))
    assert [m.to_dict() for m in before.recommend_solutions(10, include_low_confidence=True)] \
        == [m.to_dict() for m in after.recommend_solutions(10, include_low_confidence=True)]
    assert len(after.index_) == len(before.index_)  # English needs stay out of the Korean index


def test_a_solution_gets_korean_and_english_needs_on_one_scale(rec):
    needs = rec.recommend_needs(1, include_low_confidence=True)
    ids = [m.need_id for m in needs]
    assert 10 in ids and 20 in ids
    assert ids.index(20) < ids.index(21) if 21 in ids else True
    scores = [m.score for m in needs]
    assert scores == sorted(scores, reverse=True)
    english = next(m for m in needs if m.need_id == 20)
    assert {t for t, _w in english.shared_terms} <= set(rec.english_index_.vocabulary_)
    # a Korean-only solution is matched to Korean needs only
    assert {m.need_id for m in rec.recommend_needs(3, include_low_confidence=True)} <= {10}


def test_company_needs_include_english_ones(rec):
    assert 20 in {m.need_id for m in rec.recommend_needs_for_company("c1")}


def test_freshness_language_switch_and_removal(rec):
    rec.upsert_need(dict(ENGLISH_BUS, language="ko", title="농촌 버스 부족",
                         description="수요응답형 교통 버스가 필요합니다."))
    assert ("need", 20) in rec.index_ and ("need", 20) not in rec.english_index_
    rec.upsert_need(ENGLISH_BUS)
    assert ("need", 20) in rec.english_index_ and ("need", 20) not in rec.index_
    rec.upsert_solution(drt_solution(1, "c1"))  # English text removed
    assert ("solution", 1) not in rec.english_index_
    assert 1 not in {m.solution_id for m in rec.recommend_solutions(20, include_low_confidence=True)}
    rec.upsert_solution(drt_solution(1, "c1", **DRT_EN))
    rec.remove_solution(2)
    assert ("solution", 2) not in rec.english_index_ and ("solution", 2) not in rec.index_
    rec.refit()
    assert rec.recommend_solutions(20, include_low_confidence=True)[0].solution_id == 1


def test_change_impact_sees_english_searches(rec):
    with rec.recording() as searches:
        rec.recommend_solutions(20, include_low_confidence=True)
    assert searches and searches[0].group == ("en", "solution")
    assert ChangeImpact(rec, [("solution", 1)]).affects(searches)  # a hit changed
    assert not ChangeImpact(rec, [("solution", 3)]).affects(searches)  # not in English
    rec.upsert_solution(drt_solution(3, "c3", **DRT_EN))
    assert ChangeImpact(rec, [("solution", 3)]).affects(searches)  # now ranks for it


def test_english_neighbours_and_term_weights(rec):
    near = rec.near(("need", 20), "need", 3)
    assert near.group == ("en", "need") and {k for k, _ in near.hits} <= {("need", 20), ("need", 21)}
    many = rec.near_many([("need", 10), ("need", 20)], "need", 3)
    assert [s.query for s in many] == [("need", 10), ("need", 20)]
    assert many[0].group == "need" and many[1].group == ("en", "need")
    assert "bus" in rec.term_weights("need", 20)


def test_pickles_and_follows_the_estimator_rules(rec):
    copy = pickle.loads(pickle.dumps(rec))
    assert [m.to_dict() for m in copy.recommend_solutions(20, include_low_confidence=True)] == \
        [m.to_dict() for m in rec.recommend_solutions(20, include_low_confidence=True)]
    params = Recommender(english_index_params={"k1": 0.9}).get_params()
    assert params["english_index_params"] == {"k1": 0.9}
    assert not hasattr(clone(rec), "english_index_")
    with pytest.raises(NotFittedError):
        Recommender().index_for("en")


def test_no_english_documents_at_all(drt_need):
    rec = Recommender(today=TODAY).fit(catalogue([drt_solution(3, "c3")], [drt_need]))
    assert len(rec.english_index_) == 0
    assert rec.recommend_solutions(dict(ENGLISH_BUS, id=5)) == []
    assert [m.need_id for m in rec.recommend_needs(3, include_low_confidence=True)] == [10]


# --- the CLI ----------------------------------------------------------------------------------


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


DOCS = [{"id": "k1", "title": "수요응답형 교통", "text": "농촌 버스 배차"},
        {"id": "e1", "title": "Smart parking", "text": "parking space sensors", "language": "en"},
        {"id": "e2", "title": "On-demand buses", "text": "rural bus booking", "language": "en"}]
QUERIES = [{"id": "qk", "title": "", "text": "농촌 버스"},
           {"id": "qe", "title": "", "text": "rural buses on demand", "language": "en"}]


def test_rank_splits_by_language():
    run = rank(DOCS, QUERIES, 10)
    assert list(run) == ["qk", "qe"]
    assert {d for d, _ in run["qk"]} == {"k1"}
    assert run["qe"][0][0] == "e2" and {d for d, _ in run["qe"]} <= {"e1", "e2"}


def test_cli_rank_accepts_language_and_refuses_unknown_ones(tmp_path, capsys):
    docs = _write(tmp_path / "docs.jsonl", DOCS)
    queries = _write(tmp_path / "q.jsonl", QUERIES)
    assert main(["rank", "--docs", str(docs), "--queries", str(queries)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["qk", "Q0", "k1"]
    assert any(line.split()[:3] == ["qe", "Q0", "e2"] for line in lines)
    bad = _write(tmp_path / "bad.jsonl", [dict(QUERIES[1], language="fr")])
    assert main(["rank", "--docs", str(docs), "--queries", str(bad)]) == 1
    err = capsys.readouterr().err
    assert 'bad.jsonl:1: "language" must be "ko" or "en"' in err and "Traceback" not in err


# --- python -m research.english -----------------------------------------------------------------


def _english_set(root):
    """A tiny English labelled set: two needs, three solutions, judgments both ways."""
    docs = [
        {"id": "s-01", "title": "On-demand rural buses", "category": "transport",
         "text": "Residents of rural villages book buses by app or phone; AI dispatch.",
         "split": "train"},
        {"id": "s-02", "title": "Smart parking guidance", "category": "transport",
         "text": "Parking space sensors detect free spaces and signs guide drivers.",
         "split": "train"},
        {"id": "s-03", "title": "Library seat booking app", "category": "culture",
         "text": "Readers reserve library seats and get loan reminders.", "split": "test"},
    ]
    queries = [
        {"id": "n-01", "title": "Rural bus shortage", "category": "transport", "split": "train",
         "text": "Buses rarely come to our rural villages; residents want on-demand buses "
                 "booked by phone or app."},
        {"id": "n-02", "title": "Downtown parking", "category": "transport", "split": "test",
         "text": "Drivers circle downtown; we want parking space sensors and guidance signs."},
    ]
    _write(root / "docs.jsonl", docs)
    _write(root / "queries.jsonl", queries)
    (root / "qrels.txt").write_text("n-01 0 s-01 2\nn-02 0 s-02 2\n", encoding="utf-8")
    (root / "reverse").mkdir()
    (root / "reverse" / "qrels.txt").write_text("s-01 0 n-01 2\ns-02 0 n-02 2\n",
                                                encoding="utf-8")
    return root


def test_research_english_prints_the_tables_on_a_synthetic_set(tmp_path, capsys):
    from research import english

    root = _english_set(tmp_path)
    assert english.main(["--english", str(root), "--domain", str(tmp_path / "none")]) == 0
    out = capsys.readouterr().out
    assert "## need → solution" in out and "## solution → need" in out
    assert "nDCG@10" in out and "irrelevant in top 5" in out and "| train |" in out
    results = english.evaluate(english=root, domain=tmp_path / "none")
    for direction in ("need", "solution"):
        rows = results[direction]["train"] + results[direction]["test"]
        judged = [r for r in rows if r.relevant]
        assert judged and all(r.ranked and r.ranked[0][0] in r.relevant for r in judged)
    from research.domain import metrics

    assert metrics(results["need"]["train"])["nDCG@10"] == pytest.approx(1.0)


def test_research_english_says_clearly_when_the_set_is_missing(tmp_path, capsys):
    from research import english

    assert english.main(["--english", str(tmp_path / "absent")]) == 1
    err = capsys.readouterr().err
    assert "the English labelled set is not there" in err and "Traceback" not in err
