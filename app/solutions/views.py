"""Thin views for a company's own solutions and their deployment references."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import is_safe_redirect
from app.company.access import company_member_required
from app.extensions import db
from app.ids import page_number
from app.korean import particle_args
from app.labels import label
from app.models import Solution, SolutionStatus
from app.service_errors import abort_for, commit_service, submitted_version, validate_with_rules
from app.services import policy, recommendations, solutions
from app.services.errors import ServiceError
from app.solutions.forms import ReferenceForm, SolutionForm

bp = Blueprint("solutions", __name__)


@bp.context_processor
def _helpers():
    return {
        "visibility_note": solutions.visibility_note,
        "available_transitions": solutions.available_transitions,
    }


def _own(solution_id: int) -> Solution:
    """The solution if it belongs to the user's company; 404 / 403 otherwise."""
    try:
        return solutions.own_solution(current_user, solution_id)
    except ServiceError as error:
        abort_for(error)
        raise


def _input_from(form: SolutionForm) -> solutions.SolutionInput:
    return solutions.SolutionInput(
        title=form.title.data or "",
        summary=form.summary.data or "",
        description=form.description.data or "",
        primary_category_id=form.primary_category_id.data,
        secondary_category_ids=form.secondary_category_ids.data or [],
        tags=form.tags.data or "",
        maturity=form.maturity.data or "",
        price_min=form.price_min.data,
        price_max=form.price_max.data,
        region_ids=form.region_ids.data or [],
        data_hub_standards=form.data_hub_standards.data or [],
        open_source_license=form.open_source_license.data or "",
        source_url=form.source_url.data or "",
        title_en=form.title_en.data or "",
        summary_en=form.summary_en.data or "",
        description_en=form.description_en.data or "",
        sandbox_kind=form.sandbox_kind.data or "",
        sandbox_rule=form.sandbox_rule.data or "",
        policy_areas=form.policy_areas.data or [],
    )


def _form_data(solution: Solution) -> dict:
    return {
        "title": solution.title,
        "summary": solution.summary,
        "description": solution.description,
        "primary_category_id": solution.primary_category_id,
        "secondary_category_ids": [c.id for c in solution.secondary_categories],
        "tags": ", ".join(tag.name for tag in solution.tags),
        "maturity": solution.maturity.value,
        "price_min": solution.price_min,
        "price_max": solution.price_max,
        "region_ids": [region.id for region in solution.regions_served],
        "data_hub_standards": [s.value for s in solution.data_hub_standards],
        "open_source_license": solution.open_source_license or "",
        "source_url": solution.source_url or "",
        "title_en": solution.title_en or "",
        "summary_en": solution.summary_en or "",
        "description_en": solution.description_en or "",
        "sandbox_kind": solution.sandbox_kind.value if solution.sandbox_kind else "",
        "sandbox_rule": solution.sandbox_rule or "",
        "policy_areas": policy.area_values(solution),
        "version": solution.version,
    }


def _back_to(solution_id: int | None = None):
    target = request.form.get("next")
    if is_safe_redirect(target):
        return redirect(target)
    if solution_id is not None:
        return redirect(url_for("solutions.detail", solution_id=solution_id))
    return redirect(url_for("solutions.index"))


@bp.route("/")
@company_member_required
def index():
    """The company's solutions with their status (optionally filtered by status)."""
    status_value = request.args.get("status", "")
    status = next((s for s in SolutionStatus if s.value == status_value), None)
    page = request.args.get("page", 1, type=page_number)
    pagination = db.paginate(
        solutions.company_solutions_query(current_user.company, status),
        page=max(page, 1), per_page=current_app.config["PAGE_SIZE"], error_out=False,
    )
    return render_template("solutions/index.html", pagination=pagination, status=status,
                           statuses=list(SolutionStatus), company=current_user.company,
                           counts=solutions.status_counts(current_user.company))


@bp.route("/new", methods=["GET", "POST"])
@company_member_required
def create():
    """Write a new solution (saved as a draft)."""
    form = SolutionForm()
    if validate_with_rules(form, lambda: solutions.check_solution(_input_from(form),
                                                                  current_user.company_id)):
        outcome = commit_service(lambda: solutions.create_solution(current_user,
                                                                   _input_from(form)), form)
        if outcome:
            flash(_("솔루션을 초안으로 저장했습니다. 내용을 확인한 뒤 게시하세요."), "success")
            return redirect(url_for("solutions.detail", solution_id=outcome.value.id))
    return render_template("solutions/form.html", form=form, solution=None,
                           company=current_user.company), (400 if form.errors else 200)


