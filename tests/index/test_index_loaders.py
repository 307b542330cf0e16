"""Each input format → normalised Articles (no embedding involved)."""

from __future__ import annotations

import json

import pytest

import index_samples as samples
from newsdesk_testkit import SEED
from index.errors import InputProblem
from index.identity import article_id
from index.loaders import ACCEPTED, ItemFailure, discover, load_input

LIMIT = 5_000_000


def load(path) -> list:
    return list(load_input(str(path), LIMIT, 10.0))


def test_seed_article_title_and_dateline_kept_in_body():
    [article] = load(SEED)
    assert article.title == "Türkiye, Israel begin 'technical talks' to ease Syria tensions"
    assert article.body.startswith("ISTANBUL\n")
    assert "Türkiye and Israel launched technical-level talks on April 9" in article.body
    assert article.origin == str(SEED)
    assert article.published_ts == -1 and article.published_at == ""
    assert article.id == article_id(title=article.title, body=article.body)


def test_text_file(docs):
    [article] = load(docs.write("glimmer.txt", samples.TXT))
    assert article.title == "Glimmerford opens its first tide-powered library"
    assert article.body.startswith("GLIMMERFORD\n\nThe town of Glimmerford")
    assert article.body.endswith('"a lantern for the whole coast."')


def test_markdown_heading_and_front_matter(docs):
    [article] = load(docs.write("bridge.md", samples.MD))
    assert article.title == "Harrowgate unveils a rope bridge across the Silverrun gorge"
    assert article.body.startswith("Engineers in Harrowgate")
    assert "#" not in article.body and "---" not in article.body
    assert article.author == "Mirela Vasko"
    assert article.source == "The Harrowgate Herald"
    assert article.url == "https://example.test/news/harrowgate-bridge"
    assert article.published_at == "2023-03-14T07:30:00+00:00"
    assert article.published_ts == 1678779000
    assert article.id == article_id(url=article.url)


def test_markdown_without_heading_uses_first_line(docs):
    [article] = load(docs.write("plain.md", "Mossbank votes on a new park\n\nMossbank residents voted 3 to 1 for a park."))
    assert article.title == "Mossbank votes on a new park"
    assert article.body == "Mossbank residents voted 3 to 1 for a park."


def test_html_readable_text_and_metadata(docs):
    [article] = load(docs.write("festival.html", samples.HTML))
    assert article.title == "Quillhaven lantern festival draws record crowds"
    assert article.body == (
        "More than 12,000 people filled the harbour of Quillhaven on Saturday for the lantern festival.\n\n"
        "Organiser Bram Oyelaran said the boats carried 3,000 paper lanterns."
    )
    for junk in ("SCRIPT", "NAV-HEADER", "Sports", "ASIDE", "FORM", "FOOTER", "color: red"):
        assert junk not in article.body
    assert article.author == "Petra Lindqvist"
    assert article.source == "Quillhaven Courier"
    assert article.url == "https://courier.example.test/lantern-festival"
    assert (article.published_at, article.published_ts) == ("2022-11-05T18:00:00+00:00", 1667671200)


def test_html_title_falls_back_to_title_tag_then_h1(docs):
    [a] = load(docs.write("a.htm", "<html><head><title>Tarnby wins</title></head><body><p>Tarnby won the cup.</p></body></html>"))
    [b] = load(docs.write("b.html", "<html><body><h1>Eskdale floods</h1><p>The Esk rose two metres.</p></body></html>"))
    assert (a.title, a.body) == ("Tarnby wins", "Tarnby won the cup.")
    assert (b.title, b.body) == ("Eskdale floods", "The Esk rose two metres.")


def test_json_list_fields_and_origins(docs):
    import json

    path = docs.write("valley.json", json.dumps(samples.JSON_LIST))
    first, second = load(path)
    assert first.title == "Brindlemoor dairy wins cheese award"
    assert first.source == "Valley Post" and first.author == "Ana Sorel, Jo Keel"
    assert (first.published_at, first.published_ts) == ("2019-10-02T15:00:00+00:00", 1570028400)
    assert second.body.startswith("Ferngate Secondary School") and second.url.endswith("ferngate-observatory")
    assert (second.published_at, second.published_ts) == ("2019-10-03", 1570060800)
    assert (first.origin, second.origin) == (f"{path}#1", f"{path}#2")


def test_json_single_object(docs):
    [article] = load(docs.write("one.json", '{"title": "Kelby fair", "content": "The Kelby fair had 90 stalls."}'))
    assert (article.title, article.body) == ("Kelby fair", "The Kelby fair had 90 stalls.")


def test_jsonl(docs):
    path = docs.write("vale.jsonl", samples.JSONL)
    first, second = load(path)
    assert first.title == "Ostrava Vale elects first youth council" and first.published_at == "2021-06-01"
    assert second.body.startswith("The salt mine museum") and second.published_ts == 1622628900
    assert second.origin == f"{path}#2"


def test_csv(docs):
    first, second = load(docs.write("marsh.csv", samples.CSV))
    assert first.title == "Pellmarsh market adds night stalls"
    assert first.body == "Pellmarsh market will stay open until midnight on Fridays, the council said."
    assert (first.author, first.source, first.published_at) == ("Hal Ostrander", "Marsh Weekly", "2020-02-14")
    assert second.body == 'The Dunmere library now lends six telescopes, "free of charge", to members.'
    assert second.published_at == "2020-02-14" and second.author == ""


