"""Regulatory sandbox (app/services/sandbox.py, app/sandbox/): a solution's declared exemption,
flagging a match, the progress table, who may do what, the admins' list and CSV, the outcome
pages, the API, Korean and English."""
from __future__ import annotations

import csv
import html
import io
import re
from itertools import product

import pytest
from sqlalchemy import func, select

from app.models import (
    MatchSandbox,
    MatchStatus,
    Notification,
    OfficialStatus,
    Role,
    SandboxKind,
    SandboxProgress,
    SandboxStep,
    Solution,
)
from app.services import sandbox, unit_of_work, workflow
from app.services.errors import PermissionDenied, ServiceError
from tests import factories
from tests.test_solutions import solution_form

P = SandboxProgress
ENGLISH = {"Accept-Language": "en"}
RULE = "도로교통법 제2조 (자율주행 차량의 공공도로 운행)"
ALLOWED = {(P.NEEDED, P.APPLIED), (P.NEEDED, P.WITHDRAWN), (P.APPLIED, P.UNDER_REVIEW),
           (P.APPLIED, P.WITHDRAWN), (P.UNDER_REVIEW, P.GRANTED), (P.UNDER_REVIEW, P.REFUSED),
           (P.UNDER_REVIEW, P.WITHDRAWN)}
PATHS = {P.NEEDED: [], P.APPLIED: [P.APPLIED], P.UNDER_REVIEW: [P.APPLIED, P.UNDER_REVIEW],
         P.GRANTED: [P.APPLIED, P.UNDER_REVIEW, P.GRANTED],
         P.REFUSED: [P.APPLIED, P.UNDER_REVIEW, P.REFUSED], P.WITHDRAWN: [P.WITHDRAWN]}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def selected(page: str, value: str) -> bool:
    """True when the page has an <option> of `value` that is selected."""
    return any("selected" in option and f'value="{value}"' in option
               for option in re.findall(r"<option[^>]*>", page))


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def approved(db, official, company_user, need, solution, admin_user):
    match = workflow.express_interest(official, need, solution, "도입을 검토합니다.")
    workflow.accept(company_user, match)
    workflow.approve(admin_user, match)
    unit_of_work.commit()
    return match


@pytest.fixture()
def mutual(db, official, company_user, company):
    other = factories.make_solution(company, title="자율주행 셔틀")
    need = factories.make_need(official, title="자율주행 셔틀 실증")
    match = workflow.express_interest(official, need, other, "실증을 검토합니다.")
    workflow.accept(company_user, match)
    unit_of_work.commit()
    return match


@pytest.fixture()
def flagged(db, approved, official):
    sandbox.flag(official, approved, SandboxKind.DEMONSTRATION, RULE)
    unit_of_work.commit()
    return approved


def bring_to(match, progress, actor):
    for to in PATHS[progress]:
        sandbox.record_progress(actor, match, to, "사유 메모")
        unit_of_work.commit()


# --- the solution form -------------------------------------------------------------------------


