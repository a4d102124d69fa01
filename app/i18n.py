"""Locale selection (Korean first; English is added by the workflow issue)."""
from __future__ import annotations

from flask import current_app

SUPPORTED_LOCALES = ("ko",)


def select_locale() -> str:
    """The locale for this request."""
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "ko")
