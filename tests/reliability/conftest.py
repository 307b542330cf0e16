"""Shared fixtures for the reliability suite: one embedding model per session, index-consistency checks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
for _name in [n for n in os.environ if n.startswith("NEWSDESK_")]:
    del os.environ[_name]  # the suite decides every setting itself
os.environ["NEWSDESK_CONFIG"] = str(Path(__file__).parent / "no-such-config.toml")

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "ui"))  # reuse the browser steps of the UI tests (fixtures: tests/conftest.py)

import reliability_checks  # noqa: E402  (after the environment is set)


@pytest.fixture(scope="session", autouse=True)
def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def embedder():
    """The packaged MiniLM model, loaded once (get_embedder caches it per process)."""
    from index import IndexSettings, get_embedder

    return get_embedder(IndexSettings(data_dir="/nonexistent-unused"))


@pytest.fixture
def make_desk(embedder):
    """`make_desk(data_dir, **settings)`: an extractive Newsdesk over that data dir."""
    return reliability_checks.make_desk


def pytest_terminal_summary(terminalreporter) -> None:
    """The figures the issue asks for: inputs tried, crashes survived, requests served, failures."""
    figures = reliability_checks.FIGURES
    if figures:
        terminalreporter.section("reliability figures")
        for name, value in sorted(figures.items()):
            terminalreporter.write_line(f"{name}: {value}")
