"""The authorization walk: every route × method × actor gets its answer and no foreign data.

How it works
- `tests/authorization_world.py` builds one world per module: municipalities A (종로구) and B
  (해운대구), approved companies X (startup) and Y (large firm), unapproved company P; public,
  admin-suspended and unverified-draft needs; published, draft, suspended and unapproved
  solutions; matches (pending, mutual, approved, declined), two consortia, invitations,
  notifications, an official's uploaded evidence, a job and the CSV exports. Private fields hold
  markers (`SECRET-…`), and links to private objects (`/matches/3`, `/needs/4`, …) count as
  markers too, each with its audience.
- Actors (`ACTORS`): anonymous; X's staff and a colleague; Y's staff (another company); P's staff
  (unapproved company); A's verified official and a colleague; B's official (another
  municipality); an unverified official of A; X's staff suspended after signing in (a copied
  session); an admin.
- For each "METHOD /rule" of `app.url_map` and each actor, every URL argument is filled with
  each world object of its kind (own and foreign), and the policy of the route in
  `tests/authorization_table.py: ROUTES` gives the expected status. Every response is checked
  for markers outside the actor's audience, and no request may write to the database except an
  allowed POST, which is not sent (the feature tests send those). Refused POSTs are sent with a
  plausible form (CSRF is off in TestingConfig, so the refusal comes from authorization).

Classifying a route
- A route missing from `ROUTES` fails `test_every_route_is_classified`, naming it. Add one line
  `"METHOD /rule": policy,` to `ROUTES` (policies are small functions above it; write a new one
  when none fits), e.g. `"GET /privacy": public,` or `"POST /account/delete": own_account,`
  (allowed POSTs are not sent, so the walk never deletes its own actors). A route whose URL argument is a new kind of object also needs that kind in
  `ARGUMENT_KINDS` (or, for several arguments, `ARGUMENTS_KINDS`) below and objects of it in the
  world (`tests/authorization_world.py`).
- Unverified officials and staff of unapproved companies are held to the rule of finding 2
  (`VISITOR_VIEW`: refused, or a page without private markers); before the fix, six cases failed
  (the unverified official on `/my/needs/`, `/my/needs/<id>`, `/needs/<id>`, `/matches/`,
  `/matches/history`, `/matches/outbox`).
"""
from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from app.extensions import db
from tests.authorization_table import (
    ROUTES,
    VISITOR_REFUSED,
    VISITOR_VIEW,
    Actor,
    Expect,
    Target,
)
from tests.authorization_world import ACTORS, build_world, clear_world, suspend
from tests.conftest import _login
from tests.db_writes import recording_writes

# Which world objects fill each URL argument.
ARGUMENT_KINDS = {
    "need_id": "need", "solution_id": "solution", "match_id": "match", "proposal_id": "proposal",
    "company_id": "company", "user_id": "user", "notification_id": "notification",
    "invitation_id": "invitation", "job_id": "job", "key": "export", "kind": "raw_export",
    "token": "token",
    "municipality_id": "municipality", "filename": "static",
    "group_id": "joint_group", "member_id": "joint_member", "question_id": "question",
    "search_id": "search",
    "attachment_id": "attachment", "meeting_id": "meeting",
}
# Routes with several URL arguments: world objects whose value holds them all.
ARGUMENTS_KINDS = {frozenset({"solution_id", "reference_id"}): "reference",
                   frozenset({"user_id", "evidence_id"}): "evidence"}
# Auth e-mail links are tried with a forged token only (their own tests cover real ones).
ONLY_INVALID_TOKEN = {"auth.confirm", "auth.reset_with_token"}
# Routes that take their object from the query string.
QUERY_KINDS = {"matches.new": ("need", "solution"), "matches.consortium_new": ("need",)}

# A form that passes validation where it can, so a refusal comes from authorization.
REFUSED_FORM = {
    "message": "권한 없는 요청입니다.", "reason": "권한 없는 요청입니다.", "status": "closed",
    "action": "suspend", "decision": "reject", "email": "walk.intruder@example.kr",
    "title": "권한 없는 수정", "name": "권한 없는 이름", "version": "1", "year": "2024",
    "outcome": "권한 없는 실적", "municipality_id": "1",
}

