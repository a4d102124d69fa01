"""Small factories for test data; each flushes and returns the new object."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Category,
    Company,
    DeploymentReference,
    GovernmentLevel,
    Maturity,
    MembershipStatus,
    Municipality,
    Need,
    NeedStatus,
    OfficialStatus,
    Role,
    SizeClass,
    Solution,
    SolutionStatus,
    User,
)
from app.services import privacy
from app.services.bizno import check_digit

PASSWORD = "correct-horse-9"
_sequence = itertools.count(1)


def next_number() -> int:
    """A process-wide unique number for names and e-mails."""
    return next(_sequence)


def valid_business_number(seed: int) -> str:
    """A fictional business number of a possible structure (app/services/bizno.py), one per seed."""
    office, rest = 101 + seed % 899, seed // 899
    type_code, serial = 1 + rest % 99, 1 + (rest // 99) % 9999
    first_nine = f"{office:03d}{type_code:02d}{serial:04d}"
    return first_nine + str(check_digit(first_nine))


def category(code: str = "transport") -> Category:
    """The category with this code (the test categories are loaded by conftest)."""
    return db.session.scalar(select(Category).where(Category.code == code))


def municipality(full_name: str = "서울특별시 종로구") -> Municipality:
    """A seeded local government by its full name."""
    found = db.session.scalar(select(Municipality).where(Municipality.full_name == full_name))
    assert found is not None, f"municipality {full_name} is not seeded"
    return found


def province(name: str = "서울특별시") -> Municipality:
    """A seeded provincial-level government."""
    found = db.session.scalar(
        select(Municipality).where(Municipality.name == name,
                                   Municipality.level == GovernmentLevel.PROVINCE)
    )
    assert found is not None, f"province {name} is not seeded"
    return found


def make_company(
    *,
    name: str | None = None,
    size_class: SizeClass = SizeClass.STARTUP,
    membership: MembershipStatus = MembershipStatus.APPROVED,
    regions: list[str] | None = None,
    hq: str = "서울특별시",
) -> Company:
    """A company, by default an approved alliance member serving Seoul."""
    n = next_number()
    hq_region = province(hq)
    regions_served = [province(r) for r in (regions or [hq])]
    company = Company(
        name=name or f"테스트기업{n}",
        business_number=valid_business_number(n),
        size_class=size_class,
        hq_region=hq_region,
        description="스마트시티 솔루션을 만드는 테스트 기업입니다.",
        membership_status=membership,
    )
    company.regions_served = regions_served
    db.session.add(company)
    db.session.flush()
    return company


def make_user(
    *,
    role: Role = Role.COMPANY,
    company: Company | None = None,
    municipality_name: str = "서울특별시 종로구",
    official_status: OfficialStatus = OfficialStatus.VERIFIED,
    email: str | None = None,
    password: str = PASSWORD,
    consented: bool = True,
) -> User:
    """A user of the given role; officials belong to a municipality and are verified by default.

    The user has accepted the current privacy notice unless `consented` is False.
    """
    n = next_number()
    user = User(
        email=email or f"user{n}@example.kr",
        name=f"사용자{n}",
        role=role,
        company=company,
        phone="02-123-4567",
        department="스마트도시과",
    )
    if role == Role.MUNICIPALITY:
        user.municipality = municipality(municipality_name)
        user.official_status = official_status
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if consented:
        privacy.record_consent(user, privacy.CURRENT.version)
    return user


def make_solution(
    company: Company,
    *,
    title: str | None = None,
    status: SolutionStatus = SolutionStatus.PUBLISHED,
    category_code: str = "transport",
    description: str = "수요응답형 교통(DRT) 배차 플랫폼으로 농어촌 교통 사각지대를 해소합니다.",
    price: tuple[int | None, int | None] = (10_000_000, 50_000_000),
    maturity: Maturity = Maturity.COMMERCIAL,
    regions: list[str] | None = None,
    summary: str = "테스트용 한 줄 요약",
    title_en: str | None = None,
    summary_en: str | None = None,
    description_en: str | None = None,
) -> Solution:
    """A solution of the company, published by default (English summary fields optional)."""
    n = next_number()
    primary = category(category_code)
    regions_served = [province(r) for r in (regions or ["서울특별시"])]
    solution = Solution(
        company=company,
        title=title or f"테스트 솔루션 {n}",
        summary=summary,
        description=description,
        title_en=title_en,
        summary_en=summary_en,
        description_en=description_en,
        primary_category=primary,
        maturity=maturity,
        price_min=price[0],
        price_max=price[1],
        status=status,
    )
    solution.regions_served = regions_served
    db.session.add(solution)
    db.session.flush()
    return solution


def make_reference(solution: Solution, full_name: str = "서울특별시 종로구", year: int = 2023,
                   outcome: str = "배차 대기시간 30% 감소") -> DeploymentReference:
    """A deployment reference of a solution."""
    place = municipality(full_name)
    reference = DeploymentReference(solution=solution, municipality=place, year=year,
                                    outcome=outcome)
    db.session.add(reference)
    db.session.flush()
    return reference


def make_need(
    official: User,
    *,
    title: str | None = None,
    status: NeedStatus = NeedStatus.OPEN,
    category_code: str = "transport",
    description: str = "농촌 지역 어르신의 이동권 보장을 위한 수요응답형 버스가 필요합니다.",
    budget: tuple[int | None, int | None] = (20_000_000, 80_000_000),
    deadline_in_days: int = 30,
    language: str = "ko",
) -> Need:
    """An open need posted by the official for their municipality ("en": written in English)."""
    n = next_number()
    need = Need(
        municipality_id=official.municipality_id,
        created_by=official,
        title=title or f"테스트 수요 {n}",
        description=description,
        primary_category=category(category_code),
        budget_min=budget[0],
        budget_max=budget[1],
        desired_start=date.today() + timedelta(days=deadline_in_days + 30),
        application_deadline=date.today() + timedelta(days=deadline_in_days),
        target_area="읍면 지역",
        target_population=12000,
        status=status,
        language=language,
    )
    db.session.add(need)
    db.session.flush()
    return need


def make_policy_tag(listing, area, status=None, reviewer: User | None = None):
    """A policy tag on a solution or need (confirmed by default, as an admin would)."""
    from app.models import NeedPolicyTag, PolicyTagStatus, SolutionPolicyTag
    from app.models.base import utcnow

    status = status or PolicyTagStatus.CONFIRMED
    tag_class = SolutionPolicyTag if isinstance(listing, Solution) else NeedPolicyTag
    reviewed = status != PolicyTagStatus.CLAIMED
    tag = tag_class(area=area, status=status, reviewed_at=utcnow() if reviewed else None,
                    reviewed_by_id=reviewer.id if reviewed and reviewer else None)
    listing.policy_tags.append(tag)
    db.session.flush()
    return tag


def make_approved_match(need: Need, solution: Solution, *, approved_at=None, stage=None,
                        contract_amount: int | None = None, contracted_on: date | None = None,
                        status=None):
    """A match approved at `approved_at` (now by default), optionally with its outcome stage and
    contract; `status` gives a match that is not approved instead."""
    from app.models import Match, MatchOutcome, MatchStatus, Side
    from app.models.base import utcnow

    moment = approved_at or utcnow()
    match = Match(need=need, solution=solution, status=status or MatchStatus.APPROVED,
                  initiator_side=Side.MUNICIPALITY, requested_by=need.created_by,
                  created_at=moment - timedelta(days=3), expires_at=moment + timedelta(days=11),
                  responded_at=moment - timedelta(days=1),
                  reviewed_at=moment if status is None else None)
    db.session.add(match)
    db.session.flush()
    if stage is not None:
        db.session.add(MatchOutcome(match_id=match.id, stage=stage, stage_since=moment,
                                    last_activity_at=moment, contract_amount=contract_amount,
                                    contracted_on=contracted_on))
        db.session.flush()
    return match
