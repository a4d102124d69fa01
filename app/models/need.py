"""Needs posted by municipal officials."""
from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import false

from app.models.base import (
    Base,
    ModerationStatus,
    TimestampMixin,
    VersionedMixin,
    enum_column,
    trigram_index,
)
from app.models.solution import DataHubStandard

if TYPE_CHECKING:
    from app.models.geo import Municipality
    from app.models.policy import NeedPolicyTag
    from app.models.overseas import OverseasOrganisation
    from app.models.taxonomy import Category
    from app.models.user import User


class NeedStatus(str, enum.Enum):
    """Where a need stands."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    MATCHED = "matched"
    CLOSED = "closed"


need_secondary_category = Table(
    "need_secondary_category",
    Base.metadata,
    Column("need_id", ForeignKey("need.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id"), primary_key=True),
)


ACTIVE_NEED_CONDITION = "moderation_status = 'active'"


class Need(VersionedMixin, TimestampMixin, Base):
    """A municipality's problem, budget and timeline."""

    __tablename__ = "need"
    __table_args__ = (
        CheckConstraint("budget_min IS NULL OR budget_min >= 0", name="budget_min_non_negative"),
        CheckConstraint("budget_max IS NULL OR budget_max >= 0", name="budget_max_non_negative"),
        CheckConstraint(
            "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
            name="budget_range_ordered",
        ),
        CheckConstraint(
            "target_population IS NULL OR target_population >= 0",
            name="target_population_non_negative",
        ),
        # The public needs list (one status, newest first) reads a dozen index entries.
        Index(
            "ix_need_active_status_created",
            "status",
            "created_at",
            "id",
            sqlite_where=text(ACTIVE_NEED_CONDITION),
            postgresql_where=text(ACTIVE_NEED_CONDITION),
        ),
        # Landing statistics and per-municipality counts without reading the rows.
        Index(
            "ix_need_active_municipality",
            "municipality_id",
            "created_by_id",
            "status",
            sqlite_where=text(ACTIVE_NEED_CONDITION),
            postgresql_where=text(ACTIVE_NEED_CONDITION),
        ),
        CheckConstraint("language IN ('ko', 'en')", name="language_known"),
        # Posted by exactly one owner: a Korean municipality or an overseas organisation.
        CheckConstraint(
            "(municipality_id IS NULL) <> (overseas_organisation_id IS NULL)",
            name="one_owner",
        ),
        trigram_index("ix_need_title_trgm", "title"),
        trigram_index("ix_need_description_trgm", "description"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly one of the two owners is set (CHECK one_owner): a need of a Korean municipality,
    # or of an overseas organisation (K-City Network). Use `owner`, `place` and `owner_key`.
    municipality_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipality.id"), nullable=True, index=True
    )
    overseas_organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("overseas_organisation.id"), nullable=True, index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    # The language the need is written in ("ko" or "en": overseas cities post in English); the
    # engine matches it against the solutions' fields in the same language.
    language: Mapped[str] = mapped_column(
        String(2), nullable=False, default="ko", server_default="ko"
    )
    primary_category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id"), nullable=False, index=True
    )
    budget_min: Mapped[Optional[int]] = mapped_column(BigInteger)
    budget_max: Mapped[Optional[int]] = mapped_column(BigInteger)
    desired_start: Mapped[Optional[date]] = mapped_column(Date)
    application_deadline: Mapped[Optional[date]] = mapped_column(Date)
    target_area: Mapped[Optional[str]] = mapped_column(String(200))
    target_population: Mapped[Optional[int]] = mapped_column(BigInteger)
    status: Mapped[NeedStatus] = mapped_column(
        enum_column(NeedStatus, "need_status"),
        nullable=False,
        default=NeedStatus.OPEN,
        index=True,
    )
    moderation_status: Mapped[ModerationStatus] = mapped_column(
        enum_column(ModerationStatus, "need_moderation"),
        nullable=False,
        default=ModerationStatus.ACTIVE,
    )
    moderation_reason: Mapped[Optional[str]] = mapped_column(String(500))
    # Morphological analysis of the text fields (see Solution.analysed_text).
    analysed_text: Mapped[Optional[dict[str, str]]] = mapped_column(JSON)
    # `matching.ANALYSER_VERSION` of the analyser that produced `analysed_text` (NULL: unknown,
    # from before versions were recorded); `flask reanalyse` redoes rows of another version.
    analyser_version: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    # What the need demands of a solution (the structured fit penalises a miss, see
    # docs/data-hub.md): data-hub integration, optionally through one named standard, and an
    # open-source licence.
    requires_data_hub: Mapped[bool] = mapped_column(nullable=False, default=False,
                                                    server_default=false())
    required_data_hub_standard: Mapped[Optional[DataHubStandard]] = mapped_column(
        enum_column(DataHubStandard, "need_data_hub_standard")
    )
    requires_open_source: Mapped[bool] = mapped_column(nullable=False, default=False,
                                                       server_default=false())

    municipality: Mapped[Optional["Municipality"]] = relationship()
    overseas_organisation: Mapped[Optional["OverseasOrganisation"]] = relationship()
    created_by: Mapped["User"] = relationship()
    primary_category: Mapped["Category"] = relationship()
    secondary_categories: Mapped[list["Category"]] = relationship(
        secondary=need_secondary_category, order_by="Category.sort_order"
    )
    # Climate / digital-inclusion areas claimed by the officials, checked by admins (policy.py).
    policy_tags: Mapped[list["NeedPolicyTag"]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedPolicyTag.area",
    )

    @property
    def is_overseas(self) -> bool:
        """Posted by an overseas organisation (K-City Network), not a Korean municipality."""
        return self.overseas_organisation_id is not None

    @property
    def owner(self) -> "Municipality | OverseasOrganisation | None":
        """The municipality or overseas organisation that posted the need."""
        return self.overseas_organisation if self.is_overseas else self.municipality

    @property
    def owner_key(self) -> tuple[str, int]:
        """Who owns the need, comparable with `User.owner_key` (never equal to None)."""
        if self.is_overseas:
            return ("overseas", self.overseas_organisation_id)
        return ("municipality", self.municipality_id)

    @property
    def place(self) -> str:
        """The owner's display name in the current language ("서울특별시 종로구",
        "Hanoi People's Committee (Viet Nam)")."""
        from app.templating import place_name

        return place_name(self.owner)

    @classmethod
    def owned_by(cls, user):
        """SQL: the needs of the organisation the user is an official of (none for others)."""
        from sqlalchemy import false

        if user is None or not getattr(user, "is_official", False):
            return false()
        if user.overseas_organisation_id is not None:
            return cls.overseas_organisation_id == user.overseas_organisation_id
        if user.municipality_id is not None:
            return cls.municipality_id == user.municipality_id
        return false()

    def __repr__(self) -> str:
        return f"<Need {self.id} {self.title}>"
