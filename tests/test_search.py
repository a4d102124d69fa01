"""Relevance-ranked catalogue search over HTTP: order, Korean forms, highlighting, suggestions,
visibility, filters with pagination, and hostile input."""
from __future__ import annotations

import html
import re
from urllib.parse import unquote_plus

import pytest

from app.models import MembershipStatus, OfficialStatus, Role, SolutionStatus, NeedStatus
from tests import factories


def page_of(client, path: str, **args) -> str:
    response = client.get(path, query_string=args or None)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def titles(page: str) -> list[str]:
    """Card titles in page order, highlighting removed."""
    return [html.unescape(re.sub(r"</?mark>", "", t))
            for t in re.findall(r'class="stretched-link[^>]*>(.*?)</a>', page)]


def total(page: str) -> int:
    return int(re.search(r"검색 결과 ([\d,]+)건", page).group(1).replace(",", ""))


def suggestion_links(page: str) -> list[str]:
    return [unquote_plus(html.unescape(href)) for href in
            re.findall(r'<a class="search-suggestion[^"]*" href="([^"]+)"', page)]


def selected_sort(page: str) -> str:
    select = re.search(r'<select[^>]*name="sort".*?</select>', page, re.S).group(0)
    return re.search(r'<option selected value="([^"]+)"', select).group(1)


@pytest.fixture()
def streetlights(db, company):
    """Three streetlight products and, published last, an ESS product that mentions streetlights."""
    factories.make_solution(company, title="원격 제어 스마트 가로등", category_code="safety",
                            description="LED 스마트 가로등의 밝기를 원격으로 제어하고 고장을 알립니다.")
    factories.make_solution(company, title="가로등 부착형 스마트 제어 센서", category_code="safety",
                            description="기존 가로등에 붙이는 스마트 센서로 가로등을 디밍합니다.")
    factories.make_solution(company, title="모듈형 스마트폴 표준 제품", category_code="safety",
                            description="CCTV, 와이파이, 조명을 하나의 기둥에 모은 스마트폴입니다.")
    ess = factories.make_solution(
        company, title="사용 후 배터리 재사용 ESS", category_code="env_energy_water",
        description="전기차 폐배터리로 만든 ESS가 가로등, 스마트쉼터, 농가에 전력을 공급합니다.")
    db.session.commit()
    return ess


def test_streetlight_products_come_before_the_ess_product(client, streetlights):
    found = titles(page_of(client, "/solutions", q="스마트 가로등"))

    assert "사용 후 배터리 재사용 ESS" in found
    assert found.index("사용 후 배터리 재사용 ESS") == len(found) - 1
    assert {"원격 제어 스마트 가로등", "가로등 부착형 스마트 제어 센서",
            "모듈형 스마트폴 표준 제품"} <= set(found[:3])
    # newest first (still selectable) puts the ESS product first: the order above is relevance
    assert titles(page_of(client, "/solutions", q="스마트 가로등", sort="newest"))[0] == \
        "사용 후 배터리 재사용 ESS"


def test_relevance_is_the_default_order_only_with_a_keyword(client, streetlights):
    assert selected_sort(page_of(client, "/solutions", q="가로등")) == "relevance"
    assert selected_sort(page_of(client, "/needs", q="가로등")) == "relevance"
    assert selected_sort(page_of(client, "/companies", q="가로등")) == "relevance"
    assert selected_sort(page_of(client, "/solutions")) == "newest"
    assert selected_sort(page_of(client, "/companies")) == "name"
    # relevance without a keyword falls back to the list's own default
    assert selected_sort(page_of(client, "/solutions", sort="relevance")) == "newest"


@pytest.mark.parametrize("query", ["가로등을", "가로등의", "가로등은", "가로등이랑"])
def test_particle_forms_find_the_plain_noun(db, client, company, query):
    factories.make_solution(company, title="보행로 조명 관리", description="노후 가로등 교체 사업")
    db.session.commit()

    assert titles(page_of(client, "/solutions", q=query)) == ["보행로 조명 관리"]


def test_a_plain_noun_finds_its_inflected_and_compound_forms(db, client, company):
    factories.make_solution(company, title="교체 사업", description="노후 가로등을 바꿉니다.")
    factories.make_solution(company, title="통합 기둥", description="스마트가로등의 전원을 씁니다.")
    db.session.commit()

    assert set(titles(page_of(client, "/solutions", q="가로등"))) == {"교체 사업", "통합 기둥"}


def test_synonyms_and_acronyms_match(db, client, company):
    factories.make_solution(company, title="방범 영상 관제", description="폐쇄회로 텔레비전 관제")
    db.session.commit()

    assert titles(page_of(client, "/solutions", q="CCTV")) == ["방범 영상 관제"]


