"""Complementary partners for large/mid firms and consortia proposals per need.

Coverage of a need by a set of solutions = share of the need's TF-IDF weight (unigram terms)
whose terms occur in at least one of the solutions: ``Σ_{t∈N∩∪S} w_t / Σ_{t∈N} w_t``.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Hashable, Iterable

from matching.index import BIGRAM_JOINER
from matching.records import LEAD_SIZES, PARTNER_SIZES
from matching.recommend import Recommender

#: Default cap on the lead (large/mid) firm's share of the work (Smart Challenge rule).
LARGE_SHARE_CAP = 0.30


def _unigrams(weights: dict[str, float]) -> dict[str, float]:
    """Drop bigram features from a term-weight map."""
    return {t: w for t, w in weights.items() if BIGRAM_JOINER not in t and w > 0}


def coverage(need_weights: dict[str, float], term_sets: Iterable[set]) -> float:
    """Share of the need's weighted terms covered by the union of ``term_sets``."""
    total = sum(need_weights.values())
    if total <= 0:
        return 0.0
    union: set = set().union(*term_sets)
    return sum(w for t, w in need_weights.items() if t in union) / total


def role_split(need_weights: dict[str, float], members: list[set]) -> list[float]:
    """Each member's share of the covered need weight; a term shared by m members is split m ways."""
    shares = [0.0] * len(members)
    for t, w in need_weights.items():
        owners = [i for i, terms in enumerate(members) if t in terms]
        for i in owners:
            shares[i] += w / len(owners)
    total = sum(shares)
    return [s / total for s in shares] if total > 0 else shares


def min_lead_share(need_weights: dict[str, float], lead: set, partners: list[set]) -> float:
    """Smallest lead share attainable: terms any partner covers go to the partners."""
    covered = set().union(lead, *partners)
    total = sum(w for t, w in need_weights.items() if t in covered)
    only = sum(w for t, w in need_weights.items() if t in lead and not any(t in p for p in partners))
    return only / total if total > 0 else 0.0


@dataclass(frozen=True)
class Consortium:
    """A proposed team for a need: one lead solution plus one or two partner solutions."""

    need_id: Hashable
    lead: tuple            # (company_id, solution_id)
    partners: tuple        # ((company_id, solution_id), ...)
    coverage: float
    best_single_coverage: float
    gain: float
    shares: dict           # solution_id → share of the work (sums to 1)
    adjusted: bool         # shares were moved to partners to respect the cap


@dataclass(frozen=True)
class PartnerSuggestion:
    """A startup/SME whose solutions fill gaps in a firm's portfolio."""

    company_id: Hashable
    total_gain: float
    needs_helped: int
    examples: tuple        # ((need_id, base_coverage, coverage_with_partner, solution_id), ...)


