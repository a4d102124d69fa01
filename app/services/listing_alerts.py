"""Instant alerts when a need or solution is published or edited: its strong matches and the
followers whose saved searches it matches hear of it within seconds, through a queued job.

`listing_published` is called by the services that publish or edit; the job is enqueued only
after their transaction commits. The periodic notifier (app/tasks.py: notify_matches) stays the
safety net; `strong_match_alert` and `listing_alert` rows make every alert happen once.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ListingAlert, Need, Solution, User
from app.services import saved_searches, unit_of_work
from app.services.notifications import local_path, notify, notify_strong_matches_of
from app.services.visibility import (
    can_view_need,
    can_view_solution,
    need_is_public,
    solution_is_public,
)
from app.templating import lazy_place_name

ENTITIES = ("need", "solution")


@dataclass
class ListingAlertReport:
    """What one instant alert run did."""

    strong_pairs: int = 0
    strong_notifications: int = 0
    followers: int = 0


def listing_published(entity: str, entity_id: int) -> None:
    """Queue the instant alert of a need or solution once the caller's transaction commits."""
    if entity not in ENTITIES:
        raise ValueError(f"Unknown listing kind {entity!r}")
    unit_of_work.after_commit(lambda: _enqueue(entity, entity_id))


def _enqueue(entity: str, entity_id: int) -> None:
    from app.tasks import alert_listing

    alert_listing(entity, entity_id)


def _claim(user: User, entity: str, entity_id: int) -> bool:
    """Record the follower's alert for this listing; False when it was already sent."""
    try:
        with db.session.begin_nested():
            db.session.add(ListingAlert(user_id=user.id, **{f"{entity}_id": entity_id}))
    except IntegrityError:
        return False
    return True


def _alert_followers_of_need(need: Need) -> int:
    link = local_path("catalogue.need_detail", need_id=need.id)
    sent = 0
    for user, _search in saved_searches.followers_of_need(need):
        if not can_view_need(user, need) or not _claim(user, "need", need.id):
            continue
        if notify(user, "saved_search", _l("관심 조건에 맞는 새 수요: %(need)s", need=need.title),
                  _l("%(municipality)s에서 저장한 검색 조건에 맞는 수요 '%(need)s'를 등록했습니다.",
                     municipality=lazy_place_name(need.owner), need=need.title), link):
            sent += 1
    return sent


def _alert_followers_of_solution(solution: Solution) -> int:
    link = local_path("catalogue.solution_detail", solution_id=solution.id)
    sent = 0
    for user, _search in saved_searches.followers_of_solution(solution):
        if not can_view_solution(user, solution) or not _claim(user, "solution", solution.id):
            continue
        if notify(user, "saved_search",
                  _l("관심 분야의 새 솔루션: %(solution)s", solution=solution.title),
                  _l("%(company)s에서 저장한 분야의 솔루션 '%(solution)s'를 공개했습니다.",
                     company=solution.company.name, solution=solution.title), link):
            sent += 1
    return sent


def alert_listing(entity: str, entity_id: int) -> ListingAlertReport:
    """Alert the strong matches and followers of one public need or solution (flushes)."""
    report = ListingAlertReport()
    if entity == "need":
        listing = db.session.get(Need, entity_id)
        if listing is None or not need_is_public(listing):
            return report
        report.followers = _alert_followers_of_need(listing)
    elif entity == "solution":
        listing = db.session.get(Solution, entity_id)
        if listing is None or not solution_is_public(listing):
            return report
        report.followers = _alert_followers_of_solution(listing)
    else:
        return report
    report.strong_pairs, report.strong_notifications = notify_strong_matches_of(entity, entity_id)
    return report
