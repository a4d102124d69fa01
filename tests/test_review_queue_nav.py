"""The admins' navigation links to the match review queue with the number awaiting a decision."""
from __future__ import annotations

import re

from app.models import Role, SizeClass
from app.services import unit_of_work, workflow
from tests import factories


def review_count(html: str) -> int | None:
    found = re.search(r'data-testid="review-count">(\d+)<', html)
    return int(found.group(1)) if found else None


def _mutual_consortium(official, need, partner_user, partner_solution):
    company = factories.make_company(size_class=SizeClass.LARGE)
    lead_user = factories.make_user(role=Role.COMPANY, company=company)
    lead_solution = factories.make_solution(company, title="통합 교통 관제 플랫폼")
    unit_of_work.commit()
    proposal = workflow.propose_consortium(lead_user, need, lead_solution, [partner_solution],
                                           None, "함께 제안합니다.")
    partner = next(m for m in proposal.members if not m.is_lead)
    workflow.respond_to_consortium(partner_user, partner, True)
    workflow.answer_consortium(official, proposal, True)
    unit_of_work.commit()
    return proposal


def test_admin_nav_links_to_the_review_queue_with_the_pending_count(
        db, admin_user, admin_client, official, company_user, need, solution):
    html = admin_client.get("/").get_data(as_text=True)
    assert 'href="/matches/review"' in html and "매칭 검토" in html
    assert review_count(html) is None  # nothing waits: no badge

    match = workflow.express_interest(official, need, solution, "메시지")
    workflow.accept(company_user, match)
    unit_of_work.commit()
    assert review_count(admin_client.get("/").get_data(as_text=True)) == 1

    _mutual_consortium(official, need, company_user, solution)
    assert review_count(admin_client.get("/needs").get_data(as_text=True)) == 2

    workflow.approve(admin_user, match)
    unit_of_work.commit()
    assert review_count(admin_client.get("/").get_data(as_text=True)) == 1


def test_other_roles_have_no_review_link(company_client, official_client, client):
    for visitor in (company_client, official_client, client):
        html = visitor.get("/").get_data(as_text=True)
        assert 'href="/matches/review"' not in html
