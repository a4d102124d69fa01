"""Forms of the match workflow: interest requests, answers, consortium proposals, admin review."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.auth.forms import optional_int
from app.ids import record_id
from app.services.contact_rules import contact_refusal
from app.services.workflow import MAX_PARTNERS, MESSAGE_MAX, REASON_MAX


def optional_float(value: object) -> float | None:
    """A score from the query string or a hidden field; malformed values count as none."""
    try:
        return float(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def no_contact_details(form, field) -> None:
    """A message sent before approval may not carry contact details (checked with the other
    fields, so that every problem shows at once; the workflow checks it again)."""
    refusal = contact_refusal(field.data)
    if refusal:
        raise ValidationError(refusal)


def _message_field() -> TextAreaField:
    return TextAreaField(_l("메시지"), validators=[
        DataRequired(_l("상대방에게 보낼 메시지를 입력하세요.")),
        Length(max=MESSAGE_MAX, message=_l("메시지는 %(max)d자 이하로 입력하세요.")),
        no_contact_details,
    ], render_kw={"rows": 5})


def _reason_field(label) -> TextAreaField:
    return TextAreaField(label, validators=[
        Optional(),
        Length(max=REASON_MAX, message=_l("사유는 %(max)d자 이하로 입력하세요.")),
    ], render_kw={"rows": 3})


class MatchRequestForm(FlaskForm):
    """Express interest: a need and a solution (one of them fixed by the page) and a message."""

    need_id = SelectField(_l("수요"), coerce=optional_int, validate_choice=False)
    solution_id = SelectField(_l("솔루션"), coerce=optional_int, validate_choice=False)
    score = HiddenField()
    message = _message_field()

    def validate_need_id(self, field) -> None:
        """A need must be chosen."""
        if not field.data:
            raise ValidationError(_l("수요를 목록에서 선택하세요."))

    def validate_solution_id(self, field) -> None:
        """A solution must be chosen."""
        if not field.data:
            raise ValidationError(_l("솔루션을 목록에서 선택하세요."))


class DeclineForm(FlaskForm):
    """Say no, with an optional reason."""

    reason = _reason_field(_l("거절 사유 (선택)"))


class ReviewForm(FlaskForm):
    """An admin decision; a reason is required to reject (checked by the service)."""

    reason = _reason_field(_l("사유"))


class ConsortiumForm(FlaskForm):
    """A consortium proposal: the lead's solution, 1–2 partner solutions and a message."""

    lead_solution_id = SelectField(_l("주관 솔루션"), coerce=optional_int, validate_choice=False)
    partner_solution_ids = SelectMultipleField(
        _l("참여사 솔루션"), coerce=record_id, validate_choice=False,
        # static/js/searchable-select.js turns the native list into a search box with chips
        render_kw={"data-searchable-select": "", "data-max-items": MAX_PARTNERS,
                   "data-placeholder": _l("기업명이나 솔루션명으로 찾기"),
                   "data-no-results": _l("일치하는 솔루션이 없습니다."),
                   "data-remove-label": _l("선택 해제")})
    message = _message_field()

    @property
    def shares(self):
        """Share errors from the service are shown under the partner choice."""
        return self.partner_solution_ids

    def validate_lead_solution_id(self, field) -> None:
        """The lead solution must be chosen."""
        if not field.data:
            raise ValidationError(_l("주관 솔루션을 선택하세요."))

    def validate_partner_solution_ids(self, field) -> None:
        """One or two partner solutions."""
        if not field.data or not 1 <= len(field.data) <= MAX_PARTNERS:
            raise ValidationError(_l("참여사 솔루션을 1~2개 선택하세요."))
