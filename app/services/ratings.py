"""Ratings: once a deployment runs (운영), the municipality rates the solution; the company answers.

One rating per match, by a verified official of the municipality, final once given; the
company may answer it once. Ratings reach the ranking only through `matching.ratings`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Match, Need, OutcomeStage, Side, Solution, SolutionRating, User
from app.services.contact_filter import find_contact_details
from app.services.errors import PermissionDenied, ServiceError
from app.services.outcomes import notify_side, pair_names, stage_of
from app.services.workflow import side_of
from app.models.base import utcnow

REVIEW_MAX = 500
REPLY_MAX = 500
#: Rating opens when the deployment runs: the municipality has used the solution by then.
RATABLE_STAGES = (OutcomeStage.OPERATING,)


def rating_of(match: Match) -> SolutionRating | None:
    """The match's rating, if given."""
    return db.session.scalar(select(SolutionRating).where(SolutionRating.match_id == match.id))


def may_rate(user: User, match: Match) -> bool:
    """The municipality's side, once the deployment runs, before it has rated."""
    return (side_of(user, match) == Side.MUNICIPALITY and stage_of(match) in RATABLE_STAGES
            and rating_of(match) is None)


def may_reply(user: User, match: Match) -> bool:
    """The company's side, once, to a given rating."""
    rating = rating_of(match)
    return (side_of(user, match) == Side.COMPANY and rating is not None
            and rating.reply is None)


def _text(value: str | None, limit: int, field: str, missing: str, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(missing, field=field)
    if len(value) > limit:
        raise ServiceError(too_long, field=field)
    if find_contact_details(value) is not None:  # shown publicly on the solution page
        raise ServiceError(_("공개되는 글에는 전화번호, 이메일, 웹 주소를 쓸 수 없습니다."),
                           field=field)
    return value


def rate(actor: User, match: Match, stars: int | None, review: str | None) -> SolutionRating:
    """The municipality rates the solution of a running deployment, 1–5 with a short review."""
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied()
    if side != Side.MUNICIPALITY:
        raise ServiceError(_("평가는 지자체가 남깁니다."))
    if stage_of(match) not in RATABLE_STAGES:
        raise ServiceError(_("운영 단계에 이른 도입만 평가할 수 있습니다."))
    if rating_of(match) is not None:
        raise ServiceError(_("이 매칭의 평가는 이미 등록되었습니다."))
    if stars is None or not 1 <= stars <= 5:
        raise ServiceError(_("별점은 1점부터 5점까지 고르세요."), field="stars")
    review = _text(review, REVIEW_MAX, "review", _("짧은 평가를 입력하세요."),
                   _("평가는 %(n)d자 이하로 입력하세요.", n=REVIEW_MAX))
    rating = SolutionRating(match_id=match.id, solution_id=match.solution_id, stars=stars,
                            review=review, rated_by_id=actor.id, created_at=utcnow())
    db.session.add(rating)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # a colleague rated at the same moment
        raise ServiceError(_("이 매칭의 평가는 이미 등록되었습니다.")) from error
    notify_side(match, Side.COMPANY, "solution_rating",
                 _l("지자체가 솔루션을 평가했습니다: %(solution)s (%(stars)d점)", stars=stars,
                    **pair_names(match)), review)
    return rating


def reply(actor: User, match: Match, text: str | None) -> SolutionRating:
    """The company answers the rating once."""
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied()
    if side != Side.COMPANY:
        raise ServiceError(_("답변은 기업이 남깁니다."))
    rating = rating_of(match)
    if rating is None:
        raise ServiceError(_("답변할 평가가 없습니다."))
    text = _text(text, REPLY_MAX, "reply", _("답변을 입력하세요."),
                 _("답변은 %(n)d자 이하로 입력하세요.", n=REPLY_MAX))
    db.session.refresh(rating, with_for_update=True)
    if rating.reply is not None:
        raise ServiceError(_("이 평가에는 이미 답변했습니다."))
    rating.reply = text
    rating.replied_by_id = actor.id
    rating.replied_at = utcnow()
    db.session.flush()
    notify_side(match, Side.MUNICIPALITY, "solution_rating",
                 _l("기업이 평가에 답변했습니다: %(solution)s", **pair_names(match)), text)
    return rating


@dataclass
class RatingSummary:
    """A solution's ratings: how many, their mean, and the reviews (newest first)."""

    count: int
    mean: float | None
    ratings: list[SolutionRating]


def summary(solution: Solution) -> RatingSummary:
    """The solution's ratings for its public page."""
    ratings = list(db.session.scalars(
        select(SolutionRating).where(SolutionRating.solution_id == solution.id)
        .options(selectinload(SolutionRating.match).selectinload(Match.need)
                 .selectinload(Need.municipality))
        .order_by(SolutionRating.created_at.desc(), SolutionRating.id.desc())))
    mean = sum(r.stars for r in ratings) / len(ratings) if ratings else None
    return RatingSummary(len(ratings), mean, ratings)


def rating_totals(solution_ids=None) -> dict[int, tuple[int, float]]:
    """(count, mean stars) of each rated solution among `solution_ids` (None: all; the engine)."""
    query = (select(SolutionRating.solution_id, func.count(), func.avg(SolutionRating.stars))
             .group_by(SolutionRating.solution_id))
    if solution_ids is not None:
        query = query.where(SolutionRating.solution_id.in_(list(solution_ids)))
    return {solution_id: (int(count), float(mean))
            for solution_id, count, mean in db.session.execute(query).all()}
