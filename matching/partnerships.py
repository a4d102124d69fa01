"""Complementary partners for large/mid firms and consortia proposals per need.

Coverage of a need by a set of solutions = share of the need's TF-IDF weight (unigram terms)
whose terms occur in at least one of the solutions: ``Σ_{t∈N∩∪S} w_t / Σ_{t∈N} w_t``.
A member's *marginal coverage* = the team's coverage minus the coverage of the team without it.
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
#: Default least coverage every member must add to its team (measured: docs/matching.md).
MIN_MARGINAL_COVERAGE = 0.03
#: Default largest company-set Jaccard overlap of a team with a better team of the same list.
MAX_TEAM_OVERLAP = 0.34


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


def marginal_coverages(need_weights: dict[str, float], members: list[set]) -> list[float]:
    """What each member adds: coverage of all members minus coverage without that member."""
    full = coverage(need_weights, members)
    return [full - coverage(need_weights, members[:i] + members[i + 1:])
            for i in range(len(members))]


def capped_shares(raw: list[float], cap: float) -> list[float] | None:
    """Raw contributions (lead first) as shares in whole percentage points summing to 100,
    the lead's at most ``cap``; the lead's excess goes to the partners in proportion to their
    contributions. None when only the lead contributes and it exceeds the cap."""
    total = sum(raw)
    if total <= 0:
        return None
    shares = [r / total for r in raw]
    if shares[0] > cap + 1e-9:
        rest = sum(shares[1:])
        if rest <= 0:
            return None
        shares = [cap] + [(1 - cap) * s / rest for s in shares[1:]]
    points = [int(s * 100 + 1e-9) for s in shares]
    lead_limit = int(cap * 100 + 1e-9)
    # Largest remainder, the lead last among equals and never above the cap.
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] * 100 - points[i]), i == 0, i))
    for i in order:
        if sum(points) == 100:
            break
        if i == 0 and points[0] >= lead_limit:
            continue
        points[i] += 1
    while sum(points) < 100:  # every remainder was the lead's: give the rest to the partners
        points[1 + (100 - sum(points)) % (len(points) - 1)] += 1
    return [p / 100 for p in points]


def team_overlap(a: set, b: set) -> float:
    """Jaccard overlap of two teams' company sets."""
    return len(a & b) / len(a | b) if a | b else 0.0


@dataclass(frozen=True)
class Consortium:
    """A proposed team for a need: one lead solution plus one or two partner solutions."""

    need_id: Hashable
    lead: tuple            # (company_id, solution_id)
    partners: tuple        # ((company_id, solution_id), ...)
    coverage: float
    best_single_coverage: float
    gain: float
    shares: dict           # solution_id → share of the work (whole percentage points, sums to 1)
    adjusted: bool         # shares were moved to partners to respect the cap
    marginal: dict         # solution_id → coverage the member adds to the team

    @property
    def companies(self) -> frozenset:
        """The team's companies."""
        return frozenset({self.lead[0], *(p[0] for p in self.partners)})


@dataclass(frozen=True)
class PartnerSuggestion:
    """A startup/SME whose solutions fill gaps in a firm's portfolio."""

    company_id: Hashable
    total_gain: float
    needs_helped: int
    examples: tuple        # ((need_id, base_coverage, coverage_with_partner, solution_id), ...)


