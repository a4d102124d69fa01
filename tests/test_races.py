"""Concurrent clicks on match and consortium transitions: exactly one request wins.

Each race releases two threads together with a barrier, five times, each thread in its own app
context and database session (as two requests would be). Run against PostgreSQL (the session
app when TEST_DATABASE_URL points there, else skipped) and against a SQLite file database.
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError

from app import create_app
from app.config import TestingConfig
from app.extensions import db as _db
from app.models import (
    AuditLog,
    Base,
    Category,
    ConsortiumProposal,
    ConsortiumStatus,
    EmailStatus,
    Match,
    MatchStatus,
    Notification,
    OutgoingEmail,
    Role,
    SizeClass,
    User,
)
from app.models.base import utcnow
from app.services import mail, unit_of_work, workflow
from app.services.errors import ServiceError
from app.services.mail import outbox
from app.services.reference_data import load_municipalities
from tests import factories
from tests.conftest import IsolatedClient, REFERENCE_TABLES, TEST_CATEGORIES

ROUNDS = 5


class Lost(Exception):
    """The action found nothing left to do (another request won)."""


# --- the two databases -------------------------------------------------------------------------


def _sqlite_file_app(path):
    class SqliteFileConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        # SQLite has one writer at a time: the second waits for the first instead of failing.
        SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}

    application = create_app(SqliteFileConfig)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.create_all()
        load_municipalities()
        for order, (code, ko, en) in enumerate(TEST_CATEGORIES):
            _db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
        _db.session.commit()
    return application


@pytest.fixture(params=["postgresql", "sqlite-file"])
def race_app(request, tmp_path):
    """An app whose database really runs two transactions at once, inside its app context."""
    if request.param == "postgresql":
        if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
            pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
        application = request.getfixturevalue("app")
        request.getfixturevalue("db")  # empties the tables afterwards
        yield application
        return
    application = _sqlite_file_app(tmp_path / "races.sqlite3")
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


def _reset(app) -> None:
    """Empty everything but reference data between rounds."""
    _db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            _db.session.execute(delete(table))
    _db.session.commit()
    outbox().clear()


# --- running two requests at once --------------------------------------------------------------


@dataclass
class Contender:
    """One side of a race: what it loads before the start, and what it does after it."""

    name: str
    prepare: Callable[[], Callable[[], object]]


def _race(app, first: Contender, second: Contender) -> dict[str, str]:
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, str] = {}

    def run(contender: Contender) -> None:
        with app.app_context():
            try:
                act = contender.prepare()
                barrier.wait()
                act()
                unit_of_work.commit()
                results[contender.name] = "won"
            except (ServiceError, StaleDataError, Lost):
                _db.session.rollback()
                results[contender.name] = "lost"
            except Exception as error:  # anything else is a bug the test must show
                _db.session.rollback()
                results[contender.name] = f"error: {type(error).__name__}: {error}"
                barrier.abort()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not thread.is_alive() for thread in threads), "a request hung"
    return results


def _winner(results: dict[str, str]) -> str:
    assert sorted(results.values()) == ["lost", "won"], results
    return next(name for name, outcome in results.items() if outcome == "won")


def _new_notifications() -> list[Notification]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Notification).order_by(Notification.id)))


def _assert_one_set_of_notifications(before: int, kinds: set[str]) -> None:
    """Only the winner's notifications, each recipient told once, each by exactly one e-mail."""
    created = _new_notifications()[before:]
    assert created, "the winner notified no one"
    assert {n.kind for n in created} <= kinds, [n.kind for n in created]
    pairs = Counter((n.user_id, n.kind) for n in created)
    assert max(pairs.values()) == 1, pairs
    mails = outbox()
    assert len(mails) == len(created), (len(mails), len(created))
    assert max(Counter((m.to, m.subject) for m in mails).values()) == 1


def _load(model, object_id):
    return _db.session.get(model, object_id)


# --- match data --------------------------------------------------------------------------------


@dataclass
class Cast:
    """Ids of the people and objects of one round."""

    official: int
    official_two: int
    staff: int
    staff_two: int
    admin: int
    admin_two: int
    need: int
    solution: int


