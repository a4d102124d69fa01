"""Jinja filters and globals."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request

from app.formatting import format_business_number, format_date, format_krw, format_krw_range
from app.labels import label


def url_with_args(**changes: object) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = urlencode(args, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def register(app: Flask) -> None:
    """Install the filters and globals on the app."""
    app.jinja_env.filters.update(
        krw=format_krw,
        krw_range=format_krw_range,
        date=format_date,
        bizno=format_business_number,
        label=label,
    )
    app.jinja_env.globals.update(url_with_args=url_with_args)

    @app.context_processor
    def locale_context() -> dict[str, str]:
        from flask_babel import get_locale

        locale = get_locale()
        return {"current_locale": locale.language if locale else "ko"}
