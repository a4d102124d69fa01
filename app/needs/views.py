"""Thin views for a municipal official's own needs."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.extensions import db
from app.ids import page_number
from app.korean import particle_args
from app.labels import label
from app.models import NeedStatus, OfficialStatus, Role
from app.needs.forms import NeedEditForm, NeedForm, NeedStatusForm
from app.rate_limits import suggestion_limits
from app.service_errors import commit_service, submitted_version, validate_with_rules
from app.services import needs as needs_service
from app.services import draft_suggestions, policy, recommendations
from app.services import joint as joint_service
from app.services import questions as questions_service
from app.services.errors import NotFound, PermissionDenied
from app.services.reference_data import categories
from app.services.visibility import need_is_public

bp = Blueprint("needs", __name__)
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _load_need(need_id: int):
    """The need if it belongs to the signed-in official's municipality (else 403/404)."""
    try:
        return needs_service.get_need_for_official(current_user, need_id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)


def _status_from_args() -> NeedStatus | None:
    try:
        return NeedStatus(request.args.get("status", ""))
    except ValueError:
        return None


def _render_detail(need, status_form: NeedStatusForm, status: int = 200):
    """The need's page with its status buttons, recommended solutions and consortia."""
    return render_template(
        "needs/detail.html",
        need=need,
        status_form=status_form,
        can_manage=needs_service.can_manage_need(current_user, need),
        is_public=need_is_public(need),
        statuses=list(NeedStatus),
        recommendable=recommendations.is_recommendable_need(need),
        matches=recommendations.solutions_for_need(need),
        consortia=recommendations.consortia_for_need(need, top_k=3),
        joint=joint_service.need_panel(current_user, need),
        qa=questions_service.panel(current_user, need),
    ), status


@bp.route("/")
@role_required(Role.MUNICIPALITY)
def index():
    """The needs of the official's municipality, optionally filtered by status."""
    status = _status_from_args()
    page = request.args.get("page", 1, type=page_number)
    pagination = db.paginate(needs_service.municipality_needs(current_user, status),
                             page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "needs/index.html",
        pagination=pagination,
        status=status,
        statuses=list(NeedStatus),
        can_write=needs_service.can_write_needs(current_user),
        can_manage=lambda need: needs_service.can_manage_need(current_user, need),
        is_public=need_is_public,
        OfficialStatus=OfficialStatus,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.MUNICIPALITY)
def create():
    """Post a new need for the official's own municipality."""
    if not needs_service.can_write_needs(current_user):
        abort(403)
    form = NeedForm()
    form.set_category_choices(categories())
    if validate_with_rules(form, lambda: needs_service.check_need(form.to_data()),
                           flash_unplaced=True):
        outcome = commit_service(lambda: needs_service.create_need(current_user, form.to_data()),
                                 form, flash_unplaced=True)
        if outcome:
            need = outcome.value
            if current_user.acts_for_organisation:
                flash(_("수요를 등록했습니다. 카탈로그에 공개되었습니다."), "success")
            else:
                flash(_("수요를 등록했습니다. 관리자가 공무원 인증을 마치면 공개됩니다."), "info")
            return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/form.html", form=form, need=None), (400 if form.errors else 200)


@bp.route("/<int:need_id>")
@role_required(Role.MUNICIPALITY)
def detail(need_id: int):
    """One need of the official's municipality, with status buttons and recommendations."""
    return _render_detail(_load_need(need_id), NeedStatusForm())


def _edit_form(need, *, loaded: bool) -> NeedEditForm:
    """The edit form: from the submitted data, or (`loaded`) from the need as it is now."""
    form = NeedEditForm(formdata=None, obj=need) if loaded else NeedEditForm(obj=need)
    form.set_category_choices(categories())
    if loaded:
        form.primary_category_id.data = need.primary_category_id
        form.secondary_category_ids.data = [c.id for c in need.secondary_categories]
        form.status.data = need.status.value
        standard = need.required_data_hub_standard
        form.required_data_hub_standard.data = standard.value if standard else ""
        form.policy_areas.data = policy.area_values(need)
    return form


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@role_required(Role.MUNICIPALITY)
def edit(need_id: int):
    """Change a need's content and status."""
    need = _load_need(need_id)
    if not needs_service.can_manage_need(current_user, need):
        abort(403)
    form = _edit_form(need, loaded=request.method == "GET")
    if validate_with_rules(form, lambda: needs_service.check_need(form.to_data(), existing=need),
                           flash_unplaced=True):
        outcome = commit_service(lambda: needs_service.update_need(
            current_user, need, form.to_data(), submitted_version(form)), form,
            flash_unplaced=True)
        if outcome:
            flash(_("수요를 수정했습니다."), "success")
            return redirect(url_for("needs.detail", need_id=need.id))
        if outcome.conflict:  # show what the colleague saved; the user re-applies the change
            form = _edit_form(need, loaded=True)
            return render_template("needs/form.html", form=form, need=need), 409
    return render_template("needs/form.html", form=form, need=need), (400 if form.errors else 200)


@bp.route("/<int:need_id>/status", methods=["POST"])
@role_required(Role.MUNICIPALITY)
def change_status(need_id: int):
    """Move a need to another status with one button."""
    need = _load_need(need_id)
    form = NeedStatusForm()
    if not form.validate_on_submit():
        flash(_("상태를 목록에서 선택하세요."), "danger")
        return _render_detail(need, form, 400)
    if not commit_service(lambda: needs_service.change_status(current_user, need,
                                                              form.status.data)):
        return redirect(url_for("needs.detail", need_id=need.id))
    status = label(need.status)
    flash(_("상태를 '%(status)s'%(status_ro)s 바꿨습니다.", **particle_args("status", status, "으로")),
          "success")
    return redirect(url_for("needs.detail", need_id=need.id))


def _suggestion_json(suggestion: draft_suggestions.Suggestion) -> dict:
    return {
        "id": suggestion.solution_id,
        "title": suggestion.title,
        "company": suggestion.company,
        "score": round(suggestion.score, 4),
        "percent": round(suggestion.score * 100),
        "low_confidence": suggestion.low_confidence,
        "url": url_for("catalogue.solution_detail", solution_id=suggestion.solution_id),
    }


@bp.route("/suggestions", methods=["POST"])
@suggestion_limits
@role_required(Role.MUNICIPALITY)
def suggestions():
    """Published solutions that fit the need being drafted, as JSON for the need form.

    A POST only because a long draft does not fit in a URL: it writes nothing (no row, no index
    change) and is safe to repeat.
    """
    if not needs_service.can_write_needs(current_user):
        abort(403)
    if request.mimetype and request.mimetype not in FORM_MIMETYPES:  # none: an empty draft
        return _no_store(jsonify(error=_("초안은 폼 데이터로 보내야 합니다."), field=None), 400)
    try:
        draft = draft_suggestions.read_draft(request.form)
    except draft_suggestions.DraftRejected as error:
        return _no_store(jsonify(error=error.message, field=error.field), 400)
    result = draft_suggestions.suggest(draft, current_user)
    return _no_store(jsonify(
        suggestions=[_suggestion_json(s) for s in result.suggestions],
        partial=[_suggestion_json(s) for s in result.partial],
        hint=result.hint,
    ), 200)


def _no_store(response, status: int):
    """The draft is the official's unposted text: no cache may keep the answer."""
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
