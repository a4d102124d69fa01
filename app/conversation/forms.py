"""Forms of the conversation: a message with attachments, a meeting proposal, an answer."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateTimeLocalField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.formatting import SEOUL
from app.services.meetings import LOCATION_MAX, NOTE_MAX, SlotInput

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
SLOT_ROWS = 3


class MessageForm(FlaskForm):
    """A message; files are checked by content on the server (types, sizes, counts)."""

    body = TextAreaField(_l("메시지"), render_kw={"rows": 4})
    files = MultipleFileField(_l("첨부 파일 (선택)"), render_kw={
        "accept": ".pdf,.png,.jpg,.jpeg,.docx,.pptx"})


class SlotForm(Form):
    """One proposed time in Seoul time, with an online link or a place."""

    starts_at = DateTimeLocalField(_l("시작"), format=DATETIME_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("끝"), format=DATETIME_FORMAT, validators=[Optional()])
    location = StringField(_l("온라인 링크 또는 장소"), render_kw={"maxlength": LOCATION_MAX})


def _in_seoul(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=SEOUL) if moment is not None else None


class MeetingForm(FlaskForm):
    """A meeting proposal: up to three slots and a note (the service checks them)."""

    slots = FieldList(FormField(SlotForm), min_entries=SLOT_ROWS, max_entries=SLOT_ROWS)
    note = TextAreaField(_l("메모 (선택)"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("메모는 %(max)d자 이하로 입력하세요."))],
        render_kw={"rows": 2})

    def slot_inputs(self) -> list[SlotInput]:
        """The slots as the service takes them (Seoul wall-clock times made aware)."""
        return [SlotInput(_in_seoul(entry.starts_at.data), _in_seoul(entry.ends_at.data),
                          entry.location.data) for entry in self.slots]


class ActionForm(FlaskForm):
    """A bare POST (mark read, accept a slot given by its button's form, decline): CSRF only."""
