"""ingest()/remove() against a real Chroma on disk: formats, metadata, change detection, remove, prune."""

from __future__ import annotations

import json

import pytest

import index_samples as samples
from newsdesk_testkit import SEED
from index import Catalog, ingest, open_store, remove


def write_all_formats(docs):
    docs.write("glimmer.txt", samples.TXT)
    docs.write("bridge.md", samples.MD)
    docs.write("festival.html", samples.HTML)
    docs.write("valley.json", json.dumps(samples.JSON_LIST))
    docs.write("vale.jsonl", samples.JSONL)
    docs.write("marsh.csv", samples.CSV)
    docs.write("ledger.rss", samples.RSS)
    docs.write("nested/wire.atom", samples.ATOM)


def assert_consistent(settings):
    """Chroma holds exactly the ledger's chunks, with text == body[start:end]."""
    catalog, store = Catalog(settings), open_store(settings)
    chunks = list(catalog.iter_chunks())
    stored = {cid: (meta, text) for cid, meta, text in store.get()}
    assert store.count() == len(chunks) == catalog.chunk_count() == len(stored)
    for chunk in chunks:
        meta, text = stored[chunk.id]
        assert text == chunk.text == catalog.get(chunk.article_id).body[chunk.start_char : chunk.end_char]
        assert (meta["start_char"], meta["end_char"], meta["chunk_index"]) == (chunk.start_char, chunk.end_char, chunk.index)
    assert sum(a.chunks for a in catalog.articles()) == len(chunks)
    return catalog, store


def test_all_formats_ingest_with_metadata_in_chroma(settings, docs, embedder):
    write_all_formats(docs)
    progress = []
    report = ingest([docs.path, SEED], settings, on_progress=lambda *a: progress.append(a))
    assert report.ok, report.failed
    assert report.count("added") == 13 and report.chunks_embedded >= 12
    assert progress[-1] == (9, 9, report.chunks_embedded)
    catalog, store = assert_consistent(settings)
    titles = {a.title for a in catalog.articles()}
    assert "Türkiye, Israel begin 'technical talks' to ease Syria tensions" in titles
    assert "Quillhaven lantern festival draws record crowds" in titles
    assert catalog.sources() == ["Larkspur Ledger", "Marsh Weekly", "Quillhaven Courier", "The Harrowgate Herald",
                                 "Vale Times", "Valley Post", "Westerby Wire"]

    [(meta, text, score)] = store.query(embedder.embed_query("How many lanterns did the boats carry?"), 1)
    assert "3,000 paper lanterns" in text and 0.3 < score <= 1.0
    assert meta["title"] == "Quillhaven lantern festival draws record crowds"
    assert meta["author"] == "Petra Lindqvist" and meta["source"] == "Quillhaven Courier"
    assert meta["url"] == "https://courier.example.test/lantern-festival"
    assert (meta["published_at"], meta["published_ts"]) == ("2022-11-05T18:00:00+00:00", 1667671200)
    assert meta["origin"] == str(docs.path / "festival.html")
    assert set(meta) == {"article_id", "title", "source", "url", "author", "published_at", "published_ts",
                         "origin", "chunk_index", "start_char", "end_char"}

    seed = next(a for a in catalog.articles() if a.title.startswith("Türkiye"))
    assert catalog.get(seed.id).body.startswith("ISTANBUL\n")
    assert (seed.published_at, seed.published_ts) == ("", -1)

    hits = store.query(embedder.embed_query("ferry fares"), 3, where={"source": "Larkspur Ledger"})
    assert hits and all(m["source"] == "Larkspur Ledger" for m, _, _ in hits)
    dated = store.query(embedder.embed_query("news"), 20, where={"published_ts": {"$gte": 1700000000}})
    assert {m["title"] for m, _, _ in dated} == {"Larkspur opens floating market", "Larkspur ferry fares frozen",
                                                  "Westerby lighthouse restored"}


def test_reingest_unchanged_embeds_nothing(settings, docs, embedder):
    write_all_formats(docs)
    first = ingest(docs.path, settings)
    generation = Catalog(settings).generation
    calls, texts = embedder.calls, embedder.texts_embedded
    again = ingest(docs.path, settings)
    assert again.count("unchanged") == first.count("added") == 12
    assert again.chunks_embedded == 0
    assert (embedder.calls, embedder.texts_embedded) == (calls, texts)
    assert Catalog(settings).generation == generation
    assert_consistent(settings)


def test_changed_file_replaces_chunks(settings, docs, embedder):
    path = docs.write("glimmer.txt", samples.TXT)
    ingest(path, settings)
    catalog = Catalog(settings)
    generation = catalog.generation
    [old] = catalog.articles()
    path.write_text(samples.TXT.replace("40,000 books", "55,000 atlases"), encoding="utf-8")
    report = ingest(path, settings)
    assert [r.status for r in report.results] == ["updated"]
    assert catalog.generation > generation
    [new] = catalog.articles()
    assert new.id != old.id  # no URL: the id follows the content
    _, store = assert_consistent(settings)
    texts = " ".join(text for _, _, text in store.get())
    assert "55,000 atlases" in texts and "40,000 books" not in texts
    assert not store.get(where={"article_id": old.id})


def test_changed_item_in_multi_article_file(settings, docs):
    path = docs.write("vale.jsonl", samples.JSONL)
    ingest(path, settings)
    path.write_text(samples.JSONL.replace("nine members", "eleven members"), encoding="utf-8")
    report = ingest(path, settings)
    assert sorted(r.status for r in report.results) == ["unchanged", "updated"]
    _, store = assert_consistent(settings)
    texts = " ".join(text for _, _, text in store.get())
    assert "eleven members" in texts and "nine members" not in texts


