"""Notification centre, e-mail preferences, locales and the strong-match CLI job."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, get_locale, gettext, lazy_gettext
from sqlalchemy import func, select

from app.models import (
    AccountStatus,
    EmailPreference,
    Match,
    MembershipStatus,
    Notification,
    OfficialStatus,
    Role,
    Side,
    SizeClass,
)
from app.models.base import utcnow
from app.services import notifications, unit_of_work
from app.services.notifications import KINDS
from tests import factories


def _notifications_of(db, user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def _add(db, user, title="알림", link=None, read=False, minutes_ago=0) -> Notification:
    notification = Notification(user_id=user.id, kind="match_request", title=title, body="",
                                link=link, created_at=utcnow() - timedelta(minutes=minutes_ago),
                                read_at=utcnow() if read else None)
    db.session.add(notification)
    unit_of_work.commit()
    return notification


class LocaleProbe:
    """A string-like value that renders as the locale active when it is turned into text."""

    def __str__(self) -> str:
        return str(get_locale())


# --- the service ------------------------------------------------------------------------------


def test_notify_stores_and_emails_with_absolute_link(app, db, outbox, company_user):
    notification = notifications.notify(
        company_user, "match_request", lazy_gettext("새 관심 요청"),
        lazy_gettext("%(name)s 님이 관심을 보냈습니다.", name="홍길동"), "/matches/")
    unit_of_work.commit()

    stored = _notifications_of(db, company_user)
    assert [n.id for n in stored] == [notification.id]
    assert stored[0].title == "새 관심 요청"
    assert stored[0].body == "홍길동 님이 관심을 보냈습니다."
    assert stored[0].link == "/matches/" and stored[0].read_at is None
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.to == company_user.email
    assert mail.subject == "새 관심 요청"
    assert "홍길동 님이 관심을 보냈습니다." in mail.body
    assert "http://localhost/matches/" in mail.body  # PUBLIC_BASE_URL outside requests
    assert "http://localhost/notifications/preferences" in mail.body


def test_notify_uses_public_base_url_setting(app, db, outbox, company_user, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://citymatch.example.kr/")
    notifications.notify(company_user, "match_approved", "승인", "본문", "/matches/3")
    unit_of_work.commit()
    assert "https://citymatch.example.kr/matches/3" in outbox[0].body


def test_email_preference_off_keeps_in_app_notification(app, db, outbox, company_user):
    notifications.set_email_preferences(company_user, {"match_request": False})
    unit_of_work.commit()

    notifications.notify(company_user, "match_request", "요청", "", None)
    notifications.notify(company_user, "match_accepted", "수락", "", None)
    unit_of_work.commit()

    assert [n.kind for n in _notifications_of(db, company_user)] == ["match_request",
                                                                     "match_accepted"]
    assert [mail.subject for mail in outbox] == ["수락"]
    assert notifications.email_enabled(company_user, "match_request") is False
    assert notifications.email_enabled(company_user, "match_accepted") is True


def test_set_email_preferences_refuses_unknown_kind(app, db, company_user):
    with pytest.raises(notifications.ServiceError):
        notifications.set_email_preferences(company_user, {"match_request": False, "spam": True})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EmailPreference)) == 0


def test_unknown_kind_is_a_programming_error(app, db, company_user):
    with pytest.raises(ValueError):
        notifications.notify(company_user, "no_such_kind", "제목")


def test_suspended_account_receives_nothing(app, db, outbox, company_user):
    company_user.account_status = AccountStatus.SUSPENDED
    unit_of_work.commit()

    assert notifications.notify(company_user, "match_request", "요청") is None
    unit_of_work.commit()

    assert _notifications_of(db, company_user) == []
    assert outbox == []


def test_organisation_recipients(app, db, outbox, company, company_user, official, admin_user):
    colleague = factories.make_user(role=Role.COMPANY, company=company)
    suspended = factories.make_user(role=Role.COMPANY, company=company)
    suspended.account_status = AccountStatus.SUSPENDED
    other_company_user = factories.make_user(role=Role.COMPANY, company=factories.make_company())
    pending_official = factories.make_user(role=Role.MUNICIPALITY,
                                           official_status=OfficialStatus.PENDING)
    elsewhere = factories.make_user(role=Role.MUNICIPALITY, municipality_name="부산광역시 중구")
    unit_of_work.commit()

    sent_company = notifications.notify_company(company, "consortium_update", "컨소시엄")
    sent_city = notifications.notify_municipality(official.municipality, "match_request", "요청")
    sent_admins = notifications.notify_admins("match_mutual", "검토 요청")
    unit_of_work.commit()

    assert {n.user_id for n in sent_company} == {company_user.id, colleague.id}
    assert {n.user_id for n in sent_city} == {official.id}
    assert {n.user_id for n in sent_admins} == {admin_user.id}
    for nobody in (suspended, other_company_user, pending_official, elsewhere):
        assert _notifications_of(db, nobody) == []
    assert sorted(mail.to for mail in outbox) == sorted(
        [company_user.email, colleague.email, official.email, admin_user.email])


def test_recipient_locale_is_used_for_title_body_and_email(app, db, outbox, company_user,
                                                           official):
    company_user.locale = "en"
    unit_of_work.commit()
    title = lazy_gettext("새 관심 요청")

    english = notifications.notify(company_user, "match_request", title, LocaleProbe())
    korean = notifications.notify(official, "match_request", title, LocaleProbe())
    unit_of_work.commit()

    with force_locale("en"):
        expected_en = gettext("새 관심 요청")
    with force_locale("ko"):
        expected_ko = gettext("새 관심 요청")
    assert english.title == expected_en and english.body == "en"
    assert korean.title == expected_ko == "새 관심 요청" and korean.body == "ko"
    assert {mail.to: mail.subject for mail in outbox} == {company_user.email: expected_en,
                                                          official.email: expected_ko}
    english_mail = next(mail for mail in outbox if mail.to == company_user.email)
    with force_locale("en"):
        assert gettext("CityMatch 알림입니다. 이메일 수신 설정: %(url)s", url="") in english_mail.body


def test_notify_inside_a_request_keeps_the_request_locale(app, db, outbox, company_user):
    company_user.locale = "en"
    unit_of_work.commit()

    with app.test_request_context("/matches/", base_url="https://citymatch.example.kr"):
        before = str(get_locale())
        notification = notifications.notify(company_user, "match_request",
                                            lazy_gettext("새 관심 요청"), LocaleProbe(), "/matches/")
        after = str(get_locale())
    unit_of_work.commit()

    assert before == after == "ko"
    assert notification.body == "en"
    assert "http://localhost/matches/" in outbox[0].body  # PUBLIC_BASE_URL, not the request's host
    assert "citymatch.example.kr" not in outbox[0].body


def test_mark_read_refuses_other_users_notification(app, db, company_user, official):
    notification = _add(db, official)
    with pytest.raises(notifications.PermissionDenied):
        notifications.mark_read(company_user, notification)


# --- the centre over HTTP ---------------------------------------------------------------------


def test_centre_requires_login(client, db):
    for method, url in (("get", "/notifications/"), ("get", "/notifications/1"),
                        ("post", "/notifications/read-all"), ("get", "/notifications/preferences"),
                        ("post", "/notifications/preferences")):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"], url


def test_list_newest_first_unread_highlighted_own_only(db, company_client, company_user,
                                                       official):
    _add(db, company_user, title="오래된 읽은 알림", read=True, minutes_ago=60)
    _add(db, company_user, title="최근 안 읽은 알림", minutes_ago=1)
    _add(db, official, title="남의 알림")

    response = company_client.get("/notifications/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("최근 안 읽은 알림") < html.index("오래된 읽은 알림")
    assert html.count('data-unread="true"') == 1
    assert "남의 알림" not in html
    assert "모두 읽음으로 표시" in html


def test_list_empty_state_and_pagination(app, db, company_client, company_user):
    assert "아직 받은 알림이 없습니다" in company_client.get("/notifications/").get_data(True)

    per_page = app.config["PAGE_SIZE"]
    for i in range(per_page + 1):
        _add(db, company_user, title=f"알림 번호 {i:02d}", minutes_ago=100 - i)

    first = company_client.get("/notifications/").get_data(as_text=True)
    second = company_client.get("/notifications/?page=2").get_data(as_text=True)
    assert f"알림 번호 {per_page:02d}" in first and "알림 번호 00" not in first
    assert "알림 번호 00" in second and f"알림 번호 {per_page:02d}" not in second
    assert company_client.get("/notifications/?page=abc").status_code == 200
    assert company_client.get("/notifications/?page=999").status_code == 200


def test_unread_count_in_navbar(db, client, company_client, company_user, official):
    _add(db, company_user)
    _add(db, company_user)
    _add(db, company_user, read=True)
    _add(db, official)

    html = company_client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count">2</span>' in html
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_open_marks_read_and_follows_safe_link(db, company_client, company_user):
    notification = _add(db, company_user, link="/matches/?tab=incoming")

    page = company_client.get(f"/notifications/{notification.id}")
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None  # reading writes nothing

    response = company_client.post(f"/notifications/{notification.id}/open")

    assert response.status_code == 302
    assert response.headers["Location"] == "/matches/?tab=incoming"
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is not None


@pytest.mark.parametrize("link", ["https://evil.example/phish", "//evil.example/x",
                                  "javascript:alert(1)", None])
def test_open_does_not_follow_unsafe_or_missing_link(db, company_client, company_user, link):
    notification = _add(db, company_user, title="외부 링크 알림", link=link)

    response = company_client.post(f"/notifications/{notification.id}/open",
                                   follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == f"/notifications/{notification.id}"
    assert "외부 링크 알림" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is not None


def test_open_other_users_notification_is_forbidden(db, company_client, official):
    notification = _add(db, official, link="/needs/")

    assert company_client.get(f"/notifications/{notification.id}").status_code == 403
    assert company_client.post(f"/notifications/{notification.id}/open").status_code == 403
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None


def test_open_missing_notification_is_404(db, company_client):
    assert company_client.get("/notifications/999999").status_code == 404


def test_mark_all_read_only_touches_own(db, company_client, company_user, official):
    mine = [_add(db, company_user), _add(db, company_user)]
    theirs = _add(db, official)

    response = company_client.post("/notifications/read-all", follow_redirects=True)

    assert response.status_code == 200
    assert "알림 2건을 읽음으로 표시했습니다." in response.get_data(as_text=True)
    assert notifications.unread_count(company_user) == 0
    db.session.expire_all()
    assert all(db.session.get(Notification, n.id).read_at for n in mine)
    assert db.session.get(Notification, theirs.id).read_at is None
    assert company_client.get("/notifications/read-all").status_code == 405


def test_preferences_page_saves_choices(db, outbox, official_client, official):
    page = official_client.get("/notifications/preferences")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for label in KINDS.values():
        assert str(label) in html
    assert html.count('checked') == len(KINDS)

    kept = {kind: "y" for kind in KINDS if kind not in {"strong_match", "match_reminder"}}
    response = official_client.post("/notifications/preferences", data=kept)

    assert response.status_code == 302
    db.session.expire_all()
    assert notifications.email_preferences(official) == {
        kind: kind not in {"strong_match", "match_reminder"} for kind in KINDS}
    assert official_client.get("/notifications/preferences").get_data(True).count(
        'checked') == len(KINDS) - 2

    notifications.notify(official, "strong_match", "유력 매칭")
    unit_of_work.commit()
    assert outbox == [] and len(_notifications_of(db, official)) == 1


def test_preferences_need_csrf_token(csrf_app):
    from app.extensions import db as csrf_db
    from app.services.reference_data import load_municipalities

    with csrf_app.app_context():
        csrf_db.create_all()
        load_municipalities()
        user = factories.make_user(role=Role.MUNICIPALITY)
        csrf_db.session.commit()
        email = user.email
    client = csrf_app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD,
                                            "csrf_token": token}).status_code == 302

    assert client.post("/notifications/read-all").status_code == 400
    assert client.post("/notifications/preferences", data={"strong_match": "y"}).status_code == 400


# --- new strong matches (CLI job) -------------------------------------------------------------


@pytest.fixture()
def strong_threshold(app, monkeypatch):
    """A threshold the test data's DRT need/solution pair clears."""
    monkeypatch.setitem(app.config, "STRONG_MATCH_SCORE", 0.3)


