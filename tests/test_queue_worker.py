"""A real queue consumer killed halfway through a rematch finishes the job once after a restart.

The consumer runs as a subprocess (`huey_consumer app.tasks.huey`) on a file database and a
SQLite queue file; on PostgreSQL as well when TEST_DATABASE_URL points at one.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import select

from app import create_app
from app.config import TestingConfig
from app.extensions import db as _db
from app.models import Category, Job, MembershipStatus, Recommendation, Role, SizeClass
from app.services import recommendations
from app.services.reference_data import load_municipalities
from tests import factories
from tests.conftest import TEST_CATEGORIES

PROJECT = Path(__file__).resolve().parent.parent
NEEDS = 400
SOLUTIONS = 40
HEARTBEAT_TIMEOUT = 2.0
WAIT_LIMIT = 180.0
TOPICS = ["수요응답형 교통 배차", "스마트 가로등 원격 제어", "하천 수위 감시 센서", "독거 어르신 돌봄 알림",
          "주차장 빈자리 안내", "미세먼지 측정망", "CCTV 영상 분석 방범", "스마트 버스 정류장"]


def _worker_env(database_url: str, queue_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "CITYMATCH_ENV": "development",
        "DATABASE_URL": database_url,
        "QUEUE_URL": queue_url,
        "JOB_CHECKPOINT_SECONDS": "0.05",
        "JOB_HEARTBEAT_TIMEOUT_SECONDS": str(HEARTBEAT_TIMEOUT),
        "MATCHING_POSITION_REPORT_SECONDS": "0",
    })
    return env


def _start_consumer(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "huey.bin.huey_consumer", "app.tasks.huey", "-w", "1", "-n"],
            cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _job_state() -> tuple | None:
    _db.session.rollback()
    row = _db.session.execute(select(Job.status, Job.done, Job.total, Job.attempts)).first()
    _db.session.rollback()
    return tuple(row) if row else None


def _wait_for(condition, log: Path, what: str):
    deadline = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < deadline:
        state = _job_state()
        if state and condition(*state):
            return state
        time.sleep(0.02)
    pytest.fail(f"{what} did not happen; consumer log:\n{log.read_text()[-3000:]}")


def _seed_market() -> None:
    company = factories.make_company(size_class=SizeClass.SME, membership=MembershipStatus.APPROVED)
    official = factories.make_user(role=Role.MUNICIPALITY)
    for i in range(SOLUTIONS):
        topic = TOPICS[i % len(TOPICS)]
        factories.make_solution(company, title=f"{topic} 솔루션 {i}",
                                description=f"{topic} 플랫폼으로 지역 문제를 해결합니다. 버전 {i}")
    for i in range(NEEDS):
        topic = TOPICS[i % len(TOPICS)]
        factories.make_need(official, title=f"{topic} 도입 {i}",
                            description=f"우리 지역에 {topic} 서비스가 필요합니다. 사업 {i}")
    _db.session.commit()


def _stored_recommendations() -> list[tuple[int, int, int]]:
    _db.session.rollback()
    return sorted(_db.session.execute(
        select(Recommendation.need_id, Recommendation.solution_id, Recommendation.rank)).tuples())


def _kill_halfway_and_restart(database_url: str, tmp_path: Path, queue_url: str | None = None
                              ) -> None:
    log = tmp_path / "consumer.log"
    env = _worker_env(database_url, queue_url or f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    queued = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "rematch", "--queue"],
                            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert queued.returncode == 0, queued.stderr
    assert _job_state()[0] == Job.QUEUED

    first = _start_consumer(env, log)
    try:
        status, done, total, attempts = _wait_for(
            lambda status, done, total, attempts: status == Job.RUNNING and done > 0,
            log, "progress of the first run")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        _stop(first)
    status, done, total, attempts = _job_state()
    assert status == Job.RUNNING and 0 < done < total == NEEDS and attempts == 1

    time.sleep(HEARTBEAT_TIMEOUT + 0.5)  # let the dead run's heartbeat go stale
    second = _start_consumer(env, log)
    try:
        _wait_for(lambda status, *_: status in Job.FINISHED, log, "the job finishing")
    finally:
        _stop(second)

    _db.session.rollback()
    jobs = list(_db.session.scalars(select(Job)))
    assert len(jobs) == 1
    job = jobs[0]
    assert (job.status, job.attempts, job.done, job.total) == (Job.DONE, 2, NEEDS, NEEDS), job.error
    assert job.result["needs"] == NEEDS and job.finished_at is not None
    stored = _stored_recommendations()
    assert len(stored) == job.result["recommendations"] == len(set(stored))
    assert {need_id for need_id, _, _ in stored} == set(
        _db.session.scalars(select(Recommendation.need_id).distinct()))
    assert len({need_id for need_id, _, _ in stored}) == NEEDS

    # The same rematch done here, in one go, stores exactly what the interrupted job stored.
    recommendations.engine().build()
    recommendations.rematch()
    _db.session.commit()
    assert _stored_recommendations() == stored


@contextmanager
def _file_database(tmp_path: Path) -> Iterator[str]:
    """A seeded SQLite file database (its URL), with an app context on it."""
    database = tmp_path / "citymatch.sqlite3"

    class FileConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    app = create_app(FileConfig)
    with app.app_context():
        _db.create_all()
        load_municipalities()
        for order, (code, ko, en) in enumerate(TEST_CATEGORIES):
            _db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
        _db.session.commit()
        _seed_market()
        try:
            yield f"sqlite:///{database}"
        finally:
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture()
def redis_url(tmp_path) -> Iterator[str]:
    """A private redis-server on a free loopback port (skips without the binary)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def test_killed_consumer_finishes_the_rematch_once_on_sqlite(tmp_path):
    with _file_database(tmp_path) as database_url:
        _kill_halfway_and_restart(database_url, tmp_path)


def test_killed_consumer_finishes_the_rematch_once_with_a_redis_queue(tmp_path, redis_url):
    from huey import RedisHuey

    from app.tasks import make_huey

    assert isinstance(make_huey(redis_url), RedisHuey)
    with _file_database(tmp_path) as database_url:
        _kill_halfway_and_restart(database_url, tmp_path, queue_url=redis_url)


def test_killed_consumer_finishes_the_rematch_once_on_postgresql(app, db, tmp_path):
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres")):
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL")
    _seed_market()
    _kill_halfway_and_restart(url, tmp_path)
