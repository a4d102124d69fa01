"""Plain input records: municipalities (places), needs and solutions."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Hashable, Iterable, Mapping, Optional

#: Company size classes that may lead a consortium.
LEAD_SIZES = frozenset({"large", "mid"})
#: Company size classes proposed as complementary partners.
PARTNER_SIZES = frozenset({"sme", "startup"})
#: Technology readiness levels.
MATURITIES = ("rnd", "pilot", "commercial")
#: Languages a need may be written in: Korean (the default) or English (overseas demand).
LANGUAGES = ("ko", "en")


@dataclass(frozen=True)
class Place:
    """A local government: its id, its province (광역) and kind (시/군/구/도/광역시…)."""

    id: Hashable
    province: Optional[str] = None
    kind: Optional[str] = None

    @classmethod
    def coerce(cls, value: Any) -> Optional["Place"]:
        """Build from a Place, a mapping or a bare id."""
        if value is None or isinstance(value, Place):
            return value
        if isinstance(value, Mapping):
            return cls(value["id"], value.get("province"), value.get("kind"))
        return cls(value)


def _from_mapping(cls, data: Mapping[str, Any]):
    """Construct a dataclass from a mapping, ignoring unknown keys."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class NeedDoc:
    """A municipality's need. Money in KRW; ``tokens`` = pre-analysed ``{field: tokens}``."""

    id: Hashable
    title: str
    description: str = ""
    place: Optional[Place] = None
    category: Optional[str] = None
    secondary_categories: tuple = ()
    budget_min: Optional[int] = None
    budget_max: Optional[int] = None
    deadline: Optional[date] = None
    tokens: Optional[dict] = None
    #: Requirements (see ``scoring.requirement_checks``): integration with a data hub, one
    #: named interface standard (a code of the app's vocabulary), an open-source licence.
    requires_data_hub: bool = False
    required_data_hub_standard: Optional[str] = None
    requires_open_source: bool = False
    #: "ko" (matched in the Korean index) or "en" (matched in the English index against the
    #: solutions' English fields; see ``Recommender``).
    language: str = "ko"
    #: The place is a designated population-decline area or area of concern (인구감소지역 /
    #: 관심지역): ranking needs for a solution may give it ``ScoringConfig.declining_area_boost``.
    declining_area: bool = False

    def __post_init__(self):
        self.language = self.language or "ko"
        if self.language not in LANGUAGES:
            raise ValueError(f"need language must be one of {LANGUAGES}, got {self.language!r}")
        self.place = Place.coerce(self.place)
        self.requires_data_hub = bool(self.requires_data_hub)
        self.requires_open_source = bool(self.requires_open_source)
        self.required_data_hub_standard = self.required_data_hub_standard or None
        self.declining_area = bool(self.declining_area)
        self.secondary_categories = tuple(self.secondary_categories or ())
        if isinstance(self.deadline, str):
            self.deadline = date.fromisoformat(self.deadline)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "NeedDoc":
        """Build from a plain mapping (unknown keys ignored)."""
        return _from_mapping(cls, data)

    def index_doc(self) -> dict:
        """The document handed to the text index (its own language's index).

        An English need is analysed by the English index's analyser, so stored ``tokens``
        (made by the Korean analyser) are not passed for it."""
        return {"id": ("need", self.id), "group": "need", "title": self.title,
                "text": self.description,
                "tokens": self.tokens if self.language == "ko" else None}


@dataclass
class SolutionDoc:
    """A company's solution. ``regions_served`` holds place ids or province names (empty = nationwide)."""

    id: Hashable
    title: str
    company_id: Hashable = None
    summary: str = ""
    description: str = ""
    tags: tuple = ()
    category: Optional[str] = None
    secondary_categories: tuple = ()
    maturity: Optional[str] = None
    price_min: Optional[int] = None
    price_max: Optional[int] = None
    regions_served: tuple = ()
    references: tuple = ()
    company_size: Optional[str] = None
    tokens: Optional[dict] = None
    extra: dict = field(default_factory=dict)
    #: Deployments both sides confirmed on the platform (count at least as self-declared ones).
    verified_references: tuple = ()
    #: How many municipalities rated the solution (1–5 stars) and their mean (see ratings.py).
    rating_count: int = 0
    rating_mean: Optional[float] = None
    #: Data-hub interfaces/standards it supports (codes) and its open-source licence (an SPDX
    #: expression, None when it is not open source).
    data_hub_standards: tuple = ()
    open_source_license: Optional[str] = None
    #: English title, summary and description for overseas (English) needs; a solution with
    #: none of them is no candidate for English needs.
    title_en: Optional[str] = None
    summary_en: Optional[str] = None
    description_en: Optional[str] = None

    def __post_init__(self):
        self.tags = tuple(self.tags or ())
        self.data_hub_standards = tuple(self.data_hub_standards or ())
        self.open_source_license = self.open_source_license or None
        self.secondary_categories = tuple(self.secondary_categories or ())
        self.regions_served = tuple(self.regions_served or ())
        self.references = tuple(Place.coerce(r) for r in (self.references or ()))
        self.verified_references = tuple(Place.coerce(r)
                                         for r in (self.verified_references or ()))
        self.rating_count = int(self.rating_count or 0)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SolutionDoc":
        """Build from a plain mapping (unknown keys ignored)."""
        return _from_mapping(cls, data)

    def index_doc(self) -> dict:
        """The document handed to the text index."""
        return {"id": ("solution", self.id), "group": "solution", "title": self.title,
                "summary": self.summary, "tags": list(self.tags), "text": self.description,
                "tokens": self.tokens}

    @property
    def has_english(self) -> bool:
        """Whether any English field has text (then it is indexed for English needs)."""
        return any((v or "").strip() for v in (self.title_en, self.summary_en, self.description_en))

    def english_index_doc(self) -> dict:
        """The document handed to the English index: the English fields and the tags (Latin
        tags such as IoT or CCTV count; Hangul is dropped by the English analyser)."""
        return {"id": ("solution", self.id), "group": "solution", "title": self.title_en or "",
                "summary": self.summary_en or "", "tags": list(self.tags),
                "text": self.description_en or ""}


def as_need(value: Any) -> NeedDoc:
    """Coerce a NeedDoc or mapping into a NeedDoc."""
    return value if isinstance(value, NeedDoc) else NeedDoc.from_dict(value)


def as_solution(value: Any) -> SolutionDoc:
    """Coerce a SolutionDoc or mapping into a SolutionDoc."""
    return value if isinstance(value, SolutionDoc) else SolutionDoc.from_dict(value)


def as_record(value: Any) -> NeedDoc | SolutionDoc:
    """A NeedDoc or SolutionDoc as is; a mapping by its ``kind`` ("need" or "solution")."""
    if isinstance(value, (NeedDoc, SolutionDoc)):
        return value
    kind = value.get("kind") if isinstance(value, Mapping) else None
    if kind == "need":
        return NeedDoc.from_dict(value)
    if kind == "solution":
        return SolutionDoc.from_dict(value)
    raise ValueError(f"a record must be a NeedDoc, a SolutionDoc or a mapping with kind "
                     f"'need' or 'solution', got kind={kind!r}")


def catalogue(solutions: Iterable[Any] = (), needs: Iterable[Any] = ()) -> list[NeedDoc | SolutionDoc]:
    """One corpus for ``Recommender.fit``: solutions then needs (records or mappings)."""
    return [as_solution(s) for s in solutions] + [as_need(n) for n in needs]
