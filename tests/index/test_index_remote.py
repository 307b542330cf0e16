"""Network inputs and outputs on 127.0.0.1: an RSS feed over HTTP, and a Chroma server (`chroma run`)."""

from __future__ import annotations

import http.server
import threading

import pytest

import index_samples as samples
from index import Catalog, IngestError, ingest, open_store
from newsdesk_testkit import free_port


@pytest.fixture
def feed_server():
    """Serves RSS at /feed.rss, a 404 elsewhere, and text that is not a feed at /page.txt."""
    pages = {"/feed.rss": samples.RSS.encode(), "/page.txt": b"just some text"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_rss_feed_over_http(settings, feed_server):
    url = f"{feed_server}/feed.rss"
    report = ingest([url], settings)
    assert report.ok and report.count("added") == 2
    assert {r.input for r in report.results} == {f"{url}#1", f"{url}#2"}
    catalog = Catalog(settings)
    assert catalog.sources() == ["Larkspur Ledger"]
    again = ingest([url], settings)
    assert again.count("unchanged") == 2 and again.chunks_embedded == 0
    assert open_store(settings).count() == catalog.chunk_count()


def test_feed_url_errors(settings, feed_server):
    report = ingest([f"{feed_server}/missing.rss", f"{feed_server}/page.txt", "http://127.0.0.1:9/feed"], settings)
    errors = [r.error for r in report.failed]
    assert errors[0] == f"{feed_server}/missing.rss: the server answered HTTP 404; check the feed URL"
    assert "not an RSS/Atom feed (it is not XML)" in errors[1]
    assert errors[2].startswith("http://127.0.0.1:9/feed: cannot fetch the feed (ConnectError")


def test_chroma_server_mode(settings, docs, chroma_server, embedder):
    settings.chroma_url = chroma_server.url
    docs.write("marsh.csv", samples.CSV)
    docs.write("glimmer.txt", samples.TXT)
    report = ingest(docs.path, settings)
    assert report.ok and report.count("added") == 3
    store = open_store(settings)
    assert store.count() == Catalog(settings).chunk_count() > 0
    assert not (settings.data_dir / "chroma").exists()  # nothing written locally
    [(meta, text, score)] = store.query(embedder.embed_query("telescopes at the library"), 1)
    assert meta["title"] == "Dunmere library lends telescopes" and 0 < score <= 1
    doc = docs.write("glimmer.txt", samples.TXT.replace("40,000", "12,345"))
    assert [r.status for r in ingest(doc, settings).results] == ["updated"]
    assert "40,000" not in " ".join(t for _, _, t in store.get())


def test_unreachable_chroma_server(settings):
    settings.chroma_url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IngestError, match="cannot reach the Chroma server .* unset NEWSDESK_CHROMA_URL"):
        open_store(settings)
