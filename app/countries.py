"""ISO 3166-1 alpha-2 countries accepted for overseas organisations (app/data/countries.csv)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.i18n import current_language

COUNTRIES_CSV = Path(__file__).parent / "data" / "countries.csv"


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_ko: str


@cache
def countries() -> dict[str, Country]:
    """Every accepted country by its upper-case alpha-2 code, in file order."""
    with COUNTRIES_CSV.open(encoding="utf-8") as handle:
        return {row["code"]: Country(row["code"], row["name_en"], row["name_ko"])
                for row in csv.DictReader(handle)}


def normalise_code(code: str | None) -> str:
    return (code or "").strip().upper()


def is_known(code: str | None) -> bool:
    """True for an accepted alpha-2 code (any case)."""
    return normalise_code(code) in countries()


def country_name(code: str | None, locale: str | None = None) -> str:
    """The country's name in the current (or given) language; the code itself when unknown."""
    country = countries().get(normalise_code(code))
    if country is None:
        return normalise_code(code)
    return country.name_en if (locale or current_language()) == "en" else country.name_ko


def choices(locale: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by the name in the current language, for select fields."""
    return sorted(((code, country_name(code, locale)) for code in countries()),
                  key=lambda pair: pair[1])
