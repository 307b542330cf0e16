"""Chroma server mode: the server going away mid-session gives a clear error naming its URL (no traceback),
and the same `Newsdesk` answers again once the server is back on the same path and port."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reliability_checks import SEED, free_port, make_desk

CHROMA = Path(sys.executable).parent / "chroma"
QUESTION = "When did Türkiye and Israel begin technical talks?"


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that the test can stop and start again on the same path and port."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--port", str(self.port)],
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
def server(tmp_path):
    if not CHROMA.is_file():
        pytest.skip("the chroma CLI is not installed next to this Python")
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.kill()


def assert_clear_outage_error(exc: BaseException, url: str) -> None:
    from index import IngestError
    from qa import NewsdeskError

    message = str(exc)
    assert isinstance(exc, (NewsdeskError, IngestError)), f"{type(exc).__name__} escaped: {message}"
    assert url in message and "\n" not in message and "Traceback" not in message, message


def test_server_goes_away_then_comes_back(server, tmp_path, embedder):
    from qa import NewsdeskError

    desk = make_desk(tmp_path / "data", chroma_url=server.url)
    assert desk.ingest([SEED]).ok
    first = desk.ask(QUESTION)
    assert "April 9" in first.text and first.citations

    server.kill()
    with pytest.raises(Exception) as asked:
        desk.ask("Who offered to mediate between Israel and Türkiye?")
    assert_clear_outage_error(asked.value, server.url)
    try:
        report = desk.ingest([tmp_path / "missing-file.txt", SEED])
    except Exception as exc:  # noqa: BLE001 - judged below
        assert_clear_outage_error(exc, server.url)
    else:
        raise AssertionError(f"ingest without a Chroma server reported {report.summary()}")
    assert isinstance(asked.value, NewsdeskError)

    server.start()
    again = desk.ask(QUESTION)
    assert "April 9" in again.text and again.citations
    assert [c.quote for c in again.citations] == [c.quote for c in first.citations]
    report = desk.ingest([SEED])
    assert report.ok and report.count("unchanged") == 1
    assert desk.info()["chunks"] == sum(a.chunks for a in desk.articles())
