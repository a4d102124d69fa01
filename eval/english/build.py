"""Build the English evaluation set from the hand translations of the Korean set (eval/domain).

Inputs (edited by hand, in this folder):

* ``solutions_en.json``        {solution key: {"title_ko", "source_sha1", "title", "summary",
                                "description"}} for every recommendable solution of eval/domain
* ``needs_en.json``            {need key: {"title_ko", "source_sha1", "title", "description"}} for
                                every labelled need of eval/domain
* ``solutions_extra_en.json``  the same for the demo solutions the engine must not recommend
                                (drafts, companies not approved): demo data only, not in the set

Outputs (generated, same ids, splits and judgments as eval/domain):

* ``docs.jsonl``            one English solution per line ``{"id","title","text","split"}``
* ``queries.jsonl``         one English need per line ``{"id","title","text","split"}``
* ``qrels.txt``             copied from eval/domain (the labels carry over: same solution, same need)
* ``reverse/docs.jsonl``, ``reverse/queries.jsonl``, ``reverse/qrels.txt``  the solution->need
  direction, as in eval/domain
* ``app/data/demo/solutions_en.json``  "<company>/<solution title>" -> {"title_en", "summary_en",
  "description_en"} for every demo solution (read by the demo seed)
* ``app/data/demo/needs_en.json``      "<municipality>/<need title>" -> {"title", "description"}
  for every demo need of needs.json

English document text = ``summary`` + ``\\n`` + ``description`` (the English fields a company gives;
tags are not translated). English query text = the need's ``description``.

The Korean set is rebuilt in memory with eval/domain/build.py (loaded from its file, not imported
as a package), so its validation applies too. This script exits 2 and writes nothing when a key
of the Korean set lacks a translation, a translation has no Korean item any more, a field is
empty or holds Hangul, ``title_ko`` differs from the Korean title, or ``source_sha1`` differs
from the Korean text (the Korean item was edited after it was translated: re-translate it, then
update ``source_sha1``; ``--print-sha KEY`` prints the current value).

Usage:
    .venv/bin/python eval/english/build.py           # (re)write the files
    .venv/bin/python eval/english/build.py --check   # exit 1 if the files are stale

Standard library only; it does not import the ``matching`` package.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOMAIN = ROOT / "eval" / "domain"
DEMO = ROOT / "app" / "data" / "demo"

SOLUTION_FIELDS = ("title", "summary", "description")
NEED_FIELDS = ("title", "description")
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
SET_FILES = ("docs.jsonl", "queries.jsonl", "qrels.txt",
             "reverse/docs.jsonl", "reverse/queries.jsonl", "reverse/qrels.txt")


class BuildError(Exception):
    pass


def load_domain_build():
    """eval/domain/build.py as a module (it is a script folder, not a package)."""
    spec = importlib.util.spec_from_file_location("eval_domain_build", DOMAIN / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def source_sha1(*texts: str) -> str:
    """Fingerprint of the Korean text a translation was made from."""
    return hashlib.sha1("\n".join(t.strip() for t in texts).encode("utf-8")).hexdigest()[:10]


def korean_sources(domain, companies: list[dict], need_sources: list[tuple[str, list[dict]]]):
    """({solution key: (company, solution)}, {need key: need}) over the whole demo data."""
    solutions: dict[str, tuple[dict, dict]] = {}
    for company in companies:
        for sol in company.get("solutions", []):
            solutions[domain.solution_key(company["name"], sol["title"])] = (company, sol)
    needs, _ = domain.load_needs(need_sources)
    return solutions, needs


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _line(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False)


def check_translations(name: str, translations: dict, expected: dict[str, tuple[str, str]],
                       fields: tuple[str, ...]) -> list[str]:
    """expected = {key: (Korean title, source_sha1)}; return one message per problem."""
    errors: list[str] = []
    for key, (title_ko, sha) in expected.items():
        item = translations.get(key)
        if item is None:
            errors.append(f"{name}: no translation for {key} ({title_ko})")
            continue
        if item.get("title_ko") != title_ko:
            errors.append(f"{name}: {key}: title_ko {item.get('title_ko')!r} is not the Korean "
                          f"title {title_ko!r}")
        if item.get("source_sha1") != sha:
            errors.append(f"{name}: {key} ({title_ko}): the Korean text changed since it was "
                          f"translated (source_sha1 {item.get('source_sha1')!r}, now {sha!r})")
        for field in fields:
            value = item.get(field)
            if not isinstance(value, str) or not value.strip():
                errors.append(f"{name}: {key} ({title_ko}): empty {field!r}")
            elif HANGUL.search(value):
                errors.append(f"{name}: {key} ({title_ko}): Hangul in {field!r}")
    for key in translations:
        if key not in expected:
            errors.append(f"{name}: {key} ({translations[key].get('title_ko')}) is not an item "
                          f"of this file any more (renamed or removed in the Korean data?)")
    return errors


def render(domain, companies, need_sources, judgment_paths, solutions_en, needs_en, extra_en):
    """Return ({output path relative to ROOT: content}, stats text)."""
    ko_outputs, _ = domain.render(companies, need_sources, judgment_paths)
    ko_docs = _jsonl(ko_outputs["docs.jsonl"])
    ko_queries = _jsonl(ko_outputs["queries.jsonl"])
    solutions, needs = korean_sources(domain, companies, need_sources)

    def sol_expected(keys):
        return {k: (solutions[k][1]["title"],
                    source_sha1(*(solutions[k][1].get(f, "") for f in SOLUTION_FIELDS)))
                for k in keys}

    doc_keys = [d["id"] for d in ko_docs]
    extra_keys = [k for k in solutions if k not in set(doc_keys)]
    need_keys = [q["id"] for q in ko_queries]
    errors = check_translations("solutions_en.json", solutions_en, sol_expected(doc_keys),
                                SOLUTION_FIELDS)
    errors += check_translations("solutions_extra_en.json", extra_en, sol_expected(extra_keys),
                                 SOLUTION_FIELDS)
    errors += check_translations(
        "needs_en.json", needs_en,
        {k: (needs[k]["title"], source_sha1(needs[k]["title"], needs[k]["description"]))
         for k in need_keys}, NEED_FIELDS)
    if errors:
        raise BuildError(f"{len(errors)} translation error(s)\n  " + "\n  ".join(errors))

    docs = [{"id": d["id"], "title": solutions_en[d["id"]]["title"].strip(),
             "text": solutions_en[d["id"]]["summary"].strip() + "\n"
             + solutions_en[d["id"]]["description"].strip(),
             "split": d["split"]} for d in ko_docs]
    queries = [{"id": q["id"], "title": needs_en[q["id"]]["title"].strip(),
                "text": needs_en[q["id"]]["description"].strip(), "split": q["split"]}
               for q in ko_queries]
    doc_lines = "\n".join(_line(d) for d in docs) + "\n"
    query_lines = "\n".join(_line(q) for q in queries) + "\n"
    prefix = HERE.relative_to(ROOT).as_posix()
    outputs = {
        f"{prefix}/docs.jsonl": doc_lines,
        f"{prefix}/queries.jsonl": query_lines,
        f"{prefix}/qrels.txt": ko_outputs["qrels.txt"],
        f"{prefix}/reverse/docs.jsonl": query_lines,
        f"{prefix}/reverse/queries.jsonl": doc_lines,
        f"{prefix}/reverse/qrels.txt": ko_outputs["reverse/qrels.txt"],
    }

    all_solutions = {**solutions_en, **extra_en}
    demo_solutions = {
        f"{company['name']}/{sol['title']}": {
            f"{field}_en": all_solutions[key][field].strip() for field in SOLUTION_FIELDS}
        for key, (company, sol) in solutions.items()}
    demo_needs = {}
    for need in need_sources[0][1]:  # needs.json: every demo need is labelled
        key = domain.need_key(need["municipality"], need["title"])
        demo_needs[f"{need['municipality']}/{need['title']}"] = {
            field: needs_en[key][field].strip() for field in NEED_FIELDS}
    outputs["app/data/demo/solutions_en.json"] = json.dumps(
        demo_solutions, ensure_ascii=False, indent=1) + "\n"
    outputs["app/data/demo/needs_en.json"] = json.dumps(
        demo_needs, ensure_ascii=False, indent=1) + "\n"

    qrels = [line for line in ko_outputs["qrels.txt"].splitlines() if line.strip()]
    stats = (f"docs={len(docs)} queries={len(queries)} qrels={len(qrels)} (inherited from "
             f"eval/domain); demo solutions_en={len(demo_solutions)} needs_en={len(demo_needs)}")
    return outputs, stats


def _read_json(path: Path) -> dict:
    if not path.exists():
        raise BuildError(f"missing {path.relative_to(ROOT)}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise BuildError(f"{path.relative_to(ROOT)}: expected a JSON object keyed by s-/n- keys")
    return data


def read_inputs(domain):
    companies, need_sources, judgments = domain.read_inputs()
    return (companies, need_sources, judgments,
            _read_json(HERE / "solutions_en.json"), _read_json(HERE / "needs_en.json"),
            _read_json(HERE / "solutions_extra_en.json"))


def print_sha(domain, key: str) -> int:
    companies, need_sources, _ = domain.read_inputs()
    solutions, needs = korean_sources(domain, companies, need_sources)
    if key in solutions:
        sol = solutions[key][1]
        print(source_sha1(*(sol.get(f, "") for f in SOLUTION_FIELDS)))
    elif key in needs:
        print(source_sha1(needs[key]["title"], needs[key]["description"]))
    else:
        print(f"build.py: unknown key {key}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the generated files differ from the ones on disk")
    ap.add_argument("--print-sha", metavar="KEY",
                    help="print the source_sha1 of the current Korean text of a s-/n- key")
    args = ap.parse_args(argv)

    domain = load_domain_build()
    if args.print_sha:
        return print_sha(domain, args.print_sha)
    try:
        outputs, stats = render(domain, *read_inputs(domain))
    except (BuildError, domain.BuildError, json.JSONDecodeError) as exc:
        print(f"build.py: ERROR: {exc}", file=sys.stderr)
        return 2

    if args.check:
        stale = [name for name, content in outputs.items()
                 if not (ROOT / name).exists()
                 or (ROOT / name).read_text(encoding="utf-8") != content]
        if stale:
            print(f"build.py: stale or missing: {', '.join(stale)} (run build.py)", file=sys.stderr)
            return 1
        print(f"build.py: up to date; {stats}")
        return 0

    for name, content in outputs.items():
        path = ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    print(f"build.py: wrote {', '.join(outputs)}; {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
