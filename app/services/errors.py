"""Exceptions raised by services and turned into form errors or HTTP codes by views."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    """A business rule refused the operation; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
