"""Answers of the National Tax Service's business status API (국세청 사업자등록 상태조회)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column, utcnow


class BusinessStatus(str, enum.Enum):
    """What the NTS said about a business number (b_stt_cd), or that it could not be asked."""

    ACTIVE = "active"  # 01 계속사업자
    SUSPENDED = "suspended"  # 02 휴업자
    CLOSED = "closed"  # 03 폐업자
    UNREGISTERED = "unregistered"  # 국세청에 등록되지 않은 사업자등록번호
    UNAVAILABLE = "unavailable"  # no usable answer (timeout, HTTP error, unexpected body)


class BusinessStatusCheck(Base):
    """One status query for a company's business number (the latest is shown to admins)."""

    __tablename__ = "business_status_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
    )
    business_number: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[BusinessStatus] = mapped_column(
        enum_column(BusinessStatus, "business_status"), nullable=False
    )
    closed_on: Mapped[Optional[date]] = mapped_column(Date)  # end_dt of a closed business
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 default=utcnow)
