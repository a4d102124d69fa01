"""Test support: real gunicorn servers in production configuration, and a small HTTP client.

Used by the multi-server and PostgreSQL-restart tests and by scripts/postgres-restart-run.py.
Servers bind to 127.0.0.1 on free ports and are always stopped (SIGTERM, then SIGKILL).
"""
from __future__ import annotations

import http.cookiejar
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"
FLASK = PROJECT_ROOT / ".venv" / "bin" / "flask"
SECRET_KEY = "live-server-tests-only"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for the app in production configuration on `database_url` (plain HTTP)."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"TEST_DATABASE_URL", "CITYMATCH_ENV"}}
    env.update(CITYMATCH_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url,
               SESSION_COOKIE_SECURE="0", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run_flask(database_url: str, *args: str, timeout: float = 120) -> str:
    """Run a `flask` command in production configuration; returns its output, raises on failure."""
    done = subprocess.run([str(FLASK), "--app", "wsgi", *args], cwd=PROJECT_ROOT,
                          env=production_env(database_url), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class GunicornServer:
    """`gunicorn --config gunicorn.conf.py wsgi:app`, as `make serve` runs it, on a free port."""

    def __init__(self, database_url: str, log_path: Path, workers: int = 1, threads: int = 2,
                 **env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = production_env(database_url, GUNICORN_BIND=f"127.0.0.1:{self.port}",
                                  WEB_CONCURRENCY=str(workers), GUNICORN_THREADS=str(threads),
                                  **env)
        self.process: subprocess.Popen | None = None

    def start(self) -> "GunicornServer":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(GUNICORN), "--config", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT,
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    def wait_until_up(self, timeout: float = 60) -> None:
        """Wait for /healthz to answer (raises with the server log if it does not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not come up:\n{self.log_path.read_text(errors='replace')}")

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop gracefully, then forcefully; never leaves the server behind."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class Reply:
    """One HTTP answer: status, body, headers, and when the request started and ended."""

    status: int
    body: str
    headers: dict[str, str]
    started: float
    ended: float


class _HiddenFields(HTMLParser):
    """The hidden inputs (CSRF token, version…) of the form posting to `action` on a page."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.fields is None:
            self.inside = (attributes.get("action") or self.action) == self.action
        elif tag == "input" and self.inside and attributes.get("type") == "hidden":
            self.found()[attributes.get("name", "")] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
            self.found()

    def found(self) -> dict[str, str]:
        if self.fields is None:
            self.fields = {}
        return self.fields


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies shared across servers (as behind one load balancer), CSRF tokens, no redirects."""

    def __init__(self, timeout: float = 15) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())
        self.timeout = timeout
        self.history: list[tuple[str, str, Reply]] = []

    def request(self, url: str, data: dict | None = None) -> Reply:
        """GET (or POST `data`); status 0 means no HTTP answer at all (refused, timed out)."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(url, data=body, timeout=self.timeout) as response:
                status, raw, headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), dict(error.headers)
        except OSError as error:
            status, raw, headers = 0, str(error).encode(), {}
        reply = Reply(status, raw.decode("utf-8", "replace"), headers, started, time.monotonic())
        self.history.append(("POST" if data is not None else "GET", url, reply))
        return reply

    def get(self, url: str) -> Reply:
        return self.request(url)

    def submit(self, form_url: str, data: dict) -> Reply:
        """GET the form page, then POST `data` with the form's hidden fields (CSRF token…) to it.

        A failed GET is returned as is (nothing was posted).
        """
        page = self.get(form_url)
        if page.status != 200:
            return page
        hidden = _HiddenFields(urllib.parse.urlsplit(form_url).path)
        hidden.feed(page.body)
        if not hidden.fields or "csrf_token" not in hidden.fields:
            raise AssertionError(f"no form posting to {form_url}")
        return self.request(form_url, {**hidden.fields, **data})

    def sign_in(self, base_url: str, email: str, password: str) -> Reply:
        reply = self.submit(base_url + "/auth/login", {"email": email, "password": password})
        if reply.status != 302:
            raise AssertionError(f"sign-in failed with {reply.status}")
        return reply


class ThrowawayPostgres:
    """A PostgreSQL server of the test's own: initdb into a temporary folder, on a free port.

    Runs as the `postgres` system user (so it needs root to start), listens on 127.0.0.1 only,
    and is removed afterwards. The shared server on port 5432 is never touched.
    """

    DATABASE = "citymatch"

    def __init__(self) -> None:
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                               key=lambda p: int(p.parent.name))[-1])
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="citymatch-pg-"))
        self.data = self.directory / "data"
        owner = pwd.getpwnam("postgres")
        os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{self.DATABASE}"

    @staticmethod
    def unavailable_reason() -> str | None:
        """Why a throwaway server cannot run here (None when it can)."""
        if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            return "the PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
        if os.geteuid() != 0:
            return "starting a throwaway PostgreSQL server as the postgres user needs root"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "there is no postgres system user"
        if shutil.which("su") is None:
            return "su is not available"
        return None

    def _as_postgres(self, *command: str, timeout: float = 60) -> None:
        line = shlex.join([str(self.bin / command[0]), *command[1:]])
        done = subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", line], cwd=self.directory,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")

    def create(self) -> "ThrowawayPostgres":
        """initdb, start, and create the application database."""
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale=C", "--no-sync")
        self.start()
        self._as_postgres("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                          self.DATABASE)
        return self

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"),
                          "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop (`immediate` drops every connection at once, like a crash)."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        """Stop if running and delete everything."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)


def seed_official(database_url: str) -> tuple[str, int]:
    """Create a verified official on a migrated database; returns the e-mail and transport's id."""
    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import Role
    from tests import factories

    class Throwaway(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url.replace("postgresql://", "postgresql+psycopg://")

    app = create_app(Throwaway)
    with app.app_context():
        official = factories.make_user(role=Role.MUNICIPALITY)
        transport_id = factories.category("transport").id
        db.session.commit()
        email = official.email
        db.session.remove()
        db.engine.dispose()
    return email, transport_id


class NeedPoster(threading.Thread):
    """A signed-in official who, until stopped, opens the new-need form, posts a need with a
    unique title and browses the catalogue; remembers each write it was told succeeded."""

    def __init__(self, base_url: str, browser: Browser, transport_id: int, name: str = "1") -> None:
        super().__init__(name=f"need-poster-{name}", daemon=True)
        self.base_url = base_url
        self.browser = browser
        self.transport_id = transport_id
        self.label = name
        self.acknowledged: list[tuple[str, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            title = f"재시작 시험 수요 {self.label}-{number:05d}"
            reply = self.browser.submit(self.base_url + "/my/needs/new", {
                "title": title,
                "description": "데이터베이스가 다시 시작되는 동안에도 등록된 수요는 사라지면 안 됩니다.",
                "primary_category_id": str(self.transport_id),
            })
            if reply.status == 302:
                self.acknowledged.append((title, reply.ended))
            self.browser.get(self.base_url + "/needs")

    def wait_for_writes(self, count: int, after: float = 0.0, timeout: float = 30) -> None:
        """Wait until `count` writes were acknowledged after the monotonic time `after`."""
        deadline = time.monotonic() + timeout
        while sum(ended > after for _, ended in self.acknowledged) < count:
            if not self.is_alive():
                raise AssertionError("the client thread died")
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} writes acknowledged in {timeout} s")
            time.sleep(0.05)