CASES = [pytest.param(route, actor, id=f"{route} [{actor}]")
         for route in ROUTES for actor in ACTORS]


class Walk:
    """The world, a signed-in client per actor and the database write recorder."""

    def __init__(self, app, writes):
        self.app = app
        self.writes = writes
        self.shown: set[str] = set()  # markers some response showed to their audience
        self.cases_run = 0
        self.build()

    def build(self) -> None:
        self.world = build_world(self.app)
        self.clients = {"anonymous": self.app.test_client()}
        for key in ACTORS:
            if key != "anonymous":
                self.clients[key] = _login(self.app, self.world.users[key])
        suspend(self.world.users["suspended"])  # its client keeps the now revoked session
        self.patterns = {
            text: re.compile(re.escape(text)) for text in self.world.markers} | {
            path: re.compile('"' + re.escape(path) + r'["?/#]') for path in self.world.links}
        self.audiences = self.world.markers | self.world.links

    def rebuild_if_dirty(self) -> None:
        if self.world.dirty:
            clear_world(self.app)
            self.build()

    def note_shown(self, actor: str, body: str) -> None:
        """Remember the markers this actor may see and was shown (proof the check is live)."""
        self.shown |= {text for text, pattern in self.patterns.items()
                       if text not in self.shown and actor in self.audiences[text]
                       and pattern.search(body)}

    def foreign_markers(self, actor: str, body: str, requested: str = "") -> list[str]:
        """Markers in `body` that `actor` may not see (the requested path and the object it
        names are no leak: pages repeat them, e.g. in the language switch's return address)."""
        return [text for text, pattern in self.patterns.items()
                if actor not in self.audiences[text] and pattern.search(body)
                and not (requested == text or requested.startswith(text + "/"))]


@pytest.fixture(scope="module")
def walk(app):
    """One world for the module (rebuilt only after a request changed it)."""
    with recording_writes(db.engine) as writes:
        clear_world(app)
        yield Walk(app, writes)
        clear_world(app)


def _rule(app, route: str) -> Rule:
    method, path = route.split(" ", 1)
    found = next((rule for rule in app.url_map.iter_rules()
                  if rule.rule == path and method in rule.methods), None)
    if found is None:
        pytest.fail(f"{route} is in ROUTES but the app does not serve it")
    return found


def _variants(rule: Rule, world) -> list[tuple[Target | None, dict, dict]]:
    """(target, URL values, query) for each object the route is tried with."""
    arguments = sorted(rule.arguments)
    if len(arguments) > 1:
        kind = ARGUMENTS_KINDS.get(frozenset(arguments))
        if kind is None:
            pytest.fail(f"{rule.rule}: add its arguments to ARGUMENTS_KINDS and world objects")
        return [(target, target.value, {}) for target in world.targets[kind].values()]
    if arguments:
        (argument,) = arguments
        if argument not in ARGUMENT_KINDS:
            pytest.fail(f"{rule.rule}: add <{argument}> to ARGUMENT_KINDS and objects to the world")
        targets = list(world.targets[ARGUMENT_KINDS[argument]].values())
        if rule.endpoint in ONLY_INVALID_TOKEN:
            targets = [world.targets["token"]["invalid"]]
        return [(target, {argument: getattr(target.value, "id", target.value)}, {})
                for target in targets]
    if rule.endpoint in QUERY_KINDS:
        variants: list = [(None, {}, {})]
        for kind in QUERY_KINDS[rule.endpoint]:
            variants += [(target, {}, {f"{kind}_id": target.value.id})
                         for target in world.targets[kind].values()]
        return variants
    return [(None, {}, {})]


def _describe(method: str, url: str, actor: str, target: Target | None) -> str:
    about = f" ({target.kind} {target.name})" if target is not None else ""
    return f"{method} {url}{about} as {actor}"


