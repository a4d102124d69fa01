"""Length limits: every text field that writes a sized column is limited by its form, with a message,
and the page shows a character counter instead of letting the browser cut the text silently."""
from __future__ import annotations

import importlib
from urllib.parse import urlencode
import pkgutil

from flask_wtf import FlaskForm
from sqlalchemy import String, func, select
from werkzeug.datastructures import MultiDict
from wtforms.fields import PasswordField, StringField
from wtforms.validators import Length

import app as app_package
from app.models import Base, Need
from tests import factories
from tests.http_inputs import (
    build_world,
    changed_tables,
    crawl,
    fingerprint,
    signed_in_actors,
    split_query,
)


def _all_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        found.append(form)
        pending.extend(form.__subclasses__())
    return found


def _text_fields(form: type[FlaskForm]):
    for name in dir(form):
        unbound = getattr(form, name, None)
        if getattr(unbound, "field_class", None) and issubclass(unbound.field_class, StringField) \
                and not issubclass(unbound.field_class, PasswordField):
            yield name, unbound


# The table a form writes, where a field name also exists with another length elsewhere.
FORM_TABLES = {"CompanyForm": "company", "RegistrationForm": "user_account",
               "OrganisationForm": "overseas_organisation", "InviteForm": "overseas_invitation",
               "JoinForm": "user_account"}
# Fields that do not write their value as typed: sign-in only reads the e-mail, the decision
# action picks a service call, and the business number is stored as its 10 digits after the
# service checks it (`app/services/bizno.py`), so the form allows separators.
NOT_STORED_AS_TYPED = {("LoginForm", "email"), ("DecisionForm", "action"),
                       ("CompanyForm", "business_number"), ("PolicyReviewForm", "area")}


def _column_lengths(table_name: str | None = None) -> dict[str, int]:
    """The smallest String length of each column name (of one table, or across the models)."""
    lengths: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table_name and table.name != table_name:
            continue
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                lengths[column.name] = min(column.type.length, lengths.get(column.name, 10**9))
    return lengths


def _length_max(unbound) -> int | None:
    validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
    limits = [v.max for v in validators if isinstance(v, Length) and v.max not in (None, -1)]
    return min(limits) if limits else None


def test_every_form_limit_fits_its_model_column():
    checked, wrong = 0, []
    for form in _all_forms():
        columns = _column_lengths(FORM_TABLES.get(form.__name__))
        for name, unbound in _text_fields(form):
            if name not in columns or (form.__name__, name) in NOT_STORED_AS_TYPED:
                continue
            checked += 1
            limit = _length_max(unbound)
            if limit is None or limit > columns[name]:
                wrong.append(f"{form.__module__}.{form.__name__}.{name}: form {limit}, column {columns[name]}")
    assert checked > 10
    assert wrong == []


def test_every_length_validator_has_a_message():
    missing = [f"{form.__name__}.{name}" for form in _all_forms() for name, unbound in _text_fields(form)
               for v in (unbound.kwargs.get("validators") or [])
               if isinstance(v, Length) and not v.message]
    assert missing == []


def test_a_limited_field_shows_a_counter_not_a_browser_limit(official_client):
    page = official_client.get("/my/needs/new").get_data(as_text=True)
    assert 'data-maxlength="120"' in page
    assert 'data-counter-for="title"' in page
    assert " maxlength=" not in page


def test_every_limited_field_is_checked_by_the_server_with_a_message(app, db, company_user,
                                                                     official, admin_user):
    world = build_world(db, company_user, official)
    actors = signed_in_actors(app, company_user, official, admin_user)
    checked, wrong = 0, []
    for actor, client in list(actors.items()):
        for form in crawl(app, client, per_endpoint=1):
            for control in (c for c in form.fields.values() if c.maxlength):
                data = [(k, v) for k, v in form.defaults() if k != control.name]
                data.append((control.name, "가" * (control.maxlength + 1)))
                before = fingerprint(db)
                if form.method == "GET":
                    path, query = split_query(form.action)
                    response = actors[actor].get(f"{path}?{urlencode(query + data)}")
                else:
                    response = actors[actor].post(form.action, data=MultiDict(data))
                checked += 1
                body = response.get_data(as_text=True)
                if response.status_code not in (200, 400) or "is-invalid" not in body \
                        or changed_tables(before, fingerprint(db)):
                    wrong.append((actor, form.action, control.name, response.status_code))
                actors.ensure_signed_in(actor)
    assert world and checked >= 5
    assert wrong == []


def test_a_title_over_the_limit_is_refused_with_its_message(official_client, db):
    response = official_client.post("/my/needs/new", data={
        "title": "가" * 121, "description": "농촌 지역 어르신의 이동권 보장을 위한 수요입니다.",
        "primary_category_id": str(factories.category().id)})
    assert response.status_code in (200, 400)
    assert "제목은 120자 이하로 입력하세요." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0
