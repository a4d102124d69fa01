"""Rough edges a new user meets: the sign-up role from the home page, the pending-membership note."""
from __future__ import annotations

import re

from app.models import MembershipStatus
from tests import factories


def _checked_role(page: str) -> str:
    checked = re.findall(r'<input[^>]*name="role"[^>]*>', page)
    return next(re.search(r'value="([a-z]+)"', tag).group(1) for tag in checked if "checked" in tag)


def test_home_page_official_sign_up_link_preselects_the_official_role(client):
    home = client.get("/").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">공무원 회원 가입', home).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    assert _checked_role(page) == "municipality"


def test_home_page_company_sign_up_link_preselects_the_company_role(client):
    home = client.get("/").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">기업 회원 가입', home).group(1).replace("&amp;", "&")
    assert _checked_role(client.get(link).get_data(as_text=True)) == "company"


def test_unknown_role_in_the_link_keeps_the_default(client):
    page = client.get("/auth/register?role=admin").get_data(as_text=True)
    assert _checked_role(page) == "company"


def _solution_form_for(db, login, membership: MembershipStatus) -> str:
    company = factories.make_company(membership=membership)
    user = factories.make_user(company=company)
    db.session.commit()
    return login(user).get("/my/solutions/new").get_data(as_text=True)


def test_solution_form_shows_a_pending_application_instead_of_offering_to_apply(db, login):
    page = _solution_form_for(db, login, MembershipStatus.PENDING)
    assert "회원 가입 신청하기" not in page
    assert "가입 신청을 검토하고 있습니다." in page


def test_solution_form_offers_to_apply_when_the_company_has_not_applied(db, login):
    page = _solution_form_for(db, login, MembershipStatus.NONE)
    assert "회원 가입 신청하기" in page
