"""Refuse request text that no field can hold: NUL characters.

PostgreSQL text cannot contain NUL (0x00), so one in a path, query, form field or field name
reached the database as a `DataError` (500) on PostgreSQL while SQLite stored it. No legitimate
input contains one, so the request is refused once, here, with a localised 400 page.
"""
from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _

NUL = "\x00"


def _contains_nul(pairs) -> bool:
    return any(NUL in str(key) or NUL in str(value) for key, value in pairs)


def has_nul_character() -> bool:
    """Whether the path, query string or form data carries a NUL character."""
    if NUL in request.path or _contains_nul((request.view_args or {}).items()):
        return True
    if _contains_nul(request.args.items(multi=True)):
        return True
    return request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") \
        and _contains_nul(request.form.items(multi=True))


def register(app: Flask) -> None:
    """Install the check before every view."""
    from app.errors import error_page

    @app.before_request
    def refuse_nul_characters():
        if has_nul_character():
            return error_page(400, _("입력에 허용되지 않는 문자(NUL)가 있습니다. 입력 내용을 확인해 주세요."))
        return None
