"""Korean local governments: 17 provincial-level and 226 basic-level."""
from __future__ import annotations

import enum
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column


class GovernmentLevel(str, enum.Enum):
    """광역자치단체 (province) or 기초자치단체 (basic)."""

    PROVINCE = "province"
    BASIC = "basic"


class Municipality(Base):
    """One local government; basic ones point at their parent province."""

    __tablename__ = "municipality"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    full_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    # Official romanised English name of the government itself, e.g. "Jongno-gu", "Gangwon State".
    name_en: Mapped[Optional[str]] = mapped_column(String(80))
    level: Mapped[GovernmentLevel] = mapped_column(
        enum_column(GovernmentLevel, "government_level"), nullable=False
    )
    # 특별시, 광역시, 특별자치시, 도, 특별자치도, 시, 군, 구
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipality.id"), index=True)
    sort_order: Mapped[int] = mapped_column(nullable=False, default=0)
    # Official e-mail domains of this government, space-separated (e.g. "jongno.go.kr"); empty:
    # the OFFICIAL_EMAIL_DOMAINS setting (any *.go.kr address). Edited by admins.
    email_domains: Mapped[Optional[str]] = mapped_column(String(300))

    parent: Mapped[Optional["Municipality"]] = relationship(
        remote_side="Municipality.id", back_populates="children"
    )
    children: Mapped[list["Municipality"]] = relationship(
        back_populates="parent", order_by="Municipality.sort_order"
    )

    @property
    def province(self) -> "Municipality":
        """The provincial-level government this one belongs to (itself for provinces)."""
        return self if self.parent is None else self.parent

    @property
    def full_name_en(self) -> str:
        """The English full name: "Jongno-gu, Seoul" for basic governments, "Seoul" for provinces.

        Empty when the English name is not loaded (callers fall back to the Korean name).
        """
        if not self.name_en:
            return ""
        if self.parent is None:
            return self.name_en
        if not self.parent.name_en:
            return ""
        return f"{self.name_en}, {self.parent.name_en}"

    def __repr__(self) -> str:
        return f"<Municipality {self.full_name}>"
