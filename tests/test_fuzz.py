"""Hypothesis fuzz of every route in `app.url_map`: forms found by crawling the pages, the query
parameters the views read, as anonymous and each role, with valid, missing and forged CSRF tokens.

Properties: never a 5xx; a refused request (4xx, or 200 with the form again) changes no table.
Profiles: `ci` (default, bounded for `make test` / `make test-postgres`) and `deep`
(`HYPOTHESIS_PROFILE=deep`, for local runs; see docs/security.md).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.models import AccountStatus
from tests.http_inputs import (
    build_world,
    changed_tables,
    crawl,
    endpoint_of,
    fingerprint,
    is_designed_error,
    query_arg_names,
    routes,
    signed_in_actors,
    split_query,
)

settings.register_profile("ci", max_examples=200, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("deep", max_examples=3000, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

# Tables a refused request writes by design: a failed sign-in is counted (lockout) and audited.
WRITES_WHEN_REFUSED = {"auth.login": {"login_throttle", "audit_log"}}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

SPECIAL_TEXT = ["", " ", "0", "-1", "1", str(2**63), "9" * 40, "²", "١٢", "1e309", "nan",
                "null", "true", "[]", "{}", "None", "<script>alert(1)</script>", "' OR 1=1 --",
                "\x00", "\ud7ff\ue000", "가" * 300, "a" * 10_001, "=1+1", "../../etc/passwd"]
values = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=100, max_value=12_000).map(lambda n: "한" * n),
)
field_values = st.one_of(st.none(), values.map(lambda v: [v]), st.lists(values, min_size=2, max_size=3))


@dataclass(frozen=True)
class Target:
    """A route, a method, and the field names its forms (or the views) read."""

    route: object
    method: str
    names: tuple[str, ...]


def _targets(app, actors) -> list[Target]:
    fields_by_endpoint: dict[tuple[str, str], set[str]] = {}
    for _actor, client in list(actors.items()):
        for form in crawl(app, client, per_endpoint=1):
            path, _query = split_query(form.action)
            endpoint = endpoint_of(app, path, form.method)
            if endpoint:
                names = fields_by_endpoint.setdefault((endpoint, form.method), set())
                names.update(n for n in form.fields if n != "csrf_token")
    query_names = query_arg_names()
    targets = []
    for route in routes(app):
        for method in route.methods:
            names = set(fields_by_endpoint.get((route.endpoint, method), set()))
            names |= query_names if method == "GET" else set()
            targets.append(Target(route, method, tuple(sorted(names))))
    return targets


def _csrf_token(client) -> str:
    match = _CSRF.search(client.get("/").get_data(as_text=True))
    assert match, "the home page carries no CSRF token"
    return match.group(1)


@pytest.fixture()
def csrf_on(app):
    """CSRF protection on, as in production, for this test only."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def fuzz_setup(app, db, company_user, official, admin_user, csrf_on):
    world = build_world(db, company_user, official)
    actors = signed_in_actors(app, company_user, official, admin_user)
    return world, actors, _targets(app, actors)


def test_fuzzed_requests_never_fail_and_refusals_change_nothing(app, db, fuzz_setup):
    world, actors, targets = fuzz_setup
    # Every route is a target, and the crawl found the forms' fields (so the fuzz reaches validation).
    assert {t.route.endpoint for t in targets} == {r.endpoint for r in routes(app)}
    posted = {t.route.endpoint: t.names for t in targets if t.method == "POST"}
    assert {"title", "description", "primary_category_id"} <= set(posted["needs.create"])
    assert {"email", "password"} <= set(posted["auth.login"])
    assert "message" in posted["matches.new"]
    tokens: dict[str, str] = {}

    @settings(settings.get_profile(PROFILE))
    @given(data=st.data())
    def fuzz(data):
        actor = data.draw(st.sampled_from(sorted(actors)), label="actor")
        target = data.draw(st.sampled_from(targets), label="target")
        ids = {name: data.draw(st.one_of(st.sampled_from(sorted(world.values())),
                                         st.integers(0, 2**70)), label=name)
               for name in target.route.int_args}
        path = target.route.path(ids, other=data.draw(st.text(min_size=1, max_size=20).filter(
            lambda s: "/" not in s and "?" not in s and "#" not in s), label="other"))
        fields = MultiDict()
        for name in target.names:
            for value in data.draw(field_values, label=name) or []:
                fields.add(name, value)
        for name, value in data.draw(st.dictionaries(st.text(max_size=10), values, max_size=2),
                                     label="extra").items():
            fields.add(name, value)
        csrf = data.draw(st.sampled_from(["valid", "valid", "valid", "missing", "forged"]),
                         label="csrf")
        if actor not in tokens:
            tokens[actor] = _csrf_token(actors[actor])
        if target.method == "POST" and csrf != "missing":
            fields.setlist("csrf_token", [tokens[actor] if csrf == "valid" else "forged." + tokens[actor][:20]])
        before = fingerprint(db) if target.method == "POST" else None
        client = actors[actor]
        try:
            if target.method == "GET":
                response = client.get(f"{path}?{urlencode(list(fields.items(multi=True)))}")
            elif data.draw(st.booleans(), label="json body"):
                response = client.post(path, json=dict(fields.items()))
            else:
                response = client.post(path, data=fields)
        except Exception as error:  # noqa: BLE001
            pytest.fail(f"{actor} {target.method} {path} {dict(fields)!r}: {error!r}")
        status = response.status_code
        event(f"{target.method} {status // 100}xx{' csrf ' + csrf if target.method == 'POST' else ''}")
        assert status < 500 or is_designed_error(path, status), \
            f"{actor} {target.method} {path} {dict(fields)!r}: {status}"
        if target.method == "POST":
            if csrf != "valid":
                assert status in (400, 404), f"{path} accepted a {csrf} CSRF token: {status}"
            if status == 200 or 400 <= status < 500:
                changed = changed_tables(before, fingerprint(db))
                changed -= WRITES_WHEN_REFUSED.get(target.route.endpoint, set())
                assert not changed, f"refused {actor} POST {path} changed {changed}"
            if actors.ensure_signed_in(actor):
                tokens.pop(actor, None)

    fuzz()


def test_an_oversized_body_is_refused_with_a_localised_page(app, db, company_user, official,
                                                           admin_user, csrf_on):
    world = build_world(db, company_user, official)
    actors = signed_in_actors(app, company_user, official, admin_user)
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 10 * 1024 * 1024
    body = b"x=" + b"a" * (limit - 1)
    client = actors["company"]
    token = _csrf_token(client)
    for route in (r for r in routes(app) if "POST" in r.methods):
        path = route.path(world)
        response = client.post(path, data=body + f"&csrf_token={token}".encode(),
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code in (404, 413), (path, response.status_code)
        if response.status_code == 413:
            assert "요청이 너무 큽니다." in response.get_data(as_text=True)
    english = client.post("/auth/login", data=body, headers={"Accept-Language": "en"},
                          content_type="application/x-www-form-urlencoded")
    assert english.status_code == 413
    assert "The request is too large." in english.get_data(as_text=True)


def test_an_actor_whose_account_a_request_ended_is_replaced(app, db, company_user, official,
                                                            admin_user):
    actors = signed_in_actors(app, company_user, official, admin_user)
    assert actors.ensure_signed_in("official") is False
    official.account_status = AccountStatus.SUSPENDED
    db.session.commit()
    assert actors.ensure_signed_in("official") is True
    assert actors["official"].get("/account/").status_code == 200
    assert actors.users["official"].email != official.email
