"""Jinja filters and globals."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import LazyString
from flask_login import current_user
from wtforms.validators import Length

from app.countries import country_name
from app.formatting import format_business_number, format_date, format_krw, format_krw_range
from app.i18n import current_language
from app.korean import particle, particle_args, with_particle
from app.labels import label, reason_label, score_component_name


def category_name(category: object, locale: str | None = None) -> str:
    """A category's name in the current (or given) locale, falling back to Korean."""
    if category is None:
        return ""
    if (locale or current_language()) == "en":
        english = getattr(category, "name_en", None)
        if english:
            return english
    return getattr(category, "name_ko", "") or ""


def place_name(municipality: object, locale: str | None = None) -> str:
    """A local government's full name in the current (or given) locale, falling back to Korean.

    Korean: "서울특별시 종로구"; English: "Jongno-gu, Seoul" (a province: just "Seoul").
    """
    if municipality is None:
        return ""
    if (locale or current_language()) == "en":
        english = getattr(municipality, "full_name_en", None)
        if english:
            return english
    return getattr(municipality, "full_name", "") or ""


def place_short_name(municipality: object, locale: str | None = None) -> str:
    """A local government's own name ("종로구" / "Jongno-gu"), falling back to Korean."""
    if municipality is None:
        return ""
    if (locale or current_language()) == "en":
        english = getattr(municipality, "name_en", None)
        if english:
            return english
    return getattr(municipality, "name", "") or ""


def lazy_place_name(municipality: object) -> LazyString:
    """place_name evaluated when rendered (e.g. a notification in its recipient's locale)."""
    return LazyString(place_name, municipality)


def place_particle_args(name: str, municipality: object, *forms: str) -> dict[str, object]:
    """Message arguments for a lazy place name plus its particles, chosen by the Korean name
    (only the Korean text has particles)."""
    args = particle_args(name, place_name(municipality, "ko"), *forms)
    args[name] = lazy_place_name(municipality)
    return args


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


def max_length(field) -> int | None:
    """The smallest Length(max=…) of a form field, for its character counter (None: no limit)."""
    limits = [v.max for v in getattr(field, "validators", ())
              if isinstance(v, Length) and v.max is not None and v.max >= 0]
    return min(limits) if limits else None


def register(app: Flask) -> None:
    """Install the filters and globals on the app."""
    app.jinja_env.filters.update(
        krw=format_krw,
        krw_range=format_krw_range,
        date=format_date,
        bizno=format_business_number,
        label=label,
        category_name=category_name,
        place_name=place_name,
        place_short_name=place_short_name,
        country_name=country_name,
        particle=particle,
        with_particle=with_particle,
    )
    # current_user as a global too, so macros imported without context can check who is viewing.
    app.jinja_env.globals.update(current_user=current_user)
    app.jinja_env.globals.update(reason_label=reason_label, score_component_name=score_component_name)
    app.jinja_env.globals.update(max_length=max_length)
    from app.services.decline import kind_of as decline_kind

    app.jinja_env.globals.update(decline_kind=decline_kind)
    app.jinja_env.filters.update(combine_attrs=lambda left, right: {**left, **right})
    app.jinja_env.globals.update(url_with_args=url_with_args, category_name=category_name,
                                 place_name=place_name, place_short_name=place_short_name)

    @app.context_processor
    def locale_context() -> dict[str, str]:
        return {"current_locale": current_language()}