def _cast() -> Cast:
    company = factories.make_company(size_class=SizeClass.STARTUP)
    staff = factories.make_user(role=Role.COMPANY, company=company)
    staff_two = factories.make_user(role=Role.COMPANY, company=company)
    official = factories.make_user(role=Role.MUNICIPALITY)
    official_two = factories.make_user(role=Role.MUNICIPALITY)
    admin = factories.make_user(role=Role.ADMIN)
    admin_two = factories.make_user(role=Role.ADMIN)
    need = factories.make_need(official)
    solution = factories.make_solution(company)
    unit_of_work.commit()
    outbox().clear()
    return Cast(official.id, official_two.id, staff.id, staff_two.id, admin.id, admin_two.id,
                need.id, solution.id)


def _pending_match(cast: Cast) -> int:
    match = workflow.express_interest(_load(User, cast.official), _load(workflow.Need, cast.need),
                                      _load(workflow.Solution, cast.solution), "관심 있습니다.")
    unit_of_work.commit()
    outbox().clear()
    return match.id


def _mutual_match(cast: Cast) -> int:
    match_id = _pending_match(cast)
    workflow.accept(_load(User, cast.staff), _load(Match, match_id))
    unit_of_work.commit()
    outbox().clear()
    return match_id


def _acting(user_id: int, match_id: int, action: Callable) -> Callable[[], Callable[[], object]]:
    def prepare():
        user, match = _load(User, user_id), _load(Match, match_id)
        match.need.municipality, match.solution.company  # everything a view would have loaded
        return lambda: action(user, match)
    return prepare


MATCH_RACES = {
    "approve vs reject": (
        _mutual_match,
        lambda c, m: Contender("approve", _acting(c.admin, m, workflow.approve)),
        lambda c, m: Contender("reject", _acting(
            c.admin_two, m, lambda user, match: workflow.reject(user, match, "중복 요청"))),
        {"approve": MatchStatus.APPROVED, "reject": MatchStatus.REJECTED},
        {"approve": {"match_approved"}, "reject": {"match_rejected"}},
    ),
    "double approve": (
        _mutual_match,
        lambda c, m: Contender("first", _acting(c.admin, m, workflow.approve)),
        lambda c, m: Contender("second", _acting(c.admin_two, m, workflow.approve)),
        {"first": MatchStatus.APPROVED, "second": MatchStatus.APPROVED},
        {"first": {"match_approved"}, "second": {"match_approved"}},
    ),
    "accept vs withdraw": (
        _pending_match,
        lambda c, m: Contender("accept", _acting(c.staff, m, workflow.accept)),
        lambda c, m: Contender("withdraw", _acting(c.official, m, workflow.withdraw)),
        {"accept": MatchStatus.MUTUAL, "withdraw": MatchStatus.WITHDRAWN},
        {"accept": {"match_accepted", "match_mutual"}, "withdraw": {"match_withdrawn"}},
    ),
    "double accept": (
        _pending_match,
        lambda c, m: Contender("first", _acting(c.staff, m, workflow.accept)),
        lambda c, m: Contender("second", _acting(c.staff_two, m, workflow.accept)),
        {"first": MatchStatus.MUTUAL, "second": MatchStatus.MUTUAL},
        {"first": {"match_accepted", "match_mutual"},
         "second": {"match_accepted", "match_mutual"}},
    ),
    "accept vs expiry": (
        _pending_match,
        lambda c, m: Contender("accept", _acting(c.staff, m, workflow.accept)),
        lambda c, m: Contender("expiry", _expiring(m)),
        {"accept": MatchStatus.MUTUAL, "expiry": MatchStatus.EXPIRED},
        {"accept": {"match_accepted", "match_mutual"}, "expiry": {"match_expired"}},
    ),
}


def _expiring(match_id: int):
    """The scheduled job, run as if a second after the deadline of the match."""
    def prepare():
        deadline = workflow._aware(_load(Match, match_id).expires_at)
        _db.session.commit()

        def run():
            if workflow.expire_overdue(deadline + timedelta(seconds=1)).matches != 1:
                raise Lost()
        return run
    return prepare


