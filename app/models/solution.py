"""Solutions offered by companies, with their deployment references."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import (
    Base,
    ModerationStatus,
    TimestampMixin,
    VersionedMixin,
    enum_column,
    trigram_index,
)
from app.models.sandbox import SANDBOX_RULE_MAX, SandboxKind

if TYPE_CHECKING:
    from app.models.company import Company
    from app.models.geo import Municipality
    from app.models.policy import SolutionPolicyTag
    from app.models.taxonomy import Category, Tag


class SolutionStatus(str, enum.Enum):
    """Life cycle of a listing: draft → published → archived."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Maturity(str, enum.Enum):
    """Technology readiness as the alliance describes it."""

    RND = "rnd"  # 연구개발
    PILOT = "pilot"  # 실증
    COMMERCIAL = "commercial"  # 상용화


class DataHubStandard(str, enum.Enum):
    """Interfaces and standards a solution can link to a (provincial) smart-city data hub with.

    The reference vocabulary of docs/data-hub.md; labels in app/labels.py. Adding a member is a
    migration (the column's CHECK lists the values).
    """

    NGSI_LD = "ngsi_ld"  # 스마트시티 데이터허브 표준 API (NGSI-LD)
    ONEM2M = "onem2m"  # oneM2M
    FIWARE = "fiware"  # FIWARE Context Broker
    SENSORTHINGS = "ogc_sensorthings"  # OGC SensorThings API
    DATA_GO_KR = "data_go_kr"  # 공공데이터포털 Open API
    ITS = "its_standard"  # 국가교통정보 표준 (ITS)
    VWORLD = "vworld"  # 공간정보 오픈플랫폼(브이월드) API


solution_secondary_category = Table(
    "solution_secondary_category",
    Base.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id"), primary_key=True),
)

solution_tag = Table(
    "solution_tag",
    Base.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True),
    # Keyword search finds solutions by tag: tag first, the primary key serves solution first.
    Index("ix_solution_tag_tag_id", "tag_id"),
)

class SolutionDataHubStandard(Base):
    """One data-hub interface or standard a solution supports."""

    __tablename__ = "solution_data_hub_standard"

    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True
    )
    standard: Mapped[DataHubStandard] = mapped_column(
        enum_column(DataHubStandard, "data_hub_standard"), primary_key=True
    )


solution_region = Table(
    "solution_region",
    Base.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id"), primary_key=True),
)


LISTED_SOLUTION_CONDITION = "status = 'published' AND moderation_status = 'active'"


