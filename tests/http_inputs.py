"""What the integer-input and fuzz tests send: routes from `app.url_map`, forms found by crawling the
pages each actor sees, the query parameters the views read, and a fingerprint of the database."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.models import Base

APP_SOURCE = Path(__file__).resolve().parent.parent / "app"
FUZZED_METHODS = ("GET", "POST")
CHOICE_KINDS = {"select", "checkbox", "radio"}
_ARG = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?(\w+)>")
_QUERY_READ = re.compile(r"request\.(?:args|values)\.get(?:list)?\(\s*[\"'](\w+)[\"']")


@dataclass(frozen=True)
class Route:
    """One rule of the url map with the methods the fuzz sends to it."""

    rule: str
    endpoint: str
    methods: tuple[str, ...]
    int_args: tuple[str, ...]
    other_args: tuple[str, ...]

    def path(self, ints: dict[str, str] | str, other: str = "x") -> str:
        """The rule with each integer argument from `ints` (a dict by name, or one value for all)."""
        def fill(match: re.Match) -> str:
            name = match.group(2)
            if name in self.int_args:
                return ints if isinstance(ints, str) else str(ints.get(name, "1"))
            return other
        return _ARG.sub(fill, self.rule)


def routes(app) -> list[Route]:
    """Every rule of the app except static files, with its GET/POST methods."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = tuple(m for m in FUZZED_METHODS if m in rule.methods)
        int_args = tuple(name for name, converter in rule._converters.items()
                         if isinstance(converter, IntegerConverter))
        other_args = tuple(name for name in rule.arguments if name not in int_args)
        found.append(Route(rule.rule, rule.endpoint, methods, int_args, other_args))
    return sorted(found, key=lambda r: r.rule)


def query_arg_names() -> set[str]:
    """The query-string parameters the views read by name (grepped from app/, so new ones count)."""
    names = set()
    for source in APP_SOURCE.rglob("*.py"):
        names.update(_QUERY_READ.findall(source.read_text(encoding="utf-8")))
    return names


@dataclass
class FormField:
    """A named control of a form as rendered."""

    name: str
    kind: str
    values: list[str] = field(default_factory=list)  # the rendered value(s) or options
    maxlength: int | None = None


@dataclass
class Form:
    """A form found on a page: where it goes, how, and its controls by name."""

    action: str
    method: str
    fields: dict[str, FormField] = field(default_factory=dict)
    other_actions: list[str] = field(default_factory=list)  # buttons' formaction

    def defaults(self) -> list[tuple[str, str]]:
        """The values a browser would send without any change (first option of each select)."""
        data = []
        for control in self.fields.values():
            if control.kind in {"submit", "button", "file"}:
                continue
            if control.values:
                data.append((control.name, control.values[0]))
            elif control.kind not in CHOICE_KINDS:
                data.append((control.name, ""))
        return data


class _PageParser(HTMLParser):
    """Collects a page's links and forms (with their controls, options and limits)."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attr = {k: (v or "") for k, v in attrs}
        if tag == "a" and attr.get("href"):
            self.links.append(urljoin(self.page_url, attr["href"]))
        elif tag == "form":
            action = urljoin(self.page_url, attr.get("action") or self.page_url)
            self._form = Form(action, (attr.get("method") or "get").upper())
            self.forms.append(self._form)
        elif tag in ("button", "input") and self._form is not None and attr.get("formaction"):
            self._form.other_actions.append(urljoin(self.page_url, attr["formaction"]))
            if attr.get("name"):
                self._control(attr["name"], "button", attr).values.append(attr.get("value", ""))
        elif tag == "option" and self._select is not None:
            self._select.values.append(attr.get("value", ""))
        elif self._form is None or not attr.get("name"):
            return
        elif tag == "input":
            kind = (attr.get("type") or "text").lower()
            control = self._control(attr["name"], kind, attr)
            if kind in {"checkbox", "radio"} or "value" in attr:
                if kind not in {"checkbox", "radio"} or "checked" in attr or not control.values:
                    control.values.append(attr.get("value", "on"))
        elif tag == "select":
            self._select = self._control(attr["name"], "select", attr)
        elif tag == "textarea":
            self._textarea = self._control(attr["name"], "textarea", attr)
        elif tag == "button" and "value" in attr:
            self._control(attr["name"], "button", attr).values.append(attr["value"])

    def handle_data(self, data):
        if self._textarea is not None and data.strip():
            self._textarea.values.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _control(self, name: str, kind: str, attr: dict) -> FormField:
        control = self._form.fields.setdefault(name, FormField(name, kind))
        limit = attr.get("data-maxlength") or attr.get("maxlength")
        control.maxlength = int(limit) if limit and limit.isdigit() else control.maxlength
        return control


def parse_page(url: str, html: str) -> _PageParser:
    """The links and forms of a page."""
    parser = _PageParser(url)
    parser.feed(html)
    return parser


def local_path(url: str) -> str | None:
    """The path and query of a same-site URL, or None for another site or a static file."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.path.startswith("/static/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def endpoint_of(app, path: str, method: str = "GET") -> str | None:
    """The endpoint a path is routed to, or None."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method=method)
    except HTTPException:
        return None
    return endpoint


def crawl(app, client, start: str = "/", *, per_endpoint: int = 2, max_pages: int = 120
          ) -> list[Form]:
    """Every form on the pages reachable from `start` (at most `per_endpoint` URLs an endpoint),
    once per action it can be sent to."""
    queue, seen, per_endpoint_seen, forms = [start], set(), {}, []
    while queue and len(seen) < max_pages:
        path = queue.pop(0)
        if path in seen:
            continue
        endpoint = endpoint_of(app, path)
        if endpoint is None or per_endpoint_seen.get(endpoint, 0) >= per_endpoint:
            continue
        seen.add(path)
        per_endpoint_seen[endpoint] = per_endpoint_seen.get(endpoint, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        page = parse_page("http://localhost" + path, response.get_data(as_text=True))
        for form in page.forms:
            for action in map(local_path, [form.action, *form.other_actions]):
                if action and endpoint_of(app, action, form.method):
                    forms.append(Form(action, form.method, form.fields))
        queue.extend(p for p in map(local_path, page.links) if p and p not in seen)
    return forms


def split_query(path: str) -> tuple[str, list[tuple[str, str]]]:
    """A path and its query pairs."""
    parts = urlsplit(path)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def fingerprint(db) -> dict[str, str]:
    """A digest of every table's rows, to prove a refused request changed nothing."""
    db.session.rollback()  # read the committed state, not this session's snapshot
    digests = {}
    for table in Base.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    db.session.rollback()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """The tables whose rows differ."""
    return {name for name in before if before[name] != after.get(name)}


