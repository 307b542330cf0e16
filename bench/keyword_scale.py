"""Keyword-index scale: the BM25 index over a large ledger, without embedding or Chroma.

`python -m bench.keyword_scale --articles 10000 [--chunks 1000000] [--out FILE] [--no-old] [--fresh-build] [--data-dir DIR]`

1. Writes a ledger directly (`index.ledger.Ledger.mark_pending` / `mark_done`, the pipeline's real chunker
   with a word-count estimate of word pieces instead of the tokenizer, relative dates resolved per paragraph and
   cached) from the Wikinews corpus replicated with
   variations (`bench.corpus.replicated`), to `--articles` articles, or as many as it takes to reach `--chunks`.
2. In a fresh process (so its RSS is the index's, not the writer's): the first `BM25Cache.get(catalog)` (seconds,
   RSS growth, where the memory goes), BM25-only search latency over the Wikinews dev questions, and what ONE
   new article and ONE removed article cost the next question (`cache.get` + one search), next to the other
   catalog reads the retriever repeats after a generation change, and next to the old implementation's full
   rebuild (`qa/retrieval/bm25.py` at commit `OLD_COMMIT`, bm25s, loaded from git at run time).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from bench.corpus import WIKINEWS, replicated, vary
from bench.stats import latency_summary, percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = WIKINEWS.parent / "dev-qa.jsonl"
OLD_COMMIT = "53eede4~1"  # the last bm25s-backed keyword index (rebuilt whole on every generation change)
CHUNK_SIZE, CHUNK_OVERLAP = 192, 32  # the index defaults (index/settings.py), as in the main bench
PIECES_PER_WORD = 1.36  # MiniLM word pieces per whitespace word on Wikinews: gives the ~6.7 chunks/article of real ingest
WRITE_BATCH = 500  # articles per ledger transaction while writing the corpus
QUERY_ROUNDS = 3  # times each dev question is asked for the latency figures
CHANGE_ROUNDS = 3  # single-article additions (and removals) timed
SEARCH_K = 30  # qa settings' bm25_k default
COPY_BASE = 10**6  # copy numbers of the added articles: far past anything the corpus made


def estimated_pieces(texts: list[str]) -> list[int]:
    """Word pieces per text, estimated from whitespace words (the chunker needs only a budget-consistent count)."""
    return [math.ceil(len(t.split()) * PIECES_PER_WORD) for t in texts]


_PARAGRAPH_DATES: dict[tuple[str, Any], list[Any]] = {}  # (paragraph, published day) → its dates, local offsets


def paragraph_dates(body: str, published: Any) -> list[Any]:
    """`resolve_relative_dates(body, published)`, paragraph by paragraph and cached: the varied copies reuse the
    source's paragraphs in another order, and the regex scan is most of the cost of writing a large ledger."""
    from dataclasses import replace

    from index.relative_dates import resolve_relative_dates

    found, offset = [], 0
    for paragraph in body.split("\n\n"):
        key = (paragraph, published)
        local = _PARAGRAPH_DATES.get(key)
        if local is None:
            local = _PARAGRAPH_DATES[key] = resolve_relative_dates(paragraph, published)
        found += [replace(d, start=d.start + offset, end=d.end + offset) for d in local]
        offset += len(paragraph) + 2
    return found


def chunked(record: dict, origin: str) -> tuple[Any, list[Any]]:
    """The article and its chunks, as the pipeline makes them (`IngestRun.chunk`), with estimated pieces."""
    from index.chunking import chunk_budget, chunk_spans
    from index.loaders.common import article_from_record
    from index.models import Chunk
    from index.relative_dates import dates_in_span, parse_published

    article = article_from_record(record, origin)
    budget = chunk_budget(article.title, estimated_pieces, CHUNK_SIZE)
    spans = chunk_spans(article.body, budget, CHUNK_OVERLAP, estimated_pieces)
    dates = paragraph_dates(article.body, parse_published(article.published_at))
    chunks = [Chunk(id=f"{article.id}:{i}", article_id=article.id, index=i, text=article.body[s.start:s.end],
                    start_char=s.start, end_char=s.end, dates=dates_in_span(dates, s.start, s.end))
              for i, s in enumerate(spans)]
    return article, chunks