def _strong_notifications(db, user) -> list[Notification]:
    return [n for n in _notifications_of(db, user) if n.kind == "strong_match"]


def test_cli_notifies_company_of_new_strong_need_once(app, db, runner, outbox, strong_threshold,
                                                      company, company_user, official):
    solution = factories.make_solution(company)
    unit_of_work.commit()
    first = runner.invoke(args=["notify-matches"])
    assert first.exit_code == 0, first.output
    assert _strong_notifications(db, company_user) == []  # no need yet

    need = factories.make_need(official)
    unit_of_work.commit()
    second = runner.invoke(args=["notify-matches"])

    assert second.exit_code == 0, second.output
    assert "1 new strong matches" in second.output
    sent = _strong_notifications(db, company_user)
    assert len(sent) == 1
    assert sent[0].link == f"/needs/{need.id}?solution={solution.id}"
    assert need.title in sent[0].body and solution.title in sent[0].body
    assert _strong_notifications(db, official) == []  # the side that acted is not told
    mail = next(mail for mail in outbox if mail.to == company_user.email)
    assert f"http://localhost/needs/{need.id}?solution={solution.id}" in mail.body

    need.title = need.title + " (수정)"
    solution.summary = "요약을 고쳤습니다"
    unit_of_work.commit()
    for args in (["notify-matches"], ["notify-matches", "--since", "0"]):
        again = runner.invoke(args=args)
        assert again.exit_code == 0, again.output
        assert "0 new strong matches" in again.output
    assert len(_strong_notifications(db, company_user)) == 1
    assert _strong_notifications(db, official) == []


