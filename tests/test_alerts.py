"""Saved searches, bookmarks, digest e-mails, instant listing alerts and application notices."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    Bookmark,
    DigestCursor,
    DigestFrequency,
    MembershipStatus,
    ModerationStatus,
    Need,
    Notification,
    OfficialStatus,
    Role,
    SavedSearch,
    SizeClass,
    Solution,
    SolutionStatus,
    StrongMatchAlert,
)
from app.models.base import utcnow
from app.services import digests, notifications, unit_of_work
from tests import factories
from tests.test_needs import valid_form as need_form


def text(response) -> str:
    return response.get_data(as_text=True)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def notices(db, user, kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind).order_by(Notification.id)))


def drt_need(**overrides) -> dict:
    """The need of the factories' DRT pair, as the new-need form posts it (a strong match)."""
    return need_form(**{"title": "읍면 수요응답형 교통 도입",
                        "description": "농촌 지역 어르신의 이동권 보장을 위한 수요응답형 버스가 필요합니다.",
                        **overrides})


@pytest.fixture()
def strong_threshold(app, monkeypatch):
    """A threshold the test data's DRT need/solution pair clears."""
    monkeypatch.setitem(app.config, "STRONG_MATCH_SCORE", 0.3)


# --- saved searches -------------------------------------------------------------------------


def test_company_saves_a_need_search_and_sees_it(db, company_client, company_user):
    transport = factories.category("transport")
    seoul = factories.province("서울특별시")
    response = company_client.post("/alerts/searches", data={
        "category_id": str(transport.id), "region_id": str(seoul.id),
        "budget_min": "1000만", "budget_max": "9천만 원"})

    assert response.status_code == 302
    search = db.session.scalar(select(SavedSearch))
    assert (search.user_id, search.target.value, search.category_id, search.region_id,
            search.budget_min, search.budget_max) == (
        company_user.id, "need", transport.id, seoul.id, 10_000_000, 90_000_000)
    page = text(company_client.get("/alerts/"))
    assert "교통 · 서울특별시 · 예산 10,000,000 ~ 90,000,000원" in page


@pytest.mark.parametrize("form, message", [
    ({"category_id": "999999"}, "분야를 목록에서 선택하세요"),
    ({"budget_min": "90000000", "budget_max": "10000000"}, "최대 예산은 최소 예산보다 크거나 같아야"),
    ({"region_id": "1", "category_id": ""}, "지역(광역자치단체)을 목록에서 선택하세요"),
    ({}, "분야, 지역, 예산 중 하나 이상을 지정하세요"),
    ({"budget_min": "-5"}, "0 이상으로 입력하세요"),
    ({"budget_min": "5억억"}, "금액"),
])
def test_bad_search_input_is_refused_with_a_message_and_changes_nothing(
        db, company_client, form, message):
    if form.get("region_id") == "1":  # a basic government, not a province
        form["region_id"] = str(factories.municipality("서울특별시 종로구").id)
    response = company_client.post("/alerts/searches", data=form)

    assert response.status_code == 400
    assert message in text(response)
    assert count(db, SavedSearch) == 0


def test_english_users_get_the_refusal_in_english(db, company_client, company_user):
    company_user.locale = "en"
    db.session.commit()
    response = company_client.post("/alerts/searches",
                                   data={"budget_min": "9", "budget_max": "1"})
    assert response.status_code == 400
    assert "The maximum budget must be at least the minimum budget." in text(response)


def test_officials_follow_solutions_by_field_only(db, official_client, official):
    transport = factories.category("transport")
    refused = official_client.post("/alerts/searches", data={
        "category_id": str(transport.id), "budget_min": "1"})
    assert refused.status_code == 400 and "솔루션은 분야로만 구독할 수 있습니다" in text(refused)

    assert official_client.post("/alerts/searches",
                                data={"category_id": str(transport.id)}).status_code == 302
    search = db.session.scalar(select(SavedSearch))
    assert search.target.value == "solution" and search.user_id == official.id
    duplicate = official_client.post("/alerts/searches", data={"category_id": str(transport.id)})
    assert duplicate.status_code == 400 and "이미 같은 조건을 저장했습니다" in text(duplicate)
    assert count(db, SavedSearch) == 1


