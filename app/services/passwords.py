"""Password policy per NIST SP 800-63B: a length range and a blocklist, no composition rules."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from app.services.errors import ServiceError

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS_PATH = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords (lower-cased)."""
    return frozenset(line.strip().lower()
                     for line in COMMON_PASSWORDS_PATH.read_text(encoding="utf-8").splitlines()
                     if line.strip())


def _personal_words(email: str | None, name: str | None) -> set[str]:
    words = set()
    if email:
        local = email.strip().lower().split("@")[0]
        words.add(email.strip().lower())
        if len(local) >= 4:
            words.add(local)
    if name and len(name.strip()) >= 2:
        words.add(re.sub(r"\s+", "", name.strip().lower()))
    return words


def password_problem(password: str, *, email: str | None = None,
                     name: str | None = None) -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    password = password or ""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return _("비밀번호는 %(min)d자 이상 %(max)d자 이하여야 합니다.", min=MIN_LENGTH, max=MAX_LENGTH)
    folded = password.lower()
    if folded in common_passwords():
        return _("너무 흔하거나 유출된 적이 있는 비밀번호입니다. 다른 비밀번호를 고르세요.")
    compact = re.sub(r"\s+", "", folded)
    if any(word == compact or (len(word) >= 4 and word in compact)
           for word in _personal_words(email, name)):
        return _("이메일 주소나 이름이 들어간 비밀번호는 쓸 수 없습니다.")
    return None


def check_password_policy(password: str, *, email: str | None = None, name: str | None = None,
                          field: str = "password") -> None:
    """Raise a ServiceError on `field` when the password breaks the policy."""
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise ServiceError(problem, field=field)
