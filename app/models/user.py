"""User accounts and roles."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, and_, event, or_, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, TimestampMixin, enum_column

if TYPE_CHECKING:
    from app.models.company import Company
    from app.models.geo import Municipality
    from app.models.overseas import OverseasOrganisation


class Role(str, enum.Enum):
    """What kind of user this is."""

    COMPANY = "company"
    MUNICIPALITY = "municipality"
    ADMIN = "admin"


class AccountStatus(str, enum.Enum):
    """Whether the account may sign in."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class OfficialStatus(str, enum.Enum):
    """Verification of a municipal official by the platform admins."""

    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class User(UserMixin, TimestampMixin, Base):
    """A person who signs in: company staff, municipal official or admin."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role != 'municipality' OR municipality_id IS NOT NULL "
            "OR overseas_organisation_id IS NOT NULL",
            name="official_has_municipality",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    department: Mapped[Optional[str]] = mapped_column(String(100))
    phone: Mapped[Optional[str]] = mapped_column(String(30))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), nullable=False)
    account_status: Mapped[AccountStatus] = mapped_column(
        enum_column(AccountStatus, "account_status"),
        nullable=False,
        default=AccountStatus.ACTIVE,
    )
    company_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("company.id", ondelete="SET NULL"), index=True
    )
    municipality_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipality.id"), index=True
    )
    # An official of an overseas organisation (K-City Network) instead of a municipality.
    overseas_organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("overseas_organisation.id"), index=True
    )
    official_status: Mapped[Optional[OfficialStatus]] = mapped_column(
        enum_column(OfficialStatus, "official_status")
    )
    official_status_reason: Mapped[Optional[str]] = mapped_column(String(500))
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Interface language chosen by the user ("ko" or "en"); None follows the browser.
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    # Part of every session's user id (get_id): a new token signs out every existing session.
    session_token: Mapped[str] = mapped_column(String(64), nullable=False,
                                               default=lambda: secrets.token_hex(16))
    # Set when the user deleted their account: the row stays, anonymised, so the
    # organisation's records keep their author ("deleted user").
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    company: Mapped[Optional["Company"]] = relationship(back_populates="members")
    municipality: Mapped[Optional["Municipality"]] = relationship()
    overseas_organisation: Mapped[Optional["OverseasOrganisation"]] = relationship(
        foreign_keys=[overseas_organisation_id])

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: user id and current session token."""
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        """Invalidate every session signed in before now (app/services/sessions.py)."""
        self.session_token = secrets.token_hex(16)

    @property
    def is_active(self) -> bool:  # used by Flask-Login
        return self.account_status == AccountStatus.ACTIVE and self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_company_user(self) -> bool:
        return self.role == Role.COMPANY

    @property
    def is_official(self) -> bool:
        return self.role == Role.MUNICIPALITY

    @property
    def is_overseas_official(self) -> bool:
        return self.is_official and self.overseas_organisation_id is not None

    @property
    def owner_key(self) -> tuple[str, int] | None:
        """The organisation an official acts for, comparable with `Need.owner_key` (None for
        everyone else, so it never equals a need's)."""
        if not self.is_official:
            return None
        if self.overseas_organisation_id is not None:
            return ("overseas", self.overseas_organisation_id)
        if self.municipality_id is not None:
            return ("municipality", self.municipality_id)
        return None

    @property
    def organisation(self):
        """The municipality or overseas organisation an official acts for."""
        return self.overseas_organisation if self.overseas_organisation_id else self.municipality

    @property
    def is_verified_official(self) -> bool:
        return self.is_official and self.official_status == OfficialStatus.VERIFIED

    @hybrid_property
    def acts_for_organisation(self) -> bool:
        """May see and act on its organisation's confidential records (the one visibility rule).

        An active admin; an active, verified official of a municipality; active staff of an
        approved alliance-member company. Everyone else sees what an anonymous visitor sees, plus
        their own drafts and the state of their application.
        """
        if self.account_status != AccountStatus.ACTIVE:
            return False
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.MUNICIPALITY:
            return self.official_status == OfficialStatus.VERIFIED and (
                self.municipality_id is not None or self.overseas_organisation_id is not None)
        return self.company is not None and self.company.is_approved_member

    @acts_for_organisation.inplace.expression
    @classmethod
    def _acts_for_organisation_expression(cls):
        from app.models.company import Company, MembershipStatus

        approved_companies = select(Company.id).where(
            Company.membership_status == MembershipStatus.APPROVED)
        return and_(
            cls.account_status == AccountStatus.ACTIVE,
            or_(
                cls.role == Role.ADMIN,
                and_(cls.role == Role.MUNICIPALITY, cls.official_status == OfficialStatus.VERIFIED,
                     or_(cls.municipality_id.is_not(None),
                         cls.overseas_organisation_id.is_not(None))),
                and_(cls.role == Role.COMPANY, cls.company_id.in_(approved_companies)),
            ),
        )

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


def _revoke_sessions_on_change(target: User, value, oldvalue, initiator) -> None:
    """A new password, role or account status ends the user's existing sessions."""
    if oldvalue in (NO_VALUE, NEVER_SET) or value == oldvalue:
        return
    target.rotate_session_token()


for _attribute in (User.password_hash, User.role, User.account_status):
    event.listen(_attribute, "set", _revoke_sessions_on_change, active_history=True)
