"""Forms of the Q&A on needs."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.services.questions import ANSWER_MAX, QUESTION_MAX


class QuestionForm(FlaskForm):
    """A company's question on a need (the service checks the text again)."""

    text = TextAreaField(_l("질문"), validators=[
        DataRequired(_l("질문을 입력하세요.")),
        Length(max=QUESTION_MAX, message=_l("질문은 %(n)d자 이하로 입력하세요.", n=QUESTION_MAX))],
        render_kw={"rows": 3})


class AnswerForm(FlaskForm):
    """The officials' one answer to a question (the service checks the text again)."""

    answer = TextAreaField(_l("답변"), validators=[
        DataRequired(_l("답변을 입력하세요.")),
        Length(max=ANSWER_MAX, message=_l("답변은 %(n)d자 이하로 입력하세요.", n=ANSWER_MAX))],
        render_kw={"rows": 3})


class ModerationForm(FlaskForm):
    """An admin hides a question ("1") or shows it again ("0")."""

    hidden = HiddenField()
