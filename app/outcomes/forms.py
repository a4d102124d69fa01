"""Forms of the outcome steps (propose, confirm, reject) and of ratings and replies."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.amount_field import AmountField
from app.labels import choices
from app.models import OutcomeStage, ProcurementRoute
from app.models.outcome import AMOUNT_MAX
from app.services.outcomes import NOTE_MAX, REASON_MAX
from app.services.ratings import REPLY_MAX, REVIEW_MAX


def _amount_field() -> AmountField:
    """The one amount field of these forms: typed the Korean way (5억, 1억 2천만)."""
    return AmountField(_l("금액 (원)"), maximum=AMOUNT_MAX, validators=[
        Optional(),
        NumberRange(min=0, max=AMOUNT_MAX, message=_l("금액은 0원부터 1조 원까지 입력하세요.")),
    ])


def _optional_enum(enum_cls):
    def coerce(value):
        if value in (None, "") or isinstance(value, enum_cls):
            return value or None
        try:
            return enum_cls(value)
        except ValueError:
            return None
    return coerce


def _stars(value):
    """A star count from the form; anything else is none (the service says what is wrong)."""
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


class ProposeStepForm(FlaskForm):
    """The next stage and the facts it records (date, procurement route, amount, note)."""

    to_stage = SelectField(_l("다음 단계"), coerce=_optional_enum(OutcomeStage),
                           validate_choice=False)
    happened_on = DateField(_l("날짜 (시작일·계약일·운영 시작일)"), validators=[Optional()],
                            format="%Y-%m-%d")
    procurement_route = SelectField(_l("계약 방식"), coerce=_optional_enum(ProcurementRoute),
                                    validate_choice=False)
    amount = _amount_field()
    note = TextAreaField(_l("메모 (중단 시 사유)"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("메모는 %(max)d자 이하로 입력하세요."))],
        render_kw={"rows": 3})

    def set_choices(self, stages) -> None:
        """Offer the stages the table allows from here, and every procurement route."""
        self.to_stage.choices = [("", _l("-- 단계를 고르세요 --"))] + [
            (stage.value, text) for stage, text in
            ((s, dict(choices(OutcomeStage))[s.value]) for s in stages)]
        self.procurement_route.choices = [("", _l("-- 선택 (계약 시 필수) --"))] + choices(
            ProcurementRoute)


class ConfirmStepForm(FlaskForm):
    """Confirm the step shown (its id guards against confirming a newer one)."""

    step_id = HiddenField()


class RejectStepForm(FlaskForm):
    """Reject the step shown, with a reason."""

    step_id = HiddenField()
    reason = TextAreaField(_l("거절 사유"), validators=[
        DataRequired(_l("거절 사유를 입력하세요.")),
        Length(max=REASON_MAX, message=_l("사유는 %(max)d자 이하로 입력하세요."))],
        render_kw={"rows": 2})


class RatingForm(FlaskForm):
    """1–5 stars and a short review."""

    stars = SelectField(_l("별점"), coerce=_stars, choices=[(n, f"{n}") for n in (5, 4, 3, 2, 1)],
                        validate_choice=False)
    review = TextAreaField(_l("짧은 평가"), validators=[
        DataRequired(_l("짧은 평가를 입력하세요.")),
        Length(max=REVIEW_MAX, message=_l("평가는 %(max)d자 이하로 입력하세요."))],
        render_kw={"rows": 3})


class ReplyForm(FlaskForm):
    """The company's one answer to a rating."""

    reply = TextAreaField(_l("답변"), validators=[
        DataRequired(_l("답변을 입력하세요.")),
        Length(max=REPLY_MAX, message=_l("답변은 %(max)d자 이하로 입력하세요."))],
        render_kw={"rows": 3})
