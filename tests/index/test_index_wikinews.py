"""A 20-article slice of the real Wikinews corpus (its first 20 short articles) ingests cleanly."""

from __future__ import annotations

import json

import pytest

from newsdesk_testkit import WIKINEWS, require
from index import Catalog, ingest, open_store

pytestmark = pytest.mark.shared


def test_wikinews_slice(settings, tmp_path, embedder):
    all_lines = require(WIKINEWS).read_text(encoding="utf-8").splitlines()
    lines = [line for line in all_lines if len(json.loads(line)["body"]) < 1500][:20]  # short ones keep it quick
    path = tmp_path / "wikinews-20.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest(path, settings)
    assert report.ok, report.failed
    assert report.count("added") == 20
    catalog, store = Catalog(settings), open_store(settings)
    assert store.count() == catalog.chunk_count() == report.chunks_embedded
    records = [json.loads(line) for line in lines]
    by_title = {a.title: a for a in catalog.articles()}
    for record in records:
        article = by_title[record["title"]]
        assert article.published_at == record["date"] and article.published_ts > 0
        assert (article.source, article.url) == ("Wikinews", record["url"])
        assert catalog.get(article.id).body == record["body"].strip()
    first = records[0]
    [(meta, text, _)] = store.query(embedder.embed_query(first["title"]), 1)
    assert meta["url"] == first["url"]
