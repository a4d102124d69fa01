"""The admin dashboard: access, counts, funnel, breakdowns, charts, CSV exports, import and jobs."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.dashboard import tables
from app.extensions import db as database
from app.models import (
    AuditLog,
    Company,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumStatus,
    Match,
    MatchStatus,
    MembershipStatus,
    Need,
    Recommendation,
    Role,
    Side,
    SizeClass,
)
from app.models.base import utcnow
from app.services import analytics, jobs
from tests import factories

BASE = "/admin/dashboard"
DRT_NEED = ("읍면 지역 어르신들이 병원과 시장에 가기 어렵습니다. 버스 배차 간격이 길어 "
            "수요응답형 교통(DRT) 호출 서비스와 배차 플랫폼 도입을 원합니다.")
DRT_SOLUTION = ("농어촌 수요응답형 교통 DRT 호출 앱과 AI 배차 플랫폼입니다. 읍면 어르신이 전화나 "
                "앱으로 호출하면 버스 배차를 최적화합니다.")
HEADER = "name,business_number,size_class,hq_region,regions_served,website,description,membership"


# --- helpers -------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def parse_csv(response) -> list[list[str]]:
    body = text(response)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def bizno(seed: int) -> str:
    return factories.valid_business_number(100_000 + seed)


def bad_check_digit(seed: int) -> str:
    good = bizno(seed)
    return good[:9] + str((int(good[9]) + 1) % 10)


def make_match(need, solution, status, *, initiator=Side.MUNICIPALITY, requester=None,
               answered_after_hours: float | None = None) -> Match:
    created = utcnow() - timedelta(days=5)
    match = Match(
        need=need, solution=solution, status=status, initiator_side=initiator,
        requested_by=requester or need.created_by, created_at=created,
        expires_at=created + timedelta(days=14),
        responded_at=(created + timedelta(hours=answered_after_hours)
                      if answered_after_hours is not None else None),
    )
    database.session.add(match)
    database.session.flush()
    return match


def make_recommendation(need, solution, rank=1, low_confidence=False) -> Recommendation:
    recommendation = Recommendation(need=need, solution=solution, rank=rank, score=0.5,
                                    text_score=0.4, low_confidence=low_confidence,
                                    explanation={"shared_terms": []})
    database.session.add(recommendation)
    database.session.flush()
    return recommendation


def make_consortium(need, lead, members, status, proposer) -> ConsortiumProposal:
    proposal = ConsortiumProposal(need=need, lead_company=lead, proposed_by=proposer,
                                  status=status, expires_at=utcnow() + timedelta(days=14),
                                  reviewed_at=utcnow() if status == ConsortiumStatus.APPROVED
                                  else None)
    for company, solution, share in members:
        proposal.members.append(ConsortiumMember(company=company, solution=solution, share=share,
                                                 is_lead=company is lead))
    database.session.add(proposal)
    database.session.flush()
    return proposal


@pytest.fixture()
def market(db):
    """Two approved firms, a pending one, three needs in Seoul and Busan, matches in every state.

    Funnel: 4 confident recommendations → 6 matches → 3 mutual → 1 approved.
    Answers (hours): companies 10, 4, 30 → median 10; municipalities 2; all → median 7.
    """
    large = factories.make_company(name="대형건설", size_class=SizeClass.LARGE)
    startup = factories.make_company(name="새싹모빌리티", size_class=SizeClass.STARTUP)
    factories.make_company(name="대기중소", size_class=SizeClass.SME,
                           membership=MembershipStatus.PENDING)
    company_user = factories.make_user(role=Role.COMPANY, company=large)
    seoul = factories.make_user(role=Role.MUNICIPALITY)
    busan = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    s_startup = factories.make_solution(startup, title="DRT 배차")
    s_large = factories.make_solution(large, title="통합 관제")
    need_a = factories.make_need(seoul, title="종로 DRT")
    need_b = factories.make_need(busan, title="해운대 방범", category_code="safety")
    need_c = factories.make_need(busan, title="해운대 교통")

    make_recommendation(need_a, s_startup)
    make_recommendation(need_a, s_large, rank=2)
    make_recommendation(need_b, s_startup)
    make_recommendation(need_b, s_large, rank=2, low_confidence=True)
    make_recommendation(need_c, s_startup)

    make_match(need_a, s_startup, MatchStatus.APPROVED, answered_after_hours=10)
    make_match(need_a, s_large, MatchStatus.MUTUAL, initiator=Side.COMPANY,
               requester=company_user, answered_after_hours=2)
    make_match(need_b, s_startup, MatchStatus.REJECTED, answered_after_hours=4)
    make_match(need_b, s_large, MatchStatus.PENDING)
    make_match(need_c, s_startup, MatchStatus.DECLINED, answered_after_hours=30)
    make_match(need_c, s_large, MatchStatus.WITHDRAWN)

    make_consortium(need_c, large, [(large, s_large, 0.3), (startup, s_startup, 0.7)],
                    ConsortiumStatus.APPROVED, company_user)
    make_consortium(need_a, large, [(large, s_large, 0.3), (startup, s_startup, 0.7)],
                    ConsortiumStatus.SUBMITTED, company_user)
    db.session.commit()
    return {"large": large, "startup": startup, "need_c": need_c}


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("method,path", [
    ("get", "/"), ("get", "/export/funnel.csv"), ("get", "/import"), ("post", "/import"),
    ("get", "/import/template.csv"), ("post", "/rematch"), ("get", "/jobs/abc"),
    ("get", "/jobs/abc/status.json"),
])
def test_anonymous_visitors_are_sent_to_login(client, method, path):
    response = getattr(client, method)(BASE + path)
    assert response.status_code == 302
    assert "/auth/login" in response.location


@pytest.mark.parametrize("method,path", [
    ("get", "/"), ("get", "/export/funnel.csv"), ("get", "/import"), ("post", "/import"),
    ("post", "/rematch"), ("get", "/jobs/abc/status.json"),
])
def test_company_staff_and_officials_are_refused(db, company_client, official_client,
                                                 method, path):
    for signed_in in (company_client, official_client):
        assert getattr(signed_in, method)(BASE + path).status_code == 403
    assert count(db, Recommendation) == 0


def test_admin_console_links_to_the_dashboard(admin_client):
    page = text(admin_client.get("/admin/"))
    assert f'href="{BASE}/"' in page and 'id="dashboard-link"' in page


# --- numbers ---------------------------------------------------------------------------------


def test_funnel_counts_and_conversions(market):
    steps = analytics.funnel()
    assert [(s.key, s.count, s.conversion) for s in steps] == [
        ("recommended", 4, None),
        ("interest", 6, 150.0),
        ("mutual", 3, 50.0),
        ("approved", 1, 33.3),
    ]


def test_summary_and_status_counts(market):
    summary = analytics.summary()
    assert summary["alliance_members"] == 2
    assert summary["verified_officials"] == 2
    assert summary["published_solutions"] == 2
    assert summary["open_needs"] == 3
    assert summary["matches"] == 6
    assert summary["approved_matches"] == 1
    assert summary["consortia_formed"] == 1
    assert summary["partnerships"] == 1

    by_status = {row.key: row.count for row in analytics.matches_by_status()}
    assert by_status[MatchStatus.PENDING] == 1 and by_status[MatchStatus.EXPIRED] == 0
    assert sum(by_status.values()) == 6
    membership = {row.key: row.count for row in analytics.companies_by_membership()}
    assert membership[MembershipStatus.APPROVED] == 2
    assert membership[MembershipStatus.PENDING] == 1
    sizes = {row.key: row.count for row in analytics.members_by_size()}
    assert sizes == {SizeClass.LARGE: 1, SizeClass.MID: 0, SizeClass.SME: 0,
                     SizeClass.STARTUP: 1}
    consortia = {row.key: row.count for row in analytics.consortia_by_status()}
    assert consortia[ConsortiumStatus.APPROVED] == 1
    assert consortia[ConsortiumStatus.SUBMITTED] == 1


def test_breakdowns_by_category_and_province(market):
    by_category = {row.key: (row.interest, row.mutual, row.approved)
                   for row in analytics.matches_by_category()}
    assert by_category["transport"] == (4, 2, 1)
    assert by_category["safety"] == (2, 1, 0)
    assert by_category["health_welfare"] == (0, 0, 0)

    by_province = {row.name: (row.interest, row.mutual, row.approved)
                   for row in analytics.matches_by_province()}
    assert by_province["서울특별시"] == (2, 2, 1)
    assert by_province["부산광역시"] == (4, 1, 0)
    assert by_province["경기도"] == (0, 0, 0)
    assert len(by_province) == 17


def test_median_response_times_overall_and_per_side(market):
    rows = {row.side: (row.answered, row.median_hours) for row in analytics.response_times()}
    assert rows == {"all": (4, 7.0), "municipality": (1, 2.0), "company": (3, 10.0)}


def test_median_without_answers_is_empty(db):
    assert all(row.median_hours is None and row.answered == 0
               for row in analytics.response_times())
    assert [step.conversion for step in analytics.funnel()] == [None, None, None, None]


def test_formed_consortia_and_partnerships(market):
    formed = analytics.formed_consortia()
    assert len(formed) == 1
    assert formed[0].need_title == "해운대 교통"
    assert [(m.company, m.is_lead) for m in formed[0].members] == [("대형건설", True),
                                                                    ("새싹모빌리티", False)]
    pairs = analytics.large_startup_partnerships()
    assert [(p.lead_company, p.partner_company) for p in pairs] == [("대형건설", "새싹모빌리티")]


# --- the page ---------------------------------------------------------------------------------


def test_dashboard_page_shows_numbers_tables_and_accessible_svg_charts(market, admin_client):
    response = admin_client.get(BASE + "/")
    assert response.status_code == 200
    page = text(response)
    assert "매칭 퍼널" in page and "분야별 매칭" in page and "광역자치단체별 매칭" in page
    assert page.count('<svg') >= 5
    assert 'role="img"' in page and 'aria-label="매칭 퍼널"' in page
    assert "<title>매칭 퍼널</title>" in page
    assert "추천: 4, 관심 표명: 6 (150%), 상호 수락: 3 (50%), 승인: 1 (33.3%)" in page
    assert "대형건설" in page and "새싹모빌리티" in page
    assert "부산광역시" in page and "방범·방재" in page
    assert f'action="{BASE}/rematch"' in page
    for key in tables.BUILDERS:
        assert f'href="{BASE}/export/{key}.csv"' in page


def test_dashboard_page_renders_with_no_data(db, admin_client):
    response = admin_client.get(BASE + "/")
    assert response.status_code == 200
    assert "아직 자료가 없습니다." in text(response)


def test_category_names_follow_english_locale(market, admin_user, admin_client, db):
    admin_user.locale = "en"
    db.session.commit()
    rows = parse_csv(admin_client.get(BASE + "/export/matches_by_category.csv"))
    assert ["Crime prevention and disaster management", "2", "1", "0"] in rows


# --- CSV exports ------------------------------------------------------------------------------


def test_every_table_exports_as_csv_with_bom_and_korean_headers(market, admin_client):
    for key in tables.BUILDERS:
        response = admin_client.get(f"{BASE}/export/{key}.csv")
        assert response.status_code == 200, key
        assert response.mimetype == "text/csv"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=citymatch-" + key)
        assert disposition.endswith(".csv")
        assert response.get_data().startswith("\ufeff".encode("utf-8")), key
        rows = parse_csv(response)
        assert any("\uac00" <= ch <= "\ud7a3" for ch in "".join(rows[0])), (key, rows[0])
        assert len(rows) >= 2, key


def test_csv_rows_hold_the_right_values(market, admin_client):
    funnel = parse_csv(admin_client.get(BASE + "/export/funnel.csv"))
    assert funnel == [["단계", "건수", "이전 단계 대비 전환율(%)"], ["추천", "4", ""],
                      ["관심 표명", "6", "150.0"], ["상호 수락", "3", "50.0"], ["승인", "1", "33.3"]]
    province = parse_csv(admin_client.get(BASE + "/export/matches_by_province.csv"))
    assert province[0] == ["광역자치단체", "관심 표명", "상호 수락", "승인"]
    assert ["부산광역시", "4", "1", "0"] in province and len(province) == 18
    times = parse_csv(admin_client.get(BASE + "/export/response_times.csv"))
    assert ["전체", "4", "7.0"] in times and ["기업이 응답", "3", "10.0"] in times
    sizes = parse_csv(admin_client.get(BASE + "/export/members_by_size.csv"))
    assert sizes[0] == ["기업 규모", "회원사 수"] and ["대기업", "1"] in sizes
    partnerships = parse_csv(admin_client.get(BASE + "/export/partnerships.csv"))
    assert partnerships[1][1:5] == ["대형건설", "대기업", "새싹모빌리티", "스타트업"]


def test_csv_escapes_commas_quotes_and_newlines(market, admin_client, db):
    need = db.session.get(Need, market["need_c"].id)
    need.title = '교통, "스마트" 정류장\n2단계'
    db.session.commit()
    rows = parse_csv(admin_client.get(BASE + "/export/consortia.csv"))
    assert rows[1][1] == '교통, "스마트" 정류장\n2단계'
    assert rows[1][3] == "대형건설" and "새싹모빌리티 (스타트업, 70%)" in rows[1][4]


def test_csv_neutralises_user_text_that_looks_like_a_formula(market, admin_client, db):
    need = db.session.get(Need, market["need_c"].id)
    need.title = '=HYPERLINK("http://evil.example","클릭")'
    db.session.commit()
    rows = parse_csv(admin_client.get(BASE + "/export/consortia.csv"))
    assert rows[1][1] == "'" + need.title
    funnel = parse_csv(admin_client.get(BASE + "/export/funnel.csv"))
    assert funnel[1][1] == "4", "numbers are not touched"


def test_unknown_export_is_404(admin_client):
    assert admin_client.get(BASE + "/export/passwords.csv").status_code == 404
    assert admin_client.get(BASE + "/export/funnel.xlsx").status_code == 404


# --- company CSV import ----------------------------------------------------------------------


def upload(client, content: str | bytes, filename: str = "members.csv", encoding="utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return client.post(BASE + "/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_import_page_and_template(admin_client):
    page = admin_client.get(BASE + "/import")
    assert page.status_code == 200
    assert 'type="file"' in text(page) and 'for="file"' in text(page)
    template = admin_client.get(BASE + "/import/template.csv")
    rows = parse_csv(template)
    assert rows[0] == HEADER.split(",")
    assert "attachment" in template.headers["Content-Disposition"]


def test_good_file_imports_every_company_with_audit_entries(db, admin_client, admin_user):
    content = "\n".join([
        HEADER,
        f"한빛모빌리티,{bizno(1)},스타트업,서울특별시,서울특별시;경기도,https://hanbit.example.kr,"
        f'"DRT, 배차",approved',
        f"{'바다에너지'},{bizno(2)[:3]}-{bizno(2)[3:5]}-{bizno(2)[5:]},large,부산광역시,,,,pending",
        ",,,,,,,",
    ])
    response = upload(admin_client, "\ufeff" + content)
    assert response.status_code == 302
    assert "/jobs/" in response.location
    job_page = admin_client.get(response.location)
    assert "기업 2곳을 가져왔습니다." in text(job_page)
    assert 'http-equiv="refresh"' not in text(job_page)

    db.session.expire_all()
    hanbit = db.session.scalar(select(Company).where(Company.name == "한빛모빌리티"))
    assert hanbit.size_class == SizeClass.STARTUP
    assert hanbit.membership_status == MembershipStatus.APPROVED
    assert hanbit.description == "DRT, 배차"
    assert [r.name for r in hanbit.regions_served] == ["서울특별시", "경기도"]
    sea = db.session.scalar(select(Company).where(Company.name == "바다에너지"))
    assert sea.business_number == bizno(2)
    assert sea.membership_status == MembershipStatus.PENDING
    assert [r.name for r in sea.regions_served] == ["부산광역시"]
    entries = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "company.import")))
    assert {e.target_id for e in entries} == {hanbit.id, sea.id}
    assert all(e.actor_id == admin_user.id for e in entries)

    status = admin_client.get(response.location + "/status.json").get_json()
    assert status["status"] == "done" and status["result"] == {"created": 2}
    assert status["done"] == status["total"] == 2 and status["percent"] == 100


def test_cp949_file_and_korean_headers_are_accepted(db, admin_client):
    content = (f"기업명,사업자등록번호,기업 규모,본사 소재지\n"
               f"경북스마트,{bizno(3)},중견기업,경상북도\n")
    response = upload(admin_client, content, encoding="cp949")
    assert response.status_code == 302
    company = db.session.scalar(select(Company).where(Company.name == "경북스마트"))
    assert company is not None and company.size_class == SizeClass.MID


def test_bad_file_reports_every_row_and_writes_nothing(db, admin_client):
    existing = factories.make_company(name="기존기업")
    db.session.commit()
    companies_before = count(db, Company)
    content = "\n".join([
        HEADER,
        f"정상기업,{bizno(10)},스타트업,서울특별시,,,,",                     # line 2: fine
        f"검증실패,{bad_check_digit(11)},스타트업,서울특별시,,,,",           # line 3
        f"정상기업,{bizno(12)},스타트업,서울특별시,,,,",                     # line 4: dup name
        f"번호중복,{bizno(10)},스타트업,서울특별시,,,,",                     # line 5: dup number
        f"어디기업,{bizno(13)},스타트업,서울시,한양도,,,",                   # line 6: regions
        f"규모불명,{bizno(14)},거대기업,서울특별시,,ftp://x,,maybe",         # line 7
        f"기존기업,{existing.business_number},스타트업,서울특별시,,,,",      # line 8: in DB
    ])
    response = upload(admin_client, content)
    assert response.status_code == 400
    page = text(response)
    assert "가져오지 않았습니다" in page and "아무것도 저장되지 않았습니다" in page
    assert "전체 7개 행 중 6개 행에 문제가 있습니다" in page
    assert "유효하지 않은 사업자등록번호입니다" in page
    assert "파일의 2행과 기업명이 중복됩니다." in page
    assert "파일의 2행과 사업자등록번호가 중복됩니다." in page
    assert "알 수 없는 광역자치단체입니다: 서울시" in page
    assert "알 수 없는 광역자치단체입니다: 한양도" in page
    assert "알 수 없는 기업 규모입니다" in page
    assert "http:// 또는 https://로 시작하는" in page
    assert "회원 상태는 approved(승인) 또는 pending(승인 대기)이어야 합니다." in page
    assert "이미 등록된 기업명입니다." in page and "이미 등록된 사업자등록번호입니다." in page
    errors_table = page[page.index('id="row-errors"'):]
    assert "<th scope=\"row\">3</th>" in errors_table and "<th scope=\"row\">2</th>" not in errors_table
    assert count(db, Company) == companies_before
    assert count(db, AuditLog, AuditLog.action == "company.import") == 0


@pytest.mark.parametrize("content,filename,message", [
    (None, None, "가져올 CSV 파일을 선택하세요."),
    ("name,business_number\n가나다,1234567890\n", "members.csv", "필수 열이 없습니다: size_class, hq_region"),
    (HEADER + "\n", "members.csv", "가져올 기업 행이 없습니다"),
    ("", "members.csv", "빈 파일입니다"),
    (b"\xff\xfe\x00\x81\x00", "members.csv", "파일을 읽을 수 없습니다"),
    (HEADER + "\n", "members.xlsx", "확장자가 .csv인 파일만 올릴 수 있습니다."),
])
def test_file_level_problems_are_shown_next_to_the_field(db, admin_client, content, filename,
                                                         message):
    if content is None:
        response = admin_client.post(BASE + "/import", data={},
                                     content_type="multipart/form-data")
    else:
        response = upload(admin_client, content, filename)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'id="file-errors"' in page and 'aria-invalid="true"' in page
    assert count(db, Company) == 0


def test_upload_without_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post(BASE + "/import",
                           data={"file": (io.BytesIO(HEADER.encode()), "m.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


# --- background jobs -------------------------------------------------------------------------


def test_rematch_button_runs_a_job_that_stores_recommendations(db, admin_client, company,
                                                              official):
    solution = factories.make_solution(company, title="수요응답형 교통 배차", description=DRT_SOLUTION)
    need = factories.make_need(official, title="어르신 DRT 도입", description=DRT_NEED)
    db.session.commit()
    response = admin_client.post(BASE + "/rematch")
    assert response.status_code == 302 and "/jobs/" in response.location

    db.session.expire_all()
    stored = list(db.session.scalars(select(Recommendation)))
    assert [(r.need_id, r.solution_id, r.rank) for r in stored][:1] == [(need.id, solution.id, 1)]

    page = text(admin_client.get(response.location))
    assert "<progress" in page and 'value="100"' in page
    assert "열린 수요 1건에 추천" in page
    status = admin_client.get(response.location + "/status.json")
    assert status.is_json
    data = status.get_json()
    assert data["status"] == "done" and data["kind"] == "rematch"
    assert data["done"] == data["total"] == 1
    assert data["result"]["needs"] == 1 and data["result"]["recommendations"] == len(stored)


def test_unknown_job_is_404(admin_client):
    assert admin_client.get(BASE + "/jobs/nope").status_code == 404
    assert admin_client.get(BASE + "/jobs/nope/status.json").status_code == 404


def test_a_failing_job_is_reported_and_rolled_back(app, db, admin_client, monkeypatch):
    def work(job, payload):
        factories.make_company(name="반쯤저장")
        raise RuntimeError("중간에 실패")

    monkeypatch.setitem(jobs.KINDS, "rematch", jobs.Kind(work, "…", "끝", False))
    response = admin_client.post(BASE + "/rematch")

    status = admin_client.get(response.location + "/status.json").get_json()
    assert status["status"] == "failed" and status["error"] == "중간에 실패"
    assert status["finished"] is True and status["attempts"] == 1
    assert "작업이 실패했습니다: 중간에 실패" in text(admin_client.get(response.location))
    assert count(db, Company, Company.name == "반쯤저장") == 0
