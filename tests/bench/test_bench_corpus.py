"""Benchmark corpus building: replication with variations, streaming into parts, clear errors."""

from __future__ import annotations

import json

import pytest

from bench.corpus import build_corpus, read_jsonl, replicated, write_parts
from bench.stats import latency_summary, percentile


def write_source(path, n=3):
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            body = "\n\n".join(f"Paragraph {p} of article {i}." for p in range(6))
            handle.write(json.dumps({"id": f"a{i}", "title": f"Title {i}", "url": f"https://x.invalid/{i}",
                                     "body": body, "date": "2020-01-01"}) + "\n")
    return path


def test_replication_makes_distinct_articles_with_the_same_paragraphs(tmp_path):
    source = write_source(tmp_path / "src.jsonl")
    articles = list(replicated(source, 10))
    assert len(articles) == 10
    assert len({a["id"] for a in articles}) == 10 and len({a["url"] for a in articles}) == 10
    assert len({a["title"] for a in articles}) == 10
    originals = {a["id"]: a for a in read_jsonl(source)}
    for article in articles[3:]:
        original = originals[article["id"].split("-copy")[0]]
        assert sorted(article["body"].split("\n\n")) == sorted(original["body"].split("\n\n"))
    assert any(a["body"] != originals[a["id"].split("-copy")[0]]["body"] for a in articles[3:])
    assert articles[:3] == list(read_jsonl(source))


def test_parts_are_streamed_in_fixed_sizes(tmp_path):
    source = write_source(tmp_path / "src.jsonl")
    paths = write_parts(replicated(source, 7), tmp_path / "out", part_size=3)
    assert [sum(1 for _ in read_jsonl(p)) for p in paths] == [3, 3, 1]


def test_a_missing_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no such file or folder"):
        build_corpus(tmp_path / "work", 5, str(tmp_path / "nope"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ValueError, match="no articles"):
        list(replicated(empty, 2))


def test_percentiles():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    summary = latency_summary([0.001, 0.002, 0.003, 0.100])
    assert summary["n"] == 4 and summary["p50_ms"] == 2.5 and summary["p95_ms"] > 80
