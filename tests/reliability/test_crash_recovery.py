"""kill -9 of `newsdesk ingest` at random moments, many times over one data directory: after each kill one more
ingest yields exactly the expected articles and chunks (no duplicates, no orphans, Chroma and the ledger agree).

Every run changes the corpus first (some articles edited, some dropped, some brought back), so each killed
ingest has adding, updating and removing to do; the random delay is drawn over the length of one
uninterrupted run of that kind, so kills land during start-up and loading, while embedding and while writing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reliability_checks import FIGURES, SAMPLES, WIKINEWS, forget_chroma_clients, index_state, make_desk

RUNS = int(os.environ.get("RELIABILITY_CRASH_RUNS", "8"))  # e.g. 20 in a nightly run; each run costs a CLI start-up
N_ARTICLES = 40
NEWSDESK = Path(sys.executable).parent / "newsdesk"


def base_records() -> list[dict]:
    """~40 real articles (the first paragraphs of Wikinews reports), or the sample articles' text otherwise."""
    if WIKINEWS.is_file():
        with WIKINEWS.open(encoding="utf-8") as lines:
            rows = [json.loads(line) for _, line in zip(range(N_ARTICLES), lines)]
        return [{"title": r["title"], "url": r["url"], "source": r["source"], "date": r["date"],
                 "body": "\n\n".join(r["body"].split("\n\n")[:4])} for r in rows]
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.md"))]
    return [{"title": f"Sample {i} copy {k}", "url": f"https://example.test/{i}/{k}", "body": text}
            for k in range(N_ARTICLES // max(1, len(texts)) + 1) for i, text in enumerate(texts)][:N_ARTICLES]


class Corpus:
    """A JSONL file whose content changes between runs; `expected` is what the index must hold after an ingest."""

    def __init__(self, path: Path, rng: random.Random) -> None:
        self.path, self.rng = path, rng
        self.records = base_records()
        self.revision = {r["url"]: 0 for r in self.records}
        self.dropped: set[str] = set()
        self.write()

    def mutate(self, run: int) -> None:
        urls = list(self.revision)
        for url in self.rng.sample(urls, k=len(urls) // 3):
            self.revision[url] += 1
        self.dropped = set(self.rng.sample(urls, k=3))
        self.rng.shuffle(self.records)  # items move between line numbers (origins) too
        self.write()

    def body(self, record: dict) -> str:
        revision = self.revision[record["url"]]
        return record["body"] + (f"\n\nCorrection {revision}: this report was revised {revision} times." if revision else "")

    def write(self) -> None:
        lines = [json.dumps({**r, "body": self.body(r)}) for r in self.records if r["url"] not in self.dropped]
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def expected(self) -> dict[str, str]:
        """{title: body} of the articles the file holds now."""
        return {r["title"]: self.body(r) for r in self.records if r["url"] not in self.dropped}


def start_ingest(data_dir: Path, corpus: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NEWSDESK_EMBED_THREADS": "1", "NEWSDESK_PROGRESS": "0",
           "NEWSDESK_EMBED_BATCH_SIZE": "8"}  # small batches: several embed-and-write rounds per run
    return subprocess.Popen([str(NEWSDESK), "ingest", "--data-dir", str(data_dir), str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def assert_holds_exactly(data_dir: Path, expected: dict[str, str]) -> None:
    desk = make_desk(data_dir)
    state = index_state(desk.settings)  # also: no duplicate ids, no orphan or missing chunks, texts match
    titles = sorted(title for title, _ in state.articles.values())
    assert titles == sorted(expected), "the index does not hold exactly the corpus' articles"
    for article_id in state.articles:
        article = desk.article(article_id)
        assert article.body == expected[article.title].strip(), f"{article.title}: stale or wrong body"
    assert sum(n for _, n in state.articles.values()) == len(state.chunks) > 0
    forget_chroma_clients()  # hold no Chroma client open while the next child writes


@pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed next to Python")
def test_kill_9_at_random_moments_then_reingest(tmp_path, embedder):
    rng = random.Random(int(os.environ.get("RELIABILITY_CRASH_SEED", "8")))
    data_dir = tmp_path / "data"
    corpus = Corpus(tmp_path / "corpus.jsonl", rng)
    first = start_ingest(data_dir, corpus.path)
    assert first.wait(timeout=600) == 0, first.stderr.read().decode()[-2000:]
    first.stderr.close()
    assert_holds_exactly(data_dir, corpus.expected())
    startup_s = timed_ingest(data_dir, corpus.path)  # nothing to do: start-up and reading only
    corpus.mutate(0)
    typical_s = timed_ingest(data_dir, corpus.path)  # one uninterrupted run of the kind that gets killed
    assert_holds_exactly(data_dir, corpus.expected())
    killed = finished = written = 0
    for run in range(1, RUNS + 1):
        corpus.mutate(run)
        generation = ledger_generation(data_dir)
        started = time.monotonic()
        child = start_ingest(data_dir, corpus.path)
        try:
            child.wait(timeout=rng.uniform(0.5 * startup_s, typical_s))  # loading, embedding or writing
            assert child.returncode == 0, child.stderr.read().decode()[-2000:]
            finished += 1
            typical_s = max(typical_s, time.monotonic() - started)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=60) == -signal.SIGKILL
            killed += 1
            written += ledger_generation(data_dir) > generation  # the kill hit after some writes had landed
        child.stderr.close()
        report = make_desk(data_dir).ingest([corpus.path])
        assert report.ok, [r.error for r in report.failed]
        assert_holds_exactly(data_dir, corpus.expected())
    FIGURES["ingests killed with -9 and recovered"] += killed
    FIGURES["crash runs that finished before the kill"] += finished
    FIGURES["kills that landed after writing began"] += written
    assert killed >= RUNS // 3, f"only {killed} of {RUNS} kills landed before the ingest finished"


def ledger_generation(data_dir: Path) -> int:
    from index import Catalog

    catalog = Catalog(make_desk(data_dir).settings)
    try:
        return catalog.generation
    finally:
        catalog.close()


def timed_ingest(data_dir: Path, corpus: Path) -> float:
    started = time.monotonic()
    child = start_ingest(data_dir, corpus)
    assert child.wait(timeout=600) == 0, child.stderr.read().decode()[-2000:]
    child.stderr.close()
    return time.monotonic() - started
