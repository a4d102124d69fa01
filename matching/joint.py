"""Joint procurement: needs of different municipalities similar enough to buy together.

The similarity of two needs is ``(1 - w) · cosine + w · category agreement``: the cosine of
their stored TF-IDF rows in the recommender's index (the text representation the
recommendations use) and ``w`` = ``category_weight``. Category agreement is 1 for the same
primary category, ``related_category`` when one's primary category is among the other's
categories, else 0. Pairs from the same municipality are never similar (a municipality does not
procure jointly with itself), and a pair below ``min_cosine`` never is, whatever its category.

Clusters are stars (Aslam et al.'s star clustering, greedy): needs are taken in order of how
many similar needs they have (then the sum of those similarities, then id); each one not yet
taken becomes a centre and takes every similar need not yet taken. Every member is similar to
its centre, so a cluster never drifts through a chain of neighbours from street lights to
parking. The result depends only on the index and the config (ties break by id).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Optional

from matching.records import NeedDoc
from matching.recommend import Recommender


@dataclass(frozen=True)
class JointConfig:
    """Thresholds of need–need similarity (see the module docstring)."""

    threshold: float = 0.40
    category_weight: float = 0.25
    related_category: float = 0.5
    min_cosine: float = 0.15
    #: How many text-nearest needs are compared per need.
    neighbours: int = 50
    #: The smallest cluster reported (in needs of different municipalities).
    min_size: int = 2

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if not 0.0 <= self.category_weight <= 1.0 or not 0.0 <= self.related_category <= 1.0:
            raise ValueError("category_weight and related_category must be in [0, 1]")
        if self.neighbours < 1 or self.min_size < 2:
            raise ValueError("neighbours must be >= 1 and min_size >= 2")


DEFAULT_JOINT = JointConfig()


@dataclass(frozen=True)
class SimilarNeed:
    """Another municipality's need similar to a given one."""

    need_id: Hashable
    score: float
    cosine: float
    category: float


@dataclass(frozen=True)
class NeedCluster:
    """Needs of several municipalities similar to one centre need, centre first."""

    centre: Hashable
    need_ids: tuple
    places: tuple
    categories: tuple
    #: Terms shared by at least half the members, strongest first.
    terms: tuple

    @property
    def size(self) -> int:
        """How many needs the cluster holds."""
        return len(self.need_ids)


def category_agreement(a: NeedDoc, b: NeedDoc, related: float = DEFAULT_JOINT.related_category
                       ) -> float:
    """1 for the same primary category, ``related`` when one's primary is among the other's
    categories, else 0 (also when a category is missing)."""
    if a.category is None or b.category is None:
        return 0.0
    if a.category == b.category:
        return 1.0
    if a.category in b.secondary_categories or b.category in a.secondary_categories:
        return related
    return 0.0


def _place_id(need: NeedDoc) -> Optional[Hashable]:
    return need.place.id if need.place is not None else None


def _id_order(value: Hashable) -> tuple:
    """A total order of ids of any type (ints in order, then the rest by text)."""
    return (0, value, "") if isinstance(value, int) else (1, 0, f"{type(value).__name__}:{value}")


def _similar(rec: Recommender, need: NeedDoc, hits: Iterable, config: JointConfig
             ) -> list[SimilarNeed]:
    """The hits of a need's text search that pass the thresholds, best first."""
    out = []
    for (group, other_id), cosine in hits:
        other = rec.get_need(other_id)
        if group != "need" or other is None or other_id == need.id:
            continue
        if _place_id(other) is not None and _place_id(other) == _place_id(need):
            continue
        if cosine < config.min_cosine:
            continue
        agreement = category_agreement(need, other, config.related_category)
        score = round((1 - config.category_weight) * cosine + config.category_weight * agreement, 6)
        if score >= config.threshold:
            out.append(SimilarNeed(other_id, score, cosine, agreement))
    out.sort(key=lambda s: (-s.score, _id_order(s.need_id)))
    return out


def similar_needs(rec: Recommender, need_id: Hashable, config: JointConfig = DEFAULT_JOINT
                  ) -> list[SimilarNeed]:
    """Indexed needs of other municipalities similar to the indexed need ``need_id``, best first
    (empty when it is not indexed)."""
    need = rec.get_need(need_id)
    if need is None:
        return []
    searched = rec.near(("need", need_id), "need", config.neighbours + 1)
    return _similar(rec, need, searched.hits, config)


def _shared_terms(rec: Recommender, need_ids: tuple, n: int = 5) -> tuple:
    """Unigram terms present in at least half the needs, by summed weight."""
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for need_id in need_ids:
        for term, weight in rec.term_weights("need", need_id).items():
            if " " in term:  # bigram and subword features are not words to show
                continue
            totals[term] = totals.get(term, 0.0) + weight
            counts[term] = counts.get(term, 0) + 1
    quorum = max(2, (len(need_ids) + 1) // 2)
    kept = [t for t in totals if counts[t] >= quorum]
    kept.sort(key=lambda t: (-round(totals[t], 6), t))
    return tuple(kept[:n])


def need_clusters(rec: Recommender, config: JointConfig = DEFAULT_JOINT,
                  need_ids: Optional[Iterable[Hashable]] = None) -> list[NeedCluster]:
    """Star clusters of similar needs of different municipalities (all indexed needs, or
    ``need_ids``), largest first, then by centre id."""
    rec._check()
    ids = sorted(rec.needs_ if need_ids is None else
                 [i for i in need_ids if rec.has_need(i)], key=_id_order)
    allowed = set(ids)
    searches = rec.near_many([("need", i) for i in ids], "need", config.neighbours + 1)
    edges: dict[Hashable, list[SimilarNeed]] = {}
    for need_id, searched in zip(ids, searches):
        found = _similar(rec, rec.get_need(need_id), searched.hits, config)
        edges[need_id] = [s for s in found if s.need_id in allowed]
    # similarity is symmetric, but a neighbour list is cut at k: keep an edge seen from one end
    for need_id in ids:
        for s in edges[need_id]:
            back = edges[s.need_id]
            if all(b.need_id != need_id for b in back):
                back.append(SimilarNeed(need_id, s.score, s.cosine, s.category))
    order = sorted(ids, key=lambda i: (-len(edges[i]), -round(sum(s.score for s in edges[i]), 6),
                                       _id_order(i)))
    taken: set = set()
    clusters = []
    for centre in order:
        if centre in taken:
            continue
        members = [centre]
        places = {_place_id(rec.get_need(centre))}
        for s in sorted(edges[centre], key=lambda s: (-s.score, _id_order(s.need_id))):
            if s.need_id in taken:
                continue
            members.append(s.need_id)
            places.add(_place_id(rec.get_need(s.need_id)))
        if len(places) < config.min_size:
            continue
        taken.update(members)
        docs = [rec.get_need(i) for i in members]
        clusters.append(NeedCluster(
            centre=centre,
            need_ids=tuple(members),
            places=tuple(dict.fromkeys(_place_id(d) for d in docs)),
            categories=tuple(dict.fromkeys(d.category for d in docs if d.category)),
            terms=_shared_terms(rec, tuple(members)),
        ))
    clusters.sort(key=lambda c: (-c.size, _id_order(c.centre)))
    return clusters
