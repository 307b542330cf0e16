"""Candidate relative-date phrases in the Wikinews 2019–2020 corpus, for hand labelling.

    .venv/bin/python -m eval.relative_dates.extract [--corpus ARTICLES.jsonl] [--out CANDIDATES.jsonl]
        [--resolver FILE.py] [--sample TO_LABEL.jsonl [--seed N] [--exclude labels.jsonl --exclude-set dev --heldout]]

Writes one JSON object per phrase: the article (`article_id`, `url`), its publication date (`published`, the
corpus `date` field, and its weekday), the phrase with its offsets into the body, its `type`, its sentence, and
what `index.resolve_relative_dates` resolved it to (`resolved`, `granularity`; both null when the resolver
skipped it). Besides every phrase the resolver finds, a wider "net" pattern catches relative phrases it
does not handle ("this week", "last weekend", "two days ago", …) so that recall can be measured: those carry
`"by": "net"`.

`sample()` picks the phrases to label: every phrase of a rare type, and an evenly spread, seeded sample of
the frequent ones, so that the whole corpus (not its first articles) is covered.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from index.relative_dates import parse_published, resolve_relative_dates  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "wikinews-2019-2020" / "articles.jsonl"
HERE = Path(__file__).resolve().parent
# Candidates hold whole sentences of the corpus: they stay outside the repository (only labels.jsonl, with short
# snippets, is kept in it).
CANDIDATES = Path(tempfile.gettempdir()) / "newsdesk-relative-dates-candidates.jsonl"

WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# "Monday, January 7" / "Monday 7 January" name an absolute date: out of scope here.
_NOT_A_DATE_AFTER = (r"\b(?!\s*,?\s+(?:\d{1,2}\b|(?:january|february|march|april|may|june|july|august|september"
                     r"|october|november|december)\b))")
# Relative phrases the resolver may miss (its own matches are taken from the resolver itself).
NET = re.compile(
    r"\b(?:(?:last|this|next|earlier\s+this|later\s+this|the\s+past|the\s+previous)\s+(?:week|weekend)"
    r"|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:days?|weeks?)\s+ago"
    r"|(?:last|this|next)\s+" + WEEKDAY + r"(?:\s+(?:morning|afternoon|evening|night))?"
    r"|" + WEEKDAY + _NOT_A_DATE_AFTER + r"|yesterday|today|tonight|tomorrow|last\s+night"
    r"|(?:last|this|next|earlier\s+this|later\s+this)\s+(?:month|year))\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def phrase_type(phrase: str) -> str:
    """The phrase's type for sampling and per-type numbers ('on WEEKDAY', 'last month', 'yesterday', …)."""
    words = " ".join(phrase.lower().split())
    words = re.sub(r"'s$|’s$", "", words)
    if re.fullmatch(WEEKDAY, words):
        return "WEEKDAY"
    m = re.fullmatch(r"(.*?)\s*" + WEEKDAY + r"(\s+(?:morning|afternoon|evening|night))?", words)
    if m:
        prefix = m.group(1)
        if prefix in ("earlier on", "late on", "early on"):
            prefix = "early/late on"
        return f"{prefix} WEEKDAY{' PART' if m.group(2) else ''}".strip()
    if words.startswith("this ") and words.split()[1] in ("morning", "afternoon", "evening"):
        return "this morning/afternoon/evening"
    if re.search(r"\bago$", words):
        return "N days/weeks ago"
    return words


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the sentence around text[start:end] (a plain punctuation split; good enough to read)."""
    begin, finish = 0, len(text)
    for m in _SENTENCE_END.finditer(text):
        if m.end() <= start:
            begin = m.end()
        elif m.start() >= end:
            finish = m.start()
            break
    return begin, finish


def load_articles(corpus: Path = CORPUS) -> list[dict]:
    with open(corpus, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def candidates(articles: list[dict], resolve: Callable[..., list[Any]] = resolve_relative_dates) -> list[dict]:
    out = []
    for art in articles:
        body, published = art["body"], parse_published(art["date"])
        found = {(r.start, r.end): r for r in resolve(body, published)}
        spans = dict.fromkeys(found)
        for m in NET.finditer(body):
            if not any(s <= m.start() < e or m.start() <= s < m.end() for s, e in spans):
                spans[(m.start(), m.end())] = None
        for start, end in sorted(spans):
            r = found.get((start, end))
            s0, s1 = sentence_of(body, start, end)
            out.append({
                "article_id": art["id"], "url": art["url"], "published": art["date"],
                "published_weekday": date.fromisoformat(art["date"]).strftime("%A"),
                "phrase": body[start:end], "type": phrase_type(body[start:end]), "start": start, "end": end,
                "sentence": " ".join(body[s0:s1].split()),
                "resolved": r.resolved.isoformat() if r else None, "granularity": r.granularity if r else None,
                "by": "resolver" if r else "net",
            })
    return out


# The most frequent (and hardest) types get more labels than `per_type`.
LARGER = {"on WEEKDAY": 24, "WEEKDAY": 16, "yesterday": 14, "today": 14}
# The held-out set, drawn after the resolver's rules were written (see README): smaller, same spread.
HELDOUT_PER_TYPE = 3
HELDOUT_LARGER = {"on WEEKDAY": 12, "WEEKDAY": 8, "yesterday": 6, "today": 6, "last year": 4, "this year": 4,
                  "last week": 4, "tomorrow": 4}


def sample(items: list[dict], per_type: int = 10, seed: int = 12, larger: dict[str, int] | None = None) -> list[dict]:
    """Every item of a type with at most `per_type` items (`larger` for some); else that many drawn evenly over
    the corpus (the type's items in corpus order, split into equal stretches, one seeded pick from each)."""
    larger = LARGER if larger is None else larger
    rng = random.Random(seed)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_type[item["type"]].append(item)
    picked = []
    for kind in sorted(by_type):
        group, n = by_type[kind], larger.get(kind, per_type)
        if len(group) <= n:
            picked.extend(group)
            continue
        for i in range(n):
            stretch = group[len(group) * i // n: len(group) * (i + 1) // n]
            picked.append(rng.choice(stretch))
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=CANDIDATES)
    parser.add_argument("--sample", type=Path, default=None, help="also write the items to label here")
    parser.add_argument("--per-type", type=int, default=10)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--resolver", type=Path, default=None,
                        help="take the phrases from another relative_dates.py (the pool the labels were drawn from "
                             "used the resolver before the change; see README)")
    parser.add_argument("--exclude", type=Path, default=None,
                        help="labels.jsonl: leave its phrases out of the sample (to draw a held-out set)")
    parser.add_argument("--exclude-set", default=None, help="exclude only the labels of this set (e.g. dev)")
    parser.add_argument("--heldout", action="store_true",
                        help="the held-out sizes: HELDOUT per type instead of --per-type and LARGER")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH to the Wikinews articles.jsonl)", file=sys.stderr)
        return 2
    from eval.relative_dates.measure import load_resolver

    items = candidates(load_articles(args.corpus), load_resolver(args.resolver))
    with open(args.out, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item["type"]] += 1
    print(f"{len(items)} phrases ({sum(i['by'] == 'resolver' for i in items)} resolved) → {args.out}")
    for kind in sorted(counts, key=lambda k: -counts[k]):
        print(f"  {counts[kind]:4d}  {kind}")
    if args.sample:
        pool = items
        if args.exclude:
            taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
            with open(args.exclude, encoding="utf-8") as fh:
                for d in map(json.loads, fh):
                    if args.exclude_set is None or d.get("set", "dev") == args.exclude_set:
                        taken[d["article_id"]].append((d["start"], d["end"]))
            pool = [i for i in items  # no phrase overlapping a labelled one
                    if not any(s < i["end"] and i["start"] < e for s, e in taken[i["article_id"]])]
        if args.heldout:
            picked = sample(pool, HELDOUT_PER_TYPE, args.seed, HELDOUT_LARGER)
        else:
            picked = sample(pool, args.per_type, args.seed)
        with open(args.sample, "w", encoding="utf-8") as fh:
            for item in picked:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{len(picked)} sampled → {args.sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
