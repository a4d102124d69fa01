"""Durable jobs: state in the database, enqueue after commit, the tasks, the schedule, the reaper."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app import create_app, tasks
from app.config import TestingConfig
from app.extensions import db as _db
from app.models import (
    Category,
    Job,
    LogCursor,
    Match,
    MatchingChange,
    MatchStatus,
    Notification,
    Recommendation,
    Role,
    Side,
)
from app.models.base import utcnow
from app.services import change_log, jobs, unit_of_work
from app.services.reference_data import load_municipalities
from tests import factories
from tests.conftest import TEST_CATEGORIES, IsolatedClient

BASE = "/admin/dashboard"


def _job_row(**values) -> Job:
    defaults = dict(id=uuid.uuid4().hex, kind=jobs.REMATCH, label="추천 다시 계산",
                    status=Job.QUEUED, payload={}, result={}, message="", heartbeat=utcnow())
    job = Job(**{**defaults, **values})
    _db.session.add(job)
    return job


def _fresh(job_id: str) -> Job:
    _db.session.expire_all()
    return _db.session.get(Job, job_id)


@pytest.fixture()
def enqueued(monkeypatch):
    """Job ids handed to the queue (recorded instead of run), with whether the row was committed."""
    calls: list[str] = []
    monkeypatch.setattr(jobs, "enqueue", calls.append)
    return calls


# --- enqueue only after commit ----------------------------------------------------------------


def test_job_is_enqueued_only_after_its_transaction_commits(app, db, enqueued):
    with app.test_request_context():
        job = jobs.start(jobs.REMATCH, "추천 다시 계산")
        job_id = job.id
        _db.session.flush()
        assert enqueued == []
        unit_of_work.commit()
    assert enqueued == [job_id]
    assert _fresh(job_id).status == Job.QUEUED


def test_rolled_back_transaction_enqueues_nothing_and_leaves_no_job(app, db, enqueued):
    with app.test_request_context():
        job_id = jobs.start(jobs.REMATCH, "추천 다시 계산").id
        _db.session.rollback()
        unit_of_work.run_released()
    assert enqueued == []
    assert _db.session.get(Job, job_id) is None


def test_rematch_request_that_fails_before_commit_enqueues_nothing(app, db, admin_client,
                                                                  enqueued, monkeypatch):
    real_start = jobs.start

    def start_then_fail(*args, **kwargs):
        real_start(*args, **kwargs)
        raise RuntimeError("요청 중 실패")

    monkeypatch.setattr(jobs, "start", start_then_fail)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = admin_client.post(BASE + "/rematch")
    assert response.status_code == 500
    assert enqueued == []
    assert _db.session.scalar(select(func.count()).select_from(Job)) == 0


# --- the job page reads the database -----------------------------------------------------------


def test_job_page_shows_a_job_started_by_another_app_instance(tmp_path):
    database = tmp_path / "shared.sqlite3"

    class SharedConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    first, second = create_app(SharedConfig), create_app(SharedConfig)
    for instance in (first, second):
        instance.test_client_class = IsolatedClient
    with first.app_context():
        _db.create_all()
        load_municipalities()
        for order, (code, ko, en) in enumerate(TEST_CATEGORIES):
            _db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
        admin = factories.make_user(role=Role.ADMIN)
        company = factories.make_company()
        factories.make_solution(company)
        factories.make_need(factories.make_user(role=Role.MUNICIPALITY))
        running = _job_row(status=Job.RUNNING, done=2, total=4, attempts=1)
        _db.session.commit()
        running_id, admin_email = running.id, admin.email
        login = {"email": admin_email, "password": factories.PASSWORD}
        client_of_first = first.test_client()
        assert client_of_first.post("/auth/login", data=login).status_code == 302
        started = client_of_first.post(BASE + "/rematch")
        # A job is already running: the first app sends the admin to it instead of a second one.
        assert started.location.endswith(f"/jobs/{running_id}")
        earlier = _db.session.get(Job, running_id)
        earlier.status, earlier.result = Job.DONE, {"needs": 1, "recommendations": 1,
                                                    "low_confidence": 0}
        _db.session.commit()
        rematch_location = client_of_first.post(BASE + "/rematch").location
        _db.session.remove()
    try:
        with second.app_context():
            client_of_second = second.test_client()
            assert client_of_second.post("/auth/login", data=login).status_code == 302
            page = client_of_second.get(f"{BASE}/jobs/{running_id}").get_data(as_text=True)
            assert 'value="100"' in page
            done = client_of_second.get(rematch_location + "/status.json").get_json()
            assert done["status"] == "done" and done["result"]["needs"] == 1
            assert done["label"] == "추천 다시 계산"
            _db.session.get(Job, running_id).status = Job.RUNNING
            _db.session.commit()
            page = client_of_second.get(f"{BASE}/jobs/{running_id}").get_data(as_text=True)
            assert 'http-equiv="refresh"' in page and 'value="50"' in page
            assert "2 / 4" in page
            _db.session.remove()
    finally:
        for instance in (first, second):
            with instance.app_context():
                _db.engine.dispose()


def test_job_page_shows_a_job_of_another_app_instance_on_postgresql(app, db, admin_user,
                                                                     admin_client):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL")
    running = _job_row(status=Job.RUNNING, done=1, total=4, attempts=1)
    db.session.commit()
    other = create_app(TestingConfig)
    other.test_client_class = IsolatedClient
    try:
        client = other.test_client()
        login = {"email": admin_user.email, "password": factories.PASSWORD}
        assert client.post("/auth/login", data=login).status_code == 302
        status = client.get(f"{BASE}/jobs/{running.id}/status.json").get_json()
        assert (status["status"], status["percent"]) == ("running", 25)
        started = admin_client.post(BASE + "/rematch")  # the first instance sees it too
        assert started.location.endswith(f"/jobs/{running.id}")
    finally:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_job_page_names_the_job_in_the_readers_language(db, admin_client):
    job = _job_row(status=Job.DONE, total=3, done=3,
                   result={"needs": 3, "recommendations": 7, "low_confidence": 1})
    db.session.commit()
    english = {"Accept-Language": "en-US,en;q=0.9"}
    status = admin_client.get(f"{BASE}/jobs/{job.id}/status.json", headers=english).get_json()
    assert status["label"] == "Recompute recommendations" and status["percent"] == 100
    korean = admin_client.get(f"{BASE}/jobs/{job.id}").get_data(as_text=True)
    assert "<h1 class=\"h3 mb-3\">추천 다시 계산</h1>" in korean
    assert "열린 수요 3건에 추천 7건을 저장했습니다" in korean


def test_queued_job_page_points_at_the_worker(db, admin_client):
    job = _job_row()
    db.session.commit()
    page = admin_client.get(f"{BASE}/jobs/{job.id}").get_data(as_text=True)
    assert 'id="job-queued"' in page and "make worker" in page
    assert 'http-equiv="refresh"' in page


# --- the tasks --------------------------------------------------------------------------------


def _pair(db):
    company = factories.make_company()
    factories.make_user(role=Role.COMPANY, company=company)
    solution = factories.make_solution(company, title="수요응답형 교통 배차")
    official = factories.make_user(role=Role.MUNICIPALITY)
    need = factories.make_need(official, title="어르신 수요응답형 버스")
    db.session.commit()
    return need, solution, official


def test_nightly_rematch_task_runs_a_rematch_job(app, db):
    need, solution, _ = _pair(db)
    tasks.nightly_rematch()
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.attempts) == (jobs.REMATCH, Job.DONE, 1)
    assert job.result["needs"] == 1
    stored = db.session.scalars(select(Recommendation)).all()
    assert [(r.need_id, r.solution_id) for r in stored] == [(need.id, solution.id)]


def test_nightly_rematch_waits_for_a_rematch_already_under_way(app, db, enqueued):
    running = _job_row(status=Job.RUNNING, attempts=1)
    db.session.commit()
    tasks.nightly_rematch()
    db.session.expire_all()
    assert db.session.scalars(select(Job.id)).all() == [running.id] and enqueued == []


def test_notify_matches_task_notifies_each_pair_once(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "STRONG_MATCH_SCORE", 0.0)
    _pair(db)
    tasks.notify_matches()
    tasks.notify_matches()
    db.session.expire_all()
    kinds = db.session.scalars(select(Notification.kind)).all()
    assert kinds.count("strong_match") == 1


def test_expire_requests_task_expires_overdue_requests(app, db):
    need, solution, official = _pair(db)
    match = Match(need=need, solution=solution, initiator_side=Side.MUNICIPALITY,
                  requested_by_id=official.id, expires_at=utcnow() - timedelta(hours=1))
    db.session.add(match)
    db.session.commit()
    tasks.expire_requests()
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == MatchStatus.EXPIRED


def test_prune_task_runs_the_pruning(app, db):
    _pair(db)
    newest = db.session.scalar(select(func.max(MatchingChange.id)))
    with app.test_request_context():
        change_log.advance(change_log.NOTIFIER, newest)
        unit_of_work.commit()
    tasks.prune_change_log()
    db.session.expire_all()
    assert list(db.session.scalars(select(MatchingChange.id))) == [newest]
    assert db.session.get(LogCursor, change_log.FLOOR).position == newest - 1


def test_periodic_schedule_is_registered_with_the_configured_intervals():
    def due(hour: int, minute: int) -> set[str]:
        moment = datetime(2030, 1, 7, hour, minute, tzinfo=timezone.utc).replace(tzinfo=None)
        return {task.name for task in tasks.huey.read_periodic(moment)}

    night = TestingConfig.NIGHTLY_REMATCH_UTC_HOUR
    assert due(night, 0) == {"reap_jobs", "deliver_mail", "notify_matches", "expire_requests",
                             "nightly_rematch", "prune_change_log", "reanalyse_stale_listings",
                             "remind_meetings"}
    assert due((night + 1) % 24, 0) == {"reap_jobs", "deliver_mail", "notify_matches",
                                        "expire_requests", "prune_change_log",
                                        "reanalyse_stale_listings", "remind_meetings"}
    assert due(night, TestingConfig.NOTIFY_MATCHES_EVERY_MINUTES) == {
        "reap_jobs", "deliver_mail", "notify_matches"}
    assert due(night, 1) == {"reap_jobs", "deliver_mail"}
    assert due(night, 17) == {"reap_jobs", "deliver_mail", "prune_account_records"}
    assert due(night, 41) == {"reap_jobs", "deliver_mail", "send_digests", "remind_stalled_outcomes"}


def test_the_mail_task_delivers_what_after_commit_delivery_missed(app, db, outbox):
    from app.models.mail import OutgoingEmail

    # Committed by a process that died before its after-commit delivery ran.
    db.session.add(OutgoingEmail(to_address="official@example.kr", subject="제목", body="본문"))
    db.session.commit()
    assert outbox == []
    tasks.deliver_mail()
    tasks.deliver_mail()
    assert [m.to for m in outbox] == ["official@example.kr"]
    assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 1


def test_queue_url_picks_the_storage(tmp_path):
    from huey import SqliteHuey

    assert isinstance(tasks.make_huey(f"sqlite:///{tmp_path / 'q.sqlite3'}"), SqliteHuey)
    # As in a fresh clone, where instance/ does not exist yet.
    assert isinstance(tasks.make_huey(f"sqlite:///{tmp_path / 'new' / 'q.sqlite3'}"), SqliteHuey)
    assert (tmp_path / "new" / "q.sqlite3").exists()
    with pytest.raises(RuntimeError, match="QUEUE_URL"):
        tasks.make_huey("amqp://127.0.0.1/")


# --- the reaper -------------------------------------------------------------------------------


def test_reaper_reruns_a_job_whose_worker_died(app, db):
    _pair(db)
    stale = utcnow() - timedelta(seconds=app.config["JOB_HEARTBEAT_TIMEOUT_SECONDS"] + 60)
    job = _job_row(status=Job.RUNNING, attempts=1, done=1, total=5, heartbeat=stale)
    db.session.commit()
    tasks.reap_jobs()
    job = _fresh(job.id)
    assert (job.status, job.attempts, job.done, job.total) == (Job.DONE, 2, 1, 1)


def test_reaper_dispatches_a_job_committed_but_never_enqueued(app, db):
    _pair(db)
    stale = utcnow() - timedelta(seconds=app.config["JOB_HEARTBEAT_TIMEOUT_SECONDS"] + 60)
    job = _job_row(heartbeat=stale)
    db.session.commit()
    tasks.reap_jobs()
    job = _fresh(job.id)
    assert (job.status, job.attempts) == (Job.DONE, 1)


def test_reaper_leaves_live_jobs_alone_and_gives_up_after_max_attempts(app, db, enqueued):
    stale = utcnow() - timedelta(seconds=app.config["JOB_HEARTBEAT_TIMEOUT_SECONDS"] + 60)
    live = _job_row(status=Job.RUNNING, attempts=1)
    worn_out = _job_row(kind=jobs.COMPANY_IMPORT, status=Job.RUNNING,
                        attempts=app.config["JOB_MAX_ATTEMPTS"], heartbeat=stale)
    finished = _job_row(status=Job.DONE, attempts=1, heartbeat=stale)
    db.session.commit()
    with app.test_request_context():
        report = jobs.reap()
        unit_of_work.commit()
    assert (report.requeued, report.failed) == (0, 1)
    assert enqueued == []
    assert _fresh(live.id).status == Job.RUNNING
    assert _fresh(finished.id).status == Job.DONE
    gave_up = _fresh(worn_out.id)
    assert gave_up.status == Job.FAILED and "gave up after 3" in gave_up.error


def test_reaper_forgets_finished_jobs_after_the_keep_period(app, db, enqueued):
    long_ago = utcnow() - timedelta(days=app.config["JOB_KEEP_DAYS"] + 1)
    old = _job_row(status=Job.DONE, finished_at=long_ago)
    recent = _job_row(status=Job.FAILED, finished_at=utcnow() - timedelta(days=1))
    db.session.commit()
    old_id, recent_id = old.id, recent.id
    with app.test_request_context():
        assert jobs.reap().forgotten == 1
        unit_of_work.commit()
    assert _fresh(old_id) is None and _fresh(recent_id) is not None


def test_duplicate_message_for_a_claimed_job_runs_nothing(app, db):
    job = _job_row(status=Job.RUNNING, attempts=1)
    db.session.commit()
    tasks.run_job(job.id)
    job = _fresh(job.id)
    assert (job.status, job.attempts) == (Job.RUNNING, 1)
