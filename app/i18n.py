"""Locale selection: the user's saved choice, then the session, then Accept-Language, then Korean."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

SUPPORTED_LOCALES = ("ko", "en")
DEFAULT_LOCALE = "ko"
SESSION_KEY = "locale"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
# Flashed by Flask-Login when a page needs a signed-in user (rendered via its localize_callback).
LOGIN_REQUIRED = _l("로그인이 필요합니다.")


def is_supported(locale: object) -> bool:
    """True when the value names one of the interface languages."""
    return isinstance(locale, str) and locale in SUPPORTED_LOCALES


def _user_locale() -> str | None:
    try:
        authenticated = current_user.is_authenticated
    except Exception:  # no login manager state outside a request
        return None
    if authenticated:
        locale = getattr(current_user, "locale", None)
        if is_supported(locale):
            return locale
    return None


def select_locale() -> str:
    """The locale for this request: user choice → session → Accept-Language → Korean."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    if not has_request_context():
        return default
    chosen = _user_locale()
    if chosen:
        return chosen
    stored = session.get(SESSION_KEY)
    if is_supported(stored):
        return stored
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or default


def init_app(app: Flask) -> None:
    """Configure Flask-Babel for the app with the CityMatch locale selector and catalogues."""
    from app.extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_locale)
    # Templates call gettext thousands of times per page; resolve the catalogue once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )


def request_translations():
    """Flask-Babel's translations for the active locale, looked up once per request.

    Kept where Flask-Babel's own `refresh()` and `force_locale()` reset it
    (`g._flask_babel.babel_translations`), so a locale switch mid-request still takes effect.
    """
    if not g:
        return get_translations()
    state = g.get("_flask_babel")
    translations = getattr(state, "babel_translations", None)
    if translations is None:
        translations = get_translations()
        g._flask_babel.babel_translations = translations
    return translations


def current_language() -> str:
    """The language code of the active locale ("ko" outside a request)."""
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LOCALE
    return language if is_supported(language) else DEFAULT_LOCALE
