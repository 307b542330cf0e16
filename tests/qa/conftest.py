"""Shared, expensive fixtures for the qa tests: one real Chroma index built with `index.ingest`, per session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa import Newsdesk, Settings  # noqa: E402

from qa_articles import ARTICLES  # noqa: E402
from qa_helpers import make_settings  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "samples" / "articles" / "turkiye-israel-syria-talks.txt"
SHARED = REPO / ".." / "shared"
MULTIHOP = SHARED / "data" / "multihop-rag-subset"


@pytest.fixture(scope="session", autouse=True)
def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("qa-articles")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """Data directory holding the seed article and the fictional articles, ingested for real."""
    data_dir = tmp_path_factory.mktemp("qa-index")
    desk = Newsdesk(Settings(data_dir=data_dir, llm="extractive"))
    report = desk.ingest([SEED, *sorted(corpus_dir.iterdir())])
    assert report.ok, report.failed
    return data_dir


@pytest.fixture(scope="session")
def desk(index_dir: Path) -> Newsdesk:
    """Extractive (no LLM) desk over the shared test index."""
    return Newsdesk(make_settings(index_dir))


@pytest.fixture(scope="session")
def multihop_desk(tmp_path_factory: pytest.TempPathFactory) -> Newsdesk:
    corpus = MULTIHOP / "corpus.json"
    if not corpus.is_file():
        pytest.skip(f"MultiHop-RAG data not found at {MULTIHOP} (needs ../shared next to the repo)")
    desk = Newsdesk(make_settings(tmp_path_factory.mktemp("qa-multihop")))
    report = desk.ingest([corpus])
    assert report.ok, report.failed
    return desk


@pytest.fixture(scope="session")
def multihop_questions() -> list[dict]:
    path = MULTIHOP / "MultiHopRAG.dev.json"
    if not path.is_file():
        pytest.skip(f"MultiHop-RAG questions not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def samples_desk(tmp_path_factory: pytest.TempPathFactory) -> Newsdesk:
    """Extractive desk over the bundled sample corpus (`samples/articles/`, shipped in the repository)."""
    desk = Newsdesk(make_settings(tmp_path_factory.mktemp("qa-samples")))
    report = desk.ingest([REPO / "samples" / "articles"])
    assert report.ok, report.failed
    return desk
