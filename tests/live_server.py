"""Test support: real gunicorn servers in production configuration, and a small HTTP client.

Used by the multi-server and PostgreSQL-restart tests and by scripts/postgres-restart-run.py.
Servers bind to 127.0.0.1 on free ports and are always stopped (SIGTERM, then SIGKILL).
"""
from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
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

    def request(self, url: str, data: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(url, data=body, timeout=self.timeout) as response:
                status, raw, headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), dict(error.headers)
        return Reply(status, raw.decode("utf-8", "replace"), headers, started, time.monotonic())

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
