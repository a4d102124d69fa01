"""Finding 9: integers an id column cannot hold, and digits `int()` refuses, are a 404 or a
form error, never a 500 (cases built from the url map, the views' query parameters and the forms)."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy.dialects import postgresql
from werkzeug.datastructures import MultiDict

from app.ids import MAX_ID, RecordIdConverter, page_number, parse_whole, record_id
from app.models import Base
from tests.http_inputs import (
    CHOICE_KINDS,
    build_world,
    changed_tables,
    crawl,
    fingerprint,
    is_designed_error,
    query_arg_names,
    routes,
    signed_in_actors,
    split_query,
)

HUGE = str(2**63)
BEYOND_POSTGRES_INTEGER = str(2**31)


@pytest.fixture()
def world(db, company_user, official):
    return build_world(db, company_user, official)


@pytest.fixture()
def actors(app, world, company_user, official, admin_user):
    return signed_in_actors(app, company_user, official, admin_user)


def _status(client, method: str, path: str, data=None) -> int | str:
    try:
        status = client.open(path, method=method, data=MultiDict(data or [])).status_code
    except Exception as error:  # noqa: BLE001 - the test reports what a 500 would have been
        return f"{type(error).__name__}: {error}"
    return status if status < 500 or not is_designed_error(path, status) else 200


def _send(actors, actor: str, method: str, path: str, data=None) -> int | str:
    status = _status(actors[actor], method, path, data)
    if method == "POST":
        actors.ensure_signed_in(actor)
    return status


def test_the_int_converter_is_the_bounded_one(app):
    integer_rules = [r for r in routes(app) if r.int_args]
    assert integer_rules, "no <int:…> routes found"
    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            if type(converter).__name__ == "IntegerConverter":
                pytest.fail(f"{rule.rule} uses Werkzeug's unbounded int converter")
    assert app.url_map.converters["int"] is RecordIdConverter


def test_an_id_beyond_the_id_columns_in_any_url_is_a_404(app, actors):
    cases, wrong = 0, []
    for route in (r for r in routes(app) if r.int_args):
        for method in route.methods:
            for value in (BEYOND_POSTGRES_INTEGER, HUGE, "²"):
                for actor, client in list(actors.items()):
                    cases += 1
                    status = _send(actors, actor, method, route.path(value))
                    if status != 404:
                        wrong.append((actor, method, route.path(value), status))
    assert cases > 100
    assert wrong == []


def test_integer_query_parameters_beyond_range_are_ignored(app, actors, world):
    names = query_arg_names()
    assert {"page", "need_id", "solution_id", "partner_solution_id"} <= names
    cases, failures = 0, []
    for route in routes(app):
        path = route.path(world)
        for method in route.methods:
            for value in (BEYOND_POSTGRES_INTEGER, HUGE, "²"):
                query = urlencode([(name, value) for name in sorted(names)])
                for actor, client in list(actors.items()):
                    cases += 1
                    status = _send(actors, actor, method, f"{path}?{query}")
                    if not isinstance(status, int) or status >= 500:
                        failures.append((actor, method, path, value, status))
    assert cases > 500
    assert failures == []


def test_partner_solution_written_as_superscript_two_is_ignored(company_client, world):
    path = f"/matches/consortia/new?need_id={world['need_id']}&partner_solution_id=²"
    assert _status(company_client, "GET", path) in (200, 403, 404)


def test_bad_numbers_in_any_choice_field_are_form_errors(app, db, actors):
    cases, failures = 0, []
    for actor, client in list(actors.items()):
        for form in crawl(app, client):
            choice_fields = [f for f in form.fields.values() if f.kind in CHOICE_KINDS]
            for control in choice_fields:
                for value in (BEYOND_POSTGRES_INTEGER, HUGE, "²"):
                    data = [(k, v) for k, v in form.defaults() if k != control.name]
                    data.append((control.name, value))
                    cases += 1
                    before = fingerprint(db) if form.method == "POST" else None
                    if form.method == "GET":
                        path, query = split_query(form.action)
                        status = _send(actors, actor, "GET", f"{path}?{urlencode(query + data)}")
                    else:
                        status = _send(actors, actor, "POST", form.action, data)
                    if not isinstance(status, int) or status >= 500:
                        failures.append((actor, form.action, control.name, value, status))
                    elif form.method == "POST" and (status == 200 or 400 <= status < 500):
                        changed = changed_tables(before, fingerprint(db))
                        if changed:
                            failures.append((actor, form.action, control.name, value, changed))
    assert cases > 50
    assert failures == []


@pytest.mark.parametrize("value, expected", [
    ("1", 1), (str(MAX_ID), MAX_ID), (BEYOND_POSTGRES_INTEGER, None), (HUGE, None), ("²", None), ("١", None), ("-1", None),
    (" 7 ", 7), ("", None), (None, None), (True, None), (5, 5), ("0x10", None),
])
def test_parse_whole(value, expected):
    assert parse_whole(value) == expected


def test_max_id_fits_every_id_column():
    limits = {"INTEGER": 2**31 - 1, "BIGINT": 2**63 - 1, "SMALLINT": 2**15 - 1}
    id_columns = [column for table in Base.metadata.sorted_tables for column in table.primary_key
                  if column.type.python_type is int]
    assert id_columns
    for column in id_columns:
        type_name = column.type.compile(dialect=postgresql.dialect())
        assert MAX_ID <= limits[type_name], f"{column.table.name}.{column.name} is {type_name}"


def test_record_id_and_page_number_refuse_out_of_range():
    with pytest.raises(ValueError):
        record_id("0")
    with pytest.raises(ValueError):
        record_id(HUGE)
    assert page_number("3") == 3
    with pytest.raises(ValueError):
        page_number("10001")