def test_highlighting_escapes_html_and_marks_surface_forms(db, client, company):
    factories.make_solution(company, title="<b>가로등</b> & 센서",
                            description="설명")
    sol = factories.make_solution(company, title="조명 제어")
    sol.summary = "가로등의 밝기를 <i>조절</i>합니다"
    db.session.commit()

    page = page_of(client, "/solutions", q="가로등")

    assert "&lt;b&gt;<mark>가로등</mark>&lt;/b&gt; &amp; 센서" in page
    assert "<mark>가로등</mark>의 밝기를 &lt;i&gt;조절&lt;/i&gt;합니다" in page
    assert "<b>가로등" not in page and "<i>조절" not in page


def test_a_hostile_query_is_echoed_escaped_and_never_marks_markup(db, client, company):
    factories.make_solution(company, title="가로등 관리")
    db.session.commit()

    page = page_of(client, "/solutions", q='"><script>alert(1)</script> 가로등')

    assert "<script>alert(1)" not in page
    assert "<mark>가로등</mark> 관리" in page
    assert "<mark>script" not in page


def test_a_misspelt_query_suggests_the_nearest_known_term(client, streetlights):
    page = page_of(client, "/solutions", q="가로듬")

    assert total(page) == 0
    links = suggestion_links(page)
    assert links and "q=가로등" in links[0]
    assert "원격 제어 스마트 가로등" in titles(page_of(client, links[0]))


def test_a_misspelt_word_beside_a_known_one_shows_partial_results_and_a_fix(client, streetlights):
    page = page_of(client, "/solutions", q="스마트폴 가로듬")

    assert "모든 검색어를 포함한 결과가 없어" in page
    assert "모듈형 스마트폴 표준 제품" in titles(page)
    assert any("q=스마트폴 가로등" in link for link in suggestion_links(page))


def test_hidden_listings_are_neither_found_nor_suggested(db, client, company):
    pending = factories.make_company(name="비공개기업", membership=MembershipStatus.PENDING)
    factories.make_solution(pending, title="초전도체 케이블 시공", description="초전도체 케이블")
    factories.make_solution(company, title="초전도체 변압기", description="초전도체 변압기",
                            status=SolutionStatus.DRAFT)
    unverified = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    factories.make_need(unverified, title="초전도체 전력망 수요", description="초전도체 전력망")
    factories.make_solution(company, title="공개 가로등", description="가로등")
    db.session.commit()

    for path in ("/solutions", "/needs", "/companies"):
        assert total(page_of(client, path, q="초전도체", status="all")) == 0
        typo = page_of(client, path, q="초전도채", status="all")
        assert "초전도체" not in typo
    assert "비공개기업" not in titles(page_of(client, "/companies", q="비공개기업"))


def test_a_listing_that_stops_being_public_leaves_results_and_suggestions(db, client, company):
    solution = factories.make_solution(company, title="초전도체 변압기", description="초전도체 변압기")
    db.session.commit()
    assert titles(page_of(client, "/solutions", q="초전도체")) == ["초전도체 변압기"]
    assert titles(page_of(client, "/companies", q="초전도체")) == [company.name]
    assert "초전도체" in page_of(client, "/solutions", q="초전도채")  # found or suggested while public

    solution.status = SolutionStatus.ARCHIVED
    db.session.commit()

    assert total(page_of(client, "/solutions", q="초전도체")) == 0
    assert total(page_of(client, "/companies", q="초전도체")) == 0
    assert "초전도체" not in page_of(client, "/solutions", q="초전도채")


def test_a_newly_published_listing_with_a_new_word_is_found_at_once(db, client, company):
    factories.make_solution(company, title="가로등 관리")
    db.session.commit()
    assert total(page_of(client, "/solutions", q="가로등")) == 1  # the index is built

    factories.make_solution(company, title="양자암호 통신망", description="양자암호 통신")
    db.session.commit()

    assert titles(page_of(client, "/solutions", q="양자암호")) == ["양자암호 통신망"]


def test_search_catches_up_when_the_changes_it_missed_were_pruned(db, client, company):
    from sqlalchemy import delete, func, select

    from app.models import MatchingChange
    from app.services import change_log

    old = factories.make_solution(company, title="초전도체 변압기", description="초전도체 변압기")
    db.session.commit()
    assert total(page_of(client, "/solutions", q="초전도체")) == 1  # index built here
    factories.make_solution(company, title="양자암호 통신망", description="양자암호 통신")
    old.status = SolutionStatus.ARCHIVED
    db.session.commit()
    factories.make_solution(company, title="다른 솔루션")
    db.session.commit()
    # a prune while this index was idle: only the newest change remains, the floor above ours
    newest = db.session.scalar(select(func.max(MatchingChange.id)))
    db.session.execute(delete(MatchingChange).where(MatchingChange.id < newest))
    change_log.advance(change_log.FLOOR, newest - 1)
    db.session.commit()

    assert titles(page_of(client, "/solutions", q="양자암호")) == ["양자암호 통신망"]
    assert total(page_of(client, "/solutions", q="초전도체")) == 0


