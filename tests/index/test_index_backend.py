"""The embedding backend an index was built with: onnx-int8 by default, recorded in the ledger, never mixed."""

from __future__ import annotations

import sqlite3

import pytest

import index_samples as samples
from index import Catalog, IndexSettings, IngestError, get_embedder, ingest, open_store, remove
from index.embedding_onnx import OnnxEmbedder
from index.ledger import LEGACY_BACKEND, SCHEMA_VERSION, Ledger


def meta(settings, key):
    db = sqlite3.connect(settings.ledger_path)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def snapshot(settings):
    """Everything indexed: ledger articles with chunk counts and the sorted Chroma chunk ids."""
    catalog = Catalog(settings)
    try:
        return [(a.id, a.chunks) for a in catalog.articles()], sorted(open_store(settings).ids())
    finally:
        catalog.close()


def make_old_ledger(settings):
    """What a ledger written before schema 2 looks like: no `embed_backend` record, no `schema` key."""
    db = sqlite3.connect(settings.ledger_path)
    db.execute("DELETE FROM meta WHERE key IN ('embed_backend', 'schema')")
    db.commit()
    db.close()


@pytest.fixture
def torch_settings(settings):
    return settings.model_copy(update={"embed_backend": "torch"})


def test_default_backend_is_onnx_int8_and_is_recorded(settings, docs, embedder):
    assert IndexSettings().embed_backend == settings.embed_backend == "onnx-int8"
    assert isinstance(embedder, OnnxEmbedder) and embedder.quantized
    assert get_embedder(settings) is embedder
    ingest(docs.write("glimmer.txt", samples.TXT), settings)
    assert (meta(settings, "embed_backend"), meta(settings, "embed_model")) == ("onnx-int8", "all-MiniLM-L6-v2")
    assert meta(settings, "schema") == SCHEMA_VERSION


def test_torch_index_opened_with_onnx_int8_is_refused_and_kept(settings, torch_settings, docs):
    docs.write("glimmer.txt", samples.TXT)
    docs.write("bridge.md", samples.MD)
    first = ingest(docs.path, torch_settings)
    assert first.count("added") == 2 and meta(settings, "embed_backend") == "torch"
    before = snapshot(torch_settings)

    docs.write("later.txt", "A later article\n\nIt arrived after the backend changed and must wait.")
    for attempt in (lambda: ingest(docs.path, settings), lambda: open_store(settings),
                    lambda: remove([before[0][0][0]], settings)):
        with pytest.raises(IngestError) as caught:
            attempt()
        message = str(caught.value)
        assert "\n" not in message
        assert f"index in {settings.data_dir} was built with embed_backend 'torch', not 'onnx-int8'" in message
        assert "NEWSDESK_EMBED_BACKEND=torch" in message and "embed_backend = \"torch\" in config.toml" in message

    assert snapshot(torch_settings) == before  # nothing indexed was lost or touched
    assert meta(settings, "embed_backend") == "torch"
    again = ingest(docs.path, torch_settings)  # with the index's backend everything works as before
    assert (again.count("unchanged"), again.count("added")) == (2, 1)


def test_question_side_gets_the_same_one_line_error(settings, torch_settings, docs):
    from qa import Newsdesk, NewsdeskError

    ingest(docs.write("glimmer.txt", samples.TXT), torch_settings)
    desk = Newsdesk(data_dir=settings.data_dir, llm="extractive")
    assert desk.settings.embed_backend == "onnx-int8"
    with pytest.raises(NewsdeskError, match="built with embed_backend 'torch'.*NEWSDESK_EMBED_BACKEND=torch"):
        desk.retrieve("What does the library run on?")
    passages = Newsdesk(data_dir=settings.data_dir, llm="extractive", embed_backend="torch").retrieve(
        "What does the library run on?")
    assert passages and passages[0].title.startswith("Glimmerford")


def test_old_ledger_without_a_record_counts_as_torch(settings, torch_settings, docs):
    docs.write("glimmer.txt", samples.TXT)
    ingest(docs.path, torch_settings)
    before = snapshot(torch_settings)
    make_old_ledger(settings)

    with pytest.raises(IngestError, match="built with embed_backend 'torch'"):
        open_store(settings)  # the read-only check needs no migration
    open_store(torch_settings)
    assert meta(settings, "embed_backend") is None  # that check wrote nothing

    report = ingest(docs.path, torch_settings)
    assert report.count("unchanged") == 1 and report.chunks_embedded == 0
    assert (meta(settings, "embed_backend"), meta(settings, "schema")) == (LEGACY_BACKEND, SCHEMA_VERSION)
    assert snapshot(torch_settings) == before
    with pytest.raises(IngestError, match="built with embed_backend 'torch'"):
        ingest(docs.path, settings)


def test_old_ledger_migrates_when_only_read(settings, torch_settings, docs):
    ingest(docs.write("glimmer.txt", samples.TXT), torch_settings)
    make_old_ledger(settings)
    Catalog(settings).close()  # opening the ledger runs the migration step once
    assert (meta(settings, "embed_backend"), meta(settings, "schema")) == ("torch", SCHEMA_VERSION)
    ledger = Ledger(settings.ledger_path)  # and again: idempotent
    assert ledger.embed_backend() == "torch"
    ledger.close()


def test_empty_index_takes_the_current_backend(settings, torch_settings, docs):
    path = docs.write("glimmer.txt", samples.TXT)
    ingest(path, torch_settings)
    remove([str(path)], torch_settings)
    assert len(Catalog(settings)) == 0 and meta(settings, "embed_backend") == "torch"
    open_store(settings)  # no vectors: nothing to mix
    report = ingest(path, settings)
    assert report.count("added") == 1 and meta(settings, "embed_backend") == "onnx-int8"


def test_old_empty_ledger_takes_the_current_backend(settings, docs):
    settings.data_dir.mkdir(parents=True)
    Ledger(settings.ledger_path).close()
    make_old_ledger(settings)
    report = ingest(docs.write("glimmer.txt", samples.TXT), settings)
    assert report.count("added") == 1 and meta(settings, "embed_backend") == "onnx-int8"
