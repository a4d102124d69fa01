"""No GET request writes: every GET route, for every kind of visitor, leaves the data as it was."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db as _db
from app.models import (
    CompanyInvitation,
    MembershipStatus,
    Notification,
    OfficialStatus,
    Role,
    SizeClass,
)
from app.models.base import utcnow
from app.services import companies, unit_of_work, workflow
from tests import factories
from tests.db_writes import recording_writes


@pytest.fixture()
def marketplace(app, db):
    """Demo-like data: firms, listings, requests in every state (some overdue), a consortium."""
    startup = factories.make_company(size_class=SizeClass.STARTUP)
    large = factories.make_company(size_class=SizeClass.LARGE)
    applicant = factories.make_company(membership=MembershipStatus.PENDING)
    startup_user = factories.make_user(role=Role.COMPANY, company=startup)
    large_user = factories.make_user(role=Role.COMPANY, company=large)
    factories.make_user(role=Role.COMPANY, company=applicant)
    loner = factories.make_user(role=Role.COMPANY)
    official = factories.make_user(role=Role.MUNICIPALITY)
    pending_official = factories.make_user(role=Role.MUNICIPALITY,
                                           official_status=OfficialStatus.PENDING)
    admin = factories.make_user(role=Role.ADMIN)
    solutions = [factories.make_solution(startup, title=f"DRT 배차 플랫폼 {n}") for n in range(3)]
    lead_solution = factories.make_solution(large, title="통합 교통 관제 플랫폼")
    factories.make_reference(solutions[0])
    needs = [factories.make_need(official, title=f"읍면 수요응답형 교통 {n}") for n in range(4)]
    unit_of_work.commit()

    pending = workflow.express_interest(official, needs[0], solutions[0], "관심 있습니다.")
    mutual = workflow.express_interest(startup_user, needs[1], solutions[1], "제안합니다.")
    workflow.accept(official, mutual)
    overdue = workflow.express_interest(official, needs[2], solutions[2], "기한이 지날 요청")
    overdue.expires_at = utcnow() - timedelta(hours=2)
    proposal = workflow.propose_consortium(large_user, needs[3], lead_solution, [solutions[0]],
                                           None, "함께 제안합니다.")
    proposal.expires_at = utcnow() - timedelta(hours=1)
    with app.test_request_context():  # the invitation e-mail links to the site
        companies.invite_colleague(startup_user, "new.colleague@example.kr")
    unit_of_work.commit()
    return {
        "users": {"startup": startup_user, "large firm": large_user, "no company": loner,
                  "official": official, "unverified official": pending_official, "admin": admin},
        "ids": {"company_id": startup.id, "solution_id": solutions[0].id,
                "need_id": needs[0].id, "match_id": overdue.id, "proposal_id": proposal.id,
                "user_id": official.id, "municipality_id": official.municipality_id},
        "others": {"match_id": [pending.id, mutual.id]},
        "invitation_token": _db.session.query(CompanyInvitation.token).scalar(),
        "official": official,
    }


def _urls(app, data) -> list[str]:
    """One URL per GET route (with query strings for the pages that need them)."""
    ids = dict(data["ids"])
    values = {**ids, "token": data["invitation_token"], "job_id": "missing", "key": "matches",
              "filename": "css/app.css"}
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            arguments = {name: values.get(name, 1) for name in rule.arguments}
            if "notification_id" in arguments:
                note = _db.session.query(Notification.id).order_by(Notification.id).first()
                arguments["notification_id"] = note[0]
            urls.append(url_for(rule.endpoint, **arguments))
        urls += [f"/matches/{match_id}" for match_id in data["others"]["match_id"]]
        urls += [f"/matches/new?solution_id={ids['solution_id']}&need_id={ids['need_id']}",
                 f"/matches/new?need_id={ids['need_id']}",
                 f"/matches/consortia/new?need_id={ids['need_id']}",
                 "/matches/history?status=expired", "/matches/history?status=pending",
                 f"/needs/{ids['need_id']}?solution={ids['solution_id']}",
                 f"/solutions/{ids['solution_id']}?need={ids['need_id']}",
                 "/solutions?q=DRT", "/needs?q=교통"]
    return sorted(set(urls))


@pytest.fixture()
def write_log(app, db):
    """INSERT/UPDATE/DELETE statements sent to the database while `write_log.recording`."""
    with recording_writes(_db.engine) as log:
        yield log


def _visit_all(client, urls, log) -> dict[str, list[str]]:
    writes: dict[str, list[str]] = {}
    for url in urls:
        log.clear()
        log.recording = True
        try:
            response = client.get(url)
        finally:
            log.recording = False
        # 503 is an answer (/readyz: this test database is not migrated by Alembic), 500 a crash
        assert response.status_code != 500, f"GET {url} failed"
        if log:
            writes[url] = list(log)
    return writes


def test_no_get_route_writes_for_any_visitor(app, marketplace, write_log, login):
    urls = _urls(app, marketplace)
    assert len(urls) > 50
    visitors = {"anonymous": app.test_client()}
    visitors.update({name: login(user) for name, user in marketplace["users"].items()})
    for name, client in visitors.items():
        writes = _visit_all(client, urls, write_log)
        assert writes == {}, f"{name}: GET requests wrote to the database: {writes}"

    # the overdue request and proposal were shown as expired, and are still pending in the database
    _db.session.expire_all()
    overdue = _db.session.get(workflow.Match, marketplace["ids"]["match_id"])
    assert overdue.status == workflow.MatchStatus.PENDING
    assert workflow.shown_status(overdue) == workflow.MatchStatus.EXPIRED


def test_the_recorder_sees_writes(app, marketplace, write_log, login):
    """The listener is live: a POST that changes something is recorded."""
    client = login(marketplace["official"])
    write_log.recording = True
    try:
        response = client.post("/notifications/read-all")
    finally:
        write_log.recording = False
    assert response.status_code == 302
    assert any(statement.upper().startswith("UPDATE") for statement in write_log)
