"""Complementary partners for large/mid firms and consortia proposals per need.

Coverage of a need by a set of solutions = share of the need's TF-IDF weight (unigram terms)
whose terms occur in at least one of the solutions: ``Σ_{t∈N∩∪S} w_t / Σ_{t∈N} w_t``.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, islice
from typing import Hashable, Iterable

from matching.index import BIGRAM_JOINER
from matching.records import LEAD_SIZES, PARTNER_SIZES
from matching.recommend import Recommender
from matching.scoring import score_pair

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
        # Memos valid while the recommender is unchanged (callers make a new instance after
        # an upsert, remove or refit); filled lazily, so a firm's partners cost a few scored
        # pairs per need instead of every candidate with its explanation.
        self._near: dict = {}
        self._pairs: dict = {}
        self._closest: dict = {}
        self._weights: dict = {}
        self._term_sets: dict = {}

    def forget(self, impact) -> None:
        """Drop the memos a batch of changed documents can affect (a ``ChangeImpact``), so
        the analysis stays exact across upserts and removals between refits."""
        changed = impact.changed
        changed_needs = {key[1] for key in changed if key[0] == "need"}
        changed_solutions = {key[1] for key in changed if key[0] == "solution"}
        for solution_id in changed_solutions:
            self._term_sets.pop(solution_id, None)
        for need_id in changed_needs:
            self._weights.pop(need_id, None)
        stale = changed_needs | {need_id for need_id, (searched, _) in self._near.items()
                                 if impact.affects([searched])}
        for need_id in stale:
            self._near.pop(need_id, None)
            self._closest.pop(need_id, None)
        self._pairs = {key: pair for key, pair in self._pairs.items()
                       if key[0] not in stale and key[1] not in changed_solutions}

    def _need_weights(self, need_id) -> dict[str, float]:
        """Unigram TF-IDF weights of a need."""
        if need_id not in self._weights:
            self._weights[need_id] = _unigrams(
                self.recommender.term_weights("need", need_id))
        return self._weights[need_id]

    def _terms(self, solution_id) -> set:
        """Unigram terms of a solution."""
        if solution_id not in self._term_sets:
            self._term_sets[solution_id] = set(_unigrams(
                self.recommender.term_weights("solution", solution_id)))
        return self._term_sets[solution_id]

    def _near_solutions(self, need_id) -> dict:
        """``{solution_id: cosine}`` of the need's text-nearest solutions, nearest first."""
        if need_id not in self._near:
            self._remember(self.recommender.near(("need", need_id), "solution",
                                                 self.recommender.candidates))
        else:
            self.recommender.record(self._near[need_id][0])  # memoised: still a dependency
        return self._near[need_id][1]

    def _remember(self, searched) -> None:
        self._near[searched.query[1]] = (searched, {k[1]: cos for k, cos in searched.hits})

    def _prefetch_near(self, need_ids: Iterable) -> None:
        """Fill the near-solution memo of many needs with one batched search."""
        rec = self.recommender
        todo = [n for n in need_ids if n not in self._near]
        for searched in rec.near_many([("need", n) for n in todo], "solution", rec.candidates):
            self._remember(searched)

    def _pair(self, need_id, solution_id, cosine):
        """The reciprocal score of a need and one of its near solutions (memoised)."""
        key = (need_id, solution_id)
        if key not in self._pairs:
            rec = self.recommender
            self._pairs[key] = score_pair(rec.get_need(need_id), rec.get_solution(solution_id),
                                          cosine, rec._today(), rec.config)
        return self._pairs[key]

    def _closest_text(self, need_id) -> float | None:
        """Text score of the need's closest confident match (None when it has none)."""
        if need_id not in self._closest:
            closest = None
            # Nearest first, so the first confident one has the highest text score.
            for sid, cos in self._near_solutions(need_id).items():
                if not self._pair(need_id, sid, cos).low_confidence:
                    closest = self._pair(need_id, sid, cos).text_score
                    break
            self._closest[need_id] = closest
        return self._closest[need_id]

    def _is_suitable(self, need_id, solution_id) -> bool:
        """Whether a solution makes sense for the need on its own.

        Consortium members and suggested partners must each be a confident two-way match, and
        either work in one of the need's fields or be at least half as textually close to the
        need as its closest solution: coverage alone would reward solutions that merely share
        context words with it (the same villages, the same county).
        """
        cosine = self._near_solutions(need_id).get(solution_id)
        if cosine is None:
            return False
        pair = self._pair(need_id, solution_id, cosine)
        closest = self._closest_text(need_id)
        if pair.low_confidence or closest is None:
            return False
        rec = self.recommender
        need, sol = rec.get_need(need_id), rec.get_solution(solution_id)
        fields = {need.category, *need.secondary_categories} - {None}
        same_field = bool(fields & ({sol.category, *sol.secondary_categories} - {None}))
        return same_field or pair.text_score >= 0.5 * closest

    def _related_solutions(self, need_id, sizes, n) -> list:
        """Text-nearest solutions of the need whose company size is in ``sizes``."""
        rec = self.recommender
        return list(islice((rec.get_solution(sid) for sid in self._near_solutions(need_id)
                            if rec.get_solution(sid).company_size in sizes), n))

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
        leads = list(islice((s for s in everyone if s.company_size in LEAD_SIZES
                             and self._is_suitable(need_id, s.id)), self.pool))
        partners = list(islice((s for s in everyone if s.company_size in PARTNER_SIZES
                                and self._is_suitable(need_id, s.id)), self.pool))
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
            hits = rec.near(("solution", sol.id), "need", needs_per_solution).hits
            need_ids.update(k[1] for k, _ in hits)
        own_terms = {s.id: self._terms(s.id) for s in own}
        self._prefetch_near(need_ids)
        gains: dict = {}
        for need_id in sorted(need_ids, key=str):
            nw = self._need_weights(need_id)
            if not nw or not own:
                continue
            if not any(self._is_suitable(need_id, s.id) for s in own):
                continue  # the firm does not address this need itself
            base, base_id = max((coverage(nw, [own_terms[s.id]]), s.id) for s in own)
            best_per_company: dict = {}
            for cand in self._related_solutions(need_id, PARTNER_SIZES, self.pool * 3):
                if cand.company_id == company_id or not self._is_suitable(need_id, cand.id):
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
