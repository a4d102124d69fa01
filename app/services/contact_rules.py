"""Why a text sent before approval is refused: the contact detail it carries (contact_filter)."""
from __future__ import annotations

from flask_babel import gettext as _

from app.services.contact_filter import ContactKind, find_contact_details


def contact_refusal(text: str | None) -> str | None:
    """The localised refusal for a text that carries a phone number, e-mail or web address."""
    kind = find_contact_details(text)
    if kind is ContactKind.PHONE:
        return _("승인 전에 보내는 글에는 전화번호를 쓸 수 없습니다. 연락처는 양측이 수락하고 "
                 "관리자가 승인한 뒤에 공개됩니다.")
    if kind is ContactKind.EMAIL:
        return _("승인 전에 보내는 글에는 이메일 주소를 쓸 수 없습니다. 연락처는 양측이 수락하고 "
                 "관리자가 승인한 뒤에 공개됩니다.")
    if kind is ContactKind.URL:
        return _("승인 전에 보내는 글에는 웹 주소(URL)를 쓸 수 없습니다. 연락처는 양측이 수락하고 "
                 "관리자가 승인한 뒤에 공개됩니다.")
    return None
