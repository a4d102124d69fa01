"""Policy tags of the 4th Smart City Plan (climate-crisis response, digital inclusion): claims on
the solution and need forms, the admins' review, the catalogue and API filters, and the
dashboard's shares of matched and contracted budget (app/services/policy.py, policy_share.py)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from app.formatting import SEOUL
from app.models import (
    AuditLog,
    MatchStatus,
    Need,
    NeedPolicyTag,
    OutcomeStage,
    PolicyArea,
    PolicyTagStatus,
    Role,
    Solution,
    SolutionPolicyTag,
)
from app.models.base import utcnow
from app.services import unit_of_work
from tests import factories
from tests.test_needs import valid_form as need_form
from tests.test_seed import full_taxonomy  # noqa: F401 (fixture)
from tests.test_solutions import solution_form

CLIMATE, INCLUSION = PolicyArea.CLIMATE, PolicyArea.INCLUSION
CLAIMED, CONFIRMED, REJECTED = (PolicyTagStatus.CLAIMED, PolicyTagStatus.CONFIRMED,
                                PolicyTagStatus.REJECTED)
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
QUEUE = "/admin/policy-tags/"
CSV_URL = "/admin/dashboard/policy-share.csv"


def text(response) -> str:
    return response.get_data(as_text=True)


def tags(db, listing) -> dict[PolicyArea, PolicyTagStatus]:
    db.session.expire_all()
    model = SolutionPolicyTag if isinstance(listing, Solution) else NeedPolicyTag
    owner = model.solution_id if model is SolutionPolicyTag else model.need_id
    return {tag.area: tag.status for tag in db.session.scalars(
        select(model).where(owner == listing.id))}


def only_solution(db) -> Solution:
    db.session.expire_all()
    return db.session.scalars(select(Solution)).one()


# --- authors claim on the forms ------------------------------------------------------------------


def test_company_claims_areas_and_editing_the_text_reclaims(db, company_client):
    response = company_client.post("/my/solutions/new",
                                   data=solution_form(policy_areas=["climate", "inclusion"]))
    assert response.status_code == 302
    solution = only_solution(db)
    assert tags(db, solution) == {CLIMATE: CLAIMED, INCLUSION: CLAIMED}
    page = text(company_client.get(f"/my/solutions/{solution.id}/edit"))
    assert re.search(r'<input checked[^>]*name="policy_areas"[^>]*value="climate"', page)
    assert re.search(r'<input checked[^>]*name="policy_areas"[^>]*value="inclusion"', page)
    assert "관리자 확인 대기" in page

    # An admin confirms climate and rejects inclusion; saving the same text keeps climate.
    db.session.get(SolutionPolicyTag, (solution.id, CLIMATE)).status = CONFIRMED
    db.session.get(SolutionPolicyTag, (solution.id, CLIMATE)).reviewed_at = utcnow()
    db.session.get(SolutionPolicyTag, (solution.id, INCLUSION)).status = REJECTED
    db.session.get(SolutionPolicyTag, (solution.id, INCLUSION)).reviewed_at = utcnow()
    db.session.commit()
    version = only_solution(db).version
    response = company_client.post(f"/my/solutions/{solution.id}/edit", data=solution_form(
        policy_areas=["climate", "inclusion"], price_min="20,000,000", version=str(version)))
    assert response.status_code == 302
    assert tags(db, solution) == {CLIMATE: CONFIRMED, INCLUSION: CLAIMED}  # rejected: re-claimed

    # A new description goes back to the queue; an unticked area is dropped.
    version = only_solution(db).version
    response = company_client.post(f"/my/solutions/{solution.id}/edit", data=solution_form(
        policy_areas=["climate"], description="태양광 전력 관리와 탄소 배출 측정을 제공하는 새 설명입니다.",
        version=str(version)))
    assert response.status_code == 302
    assert tags(db, solution) == {CLIMATE: CLAIMED}
    tag = db.session.get(SolutionPolicyTag, (solution.id, CLIMATE))
    assert tag.reviewed_at is None and tag.reviewed_by_id is None


@pytest.mark.parametrize("value", ["ocean", "CLIMATE", "1"])
def test_an_unknown_area_is_refused_and_nothing_is_saved(db, company_client, value):
    response = company_client.post("/my/solutions/new",
                                   data=solution_form(policy_areas=["climate", value]))
    assert response.status_code == 400
    assert "정책 분야는 목록에서 선택하세요." in text(response)
    assert db.session.scalars(select(Solution)).first() is None


def test_official_claims_an_area_on_the_need_form(db, official_client):
    response = official_client.post("/my/needs/new", data=need_form(policy_areas=["inclusion"]))
    assert response.status_code == 302
    need = db.session.scalars(select(Need)).one()
    assert tags(db, need) == {INCLUSION: CLAIMED}
    page = text(official_client.get(f"/my/needs/{need.id}"))
    assert "디지털 포용 · 관리자 확인 대기" in page
    response = official_client.post("/my/needs/new", data=need_form(title="다른 수요",
                                                                    policy_areas=["sea"]))
    assert response.status_code == 400
    assert "목록에 있는 항목만 선택할 수 있습니다." in text(response)


def test_need_edit_keeps_confirmed_tags_when_the_text_is_unchanged(db, official_client, need):
    factories.make_policy_tag(need, INCLUSION)
    db.session.commit()
    page = text(official_client.get(f"/my/needs/{need.id}/edit"))
    assert "디지털 포용 · 관리자 확인" in page
    form = need_form(title=need.title, description=need.description, status="open",
                     version=str(need.version), policy_areas=["inclusion", "climate"])
    assert official_client.post(f"/my/needs/{need.id}/edit", data=form).status_code == 302
    assert tags(db, need) == {INCLUSION: CONFIRMED, CLIMATE: CLAIMED}


# --- the admins' review --------------------------------------------------------------------------


@pytest.fixture()
def claimed(db, solution, need):
    factories.make_policy_tag(solution, CLIMATE, CLAIMED)
    factories.make_policy_tag(need, INCLUSION, CLAIMED)
    db.session.commit()
    return solution, need


def test_admin_confirms_and_rejects_claims_audit_logged(db, admin_client, admin_user, claimed):
    solution, need = claimed
    page = text(admin_client.get(QUEUE))
    assert solution.title in page and need.title in page and "확인 대기 2건" in page

    response = admin_client.post(f"/admin/policy-tags/solutions/{solution.id}",
                                 data={"area": "climate", "decision": "confirm"})
    assert response.status_code == 302
    response = admin_client.post(f"/admin/policy-tags/needs/{need.id}",
                                 data={"area": "inclusion", "decision": "reject"})
    assert response.status_code == 302
    assert tags(db, solution) == {CLIMATE: CONFIRMED}
    assert tags(db, need) == {INCLUSION: REJECTED}
    reviewed = db.session.get(SolutionPolicyTag, (solution.id, CLIMATE))
    assert reviewed.reviewed_by_id == admin_user.id and reviewed.reviewed_at is not None

    entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in entries] == [
        ("policy_tag.confirm", "Solution", solution.id, admin_user.id),
        ("policy_tag.reject", "Need", need.id, admin_user.id)]
    assert entries[0].after == {"policy_area": "climate", "policy_tag_status": "confirmed"}
    audit_page = text(admin_client.get("/admin/audit"))
    assert "정책 분야 태그 확인" in audit_page and "기후위기 대응" in audit_page
    assert "확인 대기 0건" in text(admin_client.get(QUEUE))


@pytest.mark.parametrize(("data", "message"), [
    ({"area": "climate", "decision": "approve"}, "확인 또는 반려 중에서 선택하세요."),
    ({"area": "ocean", "decision": "confirm"}, "정책 분야를 목록에서 선택하세요."),
    ({"decision": "confirm"}, "정책 분야를 목록에서 선택하세요."),
    ({"area": "inclusion", "decision": "confirm"}, "태그가 없습니다"),
])
def test_a_bad_review_changes_nothing(db, admin_client, claimed, data, message):
    solution, _need = claimed
    response = admin_client.post(f"/admin/policy-tags/solutions/{solution.id}", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert tags(db, solution) == {CLIMATE: CLAIMED}
    assert db.session.scalars(select(AuditLog)).first() is None


def test_a_decided_claim_cannot_be_decided_again(db, admin_client, claimed):
    solution, _need = claimed
    url = f"/admin/policy-tags/solutions/{solution.id}"
    assert admin_client.post(url, data={"area": "climate", "decision": "confirm"}).status_code == 302
    response = admin_client.post(url, data={"area": "climate", "decision": "reject"})
    assert response.status_code == 400 and "이미" in text(response)
    assert tags(db, solution) == {CLIMATE: CONFIRMED}
    assert admin_client.post("/admin/policy-tags/solutions/999999",
                             data={"area": "climate", "decision": "confirm"}).status_code == 404


def test_only_admins_review(db, client, company_client, official_client, claimed):
    solution, need = claimed
    for signed_in in (company_client, official_client):
        assert signed_in.get(QUEUE).status_code == 403
        assert signed_in.post(f"/admin/policy-tags/solutions/{solution.id}",
                              data={"area": "climate", "decision": "confirm"}).status_code == 403
        assert signed_in.get(CSV_URL).status_code == 403
    response = client.post(f"/admin/policy-tags/needs/{need.id}",
                           data={"area": "inclusion", "decision": "confirm"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert tags(db, solution) == {CLIMATE: CLAIMED} and tags(db, need) == {INCLUSION: CLAIMED}


def test_the_review_needs_the_csrf_token(csrf_app):
    with csrf_app.app_context():
        from app.extensions import db as database
        database.create_all()
        admin = factories.make_user(role=Role.ADMIN)
        database.session.commit()
        email = admin.email
    client = csrf_app.test_client()
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    response = client.post("/admin/policy-tags/solutions/1",
                           data={"area": "climate", "decision": "confirm"})
    assert response.status_code == 400


# --- filters and badges: only confirmed tags ------------------------------------------------------


@pytest.fixture()
def catalogue(db, company, official):
    confirmed = factories.make_solution(company, title="탄소중립 에너지 관리 플랫폼")
    only_claimed = factories.make_solution(company, title="태양광 모니터링 서비스")
    plain = factories.make_solution(company, title="주차 공유 서비스")
    factories.make_policy_tag(confirmed, CLIMATE)
    factories.make_policy_tag(only_claimed, CLIMATE, CLAIMED)
    factories.make_policy_tag(plain, INCLUSION, REJECTED)
    included = factories.make_need(official, title="어르신 디지털 교육 키오스크")
    waiting = factories.make_need(official, title="장애인 이동 지원 앱")
    factories.make_policy_tag(included, INCLUSION)
    factories.make_policy_tag(waiting, INCLUSION, CLAIMED)
    unit_of_work.commit()
    return {"confirmed": confirmed, "claimed": only_claimed, "plain": plain,
            "included": included, "waiting": waiting}


def test_catalogue_filters_show_only_confirmed_tags(db, client, catalogue):
    page = text(client.get("/solutions?policy_area=climate"))
    assert catalogue["confirmed"].title in page
    assert catalogue["claimed"].title not in page and catalogue["plain"].title not in page
    assert 'data-policy-area="climate"' in page and "기후위기 대응" in page
    assert catalogue["plain"].title not in text(client.get("/solutions?policy_area=inclusion"))

    page = text(client.get("/needs?policy_area=inclusion"))
    assert catalogue["included"].title in page and catalogue["waiting"].title not in page
    # Keyword search (the ranked path) honours the filter too.
    page = text(client.get("/solutions?q=태양광&policy_area=climate"))
    assert catalogue["claimed"].title not in page

    everything = text(client.get("/solutions"))
    assert everything.count('data-policy-area="climate"') == 1  # the claim shows no badge

    detail = text(client.get(f"/solutions/{catalogue['confirmed'].id}"))
    assert 'data-policy-area="climate"' in detail
    detail = text(client.get(f"/needs/{catalogue['waiting'].id}"))
    assert 'data-policy-area' not in detail


def test_an_unknown_catalogue_filter_is_ignored_with_a_message(db, client, catalogue):
    response = client.get("/solutions?policy_area=ocean")
    assert response.status_code == 200
    page = text(response)
    assert "알 수 없는 정책 분야입니다." in page and catalogue["plain"].title in page


def test_api_exposes_confirmed_tags_and_filters_by_them(db, client, catalogue):
    body = client.get("/api/v1/solutions?policy_area=climate").get_json()
    assert [r["id"] for r in body["data"]] == [catalogue["confirmed"].id]
    assert body["data"][0]["policy_tags"] == ["climate"]
    records = {r["id"]: r for r in client.get("/api/v1/solutions").get_json()["data"]}
    assert records[catalogue["claimed"].id]["policy_tags"] == []
    assert records[catalogue["plain"].id]["policy_tags"] == []

    body = client.get("/api/v1/needs?policy_area=inclusion").get_json()
    assert [r["id"] for r in body["data"]] == [catalogue["included"].id]
    assert client.get(f"/api/v1/needs/{catalogue['waiting'].id}").get_json()["policy_tags"] == []
    assert client.get(f"/api/v1/needs/{catalogue['included'].id}").get_json()[
        "policy_tags"] == ["inclusion"]

    bulk = text(client.get("/api/v1/bulk/solutions.csv?policy_area=climate"))
    rows = list(csv.DictReader(io.StringIO(bulk.lstrip("\ufeff"))))
    assert [(int(r["id"]), r["policy_tags"]) for r in rows] == [(catalogue["confirmed"].id,
                                                                  "climate")]

    response = client.get("/api/v1/solutions?policy_area=ocean")
    assert response.status_code == 400
    assert "climate" in text(response) and "inclusion" in text(response)
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"] for p in spec["paths"]["/api/v1/needs"]["get"]["parameters"]}
    assert "policy_area" in parameters


# --- the dashboard's budget shares ----------------------------------------------------------------


def seoul_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=SEOUL).astimezone(timezone.utc)


@pytest.fixture()
def world(db, company):
    """Two municipalities' approved matches, contracts and tags (amounts in won):

    종로구: N1 1억 (need: inclusion) with a plain and a climate solution (counted once);
            N2 2억 with the climate solution, contracted 1.5억 this year;
            N3 3억 with a solution whose inclusion tag is only claimed, 운영 with 2.5억.
    해운대구: N4 5천만 (budget_min only; its climate tag rejected) with the plain solution;
            N6 without budget; N5 4억 approved last year with the climate solution, and N4's
            1억 contract dated last year; a pending match does not count.
    """
    this_year = utcnow().astimezone(SEOUL).date()
    last_year = date(this_year.year - 1, 6, 1)
    jongno = factories.make_user(role=Role.MUNICIPALITY)
    haeundae = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 해운대구")
    climate = factories.make_solution(company, title="기후 솔루션")
    claimed = factories.make_solution(company, title="포용 신청 솔루션")
    plain = factories.make_solution(company, title="일반 솔루션")
    factories.make_policy_tag(climate, CLIMATE)
    factories.make_policy_tag(claimed, INCLUSION, CLAIMED)
    n1 = factories.make_need(jongno, budget=(50_000_000, 100_000_000))
    n2 = factories.make_need(jongno, budget=(None, 200_000_000))
    n3 = factories.make_need(jongno, budget=(None, 300_000_000))
    n4 = factories.make_need(haeundae, budget=(50_000_000, None))
    n5 = factories.make_need(haeundae, budget=(None, 400_000_000))
    n6 = factories.make_need(haeundae, budget=(None, None))
    pending = factories.make_need(haeundae, budget=(None, 900_000_000))
    factories.make_policy_tag(n1, INCLUSION)
    factories.make_policy_tag(n4, CLIMATE, REJECTED)
    recent = utcnow() - timedelta(minutes=5)
    factories.make_approved_match(n1, plain, approved_at=recent)
    factories.make_approved_match(n1, climate, approved_at=recent)
    factories.make_approved_match(n2, climate, approved_at=recent, stage=OutcomeStage.CONTRACTED,
                                  contract_amount=150_000_000, contracted_on=this_year)
    factories.make_approved_match(n3, claimed, approved_at=recent, stage=OutcomeStage.OPERATING,
                                  contract_amount=250_000_000, contracted_on=this_year)
    factories.make_approved_match(n4, plain, approved_at=recent, stage=OutcomeStage.CONTRACTED,
                                  contract_amount=100_000_000, contracted_on=last_year)
    factories.make_approved_match(n5, climate, approved_at=seoul_noon(last_year))
    factories.make_approved_match(n6, plain, approved_at=recent)
    factories.make_approved_match(pending, climate, status=MatchStatus.MUTUAL)
    unit_of_work.commit()
    return {"jongno": jongno.municipality, "haeundae": haeundae.municipality,
            "this_year": this_year, "last_year": last_year}


def csv_rows(response) -> dict[str, list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = text(response)
    assert body.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(body[1:])))
    return {"header": header, **{row[2]: row for row in rows}}


def test_the_csv_gives_exact_shares_nationally_and_per_municipality(db, admin_client, world):
    rows = csv_rows(admin_client.get(CSV_URL))
    header = rows["header"]
    assert header[:4] == ["시작일", "종료일", "지자체명", "매칭 예산(원)"]
    assert "매칭 예산: 기후위기 대응(%)" in header and "계약 금액: 35% 기준" in header
    assert len(rows) == 4  # header, 전국, 종로구, 해운대구

    def cells(name):
        return dict(zip(header, rows[name]))

    national = cells("전국")
    assert national["시작일"] == date(world["this_year"].year, 1, 1).isoformat()
    assert national["종료일"] == world["this_year"].isoformat()
    # Matched: N1 1억 + N2 2억 + N3 3억 + N4 5천만 + N6 0 = 6.5억; climate N1+N2 = 3억.
    assert national["매칭 예산(원)"] == "650000000"
    assert national["매칭 예산: 기후위기 대응(원)"] == "300000000"
    assert national["매칭 예산: 기후위기 대응(%)"] == "46.2"
    assert national["매칭 예산: 디지털 포용(원)"] == "100000000"
    assert national["매칭 예산: 디지털 포용(%)"] == "15.4"
    assert national["매칭 예산: 두 분야 합계(원)"] == "300000000"
    assert national["매칭 예산: 두 분야 합계(%)"] == "46.2"
    assert national["매칭 예산: 35% 기준"] == "충족"
    # Contracted this year: 1.5억 (climate) + 2.5억 (claimed only: untagged) = 4억.
    assert national["계약 금액(원)"] == "400000000"
    assert national["계약 금액: 기후위기 대응(%)"] == "37.5"
    assert national["계약 금액: 디지털 포용(원)"] == "0"
    assert national["계약 금액: 두 분야 합계(%)"] == "37.5"
    assert national["계약 금액: 35% 기준"] == "충족"

    jongno = cells("서울특별시 종로구")
    assert jongno["매칭 예산(원)"] == "600000000"
    assert jongno["매칭 예산: 두 분야 합계(%)"] == "50.0"
    assert jongno["계약 금액(원)"] == "400000000"
    haeundae = cells("부산광역시 해운대구")
    assert haeundae["매칭 예산(원)"] == "50000000"
    assert haeundae["매칭 예산: 두 분야 합계(%)"] == "0.0"
    assert haeundae["매칭 예산: 35% 기준"] == "미달"
    assert haeundae["계약 금액(원)"] == "0" and haeundae["계약 금액: 두 분야 합계(%)"] == ""
    assert haeundae["계약 금액: 35% 기준"] == ""


def test_an_overseas_needs_match_is_not_in_the_domestic_share(db, admin_client, world, company):
    from tests.test_overseas import _foreign_official, _organisation, _overseas_need

    official = _foreign_official(db, _organisation(db))
    need = _overseas_need(db, official)
    need.budget_min, need.budget_max = None, 900_000_000
    factories.make_approved_match(need, factories.make_solution(company, title="해외 솔루션"),
                                  approved_at=utcnow() - timedelta(minutes=5))
    unit_of_work.commit()
    rows = csv_rows(admin_client.get(CSV_URL))
    national = dict(zip(rows["header"], rows["전국"]))
    assert national["매칭 예산(원)"] == "650000000"  # as without it: the 35% rule is domestic
    assert len(rows) == 4  # header, 전국, 종로구, 해운대구: no row for the organisation


def test_an_explicit_period_and_a_national_portfolio_below_35(db, admin_client, world):
    year = world["last_year"].year
    rows = csv_rows(admin_client.get(f"{CSV_URL}?date_from={year}-01-01&date_to={year}-12-31"))
    header = rows["header"]
    national = dict(zip(header, rows["전국"]))
    assert national["매칭 예산(원)"] == "400000000"
    assert national["매칭 예산: 기후위기 대응(%)"] == "100.0"
    assert national["계약 금액(원)"] == "100000000"  # N4's untagged contract of last year
    assert national["계약 금액: 두 분야 합계(%)"] == "0.0"
    assert national["계약 금액: 35% 기준"] == "미달"
    assert set(rows) == {"header", "전국", "부산광역시 해운대구"}

    response = admin_client.get(f"{CSV_URL}?date_from=2026-13-01")
    assert response.status_code == 400
    assert "날짜는 YYYY-MM-DD 형식으로 입력하세요." in text(response)


def test_the_dashboard_answers_the_share_question(db, admin_client, world):
    page = text(admin_client.get("/admin/dashboard/"))
    assert "기후위기 대응·디지털 포용 예산 비중" in page
    answer = page[page.index('data-testid="policy-share-matched"'):]
    answer = answer[:answer.index("</li>")]
    assert "매칭 예산 6억 5,000만 원 가운데 기후위기 대응 46.2%, 디지털 포용 15.4%, 두 분야 합계 46.2%" \
        in answer
    assert 'data-policy-flag="met"' in answer
    assert "계약 금액 4억 원 가운데 기후위기 대응 37.5%" in page
    assert "예산을 적지 않은 수요 1건은 0원으로 셉니다." in page
    assert "35% 미달 지자체: 1곳" in page
    row = page[page.index(f'data-policy-row="{world["haeundae"].id}"'):]
    assert row.index("35% 미달") < row.index("</tr>")
    assert f'href="/admin/dashboard/policy-share.csv?date_from={world["this_year"].year}-01-01' \
        in page


def test_the_dashboard_and_csv_in_english(db, admin_client, world):
    page = text(admin_client.get("/admin/dashboard/", headers=ENGLISH))
    assert "Share of budget for climate-crisis response and digital inclusion" in page
    assert ("Of the matched budget of KRW 650,000,000, climate-crisis response got 46.2%, "
            "digital inclusion 15.4%, the two areas together 46.2%.") in page
    assert "Below 35%" in page
    rows = csv_rows(admin_client.get(CSV_URL, headers=ENGLISH))
    assert rows["header"][:4] == ["From", "To", "Local government", "Matched budget (KRW)"]
    assert set(rows) == {"header", "Nationwide", "Jongno-gu, Seoul", "Haeundae-gu, Busan"}
    national = dict(zip(rows["header"], rows["Nationwide"]))
    assert national["Matched budget: Climate-crisis response (%)"] == "46.2"


def test_queue_and_forms_in_english(db, admin_client, company_client, claimed):
    page = text(admin_client.get(QUEUE, headers=ENGLISH))
    assert "Policy tags to check" in page and "Climate-crisis response" in page
    assert "Confirm" in page and "Reject" in page
    form = text(company_client.get("/my/solutions/new", headers=ENGLISH))
    assert "Policy focus areas (optional)" in form and "Digital inclusion" in form
    response = company_client.post("/my/solutions/new", headers=ENGLISH,
                                   data=solution_form(policy_areas=["ocean"]))
    assert response.status_code == 400
    assert "Choose the policy areas from the list." in text(response)
    page = text(admin_client.get("/solutions?policy_area=ocean", headers=ENGLISH))
    assert "Unknown policy area." in page


# --- the demo data set ------------------------------------------------------------------------------


def test_the_demo_dashboard_shows_non_trivial_shares(app, db, runner, full_taxonomy):
    from app.services import demo_seed

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()
    assert client.post("/auth/login", data={"email": demo_seed.ADMIN_EMAIL,
                                            "password": demo_seed.ADMIN_PASSWORD}).status_code == 302
    rows = csv_rows(client.get(CSV_URL))
    national = dict(zip(rows["header"], rows["전국"]))
    for kind in ("매칭 예산", "계약 금액"):
        assert int(national[f"{kind}(원)"]) > 0
        assert 35 <= float(national[f"{kind}: 두 분야 합계(%)"]) < 100
        for area in ("기후위기 대응", "디지털 포용"):
            assert 0 < float(national[f"{kind}: {area}(%)"]) < 100
    flagged = [name for name, row in rows.items()
               if name != "header" and dict(zip(rows["header"], row))["매칭 예산: 35% 기준"] == "미달"]
    assert flagged  # some municipalities' portfolios fall short of the plan's 35%
    assert "확인 대기 0건" not in text(client.get(QUEUE))  # claims for the admin to check
    public = client.get("/api/v1/solutions?policy_area=climate&per_page=100").get_json()
    assert public["meta"]["total"] >= 5