def build_world(db, company_user, official) -> dict[str, int]:
    """A little of everything the pages show (a solution, a need, a match, a notification), so
    detail pages and their forms render; returns ids by the route argument names."""
    from app.models import Notification
    from app.services import workflow
    from tests import factories

    solution = factories.make_solution(company_user.company)
    factories.make_reference(solution)
    # not yet offered for the need, so the interest form still opens for this pair's need
    factories.make_solution(company_user.company, title="아직 제안하지 않은 솔루션")
    need = factories.make_need(official)
    db.session.commit()
    match = workflow.express_interest(company_user, need, solution,
                                      "스마트 교통 수요에 관심이 있습니다. 검토 부탁드립니다.")
    db.session.commit()
    notification = db.session.scalar(select(Notification).limit(1))
    return {"solution_id": solution.id, "need_id": need.id, "match_id": match.id,
            "company_id": company_user.company_id, "user_id": official.id,
            "municipality_id": official.municipality_id,
            "notification_id": notification.id if notification else 1}


# Answers that are a route's documented behaviour, not a failure: readiness is 503 on the test
# schema, which is built with create_all and so has no Alembic version.
DESIGNED_ERRORS = {("/readyz", 503)}


def is_designed_error(path: str, status: int) -> bool:
    """Whether a 5xx is the route's documented answer."""
    return (urlsplit(path).path, status) in DESIGNED_ERRORS


class Actors(dict):
    """Test clients by actor name; a client whose session a request ended is signed in again."""

    def __init__(self, app, users: dict) -> None:
        super().__init__(anonymous=app.test_client())
        self.app = app
        # Plain values, not User objects: a fuzzed request may delete or change the account.
        self.users = {name: Profile(u.email, u.role, u.company_id) for name, u in users.items()}
        for name in users:
            self[name] = self._signed_in(name)

    def _signed_in(self, name: str):
        from tests import factories

        client = self.app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/auth/login").get_data(as_text=True))
        response = client.post("/auth/login", data={"email": self.users[name].email,
                                                    "password": factories.PASSWORD,
                                                    "csrf_token": token.group(1) if token else ""})
        assert response.status_code == 302, f"{name} could not sign in"
        return client

    def ensure_signed_in(self, name: str) -> bool:
        """Sign the actor in again if a request ended its session (e.g. /auth/logout); if the
        account can no longer sign in (suspended or deleted by a fuzzed request), use a new one."""
        if name == "anonymous" or self[name].get("/account/").status_code == 200:
            return False
        try:
            self[name] = self._signed_in(name)
        except AssertionError:
            self.users[name] = _replacement(self.users[name])
            self[name] = self._signed_in(name)
        return True


@dataclass(frozen=True)
class Profile:
    """What is needed to sign an actor in, or to make a replacement."""

    email: str
    role: object
    company_id: int | None


def _replacement(user: Profile) -> Profile:
    """A new user in the same role (and company, if it still exists) who can sign in."""
    from app.extensions import db
    from app.models import Company, MembershipStatus, Role
    from tests import factories

    db.session.rollback()
    company = None
    if user.role == Role.COMPANY:
        company = db.session.get(Company, user.company_id) if user.company_id else None
        company = company or factories.make_company(membership=MembershipStatus.APPROVED)
    replacement = factories.make_user(role=user.role, company=company)
    db.session.commit()
    return Profile(replacement.email, replacement.role, replacement.company_id)


def signed_in_actors(app, company_user, official, admin_user) -> Actors:
    """Anonymous, company staff, a verified official and an admin."""
    return Actors(app, {"company": company_user, "official": official, "admin": admin_user})
