"""Population-decline areas (인구감소지역) and areas of concern (관심지역) designated by 행정안전부."""
from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column

if TYPE_CHECKING:
    from app.models.geo import Municipality


class DeclineKind(str, enum.Enum):
    """인구감소지역 (decline, 89 designated) or 관심지역 (interest, 18 designated)."""

    DECLINE = "decline"
    INTEREST = "interest"


class PopulationDeclineArea(Base):
    """One local government designated by the notice (reference data, app/data/population_decline_areas.csv)."""

    __tablename__ = "population_decline_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), nullable=False, unique=True)
    kind: Mapped[DeclineKind] = mapped_column(
        enum_column(DeclineKind, "decline_kind"), nullable=False, index=True)
    # e.g. "행정안전부 고시 제2021-66호" and the day it was issued.
    notice_number: Mapped[str] = mapped_column(String(60), nullable=False)
    notice_date: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")

    municipality: Mapped["Municipality"] = relationship()

    def __repr__(self) -> str:
        return f"<PopulationDeclineArea {self.municipality_id} {self.kind.value}>"
