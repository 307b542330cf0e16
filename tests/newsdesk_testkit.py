"""Helpers shared by the test folders, imported by name (tests/ is on sys.path): `from conftest import ...`
is ambiguous when several folders each have a conftest.py."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
SEED = REPO / "samples" / "articles" / "turkiye-israel-syria-talks.txt"
WIKINEWS = SHARED / "data" / "wikinews-2019-2020" / "articles.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require(path: Path) -> Path:
    """`path`, or skip the test when the shared data it names is absent (a user's clone has no ../shared)."""
    if not path.exists():
        pytest.skip(f"shared data not found: {path}")
    return path
