"""Shared fixtures for the UI tests: a small real index, the app served on 127.0.0.1, headless Chromium."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "samples" / "articles" / "turkiye-israel-syria-talks.txt"
PORT_CALDER = REPO / "samples" / "articles" / "port-calder-ferry-terminal-approved.md"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
from ui_browser_steps import XSS  # noqa: E402
XSS_ARTICLE = f"""Glassworks {XSS} strike ends in Vellmora

VELLMORA — Workers at the Vellmora glassworks {XSS} ended their strike on Friday after 19 days, the union said.
The agreement gives the 420 glassworkers a pay rise of 6 percent over two years.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def ui_desk(tmp_path_factory):
    """A Newsdesk (extractive answers) over the seed article, one sample and an article full of HTML/script."""
    import torch

    from qa import Newsdesk

    torch.set_num_threads(1)
    data = tmp_path_factory.mktemp("ui-data")
    xss = data.parent / "vellmora-glassworks.txt"
    xss.write_text(XSS_ARTICLE, encoding="utf-8")
    desk = Newsdesk(data_dir=data / "index", llm="extractive")
    report = desk.ingest([SEED, PORT_CALDER, xss])
    assert report.count("added") == 3, report.summary()
    return desk


def serve(desk, auth=None):
    from ui.app import build_app, launch

    demo = build_app(desk)
    port = free_port()
    launch(demo, llm="extractive", port=port, auth=auth, block=False, upload_limit_mb=desk.settings.max_file_mb)
    return demo, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def app_url(ui_desk):
    demo, url = serve(ui_desk)
    yield url
    demo.close()


@pytest.fixture(scope="session")
def auth_app_url(ui_desk):
    demo, url = serve(ui_desk, auth=("editor", "s3cret"))
    yield url
    demo.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser session on the app; records any dialog (alert) that fires."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    page.wait_for_selector("#nd-question textarea")
    yield page
    context.close()