class Solution(VersionedMixin, TimestampMixin, Base):
    """A smart-city solution listed by a company."""

    __tablename__ = "solution"
    __table_args__ = (
        CheckConstraint("price_min IS NULL OR price_min >= 0", name="price_min_non_negative"),
        CheckConstraint("price_max IS NULL OR price_max >= 0", name="price_max_non_negative"),
        CheckConstraint(
            "price_min IS NULL OR price_max IS NULL OR price_min <= price_max",
            name="price_range_ordered",
        ),
        # The public catalogue's default order, so a page reads a dozen index entries, not
        # every solution; the partial condition is the row part of public_solution_clause.
        Index(
            "ix_solution_listed_newest",
            text("coalesce(published_at, created_at) DESC"),
            text("id DESC"),
            sqlite_where=text(LISTED_SOLUTION_CONDITION),
            postgresql_where=text(LISTED_SOLUTION_CONDITION),
        ),
        # Counts and company pages of listed solutions straight from the index.
        Index(
            "ix_solution_listed_company",
            "company_id",
            "id",
            sqlite_where=text(LISTED_SOLUTION_CONDITION),
            postgresql_where=text(LISTED_SOLUTION_CONDITION),
        ),
        # A licensed (open-source) solution names where its source is.
        CheckConstraint("open_source_license IS NULL OR source_url IS NOT NULL",
                        name="open_source_has_source_url"),
        trigram_index("ix_solution_title_trgm", "title"),
        trigram_index("ix_solution_summary_trgm", "summary"),
        trigram_index("ix_solution_description_trgm", "description"),
        # A solution needing a regulatory exemption names the rule at stake, and only then.
        CheckConstraint("(sandbox_kind IS NULL AND sandbox_rule IS NULL) OR "
                        "(sandbox_kind IS NOT NULL AND sandbox_rule IS NOT NULL)",
                        name="sandbox_rule_with_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    summary: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    # English summary for overseas demand (K-City Network); optional, matched against English needs.
    title_en: Mapped[Optional[str]] = mapped_column(String(120))
    summary_en: Mapped[Optional[str]] = mapped_column(String(200))
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    primary_category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id"), nullable=False, index=True
    )
    maturity: Mapped[Maturity] = mapped_column(enum_column(Maturity, "maturity"), nullable=False)
    price_min: Mapped[Optional[int]] = mapped_column(BigInteger)
    price_max: Mapped[Optional[int]] = mapped_column(BigInteger)
    status: Mapped[SolutionStatus] = mapped_column(
        enum_column(SolutionStatus, "solution_status"),
        nullable=False,
        default=SolutionStatus.DRAFT,
        index=True,
    )
    published_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    moderation_status: Mapped[ModerationStatus] = mapped_column(
        enum_column(ModerationStatus, "solution_moderation"),
        nullable=False,
        default=ModerationStatus.ACTIVE,
    )
    moderation_reason: Mapped[Optional[str]] = mapped_column(String(500))
    # Morphological analysis of the text fields, {field: "space separated terms"}, kept so the
    # matching index can be rebuilt without re-analysing the catalogue.
    analysed_text: Mapped[Optional[dict[str, str]]] = mapped_column(JSON)
    # `matching.ANALYSER_VERSION` of the analyser that produced `analysed_text` (NULL: unknown,
    # from before versions were recorded); `flask reanalyse` redoes rows of another version,
    # finding them through the index (version below or above the current one, or NULL).
    analyser_version: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    # Open source: an SPDX licence expression (validated by app/services/data_hub.py) and the
    # public repository it is published in; both NULL for a closed solution.
    open_source_license: Mapped[Optional[str]] = mapped_column(String(200))
    source_url: Mapped[Optional[str]] = mapped_column(String(500))
    # Regulatory sandbox: the exemption a trial needs (실증특례 / 임시허가) and the rule at stake.
    sandbox_kind: Mapped[Optional[SandboxKind]] = mapped_column(
        enum_column(SandboxKind, "solution_sandbox_kind"))
    sandbox_rule: Mapped[Optional[str]] = mapped_column(String(SANDBOX_RULE_MAX))

    company: Mapped["Company"] = relationship(back_populates="solutions")
    primary_category: Mapped["Category"] = relationship()
    secondary_categories: Mapped[list["Category"]] = relationship(
        secondary=solution_secondary_category, order_by="Category.sort_order"
    )
    tags: Mapped[list["Tag"]] = relationship(secondary=solution_tag, order_by="Tag.name")
    regions_served: Mapped[list["Municipality"]] = relationship(
        secondary=solution_region, order_by="Municipality.sort_order"
    )
    references: Mapped[list["DeploymentReference"]] = relationship(
        back_populates="solution",
        cascade="all, delete-orphan",
        order_by="DeploymentReference.year.desc()",
    )
    data_hub_links: Mapped[list["SolutionDataHubStandard"]] = relationship(
        cascade="all, delete-orphan", order_by="SolutionDataHubStandard.standard"
    )

    @property
    def data_hub_standards(self) -> list[DataHubStandard]:
        """The data-hub standards it supports, in vocabulary order."""
        order = list(DataHubStandard)
        return sorted((link.standard for link in self.data_hub_links), key=order.index)
    # Climate / digital-inclusion areas claimed by the company, checked by admins (policy.py).
    policy_tags: Mapped[list["SolutionPolicyTag"]] = relationship(
        back_populates="solution", cascade="all, delete-orphan",
        order_by="SolutionPolicyTag.area",
    )

    def __repr__(self) -> str:
        return f"<Solution {self.id} {self.title}>"


class DeploymentReference(Base):
    """A past deployment of a solution: where, when and with what outcome."""

    __tablename__ = "deployment_reference"
    __table_args__ = (
        CheckConstraint("year >= 1990 AND year <= 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), nullable=False, index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    outcome: Mapped[str] = mapped_column(String(300), nullable=False)
    # Where it runs on a data hub (e.g. "부산 데이터허브"), if it does.
    data_hub_name: Mapped[Optional[str]] = mapped_column(String(100))

    solution: Mapped["Solution"] = relationship(back_populates="references")
    municipality: Mapped["Municipality"] = relationship()
