"""Benchmark corpora: the Wikinews articles replicated with variations, streamed into JSONL files.

Nothing here holds the whole corpus in memory: articles are read line by line from the source and
written in parts of `PART_SIZE` articles, so a 10,000-article corpus costs no more RAM than 50.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT / ".." / "shared"
WIKINEWS = SHARED / "data" / "wikinews-2019-2020" / "articles.jsonl"
MULTIHOP_DIR = SHARED / "data" / "multihop-rag-subset"
SAMPLES = REPO_ROOT / "samples" / "articles"
EVAL_SET = REPO_ROOT / "eval" / "sets" / "samples.jsonl"
PART_SIZE = 50
TITLE_VARIANTS = ("Update", "Follow-up", "Report", "Analysis", "Recap", "Briefing", "Review", "Digest")


@dataclass
class Corpus:
    """Files to ingest and how they were made."""

    paths: list[Path]
    articles: int
    description: str
    jsonl: bool  # True when every path is a JSONL file of articles (the baseline reads these itself)


def read_jsonl(path: Path) -> Iterator[dict]:
    """Yield one dict per non-empty line."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def vary(article: dict, copy: int, rng: random.Random) -> dict:
    """A distinct copy of an article: new id/url/title, paragraphs shuffled (so hashes and chunks differ)."""
    if copy == 0:
        return article
    varied = dict(article)
    paragraphs = article.get("body", "").split("\n\n")
    rng.shuffle(paragraphs)
    varied["body"] = "\n\n".join(paragraphs)
    varied["id"] = f"{article.get('id', 'article')}-copy{copy}"
    varied["url"] = f"{article.get('url', 'https://bench.invalid/article')}?copy={copy}"
    varied["title"] = f"{TITLE_VARIANTS[copy % len(TITLE_VARIANTS)]} {copy}: {article.get('title', '')}"
    return varied


def replicated(source: Path, count: int, seed: int = 7) -> Iterator[dict]:
    """Yield `count` articles: the source's articles, then varied copies of them, round after round."""
    rng = random.Random(seed)
    made, copy = 0, 0
    while made < count:
        produced_this_round = 0
        for article in read_jsonl(source):
            if made >= count:
                return
            yield vary(article, copy, rng)
            made += 1
            produced_this_round += 1
        if produced_this_round == 0:
            raise ValueError(f"{source}: no articles found; give a JSONL file with one article per line")
        copy += 1


def write_parts(articles: Iterator[dict], out_dir: Path, part_size: int = PART_SIZE) -> list[Path]:
    """Stream articles into out_dir/part-NNNN.jsonl files of `part_size` articles each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    handle = None
    for n, article in enumerate(articles):
        if n % part_size == 0:
            if handle:
                handle.close()
            paths.append(out_dir / f"part-{len(paths):04d}.jsonl")
            handle = open(paths[-1], "w", encoding="utf-8")
        handle.write(json.dumps(article, ensure_ascii=False) + "\n")
    if handle:
        handle.close()
    return paths


def build_corpus(out_dir: Path, articles: int, given: str | None = None) -> Corpus:
    """The corpus for a run: `given` (file/folder/feed URL) as is, else replicated Wikinews, else the samples."""
    if given:
        path = Path(given)
        if given.startswith(("http://", "https://")):
            return Corpus([Path(given)], 0, f"feed {given}", jsonl=False)
        if not path.exists():
            raise ValueError(f"--corpus {given}: no such file or folder; give a folder of articles, a JSONL file or a feed URL")
        if path.suffix == ".jsonl":
            count = sum(1 for _ in read_jsonl(path))
            return Corpus([path], count, f"{path} ({count} articles)", jsonl=True)
        return Corpus([path], sum(1 for p in path.rglob("*") if p.is_file()), f"folder {path}", jsonl=False)
    if WIKINEWS.is_file():
        paths = write_parts(replicated(WIKINEWS, articles), out_dir)
        return Corpus(paths, articles, f"Wikinews 2019-2020 (293 real articles) replicated to {articles}", jsonl=True)
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    return Corpus([SAMPLES], len(files), f"bundled samples/articles ({len(files)} files; ../shared absent)", jsonl=False)