def test_item_dropped_from_file_is_removed(settings, docs):
    path = docs.write("vale.jsonl", samples.JSONL)
    ingest(path, settings)
    path.write_text(samples.JSONL.splitlines()[1] + "\n", encoding="utf-8")
    report = ingest(path, settings)
    assert sorted(r.status for r in report.results) == ["removed", "unchanged"]
    catalog, _ = assert_consistent(settings)
    assert [a.title for a in catalog.articles()] == ["Corvin Hollow reopens its salt mine museum"]


def test_remove_by_id_and_by_path(settings, docs):
    write_all_formats(docs)
    ingest(docs.path, settings)
    catalog = Catalog(settings)
    festival = next(a for a in catalog.articles() if a.title.startswith("Quillhaven"))
    report = remove([festival.id, str(docs.path / "vale.jsonl"), "no-such-article"], settings)
    assert report.count("removed") == 3
    [failed] = report.failed
    assert "no-such-article" in failed.error and "newsdesk sources" in failed.error
    assert catalog.get(festival.id) is None
    assert len(catalog) == 9
    assert_consistent(settings)
    assert remove([str(docs.path)], settings).count("removed") == 9
    assert open_store(settings).count() == 0 and len(catalog) == 0


def test_prune_only_within_given_folders(settings, docs, tmp_path):
    docs.write("keep/glimmer.txt", samples.TXT)
    gone = docs.write("keep/bridge.md", samples.MD)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "marsh.csv").write_text(samples.CSV, encoding="utf-8")
    ingest([docs.path, outside], settings)
    gone.unlink()
    (outside / "marsh.csv").unlink()
    without_prune = ingest(docs.path, settings)
    assert without_prune.count("removed") == 0 and len(Catalog(settings)) == 4
    report = ingest(docs.path, settings, prune=True)
    assert [r.title for r in report.results if r.status == "removed"] == [
        "Harrowgate unveils a rope bridge across the Silverrun gorge"]
    assert len(Catalog(settings)) == 3  # the CSV's two articles live outside the given folder
    assert_consistent(settings)


def test_same_article_in_two_files_is_stored_once(settings, docs):
    docs.write("a/glimmer.txt", samples.TXT)
    docs.write("b/glimmer-copy.txt", samples.TXT)
    report = ingest(docs.path, settings)
    assert sorted(r.status for r in report.results) == ["added", "unchanged"]
    assert len(Catalog(settings)) == 1
    assert_consistent(settings)


def test_other_embedding_model_is_refused(settings, docs):
    from index import IngestError

    ingest(docs.write("glimmer.txt", samples.TXT), settings)
    settings.embed_model = str(docs.path)  # any other model
    with pytest.raises(IngestError, match="was built with embed_model 'all-MiniLM-L6-v2'.*use a new data_dir"):
        ingest(docs.path, settings)
    assert open_store(settings).count() == Catalog(settings).chunk_count() > 0


def test_next_ingest_heals_chroma_that_lost_or_gained_chunks(settings, docs, embedder):
    write_all_formats(docs)
    ingest(docs.path, settings)
    catalog, store = Catalog(settings), open_store(settings)
    festival = next(a for a in catalog.articles() if a.title.startswith("Quillhaven"))
    store.delete_articles([festival.id])  # e.g. a Chroma directory restored from an older backup
    store.add(["stray:0"], ["stray chunk"], [{"article_id": "stray"}], embedder.embed_documents(["stray chunk"]))
    calls = embedder.texts_embedded
    report = ingest(docs.path, settings)
    assert report.count("unchanged") == 12
    assert embedder.texts_embedded - calls == festival.chunks  # only the lost article is embedded again
    assert_consistent(settings)
    assert not store.get(ids=["stray:0"])


def test_batches_embedded_in_the_background_are_all_written_in_order(settings, docs, embedder, monkeypatch):
    import index.pipeline as pipeline

    monkeypatch.setattr(pipeline, "MIN_FLUSH_CHUNKS", 2)  # many small batches: each embedded while the next
    settings.embed_batch_size = 1  #                                 is parsed (4 calls of 1 text per write)
    write_all_formats(docs)
    report = ingest(docs.path, settings)
    catalog, store = assert_consistent(settings)
    assert report.ok and report.chunks_embedded == catalog.chunk_count() > 4
    [(meta, text, score)] = store.query(embedder.embed_query("How many lanterns did the boats carry?"), 1)
    assert "lantern" in text.lower() and score > 0.3  # vectors belong to their chunks
    again = ingest(docs.path, settings)
    assert again.chunks_embedded == 0 and {r.status for r in again.results} == {"unchanged"}


def test_an_embedding_failure_in_the_background_leaves_nothing_half_written(settings, docs, monkeypatch):
    import index.pipeline as pipeline

    monkeypatch.setattr(pipeline, "MIN_FLUSH_CHUNKS", 2)
    settings.embed_batch_size = 1
    write_all_formats(docs)
    calls = {"n": 0}
    real = pipeline.Embedder.embed_documents

    def failing(self, texts):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("embedding backend crashed")
        return real(self, texts)

    monkeypatch.setattr(pipeline.Embedder, "embed_documents", failing)
    with pytest.raises(RuntimeError, match="embedding backend crashed"):
        ingest(docs.path, settings)
    assert_consistent(settings)  # the batches written before the failure are whole; nothing else is there
    monkeypatch.setattr(pipeline.Embedder, "embed_documents", real)
    assert ingest(docs.path, settings).ok
    assert_consistent(settings)