def test_every_route_is_classified(app):
    """Every route and method of the app is in ROUTES, and ROUTES names no route that is gone."""
    served = {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    unclassified = sorted(served - ROUTES.keys())
    assert not unclassified, (
        "routes missing from tests/authorization_table.py ROUTES (add one line each): "
        + ", ".join(unclassified))
    assert not sorted(ROUTES.keys() - served), "ROUTES lists routes the app no longer has"


def test_every_argument_kind_has_world_objects(app, walk):
    """Each URL argument of the app is filled from the world (so no route is walked empty)."""
    for rule in app.url_map.iter_rules():
        if len(rule.arguments) > 1:
            kind = ARGUMENTS_KINDS.get(frozenset(rule.arguments))
            assert kind is not None, f"{rule.rule}: no world objects for {sorted(rule.arguments)}"
            assert walk.world.targets[kind], kind
        for argument in rule.arguments if len(rule.arguments) == 1 else ():
            assert argument in ARGUMENT_KINDS, f"{rule.rule}: no world objects for <{argument}>"
            assert walk.world.targets[ARGUMENT_KINDS[argument]], argument


def test_markers_are_recognised(walk):
    """The body check sees a marker and a private link, and ignores a longer id."""
    match_path = next(iter(walk.world.links))
    body = f'<a href="{match_path}">x</a> <a href="{match_path}0">y</a>'
    assert walk.foreign_markers("anonymous", body) == [match_path]
    assert walk.foreign_markers("anonymous", "SECRET-COMX-DRAFT 솔루션") == [
        "SECRET-COMX-DRAFT 솔루션"]
    assert walk.foreign_markers("admin", body + "SECRET-COMX-DRAFT 솔루션") == []


@pytest.mark.parametrize(("route", "actor_key"), CASES)
def test_route_answers_each_actor_as_classified(app, walk, route, actor_key):
    """The expected status for every object the route is tried with, and no foreign data."""
    walk.rebuild_if_dirty()
    walk.cases_run += 1
    method = route.split(" ", 1)[0]
    rule = _rule(app, route)
    policy = ROUTES[route]
    actor: Actor = ACTORS[actor_key]
    client = walk.clients[actor_key]
    adapter = app.url_map.bind("localhost")
    problems: list[str] = []
    sent = 0
    for target, values, query in _variants(rule, walk.world):
        expected: Expect = policy(actor, target)
        if method == "POST" and expected == VISITOR_VIEW:
            expected = VISITOR_REFUSED  # what a visitor may view, they may not submit
        if method == "POST" and expected.allowed:
            continue
        url = adapter.build(rule.endpoint, values, method=method)
        form = dict(REFUSED_FORM, **{k: str(v) for k, v in query.items()})
        with walk.writes.during():
            if method == "GET":
                response = client.get(url, query_string=query)
            else:
                response = client.post(url, query_string=query, data=form)
        sent += 1
        where = _describe(method, url, actor_key, target)
        location = response.headers.get("Location", "")
        if response.status_code not in expected.statuses:
            problems.append(f"{where}: {response.status_code}, expected {expected}")
        elif expected.to_login and not location.startswith("/auth/login"):
            problems.append(f"{where}: redirected to {location}, expected the sign-in page")
        if rule.endpoint != "static":
            body = response.get_data(as_text=True) + location
            walk.note_shown(actor_key, body)
            leaked = walk.foreign_markers(actor_key, body, requested=url)
            if leaked:
                problems.append(f"{where}: shows {leaked}")
        if walk.writes:
            walk.world.dirty = True
            problems.append(f"{where}: wrote to the database: {list(walk.writes)}")
    if not sent:
        pytest.skip("every object is allowed to this actor: the feature tests send these POSTs")
    assert not problems, "\n".join(problems)


def test_every_marker_was_shown_to_its_audience(walk):
    """Each marker appeared in some page for an actor allowed to see it, so the body check
    looks at data the pages really show (runs after the walk)."""
    if walk.cases_run < len(CASES):
        pytest.skip("only part of the walk ran")
    assert sorted(set(walk.audiences) - walk.shown) == []