@pytest.mark.parametrize("race", sorted(MATCH_RACES))
def test_match_race_has_exactly_one_winner(race_app, race):
    setup, first, second, final_status, kinds = MATCH_RACES[race]
    for _ in range(ROUNDS):
        _reset(race_app)
        cast = _cast()
        match_id = setup(cast)
        notified_before = len(_new_notifications())
        audited_before = _db.session.query(AuditLog).count()

        winner = _winner(_race(race_app, first(cast, match_id), second(cast, match_id)))

        match = _load(Match, match_id)
        assert match.status == final_status[winner]
        assert _db.session.query(Match).count() == 1
        _assert_one_set_of_notifications(notified_before, kinds[winner])
        reviews = _db.session.query(AuditLog).count() - audited_before
        assert reviews == (1 if final_status[winner] in (MatchStatus.APPROVED,
                                                          MatchStatus.REJECTED) else 0)


def test_double_interest_creates_one_match(race_app):
    for _ in range(ROUNDS):
        _reset(race_app)
        cast = _cast()

        def interest(official_id):
            def prepare():
                official = _load(User, official_id)
                need, solution = _load(workflow.Need, cast.need), _load(workflow.Solution,
                                                                         cast.solution)
                solution.company
                return lambda: workflow.express_interest(official, need, solution, "관심")
            return prepare

        _winner(_race(race_app, Contender("first", interest(cast.official)),
                      Contender("second", interest(cast.official_two))))
        assert _db.session.query(Match).count() == 1
        _assert_one_set_of_notifications(0, {"match_request"})


# --- consortium data ---------------------------------------------------------------------------


@dataclass
class ConsortiumCast:
    """Ids of one round's consortium: lead firm staff, a partner's two staff, officials, admins."""

    lead: int
    partner: int
    partner_two: int
    official: int
    official_two: int
    admin: int
    admin_two: int
    proposal: int


def _consortium(stage: str) -> ConsortiumCast:
    large = factories.make_company(size_class=SizeClass.LARGE)
    startup = factories.make_company(size_class=SizeClass.STARTUP)
    lead = factories.make_user(role=Role.COMPANY, company=large)
    partner = factories.make_user(role=Role.COMPANY, company=startup)
    partner_two = factories.make_user(role=Role.COMPANY, company=startup)
    official = factories.make_user(role=Role.MUNICIPALITY)
    official_two = factories.make_user(role=Role.MUNICIPALITY)
    admin = factories.make_user(role=Role.ADMIN)
    admin_two = factories.make_user(role=Role.ADMIN)
    need = factories.make_need(official)
    lead_solution = factories.make_solution(large, title="통합 교통 관제")
    partner_solution = factories.make_solution(startup, title="DRT 호출 앱")
    unit_of_work.commit()
    proposal = workflow.propose_consortium(lead, need, lead_solution, [partner_solution], None,
                                           "함께 제안합니다.")
    unit_of_work.commit()
    if stage in ("submitted", "mutual"):
        workflow.respond_to_consortium(partner, proposal.members[1], True)
        unit_of_work.commit()
    if stage == "mutual":
        workflow.answer_consortium(official, proposal, True)
        unit_of_work.commit()
    outbox().clear()
    return ConsortiumCast(lead.id, partner.id, partner_two.id, official.id, official_two.id,
                          admin.id, admin_two.id, proposal.id)


def _on_proposal(user_id: int, proposal_id: int, action: Callable):
    def prepare():
        user, proposal = _load(User, user_id), _load(ConsortiumProposal, proposal_id)
        [member.company for member in proposal.members]
        proposal.need.municipality
        return lambda: action(user, proposal)
    return prepare


def _confirm(user: User, proposal: ConsortiumProposal):
    member = next(m for m in proposal.members if m.company_id == user.company_id)
    return workflow.respond_to_consortium(user, member, True)


