"""Need–need similarity and joint procurement clusters (matching.joint)."""
import pytest

from matching import Recommender, catalogue
from matching.joint import JointConfig, category_agreement, need_clusters, similar_needs
from matching.records import NeedDoc

from .conftest import place

LIGHT = ("스마트 가로등 원격 제어", "야간 보행 안전을 위해 스마트 가로등을 원격으로 제어하고 "
         "밝기를 조절하며 고장을 자동으로 알려 주는 가로등 관제 시스템이 필요합니다.")
PARKING = ("공영주차장 실시간 주차 안내", "공영주차장 빈자리를 실시간으로 안내하고 불법 주차를 "
           "줄이는 주차 안내 시스템이 필요합니다.")
LIBRARY = ("도서관 좌석 예약", "도서관 열람실 좌석을 모바일로 예약하고 도서 대출을 알려 주는 앱")


def need(nid, town, text, category="safety", **kw):
    title, description = text
    return NeedDoc(id=nid, title=title, description=description,
                   place=place(town, "경기도", "시"), category=category, **kw)


def fitted(needs):
    return Recommender(refit_every=None).fit(catalogue([], needs))


@pytest.fixture
def corpus():
    return [need(1, "수원시", LIGHT), need(2, "화성시", LIGHT), need(3, "용인시", LIGHT),
            need(4, "수원시", LIGHT),  # the same municipality as need 1
            need(5, "성남시", PARKING, category="transport"),
            need(6, "안양시", PARKING, category="transport"),
            need(7, "부천시", LIBRARY, category="education")]


def test_similar_needs_are_of_other_municipalities_best_first(corpus):
    found = similar_needs(fitted(corpus), 1)
    assert {s.need_id for s in found} == {2, 3}
    assert all(s.score >= JointConfig().threshold and s.category == 1.0 for s in found)
    assert found == sorted(found, key=lambda s: (-s.score, s.need_id))


def test_an_unindexed_need_has_no_similar_needs(corpus):
    assert similar_needs(fitted(corpus), 99) == []


def test_category_agreement_counts_in_the_score(corpus):
    same_text_other_category = need(8, "화성시", LIGHT, category="transport")
    rec = fitted([corpus[0], same_text_other_category])
    strict = JointConfig(threshold=0.9, category_weight=0.25)
    assert similar_needs(rec, 1, strict) == []  # a perfect cosine is 0.75 without the category
    assert [s.need_id for s in similar_needs(rec, 1, JointConfig(threshold=0.7))] == [8]


def test_category_agreement_levels():
    a = need(1, "수원시", LIGHT, category="safety", secondary_categories=("transport",))
    assert category_agreement(a, need(2, "화성시", LIGHT, category="safety")) == 1.0
    assert category_agreement(a, need(3, "화성시", LIGHT, category="transport")) == 0.5
    assert category_agreement(a, need(4, "화성시", LIGHT, category="education")) == 0.0
    assert category_agreement(a, need(5, "화성시", LIGHT, category=None)) == 0.0


def test_clusters_group_similar_needs_of_several_municipalities(corpus):
    clusters = need_clusters(fitted(corpus))
    assert [set(c.need_ids) for c in clusters] == [{1, 2, 3, 4}, {5, 6}]
    lights = clusters[0]
    assert lights.size == 4 and set(lights.places) == {"수원시", "화성시", "용인시"}
    assert lights.categories == ("safety",)
    assert "가로등" in lights.terms
    assert lights.need_ids[0] == lights.centre


def test_clusters_are_deterministic_and_independent_of_input_order(corpus):
    first = need_clusters(fitted(corpus))
    again = need_clusters(fitted(list(reversed(corpus))))
    assert [c.need_ids for c in first] == [c.need_ids for c in again]


def test_a_municipality_alone_is_no_cluster():
    rec = fitted([need(1, "수원시", LIGHT), need(2, "수원시", LIGHT)])
    assert need_clusters(rec) == []


def test_clusters_can_be_restricted_to_some_needs(corpus):
    clusters = need_clusters(fitted(corpus), need_ids=[1, 2, 5, 7])
    assert [set(c.need_ids) for c in clusters] == [{1, 2}]


def test_members_are_similar_to_the_centre_not_only_to_each_other():
    chain = [need(1, "수원시", ("가로등 원격 제어", "가로등 원격 제어 밝기 조절")),
             need(2, "화성시", ("가로등 원격 제어 주차 안내", "가로등 원격 제어 주차 안내")),
             need(3, "용인시", ("주차 안내", "공영주차장 주차 안내 빈자리 안내"))]
    rec = fitted(chain)
    config = JointConfig(threshold=0.5, category_weight=0.0, min_cosine=0.0)
    clusters = need_clusters(rec, config)
    assert clusters
    for cluster in clusters:
        centre_similar = {s.need_id for s in similar_needs(rec, cluster.centre, config)}
        assert set(cluster.need_ids[1:]) <= centre_similar


@pytest.mark.parametrize("kwargs", [dict(threshold=0), dict(threshold=1.5),
                                    dict(category_weight=2), dict(neighbours=0),
                                    dict(min_size=1)])
def test_config_refuses_impossible_values(kwargs):
    with pytest.raises(ValueError):
        JointConfig(**kwargs)
