"""Fixtures shared by every test folder: one headless Chromium per session (Playwright's sync API allows
only one running instance per thread, so the UI and reliability suites must share it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsdesk_testkit import CHROMIUM, CHROMIUM_ARGS, free_port


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
    """A fresh browser session on the app at `app_url` (each folder defines it); records any dialog that fires."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    page.wait_for_selector("#nd-question textarea")
    yield page
    context.close()


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that a test can kill and start again on the same path and port."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.cli = Path(sys.executable).parent / "chroma"
        if not self.cli.is_file():
            self.cli = Path(shutil.which("chroma") or "")

    def start(self) -> None:
        self.proc = subprocess.Popen([str(self.cli), "run", "--path", str(self.path), "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma server did not start on port {self.port}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def chroma_server(tmp_path):
    """A started Chroma server (`.url`, `.kill()`, `.start()`), stopped after the test."""
    server = ChromaServer(tmp_path / "chroma-server")
    if not server.cli.is_file():
        pytest.skip("the chroma CLI is not installed next to this Python")
    server.start()
    yield server
    server.kill()