def write_ledger(data_dir: Path, articles: int, target_chunks: int | None) -> dict[str, Any]:
    """Write the replicated corpus into a fresh ledger; stop at `articles`, or at `target_chunks` when given."""
    from index import IndexSettings
    from index.ledger import Ledger

    ledger = Ledger(IndexSettings(data_dir=data_dir).ledger_path)
    started = time.perf_counter()
    limit = 10**9 if target_chunks else articles
    written_articles = written_chunks = 0
    batch: list[tuple[Any, str, list[Any]]] = []
    for n, record in enumerate(replicated(WIKINEWS, limit)):
        article, chunks = chunked(record, f"bench://keyword-scale#{n}")
        batch.append((article, "bench://keyword-scale", chunks))
        written_articles += 1
        written_chunks += len(chunks)
        done = written_chunks >= target_chunks if target_chunks else written_articles >= articles
        if len(batch) >= WRITE_BATCH or done:
            _commit(ledger, batch)
            batch = []
            if written_articles % 10_000 < WRITE_BATCH:
                print(f"[keyword-scale] wrote {written_articles} articles / {written_chunks} chunks "
                      f"({time.perf_counter() - started:.0f}s, load {os.getloadavg()[0]:.2f})", flush=True)
        if done:
            break
    _commit(ledger, batch)
    ledger.close()
    return {"articles": written_articles, "chunks": written_chunks,
            "write_s": round(time.perf_counter() - started, 1), "load_avg_1min": _load()}


def _commit(ledger: Any, batch: list[tuple[Any, str, list[Any]]]) -> None:
    if batch:
        ledger.mark_pending(batch)
        ledger.mark_done([a.id for a, _, _ in batch])


def questions() -> list[str]:
    with open(QUESTIONS, encoding="utf-8") as handle:
        return [json.loads(line)["question"] for line in handle if line.strip()]


def rss_mb() -> float:
    import psutil

    return round(psutil.Process(os.getpid()).memory_info().rss / 2**20, 1)


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def measure(data_dir: Path, compare_old: bool, fresh_build: bool = False) -> dict[str, Any]:
    """Everything timed on an already written ledger (run in a fresh process)."""
    from index import Catalog, IndexSettings
    from index.ledger import Ledger
    from qa.retrieval.bm25 import BM25Cache

    settings = IndexSettings(data_dir=data_dir)
    catalog = Catalog(settings)
    asked = questions()
    result: dict[str, Any] = {"articles": len(catalog), "chunks": catalog.chunk_count()}

    rss_before = rss_mb()
    cache = BM25Cache()
    started = time.perf_counter()
    index = cache.get(catalog)
    result["first_build"] = {"seconds": round(time.perf_counter() - started, 2), "rss_before_mb": rss_before,
                             "rss_after_mb": rss_mb(), "rss_growth_mb": round(rss_mb() - rss_before, 1),
                             "tokens": len(index._postings), "load_avg_1min": _load()}

    times = []
    for _ in range(QUERY_ROUNDS):
        for question in asked:
            t = time.perf_counter()
            index.search(question, SEARCH_K)
            times.append(time.perf_counter() - t)
    result["search"] = {**latency_summary(times), "k": SEARCH_K, "questions": len(asked), "rounds": QUERY_ROUNDS,
                        "load_avg_1min": _load()}

    ledger = Ledger(settings.ledger_path)
    source = next(iter(_source_records()))
    rng = random.Random(11)
    added_ids: list[str] = []
    additions, removals = [], []
    for round_ in range(CHANGE_ROUNDS):
        article, chunks = chunked(vary(source, COPY_BASE + round_, rng), f"bench://keyword-scale-added#{round_}")
        t = time.perf_counter()
        ledger.mark_pending([(article, "bench://keyword-scale-added", chunks)])
        ledger.mark_done([article.id])
        write_s = time.perf_counter() - t
        added_ids.append(article.id)
        additions.append({"write_ms": _ms(write_s), "chunks": len(chunks),
                          **_next_question(cache, catalog, asked[round_])})
    for round_, article_id in enumerate(added_ids):
        t = time.perf_counter()
        ledger.forget([article_id])
        write_s = time.perf_counter() - t
        removals.append({"write_ms": _ms(write_s), **_next_question(cache, catalog, asked[round_])})
    ledger.close()
    result["one_article_added"] = _summarise(additions)
    result["one_article_removed"] = _summarise(removals)
    result["per_generation_catalog_reads"] = _catalog_reads(catalog)
    result["rebuilds"] = index.rebuilds
    result["memory_breakdown_mb"] = memory_breakdown(index)
    if compare_old:
        result["old_full_rebuild"] = _old_rebuild(catalog, asked[0])
    if fresh_build:  # the new index built whole again, caches warm: the like-for-like figure for the old rebuild
        from qa.retrieval.bm25 import BM25Index

        t = time.perf_counter()
        BM25Index(catalog)
        result["new_full_build_warm_ms"] = _ms(time.perf_counter() - t)
    result["rss_end_mb"] = rss_mb()
    catalog.close()
    return result


