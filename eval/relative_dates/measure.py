"""Precision and recall of `index.resolve_relative_dates` on the hand-labelled Wikinews phrases.

    .venv/bin/python -m eval.relative_dates.measure [--labels labels.jsonl] [--corpus ARTICLES.jsonl]
                                                   [--resolver FILE.py] [--errors] [--json]

Re-runs the resolver on the body of every labelled article (against its `date`, as `newsdesk ingest` stores
it) and compares what it says about each labelled phrase (any annotation overlapping the phrase's offsets)
with the label:

- correct: the resolver resolved the phrase to the gold date at the gold granularity;
- precision = correct / phrases the resolver resolved (a phrase labelled "not a date reference" that it
  resolves counts against it);
- recall = correct / phrases whose label is a date.

Labels come in two sets: `dev` (the 204 phrases the resolver's rules were written from) and `heldout` (48
phrases drawn and labelled afterwards without seeing the resolver's output). Labels marked `out_of_scope` (an interview of unknown date; a weekday followed by its explicit date) count
neither way. `--resolver FILE` measures another version of the module (e.g. the one before a change:
`git show HEAD:index/relative_dates.py > /tmp/before.py`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from eval.relative_dates.extract import CORPUS, load_articles  # noqa: E402

LABELS = HERE / "labels.jsonl"
# Types reported together (the labelled types, grouped the way the resolver's rules are).
GROUPS = {
    "yesterday": "yesterday", "today": "today", "tonight": "tonight", "tomorrow": "tomorrow",
    "last night": "last night", "this morning/afternoon/evening": "this morning/afternoon/evening",
    "WEEKDAY": "WEEKDAY (bare)", "on WEEKDAY": "on WEEKDAY", "early/late on WEEKDAY": "on WEEKDAY",
    "last WEEKDAY": "last WEEKDAY", "this WEEKDAY": "this/this past WEEKDAY",
    "this past WEEKDAY": "this/this past WEEKDAY", "next WEEKDAY": "next/this coming WEEKDAY",
    "this coming WEEKDAY": "next/this coming WEEKDAY",
}


def group_of(kind: str) -> str:
    if kind in GROUPS:
        return GROUPS[kind]
    if kind.endswith("month"):
        return "last/this/next month"
    if kind.endswith("year"):
        return "last/this/next year"
    if "week" in kind:
        return "week/weekend"
    return kind


def load_resolver(path: Path | None) -> Callable[..., list[Any]]:
    if path is None:
        from index.relative_dates import resolve_relative_dates

        return resolve_relative_dates
    spec = importlib.util.spec_from_file_location("relative_dates_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module.resolve_relative_dates


def judge(labels: list[dict], articles: dict[str, dict], resolve: Callable[..., list[Any]]) -> list[dict]:
    """Each in-scope label with what the resolver said about its phrase and whether that is right."""
    from index.relative_dates import parse_published

    found: dict[str, list[Any]] = {}
    judged = []
    for label in labels:
        if label.get("out_of_scope"):
            continue
        art = articles[label["article_id"]]
        if label["article_id"] not in found:
            found[label["article_id"]] = resolve(art["body"], parse_published(art["date"]))
        overlapping = [r for r in found[label["article_id"]] if r.start < label["end"] and label["start"] < r.end]
        best = max(overlapping, key=lambda r: min(r.end, label["end"]) - max(r.start, label["start"]), default=None)
        said = (best.resolved.isoformat(), best.granularity) if best else None
        gold = (label["gold"], label["granularity"]) if label["gold"] else None
        judged.append({**label, "said": said, "resolved": said is not None, "correct": said is not None and said == gold,
                       "is_date": gold is not None, "group": group_of(label["type"])})
    return judged


def scores(rows: list[dict]) -> dict[str, Any]:
    resolved = sum(r["resolved"] for r in rows)
    correct = sum(r["correct"] for r in rows)
    dates = sum(r["is_date"] for r in rows)
    return {"labelled": len(rows), "gold_dates": dates, "resolved": resolved, "correct": correct,
            "precision": round(correct / resolved, 3) if resolved else None,
            "recall": round(correct / dates, 3) if dates else None}


def report(judged: list[dict]) -> dict[str, Any]:
    by_group: dict[str, list[dict]] = defaultdict(list)
    for row in judged:
        by_group[row["group"]].append(row)
    return {"overall": scores(judged), "by_type": {g: scores(rows) for g, rows in sorted(by_group.items())}}


def _fmt(x: float | None) -> str:
    return "  –  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--resolver", type=Path, default=None, help="a relative_dates.py to measure instead")
    parser.add_argument("--set", choices=("all", "dev", "heldout"), default="all",
                        help="dev: the labels the rules were written from; heldout: labelled afterwards, blind")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missed phrase")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH to the Wikinews articles.jsonl)", file=sys.stderr)
        return 2
    with open(args.labels, encoding="utf-8") as fh:
        labels = [json.loads(line) for line in fh if line.strip()]
    articles = {a["id"]: a for a in load_articles(args.corpus)}
    labels = [label for label in labels if args.set == "all" or label.get("set", "dev") == args.set]
    judged = judge(labels, articles, load_resolver(args.resolver))
    result = report(judged)
    result["out_of_scope"] = sum(1 for label in labels if label.get("out_of_scope"))
    result["by_set"] = {name: scores([r for r in judged if r.get("set", "dev") == name]) for name in ("dev", "heldout")}
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        o = result["overall"]
        print(f"{len(labels)} labels ({args.set}), {o['labelled']} in scope ({result['out_of_scope']} out of scope), "
              f"{o['gold_dates']} date references")
        print(f"{'type':34s} {'n':>4s} {'dates':>5s} {'resolved':>8s} {'correct':>7s} {'precision':>9s} {'recall':>7s}")
        rows = [*result["by_type"].items(), ("ALL", o)]
        if args.set == "all":
            rows += [(f"  set: {name}", s) for name, s in result["by_set"].items()]
        for name, s in rows:
            print(f"{name:34s} {s['labelled']:4d} {s['gold_dates']:5d} {s['resolved']:8d} {s['correct']:7d} "
                  f"{_fmt(s['precision']):>9s} {_fmt(s['recall']):>7s}")
    if args.errors:
        for row in judged:
            if row["correct"] or (not row["resolved"] and not row["is_date"]):
                continue
            kind = "WRONG" if row["resolved"] else "MISSED"
            print(f"{kind:6s} {row['published']} {row['phrase']!r:24s} said={row['said']} gold={row['gold']} "
                  f"{row['granularity'] or ''} | {row['context']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
