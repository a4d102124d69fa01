"""Thin views of the regulatory sandbox: flag a match, record progress, the admins' list and CSV.

The flag and progress forms live on the match's outcome page (templates/sandbox/_match.html,
included by templates/outcomes/detail.html); a refused form re-renders that page with its errors.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template
from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import organisation_required, role_required
from app.dashboard import tables
from app.extensions import db
from app.formatting import SEOUL
from app.ids import page_number
from app.models import Match, Role
from app.models.base import utcnow
from app.sandbox.forms import FlagForm, ProgressForm, SandboxFilterForm
from app.service_errors import commit_service
from app.services import sandbox as sandbox_service
from app.services.errors import ServiceError

bp = Blueprint("sandbox", __name__)

#: Either side of the match (vetted), or an admin.
ACTORS = (Role.COMPANY, Role.MUNICIPALITY, Role.ADMIN)


def _flag_form(match: Match) -> FlagForm:
    form = getattr(g, "sandbox_flag_form", None)
    if form is not None:
        return form
    kind, rule = sandbox_service.solution_suggestion(match)  # what the solution declares
    return FlagForm(formdata=None, data={"kind": kind.value if kind else "", "rule": rule})


def _progress_form(sandbox) -> ProgressForm:
    form = getattr(g, "sandbox_progress_form", None) or ProgressForm(formdata=None)
    form.set_choices(sandbox_service.next_progress(sandbox.progress) if sandbox else [])
    return form


def sandbox_panel(match: Match) -> dict:
    """What the outcome page shows of the match's exemption, and the forms the user may use."""
    sandbox = sandbox_service.sandbox_of(match)
    return {
        "sandbox": sandbox,
        "steps": list(sandbox.steps) if sandbox else [],
        "may_flag": sandbox_service.may_flag(current_user, match),
        "may_record": sandbox_service.may_record(current_user, match),
        "flaggable": match.status in sandbox_service.FLAGGABLE_STATUSES,
        "flag_form": _flag_form(match),
        "progress_form": _progress_form(sandbox),
    }


@bp.app_context_processor
def sandbox_helpers() -> dict:
    """Read-only helpers for the outcome pages."""
    return {"sandbox_panel": sandbox_panel,
            "sandbox_progress_counts": sandbox_service.progress_counts}


def _load_match(match_id: int) -> Match:
    match = db.get_or_404(Match, match_id)
    if not sandbox_service.may_act(current_user, match):
        abort(403)
    return match


def _outcome_page(match: Match):
    from app.outcomes.views import render_detail

    return render_detail(match, 400)


@bp.route("/matches/<int:match_id>/sandbox", methods=["POST"])
@organisation_required(*ACTORS)
def flag(match_id: int):
    """Flag the match as needing a regulatory exemption, naming the rule at stake."""
    match = _load_match(match_id)
    form = FlagForm()
    if form.validate() and commit_service(lambda: sandbox_service.flag(
            current_user, match, form.kind.data, form.rule.data, form.note.data), form,
            flash_unplaced=True):
        flash(_("규제특례가 필요한 매칭으로 표시했습니다."), "success")
        return redirect(url_for("outcomes.detail", match_id=match_id) + "#sandbox")
    g.sandbox_flag_form = form
    return _outcome_page(match)


@bp.route("/matches/<int:match_id>/sandbox/progress", methods=["POST"])
@organisation_required(*ACTORS)
def progress(match_id: int):
    """Record the next progress of the match's exemption."""
    match = _load_match(match_id)
    form = ProgressForm()
    sandbox = sandbox_service.sandbox_of(match)
    form.set_choices(sandbox_service.next_progress(sandbox.progress) if sandbox else [])
    if form.validate() and commit_service(lambda: sandbox_service.record_progress(
            current_user, match, form.progress.data, form.note.data), form,
            flash_unplaced=True):
        flash(_("규제특례 진행 상황을 기록했습니다."), "success")
        return redirect(url_for("outcomes.detail", match_id=match_id) + "#sandbox")
    g.sandbox_progress_form = form
    return _outcome_page(match)


def _filters(form: SandboxFilterForm) -> tuple[sandbox_service.SandboxFilters, int]:
    """The valid filters of the admins' list and the status (400 naming a bad value)."""
    try:
        return sandbox_service.parse_filters(form.progress.data, form.kind.data), 200
    except ServiceError as error:
        form[error.field].errors = [error.message]
        return sandbox_service.SandboxFilters(), 400


@bp.route("/admin/sandbox")
@role_required(Role.ADMIN)
def admin_list():
    """Matches that need a regulatory exemption, to bring to the sandbox process."""
    form = SandboxFilterForm(formdata=request.args)
    filters, status = _filters(form)
    page = request.args.get("page", 1, type=page_number)
    pagination = db.paginate(sandbox_service.list_query(filters), page=max(page, 1),
                             per_page=current_app.config.get("ADMIN_PAGE_SIZE", 50),
                             error_out=False)
    return render_template("sandbox/admin_list.html", form=form, pagination=pagination,
                           counts=sandbox_service.progress_counts(),
                           export_args={k: v for k, v in (("progress", form.progress.data),
                                                          ("kind", form.kind.data)) if v and
                                        status == 200}), status


@bp.route("/admin/sandbox/export.csv")
@role_required(Role.ADMIN)
def export_csv():
    """The same list as CSV (UTF-8 with a byte-order mark, formula-like cells quoted)."""
    form = SandboxFilterForm(formdata=request.args)
    filters, status = _filters(form)
    if status != 200:
        abort(400, description=next(iter(form.errors.values()))[0])
    day = utcnow().astimezone(SEOUL).strftime("%Y%m%d")
    return Response(
        tables.to_csv(list(sandbox_service.CSV_HEADERS), sandbox_service.csv_rows(filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=citymatch-sandbox-{day}.csv"},
    )
