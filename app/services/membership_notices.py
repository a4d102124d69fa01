"""Notifications about applications: admins hear of new ones, companies of the decision."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Company, Notification, Role, User
from app.services.notifications import local_path, notify, notify_admins


def company_staff(company: Company) -> list[User]:
    """Every staff account of a company, approved member or not (notify skips inactive ones)."""
    return list(db.session.scalars(
        select(User).where(User.company_id == company.id, User.role == Role.COMPANY)
        .order_by(User.id)))


def membership_applied(company: Company) -> list[Notification]:
    """Tell the admins a company applied for alliance membership (flushes)."""
    return notify_admins(
        "membership_application",
        _l("융합 얼라이언스 회원 가입 신청: %(company)s", company=company.name),
        _l("%(company)s이(가) 회원 가입을 신청했습니다. 기업 정보를 검토해 승인하거나 반려하세요.",
           company=company.name),
        local_path("admin.company_detail", company_id=company.id),
    )


def membership_decided(company: Company, action: str, reason: str | None) -> list[Notification]:
    """Tell the company's staff that its membership was approved or rejected (flushes)."""
    if action == "approve":
        title = _l("융합 얼라이언스 회원으로 승인되었습니다")
        body = _l("%(company)s의 회원 가입이 승인되었습니다. 이제 솔루션이 공개 카탈로그에 "
                  "표시됩니다.", company=company.name)
    elif action == "reject":
        title = _l("융합 얼라이언스 회원 가입이 반려되었습니다")
        body = _l("%(company)s의 회원 가입이 반려되었습니다. 사유: %(reason)s\n"
                  "기업 정보를 고친 뒤 다시 신청할 수 있습니다.",
                  company=company.name, reason=reason or "-")
    else:
        return []
    link = local_path("company.dashboard")
    sent = (notify(user, "membership_decided", title, body, link)
            for user in company_staff(company))
    return [notification for notification in sent if notification is not None]


def verification_applied(official: User) -> list[Notification]:
    """Tell the admins an official asks to be verified, or added evidence (flushes)."""
    return notify_admins(
        "verification_application",
        _l("공무원 인증 신청: %(name)s", name=official.name),
        _l("%(name)s(%(email)s)님이 공무원 인증을 기다리고 있습니다. 증빙을 확인해 인증하거나 "
           "반려하세요.", name=official.name, email=official.email),
        local_path("admin.official_detail", user_id=official.id),
    )
