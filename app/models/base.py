"""Declarative base with a constraint naming convention and shared column helpers."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DDL, DateTime, Enum, Index, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Current time as an aware UTC datetime (used as a callable column default)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable VARCHAR + CHECK enum storing the members' values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class TimestampMixin:
    """created_at / updated_at maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version` (a stale write fails)."""

    version: Mapped[int] = mapped_column(nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class ModerationStatus(str, enum.Enum):
    """Admin moderation of a listing: visible, or suspended with a reason."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


# Keyword search uses trigram indexes on PostgreSQL (pg_trgm is a trusted extension: the
# database owner may create it without superuser). create_all needs it before the indexes.
event.listen(Base.metadata, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


def trigram_index(name: str, column: str) -> Index:
    """A GIN trigram index for ILIKE '%term%' on PostgreSQL; a plain index elsewhere."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
