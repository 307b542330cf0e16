"""The Chroma side of the index: chunks with our own embeddings, cosine similarity, flat metadata."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.errors import IngestError, StorageFailure
from index.ledger import check_backend
from index.settings import IndexSettings

_OPEN_LOCK = threading.Lock()  # chromadb's client cache races when two threads open one path at once
LLAMA_INDEX_KEYS = ("_node_content", "_node_type", "document_id", "doc_id", "ref_doc_id")


class ChunkStore:
    """Chunks in one Chroma collection, written through llama-index's `ChromaVectorStore`."""

    def __init__(self, collection: Any) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.collection = collection
        self.vector_store = ChromaVectorStore(chroma_collection=collection)

    def add(self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict], embeddings: np.ndarray) -> None:
        """Store chunks; `metadatas[i]["article_id"]` ties each chunk to its article."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = [
            TextNode(
                id_=chunk_id,
                text=text,
                metadata=dict(meta),
                embedding=vector.tolist(),
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta["article_id"])},
                excluded_embed_metadata_keys=list(meta),
                excluded_llm_metadata_keys=list(meta),
            )
            for chunk_id, text, meta, vector in zip(ids, texts, metadatas, embeddings)
        ]
        if nodes:
            self.vector_store.add(nodes)

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Remove every chunk of these articles."""
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            where = {"article_id": batch[0]} if len(batch) == 1 else {"article_id": {"$in": batch}}
            self.collection.delete(where=where)

    def ids(self) -> list[str]:
        """Every stored chunk id."""
        return list(self.collection.get(include=[])["ids"])

    def delete_ids(self, chunk_ids: Sequence[str]) -> None:
        for start in range(0, len(chunk_ids), 500):
            self.collection.delete(ids=list(chunk_ids[start : start + 500]))

    def query(self, embedding: Sequence[float] | np.ndarray, k: int, where: dict | None = None
              ) -> list[tuple[dict, str, float]]:
        """The k nearest chunks as (metadata, text, cosine similarity), best first."""
        if k <= 0:
            return []
        # No count() round trip first: Chroma returns what it has when k exceeds the collection (or is empty).
        result = self.collection.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32).tolist()],
            n_results=k,
            where=where or None,
            include=["metadatas", "documents", "distances"],
        )
        return [
            (clean_metadata(meta), text or "", 1.0 - float(distance))
            for meta, text, distance in zip(result["metadatas"][0], result["documents"][0], result["distances"][0])
        ]

    def get(self, where: dict | None = None, ids: Sequence[str] | None = None) -> list[tuple[str, dict, str]]:
        """Stored chunks as (id, metadata, text), for checks and maintenance."""
        result = self.collection.get(ids=list(ids) if ids else None, where=where or None,
                                     include=["metadatas", "documents"])
        return [(i, clean_metadata(m), t or "") for i, m, t in zip(result["ids"], result["metadatas"], result["documents"])]

    def count(self) -> int:
        return int(self.collection.count())


def clean_metadata(meta: dict | None) -> dict:
    """Our flat chunk metadata, without llama-index's bookkeeping keys."""
    return {k: v for k, v in (meta or {}).items() if k not in LLAMA_INDEX_KEYS}


def open_store(settings: IndexSettings) -> ChunkStore:
    """Open (or create) the collection: files in `settings.chroma_dir`, or the server at `settings.chroma_url`.

    Raises `IngestError` when the index was embedded with another `embed_backend` than `settings` asks for,
    so the question side (which embeds queries with `get_embedder(settings)`) never mixes vectors either.
    """
    check_backend(settings)
    with _OPEN_LOCK:
        return _open_store(settings)


def _open_store(settings: IndexSettings) -> ChunkStore:
    collection = _client(settings).get_or_create_collection(
        name=settings.collection,
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    return ChunkStore(collection)


def open_companion(settings: IndexSettings, suffix: str) -> Any:
    """The raw Chroma collection `settings.collection + suffix` on the same client as the chunks (created when
    missing); its records carry whatever embedding the caller gives (index/replica.py uses a 1-d one)."""
    with _OPEN_LOCK:
        return _client(settings).get_or_create_collection(name=f"{settings.collection}{suffix}",
                                                          embedding_function=None)


def _client(settings: IndexSettings) -> Any:
    """A Chroma client: the server at `settings.chroma_url`, or files in `settings.chroma_dir`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise IngestError(f"chroma_url '{settings.chroma_url}' is not an http(s)://host:port URL; fix NEWSDESK_CHROMA_URL")
        try:
            client = chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                         ssl=url.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # chromadb raises several types for an unreachable server
            raise StorageFailure(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc}); start it "
                "(`chroma run --path DIR --port PORT`) or unset NEWSDESK_CHROMA_URL"
            ) from exc
    else:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    return client
