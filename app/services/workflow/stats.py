"""How organisations answer the requests they receive."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import (Company, Match, MatchStatus, Municipality, Need, OverseasOrganisation, Side,
                        Solution)
from app.services.workflow.common import _aware
from app.services.workflow.states import shown_status


@dataclass
class ResponseStats:
    """How an organisation answers the requests it receives."""

    received: int
    answered: int
    expired: int
    median_hours: float | None

    @property
    def rate(self) -> float | None:
        """Answered / (answered + expired); None before any request was decided."""
        decided = self.answered + self.expired
        return self.answered / decided if decided else None


def response_stats(organisation: Company | Municipality) -> ResponseStats:
    """Response rate and median response time over the requests the organisation received.

    Requests still pending within their deadline and withdrawn ones are not counted against
    the organisation; expired ones count as unanswered.
    """
    query = select(Match).join(Match.need).join(Match.solution)
    if isinstance(organisation, Company):
        query = query.where(Solution.company_id == organisation.id,
                            Match.initiator_side == Side.MUNICIPALITY)
    else:
        owner = (Need.overseas_organisation_id if isinstance(organisation, OverseasOrganisation)
                 else Need.municipality_id)
        query = query.where(owner == organisation.id,
                            Match.initiator_side == Side.COMPANY)
    received = db.session.scalars(query).all()
    answered = [m for m in received if m.responded_at is not None]
    expired = sum(1 for m in received if shown_status(m) == MatchStatus.EXPIRED)
    hours = [(_aware(m.responded_at) - _aware(m.created_at)).total_seconds() / 3600
             for m in answered]
    return ResponseStats(received=len(received), answered=len(answered), expired=expired,
                         median_hours=statistics.median(hours) if hours else None)
