"""Hostile input files (hypothesis): each ends in a clean ingest or a clear per-file error, never an exception or
a hang, and the articles indexed before are neither lost nor duplicated.

One data directory serves every example: the sample articles are ingested once, each example's file is
ingested and then removed again, and the whole index must be back exactly where it was.
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from reliability_checks import FIGURES, SAMPLES, index_state

ACCEPTED_OK = {"added", "updated", "unchanged", "failed"}
HANG_LIMIT_S = 300  # liveness bound for one ingest (the per-file parse limit is far lower), not a timing check
EXAMPLES = int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", "12"))  # per fuzz test; raise it for a longer run
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


class Sandbox:
    """One data dir with the samples indexed; `check(name, data)` ingests a file and restores the index."""

    def __init__(self, root: Path, desk) -> None:
        self.root, self.desk = root, desk
        self.counter = itertools.count()
        report = desk.ingest([SAMPLES])
        assert report.ok, report.failed
        self.baseline = index_state(desk.settings)
        assert len(self.baseline.articles) >= 10

    def check(self, name: str, data: bytes) -> list:
        folder = self.root / f"case{next(self.counter)}"
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        FIGURES["hostile inputs tried"] += 1
        results = run_bounded(lambda: self.desk.ingest([path]))
        for result in results.results:
            assert result.status in ACCEPTED_OK, result
            if result.status == "failed":
                assert_clear_error(result.error, path)
        added = {r.article_id for r in results.results if r.status == "added"}
        state = index_state(self.desk.settings)
        for article_id, held in self.baseline.articles.items():
            assert state.articles.get(article_id) == held, f"{name}: indexed article {article_id} lost or changed"
        assert set(state.articles) - set(self.baseline.articles) == added, f"{name}: unexpected articles"
        if added:
            removed = self.desk.remove([str(path)])
            assert removed.ok and removed.count("removed") == len(added), removed.summary()
        assert index_state(self.desk.settings) == self.baseline, f"{name}: the index did not return to its baseline"
        return results.results


def run_bounded(work):
    """Run `work()` in a thread; fail (instead of hanging the suite) when it does not end."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - reported below as a test failure
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_LIMIT_S)
    assert not thread.is_alive(), f"ingest still running after {HANG_LIMIT_S}s: it hangs"
    if "error" in outcome:
        error = outcome["error"]
        raise AssertionError(f"ingest raised {type(error).__name__}: {error}") from error
    return outcome["value"]


def assert_clear_error(error: str, path: Path) -> None:
    assert error and "\n" not in error and "Traceback" not in error, error
    assert " ".join(path.name.split()) in error, f"the error does not name the file: {error}"
    assert ";" in error, f"the error gives no fix: {error}"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory, embedder):
    from reliability_checks import make_desk

    root = tmp_path_factory.mktemp("hostile")
    inputs = root / "inputs"
    inputs.mkdir()
    return Sandbox(inputs, make_desk(root / "data", file_timeout_s=20, max_file_mb=2))