def _source_records() -> Iterator[dict]:
    yield from replicated(WIKINEWS, 1)


def _next_question(cache: Any, catalog: Any, question: str) -> dict[str, float]:
    """The keyword side of the next question after a generation change: `cache.get` (sync) + one search."""
    t = time.perf_counter()
    index = cache.get(catalog)
    synced = time.perf_counter()
    index.search(question, SEARCH_K)
    done = time.perf_counter()
    return {"sync_ms": _ms(synced - t), "search_ms": _ms(done - synced), "total_ms": _ms(done - t)}


def _summarise(rounds: list[dict[str, float]]) -> dict[str, Any]:
    """Median of each figure over the rounds, and the rounds themselves."""
    keys = [k for k in rounds[0] if k != "chunks"]
    return {**{f"median_{k}": round(percentile([r[k] for r in rounds], 50), 1) for k in keys},
            "rounds": rounds, "load_avg_1min": _load()}


def _catalog_reads(catalog: Any) -> dict[str, float]:
    """Other whole-catalog reads repeated on the first question after a generation change (ms): the keyword
    sync's `versions()` and `articles()`, the retriever's corpus facts (`sources()` + `articles()`) and the
    story lookups of one question's hits (`story_of` + `story_members` for 50 articles, per article from SQLite)."""
    ids = [r[0] for r in catalog._db.execute("SELECT id FROM articles WHERE state = 'done' LIMIT 50")]

    def story_lookups() -> None:
        for article_id in ids:
            catalog.story_members(catalog.story_of(article_id))

    reads = {}
    for name, call in (("versions", catalog.versions), ("articles", catalog.articles), ("sources", catalog.sources),
                       ("newest_ts", catalog.newest_ts), ("chunk_count", catalog.chunk_count),
                       ("story_lookups_50", story_lookups)):
        t = time.perf_counter()
        call()
        reads[f"{name}_ms"] = _ms(time.perf_counter() - t)
    return reads


def memory_breakdown(index: Any) -> dict[str, float]:
    """Approximate bytes held per part of the index (sys.getsizeof; objects shared between chunks counted once),
    in MiB, with the per-chunk figure."""
    seen: set[int] = set()

    def size(obj: Any) -> int:
        if id(obj) in seen:
            return 0
        seen.add(id(obj))
        return sys.getsizeof(obj)

    metas = sys.getsizeof(index.metas) + sum(size(m) + sum(size(v) for v in m.values()) for m in index.metas)
    texts = sys.getsizeof(index.texts) + sum(size(t) for t in index.texts)
    postings = sys.getsizeof(index._postings) + sum(
        size(token) + sys.getsizeof(p) + sys.getsizeof(p.slots) + sys.getsizeof(p.counts)
        for token, p in index._postings.items())
    df = sys.getsizeof(index.df)  # its keys are the postings' token strings, counted there
    dates = (sys.getsizeof(index.date_words) + sum(size(k) + size(v) for k, v in index.date_words.items())
             + sys.getsizeof(index.event_days) + sum(sys.getsizeof(v) for v in index.event_days.values()))
    articles = sys.getsizeof(index._articles) + sum(
        size(k) + sys.getsizeof(v) + sys.getsizeof(v[1]) for k, v in index._articles.items())
    per_slot = sys.getsizeof(index._lengths) + sys.getsizeof(index._alive)
    parts = {"metas": metas, "texts": texts, "postings": postings, "df": df, "dates": dates,
             "article_slots": articles, "lengths_alive": per_slot}
    chunks = max(1, len(index.metas))
    summary = {k: round(v / 2**20, 1) for k, v in parts.items()}
    summary["total"] = round(sum(parts.values()) / 2**20, 1)
    summary["bytes_per_chunk"] = {k: round(v / chunks) for k, v in {**parts, "total": sum(parts.values())}.items()}
    summary["postings_entries"] = sum(len(p.slots) for p in index._postings.values())
    return summary


