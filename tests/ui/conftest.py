"""Shared fixtures for the UI tests: a small real index, the app served on 127.0.0.1, headless Chromium."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from newsdesk_testkit import REPO, SEED  # noqa: E402
PORT_CALDER = REPO / "samples" / "articles" / "port-calder-ferry-terminal-approved.md"
from ui_browser_steps import XSS, serve  # noqa: E402
XSS_ARTICLE = f"""Glassworks {XSS} strike ends in Vellmora

VELLMORA — Workers at the Vellmora glassworks {XSS} ended their strike on Friday after 19 days, the union said.
The agreement gives the 420 glassworkers a pay rise of 6 percent over two years.
"""


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
