"""Overseas organisations (K-City Network) invited by the admins, and their invitations."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class OrganisationKind(str, enum.Enum):
    """What kind of body the overseas organisation is."""

    CITY_GOVERNMENT = "city_government"
    AGENCY = "agency"
    DEVELOPMENT_BANK = "development_bank"


class OverseasOrganisation(TimestampMixin, Base):
    """A foreign city government, agency or development bank that posts needs in English.

    Created by an admin; its officials join through an OverseasInvitation. It has the
    `full_name` / `full_name_en` / `name_en` a Municipality has, so `place_name` shows either.
    """

    __tablename__ = "overseas_organisation"
    __table_args__ = (
        # ISO 3166-1 alpha-2, upper case (the accepted list is app/data/countries.csv).
        CheckConstraint("length(country) = 2 AND upper(country) = country",
                        name="country_alpha2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    name_ko: Mapped[Optional[str]] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    city: Mapped[Optional[str]] = mapped_column(String(80))
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "overseas_organisation_kind"), nullable=False)
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    created_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL", use_alter=True))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                         server_default=true())

    created_by: Mapped[Optional["User"]] = relationship(foreign_keys=[created_by_id])

    # The Municipality-like interface used by place_name / place_short_name.
    parent = None

    @property
    def name_en(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """Korean display name: "하노이 인민위원회 (베트남)"."""
        from app.countries import country_name

        return f"{self.name_ko or self.name} ({country_name(self.country, 'ko')})"

    @property
    def full_name_en(self) -> str:
        """English display name: "Hanoi People's Committee (Viet Nam)"."""
        from app.countries import country_name

        return f"{self.name} ({country_name(self.country, 'en')})"

    @property
    def province(self) -> "OverseasOrganisation":
        return self

    def __repr__(self) -> str:
        return f"<OverseasOrganisation {self.name} {self.country}>"


class OverseasInvitation(Base):
    """A single-use link inviting a person to act for an overseas organisation.

    Only the SHA-256 of the token is stored: the link in the e-mail is the only copy.
    """

    __tablename__ = "overseas_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("overseas_organisation.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped["OverseasOrganisation"] = relationship()
    invited_by: Mapped["User"] = relationship(foreign_keys=[invited_by_id])