def _old_rebuild(catalog: Any, question: str) -> dict[str, Any]:
    """The old cache's cost per generation change: a whole bm25s index built from the catalog, + one search."""
    try:
        source = subprocess.run(["git", "show", f"{OLD_COMMIT}:qa/retrieval/bm25.py"], cwd=REPO_ROOT, check=True,
                                capture_output=True, text=True).stdout
        import bm25s  # noqa: F401  (the old index needs it)
    except (subprocess.CalledProcessError, FileNotFoundError, ImportError) as exc:
        return {"error": f"old implementation unavailable ({exc}); needs git history and bm25s"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "old_bm25.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("old_bm25", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    rss_before = rss_mb()
    t = time.perf_counter()
    old = module.BM25Index(catalog)
    built = time.perf_counter()
    old.search(question, SEARCH_K)
    done = time.perf_counter()
    return {"source": f"git show {OLD_COMMIT}:qa/retrieval/bm25.py", "build_ms": _ms(built - t),
            "search_ms": _ms(done - built), "total_ms": _ms(done - t),
            "rss_growth_mb": round(rss_mb() - rss_before, 1), "load_avg_1min": _load()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.keyword_scale", description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=10_000, help="articles to write (default 10000)")
    p.add_argument("--chunks", type=int, help="write articles until the ledger holds this many chunks instead")
    p.add_argument("--out", help="results JSON file (default bench/out/keyword_scale.json)")
    p.add_argument("--no-old", action="store_true", help="skip the old bm25s full-rebuild comparison")
    p.add_argument("--fresh-build", action="store_true", help="also time a second whole build of the new index")
    p.add_argument("--data-dir", help="keep the ledger here (reused when it already holds articles)")
    p.add_argument("--measure-only", help=argparse.SUPPRESS)  # internal: the fresh measuring process
    args = p.parse_args(argv)
    if not WIKINEWS.is_file():
        print(f"{WIKINEWS}: not found; the keyword-scale bench needs the shared Wikinews data", file=sys.stderr)
        return 2
    if args.measure_only:
        json.dump(measure(Path(args.measure_only), not args.no_old, args.fresh_build), sys.stdout)
        return 0
    with tempfile.TemporaryDirectory(prefix="newsdesk-keyword-scale-") as tmp:
        data_dir = Path(args.data_dir) if args.data_dir else Path(tmp)
        result: dict[str, Any] = {"command": " ".join(["python -m bench.keyword_scale"] + (argv or sys.argv[1:])),
                                  "started": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count(),
                                  "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}
        ledger = data_dir / "ledger.sqlite3"
        result["written"] = {"reused": str(data_dir)} if ledger.exists() and args.data_dir else \
            write_ledger(data_dir, args.articles, args.chunks)
        print(f"[keyword-scale] measuring ({result['written']})", file=sys.stderr, flush=True)
        command = [sys.executable, "-m", "bench.keyword_scale", "--measure-only", str(data_dir)]
        command += (["--no-old"] if args.no_old else []) + (["--fresh-build"] if args.fresh_build else [])
        proc = subprocess.run(command, cwd=REPO_ROOT,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"[keyword-scale] measuring failed: {proc.stderr.strip().splitlines()[-3:]}", file=sys.stderr)
            return 1
        result["measured"] = json.loads(proc.stdout)
    out = Path(args.out or REPO_ROOT / "bench" / "out" / "keyword_scale.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(report(result))
    print(f"results: {out}")
    return 0


def report(result: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    m = result["measured"]
    build, search, added, removed = m["first_build"], m["search"], m["one_article_added"], m["one_article_removed"]
    lines = [f"{m['articles']} articles, {m['chunks']} chunks, {build['tokens']} distinct tokens",
             f"first build {build['seconds']} s, RSS +{build['rss_growth_mb']} MB (load {build['load_avg_1min']})",
             f"BM25 search k={search['k']}: p50 {search['p50_ms']} ms, p95 {search['p95_ms']} ms",
             f"one article added: next cache.get + search {added['median_total_ms']} ms "
             f"(sync {added['median_sync_ms']} ms)",
             f"one article removed: next cache.get + search {removed['median_total_ms']} ms",
             f"catalog reads per generation (ms): {m['per_generation_catalog_reads']}",
             f"memory (MiB): {m['memory_breakdown_mb']}"]
    old = m.get("old_full_rebuild")
    if old:
        lines.append(f"old full rebuild + search: {old.get('total_ms', old.get('error'))} ms")
    if "new_full_build_warm_ms" in m:
        lines.append(f"new index built whole again (warm): {m['new_full_build_warm_ms']} ms")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
