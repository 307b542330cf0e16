"""Store-scale mode: synthetic normalised 384-d vectors in a fresh Chroma collection.

Reports insert rate, query latency (k=10) for the store alone and with a real query embedding in front
(Newsdesk's embedder), the collection's size on disk, and this process's resident memory (after the
inserts, after the store queries, after loading the embedder). Progress goes to stdout (the phase log), so a
run stopped early still shows its insert rate.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench.stats import Stopwatch, folder_mb, latency_summary, rate

DIM = 384
BATCH = 5000  # chromadb's max batch here is 5461
PROGRESS_EVERY = 50_000  # vectors between progress lines in the phase log


def rss_mb() -> float:
    """Resident memory of this process now, in MiB."""
    import psutil

    return round(psutil.Process(os.getpid()).memory_info().rss / 2**20, 1)


def _progress(done: int, elapsed: float) -> None:
    print(f"[store-scale] {done} vectors in {elapsed:.0f}s ({done / elapsed:.0f}/s), rss {rss_mb()} MB, "
          f"load {os.getloadavg()[0]:.2f}", file=sys.stdout, flush=True)


def random_unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIM), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def store_scale_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    import chromadb

    size, path = int(cfg["size"]), Path(cfg["data_dir"]) / "chroma"
    client = chromadb.PersistentClient(path=str(path), settings=chromadb.Settings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("scale", configuration={"hnsw": {"space": "cosine"}},
                                                 embedding_function=None)
    batch = min(BATCH, client.get_max_batch_size())
    rng = np.random.default_rng(1)
    rss_before = rss_mb()
    with Stopwatch() as insert:
        for start in range(0, size, batch):
            n = min(batch, size - start)
            collection.add(ids=[f"c{start + i}" for i in range(n)], embeddings=random_unit(rng, n),
                           metadatas=[{"article_id": f"a{(start + i) // 8}", "chunk_index": (start + i) % 8}
                                      for i in range(n)])
            if (start + n) % PROGRESS_EVERY < batch:
                _progress(start + n, insert.elapsed())
    rss_after_insert = rss_mb()
    queries = random_unit(rng, cfg["queries"])
    collection.query(query_embeddings=queries[:1], n_results=10)
    store_times = []
    for q in queries:
        with Stopwatch() as sw:
            collection.query(query_embeddings=q[None, :], n_results=10)
        store_times.append(sw.wall)
    result = {"size": size, "insert_s": round(insert.wall, 1), "insert_per_s": rate(size, insert.wall),
              "store_query": latency_summary(store_times), "disk_mb": folder_mb(path),
              "insert_cpu_s": round(insert.cpu, 1),
              "rss_mb": {"before_insert": rss_before, "after_insert": rss_after_insert, "after_queries": rss_mb()}}
    if cfg.get("questions"):
        result["with_query_embedding"] = _with_embedding(cfg, collection)
        again = []
        for q in queries:  # the store alone once more: separates store drift from embedding cost
            with Stopwatch() as sw:
                collection.query(query_embeddings=q[None, :], n_results=10)
            again.append(sw.wall)
        result["store_query_again"] = latency_summary(again)
        result["rss_mb"]["with_embedder"] = rss_mb()
    return result


def _with_embedding(cfg: dict[str, Any], collection: Any) -> dict[str, Any]:
    """Real questions: Newsdesk's query embedding + the store query (k=10), as one latency."""
    from index import IndexSettings, get_embedder

    embedder = get_embedder(IndexSettings(data_dir=cfg["models_home"], embed_backend=cfg["backend"],
                                          embed_threads=cfg["threads"]))
    embedder.embed_query("warm up")
    times, embed_only = [], []
    for question in cfg["questions"]:
        with Stopwatch() as sw:
            vector = embedder.embed_query(question)
            embedded = sw.elapsed()
            collection.query(query_embeddings=vector[None, :], n_results=10)
        times.append(sw.wall)
        embed_only.append(embedded)
    return {"backend": cfg["backend"], **latency_summary(times), "embedding_only": latency_summary(embed_only)}