# Strategies ----------------------------------------------------------------------------------------
EXTENSIONS = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".xml", ".rss", ".atom", ".pdf", ""]
WEIRD = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2067", "\ufffd",
         "\U0001f600", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\r", "\t", "\x0b", "\x1b[31m"]
words = st.sampled_from(["Vellmora", "harbour", "council", "voted", "on", "Friday", "the", "ferry", "strike",
                         "2024", "Türkiye", "talks", "ended", "after", "19", "days", "«quoted»", "naïve"])
sentence = st.lists(st.one_of(words, st.sampled_from(WEIRD)), min_size=1, max_size=30).map(" ".join)
article_text = st.lists(sentence, min_size=1, max_size=8).map("\n".join)


@st.composite
def deep_json(draw) -> bytes:
    depth = draw(st.sampled_from([10, 500, 5_000, 100_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"body":', "}")]))
    inner = draw(st.sampled_from(['"x"', "1", "null", '{"title": "T", "body": "Deep body text."}']))
    text = opener * depth + inner + closer * draw(st.sampled_from([depth, depth // 2, 0]))
    if draw(st.booleans()):
        text = '{"title": "Nested", "body": "A body.", "author": ' + text + "}"
    return text.encode()


@st.composite
def truncated_json(draw) -> tuple[str, bytes]:
    records = [{"title": draw(sentence), "body": draw(article_text), "url": f"https://example.test/{i}",
                "published_at": draw(st.sampled_from(["2024-01-02", "yesterday", "", "9999-99-99", 17e20]))}
               for i in range(draw(st.integers(1, 3)))]
    jsonl = draw(st.booleans())
    text = "\n".join(json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records) if jsonl else json.dumps(records)
    cut = draw(st.integers(0, len(text)))
    return (".jsonl" if jsonl else ".json"), text[:cut].encode()


FEED = ('<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><item><title>{title}</title>'
        "<link>{link}</link><guid>{guid}</guid><description>{body}</description></item></channel></rss>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><rss version="2.0"><channel><item><title>&lol9;</title><description>&lol9;</description></item>'
          "</channel></rss>")
HTML_BITS = ["<html>", "<head>", "<title>", "</title>", "<body>", "<article>", "<p>", "</p>", "<div>", "<script>",
             "alert(1)", "</script>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#xD800;", "&bogus;",
             "<img src=x onerror=alert(1)>", "<style>", "<iframe src=javascript:alert(1)>", "<meta charset=utf-16>",
             '<meta property="og:title" content="', '">', "<h1>", "</h1>", "<", ">", "\"", "'", "<nav>", "</body>"]


@st.composite
def markup(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["html", "feed", "laughs", "deep-html"]))
    if kind == "laughs":
        return ".rss", LAUGHS.encode()
    if kind == "deep-html":
        depth = draw(st.sampled_from([300, 3_000, 30_000]))
        return ".html", ("<div>" * depth + "<p>Deep text in a page.</p>" + "</div>" * depth).encode()
    soup = "".join(draw(st.lists(st.one_of(st.sampled_from(HTML_BITS), sentence), min_size=1, max_size=40)))
    if kind == "html":
        return draw(st.sampled_from([".html", ".htm"])), soup.encode()
    feed = FEED.format(title=draw(sentence), link=draw(st.sampled_from(["javascript:alert(1)", "https://e.test/x", ""])),
                       guid=draw(sentence), body=soup)
    cut = draw(st.sampled_from([len(feed), len(feed) // 2, len(feed) - 20]))
    return draw(st.sampled_from([".xml", ".rss", ".atom"])), feed[:cut].encode()


@st.composite
def odd_text(draw) -> tuple[str, bytes, str]:
    """(extension, bytes, encoding) of article text in an odd shape or encoding."""
    title = draw(sentence)
    body = draw(article_text)
    if draw(st.booleans()):  # a huge line
        body += "\n" + draw(st.sampled_from(["word ", "x", "\u200b", "لا "])) * draw(st.sampled_from([5_000, 60_000]))
    text = f"{title}\n\n{body}\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "nul"]))
    if encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "latin-1":
        data = ("Café crème à Genève\n\n" + text).encode("latin-1", errors="replace")
    elif encoding == "nul":
        data = text.encode() + b"\x00" * draw(st.integers(1, 5)) + text.encode()
    else:
        data = text.encode(encoding)
    return draw(st.sampled_from([".txt", ".md", ".csv"])), data, encoding


# Tests ---------------------------------------------------------------------------------------------
@FUZZ
@given(data=st.binary(min_size=0, max_size=4096), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes(sandbox, data, ext):
    results = sandbox.check(f"random{ext}", data)
    if ext in (".pdf", ""):
        assert [r.status for r in results] == ["failed"] and "unsupported file type" in results[0].error


@FUZZ
@given(data=deep_json())
def test_deeply_nested_json(sandbox, data):
    results = sandbox.check("nested.json", data)
    assert results and all(r.status in ("added", "failed") for r in results)


@FUZZ
@given(case=truncated_json())
def test_truncated_json(sandbox, case):
    ext, data = case
    sandbox.check(f"truncated{ext}", data)


@FUZZ
@given(case=markup())
def test_malformed_html_and_feeds(sandbox, case):
    ext, data = case
    sandbox.check(f"markup{ext}", data)


@FUZZ
@given(case=odd_text())
def test_odd_text_and_encodings(sandbox, case):
    ext, data, encoding = case
    results = sandbox.check(f"odd{ext}", data)
    if ext == ".txt" and encoding in ("utf-8", "utf-8-sig", "utf-16"):
        assert [r.status for r in results] == ["added"], results  # readable text is indexed, whatever is in it
    if encoding == "latin-1":
        assert [r.status for r in results] == ["failed"] and "not UTF-8" in results[0].error


NAMES = st.lists(st.sampled_from(["my article", "Türkiye talks", "..", "...", "-rf", "--help", "a..b", " lead",
                                  "trail ", "\u202egnp", "\u200b", "日本語", "<script>alert(1)</script>", "$(id)",
                                  "`id`", "a;b", "new\nline", "tab\there", "'quoted'", '"double"', "%2e%2e", "~"]),
                 min_size=1, max_size=3).map("".join)


@FUZZ
@given(stem=NAMES, ext=st.sampled_from([".txt", ".md", ".json"]))
def test_odd_file_names(sandbox, stem, ext):
    body = '{"title": "Named file", "body": "A file with an odd name was read."}' if ext == ".json" else (
        "Named file\n\nA file with an odd name was read.\n")
    name = stem.strip() + ext if stem.strip() not in ("", ".", "..") else "dots" + ext
    results = sandbox.check(name, body.encode())
    assert [r.status for r in results] == ["added"], results


def test_a_file_named_with_dot_dot_stays_inside_its_folder(sandbox):
    """`..`-style names are just names: the input is read where it is and nothing is written beside it."""
    before = sorted(p.name for p in sandbox.root.iterdir())
    results = sandbox.check("..txt", b"Dots\n\nA file whose name starts with two dots.\n")
    assert [r.status for r in results] == ["added"]
    new = sorted(p.name for p in sandbox.root.iterdir())
    assert len(new) == len(before) + 1 and all(n.startswith("case") for n in new)
