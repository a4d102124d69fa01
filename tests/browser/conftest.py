"""Browser journeys: a live CityMatch server on a temporary database, driven by Playwright
in Debian's headless Chromium (/usr/bin/chromium, installed by scripts/install-browser.sh)."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import Category
from app.services.reference_data import load_municipalities

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CATEGORIES = [
    ("transport", "교통", "Transport"),
    ("safety", "방범·방재", "Crime prevention and disaster management"),
    ("env_energy_water", "환경·에너지·수자원", "Environment, energy and water"),
    ("health_welfare", "보건·의료·복지", "Health, medical care and welfare"),
]


def pytest_collection_modifyitems(config, items):
    """Skip browser tests cleanly when Chromium or Playwright is missing."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (run scripts/install-browser.sh)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed"
    if reason:
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


class LiveServer:
    """A CityMatch app served on 127.0.0.1 from a background thread."""

    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"

    def outbox(self):
        """E-mails the live app has sent (captured)."""
        return self.app.extensions.setdefault("citymatch_outbox", [])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A fresh app, database and server for each browser test module."""
    database = tmp_path_factory.mktemp("live") / "citymatch.sqlite3"

    class LiveConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        WTF_CSRF_ENABLED = True
        PROPAGATE_TEST_ERRORS = False
        SERVER_NAME = None

    application = create_app(LiveConfig)
    with application.app_context():
        db.create_all()
        load_municipalities()
        for order, (code, ko, en) in enumerate(CATEGORIES):
            db.session.add(Category(code=code, name_ko=ko, name_en=en, sort_order=order))
        db.session.commit()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    # Mailed links are built from PUBLIC_BASE_URL, never from the request: point it at this server.
    application.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(application, server)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.fixture()
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (one per user); all closed after the test."""
    contexts = []

    def open_page(locale: str = "ko-KR"):
        context = browser.new_context(base_url=live_server.url, locale=locale,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot():
    """Save a full-page screenshot under test-artifacts/screenshots/ (ignored by git)."""
    if SCREENSHOT_DIR.exists():
        shutil.rmtree(SCREENSHOT_DIR)
    SCREENSHOT_DIR.mkdir(parents=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
