"""Two people editing the same record: the later save of a stale form is refused, nothing lost."""
from __future__ import annotations

import re

import pytest
from flask import get_flashed_messages
from sqlalchemy import update

from app.models import Company, Need, Role, Solution
from app.service_errors import commit_service
from app.services import needs as needs_service
from app.services import solutions as solutions_service
from app.services.errors import VersionConflict
from tests import factories
from tests.test_needs import valid_form as need_form
from tests.test_solutions import solution_form

CONFLICT = "다른 사용자가 먼저 수정했습니다"


def loaded_version(page: str) -> str:
    """The version hidden in an edit form as it was served."""
    found = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert found, "the edit form carries no version"
    return found.group(1) or found.group(2)


def fresh(db, model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


@pytest.fixture()
def colleague_client(db, company, login):
    """A second staff member of `company`, signed in."""
    user = factories.make_user(role=Role.COMPANY, company=company)
    db.session.commit()
    return login(user)


@pytest.fixture()
def colleague_official_client(db, official, login):
    """A second official of the same municipality, signed in."""
    user = factories.make_user(role=Role.MUNICIPALITY)
    db.session.commit()
    return login(user)


def test_a_stale_solution_form_does_not_overwrite_a_colleagues_title(
        db, company, company_client, colleague_client):
    solution = factories.make_solution(company, title="처음 제목")
    db.session.commit()
    url = f"/my/solutions/{solution.id}/edit"
    mine = loaded_version(company_client.get(url).get_data(as_text=True))
    theirs = loaded_version(colleague_client.get(url).get_data(as_text=True))
    assert mine == theirs

    first = company_client.post(url, data=solution_form(title="먼저 저장한 제목", version=mine))
    second = colleague_client.post(url, data=solution_form(title="늦게 저장한 제목",
                                                           version=theirs))

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert CONFLICT in page
    assert 'value="먼저 저장한 제목"' in page  # the form now shows the current values
    assert int(loaded_version(page)) == int(mine) + 1  # and can be saved again from here
    assert fresh(db, Solution, solution.id).title == "먼저 저장한 제목"

    again = colleague_client.post(url, data=solution_form(title="늦게 저장한 제목",
                                                          version=loaded_version(page)))
    assert again.status_code == 302
    assert fresh(db, Solution, solution.id).title == "늦게 저장한 제목"


def test_a_stale_need_form_does_not_overwrite_a_colleagues_title(
        db, official, official_client, colleague_official_client):
    need = factories.make_need(official, title="처음 수요 제목")
    db.session.commit()
    url = f"/my/needs/{need.id}/edit"
    mine = loaded_version(official_client.get(url).get_data(as_text=True))
    theirs = loaded_version(colleague_official_client.get(url).get_data(as_text=True))

    first = official_client.post(url, data=need_form(title="먼저 저장한 수요", status="open",
                                                     version=mine))
    second = colleague_official_client.post(url, data=need_form(title="늦게 저장한 수요",
                                                                status="open", version=theirs))

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert CONFLICT in page and 'value="먼저 저장한 수요"' in page
    assert fresh(db, Need, need.id).title == "먼저 저장한 수요"


def test_a_stale_company_form_does_not_overwrite_a_colleagues_name(
        db, company, company_client, colleague_client):
    url = "/my/company/edit"
    mine = loaded_version(company_client.get(url).get_data(as_text=True))
    theirs = loaded_version(colleague_client.get(url).get_data(as_text=True))

    def profile(name: str, version: str) -> dict:
        return {"name": name, "business_number": company.business_number,
                "size_class": company.size_class.value, "hq_region_id": str(company.hq_region_id),
                "region_ids": [str(r.id) for r in company.regions_served],
                "website": "", "description": company.description, "version": version}

    first = company_client.post(url, data=profile("먼저 바꾼 기업명", mine))
    second = colleague_client.post(url, data=profile("늦게 바꾼 기업명", theirs))

    assert first.status_code == 302
    assert second.status_code == 409
    assert CONFLICT in second.get_data(as_text=True)
    assert fresh(db, Company, company.id).name == "먼저 바꾼 기업명"


def test_the_english_interface_explains_the_conflict(db, company, company_client,
                                                     colleague_client):
    solution = factories.make_solution(company, title="처음 제목")
    db.session.commit()
    url = f"/my/solutions/{solution.id}/edit"
    version = loaded_version(company_client.get(url).get_data(as_text=True))
    company_client.post(url, data=solution_form(title="먼저 저장한 제목", version=version))
    colleague_client.post("/locale", data={"locale": "en"})
    second = colleague_client.post(url, data=solution_form(title="늦게", version=version))
    assert second.status_code == 409
    assert "Someone else saved this first" in second.get_data(as_text=True)


def test_services_refuse_an_older_version(db, company, company_user, official):
    solution = factories.make_solution(company, title="서비스 제목")
    need = factories.make_need(official)
    db.session.commit()
    data = solutions_service.SolutionInput(
        title="바뀐 제목", summary="요약", description="설명입니다. " * 3,
        primary_category_id=solution.primary_category_id, secondary_category_ids=[], tags="",
        maturity=solution.maturity.value, price_min=None, price_max=None,
        region_ids=[r.id for r in solution.regions_served])
    with pytest.raises(VersionConflict):
        solutions_service.update_solution(company_user, solution.id, data,
                                          expected_version=solution.version - 1)
    with pytest.raises(VersionConflict):
        needs_service.update_need(official, need, needs_service.NeedData(title="x", description="y",
                                                                 primary_category_id=None),
                                  expected_version=need.version + 5)
    db.session.rollback()
    assert fresh(db, Solution, solution.id).title == "서비스 제목"


def test_a_stale_write_found_at_flush_rolls_back_and_reports_the_conflict(app, db, company):
    solution = factories.make_solution(company, title="처음 제목")
    db.session.commit()
    with app.test_request_context("/my/solutions/"):
        loaded = db.session.get(Solution, solution.id)
        loaded.version  # read now, as an edit form would have
        with db.engine.begin() as other_request:  # a colleague's save commits meanwhile
            other_request.execute(update(Solution).where(Solution.id == solution.id)
                                  .values(title="동료의 제목", version=Solution.version + 1))

        def rename():
            loaded.title = "덮어쓰려던 제목"
            db.session.flush()

        outcome = commit_service(rename)
        assert not outcome and outcome.conflict
        assert [message for _, message in get_flashed_messages(with_categories=True)] == [
            outcome.error.message]
    assert CONFLICT in outcome.error.message
    assert fresh(db, Solution, solution.id).title == "동료의 제목"
