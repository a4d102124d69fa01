#!/usr/bin/env python3
"""Build the CityMatch domain evaluation set from the demo data and the hand-written labels.

Reads ``app/data/demo/companies.json`` (the catalogue), the needs in
``app/data/demo/needs.json`` plus every ``eval/domain/needs_extra_*.json`` (needs written
for evaluation only, same format), and every ``eval/domain/judgments*.tsv`` (the labels),
and writes, next to this script:

need -> solution (the app's recommendations for a need)
* ``docs.jsonl``    one line per recommendable solution (company membership
                    "approved" and solution status "published"):
                    {"id", "title", "text", "split"}; text = summary, tags, description
* ``queries.jsonl`` one line per labelled need: {"id", "title", "text", "split"}
* ``qrels.txt``     TREC qrels ``qid 0 docid grade`` (grades 2 and 1 only;
                    unlisted pairs are grade 0)

solution -> need (what a company is shown), in ``reverse/``
* ``reverse/docs.jsonl``    every labelled need, same lines as ``queries.jsonl``
* ``reverse/queries.jsonl`` every recommendable solution, same lines as ``docs.jsonl``
* ``reverse/qrels.txt``     the same judgments transposed (``solution 0 need grade``)

Keys are stable slugs:
    solution  s-<sha1(company name + "/" + solution title)[:10]>
    need      n-<sha1(municipality + "/" + need title)[:10]>
``split`` is "test" (the held-out third) iff int(key[2:], 16) % 3 == 0, else "train".

Every judged need / solution must exist in the data, every judged solution must be in the
recommendable catalogue, every need of a needs_extra file must be judged, and a need is
judged in one file only; otherwise the script exits 2 and writes nothing.

Usage:
    .venv/bin/python eval/domain/build.py           # (re)write the files
    .venv/bin/python eval/domain/build.py --check   # exit 1 if the files are stale

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
DATA = ROOT / "app" / "data"
DEMO = DATA / "demo"

HEADER = ["need_municipality", "need_title", "solution_company", "solution_title", "grade"]
GRADES = {"0", "1", "2"}
NEED_FIELDS = ["municipality", "title", "description", "primary_category", "secondary_categories",
               "budget_min", "budget_max", "desired_start_in_days", "deadline_in_days",
               "target_area", "target_population", "status"]
SPLITS = ("train", "test")


class BuildError(Exception):
    pass


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def solution_key(company: str, title: str) -> str:
    return f"s-{_sha(company + '/' + title)}"


def need_key(municipality: str, title: str) -> str:
    return f"n-{_sha(municipality + '/' + title)}"


def split_of(key: str) -> str:
    """The held-out rule shared by issue 9: a third of the items, chosen by key, is 'test'."""
    return "test" if int(key[2:], 16) % 3 == 0 else "train"


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
            docs[key] = {"id": key, "title": sol["title"], "text": text, "split": split_of(key)}
    return docs, all_keys


def reference_codes() -> tuple[set[str], set[str]]:
    """Category codes and full municipality names ("경기도 화성시", "경기도", "세종특별자치시")."""
    with (DATA / "categories.csv").open(encoding="utf-8", newline="") as fh:
        categories = {row["code"] for row in csv.DictReader(fh)}
    municipalities: set[str] = set()
    with (DATA / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            municipalities.add(row["province"])
            if row["level"] != "province":
                municipalities.add(f"{row['province']} {row['name']}")
    return categories, municipalities


def check_extra_needs(name: str, needs: list[dict], categories: set[str],
                      municipalities: set[str]) -> None:
    """An evaluation-only need must have the demo format and known reference codes."""
    errors: list[str] = []
    for i, need in enumerate(needs, start=1):
        where = f"need {i} ({need.get('title', '?')!r})"
        missing = [f for f in NEED_FIELDS if f not in need]
        if missing:
            errors.append(f"{where}: missing {missing}")
            continue
        if not str(need["description"]).strip() or not str(need["title"]).strip():
            errors.append(f"{where}: empty title or description")
        if need["municipality"] not in municipalities:
            errors.append(f"{where}: unknown municipality {need['municipality']!r}")
        for code in [need["primary_category"], *need["secondary_categories"]]:
            if code not in categories:
                errors.append(f"{where}: unknown category {code!r}")
    if errors:
        raise BuildError(f"{name}: {len(errors)} error(s)\n  " + "\n  ".join(errors))


def load_needs(sources: list[tuple[str, list[dict]]]) -> tuple[dict[str, dict], dict[str, str]]:
    """Return ({key: need} in source order, {key: source file name})."""
    out: dict[str, dict] = {}
    origin: dict[str, str] = {}
    for name, needs in sources:
        for need in needs:
            key = need_key(need["municipality"], need["title"])
            if key in out:
                raise BuildError(f"need key collision: {key} ({need['municipality']} / "
                                 f"{need['title']}) in {name} and {origin[key]}")
            out[key] = need
            origin[key] = name
    return out, origin


def load_judgments(path: Path, needs: dict[str, dict], docs: dict[str, dict],
                   all_solution_keys: dict[str, tuple[str, str]]):
    """Parse one judgments TSV -> (ordered list of judged need keys, {(qid, docid): grade})."""
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


def load_all_judgments(paths: list[Path], needs, docs, all_solution_keys):
    """Merge the judgment files; a need may be judged in one file only."""
    judged_in: dict[str, str] = {}
    grades: dict[tuple[str, str], int] = {}
    for path in paths:
        order, file_grades = load_judgments(path, needs, docs, all_solution_keys)
        twice = [f"{needs[q]['municipality']} / {needs[q]['title']} (also in {judged_in[q]})"
                 for q in order if q in judged_in]
        if twice:
            raise BuildError(f"{path.name}: need(s) already judged in another file\n  "
                             + "\n  ".join(twice))
        judged_in.update((q, path.name) for q in order)
        grades.update(file_grades)
    return judged_in, grades


def _line(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False)


def _qrels(query_order: list[str], pairs: dict[tuple[str, str], int], doc_order: dict[str, int]):
    """TREC lines, per query (in query order) grade 2 before 1, then document order."""
    by_query: dict[str, list[tuple[str, int]]] = {q: [] for q in query_order}
    for (q, d), g in pairs.items():
        if g > 0:
            by_query[q].append((d, g))
    lines = []
    for q in query_order:
        rel = sorted(by_query[q], key=lambda x: (-x[1], doc_order[x[0]]))
        lines.extend(f"{q} 0 {d} {g}" for d, g in rel)
    return lines


def render(companies: list[dict], need_sources: list[tuple[str, list[dict]]],
           judgment_paths: list[Path]):
    """Return ({relative output path: content}, stats text)."""
    docs, all_solution_keys = load_catalogue(companies)
    needs, origin = load_needs(need_sources)
    judged_in, grades = load_all_judgments(judgment_paths, needs, docs, all_solution_keys)

    unjudged = [f"{needs[k]['municipality']} / {needs[k]['title']} ({origin[k]})"
                for k in needs if k not in judged_in and origin[k] != "needs.json"]
    if unjudged:
        raise BuildError("evaluation-only need(s) without judgments (judge them against the "
                         "whole catalogue or remove them)\n  " + "\n  ".join(unjudged))

    need_order = [k for k in needs if k in judged_in]
    queries = {k: {"id": k, "title": needs[k]["title"],
                   "text": needs[k]["description"].strip(), "split": split_of(k)}
               for k in need_order}
    doc_lines = [_line(d) for d in docs.values()]
    query_lines = [_line(q) for q in queries.values()]
    forward = _qrels(need_order, grades, {k: i for i, k in enumerate(docs)})
    transposed = {(d, q): g for (q, d), g in grades.items()}
    reverse = _qrels(list(docs), transposed, {k: i for i, k in enumerate(need_order)})

    outputs = {
        "docs.jsonl": "\n".join(doc_lines) + "\n",
        "queries.jsonl": "\n".join(query_lines) + "\n",
        "qrels.txt": "\n".join(forward) + "\n",
        "reverse/docs.jsonl": "\n".join(query_lines) + "\n",
        "reverse/queries.jsonl": "\n".join(doc_lines) + "\n",
        "reverse/qrels.txt": "\n".join(reverse) + "\n",
    }
    return outputs, _stats(need_order, judged_in, grades, docs, queries)


def _direction(label: str, query_items: dict[str, dict], doc_items: dict[str, dict],
               pairs: dict[tuple[str, str], int]) -> list[str]:
    """One line per split: queries, queries with a relevant item, relevant pairs."""
    lines = [f"{label}: {len(query_items)} queries over {len(doc_items)} documents"]
    for split in SPLITS:
        qs = [q for q, item in query_items.items() if item["split"] == split]
        rel = [(q, g) for (q, _), g in pairs.items() if g > 0 and query_items[q]["split"] == split]
        with_rel = {q for q, _ in rel}
        g2 = sum(1 for _, g in rel if g == 2)
        lines.append(f"  {split:5}: queries={len(qs)} with >=1 relevant={len(with_rel)} "
                     f"none relevant={len(qs) - len(with_rel)} pairs grade2={g2} "
                     f"grade1={len(rel) - g2}")
    return lines


def _stats(need_order, judged_in, grades, docs, queries) -> str:
    g2 = sum(1 for g in grades.values() if g == 2)
    g1 = sum(1 for g in grades.values() if g == 1)
    with_rel = {q for (q, _), g in grades.items() if g > 0}
    n = len(need_order)
    per_file: dict[str, int] = {}
    for q in need_order:
        per_file[judged_in[q]] = per_file.get(judged_in[q], 0) + 1
    lines = [
        f"docs={len(docs)} queries={n} (with >=1 relevant: {len(with_rel)}, "
        f"none relevant: {n - len(with_rel)}) judged pairs: grade2={g2} grade1={g1} "
        f"mean relevant/need={(g1 + g2) / max(1, n):.2f} "
        f"(over needs with relevant: {(g1 + g2) / max(1, len(with_rel)):.2f})",
        "needs judged per file: " + ", ".join(f"{k}={v}" for k, v in per_file.items()),
    ]
    lines += _direction("need->solution", queries, docs, grades)
    lines += _direction("solution->need", docs, queries,
                        {(d, q): g for (q, d), g in grades.items()})
    return "\n".join(lines)


def read_inputs():
    """(companies, [(file name, needs)], [judgment paths]) from the repository."""
    companies = json.loads((DEMO / "companies.json").read_text(encoding="utf-8"))
    sources = [("needs.json", json.loads((DEMO / "needs.json").read_text(encoding="utf-8")))]
    categories, municipalities = reference_codes()
    for path in sorted(HERE.glob("needs_extra_*.json")):
        extra = json.loads(path.read_text(encoding="utf-8"))
        check_extra_needs(path.name, extra, categories, municipalities)
        sources.append((path.name, extra))
    judgments = sorted(HERE.glob("judgments*.tsv"))
    return companies, sources, judgments


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the generated files differ from the ones on disk")
    args = ap.parse_args(argv)

    try:
        outputs, stats = render(*read_inputs())
    except (BuildError, json.JSONDecodeError) as exc:
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

    (HERE / "reverse").mkdir(exist_ok=True)
    for name, content in outputs.items():
        (HERE / name).write_text(content, encoding="utf-8")
    print(f"build.py: wrote {', '.join(outputs)} in {HERE.relative_to(ROOT)}; {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
