"""`make serve` and gunicorn.conf.py: the production entry point and its settings."""
from __future__ import annotations

import os
import runpy
import shutil
import subprocess

import pytest

from tests.live_server import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "gunicorn.conf.py"


def load_config(monkeypatch, **env: str) -> dict:
    for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_defaults_suit_two_cores_behind_a_proxy(monkeypatch):
    config = load_config(monkeypatch)

    assert config["bind"] == "127.0.0.1:8000"
    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"]) == (2, 4)
    assert config["timeout"] == 30 and config["graceful_timeout"] == 30
    assert config["preload_app"] is False
    assert config["accesslog"] is None, "the app writes its own JSON request log"
    assert callable(config["post_worker_init"])


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    config = load_config(monkeypatch, GUNICORN_BIND="127.0.0.1:9001", WEB_CONCURRENCY="3",
                         GUNICORN_THREADS="8", GUNICORN_TIMEOUT="60")

    assert config["bind"] == "127.0.0.1:9001"
    assert (config["workers"], config["threads"], config["timeout"]) == (3, 8, 60)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_serve_stops_at_once_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}

    done = subprocess.run(["make", "serve"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)

    assert done.returncode != 0
    assert "set SECRET_KEY first" in done.stderr
    assert "gunicorn" not in done.stdout, "nothing may start without the key"
