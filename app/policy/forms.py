"""Forms of the policy-tag review: one confirm or reject button per claimed area (CSRF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired


class PolicyReviewForm(FlaskForm):
    """Confirm or reject one claimed area of a listing (`decision`: confirm | reject)."""

    area = HiddenField(validators=[DataRequired(_l("정책 분야를 목록에서 선택하세요."))])
    decision = HiddenField(validators=[DataRequired(_l("확인 또는 반려 중에서 선택하세요."))])
