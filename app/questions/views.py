"""Thin views of the Q&A on needs: ask, answer once, and the admins' hiding."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import organisation_required, role_required
from app.extensions import db
from app.models import Need, Role
from app.questions.forms import AnswerForm, ModerationForm, QuestionForm
from app.service_errors import commit_service
from app.services import questions as questions_service
from app.services.errors import NotFound
from app.services.visibility import can_view_need

bp = Blueprint("questions", __name__)


def _question(question_id: int):
    try:
        return questions_service.get_question(question_id)
    except NotFound:
        abort(404)


def _refused(form, need: Need, text_field, back: str, question=None):
    """The refused question or answer again, with its messages (nothing was saved)."""
    return render_template("questions/form.html", form=form, need=need, text_field=text_field,
                           back=back, question=question), 400


@bp.route("/needs/<int:need_id>", methods=["POST"])
@organisation_required(Role.COMPANY)
def ask(need_id: int):
    """Ask a question on an open need."""
    need = db.get_or_404(Need, need_id)
    if not can_view_need(current_user, need):
        abort(404)
    form = QuestionForm()
    if form.validate_on_submit() and commit_service(
            lambda: questions_service.ask(current_user, need, form.text.data), form):
        flash(_("질문을 등록했습니다. 담당 공무원이 답변하면 알려 드립니다."), "success")
        return redirect(url_for("catalogue.need_detail", need_id=need.id) + "#questions")
    return _refused(form, need, form.text,
                    url_for("catalogue.need_detail", need_id=need.id) + "#questions")


@bp.route("/<int:question_id>/answer", methods=["POST"])
@organisation_required(Role.MUNICIPALITY)
def answer(question_id: int):
    """The need's officials answer a question (once)."""
    question = _question(question_id)
    if not questions_service.answers_for(current_user, question.need):
        abort(403)
    form = AnswerForm()
    if form.validate_on_submit() and commit_service(
            lambda: questions_service.answer(current_user, question, form.answer.data), form):
        flash(_("답변을 등록했습니다. 이 수요를 보는 모든 기업에 공개됩니다."), "success")
        return redirect(url_for("needs.detail", need_id=question.need_id) + "#questions")
    return _refused(form, question.need, form.answer,
                    url_for("needs.detail", need_id=question.need_id) + "#questions",
                    question=question)


@bp.route("/<int:question_id>/moderation", methods=["POST"])
@role_required(Role.ADMIN)
def moderate(question_id: int):
    """Hide an abusive question, or show it again."""
    question = _question(question_id)
    form = ModerationForm()
    hidden = form.hidden.data == "1"
    if form.validate_on_submit() and commit_service(
            lambda: questions_service.set_hidden(current_user, question, hidden)):
        flash(_("질문을 숨겼습니다.") if hidden else _("질문을 다시 공개했습니다."), "success")
    return redirect(url_for("catalogue.need_detail", need_id=question.need_id) + "#questions")
