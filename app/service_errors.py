"""One unit of work per action: run a service, commit, or roll back and report the refusal."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import abort, flash
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.ids import parse_whole
from app.services import unit_of_work
from app.services.errors import (
    FieldErrors,
    NotFound,
    PermissionDenied,
    ServiceError,
    VersionConflict,
)


@dataclass
class Outcome:
    """What a committed service call returned, or the error that refused it."""

    value: Any = None
    error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def conflict(self) -> bool:
        """True when a concurrent change won (the form should show the current values)."""
        return isinstance(self.error, VersionConflict)


def commit_service(action: Callable[[], Any], form: FlaskForm | None = None, *,
                   flash_unplaced: bool = False) -> Outcome:
    """Run `action`, commit (releasing its after-commit side effects) and return its result.

    A ServiceError (or a stale version found at flush) rolls the whole unit back, so its
    notifications, audit entries and e-mails go with it; then it becomes 403/404, or a message
    on `form` (see `attach_error`), or a flash message when there is no form.
    """
    try:
        value = action()
        unit_of_work.commit()
    except StaleDataError:
        db.session.rollback()
        error: ServiceError = VersionConflict()
    except ServiceError as refused:
        db.session.rollback()
        error = refused
    else:
        return Outcome(value=value)
    abort_for(error)
    if form is None:
        flash(error.message, "danger")
    else:
        attach_error(form, error, flash_unplaced=flash_unplaced)
    return Outcome(error=error)


def abort_for(error: Exception) -> None:
    """Turn PermissionDenied into 403 and NotFound into 404; other errors pass through."""
    if isinstance(error, PermissionDenied):
        abort(403)
    if isinstance(error, NotFound):
        abort(404)


def attach_error(form: FlaskForm, error: ServiceError, *, flash_unplaced: bool = False,
                 beside_form_errors: bool = False) -> None:
    """Show a service error next to its field; one that names no field goes above the form
    (or into a flash message when the template shows no form-wide errors). Several errors found
    together (FieldErrors) are all shown; `beside_form_errors` skips a field the form's own
    validators already refused (its message says the same or comes first)."""
    if isinstance(error, FieldErrors):
        for each in error.errors:
            attach_error(form, each, flash_unplaced=flash_unplaced,
                         beside_form_errors=beside_form_errors)
        return
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        if beside_form_errors and target.errors:
            return
        if error.message not in target.errors:
            target.errors = list(target.errors) + [error.message]
    elif flash_unplaced:
        flash(error.message, "danger")
    else:
        form.form_errors.append(error.message)


def validate_with_rules(form: FlaskForm, check: Callable[[], Any], *,
                        flash_unplaced: bool = False) -> bool:
    """Validate a submitted form; when it has errors, also run the service's own rules (`check`
    raises what the service would, writing nothing), so one submit reports every problem.

    A valid form returns True and the service checks its rules again when it runs.
    """
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    try:
        check()
    except ServiceError as refused:
        abort_for(refused)
        attach_error(form, refused, flash_unplaced=flash_unplaced, beside_form_errors=True)
    return False


def submitted_version(form: FlaskForm) -> int | None:
    """The record version an edit form was loaded with (None when absent or malformed)."""
    return parse_whole(getattr(form, "version").data)