def test_solution_form_saves_the_exemption_and_pages_show_it(company_client, db):
    response = company_client.post("/my/solutions/new", data=solution_form(
        sandbox_kind="temporary_permit", sandbox_rule="  드론  비행 승인 기준 \n(항공안전법 제127조) "))
    assert response.status_code == 302
    solution = db.session.scalar(select(Solution))
    assert solution.sandbox_kind == SandboxKind.TEMPORARY_PERMIT
    assert solution.sandbox_rule == "드론 비행 승인 기준 (항공안전법 제127조)"
    edit = text_of(company_client.get(f"/my/solutions/{solution.id}/edit"))
    assert selected(edit, "temporary_permit")
    assert "드론 비행 승인 기준 (항공안전법 제127조)" in edit
    assert "임시허가" in text_of(company_client.get(f"/my/solutions/{solution.id}"))
    # and the owner can say later that no exemption is needed
    response = company_client.post(f"/my/solutions/{solution.id}/edit", data=solution_form(
        version=str(solution.version), sandbox_kind="", sandbox_rule=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert solution.sandbox_kind is None and solution.sandbox_rule is None


def test_public_solution_page_shows_the_declared_exemption(client, db, company):
    made = factories.make_solution(company, title="자율주행 셔틀")
    made.sandbox_kind, made.sandbox_rule = SandboxKind.DEMONSTRATION, RULE
    unit_of_work.commit()
    korean = text_of(client.get(f"/solutions/{made.id}"))
    assert "실증특례" in korean and RULE in korean
    assert "Demonstration exemption" in text_of(client.get(f"/solutions/{made.id}",
                                                           headers=ENGLISH))


@pytest.mark.parametrize(("overrides", "korean", "english"), [
    ({"sandbox_kind": "demonstration", "sandbox_rule": "  "}, "특례가 필요한 규제(법령·조항)를 입력하세요",
     "Enter the rule at stake"),
    ({"sandbox_kind": "", "sandbox_rule": "도로교통법"}, "필요한 특례 종류(실증특례·임시허가)도 고르세요",
     "also choose the kind of exemption"),
    ({"sandbox_kind": "exemption", "sandbox_rule": "도로교통법"}, "규제 특례 종류를 목록에서 고르세요",
     "Choose the kind of regulatory exemption"),
    ({"sandbox_kind": "demonstration", "sandbox_rule": "가" * 301}, "규제 내용은 300자 이하로",
     "at most 300 characters"),
])
def test_solution_form_refuses_a_bad_exemption_and_saves_nothing(company_client, db, overrides,
                                                                  korean, english):
    response = company_client.post("/my/solutions/new", data=solution_form(**overrides))
    assert response.status_code == 400
    assert korean in text_of(response)
    response = company_client.post("/my/solutions/new", data=solution_form(**overrides),
                                   headers=ENGLISH)
    assert response.status_code == 400
    assert english in text_of(response)
    assert count(db, Solution) == 0


def test_the_database_refuses_a_kind_without_its_rule(db, company):
    made = factories.make_solution(company)
    made.sandbox_kind = SandboxKind.DEMONSTRATION
    with pytest.raises(Exception):
        db.session.flush()
    db.session.rollback()


# --- flagging a match --------------------------------------------------------------------------


def test_a_party_flags_an_approved_match_and_the_other_side_is_told(db, approved, official,
                                                                    official_client,
                                                                    company_user):
    response = official_client.post(f"/matches/{approved.id}/sandbox", data={
        "kind": "demonstration", "rule": RULE, "note": "도심 도로 실증 필요"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/matches/{approved.id}/outcome#sandbox")
    row = db.session.scalar(select(MatchSandbox))
    assert (row.kind, row.rule, row.progress, row.flagged_by_id) == (
        SandboxKind.DEMONSTRATION, RULE, P.NEEDED, official.id)
    assert [(s.from_progress, s.to_progress, s.note) for s in row.steps] == [
        (None, P.NEEDED, "도심 도로 실증 필요")]
    told = db.session.scalars(select(Notification).where(
        Notification.kind == "regulatory_sandbox")).all()
    assert {n.user_id for n in told} == {company_user.id}


def test_a_mutual_match_may_be_flagged_by_the_company_and_the_form_offers_the_solutions_rule(
        db, mutual, company_client):
    mutual.solution.sandbox_kind = SandboxKind.TEMPORARY_PERMIT
    mutual.solution.sandbox_rule = "여객자동차 운수사업법 제4조"
    unit_of_work.commit()
    page = text_of(company_client.get(f"/matches/{mutual.id}/outcome"))
    assert "여객자동차 운수사업법 제4조" in page and selected(page, "temporary_permit")
    response = company_client.post(f"/matches/{mutual.id}/sandbox", data={
        "kind": "temporary_permit", "rule": "여객자동차 운수사업법 제4조"})
    assert response.status_code == 302
    assert sandbox.sandbox_of(mutual).kind == SandboxKind.TEMPORARY_PERMIT


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "", "rule": RULE}, "규제 특례 종류를 목록에서 고르세요"),
    ({"kind": "permit", "rule": RULE}, "규제 특례 종류를 목록에서 고르세요"),
    ({"kind": "demonstration", "rule": ""}, "특례가 필요한 규제(법령·조항)를 입력하세요"),
    ({"kind": "demonstration", "rule": "가" * 301}, "300자 이하"),
    ({"kind": "demonstration", "rule": RULE, "note": "가" * 501}, "500자 이하"),
])
def test_a_bad_flag_is_refused_with_its_message_and_changes_nothing(db, approved,
                                                                    official_client, data,
                                                                    message):
    response = official_client.post(f"/matches/{approved.id}/sandbox", data=data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(db, MatchSandbox) == 0 and count(db, SandboxStep) == 0


def test_a_pending_match_or_a_flagged_one_cannot_be_flagged(db, official, company_user, need,
                                                            solution, flagged, official_client,
                                                            company_client):
    again = company_client.post(f"/matches/{flagged.id}/sandbox",
                                data={"kind": "temporary_permit", "rule": "다른 규제"})
    assert again.status_code == 400
    assert "이미 규제특례 필요로 표시되어 있습니다" in text_of(again)
    pending = workflow.express_interest(
        official, factories.make_need(official, title="대기 중 수요"), solution, "검토")
    unit_of_work.commit()
    assert pending.status == MatchStatus.PENDING
    response = official_client.post(f"/matches/{pending.id}/sandbox",
                                    data={"kind": "demonstration", "rule": RULE})
    assert response.status_code == 400
    assert "상호 수락했거나 관리자가 승인한 매칭만" in text_of(response)
    english = official_client.post(f"/matches/{pending.id}/sandbox",
                                   data={"kind": "demonstration", "rule": RULE}, headers=ENGLISH)
    assert "Only a mutually accepted or approved match" in text_of(english)
    assert count(db, MatchSandbox) == 1


# --- progress ----------------------------------------------------------------------------------


def test_the_table_is_exactly_the_documented_life_cycle():
    table = {(start, to) for start, tos in sandbox.SANDBOX_TRANSITIONS.items() for to in tos}
    assert table == ALLOWED
    assert set(sandbox.SANDBOX_TRANSITIONS) == set(P)


@pytest.mark.parametrize(("start", "to"), sorted(product(P, P), key=lambda p: (p[0].value,
                                                                             p[1].value)))
def test_every_progress_change_is_allowed_or_refused_by_the_table(db, flagged, official,
                                                                  company_client, start, to):
    bring_to(flagged, start, official)
    steps = count(db, SandboxStep)
    response = company_client.post(f"/matches/{flagged.id}/sandbox/progress",
                                   data={"progress": to.value, "note": "결정 사유"})
    db.session.expire_all()
    current = sandbox.sandbox_of(flagged)
    if (start, to) in ALLOWED:
        assert response.status_code == 302
        assert current.progress == to and count(db, SandboxStep) == steps + 1
        assert current.steps[-1].from_progress == start
    else:
        assert response.status_code == 400
        assert current.progress == start and count(db, SandboxStep) == steps


def test_refusal_and_withdrawal_need_a_reason_and_a_bad_value_is_refused(db, flagged,
                                                                         official_client):
    url = f"/matches/{flagged.id}/sandbox/progress"
    response = official_client.post(url, data={"progress": "withdrawn", "note": " "})
    assert response.status_code == 400 and "신청 철회 사유를 메모에 적어 주세요" in text_of(response)
    response = official_client.post(url, data={"progress": "approved"})
    assert response.status_code == 400 and "진행 상황을 목록에서 고르세요" in text_of(response)
    english = official_client.post(url, data={"progress": "granted"}, headers=ENGLISH)
    assert english.status_code == 400
    assert "cannot move from Application needed to Granted" in text_of(english)
    assert sandbox.sandbox_of(flagged).progress == P.NEEDED and count(db, SandboxStep) == 1


def test_progress_of_an_unflagged_match_is_refused(db, approved, official_client):
    response = official_client.post(f"/matches/{approved.id}/sandbox/progress",
                                    data={"progress": "applied"})
    assert response.status_code == 400
    assert "규제특례 필요로 표시되지 않았습니다" in text_of(response)


# --- who may do what ---------------------------------------------------------------------------


def test_admins_may_flag_and_record_progress(db, approved, admin_client, official, company_user):
    response = admin_client.post(f"/matches/{approved.id}/sandbox",
                                 data={"kind": "demonstration", "rule": RULE})
    assert response.status_code == 302
    response = admin_client.post(f"/matches/{approved.id}/sandbox/progress",
                                 data={"progress": "applied", "note": "신청서 접수"})
    assert response.status_code == 302
    assert sandbox.sandbox_of(approved).progress == P.APPLIED
    told = {n.user_id for n in db.session.scalars(select(Notification).where(
        Notification.kind == "regulatory_sandbox"))}
    assert {official.id, company_user.id} <= told  # both sides hear of what an admin did


def test_outsiders_unvetted_members_and_visitors_are_refused(db, app, flagged, login, client):
    other_company = factories.make_company()
    outsider = factories.make_user(role=Role.COMPANY, company=other_company)
    other_official = factories.make_user(role=Role.MUNICIPALITY,
                                         municipality_name="부산광역시 해운대구")
    unvetted = factories.make_user(role=Role.MUNICIPALITY,
                                   official_status=OfficialStatus.PENDING)
    db.session.commit()
    for user in (outsider, other_official, unvetted):
        user_client = login(user)
        for path, data in ((f"/matches/{flagged.id}/sandbox", {"kind": "demonstration",
                                                                "rule": RULE}),
                           (f"/matches/{flagged.id}/sandbox/progress", {"progress": "applied"})):
            assert user_client.post(path, data=data).status_code == 403
        assert user_client.get("/admin/sandbox").status_code == 403
        assert user_client.get("/admin/sandbox/export.csv").status_code == 403
    response = client.post(f"/matches/{flagged.id}/sandbox/progress", data={"progress": "applied"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert sandbox.sandbox_of(flagged).progress == P.NEEDED
    with pytest.raises(PermissionDenied):
        sandbox.record_progress(outsider, flagged, P.APPLIED)
    assert client.post("/matches/999999/sandbox", data={}).status_code == 302  # to sign-in


def test_a_missing_match_is_404(official_client, db):
    assert official_client.post("/matches/999999/sandbox",
                                data={"kind": "demonstration", "rule": RULE}).status_code == 404


def test_the_service_refuses_an_unknown_progress(db, flagged, official):
    with pytest.raises(ServiceError):
        sandbox.record_progress(official, flagged, "somewhere")


# --- the outcome pages -------------------------------------------------------------------------


def test_the_outcome_page_shows_the_exemption_beside_the_outcome_stage(db, flagged, official,
                                                                       official_client):
    bring_to(flagged, P.UNDER_REVIEW, official)
    page = text_of(official_client.get(f"/matches/{flagged.id}/outcome"))
    assert 'data-testid="sandbox-progress" data-progress="under_review"' in page
    assert 'data-testid="outcome-stage"' in page  # beside the outcome stage, part of its state
    assert 'data-testid="outcome-sandbox" data-progress="under_review"' in page
    assert "실증특례" in page and "심사 중" in page and RULE in page
    assert page.count('class="sandbox-step"') == 3  # 신청 필요, 신청함, 심사 중
    english = text_of(official_client.get(f"/matches/{flagged.id}/outcome", headers=ENGLISH))
    assert "Under review" in english and "Regulatory exemption (sandbox)" in english
    assert "Record progress" in english


def test_the_outcome_overview_counts_exemptions_by_progress(db, flagged, admin_client):
    page = text_of(admin_client.get("/matches/outcomes"))
    assert 'data-testid="sandbox-overview"' in page
    assert '<tr data-progress="needed">' in page
    row = page.split('<tr data-progress="needed">')[1].split("</tr>")[0]
    assert "<td>1</td>" in row


# --- the admins' list and CSV ------------------------------------------------------------------


@pytest.fixture()
def two_flagged(db, flagged, mutual, company_user, official):
    sandbox.flag(company_user, mutual, SandboxKind.TEMPORARY_PERMIT, "=HYPERLINK(\"x\")")
    unit_of_work.commit()
    bring_to(flagged, P.APPLIED, official)
    return flagged, mutual


def test_the_admins_list_filters_by_progress_and_kind(db, two_flagged, admin_client):
    first, second = two_flagged
    page = text_of(admin_client.get("/admin/sandbox"))
    assert f'data-match-id="{first.id}"' in page and f'data-match-id="{second.id}"' in page
    assert "서울특별시 종로구" in page and first.solution.company.name in page and RULE in page
    applied = text_of(admin_client.get("/admin/sandbox?progress=applied"))
    assert f'data-match-id="{first.id}"' in applied
    assert f'data-match-id="{second.id}"' not in applied
    permits = text_of(admin_client.get("/admin/sandbox?kind=temporary_permit"))
    assert f'data-match-id="{second.id}"' in permits
    assert f'data-match-id="{first.id}"' not in permits
    bad = admin_client.get("/admin/sandbox?progress=done")
    assert bad.status_code == 400 and "진행 상황을 목록에서 고르세요" in text_of(bad)
    english = admin_client.get("/admin/sandbox?kind=x", headers=ENGLISH)
    assert english.status_code == 400
    assert "Choose the kind of regulatory exemption" in text_of(english)
    assert "Regulatory sandbox candidates" in text_of(admin_client.get("/admin/sandbox",
                                                                       headers=ENGLISH))


def test_the_csv_lists_the_same_matches_for_the_sandbox_process(db, two_flagged, admin_client):
    first, second = two_flagged
    response = admin_client.get("/admin/sandbox/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == list(sandbox.CSV_HEADERS)
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(first.id), str(second.id)}
    assert by_id[str(first.id)][6:9] == ["실증특례", RULE, "신청함"]
    assert by_id[str(first.id)][3] == "서울특별시 종로구"
    assert by_id[str(second.id)][7].startswith("'=")  # a formula-like cell is quoted
    only = admin_client.get("/admin/sandbox/export.csv?kind=demonstration&progress=applied")
    assert len(list(csv.reader(io.StringIO(only.get_data(as_text=True))))) == 2
    english = admin_client.get("/admin/sandbox/export.csv", headers=ENGLISH).get_data(as_text=True)
    assert "Applied" in english and "Temporary permit" in english
    assert admin_client.get("/admin/sandbox/export.csv?progress=x").status_code == 400


# --- the API -----------------------------------------------------------------------------------


def test_api_shows_the_exemption_and_filters_on_it(db, client, company):
    needing = factories.make_solution(company, title="자율주행 셔틀")
    needing.sandbox_kind, needing.sandbox_rule = SandboxKind.DEMONSTRATION, RULE
    plain = factories.make_solution(company, title="스마트 가로등")
    unit_of_work.commit()
    record = client.get(f"/api/v1/solutions/{needing.id}").get_json()
    assert record["regulatory_sandbox"] == {"kind": "demonstration", "rule": RULE}
    assert client.get(f"/api/v1/solutions/{plain.id}").get_json()["regulatory_sandbox"] is None
    ids = [item["id"] for item in client.get("/api/v1/solutions?sandbox=1").get_json()["data"]]
    assert ids == [needing.id]
    ids = [item["id"] for item in client.get("/api/v1/solutions?sandbox=0").get_json()["data"]]
    assert ids == [plain.id]
    bad = client.get("/api/v1/solutions?sandbox=yes", headers=ENGLISH)
    assert bad.status_code == 400 and "sandbox" in bad.get_json()["errors"]
    bulk = client.get("/api/v1/bulk/solutions.csv?sandbox=1").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(bulk.lstrip("\ufeff"))))
    assert [(r["sandbox_kind"], r["sandbox_rule"]) for r in rows] == [("demonstration", RULE)]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "regulatory_sandbox" in str(spec) and "sandbox" in str(spec)


def test_the_admins_list_reads_the_same_number_of_queries_for_more_matches(db, app, official,
                                                                           company_user,
                                                                           admin_client):
    from sqlalchemy import event

    def flag_more(n):
        company = company_user.company
        for i in range(n):
            match = workflow.express_interest(
                official, factories.make_need(official, title=f"실증 수요 {i}"),
                factories.make_solution(company, title=f"실증 솔루션 {i}"), "검토")
            workflow.accept(company_user, match)
            sandbox.flag(official, match, SandboxKind.DEMONSTRATION, f"규제 {i}")
        unit_of_work.commit()

    def queries_of(path):
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert admin_client.get(path).status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    flag_more(2)
    few = queries_of("/admin/sandbox")
    flag_more(6)
    assert few > 3 and queries_of("/admin/sandbox") == few  # no query per listed match