CONSORTIUM_RACES = {
    "double confirm": (
        "awaiting_partners",
        lambda c: Contender("first", _on_proposal(c.partner, c.proposal, _confirm)),
        lambda c: Contender("second", _on_proposal(c.partner_two, c.proposal, _confirm)),
        {"first": ConsortiumStatus.SUBMITTED, "second": ConsortiumStatus.SUBMITTED},
        {"first": {"consortium_update", "match_request"},
         "second": {"consortium_update", "match_request"}},
    ),
    "accept vs withdraw": (
        "submitted",
        lambda c: Contender("accept", _on_proposal(
            c.official, c.proposal, lambda u, p: workflow.answer_consortium(u, p, True))),
        lambda c: Contender("withdraw", _on_proposal(c.lead, c.proposal,
                                                     workflow.withdraw_consortium)),
        {"accept": ConsortiumStatus.MUTUAL, "withdraw": ConsortiumStatus.WITHDRAWN},
        {"accept": {"match_accepted", "match_mutual"}, "withdraw": {"match_withdrawn"}},
    ),
    "double accept": (
        "submitted",
        lambda c: Contender("first", _on_proposal(
            c.official, c.proposal, lambda u, p: workflow.answer_consortium(u, p, True))),
        lambda c: Contender("second", _on_proposal(
            c.official_two, c.proposal, lambda u, p: workflow.answer_consortium(u, p, True))),
        {"first": ConsortiumStatus.MUTUAL, "second": ConsortiumStatus.MUTUAL},
        {"first": {"match_accepted", "match_mutual"}, "second": {"match_accepted", "match_mutual"}},
    ),
    "approve vs reject": (
        "mutual",
        lambda c: Contender("approve", _on_proposal(c.admin, c.proposal, workflow.approve)),
        lambda c: Contender("reject", _on_proposal(
            c.admin_two, c.proposal, lambda u, p: workflow.reject(u, p, "중복"))),
        {"approve": ConsortiumStatus.APPROVED, "reject": ConsortiumStatus.REJECTED},
        {"approve": {"match_approved"}, "reject": {"match_rejected"}},
    ),
}


@pytest.mark.parametrize("race", sorted(CONSORTIUM_RACES))
def test_consortium_race_has_exactly_one_winner(race_app, race):
    stage, first, second, final_status, kinds = CONSORTIUM_RACES[race]
    for _ in range(ROUNDS):
        _reset(race_app)
        cast = _consortium(stage)
        notified_before = len(_new_notifications())
        audited_before = _db.session.query(AuditLog).count()

        winner = _winner(_race(race_app, first(cast), second(cast)))

        proposal = _load(ConsortiumProposal, cast.proposal)
        assert proposal.status == final_status[winner]
        assert _db.session.query(ConsortiumProposal).count() == 1
        _assert_one_set_of_notifications(notified_before, kinds[winner])
        reviews = _db.session.query(AuditLog).count() - audited_before
        assert reviews == (1 if final_status[winner] in (ConsortiumStatus.APPROVED,
                                                          ConsortiumStatus.REJECTED) else 0)


# --- e-mail delivery ---------------------------------------------------------------------------