@bp.route("/<int:solution_id>")
@company_member_required
def detail(solution_id: int):
    """One of the company's solutions as its owner sees it, with the needs it matches."""
    solution = _own(solution_id)
    return render_template("solutions/detail.html", solution=solution,
                           recommendable=recommendations.is_recommendable_solution(solution),
                           matches=recommendations.needs_for_solution(solution))


def _render_edit(solution: Solution, form: SolutionForm, reference_form: ReferenceForm,
                 status: int = 200):
    return render_template("solutions/form.html", form=form, solution=solution,
                           reference_form=reference_form, company=solution.company), status


@bp.route("/<int:solution_id>/edit", methods=["GET", "POST"])
@company_member_required
def edit(solution_id: int):
    """Change a solution's listing; references are managed below the form."""
    solution = _own(solution_id)
    form = SolutionForm(data=_form_data(solution))
    if validate_with_rules(form, lambda: solutions.check_solution(
            _input_from(form), solution.company_id, exclude_id=solution.id)):
        outcome = commit_service(lambda: solutions.update_solution(
            current_user, solution_id, _input_from(form), submitted_version(form)), form)
        if outcome:
            flash(_("솔루션을 저장했습니다."), "success")
            return redirect(url_for("solutions.detail", solution_id=solution_id))
        solution = _own(solution_id)
        if outcome.conflict:  # show what the colleague saved; the user re-applies the change
            form = SolutionForm(formdata=None, data=_form_data(solution))
            form.form_errors.append(outcome.error.message)
            return _render_edit(solution, form, ReferenceForm(formdata=None), 409)
    return _render_edit(solution, form, ReferenceForm(formdata=None),
                        400 if form.errors else 200)


@bp.route("/<int:solution_id>/status", methods=["POST"])
@company_member_required
def change_status(solution_id: int):
    """Publish, archive, re-publish or unpublish."""
    _own(solution_id)
    outcome = commit_service(lambda: solutions.change_status(current_user, solution_id,
                                                             request.form.get("status", "")))
    if outcome:
        solution = outcome.value
        status = label(solution.status)
        message = _("상태를 ‘%(status)s’%(status_ro)s 바꿨습니다.",
                    **particle_args("status", status, "으로"))
        note = solutions.visibility_note(solution)
        flash(f"{message} {note}" if note else message, "success")
    return _back_to(solution_id)


@bp.route("/<int:solution_id>/delete", methods=["POST"])
@company_member_required
def delete(solution_id: int):
    """Delete a draft."""
    _own(solution_id)
    outcome = commit_service(lambda: solutions.delete_solution(current_user, solution_id))
    if not outcome:
        return redirect(url_for("solutions.detail", solution_id=solution_id))
    flash(_("‘%(title)s’ 초안을 삭제했습니다.", title=outcome.value), "success")
    return redirect(url_for("solutions.index"))


@bp.route("/<int:solution_id>/references", methods=["POST"])
@company_member_required
def add_reference(solution_id: int):
    """Add a deployment reference."""
    solution = _own(solution_id)
    reference_form = ReferenceForm()
    if validate_with_rules(reference_form, lambda: solutions.check_reference(
            solution, municipality_id=reference_form.municipality_id.data,
            year=reference_form.year.data, outcome=reference_form.outcome.data,
            data_hub_name=reference_form.data_hub_name.data)):
        if commit_service(lambda: solutions.add_reference(
                current_user, solution_id, municipality_id=reference_form.municipality_id.data,
                year=reference_form.year.data, outcome=reference_form.outcome.data,
                data_hub_name=reference_form.data_hub_name.data),
                reference_form):
            flash(_("도입 실적을 추가했습니다."), "success")
            return redirect(url_for("solutions.edit", solution_id=solution_id) + "#references")
        solution = _own(solution_id)
    return _render_edit(solution, SolutionForm(formdata=None, data=_form_data(solution)),
                        reference_form, 400)


@bp.route("/<int:solution_id>/references/<int:reference_id>/delete", methods=["POST"])
@company_member_required
def remove_reference(solution_id: int, reference_id: int):
    """Remove a deployment reference."""
    _own(solution_id)
    if commit_service(lambda: solutions.remove_reference(current_user, solution_id,
                                                         reference_id)):
        flash(_("도입 실적을 삭제했습니다."), "success")
    return redirect(url_for("solutions.edit", solution_id=solution_id) + "#references")
