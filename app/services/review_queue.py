"""How many mutual matches and consortia wait for an admin decision (for the navigation)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import ConsortiumProposal, ConsortiumStatus, Match, MatchStatus


def pending_review_count() -> int:
    """Mutual matches plus mutual consortia awaiting review, in one read-only query."""
    matches = (select(func.count()).select_from(Match)
               .where(Match.status == MatchStatus.MUTUAL).scalar_subquery())
    consortia = (select(func.count()).select_from(ConsortiumProposal)
                 .where(ConsortiumProposal.status == ConsortiumStatus.MUTUAL).scalar_subquery())
    return db.session.scalar(select(matches + consortia)) or 0
