"""Thin views of the alerts page: saved searches, digest frequency and bookmarks."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.alerts.forms import ActionForm, DigestForm, SavedSearchForm
from app.auth.access import is_safe_redirect
from app.models import SearchTarget
from app.service_errors import commit_service
from app.services import bookmarks, digests, saved_searches
from app.services.errors import PermissionDenied

bp = Blueprint("alerts", __name__)


@bp.app_template_global("is_bookmarked")
def is_bookmarked(kind: str, listing_id: int) -> bool:
    """Whether the signed-in user bookmarked this listing (for the toggle buttons)."""
    return bookmarks.is_bookmarked(current_user, kind, listing_id)


def _search_target():
    """What the signed-in user may follow, or None (admins follow nothing)."""
    try:
        return saved_searches.target_for(current_user)
    except PermissionDenied:
        return None


def _render(search_form: SavedSearchForm | None = None, digest_form: DigestForm | None = None,
            status: int = 200):
    target = _search_target()
    digest_form = digest_form or DigestForm(
        formdata=None, frequency=digests.frequency_of(current_user).value)
    return render_template(
        "alerts/index.html",
        target=target,
        follows_needs=target == SearchTarget.NEED,
        searches=saved_searches.searches_of(current_user),
        describe=saved_searches.describe,
        search_form=search_form or (SavedSearchForm(formdata=None) if target else None),
        digest_form=digest_form,
        action_form=ActionForm(formdata=None),
        saved=bookmarks.bookmarks_of(current_user),
    ), status


@bp.route("/")
@login_required
def index():
    """The user's saved searches, digest frequency and bookmarks on one page."""
    return _render()


@bp.route("/searches", methods=["POST"])
@login_required
def create_search():
    """Save a search (companies: needs by field, region, budget; officials: solutions by field)."""
    form = SavedSearchForm()
    if form.validate_on_submit() and commit_service(
            lambda: saved_searches.save_search(current_user, form.criteria()), form):
        flash(_("검색 조건을 저장했습니다. 새 게시물이 올라오면 알려 드립니다."), "success")
        return redirect(url_for("alerts.index"))
    return _render(search_form=form, status=400)


@bp.route("/searches/<int:search_id>/delete", methods=["POST"])
@login_required
def delete_search(search_id: int):
    """Stop following one of the user's saved searches."""
    if ActionForm().validate_on_submit() and commit_service(
            lambda: saved_searches.delete_search(current_user, search_id)):
        flash(_("검색 조건을 삭제했습니다."), "success")
    return redirect(url_for("alerts.index"))


@bp.route("/digest", methods=["POST"])
@login_required
def digest():
    """Choose daily, weekly or no digest e-mail."""
    form = DigestForm()
    if form.validate_on_submit() and commit_service(
            lambda: digests.set_frequency(current_user, form.frequency.data), form):
        flash(_("요약 메일 설정을 저장했습니다."), "success")
        return redirect(url_for("alerts.index"))
    return _render(digest_form=form, status=400)


def _toggle(kind: str, listing_id: int, fallback: str):
    form = ActionForm()
    if form.validate_on_submit():
        outcome = commit_service(lambda: bookmarks.toggle(current_user, kind, listing_id))
        if outcome:
            flash(_("북마크에 추가했습니다.") if outcome.value else _("북마크에서 뺐습니다."),
                  "success")
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else fallback)


@bp.route("/bookmarks/needs/<int:need_id>", methods=["POST"])
@login_required
def bookmark_need(need_id: int):
    """Bookmark a need the user may see, or remove the bookmark."""
    return _toggle("need", need_id, url_for("catalogue.need_detail", need_id=need_id))


@bp.route("/bookmarks/solutions/<int:solution_id>", methods=["POST"])
@login_required
def bookmark_solution(solution_id: int):
    """Bookmark a solution the user may see, or remove the bookmark."""
    return _toggle("solution", solution_id,
                   url_for("catalogue.solution_detail", solution_id=solution_id))


@bp.route("/bookmarks/companies/<int:company_id>", methods=["POST"])
@login_required
def bookmark_company(company_id: int):
    """Bookmark a company the user may see, or remove the bookmark."""
    return _toggle("company", company_id,
                   url_for("catalogue.company_detail", company_id=company_id))
