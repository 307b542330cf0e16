"""Newsdesk's own pipeline under measurement: ingest, re-ingest, retrieval, answers, retrieval quality."""

from __future__ import annotations

import importlib
from typing import Any

from bench.stats import Stopwatch, latency_summary, rate


def make_settings(cfg: dict[str, Any], **overrides: Any):
    """Settings for one phase: the run's data dir, embed backend and threads; extractive unless told."""
    from qa import Settings

    values = {"data_dir": cfg["data_dir"], "embed_backend": cfg["backend"], "embed_threads": cfg["threads"],
              "llm": "extractive"}
    if cfg.get("batch_size"):  # otherwise the settings' default (and NEWSDESK_EMBED_BATCH_SIZE) applies
        values["embed_batch_size"] = cfg["batch_size"]
    values.update(overrides)
    return Settings(**values)


def ingest_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """One ingest run over cfg["paths"] (first or repeated), embedder loaded before the clock starts."""
    from index import get_embedder, ingest

    settings = make_settings(cfg)
    with Stopwatch() as load:  # process start-up, reported apart: model load, imports, opening the store
        get_embedder(settings)
        ingest([], settings)
        for module in ("index.loaders.html", "index.loaders.feed", "index.loaders.jsonl", "index.loaders.text"):
            importlib.import_module(module)
    with Stopwatch() as sw:
        report = ingest(cfg["paths"], settings)
    articles = sum(1 for r in report.results if r.status != "failed")
    return {"seconds": round(sw.wall, 2), "cpu_seconds": round(sw.cpu, 2), "articles": articles,
            "chunks_embedded": report.chunks_embedded, "failed": len(report.failed),
            "unchanged": report.count("unchanged"), "articles_per_s": rate(articles, sw.wall),
            "chunks_per_s": rate(report.chunks_embedded, sw.wall),
            "chunks_per_cpu_s": rate(report.chunks_embedded, sw.cpu), "startup_s": round(load.wall, 2)}


def retrieval_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """Latency of `Newsdesk.retrieve` (query embedding + dense + BM25 + fusion), top 5, after a warm-up."""
    from qa import Newsdesk

    desk = Newsdesk(make_settings(cfg))
    queries = cfg["queries"]
    for q in queries[:3]:
        desk.retrieve(q, k=5)
    times, cpu = [], []
    for q in queries:
        with Stopwatch() as sw:
            desk.retrieve(q, k=5)
        times.append(sw.wall)
        cpu.append(sw.cpu)
    return {"chunks": desk.info()["chunks"], "method": "Newsdesk.retrieve(question, k=5)",
            **latency_summary(times), "cpu": latency_summary(cpu)}


def answers_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """Time to first text piece and to the final Answer of `Newsdesk.stream`, per question."""
    from qa import Answer, Newsdesk

    settings = make_settings(cfg, llm=cfg["llm"])
    desk = Newsdesk(settings)
    if not desk.articles():
        desk.ingest(cfg["paths"])
    with Stopwatch() as load:
        desk.engine()
    first, total, refused = [], [], 0
    for question in cfg["questions"]:
        ttft = None
        with Stopwatch() as sw:
            for piece in desk.stream(question):
                if ttft is None and isinstance(piece, str) and piece:
                    ttft = sw.elapsed()
                if isinstance(piece, Answer):
                    refused += int(piece.refused)
        total.append(sw.wall)
        first.append(ttft if ttft is not None else sw.wall)
    ttft_stats = latency_summary(first)
    total_stats = latency_summary(total)
    return {"llm": cfg["llm"], "questions": len(total), "refused": refused, "load_s": round(load.wall, 2),
            "ttft_p50_ms": ttft_stats["p50_ms"], "ttft_p95_ms": ttft_stats["p95_ms"],
            "total_p50_ms": total_stats["p50_ms"], "total_p95_ms": total_stats["p95_ms"]}


def quality_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """Ingest an eval corpus into a fresh data dir, then article hit rate and recall at 5 passages."""
    from index import get_embedder, ingest
    from qa import Newsdesk

    from bench.quality import score_cases

    settings = make_settings(cfg)
    get_embedder(settings)  # model load outside the clock, as for the baseline
    with Stopwatch() as sw:
        report = ingest(cfg["paths"], settings)
    desk = Newsdesk(settings)

    def top5(question: str) -> list[dict[str, Any]]:
        return [{"article_id": p.article_id, "url": p.url, "title": p.title, "text": p.text}
                for p in desk.retrieve(question, k=5)]

    scores = score_cases(cfg["eval_set"], top5)
    return {**scores, "ingest_chunks": report.chunks_embedded, "ingest_s": round(sw.wall, 2),
            "ingest_chunks_per_s": rate(report.chunks_embedded, sw.wall)}
