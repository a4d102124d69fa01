"""Data hub and open source (4th Smart City Plan): the standards vocabulary, SPDX licences and
source URLs of solutions, a deployment's data hub, and what a need requires (docs/data-hub.md).

The licence is checked against the SPDX licence list shipped offline with `license-expression`
(pinned in requirements.txt): any SPDX expression (``MIT``, ``Apache-2.0 OR MIT``,
``GPL-2.0-or-later WITH Classpath-exception-2.0``) is accepted and stored in its canonical
spelling; an unknown identifier is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from flask_babel import gettext as _

from app.models import DataHubStandard
from app.services.errors import ServiceError

LICENSE_MAX = 200
SOURCE_URL_MAX = 500
DATA_HUB_NAME_MAX = 100


@lru_cache(maxsize=1)
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def standard_from_code(raw: str | None, field: str) -> DataHubStandard | None:
    """The vocabulary member of a submitted code ('' → None); anything else is refused."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return DataHubStandard(value)
    except ValueError as exc:
        raise ServiceError(_("데이터허브 연계 표준은 목록에서 선택하세요."), field=field) from exc


def clean_standards(raw: list[str] | None, field: str = "data_hub_standards"
                    ) -> list[DataHubStandard]:
    """The submitted standards, deduplicated, in vocabulary order."""
    chosen = {standard_from_code(code, field) for code in raw or []} - {None}
    return [s for s in DataHubStandard if s in chosen]


def normalise_license(raw: str | None, field: str = "open_source_license") -> str | None:
    """The canonical SPDX expression of a submitted licence ('' → None, not open source)."""
    text = re.sub(r"\s+", " ", (raw or "").strip())
    if not text:
        return None
    if len(text) > LICENSE_MAX:
        raise ServiceError(_("오픈소스 라이선스는 %(max)d자 이하로 입력하세요.", max=LICENSE_MAX),
                           field=field)
    try:
        info = _licensing().validate(text, strict=True)
    except Exception:  # the library raises on some malformed expressions ("MIT OR")
        info = None
    if info is None or info.errors or not info.normalized_expression:
        unknown = [s for s in (info.invalid_symbols if info else []) if s]
        if unknown:
            raise ServiceError(_("SPDX 라이선스 목록에 없는 식별자입니다: %(ids)s. "
                                 "SPDX 식별자로 입력하세요. (예: Apache-2.0, MIT, GPL-3.0-only)",
                                 ids=", ".join(unknown[:3])), field=field)
        raise ServiceError(_("SPDX 라이선스 표현식 형식이 올바르지 않습니다. "
                             "(예: Apache-2.0, MIT OR Apache-2.0)"), field=field)
    return str(info.normalized_expression)


def clean_source_url(raw: str | None, field: str = "source_url") -> str | None:
    """An http(s) address of the source code ('' → None)."""
    url = (raw or "").strip()
    if not url:
        return None
    if len(url) > SOURCE_URL_MAX:
        raise ServiceError(_("소스 코드 주소는 %(max)d자 이하로 입력하세요.", max=SOURCE_URL_MAX),
                           field=field)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme.lower() not in {"http", "https"} or "." not in host or re.search(r"\s", url):
        raise ServiceError(_("소스 코드 주소는 http:// 또는 https://로 시작하는 올바른 주소로 "
                             "입력하세요. (예: https://github.com/기관/저장소)"), field=field)
    return url


@dataclass(frozen=True)
class OpenSource:
    """A solution's checked licence and source URL (both None: not open source)."""

    license: str | None
    source_url: str | None


def check_open_source(license_raw: str | None, url_raw: str | None, problems) -> OpenSource:
    """Licence and URL together: a licence needs a source URL (and a URL alone is refused too,
    so an address never suggests openness the listing does not state)."""
    license = problems.check(normalise_license, license_raw)
    url = problems.check(clean_source_url, url_raw)
    if problems.has("open_source_license") or problems.has("source_url"):
        return OpenSource(None, None)
    if license and not url:
        problems.add(_("오픈소스 라이선스를 입력했다면 소스 코드 주소(http/https)도 입력하세요."),
                     field="source_url")
    elif url and not license:
        problems.add(_("소스 코드 주소를 입력했다면 SPDX 라이선스도 입력하세요."),
                     field="open_source_license")
    return OpenSource(license, url)


def clean_data_hub_name(raw: str | None, field: str = "data_hub_name") -> str | None:
    """A deployment's data hub (e.g. "부산 데이터허브"), spaces collapsed ('' → None)."""
    name = re.sub(r"\s+", " ", (raw or "").strip())
    if not name:
        return None
    if len(name) > DATA_HUB_NAME_MAX:
        raise ServiceError(_("데이터허브 이름은 %(max)d자 이하로 입력하세요.", max=DATA_HUB_NAME_MAX),
                           field=field)
    return name
