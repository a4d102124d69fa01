"""Public Q&A on needs: company staff ask before any match, the need's officials answer once.

An answered question is shown to everyone who may see the need (as in procurement Q&A; the
asking company is not named to the others); an unanswered one only to its asker and the need's
officials. A question an admin hid is shown to the admins only.
"""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Need, NeedQuestion, NeedStatus, User
from app.models.base import utcnow
from app.services import notifications
from app.services.contact_rules import contact_refusal
from app.services.errors import NotFound, PermissionDenied, ServiceError
from app.services.visibility import can_view_need, need_is_public

QUESTION_MAX = 1000
ANSWER_MAX = 2000


def _refuse_contact_details(text: str, field: str) -> None:
    """Contact details are shared only after both sides agreed and an admin approved."""
    refusal = contact_refusal(text)
    if refusal:
        raise ServiceError(refusal, field=field)


def _checked_text(text: str | None, *, empty, too_long, limit: int, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(str(empty), field=field)
    if len(text) > limit:
        raise ServiceError(str(too_long), field=field)
    _refuse_contact_details(text, field)
    return text


def answers_for(user: User, need: Need) -> bool:
    """A verified official of the need's municipality (who answers its questions)."""
    return bool(user.is_official and user.acts_for_organisation
                and user.owner_key == need.owner_key)


def can_ask(user, need: Need) -> bool:
    """Staff of an approved company, on an open public need."""
    return bool(getattr(user, "is_authenticated", False) and user.is_company_user
                and user.acts_for_organisation and need.status == NeedStatus.OPEN
                and need_is_public(need))


def ask(user: User, need: Need, text: str | None) -> NeedQuestion:
    """Ask a question on an open need; its officials are notified."""
    if not user.is_company_user or not user.acts_for_organisation or not can_view_need(user, need):
        raise PermissionDenied()
    if not can_ask(user, need):
        raise ServiceError(_("모집 중인 수요에만 질문할 수 있습니다."), field="text")
    text = _checked_text(text, empty=_l("질문을 입력하세요."), field="text", limit=QUESTION_MAX,
                         too_long=_l("질문은 %(n)d자 이하로 입력하세요.", n=QUESTION_MAX))
    question = NeedQuestion(need=need, asked_by=user, company_id=user.company_id, text=text)
    db.session.add(question)
    db.session.flush()
    notifications.notify_municipality(
        need.owner, "need_question",
        _l("수요 '%(title)s'에 새 질문이 있습니다", title=need.title),
        # not the text itself: a question an admin hides later must not live on in mailboxes
        _l("기업 회원이 질문을 남겼습니다. 수요 페이지에서 확인하고 답변하세요."),
        notifications.local_path("needs.detail", need_id=need.id) + "#questions")
    return question


def answer(official: User, question: NeedQuestion, text: str | None) -> NeedQuestion:
    """Answer a question once; the asker is notified and every viewer of the need sees it."""
    if not answers_for(official, question.need):
        raise PermissionDenied()
    if question.answer is not None:
        raise ServiceError(_("이미 답변한 질문입니다."), field="answer")
    if question.hidden:
        raise ServiceError(_("관리자가 숨긴 질문에는 답변할 수 없습니다."), field="answer")
    question.answer = _checked_text(
        text, empty=_l("답변을 입력하세요."), field="answer", limit=ANSWER_MAX,
        too_long=_l("답변은 %(n)d자 이하로 입력하세요.", n=ANSWER_MAX))
    question.answered_by = official
    question.answered_at = utcnow()
    db.session.flush()
    notifications.notify(
        question.asked_by, "need_answer",
        _l("수요 '%(title)s'에 남긴 질문에 답변이 등록되었습니다", title=question.need.title),
        question.answer,
        notifications.local_path("catalogue.need_detail", need_id=question.need_id)
        + f"#question-{question.id}")
    return question


def set_hidden(admin: User, question: NeedQuestion, hidden: bool) -> NeedQuestion:
    """An admin hides an abusive question (or shows it again)."""
    if not admin.is_admin:
        raise PermissionDenied()
    question.hidden = bool(hidden)
    question.hidden_by = admin if hidden else None
    question.hidden_at = utcnow() if hidden else None
    db.session.flush()
    return question


def get_question(question_id: int) -> NeedQuestion:
    """A question by id (NotFound)."""
    question = db.session.get(NeedQuestion, question_id)
    if question is None:
        raise NotFound()
    return question


def visible_questions(user, need: Need) -> list[NeedQuestion]:
    """The need's questions the user may read, oldest first."""
    rows = db.session.scalars(
        select(NeedQuestion).where(NeedQuestion.need_id == need.id)
        .options(selectinload(NeedQuestion.company))
        .order_by(NeedQuestion.created_at, NeedQuestion.id))
    signed_in = getattr(user, "is_authenticated", False) and user.is_active
    if signed_in and user.is_admin:
        return list(rows)
    official = signed_in and answers_for(user, need)
    return [q for q in rows if not q.hidden and (
        q.answer is not None or official or (signed_in and q.asked_by_id == user.id))]


def panel(user, need: Need) -> dict:
    """What a need page shows of its Q&A to the user."""
    signed_in = getattr(user, "is_authenticated", False)
    return {
        "questions": visible_questions(user, need),
        "can_ask": can_ask(user, need),
        "can_answer": bool(signed_in and answers_for(user, need)),
        "can_moderate": bool(signed_in and user.is_admin),
        "max_question": QUESTION_MAX,
        "max_answer": ANSWER_MAX,
    }