def test_filters_relevance_and_pagination_work_together(app, db, client, company):
    per_page = app.config["PAGE_SIZE"]
    best = factories.make_solution(company, title="스마트 가로등 통합 관제", category_code="safety",
                                   description="스마트 가로등 관제")
    for n in range(per_page + 2):
        factories.make_solution(company, title=f"안전 장비 {n}", category_code="safety",
                                description=f"공원 출입구 {n}번 옆 가로등 아래에 설치합니다.")
    for n in range(3):
        factories.make_solution(company, title=f"교통 가로등 {n}", category_code="transport")
    db.session.commit()

    first = page_of(client, "/solutions", q="가로등", category="safety")
    second = page_of(client, "/solutions", q="가로등", category="safety", page=2)
    listed = titles(first) + titles(second)

    assert total(first) == per_page + 3
    assert listed[0] == best.title
    assert len(listed) == len(set(listed)) == per_page + 3
    assert not any(t.startswith("교통 가로등") for t in listed)
    assert "page=2" in first and "category=safety" in first
    beyond = page_of(client, "/solutions", q="가로등", category="safety", page=50)
    assert titles(beyond) == [] and "이 페이지에는 솔루션이 없습니다" in beyond


def test_needs_search_ranks_and_honours_the_status_filter(db, client, official):
    factories.make_need(official, title="어린이 보호구역 과속 단속",
                        description="통학로 과속 차량 단속 카메라가 필요합니다.")
    factories.make_need(official, title="주차 관리", description="과속 방지턱 주변 주차 문제")
    factories.make_need(official, title="과속 단속 확대 (종료)", description="과속 단속",
                        status=NeedStatus.CLOSED)
    db.session.commit()

    open_needs = titles(page_of(client, "/needs", q="과속 단속"))
    every_need = titles(page_of(client, "/needs", q="과속 단속", status="all"))

    assert open_needs == ["어린이 보호구역 과속 단속"]
    assert set(every_need) == {"어린이 보호구역 과속 단속", "과속 단속 확대 (종료)"}


def test_companies_are_found_by_their_public_solutions_and_new_names(db, client, company):
    other = factories.make_company(name="한빛테크")
    factories.make_solution(other, title="생활물류 드론 배송", description="도서 지역 드론 배송")
    db.session.commit()

    assert titles(page_of(client, "/companies", q="드론 배송")) == ["한빛테크"]

    other.name = "한빛에어로"
    db.session.commit()

    assert titles(page_of(client, "/companies", q="한빛에어로")) == ["한빛에어로"]
    assert titles(page_of(client, "/companies", q="드론")) == ["한빛에어로"]


@pytest.mark.parametrize("query", [
    "!!!", "<>", "%_\\", "'; DROP TABLE solution; --", "🚦🚦", "ㄱㄴㄷ", "가" * 100,
    "및 등 것", "\u2028가로등\u2029", "가로등 " * 30,
])
def test_odd_queries_give_a_page_never_an_error(client, streetlights, query):
    for path in ("/solutions", "/needs", "/companies"):
        page = page_of(client, path, q=query)
        assert "검색 결과" in page


def test_an_overlong_query_is_ignored_with_a_message(client, streetlights):
    page = page_of(client, "/solutions", q="가로등" * 200)

    assert "검색어는 100자 이하로 입력하세요." in page
    assert total(page) == 4


def test_a_nul_in_the_query_is_a_clear_400(client, streetlights):
    response = client.get("/solutions", query_string={"q": "가로\x00등"})

    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


# --- the library helpers behind the pages (public API of matching.query/highlight/suggest) ---


def test_parse_query_groups_a_synonym_phrase_into_one_concept():
    from matching.query import parse_query

    parsed = parse_query("스마트 가로등을 설치")

    assert [c.alternatives for c in parsed.concepts] == [
        (("smart_pole",), ("스마트", "가로등")), (("설치",),)]
    assert not parse_query("<b></b> !!!")


def test_spans_respect_latin_word_edges_and_one_letter_hangul_words():
    from matching.highlight import spans

    text = "AI 기반 retail 분석, 물을 아끼는 건물"
    found = [text[a:b] for a, b in spans(text, ("ai", "물"))]

    assert found == ["AI", "물"]


def test_nearest_terms_prefers_a_one_letter_slip():
    from matching.suggest import NearestTerms

    nearest = NearestTerms().fit(["가로등", "가로수", "보행자", "주차장"])

    assert nearest.nearest("가로듬")[0][0] == "가로등"
    assert nearest.nearest("가로듬", accept=lambda t: t != "가로등") == []


def test_a_new_worker_builds_the_search_index_before_its_first_search(app, streetlights):
    from app.services import search
    from app.services.readiness import warm_up

    with app.app_context():
        assert search.engine().index is None
        warm_up()
        assert search.engine().indexed["solution"] >= {streetlights.id}
