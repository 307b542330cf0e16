"""The incremental BM25 index: same scores as bm25s, and a sync after adding/removing articles equals a fresh build
while tokenizing only what changed."""

from __future__ import annotations

import numpy as np
import pytest

from index import ArticleRecord, Chunk
from qa.retrieval.bm25 import BM25Cache, BM25Index
from qa.text import tokens

TEXTS = {
    "a1": ("Harbour strike", ["Dock workers in Port Calder walked out on Monday over pay.",
                              "The union said the strike would last until the ferry company raised wages."]),
    "a2": ("Ferry timetable", ["The ferry company cut its winter timetable to two crossings a day."]),
    "a3": ("Council vote", ["Calder council voted to fund a new harbour wall after the winter storms."]),
    "a4": ("School opens", ["A new primary school opened in the north of the town with 120 pupils."]),
    "a5": ("Storm damage", ["Storms damaged the harbour wall and flooded the ferry terminal car park."]),
}
QUERIES = ["harbour wall storms", "ferry company wages strike", "school pupils", "Calder council harbour",
           "ferry ferry terminal"]


class MemoryCatalog:
    """The parts of `index.Catalog` the keyword index reads, over in-memory articles."""

    def __init__(self, texts: dict[str, tuple[str, list[str]]]) -> None:
        self.texts = dict(texts)
        self.version = {a: "v1" for a in texts}
        self.generation = 0
        self.chunk_reads: list[str] = []  # article ids whose chunks were read

    def change(self, article_id: str, title: str | None = None, chunks: list[str] | None = None) -> None:
        if chunks is None:
            self.texts.pop(article_id)
            self.version.pop(article_id)
        else:
            self.texts[article_id] = (title or article_id, chunks)
            self.version[article_id] = f"v{self.generation + 2}"
        self.generation += 1

    def versions(self) -> dict[str, str]:
        return dict(self.version)

    def articles(self) -> list[ArticleRecord]:
        return [ArticleRecord(a, title, "Calder Gazette", "", "", "2020-01-01", 1577836800, a, len(chunks))
                for a, (title, chunks) in self.texts.items()]

    def iter_chunks(self, article_ids=None):
        for a in sorted(self.texts if article_ids is None else article_ids):
            if a not in self.texts:
                continue
            self.chunk_reads.append(a)
            for i, text in enumerate(self.texts[a][1]):
                yield Chunk(id=f"{a}:{i}", article_id=a, index=i, text=text, start_char=0, end_char=len(text))


def scores_by_chunk(index: BM25Index, query: str) -> dict[str, float]:
    return {h.chunk_id: round(h.bm25, 5) for h in index.search(query, 100)}


def test_scores_equal_bm25s_on_the_same_documents():
    import bm25s

    catalog = MemoryCatalog(TEXTS)
    index = BM25Index(catalog)
    chunks = list(catalog.iter_chunks())
    corpus = [tokens(f"{TEXTS[c.article_id][0]} Calder Gazette {c.text}") for c in chunks]
    reference = bm25s.BM25()
    reference.index(corpus, show_progress=False)
    for query in QUERIES:
        q = [t for t in tokens(query) if t in index.df]
        expected = reference.get_scores(q)
        got = index.scores(q)
        assert np.allclose(got, expected, atol=1e-5), query
        assert got.max() > 0


def test_sync_after_changes_equals_a_fresh_build_and_reads_only_changed_articles():
    catalog = MemoryCatalog(TEXTS)
    cache = BM25Cache()
    index = cache.get(catalog)
    assert index.articles_added == 5
    catalog.chunk_reads.clear()
    catalog.change("a6", "Wall contract", ["A builder from Ardmore won the contract for the harbour wall."])
    catalog.change("a2")  # removed
    catalog.change("a3", "Council vote", ["Calder council delayed the harbour wall vote to March."])  # updated
    assert cache.get(catalog) is index
    assert sorted(catalog.chunk_reads) == ["a3", "a6"]  # nothing else tokenized again
    assert index.articles_added == 7 and index.rebuilds == 0
    fresh = BM25Index(catalog)
    for query in QUERIES + ["Ardmore builder contract", "winter timetable crossings"]:
        assert scores_by_chunk(index, query) == scores_by_chunk(fresh, query), query
    assert scores_by_chunk(index, "winter timetable crossings") == {}  # the removed article's words are gone
    assert "a6:0" in scores_by_chunk(index, "Ardmore builder contract")
    assert index.n == fresh.n == 6


def test_mostly_removed_index_is_rebuilt_and_stays_right():
    catalog = MemoryCatalog(TEXTS)
    cache = BM25Cache()
    index = cache.get(catalog)
    for article_id in ("a1", "a2", "a3", "a5"):
        catalog.change(article_id)
    cache.get(catalog)
    assert index.rebuilds == 1
    assert len(index.metas) == index.n == 1
    assert list(scores_by_chunk(index, "school pupils")) == ["a4:0"]
    assert scores_by_chunk(index, "harbour") == {}


@pytest.mark.parametrize("empty", [{}, {"a9": ("Untitled", [""])}])
def test_empty_catalog_or_empty_chunk_searches_to_nothing(empty):
    index = BM25Index(MemoryCatalog(empty))
    assert index.search("harbour wall", 5) == []


class LookupCatalog(MemoryCatalog):
    """A catalog that also reads one article by id, as `index.Catalog.get` does; counts whole-catalog reads."""

    def __init__(self, texts: dict[str, tuple[str, list[str]]]) -> None:
        super().__init__(texts)
        self.whole_reads = 0

    def articles(self) -> list[ArticleRecord]:
        self.whole_reads += 1
        return super().articles()

    def get(self, article_id: str):
        return next((r for r in super().articles() if r.id == article_id), None)


def test_a_few_new_articles_are_synced_without_reading_the_whole_catalog():
    catalog = LookupCatalog(TEXTS)
    cache = BM25Cache()
    index = cache.get(catalog)
    catalog.whole_reads = 0
    catalog.change("a6", "Wall contract", ["A builder from Ardmore won the contract for the harbour wall."])
    cache.get(catalog)
    assert catalog.whole_reads == 0
    fresh = BM25Index(catalog)
    assert index.metas == fresh.metas  # the same titles, sources and dates as records read in bulk
    assert scores_by_chunk(index, "Ardmore builder contract") == scores_by_chunk(fresh, "Ardmore builder contract")
