"""Several Newsdesk processes (own data dirs) on one real `chroma run` server: what one indexes, the others answer
from (index/replica.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import index_samples as samples
from index import Catalog, IndexSettings, IngestError, ingest, open_store, remove
from index import replica
from newsdesk_testkit import REPO

GLIMMER_QUESTION = "How many books will the tide-powered library in Glimmerford lend in its first year?"
BRIDGE_QUESTION = "How many walkers can the Harrowgate rope bridge over the Silverrun gorge carry?"


def other_process(tmp_path, name: str, url: str, **values) -> IndexSettings:
    """Settings of another Newsdesk (its own data dir) on the same Chroma server."""
    return IndexSettings(data_dir=tmp_path / name, chroma_url=url, embed_threads=1, **values)


def ask_in_subprocess(data_dir, url: str, question: str) -> dict:
    """`newsdesk ask --json` in a separate process over `data_dir`, with NEWSDESK_CHROMA_URL set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(NEWSDESK_CHROMA_URL=url, NEWSDESK_CONFIG=str(data_dir.parent / "no-config.toml"), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false", ANONYMIZED_TELEMETRY="False")
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--json", "--llm", "extractive", "--data-dir",
                           str(data_dir), question], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def cited(answer: dict) -> set[str]:
    return {c["article_id"] for c in answer["citations"]}


def test_an_article_ingested_through_one_process_is_answered_by_another(settings, docs, chroma_server, tmp_path,
                                                                        monkeypatch):
    from qa import Newsdesk

    settings.chroma_url = chroma_server.url
    first = ingest(docs.write("glimmer.txt", samples.TXT), settings)
    [glimmer] = [r.article_id for r in first.results]
    second = other_process(tmp_path, "second", chroma_server.url)

    answer = ask_in_subprocess(second.data_dir, chroma_server.url, GLIMMER_QUESTION)
    assert not answer["refused"], answer["refusal_reason"]
    assert glimmer in cited(answer) and "40,000" in answer["answer"]
    copy = Catalog(second)
    assert copy.get(glimmer).body == Catalog(settings).get(glimmer).body  # its local replica of the article
    assert [c.text for c in copy.iter_chunks()] == [t for _, _, t in open_store(second).get()]

    # a long-running second process: a removal through the first reaches it at its next sync
    monkeypatch.setattr(replica, "SYNC_INTERVAL_S", 0.0)
    reader = Newsdesk(data_dir=second.data_dir, chroma_url=chroma_server.url, llm="extractive", embed_threads=1)
    assert glimmer in {c.article_id for c in reader.ask(GLIMMER_QUESTION).citations}
    assert remove([glimmer], settings).count("removed") == 1
    answer = reader.ask(GLIMMER_QUESTION)
    assert answer.refused and not answer.citations
    assert reader.articles() == [] and Catalog(second).get(glimmer) is None

    # the other way round: what the second process ingests, the first answers from
    [bridge] = [r.article_id for r in ingest(docs.write("bridge.md", samples.MD), second).results]
    desk = Newsdesk(data_dir=settings.data_dir, chroma_url=chroma_server.url, llm="extractive", embed_threads=1)
    answer = desk.ask(BRIDGE_QUESTION)
    assert not answer.refused and bridge in {c.article_id for c in answer.citations}
    assert [a.id for a in desk.articles()] == [bridge]


