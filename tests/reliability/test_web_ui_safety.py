"""The web UI with hostile article content, in real headless Chromium: titles, bodies, `javascript:` URLs and
uploaded file names stay inert text; uploads land only inside the data directory; basic auth blocks plain
unauthenticated page and API requests; the server listens on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from reliability_checks import FIGURES, free_port, make_desk
from ui_browser_steps import ask

pytestmark = pytest.mark.browser

HOSTILE = {
    "title": "Kiln fire <img src=x onerror=alert('title')> at Brackwater",
    "url": "javascript:alert('url')",
    "source": "<b onmouseover=alert('source')>Brackwater Post</b>",
    "published_at": "2024-05-07",
    "body": ("BRACKWATER — A kiln fire at the Brackwater pottery destroyed 300 vases on Tuesday "
             "<script>alert('body')</script>, the owner said. [details](javascript:alert('md')) "
             "<a href=\"javascript:alert('a')\">more</a> <svg onload=alert('svg')></svg>\n\n"
             "Nobody was hurt in the fire at the pottery, firefighters said."),
}
QUESTION = "How many vases did the kiln fire at the Brackwater pottery destroy?"
UPLOAD_NAMES = ["<img src=x onerror=alert('name')>.txt", "../../escape-attempt.txt"]
INERT_JS = """() => ({
  js_links: [...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
  bad_imgs: document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onmouseover]').length,
  injected_scripts: [...document.scripts].filter(s => /^\\s*alert\\(/.test(s.textContent)).length,
})"""


def serve(desk, auth=None, host="127.0.0.1"):
    from ui.app import build_app, launch

    demo = build_app(desk)
    port = free_port()
    launch(demo, host=host, port=port, auth=auth, block=False,
           upload_limit_mb=desk.settings.max_file_mb)
    return demo, port


@pytest.fixture(scope="module")
def hostile_desk(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("hostile-ui")
    article = folder / "brackwater.json"
    article.write_text(json.dumps(HOSTILE), encoding="utf-8")
    desk = make_desk(folder / "data")
    report = desk.ingest([article])
    assert report.ok and report.count("added") == 1, report.summary()
    return desk


@pytest.fixture(scope="module")
def served(hostile_desk):
    demo, port = serve(hostile_desk)
    yield f"http://127.0.0.1:{port}", port
    demo.close()


@pytest.fixture(scope="module")
def app_url(served):
    """The hostile app's address; the reused `page` fixture (tests/ui/conftest.py) opens it."""
    return served[0]


def assert_inert(page) -> None:
    page.wait_for_timeout(500)  # let any injected handler fire
    assert page.dialogs == [], f"script ran: {page.dialogs}"
    assert page.evaluate(INERT_JS) == {"js_links": 0, "bad_imgs": 0, "injected_scripts": 0}


def test_hostile_title_body_source_and_url_show_as_text(page):
    answer = ask(page, QUESTION)
    assert "300 vases" in answer and "[1]" in answer, answer
    panel = page.locator("#nd-sources").inner_text()
    assert HOSTILE["title"] in panel and "<script>alert('body')</script>" in panel, panel
    assert "original article" not in panel  # a javascript: URL never becomes a link
    page.locator("#nd-sources .nd-source").first.hover()
    assert_inert(page)
    page.get_by_role("tab", name="Articles").click()
    page.wait_for_function("() => document.querySelector('#nd-articles').innerText.includes('Kiln fire')")
    assert HOSTILE["title"] in page.locator("#nd-articles").inner_text()
    assert_inert(page)
    FIGURES["browser pages checked for live script"] += 2


def test_hostile_upload_names_are_inert_and_stay_in_the_data_dir(page, hostile_desk):
    data_dir = Path(hostile_desk.settings.data_dir)
    page.get_by_role("tab", name="Articles").click()
    payloads = [{"name": name, "mimeType": "text/plain",
                 "buffer": f"Upload {i} about Fenmoor\n\nThe Fenmoor lock gates were replaced in upload {i}.\n".encode()}
                for i, name in enumerate(UPLOAD_NAMES)]
    page.set_input_files("#nd-upload input[type=file]", payloads)
    page.wait_for_function("() => document.querySelector('#nd-upload').innerText.includes('escape-attempt')",
                           timeout=120_000)
    page.click("#nd-add")
    page.wait_for_function("() => document.querySelector('#nd-results').innerText.includes('added')",
                           timeout=120_000)
    results = page.locator("#nd-results").inner_text()
    assert "escape-attempt.txt" in results and "onerror" in results, results
    assert_inert(page)
    uploads = sorted(p.relative_to(data_dir).as_posix() for p in (data_dir / "uploads").rglob("*") if p.is_file())
    assert len(uploads) == 2 and all(p.startswith("uploads/") and "/" not in p[len("uploads/"):] for p in uploads)
    assert not (data_dir.parent / "escape-attempt.txt").exists() and not (data_dir / "escape-attempt.txt").exists()
    assert {a.title for a in hostile_desk.articles()} >= {"Upload 0 about Fenmoor", "Upload 1 about Fenmoor"}


def test_gradio_upload_endpoint_keeps_traversal_names_in_its_cache(app_url):
    url = app_url
    response = httpx.post(f"{url}/gradio_api/upload", files=[("files", ("../../../../tmp/owned-by-upload.txt", b"x"))])
    assert response.status_code == 200, response.text
    [stored] = response.json()
    assert not Path("/tmp/owned-by-upload.txt").exists()
    assert ".." not in Path(stored).parts and Path(stored).name == "owned-by-upload.txt"


@pytest.fixture(scope="module")
def auth_app(hostile_desk):
    demo, port = serve(hostile_desk, auth=("editor", "s3cret"))
    yield f"http://127.0.0.1:{port}"
    demo.close()


def test_basic_auth_blocks_plain_requests(auth_app):
    plain = httpx.Client(base_url=auth_app, timeout=30)
    page = plain.get("/")
    assert page.status_code in (200, 401) and "nd-question" not in page.text and "Kiln fire" not in page.text
    for path in ("/config", "/gradio_api/info"):
        assert plain.get(path).status_code in (401, 403) and "Kiln fire" not in plain.get(path).text, path
    for endpoint, data in (("ask", [QUESTION]), ("articles", [])):
        call = plain.post(f"/gradio_api/call/{endpoint}", json={"data": data})
        assert call.status_code in (401, 403), call.text
    assert plain.post("/login", data={"username": "editor", "password": "wrong"}).status_code in (400, 401)
    signed_in = httpx.Client(base_url=auth_app, timeout=30)
    assert signed_in.post("/login", data={"username": "editor", "password": "s3cret"}).status_code == 200
    assert signed_in.get("/config").status_code == 200
    event = signed_in.post("/gradio_api/call/ask", json={"data": [QUESTION, None, None, None]})
    assert event.status_code == 200, event.text
    FIGURES["unauthenticated requests refused"] += 5


def test_server_binds_to_loopback_by_default(served):
    import argparse

    import psutil

    from ui.cli import add_parser

    _, port = served
    listening = [c.laddr.ip for c in psutil.Process().net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port]
    assert listening == ["127.0.0.1"], listening
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    assert parser.parse_args(["chat"]).host == "127.0.0.1"
