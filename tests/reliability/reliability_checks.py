"""Helpers for the reliability suite: a snapshot of what an index holds, and the checks that it is whole."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from newsdesk_testkit import free_port  # noqa: F401  (re-exported to the reliability tests)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "articles"
SEED = SAMPLES / "turkiye-israel-syria-talks.txt"
FIGURES: Counter = Counter()  # closing figures of the suite (printed at the end of the run)
WIKINEWS = REPO / ".." / "shared" / "data" / "wikinews-2019-2020" / "articles.jsonl"


def make_desk(data_dir: Path | str, **overrides):
    from qa import Newsdesk, Settings

    return Newsdesk(Settings(**{"data_dir": data_dir, "llm": "extractive", "embed_threads": 1, **overrides}))


def forget_chroma_clients() -> None:
    """Drop this process's cached Chroma clients, so the next open reads what another process wrote."""
    from chromadb.api.shared_system_client import SharedSystemClient

    for system in list(SharedSystemClient._identifier_to_system.values()):
        try:
            system.stop()
        except Exception:  # noqa: BLE001 - a stale client may already be broken
            pass
    SharedSystemClient.clear_system_cache()


@dataclass(frozen=True)
class IndexState:
    """What the ledger and Chroma hold: {article id: (title, chunks)} and {chunk id: (article id, text)}."""

    articles: dict
    chunks: dict

    @property
    def chunk_total(self) -> int:
        return sum(n for _, n in self.articles.values())


def index_state(settings) -> IndexState:
    """Read the index through the public `index` API, checking on the way that ledger and Chroma agree."""
    from index import Catalog, open_store

    catalog = Catalog(settings)
    try:
        records = catalog.articles()
        ids = [r.id for r in records]
        duplicated = [i for i, n in Counter(ids).items() if n > 1]
        assert not duplicated, f"article ids listed twice: {duplicated}"
        stored = open_store(settings).get()
        chunk_ids = [cid for cid, _, _ in stored]
        assert len(chunk_ids) == len(set(chunk_ids)), "Chroma holds a chunk id twice"
        ledger_chunks = {c.id: c for c in catalog.iter_chunks()}
        orphans = set(chunk_ids) - set(ledger_chunks)
        missing = set(ledger_chunks) - set(chunk_ids)
        assert not orphans, f"{len(orphans)} Chroma chunks belong to no ledger article, e.g. {sorted(orphans)[:3]}"
        assert not missing, f"{len(missing)} ledger chunks are not in Chroma, e.g. {sorted(missing)[:3]}"
        assert len(stored) == sum(r.chunks for r in records) == catalog.chunk_count()
        for cid, meta, text in stored:
            assert meta["article_id"] == ledger_chunks[cid].article_id
            assert text == ledger_chunks[cid].text, f"chunk {cid}: Chroma text differs from the article body span"
        return IndexState(articles={r.id: (r.title, r.chunks) for r in records},
                          chunks={cid: (meta["article_id"], text) for cid, meta, text in stored})
    finally:
        catalog.close()
