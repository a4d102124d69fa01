#!/usr/bin/env python3
"""Build the CityMatch domain evaluation set from the demo data.

Reads ``app/data/demo/companies.json`` and ``app/data/demo/needs.json`` plus the
hand-written labels in ``eval/domain/judgments.tsv`` and writes, next to this
script:

* ``docs.jsonl``    one line per recommendable solution (company membership
                    "approved" and solution status "published"):
                    {"id", "title", "text"}; text = summary, tags, description
* ``queries.jsonl`` one line per labelled need: {"id", "title", "text"}
* ``qrels.txt``     TREC qrels ``qid 0 docid grade`` (grades 2 and 1 only;
                    unlisted solutions are grade 0)

Keys are stable slugs:
    solution  s-<sha1(company name + "/" + solution title)[:10]>
    need      n-<sha1(municipality + "/" + need title)[:10]>

Every judged need / solution must exist in the data (and every judged solution
must be in the recommendable catalogue); otherwise the script exits non-zero
and writes nothing.

Usage:
    .venv/bin/python eval/domain/build.py           # (re)write the files
    .venv/bin/python eval/domain/build.py --check   # fail if files are stale

Standard library only; it does not import the ``matching`` package.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEMO = ROOT / "app" / "data" / "demo"

JUDGMENTS = HERE / "judgments.tsv"
HEADER = ["need_municipality", "need_title", "solution_company", "solution_title", "grade"]
GRADES = {"0", "1", "2"}


class BuildError(Exception):
    pass


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def solution_key(company: str, title: str) -> str:
    return f"s-{_sha(company + '/' + title)}"


def need_key(municipality: str, title: str) -> str:
    return f"n-{_sha(municipality + '/' + title)}"


def is_recommendable(company: dict, solution: dict) -> bool:
    return company.get("membership") == "approved" and solution.get("status") == "published"


def load_catalogue(companies: list[dict]):
    """Return (docs, all_solution_keys) with docs in catalogue order."""
    docs: dict[str, dict] = {}
    all_keys: dict[str, tuple[str, str]] = {}
    for company in companies:
        for sol in company.get("solutions", []):
            key = solution_key(company["name"], sol["title"])
            if key in all_keys:
                raise BuildError(f"solution key collision: {key} "
                                 f"({company['name']} / {sol['title']} vs {all_keys[key]})")
            all_keys[key] = (company["name"], sol["title"])
            if not is_recommendable(company, sol):
                continue
            text = "\n".join([
                sol.get("summary", "").strip(),
                ", ".join(t.strip() for t in sol.get("tags", [])),
                sol.get("description", "").strip(),
            ])
            docs[key] = {"id": key, "title": sol["title"], "text": text}
    return docs, all_keys


def load_needs(needs: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for need in needs:
        key = need_key(need["municipality"], need["title"])
        if key in out:
            raise BuildError(f"need key collision: {key} ({need['municipality']} / {need['title']})")
        out[key] = need
    return out


def load_judgments(path: Path, needs: dict[str, dict], docs: dict[str, dict],
                   all_solution_keys: dict[str, tuple[str, str]]):
    """Parse judgments.tsv -> (ordered list of judged need keys, {(qid, docid): grade})."""
    errors: list[str] = []
    order: list[str] = []
    grades: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if header != HEADER:
            raise BuildError(f"{path.name}: header must be {HEADER}, got {header}")
        for lineno, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(HEADER):
                errors.append(f"line {lineno}: expected {len(HEADER)} columns, got {len(row)}")
                continue
            muni, ntitle, comp, stitle, grade = (c.strip() for c in row)
            qid = need_key(muni, ntitle)
            if qid not in needs:
                errors.append(f"line {lineno}: unknown need {muni!r} / {ntitle!r}")
                continue
            if qid not in order:
                order.append(qid)
            if grade not in GRADES:
                errors.append(f"line {lineno}: grade must be 0, 1 or 2, got {grade!r}")
                continue
            if not comp and not stitle:
                # "labelled, no relevant solution" marker row
                if grade != "0":
                    errors.append(f"line {lineno}: a row without a solution must have grade 0")
                continue
            docid = solution_key(comp, stitle)
            if docid not in all_solution_keys:
                errors.append(f"line {lineno}: unknown solution {comp!r} / {stitle!r}")
                continue
            if docid not in docs:
                errors.append(f"line {lineno}: solution {comp!r} / {stitle!r} exists but is not "
                              f"recommendable (company not approved or solution not published)")
                continue
            if (qid, docid) in grades:
                errors.append(f"line {lineno}: duplicate judgment for {ntitle!r} x {stitle!r}")
                continue
            grades[(qid, docid)] = int(grade)
    if errors:
        raise BuildError(f"{path.name}: {len(errors)} error(s)\n  " + "\n  ".join(errors))
    return order, grades


def render(companies: list[dict], needs_raw: list[dict]) -> dict[str, str]:
    docs, all_solution_keys = load_catalogue(companies)
    needs = load_needs(needs_raw)
    judged, grades = load_judgments(JUDGMENTS, needs, docs, all_solution_keys)

    need_order = [k for k in needs if k in set(judged)]  # needs.json order
    doc_lines = [json.dumps(d, ensure_ascii=False) for d in docs.values()]
    query_lines = [json.dumps({"id": k, "title": needs[k]["title"],
                               "text": needs[k]["description"].strip()}, ensure_ascii=False)
                   for k in need_order]
    doc_order = {k: i for i, k in enumerate(docs)}
    qrel_lines = []
    for qid in need_order:
        rel = [(docid, g) for (q, docid), g in grades.items() if q == qid and g > 0]
        rel.sort(key=lambda x: (-x[1], doc_order[x[0]]))
        qrel_lines.extend(f"{qid} 0 {docid} {g}" for docid, g in rel)

    return {
        "docs.jsonl": "\n".join(doc_lines) + "\n",
        "queries.jsonl": "\n".join(query_lines) + "\n",
        "qrels.txt": "\n".join(qrel_lines) + "\n",
    }, _stats(need_order, grades, docs)


def _stats(need_order, grades, docs) -> str:
    g2 = sum(1 for g in grades.values() if g == 2)
    g1 = sum(1 for g in grades.values() if g == 1)
    with_rel = {q for (q, _), g in grades.items() if g > 0}
    n = len(need_order)
    return (f"docs={len(docs)} queries={n} (with >=1 relevant: {len(with_rel)}, "
            f"none relevant: {n - len(with_rel)}) judged pairs: grade2={g2} grade1={g1} "
            f"mean relevant/need={(g1 + g2) / n:.2f} "
            f"(over needs with relevant: {(g1 + g2) / max(1, len(with_rel)):.2f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the generated files differ from the ones on disk")
    args = ap.parse_args(argv)

    companies = json.loads((DEMO / "companies.json").read_text(encoding="utf-8"))
    needs = json.loads((DEMO / "needs.json").read_text(encoding="utf-8"))
    try:
        outputs, stats = render(companies, needs)
    except BuildError as exc:
        print(f"build.py: ERROR: {exc}", file=sys.stderr)
        return 2

    if args.check:
        stale = [name for name, content in outputs.items()
                 if not (HERE / name).exists() or (HERE / name).read_text(encoding="utf-8") != content]
        if stale:
            print(f"build.py: stale or missing: {', '.join(stale)} (run build.py)", file=sys.stderr)
            return 1
        print(f"build.py: up to date; {stats}")
        return 0

    for name, content in outputs.items():
        (HERE / name).write_text(content, encoding="utf-8")
    print(f"build.py: wrote {', '.join(outputs)} in {HERE.relative_to(ROOT)}; {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
