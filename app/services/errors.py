"""Exceptions raised by services and turned into form errors or HTTP codes by views."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask_babel import lazy_gettext as _l

T = TypeVar("T")


class ServiceError(Exception):
    """A business rule refused the operation; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FieldErrors(ServiceError):
    """Several refusals found together (each naming its field), to be shown all at once."""

    def __init__(self, errors: list[ServiceError]) -> None:
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


class Problems:
    """Collects the refusals of independent checks, so that one answer reports all of them."""

    def __init__(self) -> None:
        self.errors: list[ServiceError] = []

    def add(self, message: str, field: str | None = None) -> None:
        """Record one refusal."""
        self.errors.append(ServiceError(message, field=field))

    def check(self, rule: Callable[..., T], *args, **kwargs) -> T | None:
        """Run a rule that raises one ServiceError; record its refusal and return None instead."""
        try:
            return rule(*args, **kwargs)
        except (PermissionDenied, NotFound):
            raise
        except FieldErrors as refused:
            self.errors.extend(refused.errors)
        except ServiceError as refused:
            self.errors.append(refused)
        return None

    def has(self, field: str) -> bool:
        """True when a refusal concerns `field` (a later rule that depends on it can be skipped)."""
        return any(error.field == field for error in self.errors)

    def raise_any(self) -> None:
        """Raise the refusal found, or all of them together."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)


class PermissionDenied(ServiceError):
    """The acting user may not do this (HTTP 403)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_l("이 작업을 할 권한이 없습니다.")))


class NotFound(ServiceError):
    """The object does not exist (HTTP 404)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_l("대상을 찾을 수 없습니다.")))


class VersionConflict(ServiceError):
    """Someone saved the record after this user loaded it; nothing was overwritten."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_l("다른 사용자가 먼저 수정했습니다. "
                                           "최신 내용을 확인한 뒤 다시 저장하세요.")))


def check_version(record: object, expected: int | None) -> None:
    """Refuse a change based on an older version of the record (None: the caller has none)."""
    if expected is not None and expected != getattr(record, "version"):
        raise VersionConflict()
