"""Shared fixtures for index tests: one embedding model per session, a fresh data dir per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")



@pytest.fixture(scope="session")
def embedder():
    """The packaged MiniLM model, loaded once (get_embedder caches it per process)."""
    import torch

    from index import IndexSettings, get_embedder

    torch.set_num_threads(1)
    return get_embedder(IndexSettings(data_dir="/nonexistent-unused"))


@pytest.fixture
def settings(tmp_path, embedder, monkeypatch):
    """Settings over a fresh data dir in tmp_path, with no NEWSDESK_* environment leaking in."""
    from index import IndexSettings

    for name in list(os.environ):
        if name.startswith("NEWSDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "no-config.toml"))
    return IndexSettings(data_dir=tmp_path / "data", embed_threads=1)


@pytest.fixture
def docs(tmp_path):
    """A folder for input files written by the test; `docs.write(name, text_or_bytes)` returns the path."""
    folder = tmp_path / "docs"
    folder.mkdir()

    class Docs:
        path = folder

        def write(self, name: str, content: str | bytes) -> Path:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            return target

    return Docs()
