"""Forms of the Q&A on needs."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from app.services.questions import ANSWER_MAX, QUESTION_MAX


class QuestionForm(FlaskForm):
    """A company's question on a need (the service checks the text)."""

    text = TextAreaField(_l("질문"), render_kw={"rows": 3, "maxlength": QUESTION_MAX})


class AnswerForm(FlaskForm):
    """The officials' one answer to a question (the service checks the text)."""

    answer = TextAreaField(_l("답변"), render_kw={"rows": 3, "maxlength": ANSWER_MAX})


class ModerationForm(FlaskForm):
    """An admin hides a question ("1") or shows it again ("0")."""

    hidden = HiddenField()