def test_readers_sync_at_most_once_per_interval(settings, docs, chroma_server, tmp_path, monkeypatch):
    settings.chroma_url = chroma_server.url
    monkeypatch.setattr(replica, "SYNC_INTERVAL_S", 3600.0)
    reader = Catalog(other_process(tmp_path, "reader", chroma_server.url))
    assert reader.refresh() is False and len(reader) == 0  # nothing shared yet
    [added] = [r.article_id for r in ingest(docs.write("glimmer.txt", samples.TXT), settings).results]
    assert reader.refresh() is False and reader.get(added) is None  # too soon after the last look
    monkeypatch.setattr(replica, "SYNC_INTERVAL_S", 0.0)
    generation = reader.generation
    assert reader.refresh() is True and reader.get(added) is not None
    assert reader.generation > generation  # BM25 and the sentence cache rebuild from it
    assert reader.story_of(added) == Catalog(settings).story_of(added)  # grouped here, as by the writer
    assert [a.id for a in reader.story_members(reader.story_of(added))] == [added]
    assert reader.refresh() is False  # unchanged shelf: only the stamp was read
    # an edit of a text file replaces its article by one with another id (no URL): the old goes, the new comes
    [edited] = ingest(docs.write("glimmer.txt", samples.TXT.replace("40,000", "12,345")), settings).results
    assert edited.status == "updated" and edited.article_id != added
    assert reader.refresh() is True and reader.get(added) is None and "12,345" in reader.get(edited.article_id).body
    assert reader.chunk_count() == open_store(settings).count()


def test_writers_in_turn_keep_each_others_articles(settings, docs, chroma_server, tmp_path, monkeypatch):
    monkeypatch.setattr(replica, "SYNC_INTERVAL_S", 0.0)
    settings.chroma_url = chroma_server.url
    second = other_process(tmp_path, "second", chroma_server.url)
    [glimmer] = [r.article_id for r in ingest(docs.write("glimmer.txt", samples.TXT), settings).results]
    [bridge] = [r.article_id for r in ingest(docs.write("bridge.md", samples.MD), second).results]
    store = open_store(settings)
    assert store.get(where={"article_id": glimmer})  # the second writer's repair step kept the first's chunks
    first_view, second_view = Catalog(settings), Catalog(second)
    assert first_view.refresh() is True
    assert {a.id for a in first_view.articles()} == {a.id for a in second_view.articles()} == {glimmer, bridge}
    assert first_view.chunk_count() == second_view.chunk_count() == store.count()
    assert second_view.get(glimmer).origin == first_view.get(glimmer).origin  # copied as indexed

    assert remove([glimmer], second).count("removed") == 1  # by id, from a process that did not ingest it
    assert not store.get(where={"article_id": glimmer})
    assert first_view.refresh() is True and first_view.get(glimmer) is None
    assert ingest(docs.path, settings, prune=True).count("added") == 1  # its own file comes back; bridge stays
    assert {a.id for a in Catalog(second).articles()} == {bridge} and second_view.refresh() is True
    assert {a.id for a in second_view.articles()} == {glimmer, bridge}


def test_an_index_from_before_the_shelf_is_published_by_its_next_ingest(settings, docs, chroma_server, tmp_path):
    import chromadb

    settings.chroma_url = chroma_server.url
    [old] = [r.article_id for r in ingest(docs.write("glimmer.txt", samples.TXT), settings).results]
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server.port)
    client.delete_collection(f"{settings.collection}{replica.SHELF_SUFFIX}")  # as built before the shelf existed
    reader = Catalog(other_process(tmp_path, "reader", chroma_server.url))
    assert reader.refresh() is False and len(reader) == 0
    [new] = [r.article_id for r in ingest(docs.write("bridge.md", samples.MD), settings).results]
    reader = Catalog(other_process(tmp_path, "reader", chroma_server.url))
    assert reader.refresh() is True and {a.id for a in reader.articles()} == {old, new}
    assert reader.chunk_count() == open_store(settings).count()


def test_a_reader_with_another_embedding_backend_is_refused(settings, docs, chroma_server, tmp_path):
    settings.chroma_url = chroma_server.url
    ingest(docs.write("glimmer.txt", samples.TXT), settings)
    reader = Catalog(other_process(tmp_path, "reader", chroma_server.url, embed_backend="torch"))
    with pytest.raises(IngestError, match="embed_backend 'onnx-int8', not .* 'torch'; set those"):
        reader.refresh()


def test_files_mode_shares_nothing(settings, docs):
    import chromadb

    ingest(docs.write("glimmer.txt", samples.TXT), settings)
    catalog = Catalog(settings)
    assert catalog.refresh() is False and len(catalog) == 1
    names = [c.name for c in chromadb.PersistentClient(path=str(settings.chroma_dir)).list_collections()]
    assert names == [settings.collection]