def test_admins_cannot_save_searches(db, admin_client):
    page = text(admin_client.get("/alerts/"))
    assert "기업 회원과 지자체 공무원만 검색 조건을 저장할 수 있습니다" in page
    assert admin_client.post("/alerts/searches", data={
        "category_id": str(factories.category("transport").id)}).status_code == 403
    assert count(db, SavedSearch) == 0


def test_only_the_owner_deletes_a_search(db, company_client, login, company):
    company_client.post("/alerts/searches",
                        data={"category_id": str(factories.category("transport").id)})
    search_id = db.session.scalar(select(SavedSearch.id))
    colleague = factories.make_user(role=Role.COMPANY, company=company)
    db.session.commit()

    assert login(colleague).post(f"/alerts/searches/{search_id}/delete").status_code == 403
    assert count(db, SavedSearch) == 1
    assert company_client.post(f"/alerts/searches/{search_id}/delete").status_code == 302
    assert count(db, SavedSearch) == 0


# --- bookmarks ------------------------------------------------------------------------------


def test_bookmark_toggle_from_listing_pages_and_one_page_of_bookmarks(
        db, official_client, solution, company, need):
    page = text(official_client.get(f"/solutions/{solution.id}"))
    assert f'action="/alerts/bookmarks/solutions/{solution.id}"' in page and "☆ 북마크" in page

    back = f"/solutions/{solution.id}"
    response = official_client.post(f"/alerts/bookmarks/solutions/{solution.id}",
                                    data={"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    official_client.post(f"/alerts/bookmarks/companies/{company.id}")
    official_client.post(f"/alerts/bookmarks/needs/{need.id}")

    assert "★ 북마크됨" in text(official_client.get(back))
    listing = text(official_client.get("/alerts/"))
    assert solution.title in listing and company.name in listing and need.title in listing
    assert count(db, Bookmark) == 3

    official_client.post(f"/alerts/bookmarks/solutions/{solution.id}")
    assert count(db, Bookmark) == 2
    assert solution.title not in text(official_client.get("/alerts/"))


def test_bookmarking_an_invisible_listing_is_refused(db, official_client, company):
    draft = factories.make_solution(company, status=SolutionStatus.DRAFT)
    hidden = factories.make_company(membership=MembershipStatus.PENDING)
    unit_of_work.commit()

    assert official_client.post(f"/alerts/bookmarks/solutions/{draft.id}").status_code == 404
    assert official_client.post(f"/alerts/bookmarks/companies/{hidden.id}").status_code == 404
    assert official_client.post("/alerts/bookmarks/needs/999999").status_code == 404
    assert count(db, Bookmark) == 0


def test_bookmark_redirect_is_never_off_site(db, official_client, solution):
    response = official_client.post(f"/alerts/bookmarks/solutions/{solution.id}",
                                    data={"next": "//evil.example/steal"})
    assert response.headers["Location"] == f"/solutions/{solution.id}"


def test_a_bookmark_disappears_when_its_listing_is_hidden(db, official_client, solution):
    official_client.post(f"/alerts/bookmarks/solutions/{solution.id}")
    solution.moderation_status = ModerationStatus.SUSPENDED
    unit_of_work.commit()
    assert solution.title not in text(official_client.get("/alerts/"))


def test_bookmark_buttons_need_a_csrf_token(csrf_app):
    from app.extensions import db as csrf_db
    from app.services.reference_data import load_municipalities

    with csrf_app.app_context():
        csrf_db.create_all()
        load_municipalities()
        user = factories.make_user(role=Role.MUNICIPALITY)
        csrf_db.session.commit()
        email = user.email
    client = csrf_app.test_client()
    login_page = text(client.get("/auth/login"))
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD,
                                            "csrf_token": token}).status_code == 302
    assert client.post("/alerts/bookmarks/companies/1").status_code == 400
    assert client.post("/alerts/digest", data={"frequency": "daily"}).status_code == 400


# --- digests --------------------------------------------------------------------------------


def _follow_transport_needs(company_client):
    assert company_client.post("/alerts/searches", data={
        "category_id": str(factories.category("transport").id),
        "budget_max": "100000000"}).status_code == 302


