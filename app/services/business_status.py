"""Business status from the National Tax Service API (국세청 사업자등록 상태조회), when configured.

POST {NTS_STATUS_API_URL}?serviceKey=… with {"b_no": ["1234567890", …]} (at most 100 numbers)
answers {"status_code": "OK", "data": [{"b_no": …, "b_stt_cd": "01" | "02" | "03" | "", "end_dt":
"YYYYMMDD" | "", …}]}: 01 계속사업자, 02 휴업자, 03 폐업자, and an empty code with the tax_type
"국세청에 등록되지 않은 사업자등록번호입니다." for a number the NTS does not know. Any other outcome
(timeout, refused connection, HTTP error, unexpected body) is recorded as UNAVAILABLE: registration
never waits longer than the timeouts and never fails because of the API.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

import requests
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import BusinessStatus, BusinessStatusCheck, Company, User
from app.models.base import utcnow
from app.services import audit
from app.services.errors import PermissionDenied, ServiceError

log = logging.getLogger(__name__)

BATCH_SIZE = 100  # the API's limit of numbers per request
_STATUS_BY_CODE = {"01": BusinessStatus.ACTIVE, "02": BusinessStatus.SUSPENDED,
                   "03": BusinessStatus.CLOSED, "": BusinessStatus.UNREGISTERED}


def is_enabled() -> bool:
    """True when a service key is configured (the check is off by default)."""
    return bool(current_app.config.get("NTS_SERVICE_KEY"))


def _closed_on(raw: object) -> date | None:
    try:
        return datetime.strptime(str(raw), "%Y%m%d").date()
    except ValueError:
        return None


def _ask(numbers: list[str]) -> dict[str, dict]:
    """The API's entry per number; empty when it gave no usable answer."""
    config = current_app.config
    timeout = config["NTS_TIMEOUT_SECONDS"]
    try:
        response = requests.post(config["NTS_STATUS_API_URL"],
                                 params={"serviceKey": config["NTS_SERVICE_KEY"]},
                                 json={"b_no": numbers}, timeout=(timeout, timeout),
                                 allow_redirects=False)  # a redirect would carry the key away
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        # The exception's text holds the URL with the service key: log only its type.
        log.warning("NTS status API unavailable / 국세청 상태조회 실패: %s", type(error).__name__)
        return {}
    if not isinstance(body, dict) or body.get("status_code") != "OK" \
            or not isinstance(body.get("data"), list):
        log.warning("NTS status API gave an unexpected answer / 국세청 응답 형식 오류")
        return {}
    return {str(entry.get("b_no", "")).replace("-", ""): entry
            for entry in body["data"] if isinstance(entry, dict)}


def _status_of(entry: dict | None) -> tuple[BusinessStatus, date | None]:
    if entry is None:
        return BusinessStatus.UNAVAILABLE, None
    status = _STATUS_BY_CODE.get(str(entry.get("b_stt_cd") or ""), BusinessStatus.UNAVAILABLE)
    closed_on = _closed_on(entry.get("end_dt")) if status == BusinessStatus.CLOSED else None
    return status, closed_on


Answer = tuple[BusinessStatus, date | None]  # the status and, for a closed business, since when


def lookup(numbers: Iterable[str]) -> dict[str, Answer] | None:
    """The NTS's answer for each number (asked in batches); None when the check is switched off.

    Call it before writing: the HTTP round trip should not hold database locks."""
    if not is_enabled():
        return None
    pending = list(dict.fromkeys(numbers))
    answers: dict[str, Answer] = {}
    for start in range(0, len(pending), BATCH_SIZE):
        batch = pending[start:start + BATCH_SIZE]
        entries = _ask(batch)
        answers.update({number: _status_of(entries.get(number)) for number in batch})
    return answers


def record(company: Company, answers: dict[str, Answer] | None) -> BusinessStatusCheck | None:
    """Store the answer for the company's (flushed) number; nothing when the check is off."""
    if answers is None:
        return None
    status, closed_on = answers.get(company.business_number, (BusinessStatus.UNAVAILABLE, None))
    check = BusinessStatusCheck(company_id=company.id, business_number=company.business_number,
                                status=status, closed_on=closed_on, checked_at=utcnow())
    db.session.add(check)
    db.session.flush()
    return check


def check_company(company: Company) -> BusinessStatusCheck | None:
    """Ask the NTS about one company's number and store the answer; None when switched off."""
    return record(company, lookup([company.business_number]))


def latest_check(company: Company) -> BusinessStatusCheck | None:
    """The most recent answer recorded for the company, if any."""
    return db.session.scalar(
        select(BusinessStatusCheck).where(BusinessStatusCheck.company_id == company.id)
        .order_by(BusinessStatusCheck.checked_at.desc(), BusinessStatusCheck.id.desc()).limit(1)
    )


def recheck(actor: User, company: Company) -> BusinessStatusCheck:
    """An admin asks the NTS again about a company's number (audit-logged)."""
    if actor is None or not actor.is_admin:
        raise PermissionDenied()
    if not is_enabled():
        raise ServiceError(_("국세청 사업자 상태조회가 설정되어 있지 않습니다 (NTS_SERVICE_KEY)."))
    check = check_company(company)
    audit.record(actor, "company.business_status", company,
                 after={"business_status": check.status.value})
    return check
