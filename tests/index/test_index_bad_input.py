"""Bad inputs become one-line failed results naming the file and the fix; good inputs and the index survive."""

from __future__ import annotations

import pytest

import index_samples as samples
from index import Catalog, ingest, open_store

BAD_INPUTS = [
    ("empty.txt", "", "the file is empty"),
    ("blank.md", "\n\n  \n", "the file is empty"),
    ("title-only.txt", "Just a headline\n", "only a title line, no article text; put the article text below"),
    ("nobody.csv", "title,summary\nx,y\n", "the header row has no body column (found: title, summary)"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "looks like a binary file"),
    ("latin1.md", "Caf\xe9 opens\nThe caf\xe9 in Tr\xf8mso opened.".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3); re-save the file as UTF-8"),
    ("truncated.json", '[{"title": "Cut", "body": "This JSON stops mid-', "invalid JSON at line 1, char"),
    ("feed.xml", "Hello, I am not XML at all.", "not an RSS/Atom feed (it is not XML)"),
    ("broken.rss", "<rss><channel><title>Broken feed</title>", "not a valid RSS/Atom feed"),
    ("nobody.json", '{"title": "No text", "summary": "short"}', "missing body field; give each article a 'body'"),
    ("notes.docx", b"PK\x03\x04 pretend office file", "unsupported file type '.docx'; accepted:"),
]


@pytest.mark.parametrize("name, content, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_fails_cleanly_and_good_input_still_ingests(settings, docs, name, content, message):
    good = docs.write("glimmer.txt", samples.TXT)
    bad = docs.write(name, content)
    report = ingest([bad, good], settings)
    [failed] = report.failed
    assert failed.input == str(bad)
    assert failed.error.startswith(f"{bad}: ") and message in failed.error
    assert "\n" not in failed.error and "Traceback" not in failed.error
    assert report.count("added") == 1 and len(Catalog(settings)) == 1


def test_missing_path(settings, docs):
    report = ingest([docs.path / "nope.txt"], settings)
    [failed] = report.failed
    assert failed.error == f"{docs.path / 'nope.txt'}: no such file or folder; check the path"


def test_oversized_file_refused_with_how_to_raise_limit(settings, docs):
    path = docs.write("huge.txt", "Huge article\n" + "Very long news text goes on. " * 360_000)
    [failed] = ingest(path, settings).failed
    assert "10.4 MB, over the 5 MB limit; raise max_file_mb (NEWSDESK_MAX_FILE_MB)" in failed.error
    settings.max_file_mb = 0.0001
    [failed] = ingest(docs.write("small.txt", samples.TXT), settings).failed
    assert "over the 0.0001 MB limit" in failed.error


def test_parse_time_limit(settings, docs):
    paragraphs = "".join(f"<p>Paragraph {i} about the Kelby <b>fair</b>.</p>" for i in range(60000))
    path = docs.write("slow.html", f"<html><head><title>Long page</title></head><body>{paragraphs}</body></html>")
    settings.file_timeout_s = 0.05
    [failed] = ingest(path, settings).failed
    assert failed.error == f"{path}: reading it took longer than 0.05s; raise file_timeout_s (NEWSDESK_FILE_TIMEOUT_S) or split the file"
    assert len(Catalog(settings)) == 0


def test_broken_file_keeps_what_was_indexed(settings, docs):
    path = docs.write("vale.jsonl", samples.JSONL)
    ingest(path, settings)
    before = sorted(a.id for a in Catalog(settings).articles())
    path.write_text(samples.JSONL.splitlines()[0] + "\n" + '{"title": "Corvin", "body": "trunc', encoding="utf-8")
    report = ingest(path, settings)
    assert [r.status for r in report.results] == ["unchanged", "failed"]
    assert report.failed[0].error.startswith(f"{path} line 2: invalid JSON at char")
    assert sorted(a.id for a in Catalog(settings).articles()) == before  # the unreadable line's article is kept
    path.write_bytes(b"\x00\x01\x02 binary now")
    assert ingest(path, settings).failed and sorted(a.id for a in Catalog(settings).articles()) == before
    assert open_store(settings).count() == Catalog(settings).chunk_count()


def test_jsonl_record_without_body_names_line_and_field(settings, docs):
    path = docs.write("mixed.jsonl", samples.JSONL + '{"title": "Headline only"}\n')
    report = ingest(path, settings)
    assert report.count("added") == 2
    assert report.failed[0].error == (
        f"{path} line 3: missing body field; give each article a 'body' (or 'text' / 'content') field")


def test_feed_with_entity_expansion_fails_as_one_line(settings, docs):
    """A "billion laughs"-style feed is not expanded into an article; the good file next to it still ingests."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            "<rss><channel><title>&b;</title></channel></rss>")
    bad = docs.write("bomb.rss", bomb)
    good = docs.write("glimmer.txt", samples.TXT)
    report = ingest([bad, good], settings)
    [failed] = report.failed
    assert failed.error.startswith(f"{bad}: ") and "\n" not in failed.error
    assert report.count("added") == 1
