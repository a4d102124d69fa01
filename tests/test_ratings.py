"""Ratings of running deployments (app/services/ratings.py) and their place on the pages."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import OutcomeStage, ProcurementRoute, SolutionRating
from app.services import outcomes, ratings, recommendations, unit_of_work, workflow
from app.services.errors import PermissionDenied, ServiceError
from tests import factories


@pytest.fixture()
def running(db, official, company_user, need, solution, admin_user):
    """An approved match whose deployment both sides confirmed up to 운영."""
    match = workflow.express_interest(official, need, solution, "도입을 검토합니다.")
    workflow.accept(company_user, match)
    workflow.approve(admin_user, match)
    for to, proposer, confirmer in ((OutcomeStage.CONTRACTED, company_user, official),
                                    (OutcomeStage.OPERATING, official, company_user)):
        step = outcomes.propose_step(proposer, match, outcomes.StepInput(
            to, date.today(), ProcurementRoute.SMART_CHALLENGE, 30_000_000, ""))
        outcomes.confirm_step(confirmer, match, step.id)
    unit_of_work.commit()
    return match


def test_rating_opens_only_in_operation(db, official, company_user, need, solution, admin_user):
    match = workflow.express_interest(official, need, solution, "검토합니다.")
    workflow.accept(company_user, match)
    workflow.approve(admin_user, match)
    with pytest.raises(ServiceError, match="운영 단계"):
        ratings.rate(official, match, 5, "좋습니다.")


def test_the_municipality_rates_once_and_the_company_replies_once(db, running, official,
                                                                 company_user):
    with pytest.raises(ServiceError, match="지자체가"):
        ratings.rate(company_user, running, 5, "자화자찬")
    ratings.rate(official, running, 4, "배차 대기시간이 줄었습니다.")
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="이미 등록"):
        ratings.rate(official, running, 1, "다시")
    db.session.rollback()
    with pytest.raises(ServiceError, match="기업이"):
        ratings.reply(official, running, "답")
    ratings.reply(company_user, running, "감사합니다. 계속 개선하겠습니다.")
    unit_of_work.commit()
    with pytest.raises(ServiceError, match="이미 답변"):
        ratings.reply(company_user, running, "한 번 더")


@pytest.mark.parametrize(("stars", "review", "field"), [
    (0, "괜찮습니다.", "stars"), (6, "괜찮습니다.", "stars"), (None, "괜찮습니다.", "stars"),
    (4, "", "review"), (4, "가" * 501, "review"), (4, "연락 주세요 010-1234-5678", "review"),
])
def test_bad_ratings_are_refused_and_store_nothing(db, running, official, stars, review, field):
    with pytest.raises(ServiceError) as refused:
        ratings.rate(official, running, stars, review)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SolutionRating)) == 0


def test_strangers_may_not_rate(db, running):
    stranger = factories.make_user(role=factories.Role.MUNICIPALITY,
                                   municipality_name="부산광역시 해운대구")
    with pytest.raises(PermissionDenied):
        ratings.rate(stranger, running, 5, "좋아요")


def test_the_rating_is_shown_and_reaches_the_engine(db, running, official, company_user, login,
                                                    client, solution):
    municipality = login(official)
    bad = municipality.post(f"/matches/{running.id}/rating", data={"stars": "9", "review": "좋음"})
    assert bad.status_code == 400 and "1점부터 5점까지" in bad.get_data(as_text=True)
    good = municipality.post(f"/matches/{running.id}/rating",
                             data={"stars": "5", "review": "어르신 이용이 크게 늘었습니다."})
    assert good.status_code == 302
    reply = login(company_user).post(f"/matches/{running.id}/rating/reply",
                                     data={"reply": "감사합니다."})
    assert reply.status_code == 302
    page = client.get(f"/solutions/{solution.id}").get_data(as_text=True)
    assert "어르신 이용이 크게 늘었습니다." in page and "감사합니다." in page
    assert 'data-testid="rating-summary"' in page
    record = recommendations.solution_record(solution)
    assert (record["rating_count"], record["rating_mean"]) == (1, 5.0)