def test_digest_lists_new_visible_matching_needs_once(db, company_client, company_user, official,
                                                      outbox):
    _follow_transport_needs(company_client)
    assert company_client.post("/alerts/digest", data={"frequency": "weekly"}).status_code == 302
    assert digests.frequency_of(company_user) == DigestFrequency.WEEKLY
    matching = factories.make_need(official, title="마을버스 배차 개선")
    other_field = factories.make_need(official, title="CCTV 관제 고도화", category_code="safety")
    too_dear = factories.make_need(official, title="광역 BRT 구축", budget=(500_000_000, None))
    suspended = factories.make_need(official, title="중단된 교통 수요")
    suspended.moderation_status = ModerationStatus.SUSPENDED
    pending = factories.make_user(role=Role.MUNICIPALITY, official_status=OfficialStatus.PENDING)
    draft = factories.make_need(pending, title="미인증 공무원의 교통 수요")
    unit_of_work.commit()
    outbox.clear()

    early = digests.send_due_digests(utcnow() + timedelta(days=3))
    assert early.sent == 0 and outbox == []  # weekly: not due yet

    later = utcnow() + timedelta(days=8)
    report = digests.send_due_digests(later)
    assert report.sent == 1
    [mail] = outbox
    assert mail.to == company_user.email and "이번 주" in mail.subject
    assert matching.title in mail.body and f"http://localhost/needs/{matching.id}" in mail.body
    for unseen in (other_field, too_dear, suspended, draft):
        assert unseen.title not in mail.body

    again = digests.send_due_digests(later)  # a second worker, or a retried run
    assert again.sent == 0 and len(outbox) == 1
    assert digests.send_due_digests(later + timedelta(days=8)).empty == 1  # nothing new
    assert len(outbox) == 1


def test_digest_claim_moves_only_a_cursor_that_was_not_moved(db, company_client, company_user,
                                                             official, outbox):
    _follow_transport_needs(company_client)
    company_client.post("/alerts/digest", data={"frequency": "daily"})
    factories.make_need(official, title="마을버스 배차 개선")
    unit_of_work.commit()
    read_until = db.session.get(DigestCursor, company_user.id).digested_until
    later = utcnow() + timedelta(days=2)
    # Another worker claims the same period first: this run finds the cursor moved.
    assert digests._claim(company_user.id, read_until, later)
    unit_of_work.commit()
    outbox.clear()
    assert digests.send_due_digests(later).sent == 0 and outbox == []


def test_unknown_digest_frequency_is_refused(db, company_client, company_user):
    response = company_client.post("/alerts/digest", data={"frequency": "hourly"})
    assert response.status_code == 400 and "요약 메일 주기를 목록에서 선택하세요" in text(response)
    assert db.session.get(DigestCursor, company_user.id) is None


def test_official_digest_lists_new_solutions_of_the_followed_field(db, official_client, official,
                                                                   company, outbox):
    official_client.post("/alerts/searches",
                         data={"category_id": str(factories.category("transport").id)})
    official_client.post("/alerts/digest", data={"frequency": "daily"})
    shown = factories.make_solution(company, title="수요응답 버스 플랫폼")
    shown.published_at = utcnow()
    draft = factories.make_solution(company, title="초안 교통 솔루션", status=SolutionStatus.DRAFT)
    unit_of_work.commit()
    outbox.clear()

    assert digests.send_due_digests(utcnow() + timedelta(days=2)).sent == 1
    assert shown.title in outbox[0].body and draft.title not in outbox[0].body
    assert "오늘의" in outbox[0].subject


# --- instant alerts after publishing ----------------------------------------------------------


def test_publishing_a_need_alerts_followers_and_strong_matches_at_once(
        db, company_client, company_user, official_client, official, company, strong_threshold):
    solution = factories.make_solution(company, title="농어촌 DRT 배차 플랫폼")
    unit_of_work.commit()
    notifications.notify_new_strong_matches()  # the periodic run has seen the solution
    unit_of_work.commit()
    _follow_transport_needs(company_client)

    response = official_client.post("/my/needs/new", data=drt_need())
    assert response.status_code == 302
    need = db.session.scalar(select(Need))

    [followed] = notices(db, company_user, "saved_search")
    assert need.title in followed.title and followed.link == f"/needs/{need.id}"
    [strong] = notices(db, company_user, "strong_match")
    assert strong.link == f"/needs/{need.id}?solution={solution.id}"
    assert db.session.get(StrongMatchAlert, (need.id, solution.id)) is not None

    # The periodic safety net and a re-run of the job after an edit announce nothing twice.
    report = notifications.notify_new_strong_matches()
    unit_of_work.commit()
    assert report.pairs == 0
    form = drt_need(title="읍면 수요응답형 교통 도입 (수정)", status="open")
    assert official_client.post(f"/my/needs/{need.id}/edit", data=form).status_code == 302
    assert len(notices(db, company_user, "saved_search")) == 1
    assert len(notices(db, company_user, "strong_match")) == 1


