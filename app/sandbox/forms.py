"""Forms of the regulatory sandbox: flag a match, record progress, the admins' list filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.labels import choices, label
from app.models import SandboxKind, SandboxProgress
from app.models.sandbox import SANDBOX_NOTE_MAX, SANDBOX_RULE_MAX


def _note_field(text) -> TextAreaField:
    return TextAreaField(text, validators=[
        Optional(), Length(max=SANDBOX_NOTE_MAX, message=_l("메모는 %(max)d자 이하로 입력하세요."))],
        render_kw={"rows": 2})


def kind_choices(empty_label) -> list:
    """The kinds of exemption, after an empty first choice."""
    return [("", empty_label)] + choices(SandboxKind)


class FlagForm(FlaskForm):
    """Flag a match as needing an exemption: which kind, the rule at stake, a note."""

    kind = SelectField(_l("필요한 규제 특례"), validate_choice=False)
    rule = StringField(_l("특례가 필요한 규제 (법령·조항)"), validators=[
        Length(max=SANDBOX_RULE_MAX, message=_l("규제 내용은 %(max)d자 이하로 입력하세요."))],
        render_kw={"placeholder": _l("예: 도로교통법 제2조 (자율주행 차량의 공공도로 운행)")})
    note = _note_field(_l("메모 (선택)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices(_l("-- 특례 종류를 고르세요 --"))


class ProgressForm(FlaskForm):
    """The next progress of the exemption, and a note (required for 불승인 and 철회)."""

    progress = SelectField(_l("진행 상황"), validate_choice=False)
    note = _note_field(_l("메모 (불승인·철회 시 사유)"))

    def set_choices(self, options) -> None:
        """Offer the progress the table allows from the current one."""
        self.progress.choices = [("", _l("-- 진행 상황을 고르세요 --"))] + [
            (option.value, label(option)) for option in options]


class SandboxFilterForm(FlaskForm):
    """The admins' list by progress and kind (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    progress = SelectField(_l("진행 상황"), validate_choice=False,
                           choices=[("", _l("전체"))] + choices(SandboxProgress))
    kind = SelectField(_l("특례 종류"), validate_choice=False,
                       choices=[("", _l("전체"))] + choices(SandboxKind))