class Partnerships:
    """Partnership analysis on top of a fitted :class:`Recommender`."""

    def __init__(self, recommender: Recommender, large_share_cap: float = LARGE_SHARE_CAP,
                 pool: int = 10, min_gain: float = 0.01):
        self.recommender = recommender
        self.large_share_cap = large_share_cap
        self.pool = pool
        self.min_gain = min_gain

    def _need_weights(self, need_id) -> dict[str, float]:
        """Unigram TF-IDF weights of a need."""
        return _unigrams(self.recommender.index_.term_weights(("need", need_id)))

    def _terms(self, solution_id) -> set:
        """Unigram terms of a solution."""
        return set(_unigrams(self.recommender.index_.term_weights(("solution", solution_id))))

    def _suitable(self, need_id) -> set:
        """Solutions that make sense for the need on their own.

        Consortium members and suggested partners must each be a confident two-way match, and
        either work in one of the need's fields or be at least half as textually close to the
        need as its closest solution: coverage alone would reward solutions that merely share
        context words with it (the same villages, the same county).
        """
        rec = self.recommender
        need = rec.needs_[need_id]
        fields = {need.category, *need.secondary_categories} - {None}
        matches = rec.recommend_solutions(need_id, top_k=rec.candidates)
        if not matches:
            return set()
        closest = max(m.text_score for m in matches)
        suitable = set()
        for m in matches:
            sol = rec.solutions_[m.solution_id]
            same_field = bool(fields & ({sol.category, *sol.secondary_categories} - {None}))
            if same_field or m.text_score >= 0.5 * closest:
                suitable.add(m.solution_id)
        return suitable

    def _related_solutions(self, need_id, sizes, n) -> list:
        """Text-nearest solutions of the need whose company size is in ``sizes``."""
        rec = self.recommender
        hits = rec.index_.search(rec.index_.vector_of(("need", need_id)), rec.candidates,
                                 group="solution")
        out = [rec.solutions_[k[1]] for k, _ in hits
               if rec.solutions_[k[1]].company_size in sizes]
        return out[:n]

    def consortia(self, need_id: Hashable, top_k: int = 5, max_partners: int = 2) -> list[Consortium]:
        """Lead + 1–2 partner proposals covering more of the need than any single solution."""
        rec = self.recommender
        rec._check()
        nw = self._need_weights(need_id)
        if not nw:
            return []
        everyone = self._related_solutions(need_id, LEAD_SIZES | PARTNER_SIZES | {None},
                                           rec.candidates)
        terms = {s.id: self._terms(s.id) for s in everyone}
        best_single = max((coverage(nw, [terms[s.id]]) for s in everyone), default=0.0)
        suitable = self._suitable(need_id)
        leads = [s for s in everyone if s.company_size in LEAD_SIZES and s.id in suitable]
        partners = [s for s in everyone if s.company_size in PARTNER_SIZES and s.id in suitable]
        leads, partners = leads[: self.pool], partners[: self.pool]
        out: list[Consortium] = []
        for lead in leads:
            for size in range(1, max_partners + 1):
                for team in combinations(partners, size):
                    companies = {lead.company_id, *(p.company_id for p in team)}
                    if len(companies) != size + 1:
                        continue
                    sets = [terms[lead.id]] + [terms[p.id] for p in team]
                    cov = coverage(nw, sets)
                    if cov <= best_single + 1e-9:
                        continue
                    shares = role_split(nw, sets)
                    adjusted = False
                    if shares[0] > self.large_share_cap + 1e-9:
                        if min_lead_share(nw, sets[0], sets[1:]) > self.large_share_cap + 1e-9:
                            continue
                        rest = sum(shares[1:])
                        shares = [self.large_share_cap] + [
                            (1 - self.large_share_cap) * s / rest for s in shares[1:]]
                        adjusted = True
                    ids = [lead.id] + [p.id for p in team]
                    out.append(Consortium(
                        need_id, (lead.company_id, lead.id),
                        tuple((p.company_id, p.id) for p in team), round(cov, 6),
                        round(best_single, 6), round(cov - best_single, 6),
                        {i: round(s, 6) for i, s in zip(ids, shares)}, adjusted))
        out.sort(key=lambda c: (-c.coverage, len(c.partners), c.lead[1],
                                tuple(p[1] for p in c.partners)))
        return out[:top_k]

    def partners_for(self, company_id: Hashable, top_k: int = 10,
                     needs_per_solution: int = 20) -> list[PartnerSuggestion]:
        """Startups/SMEs ranked by the coverage they add to the needs the firm addresses."""
        rec = self.recommender
        rec._check()
        own = rec.company_solutions(company_id)
        need_ids: set = set()
        for sol in own:
            hits = rec.index_.search(rec.index_.vector_of(("solution", sol.id)),
                                     needs_per_solution, group="need")
            need_ids.update(k[1] for k, _ in hits)
        own_terms = {s.id: self._terms(s.id) for s in own}
        gains: dict = {}
        for need_id in sorted(need_ids, key=str):
            nw = self._need_weights(need_id)
            if not nw or not own:
                continue
            suitable = self._suitable(need_id)
            if not any(s.id in suitable for s in own):
                continue  # the firm does not address this need itself
            base, base_id = max((coverage(nw, [own_terms[s.id]]), s.id) for s in own)
            best_per_company: dict = {}
            for cand in self._related_solutions(need_id, PARTNER_SIZES, self.pool * 3):
                if cand.company_id == company_id or cand.id not in suitable:
                    continue
                with_p = coverage(nw, [own_terms[base_id], self._terms(cand.id)])
                gain = with_p - base
                cur = best_per_company.get(cand.company_id)
                if gain >= self.min_gain and (cur is None or gain > cur[2] - base):
                    best_per_company[cand.company_id] = (need_id, base, with_p, cand.id)
            for comp, ex in best_per_company.items():
                gains.setdefault(comp, []).append(ex)
        out = [PartnerSuggestion(comp, round(sum(e[2] - e[1] for e in exs), 6), len(exs),
                                 tuple(sorted(((e[0], round(e[1], 6), round(e[2], 6), e[3])
                                               for e in exs), key=lambda e: (e[1] - e[2], str(e[0])))[:5]))
               for comp, exs in gains.items()]
        out.sort(key=lambda p: (-p.total_gain, str(p.company_id)))
        return out[:top_k]