def test_publishing_a_solution_alerts_officials_following_its_field(
        db, official_client, official, company, company_user, company_client, strong_threshold):
    official_client.post("/alerts/searches",
                         data={"category_id": str(factories.category("transport").id)})
    draft = factories.make_solution(company, title="농어촌 DRT 배차 플랫폼",
                                    status=SolutionStatus.DRAFT)
    unit_of_work.commit()
    assert notices(db, official, "saved_search") == []

    assert company_client.post(f"/my/solutions/{draft.id}/status",
                               data={"status": "published"}).status_code == 302
    [alert] = notices(db, official, "saved_search")
    assert draft.title in alert.title and alert.link == f"/solutions/{draft.id}"


def test_followers_of_an_unapproved_company_solution_hear_nothing(
        db, official_client, official, login):
    official_client.post("/alerts/searches",
                         data={"category_id": str(factories.category("transport").id)})
    newcomer = factories.make_company(size_class=SizeClass.SME, membership=MembershipStatus.NONE)
    staff = factories.make_user(role=Role.COMPANY, company=newcomer)
    draft = factories.make_solution(newcomer, status=SolutionStatus.DRAFT)
    unit_of_work.commit()
    login(staff).post(f"/my/solutions/{draft.id}/status", data={"status": "published"})
    db.session.expire_all()
    assert db.session.get(Solution, draft.id).status == SolutionStatus.PUBLISHED
    assert notices(db, official, "saved_search") == []


# --- application notices ----------------------------------------------------------------------


def test_admins_hear_of_a_membership_application_and_the_company_of_the_decision(
        db, login, admin_user, admin_client, outbox):
    applicant = factories.make_company(membership=MembershipStatus.NONE)
    staff = factories.make_user(role=Role.COMPANY, company=applicant)
    db.session.commit()

    assert login(staff).post("/my/company/apply").status_code == 302
    [applied] = notices(db, admin_user, "membership_application")
    assert applicant.name in applied.title
    assert applied.link == f"/admin/companies/{applicant.id}"
    assert any(mail.to == admin_user.email for mail in outbox)

    response = admin_client.post(f"/admin/companies/{applicant.id}/decision",
                                 data={"action": "reject", "reason": "사업자 정보 불일치"})
    assert response.status_code == 302
    [rejected] = notices(db, staff, "membership_decided")
    assert "반려" in rejected.title and "사업자 정보 불일치" in rejected.body
    mail = next(mail for mail in outbox if mail.to == staff.email)
    assert "사업자 정보 불일치" in mail.body

    login(staff).post("/my/company/apply")
    admin_client.post(f"/admin/companies/{applicant.id}/decision", data={"action": "approve"})
    assert "승인" in notices(db, staff, "membership_decided")[-1].title


def test_admins_hear_of_an_official_asking_for_verification(db, client, admin_user, outbox):
    from tests.test_official_evidence import sign_up_official

    jongno = factories.municipality("서울특별시 종로구")
    official = sign_up_official(client, outbox, "new.official@jongno.go.kr", jongno)

    [applied] = notices(db, admin_user, "verification_application")
    assert official.name in applied.title
    assert applied.link == f"/admin/officials/{official.id}"


def test_send_digests_command_for_cron(db, runner, company_client, company_user, official,
                                       outbox):
    _follow_transport_needs(company_client)
    company_client.post("/alerts/digest", data={"frequency": "daily"})
    cursor = db.session.get(DigestCursor, company_user.id)
    cursor.digested_until = utcnow() - timedelta(days=2)
    factories.make_need(official, title="마을버스 배차 개선")
    unit_of_work.commit()
    outbox.clear()

    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 digests sent" in result.output
    assert [mail.to for mail in outbox] == [company_user.email]
    assert "1 digests sent" not in runner.invoke(args=["send-digests"]).output