class Partnerships:
    """Partnership analysis on top of a fitted :class:`Recommender`.

    Members and partners are solutions the recommender itself finds relevant to the need
    (``Recommender.score_solutions``): by default those it does not call low-confidence (its
    main-list rule), or with ``min_member_score`` those it scores at least that.
    ``min_marginal_coverage`` = least coverage each member (and a suggested partner) must
    add; ``max_team_overlap`` = largest company-set Jaccard a listed team may have with a better
    listed team; ``pool`` = relevant solutions of each size class tried per need.
    """

    def __init__(self, recommender: Recommender, large_share_cap: float = LARGE_SHARE_CAP,
                 pool: int = 10, min_marginal_coverage: float = MIN_MARGINAL_COVERAGE,
                 max_team_overlap: float = MAX_TEAM_OVERLAP,
                 min_member_score: float | None = None):
        self.recommender = recommender
        self.large_share_cap = large_share_cap
        self.pool = pool
        self.min_marginal_coverage = min_marginal_coverage
        self.max_team_overlap = max_team_overlap
        self.min_member_score = min_member_score
        # Memos valid while the recommender is unchanged (callers make a new instance after
        # an upsert, remove or refit, or prune them with ``forget``); filled lazily.
        self._relevant: dict = {}
        self._weights: dict = {}
        self._term_sets: dict = {}

    def forget(self, impact) -> None:
        """Drop the memos a batch of changed documents can affect (a ``ChangeImpact``), so
        the analysis stays exact across upserts and removals between refits."""
        changed = impact.changed
        changed_needs = {key[1] for key in changed if key[0] == "need"}
        for key in changed:
            if key[0] == "solution":
                self._term_sets.pop(key[1], None)
        for need_id in changed_needs:
            self._weights.pop(need_id, None)
        stale = changed_needs | {need_id for need_id, (searches, _) in self._relevant.items()
                                 if impact.affects(searches)}
        for need_id in stale:
            self._relevant.pop(need_id, None)

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

    def _is_member(self, pair) -> bool:
        """Whether a scored pair's solution may join a team for the need."""
        if self.min_member_score is None:
            return not pair.low_confidence
        return pair.score >= self.min_member_score

    def relevant_solutions(self, need_id) -> list:
        """The need's solutions relevant enough to be members, nearest first."""
        return [solution for solution, _ in self._relevant_scored(need_id)]

    def _relevant_scored(self, need_id) -> list:
        """``(solution, recommender score)`` of the need's relevant solutions, nearest first."""
        rec = self.recommender
        if need_id not in self._relevant:
            with rec.recording() as searches:
                scored = rec.score_solutions(need_id)
            self._relevant[need_id] = (tuple(searches), [
                (s.solution, s.pair.score) for s in scored if self._is_member(s.pair)])
        searches, solutions = self._relevant[need_id]
        for searched in searches:  # memoised or not, the caller's result depends on them
            rec.record(searched)
        return solutions

    def _team(self, need_id, nw, lead, team, best_single) -> Consortium | None:
        """The consortium of a lead and partners, or None if a member adds too little, the
        union does not beat the best single solution or the cap cannot be met."""
        members = [lead, *team]
        sets = [self._terms(s.id) for s in members]
        cov = coverage(nw, sets)
        if cov <= best_single + 1e-9:
            return None
        added = marginal_coverages(nw, sets)
        if min(added) < self.min_marginal_coverage:
            return None
        raw = role_split(nw, sets)
        if raw[0] > self.large_share_cap + 1e-9 and \
                min_lead_share(nw, sets[0], sets[1:]) > self.large_share_cap + 1e-9:
            return None
        shares = capped_shares(raw, self.large_share_cap)
        if shares is None:
            return None
        ids = [s.id for s in members]
        return Consortium(
            need_id, (lead.company_id, lead.id), tuple((p.company_id, p.id) for p in team),
            round(cov, 6), round(best_single, 6), round(cov - best_single, 6),
            dict(zip(ids, shares)), raw[0] > self.large_share_cap + 1e-9,
            {i: round(a, 6) for i, a in zip(ids, added)})

    def consortia(self, need_id: Hashable, top_k: int = 5, max_partners: int = 2) -> list[Consortium]:
        """Lead + 1–2 partner proposals covering more of the need than any single relevant
        solution, every member relevant and adding coverage, near-duplicate teams collapsed."""
        self.recommender._check()
        nw = self._need_weights(need_id)
        if not nw:
            return []
        scored = self._relevant_scored(need_id)
        relevant = [solution for solution, _ in scored]
        score = {solution.id: value for solution, value in scored}
        best_single = max((coverage(nw, [self._terms(s.id)]) for s in relevant), default=0.0)
        leads = [s for s in relevant if s.company_size in LEAD_SIZES][:self.pool]
        partners = [s for s in relevant if s.company_size in PARTNER_SIZES][:self.pool]
        candidates: list[Consortium] = []
        for lead in leads:
            for size in range(1, max_partners + 1):
                for team in combinations(partners, size):
                    if len({lead.company_id, *(p.company_id for p in team)}) != size + 1:
                        continue
                    proposal = self._team(need_id, nw, lead, team, best_single)
                    if proposal is not None:
                        candidates.append(proposal)
        # A team is as credible as its weakest member: that member's recommender score first,
        # then the coverage (measured against coverage alone: docs/matching.md).
        candidates.sort(key=lambda c: (-min(score[sid] for sid in c.shares), -c.coverage,
                                       len(c.partners), str(c.lead[1]),
                                       tuple(str(p[1]) for p in c.partners)))
        shown: list[Consortium] = []
        for proposal in candidates:
            if all(team_overlap(proposal.companies, kept.companies) <= self.max_team_overlap + 1e-9
                   for kept in shown):
                shown.append(proposal)
                if len(shown) == top_k:
                    break
        return shown

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
        gains: dict = {}
        for need_id in sorted(need_ids, key=str):
            nw = self._need_weights(need_id)
            if not nw or not own:
                continue
            relevant = self.relevant_solutions(need_id)
            own_relevant = [s for s in own if any(r.id == s.id for r in relevant)]
            if not own_relevant:
                continue  # the firm does not address this need itself
            base, base_id = max((coverage(nw, [own_terms[s.id]]), s.id) for s in own_relevant)
            best_per_company: dict = {}
            candidates = [s for s in relevant if s.company_size in PARTNER_SIZES][:self.pool * 3]
            for cand in candidates:
                if cand.company_id == company_id:
                    continue
                with_p = coverage(nw, [own_terms[base_id], self._terms(cand.id)])
                gain = with_p - base
                cur = best_per_company.get(cand.company_id)
                if gain >= self.min_marginal_coverage and (cur is None or gain > cur[2] - base):
                    best_per_company[cand.company_id] = (need_id, base, with_p, cand.id)
            for comp, ex in best_per_company.items():
                gains.setdefault(comp, []).append(ex)
        out = [PartnerSuggestion(comp, round(sum(e[2] - e[1] for e in exs), 6), len(exs),
                                 tuple(sorted(((e[0], round(e[1], 6), round(e[2], 6), e[3])
                                               for e in exs), key=lambda e: (e[1] - e[2], str(e[0])))[:5]))
               for comp, exs in gains.items()]
        out.sort(key=lambda p: (-p.total_gain, str(p.company_id)))
        return out[:top_k]
