"""Turning service errors into HTTP codes and form messages, shared by every blueprint."""
from __future__ import annotations

from flask import abort, flash
from flask_wtf import FlaskForm

from app.services.errors import NotFound, PermissionDenied, ServiceError


def abort_for(error: Exception) -> None:
    """Turn PermissionDenied into 403 and NotFound into 404; other errors pass through."""
    if isinstance(error, PermissionDenied):
        abort(403)
    if isinstance(error, NotFound):
        abort(404)


def attach_error(form: FlaskForm, error: ServiceError, *, flash_unplaced: bool = False) -> None:
    """Show a service error next to its field; one that names no field goes above the form
    (or into a flash message when the template shows no form-wide errors)."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    elif flash_unplaced:
        flash(error.message, "danger")
    else:
        form.form_errors.append(error.message)
