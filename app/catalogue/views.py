"""Thin views of the public catalogue: solutions, needs, companies and municipalities."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from app.catalogue.forms import CompanySearchForm, NeedSearchForm, SolutionSearchForm
from app.extensions import db
from app.ids import page_number
from app.models import Company, GovernmentLevel, Municipality, Need, Solution
from app.services import catalogue as catalogue_service
from app.services import pagination
from app.services import questions as questions_service
from app.services import recommendations, visibility
from app.services.reference_data import categories, provinces
from matching.highlight import split_marked
from app.services.visibility import (
    can_view_need,
    can_view_solution,
    need_is_public,
    solution_is_public,
)

bp = Blueprint("catalogue", __name__)

MAX_PAGE = 10_000


def _page() -> int:
    """The requested page number; malformed or out-of-range values fall back to 1."""
    page = request.args.get("page", 1, type=page_number)
    return page if 1 <= page <= MAX_PAGE else 1


def _paginate(query):
    return pagination.paginate(query, page=_page(), per_page=current_app.config["PAGE_SIZE"])


def _page_args() -> dict:
    return {"page": _page(), "per_page": current_app.config["PAGE_SIZE"]}


@bp.app_template_filter("highlight")
def highlight(text, marks) -> Markup:
    """`text` escaped, with the search's matched words wrapped in <mark>."""
    return Markup("").join(Markup("<mark>{}</mark>").format(piece) if matched else escape(piece)
                           for piece, matched in split_marked(str(text or ""), marks or ()))


@bp.route("/solutions")
def solutions():
    """Search the public solutions by keyword, category, region, size, maturity and budget."""
    form = SolutionSearchForm(formdata=request.args)
    form.set_choices(categories(), provinces())
    form.validate()
    results = catalogue_service.search_solutions(form.to_filters(), **_page_args())
    return render_template("catalogue/solutions.html", form=form, results=results,
                           pagination=results.pagination, warnings=form.warnings())


@bp.route("/solutions/<int:solution_id>")
def solution_detail(solution_id: int):
    """One solution: public, or private to its own company and the admins."""
    solution = db.get_or_404(Solution, solution_id)
    if not can_view_solution(current_user, solution):
        abort(404)
    return render_template("catalogue/solution_detail.html", solution=solution,
                           is_public=solution_is_public(solution),
                           recommendable=recommendations.is_recommendable_solution(solution),
                           matches=recommendations.needs_for_solution(solution))


@bp.route("/needs")
def needs():
    """Search the public needs by keyword, category, region, budget and status."""
    form = NeedSearchForm(formdata=request.args)
    form.set_choices(categories(), provinces())
    form.validate()
    results = catalogue_service.search_needs(form.to_filters(), **_page_args())
    return render_template("catalogue/needs.html", form=form, results=results,
                           pagination=results.pagination, warnings=form.warnings())


@bp.route("/needs/<int:need_id>")
def need_detail(need_id: int):
    """One need: public, or private to its municipality's officials and the admins."""
    need = db.get_or_404(Need, need_id)
    if not can_view_need(current_user, need):
        abort(404)
    return render_template("catalogue/need_detail.html", need=need,
                           is_public=need_is_public(need),
                           recommendable=recommendations.is_recommendable_need(need),
                           matches=recommendations.solutions_for_need(need),
                           consortia=recommendations.consortia_for_need(need, top_k=3),
                           qa=questions_service.panel(current_user, need))


@bp.route("/companies")
def companies():
    """The approved convergence-alliance members."""
    form = CompanySearchForm(formdata=request.args)
    form.validate()
    results = catalogue_service.search_companies(form.to_filters(), **_page_args())
    pagination = results.pagination
    counts = catalogue_service.public_solution_counts([c.id for c in pagination.items])
    return render_template("catalogue/companies.html", form=form, results=results,
                           pagination=pagination, counts=counts, warnings=form.warnings())


def _may_see_company(company: Company) -> bool:
    return visibility.can_view_company(current_user, company)


@bp.route("/companies/<int:company_id>")
def company_detail(company_id: int):
    """An alliance member's profile and its public solutions."""
    company = db.get_or_404(Company, company_id)
    if not _may_see_company(company):
        abort(404)
    pagination = _paginate(catalogue_service.company_public_solutions(company))
    return render_template("catalogue/company_detail.html", company=company,
                           pagination=pagination, recs=recommendations.company_overview(company))


@bp.route("/municipalities")
def municipalities():
    """All 243 local governments grouped by province, with their open public needs."""
    groups = catalogue_service.municipality_groups()
    return render_template("catalogue/municipalities.html", groups=groups)


@bp.route("/municipalities/<int:municipality_id>")
def municipality_detail(municipality_id: int):
    """A local government's public needs; a province also lists its basic governments."""
    municipality = db.get_or_404(Municipality, municipality_id)
    pagination = _paginate(catalogue_service.municipality_public_needs(municipality))
    basics: list[tuple[Municipality, int]] = []
    if municipality.level == GovernmentLevel.PROVINCE:
        counts = catalogue_service.open_need_counts()
        basics = [(child, counts.get(child.id, 0)) for child in municipality.children]
    return render_template("catalogue/municipality_detail.html", municipality=municipality,
                           pagination=pagination, basics=basics)