def test_two_deliverers_send_a_message_once(race_app):
    for _ in range(ROUNDS):
        _reset(race_app)
        email = OutgoingEmail(to_address="someone@example.kr", subject="제목", body="본문",
                              status=EmailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        _db.session.add(email)
        _db.session.commit()  # queued; its delivery is left to the two deliverers below
        email_id = email.id

        def deliverer():
            def run():
                if mail.deliver([email_id]).sent != 1:
                    raise Lost()
            return run

        _winner(_race(race_app, Contender("first", deliverer), Contender("second", deliverer)))
        assert [m.to for m in outbox()] == ["someone@example.kr"]


def test_double_proposal_creates_one_consortium(race_app):
    for _ in range(ROUNDS):
        _reset(race_app)
        large = factories.make_company(size_class=SizeClass.LARGE)
        startup = factories.make_company(size_class=SizeClass.STARTUP)
        leads = [factories.make_user(role=Role.COMPANY, company=large) for _ in range(2)]
        factories.make_user(role=Role.COMPANY, company=startup)
        need = factories.make_need(factories.make_user(role=Role.MUNICIPALITY))
        lead_solution = factories.make_solution(large, title="통합 교통 관제")
        partner_solution = factories.make_solution(startup, title="DRT 호출 앱")
        unit_of_work.commit()
        ids = ([lead.id for lead in leads], need.id, lead_solution.id, partner_solution.id)
        outbox().clear()

        def proposing(lead_id):
            def prepare():
                user, need_row = _load(User, lead_id), _load(workflow.Need, ids[1])
                lead_row = _load(workflow.Solution, ids[2])
                partner_row = _load(workflow.Solution, ids[3])
                lead_row.company, partner_row.company, need_row.municipality
                return lambda: workflow.propose_consortium(user, need_row, lead_row,
                                                           [partner_row], None, "함께 제안합니다.")
            return prepare

        _winner(_race(race_app, Contender("first", proposing(ids[0][0])),
                      Contender("second", proposing(ids[0][1]))))
        assert _db.session.query(ConsortiumProposal).count() == 1
        _assert_one_set_of_notifications(0, {"consortium_invitation"})


def test_two_expiry_runs_expire_and_notify_once(race_app):
    for _ in range(ROUNDS):
        _reset(race_app)
        cast = _cast()
        match_id = _pending_match(cast)
        later = workflow._aware(_load(Match, match_id).expires_at) + timedelta(minutes=1)
        notified_before = len(_new_notifications())
        _db.session.commit()

        def expiring():
            def run():
                if workflow.expire_overdue(later).matches != 1:
                    raise Lost()
            return run

        _winner(_race(race_app, Contender("first", expiring), Contender("second", expiring)))
        assert _load(Match, match_id).status == MatchStatus.EXPIRED
        _assert_one_set_of_notifications(notified_before, {"match_expired"})


# --- through HTTP: the loser is told why ---------------------------------------------------------


def test_admins_clicking_approve_and_reject_together_get_one_decision(race_app):
    for _ in range(ROUNDS):
        _reset(race_app)
        cast = _cast()
        match_id = _mutual_match(cast)
        clients = []
        for admin_id in (cast.admin, cast.admin_two):
            client = race_app.test_client()
            email = _load(User, admin_id).email
            assert client.post("/auth/login", data={"email": email,
                                                    "password": factories.PASSWORD}
                               ).status_code == 302
            clients.append(client)
        barrier = threading.Barrier(2, timeout=30)
        pages: dict[str, str] = {}

        def click(name, client, path, data):
            barrier.wait()
            response = client.post(path, data=data, follow_redirects=True)
            pages[name] = response.get_data(as_text=True)

        threads = [
            threading.Thread(target=click, args=("approve", clients[0],
                                                 f"/matches/{match_id}/approve", {})),
            threading.Thread(target=click, args=("reject", clients[1],
                                                 f"/matches/{match_id}/reject",
                                                 {"reason": "중복 요청"})),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        final = _load(Match, match_id).status
        assert final in (MatchStatus.APPROVED, MatchStatus.REJECTED)
        winner, loser = (("approve", "reject") if final == MatchStatus.APPROVED
                         else ("reject", "approve"))
        assert ("승인했습니다." if winner == "approve" else "반려했습니다.") in pages[winner]
        told = ("현재 상태(" in pages[loser] or "다른 사용자가 먼저 수정했습니다" in pages[loser])
        assert told, "the losing admin was not told why"
        assert _db.session.query(AuditLog).filter(AuditLog.target_id == match_id).count() == 1


def test_two_admins_starting_a_rematch_together_queue_one_job(race_app, monkeypatch):
    """The unique partial index lets one unfinished rematch job exist; the other gets that one."""
    from app.models import Job
    from app.services import jobs

    monkeypatch.setattr(jobs, "enqueue", lambda job_id: None)
    for _round in range(ROUNDS):
        _reset(race_app)
        admin_ids = (factories.make_user(role=Role.ADMIN).id,
                     factories.make_user(role=Role.ADMIN).id)
        unit_of_work.commit()
        outcomes: dict[str, tuple[str, bool]] = {}

        def admin_starts(name: str, admin_id: int) -> Contender:
            def prepare():
                admin = _load(User, admin_id)
                # Both have already looked: neither sees a job, as with the old view-level check.
                assert jobs.running(jobs.REMATCH) is None

                def act():
                    job, created = jobs.start_single(jobs.REMATCH, "rematch", started_by=admin)
                    outcomes[name] = (job.id, created)
                return act
            return Contender(name, prepare)

        results = _race(race_app, admin_starts("first", admin_ids[0]),
                        admin_starts("second", admin_ids[1]))
        assert set(results.values()) == {"won"}, results
        _db.session.expire_all()
        unfinished = _db.session.scalars(
            select(Job).where(Job.kind == jobs.REMATCH, Job.status.in_(("queued", "running")))).all()
        assert len(unfinished) == 1
        assert sorted(created for _id, created in outcomes.values()) == [False, True]
        assert {job_id for job_id, _created in outcomes.values()} == {unfinished[0].id}
