"""Joint procurement clusters on the demo data: how many, how big, and do their members agree?

``python -m research.joint_clusters`` builds the engine from the demo data as the app does (see
``research.demo_corpus``: 142 solutions, the 160 labelled needs) and, for several similarity
thresholds and each split of the needs (train, held-out test) separately, clusters the split's
needs with ``matching.joint.need_clusters`` and prints: clusters, clustered needs, the largest
cluster, and two agreement figures over the (centre, member) pairs: the share of pairs whose
labelled-relevant solutions (grade ≥ 1 in ``eval/domain/qrels.txt``) overlap — a company could
serve both, the point of buying together — and the share with the same primary category. The
needs of ``flask seed-demo`` (``app/data/demo/needs.json``) get the same figures.
"""
from __future__ import annotations

import json
from dataclasses import replace

from matching import Recommender
from matching.joint import DEFAULT_JOINT, need_clusters
from research.demo_corpus import DEMO, REFERENCE_DATE, build_records, is_test, judgments, need_key

THRESHOLDS = (0.35, 0.40, 0.45, 0.50, 0.55)


def measure(rec: Recommender, need_ids: list, relevant: dict, threshold: float) -> dict:
    """The report's figures for one threshold over some needs."""
    clusters = need_clusters(rec, replace(DEFAULT_JOINT, threshold=threshold), need_ids=need_ids)
    pairs = [(c.centre, member) for c in clusters for member in c.need_ids[1:]]
    shared = sum(bool(relevant.get(a, set()) & relevant.get(b, set())) for a, b in pairs)
    same = sum(rec.get_need(a).category == rec.get_need(b).category for a, b in pairs)
    return {"clusters": len(clusters), "needs": sum(c.size for c in clusters),
            "largest": max((c.size for c in clusters), default=0),
            "shared_solution": shared / len(pairs) if pairs else float("nan"),
            "same_category": same / len(pairs) if pairs else float("nan")}


def main() -> None:
    """Print the table."""
    solutions, needs = build_records()
    rec = Recommender(today=REFERENCE_DATE, refit_every=None).fit(
        list(solutions.values()) + list(needs.values()))
    forward, _reverse, _source = judgments()
    relevant = {q: {s for s, g in rels.items() if g >= 1} for q, rels in forward.items()}
    demo = json.loads((DEMO / "needs.json").read_text(encoding="utf-8"))
    seeded = [k for k in (need_key(n["municipality"], n["title"]) for n in demo) if k in needs]
    splits = {"train": [k for k in needs if not is_test(k)], "test": [k for k in needs if is_test(k)],
              "seed-demo": seeded}
    print(f"default threshold {DEFAULT_JOINT.threshold}; needs: "
          + ", ".join(f"{name} {len(ids)}" for name, ids in splits.items()))
    print("split      thr   clusters needs largest shared-solution same-category")
    for name, ids in splits.items():
        for threshold in THRESHOLDS:
            m = measure(rec, ids, relevant, threshold)
            print(f"{name:<10} {threshold:.2f} {m['clusters']:>9} {m['needs']:>5} {m['largest']:>7} "
                  f"{m['shared_solution']:>15.3f} {m['same_category']:>13.3f}")


if __name__ == "__main__":
    main()
