"""Thin views of an official's verification page: status, evidence, document upload."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.models import Role
from app.service_errors import commit_service
from app.services import verification
from app.verification.forms import DocumentForm

bp = Blueprint("verification", __name__)


def _render(form: DocumentForm, status: int = 200):
    return render_template(
        "verification/status.html",
        form=form,
        evidence=verification.evidence_of(current_user),
        domains=verification.official_domains(current_user.municipality),
        domain_matches=verification.evidence_domain_matches,
        can_add_document=verification.can_add_document(current_user),
        max_mb=current_app.config["VERIFICATION_DOCUMENT_MAX_BYTES"] / 1024 / 1024,
    ), status


@bp.route("/")
@role_required(Role.MUNICIPALITY)
def status():
    """The official's verification status and the evidence on file (the application's state)."""
    return _render(DocumentForm(formdata=None))


@bp.route("/documents", methods=["POST"])
@role_required(Role.MUNICIPALITY)
def upload():
    """Add a PDF or image as evidence for the admins (stored in the database)."""
    form = DocumentForm()
    if form.validate_on_submit():
        upload_file = form.document.data
        # One byte over the limit is enough to refuse; never read more than that.
        data = upload_file.read(current_app.config["VERIFICATION_DOCUMENT_MAX_BYTES"] + 1)
        outcome = commit_service(
            lambda: verification.add_document(current_user, upload_file.filename, data), form)
        if outcome:
            flash(_("증빙 문서를 올렸습니다. 관리자가 확인한 뒤 인증 결과를 알려 드립니다."), "success")
            return redirect(url_for("verification.status"))
    return _render(form, 400)