def test_cli_notifies_municipality_of_new_strong_solution(app, db, runner, strong_threshold,
                                                          official, company):
    need = factories.make_need(official)
    unit_of_work.commit()
    runner.invoke(args=["notify-matches"])
    newcomer = factories.make_company(size_class=SizeClass.SME,
                                      membership=MembershipStatus.APPROVED)
    factories.make_user(role=Role.COMPANY, company=newcomer)
    solution = factories.make_solution(newcomer)
    unit_of_work.commit()

    result = runner.invoke(args=["notify-matches"])

    assert result.exit_code == 0, result.output
    sent = _strong_notifications(db, official)
    assert [n.link for n in sent] == [f"/solutions/{solution.id}?need={need.id}"]
    assert newcomer.name in sent[0].body


def test_cli_skips_pairs_already_in_a_match(app, db, runner, strong_threshold, company,
                                            company_user, official):
    solution = factories.make_solution(company)
    need = factories.make_need(official)
    db.session.add(Match(need=need, solution=solution, initiator_side=Side.MUNICIPALITY,
                         requested_by_id=official.id, expires_at=utcnow() + timedelta(days=14)))
    unit_of_work.commit()

    result = runner.invoke(args=["notify-matches", "--since", "0"])

    assert result.exit_code == 0, result.output
    assert _strong_notifications(db, company_user) == []


def test_cli_skips_matches_below_threshold(app, db, runner, monkeypatch, company, company_user,
                                           official):
    monkeypatch.setitem(app.config, "STRONG_MATCH_SCORE", 0.99)
    factories.make_solution(company)
    factories.make_need(official)
    unit_of_work.commit()

    result = runner.invoke(args=["notify-matches", "--since", "0"])

    assert result.exit_code == 0, result.output
    assert _strong_notifications(db, company_user) == []
    assert _strong_notifications(db, official) == []


def test_cli_rejects_bad_since(runner):
    result = runner.invoke(args=["notify-matches", "--since", "abc"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
