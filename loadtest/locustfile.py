"""CityMatch load mix (run by scripts/loadtest.sh; needs LOADTEST_MANIFEST, see manifest.py).

Visitors browse and search the catalogue and open detail pages with their recommendations;
large and mid-sized firms sign in, open /my/company/ (partner and consortium suggestions),
edit their solutions and express interest in needs; officials sign in, edit their needs and
open need pages. Each request is named by its page type, so the table is per page type.
"""
from __future__ import annotations

import itertools
import json
import os
import random
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

MANIFEST = json.load(open(os.environ["LOADTEST_MANIFEST"], encoding="utf-8"))
SEARCH_TERMS = ("교통", "CCTV", "스마트 주차", "돌봄", "에너지", "침수", "관광", "디지털트윈",
                "어르신", "미세먼지", "안전", "데이터")
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
_accounts = {kind: itertools.cycle(MANIFEST[kind]) for kind in ("large_firms", "mid_firms", "officials")}


class LoopbackCookies(DefaultCookiePolicy):
    """Send the production config's Secure session cookie over plain loopback HTTP."""

    def return_ok_secure(self, cookie, request):
        return True


class FormReader(HTMLParser):
    """The fields of the first form whose action contains `action` (inputs, textareas, selects)."""

    def __init__(self, action: str, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.page_url, self.inside, self.done = action, page_url, False, False
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self._textarea = self._select = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self.action in (a.get("action") or self.page_url):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def read_form(html: str, action: str, page_url: str) -> FormReader:
    reader = FormReader(action, page_url)
    reader.feed(html)
    return reader


class Browsing:
    """Catalogue pages every kind of user opens."""

    def browse_solutions(self):
        self.client.get(f"/solutions?page={random.randint(1, 60)}", name="browse solutions")

    def search_solutions(self):
        self.client.get(f"/solutions?q={random.choice(SEARCH_TERMS)}", name="search solutions")

    def browse_needs(self):
        self.client.get(f"/needs?page={random.randint(1, 30)}", name="browse needs")

    def search_needs(self):
        self.client.get(f"/needs?q={random.choice(SEARCH_TERMS)}", name="search needs")

    def solution_detail(self):
        self.client.get(f"/solutions/{random.choice(MANIFEST['solutions'])}",
                        name="solution page (recommended needs)")

    def need_detail(self):
        self.client.get(f"/needs/{random.choice(MANIFEST['needs'])}",
                        name="need page (recommended solutions, consortia)")

    def company_detail(self):
        self.client.get(f"/companies/{random.choice(MANIFEST['companies'])}", name="company page")


class Visitor(Browsing, FastHttpUser):
    """An anonymous visitor of the catalogue."""

    weight = 8
    wait_time = between(0.2, 1.0)

    @task(15)
    def t_browse_solutions(self):
        self.browse_solutions()

    @task(10)
    def t_search_solutions(self):
        self.search_solutions()

    @task(8)
    def t_browse_needs(self):
        self.browse_needs()

    @task(6)
    def t_search_needs(self):
        self.search_needs()

    @task(15)
    def t_solution_detail(self):
        self.solution_detail()

    @task(15)
    def t_need_detail(self):
        self.need_detail()

    @task(5)
    def t_company_detail(self):
        self.company_detail()


class SignedIn(Browsing, FastHttpUser):
    """A user who signs in on start (and again now and then)."""

    abstract = True
    account_kind = ""
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.client.cookiejar.set_policy(LoopbackCookies())
        self.account = next(_accounts[self.account_kind])
        self.login()

    def login(self):
        page = self.client.get("/auth/login", name="login form")
        form = dict(read_form(page.text, "/auth/login", "/auth/login").fields)
        form.update(email=self.account["email"], password=MANIFEST["password"])
        with self.client.post("/auth/login", data=form, name="login (POST)",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login failed: HTTP {response.status_code}")

    def post_form(self, url: str, action: str, name: str, change) -> None:
        """GET the form at `url` (the one posting to `action`), change it, POST it back to
        `url`; anything but a redirect is a failure."""
        page = self.client.get(url, name=f"{name} form")
        reader = read_form(page.text, action, url)
        fields = change(reader)
        if fields is None:
            return
        with self.client.post(url, data=urlencode(fields), headers=FORM_HEADERS,
                              name=f"{name} (POST)", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{name}: HTTP {response.status_code}")

    @task(1)
    def relogin(self):
        self.client.post("/auth/logout", data={"csrf_token": self._csrf()}, name="logout (POST)",
                         allow_redirects=False)
        self.login()

    def _csrf(self) -> str:
        page = self.client.get("/", name="home")
        marker = 'name="csrf_token" value="'
        start = page.text.find(marker)
        return page.text[start + len(marker):page.text.find('"', start + len(marker))] if start >= 0 else ""


def _edited(fields: list[tuple[str, str]], field: str, suffix: str) -> list[tuple[str, str]]:
    out = []
    for name, value in fields:
        if name == field:
            value = value.split(" [부하 테스트 수정")[0] + f" [부하 테스트 수정 {suffix}]"
        out.append((name, value))
    return out


class FirmStaff(SignedIn):
    """Staff of a large or mid-sized firm."""

    abstract = True

    def on_start(self):
        super().on_start()
        needs = list(MANIFEST["needs"])
        random.shuffle(needs)
        self.needs_to_ask = iter(needs)  # a firm never asks twice for the same need in a run

    @task(6)
    def my_company(self):
        self.client.get("/my/company/", name="my company (partners, consortia)")

    @task(4)
    def t_need_detail(self):
        self.need_detail()

    @task(3)
    def t_search_needs(self):
        self.search_needs()

    @task(2)
    def edit_solution(self):
        solution_id = random.choice(self.account["solutions"])
        url = f"/my/solutions/{solution_id}/edit"
        self.post_form(url, url, "edit solution",
                       lambda r: _edited(r.fields, "description", str(random.randint(1, 10**6))))

    @task(2)
    def express_interest(self):
        need_id = next(self.needs_to_ask, None)
        if need_id is None:
            return

        def choose(reader: FormReader):
            options = [v for v in reader.options.get("solution_id", []) if v]
            if not options:
                return None
            fields = [(k, v) for k, v in reader.fields if k not in ("solution_id", "message")]
            return fields + [("solution_id", options[0]),
                             ("message", "부하 테스트: 귀 기관의 수요에 관심이 있습니다.")]

        self.post_form(f"/matches/new?need_id={need_id}", "/matches/new", "interest request", choose)


class LargeFirmStaff(FirmStaff):
    weight = 1
    account_kind = "large_firms"


class MidFirmStaff(FirmStaff):
    weight = 1
    account_kind = "mid_firms"


class Official(SignedIn):
    """A verified municipal official."""

    weight = 1
    account_kind = "officials"

    @task(5)
    def own_need(self):
        self.client.get(f"/my/needs/{random.choice(self.account['needs'])}", name="my need page")

    @task(4)
    def t_solution_detail(self):
        self.solution_detail()

    @task(3)
    def t_browse_solutions(self):
        self.browse_solutions()

    @task(2)
    def edit_need(self):
        url = f"/my/needs/{random.choice(self.account['needs'])}/edit"
        self.post_form(url, url, "edit need",
                       lambda r: _edited(r.fields, "description", str(random.randint(1, 10**6))))
