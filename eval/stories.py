"""How well syndicated copies are folded into stories: a seeded synthetic-copies corpus built from real Wikinews.

    .venv/bin/python -m eval.stories [--seed 2] [--share 0.4] [--order shuffled|originals-first] [--errors] [--json]
    .venv/bin/python -m eval.stories --grid --seed 1     # wrong/missed pairs per shingle size and threshold
    .venv/bin/python -m eval.stories --sweep --seed 1    # exact containment of the weakest copies, closest others
    .venv/bin/python -m eval.stories --scale 10000       # ms per article and the cost at 10k articles

For a seeded sample (40%) of the 293 Wikinews articles (`../shared/data/wikinews-2019-2020/articles.jsonl`; the
texts are read from there, never stored here) it makes 1-4 "wire copies" each: another outlet and its dateline
("LONDON (AP) — ", "Reuters — "), an edited lede (a third of the first sentence's words changed, or a sentence
added), in 70% of copies the last paragraphs cut (up to half), up to one word edit per 80 words (a synonym, a
dropped word, a filler), another title, URL and a date up to two days later. All 293 originals stay in as
distractors: they include real follow-up reports on the same events (and interviews sharing a templated
introduction), which must not merge.

Every article is placed with `index.stories.StoryIndex.place`, one by one in a seeded shuffled order (what the
ingest pipeline does batch after batch). Pairwise scores over all articles: precision = pairs put in one story
that are copies of one original / pairs put in one story; recall = those / pairs that are copies of one
original. "false merges among originals" counts pairs of two different Wikinews articles put in one story.

How the constants were chosen (seed 1, `--grid`): the error-free range of MIN_CONTAINMENT is 0.58-0.72 with
3-word shingles, 0.56-0.68 with 4 and 0.54-0.62 with 5; the widest (3 words) was taken, at its centre 0.65.
Results (`python -m eval.stories --seed N`):

    seed 1 (chosen on): 603 articles, 310 copies, 640 true pairs: precision 1.000, recall 1.000, 0 false merges
    seed 2 (held out):  599 articles, 306 copies, 628 true pairs: precision 1.000, recall 0.989, 0 false merges
    (seed 2 misses 7 pairs: short 4-paragraph articles cut to half with the lede rewritten)

This is in eval/ (not bench/) because it measures the grouping's quality against known labels; `--scale` adds
the timing the issue asks for (no test asserts it). It uses `index` internals (`index.stories`,
`index.loaders.common.make_article`): it measures that module, not the public answer path.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from index import stories  # noqa: E402
from index.loaders.common import make_article  # noqa: E402
from index.models import Article  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "wikinews-2019-2020" / "articles.jsonl"
SHARE = 0.4  # share of the originals given copies: ~117 stories with 1-4 copies, next to 176 lone distractors
TARGET_PRECISION, TARGET_RECALL = 0.98, 0.90  # issue 11
WORDS_PER_EDIT = 80  # small word edits: up to one per 80 words of the copy (at least 1-2), as copy desks do

OUTLETS = ["Associated Press", "Reuters", "Agence France-Presse", "The Northern Ledger", "Harbour City Times",
           "Valley Courier", "Daily Meridian", "Coastline Post", "The Evening Standard-Bearer", "Metro Wire"]
DATELINE_CITIES = ["LONDON", "NEW YORK", "PARIS", "WASHINGTON", "SYDNEY", "NAIROBI", "TOKYO", "BERLIN", "MADRID"]
MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
# Small edits wire desks make: a word swapped for a near-synonym (whole words, case kept on the first letter).
SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "announced": "revealed", "killed": "left dead",
    "about": "around", "more": "over", "people": "individuals", "government": "administration",
    "police": "officers", "officials": "authorities", "began": "started", "started": "began", "large": "big",
    "big": "large", "help": "assist", "show": "indicate", "reported": "said", "according": "per", "also": "too",
    "however": "but", "because": "as", "nearly": "almost", "almost": "nearly", "after": "following",
    "before": "prior to", "during": "throughout", "many": "numerous", "several": "a number of",
}
FILLERS = ["also", "reportedly", "now", "still", "officially"]
ADDED_LEDES = [
    "{outlet} has learned new details about the events described below.",
    "Here is what is known so far, according to reports compiled by {outlet}.",
    "The following report was updated with additional information.",
    "This story is developing and may be updated as more information becomes available.",
]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_TOKEN = re.compile(r"\w+|\W+")


@dataclass
class Item:
    """One article of the corpus with the original it copies (`story`: the original's Wikinews id)."""

    article: Article
    story: str
    original: bool
    edits: str = ""  # what was done to make a copy (for --errors)


def load_originals(path: Path = CORPUS) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SystemExit(f"the Wikinews corpus is not at {path}; it comes with ../shared next to the repository")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_corpus(seed: int, share: float = SHARE, path: Path = CORPUS) -> list[Item]:
    """The originals (as distractors and as stories) and the seeded copies of a `share` of them."""
    rng = random.Random(seed)
    records = load_originals(path)
    items = [Item(_article(r["title"], r["body"], r["url"], r["source"], r["date"], f"wikinews#{r['id']}"),
                  r["id"], True) for r in records]
    sampled = rng.sample(records, round(share * len(records)))
    for record in sampled:
        outlets = rng.sample(OUTLETS, rng.randint(1, 4))
        for n, outlet in enumerate(outlets, start=1):
            title, body, edits = make_copy(record, outlet, rng)
            day = date.fromisoformat(record["date"]) + timedelta(days=rng.choice([0, 1, 1, 2]))
            url = f"https://{_slug(outlet)}.example/{day:%Y/%m/%d}/{_slug(title)[:60]}"
            items.append(Item(_article(title, body, url, outlet, day.isoformat(), f"copy#{record['id']}-{n}"),
                              record["id"], False, edits))
    return items


def make_copy(record: dict[str, Any], outlet: str, rng: random.Random) -> tuple[str, str, str]:
    """(title, body, what was edited) of one outlet's copy of a Wikinews article."""
    paragraphs = [p for p in record["body"].split("\n\n") if p.strip()]
    edits = []
    if len(paragraphs) > 2 and rng.random() < 0.7:  # trimmed end: up to half of the paragraphs cut
        keep = rng.randint(math.ceil(len(paragraphs) / 2), len(paragraphs) - 1)
        edits.append(f"cut {len(paragraphs) - keep}/{len(paragraphs)} paragraphs")
        paragraphs = paragraphs[:keep]
    first = _SENTENCE_END.split(paragraphs[0], maxsplit=1)
    lede_kind = rng.choice(["rewrite", "rewrite", "add", "keep"])
    if lede_kind == "rewrite":  # the first sentence rewritten: a third of its words changed or dropped
        first[0] = _edit_words(first[0], rng, share=0.35)
        edits.append("lede rewritten")
    elif lede_kind == "add":
        first.insert(0, rng.choice(ADDED_LEDES).format(outlet=outlet))
        edits.append("lede added")
    paragraphs[0] = " ".join(first)
    paragraphs[0] = _dateline(outlet, record["date"], rng) + paragraphs[0]
    body = "\n\n".join(paragraphs)
    changes = rng.randint(1, max(2, len(body.split()) // WORDS_PER_EDIT))
    body = _edit_words(body, rng, count=changes)
    edits.append(f"{changes} word edits")
    title = _title(record["title"], outlet, rng)
    return title, body, ", ".join(edits)


def _dateline(outlet: str, day: str, rng: random.Random) -> str:
    city = rng.choice(DATELINE_CITIES)
    short = {"Associated Press": "AP", "Agence France-Presse": "AFP"}.get(outlet, outlet)
    when = date.fromisoformat(day)
    month = MONTHS[when.month - 1]
    return rng.choice([f"{city} ({short}) — ", f"{short} — ", f"{city}, {month} {when.day} ({short}) - ", f"{city} — "])


def _edit_words(text: str, rng: random.Random, count: int | None = None, share: float = 0.0) -> str:
    """`count` (or `share` of the) words swapped for a synonym, dropped, or given a filler word before them."""
    tokens = _TOKEN.findall(text)
    positions = [i for i, t in enumerate(tokens) if t[0].isalnum()]
    if not positions:
        return text
    n = count if count is not None else max(1, round(share * len(positions)))
    for i in rng.sample(positions, min(n, len(positions))):
        word = tokens[i]
        swap = SYNONYMS.get(word.lower())
        action = rng.random()
        if swap and action < 0.7:
            tokens[i] = swap[0].upper() + swap[1:] if word[0].isupper() else swap
        elif action < 0.85 and i > 0:
            tokens[i] = ""  # dropped (its space stays: normalised words ignore it)
        else:
            tokens[i] = f"{rng.choice(FILLERS)} {word}"
    return re.sub(r"  +", " ", "".join(tokens))


def _title(title: str, outlet: str, rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"UPDATE: {title}"
    if kind == 1:
        return f"{title} | {outlet}"
    if kind == 2:
        return _edit_words(title, rng, share=0.3)
    return title


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _article(title: str, body: str, url: str, source: str, day: str, origin: str) -> Article:
    return make_article(title=title, body=body, origin=origin, url=url, source=source, published=day)


# measuring ---------------------------------------------------------------------------------------------
def place_all(items: list[Item], seed: int, order: str = "shuffled") -> tuple[dict[str, str], float]:
    """Story label of every article, placed one by one as the pipeline does; and the seconds it took."""
    ordered = list(items)
    if order == "shuffled":
        random.Random(seed * 7919 + 1).shuffle(ordered)
    bodies = {i.article.id: i.article.body for i in ordered}
    index = stories.StoryIndex(bodies.get)
    started = time.perf_counter()
    index.place([(i.article.id, i.article.content_hash, i.article.body) for i in ordered])
    return dict(index.story_of), time.perf_counter() - started


def score(items: list[Item], labels: dict[str, str]) -> dict[str, Any]:
    """Pairwise precision and recall of the predicted stories against the known ones."""
    by_id = {i.article.id: i for i in items}
    predicted = _pairs(labels)
    truth: dict[str, list[str]] = {}
    for item in items:
        truth.setdefault(item.story, []).append(item.article.id)
    true_pairs = {tuple(sorted(p)) for ids in truth.values() for p in combinations(ids, 2)}
    hits = predicted & true_pairs
    false = predicted - true_pairs
    originals = [p for p in false if by_id[p[0]].original and by_id[p[1]].original]
    copies = sum(1 for i in items if not i.original)
    return {
        "articles": len(items), "originals": len(items) - copies, "copies": copies,
        "stories_with_copies": sum(1 for ids in truth.values() if len(ids) > 1),
        "true_pairs": len(true_pairs), "predicted_pairs": len(predicted), "correct_pairs": len(hits),
        "precision": round(len(hits) / len(predicted), 4) if predicted else 1.0,
        "recall": round(len(hits) / len(true_pairs), 4) if true_pairs else 1.0,
        "false_merges_among_originals": len(originals),
        "false_pairs": sorted(false), "missed_pairs": sorted(true_pairs - predicted),
    }


def _pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for article_id, story in labels.items():
        groups.setdefault(story, []).append(article_id)
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(ids, 2)}


def measure(seed: int, share: float = SHARE, order: str = "shuffled", path: Path = CORPUS) -> dict[str, Any]:
    items = build_corpus(seed, share, path)
    labels, seconds = place_all(items, seed, order)
    result = score(items, labels)
    result.update(seed=seed, order=order, seconds=round(seconds, 3),
                  ms_per_article=round(1000 * seconds / len(items), 3), constants=stories.SKETCH_VERSION,
                  prefilter_containment=stories.PREFILTER_CONTAINMENT, min_containment=stories.MIN_CONTAINMENT)
    return result


def sweep(seed: int, share: float = SHARE) -> list[dict[str, Any]]:
    """Exact containment/Jaccard of the shingle sets, per shingle size: the weakest true copy pairs and the
    strongest pairs of different stories (what `SHINGLE_WORDS` and `MIN_CONTAINMENT` were chosen from)."""
    items = build_corpus(seed, share)
    saved = stories.SHINGLE_WORDS
    rows = []
    try:
        for size in (3, 4, 5, 6):
            stories.SHINGLE_WORDS = size
            sets = [stories.shingles(i.article.body) for i in items]
            true_c, false_c, true_j = [], [], []
            for a, b in combinations(range(len(items)), 2):
                sa, sb = sets[a], sets[b]
                if not sa or not sb:
                    continue
                inter = len(sa & sb)
                if not inter and items[a].story != items[b].story:
                    continue
                c = inter / min(len(sa), len(sb))
                if items[a].story == items[b].story:
                    true_c.append(c)
                    true_j.append(inter / len(sa | sb))
                else:
                    false_c.append(c)
            true_c.sort()
            false_c.sort(reverse=True)
            true_j.sort()
            rows.append({"shingle_words": size, "true_pairs": len(true_c),
                         "true_containment_lowest": [round(x, 3) for x in true_c[:8]],
                         "true_jaccard_lowest": [round(x, 3) for x in true_j[:8]],
                         "false_containment_highest": [round(x, 3) for x in false_c[:8]]})
    finally:
        stories.SHINGLE_WORDS = saved
    return rows


def grid(seed: int, share: float = SHARE) -> list[str]:
    """Wrong and missed pairs for each shingle size and MIN_CONTAINMENT (what the constants were chosen from)."""
    items = build_corpus(seed, share)
    saved = stories.SHINGLE_WORDS, stories.MIN_CONTAINMENT
    lines = []
    try:
        for size in (3, 4, 5):
            stories.SHINGLE_WORDS = size
            cells = []
            for step in range(16):
                stories.MIN_CONTAINMENT = 0.5 + 0.02 * step
                result = score(items, place_all(items, seed)[0])
                cells.append(f"{stories.MIN_CONTAINMENT:.2f}:{len(result['false_pairs'])}/{len(result['missed_pairs'])}")
            lines.append(f"{size} words  (threshold:wrong/missed)  " + " ".join(cells))
    finally:
        stories.SHINGLE_WORDS, stories.MIN_CONTAINMENT = saved
    return lines


def scale(n: int) -> dict[str, Any]:
    """Sketching and placing `n` articles: the seed-1 corpus (originals and copies), then made-up articles of
    12 sentences drawn at random from all Wikinews sentences (each its own text, sharing a sentence here and
    there like real reports do). Reports ms per article, the rebuild of the index from stored sketches (what
    each ingest that writes pays once), one more placement into the full index, and for comparison the
    rebuild of a datasketch `MinHashLSH` tuned to the same low Jaccard (64 bands of 2 rows)."""
    from datasketch import LeanMinHash, MinHashLSH

    rng = random.Random(n)
    corpus = [i.article.body for i in build_corpus(1)]
    pool = [x for body in corpus for x in _SENTENCE_END.split(body.replace("\n\n", " ")) if len(x) > 40]
    extra = [" ".join(rng.sample(pool, 12)) for _ in range(max(0, n - len(corpus)))]
    bodies = {f"a{k}": body for k, body in enumerate((corpus + extra)[:n])}
    checks = [0]
    body_of = bodies.get

    def counted(article_id: str) -> str | None:
        checks[0] += 1
        return body_of(article_id)

    started = time.perf_counter()
    made = stories.sketches(bodies.values())
    sketch_s = time.perf_counter() - started
    index = stories.StoryIndex(counted)
    index._recent = _NoCache()  # every confirmation reads its body, as after a restart
    started = time.perf_counter()
    plan = index.place([(article_id, "", body) for article_id, body in bodies.items()])
    place_s = time.perf_counter() - started
    stored = [(a, p.sketch.to_bytes(), p.sketch.size, index.story_of[a]) for a, p in plan.placements.items()]
    started = time.perf_counter()
    rebuilt = stories.StoryIndex(body_of)
    for article_id, data, size, story in stored:
        rebuilt.add(article_id, stories.Sketch.from_bytes(data, size), story)
    rebuild_s = time.perf_counter() - started
    probe = corpus[0].replace("the", "a", 3)
    started = time.perf_counter()
    rebuilt.place([("probe", "", probe)])
    probe_ms = 1000 * (time.perf_counter() - started)
    lsh = MinHashLSH(threshold=0.2, num_perm=stories.NUM_PERM, weights=(0.1, 0.9))
    started = time.perf_counter()
    for article_id, data, size, _ in stored:
        lean = LeanMinHash(seed=stories.SKETCH_SEED, hashvalues=np.frombuffer(data, dtype="<u4"), scheme=stories.SCHEME)
        lsh.insert(article_id, lean, check_duplication=False)
    lsh_s = time.perf_counter() - started
    return {"articles": n, "sketch_ms_per_article": round(1000 * sketch_s / n, 3),
            "place_ms_per_article": round(1000 * place_s / n, 3), "sketch_s": round(sketch_s, 2),
            "place_s (sketch + scan + exact checks, index growing to n)": round(place_s, 2),
            "exact_checks": checks[0], "rebuild_from_stored_s": round(rebuild_s, 3),
            "place_one_into_full_index_ms": round(probe_ms, 2),
            "datasketch_lsh_rebuild_s": round(lsh_s, 2), "lsh_bands_rows": [lsh.b, lsh.r],
            "stored_bytes_per_article": len(stored[0][1])}


class _NoCache(dict):
    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def popitem(self, last: bool = True) -> Any:
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.stories", description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=2, help="corpus seed (constants were chosen on 1; report on 2)")
    p.add_argument("--share", type=float, default=SHARE, help="share of the originals given copies")
    p.add_argument("--order", choices=["shuffled", "originals-first"], default="shuffled")
    p.add_argument("--errors", action="store_true", help="list the wrongly merged and the missed pairs")
    p.add_argument("--json", action="store_true")
    p.add_argument("--sweep", action="store_true", help="similarity distributions per shingle size")
    p.add_argument("--grid", action="store_true", help="wrong/missed pairs per shingle size and threshold")
    p.add_argument("--scale", type=int, help="time sketching and placing this many articles")
    args = p.parse_args(argv)
    if args.sweep:
        for row in sweep(args.seed, args.share):
            print(json.dumps(row))
        return 0
    if args.grid:
        print("\n".join(grid(args.seed, args.share)))
        return 0
    if args.scale:
        print(json.dumps(scale(args.scale), indent=2))
        return 0
    result = measure(args.seed, args.share, args.order)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        keys = ("seed", "order", "articles", "originals", "copies", "stories_with_copies", "true_pairs",
                "predicted_pairs", "correct_pairs", "precision", "recall", "false_merges_among_originals",
                "ms_per_article", "constants", "prefilter_containment", "min_containment")
        for key in keys:
            print(f"{key:30} {result[key]}")
    if args.errors:
        by_id = {i.article.id: i for i in build_corpus(args.seed, args.share)}
        for kind in ("false_pairs", "missed_pairs"):
            print(f"\n{kind}:")
            for a, b in result[kind]:
                ia, ib = by_id[a], by_id[b]
                print(f"  {ia.article.title[:60]!r} ({ia.edits or 'original'}) ~ {ib.article.title[:60]!r} "
                      f"({ib.edits or 'original'})")
    ok = result["precision"] >= TARGET_PRECISION and result["recall"] >= TARGET_RECALL
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