def test_rss_feed_file(docs):
    first, second = load(docs.write("ledger.rss", samples.RSS))
    assert first.title == "Larkspur opens floating market"
    assert first.body == "Larkspur opened a floating market on the Weir canal with 40 boats.\n\nTrader Nils Orrin sold out of pears by noon."
    assert first.source == "Larkspur Ledger"
    assert first.url == "https://ledger.example.test/floating-market"
    assert first.id == article_id(guid="larkspur-2024-0001")
    assert (first.published_at, first.published_ts) == ("2024-03-05T07:00:00+00:00", 1709622000)
    assert "Rhea Tamsworth" in first.author
    assert second.id == article_id(guid="larkspur-2024-0002")


def test_atom_feed_file(docs):
    [entry] = load(docs.write("wire.atom", samples.ATOM))
    assert entry.title == "Westerby lighthouse restored"
    assert entry.body == "The Westerby lighthouse shone again after a restoration costing 2 million crowns."
    assert (entry.author, entry.source, entry.published_ts) == ("Greta Holm", "Westerby Wire", 1711951200)


def test_ids_and_hashes_are_stable_and_content_sensitive(docs):
    [a] = load(docs.write("a.txt", samples.TXT))
    [b] = load(docs.write("copy/b.txt", samples.TXT))
    [c] = load(docs.write("c.txt", samples.TXT.replace("40,000", "41,000")))
    assert a.id == b.id and a.content_hash == b.content_hash  # id does not depend on the file's location
    assert c.id != a.id and c.content_hash != a.content_hash


def test_utf16_and_bom_inputs_decode(docs):
    [a] = load(docs.write("u16.txt", samples.TXT.encode("utf-16")))
    [b] = load(docs.write("bom.txt", samples.TXT.encode("utf-8-sig")))
    assert a.title == b.title == "Glimmerford opens its first tide-powered library"


def test_bad_jsonl_line_is_reported_and_others_load(docs):
    path = docs.write("mixed.jsonl", samples.JSONL + '{"title": "cut off", "body": "trunc\n' + '{"title": "No body here"}\n')
    items = load(path)
    assert [type(i).__name__ for i in items] == ["Article", "Article", "ItemFailure", "ItemFailure"]
    assert items[2].where == f"{path} line 3" and "invalid JSON at char" in items[2].problem
    assert items[3].where == f"{path} line 4" and "missing body field" in items[3].problem


def test_missing_path():
    with pytest.raises(InputProblem, match="no such file"):
        load("/nonexistent/newsdesk/article.txt")


def test_size_limit_message_says_how_to_raise_it(docs):
    path = docs.write("big.txt", "Big news\n" + "word " * 2_100_000)
    with pytest.raises(InputProblem, match=r"10\.5 MB, over the 5 MB limit; raise max_file_mb"):
        list(load_input(str(path), 5_000_000, 10.0))


def test_discover_walks_folders_and_skips_hidden(docs):
    docs.write("a.txt", samples.TXT)
    docs.write("sub/deeper/b.md", samples.MD)
    docs.write(".hidden.txt", samples.TXT)
    docs.write(".git/c.txt", samples.TXT)
    found = discover(str(docs.path))
    assert found == [str(docs.path / "a.txt"), str(docs.path / "sub/deeper/b.md")]
    assert set(ACCEPTED) >= {".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".xml", ".rss", ".atom"}



def test_deeply_nested_html_is_read_quickly(docs):
    """Thousands of nested blocks must not make text extraction quadratic (the parse limit would hit)."""
    path = docs.write("deep.html", "<html><body>" + "<div><p>Nested text. " * 50000 + "</body></html>")
    [article] = list(load_input(str(path), LIMIT, 5.0))
    assert article.body.startswith("Nested text.")


def test_corpus_file_limit_is_per_article(docs):
    small = {"title": "Kelby fair opens", "body": "The Kelby fair opened on Monday with 40 stalls.", "url": "https://x.invalid/1"}
    big = {"title": "Endless report", "body": "word " * 1_200_000, "url": "https://x.invalid/2"}
    lines = [json.dumps(small), json.dumps(big)] + [json.dumps({**small, "url": f"https://x.invalid/s{i}"}) for i in range(3)]
    path = docs.write("corpus.jsonl", "\n".join(lines))  # 6 MB file: over 5 MB, but only one article is
    items = list(load_input(str(path), 5_000_000, 10.0))
    failures = [i for i in items if isinstance(i, ItemFailure)]
    assert len(items) == 5 and len(failures) == 1
    assert "6.0 MB, over the 5 MB limit; raise max_file_mb" in failures[0].problem


def test_markdown_front_matter_title_keeps_first_body_line(docs):
    path = docs.write("fm.md", "---\ntitle: Kelby fair opens\ndate: 2024-05-02\n---\nThe Kelby fair opened on Monday.\nIt has 40 stalls.\n")
    [article] = list(load_input(str(path), 5_000_000, 10.0))
    assert article.title == "Kelby fair opens"
    assert article.body.strip().startswith("The Kelby fair opened on Monday.")
    with_heading = docs.write("fm2.md", "---\ntitle: Kelby fair opens\n---\n# Kelby fair opens\n\nThe fair opened.\n")
    [article] = list(load_input(str(with_heading), 5_000_000, 10.0))
    assert article.title == "Kelby fair opens" and article.body.strip() == "The fair opened."
