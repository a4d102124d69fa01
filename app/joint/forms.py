"""Forms of joint procurement: an invitation, and the answer to one."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from app.ids import optional_record_id


class InviteForm(FlaskForm):
    """Invite another municipality's need (by id) into the need's group."""

    need_id = HiddenField(_l("초대할 수요"))

    def target_id(self) -> int | None:
        """The submitted need id, or None when missing or malformed."""
        try:
            return optional_record_id(self.need_id.data)
        except ValueError:
            return None


class AnswerForm(FlaskForm):
    """Accept or decline an invitation (one button each; only the CSRF token)."""
