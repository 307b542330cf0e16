"""ONNX Runtime embedding backends ("onnx", "onnx-int8") for the packaged sentence-transformers model.

At first use the transformer is exported to ONNX with mean pooling and L2 normalisation inside the graph,
and for "onnx-int8" its MatMul weights are quantised to int8 per channel (dynamic quantisation: fast on
AVX-512 VNNI CPUs). Both files are cached in `settings.models_dir`, keyed by model fingerprint and
`FORMAT_VERSION`; concurrent first use is safe (a file lock, temp file + atomic rename).
Texts are tokenised once, sorted by length and padded per batch, and results are returned in input order.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding import MAX_PIECES, Embedder
from index.errors import IngestError
from index.settings import IndexSettings

FORMAT_VERSION = 1  # bump when the export or quantisation recipe changes: old cache files are then ignored
OPSET = 17


def model_fingerprint(model_dir: Path) -> str:
    """Short content key of a model folder: config, tokenizer and the weights' size and edges."""
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json"):
        path = model_dir / name
        if path.is_file():
            digest.update(path.read_bytes())
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("pytorch_model.bin")):
        size = weights.stat().st_size
        digest.update(str(size).encode())
        with open(weights, "rb") as handle:
            digest.update(handle.read(1 << 20))
            handle.seek(max(0, size - (1 << 20)))
            digest.update(handle.read())
    return digest.hexdigest()[:12]


def cache_path(model_dir: Path, models_dir: Path, quantized: bool) -> Path:
    """Where the exported (and optionally quantised) model of `model_dir` is cached."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", model_dir.name if model_dir.name != "model" else model_dir.parent.name)
    kind = "int8" if quantized else "fp32"
    return models_dir / f"{slug}-{model_fingerprint(model_dir)}-v{FORMAT_VERSION}-{kind}.onnx"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(target: Path, write) -> None:
    """Call write(tmp_path) on a temp file next to `target`, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _export_fp32(model_dir: Path, out_path: str) -> None:
    """torch.onnx.export of transformer + mean pooling + normalisation, dynamic batch and sequence axes."""
    import torch
    from transformers import AutoModel

    class PooledEncoder(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    sample = torch.ones(2, 16, dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(PooledEncoder(model), (sample, sample), out_path, input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def _quantize_int8(fp32_path: Path, out_path: str) -> None:
    """Dynamic int8 quantisation of the MatMul weights, per output channel (keeps cosine ~0.99 to fp32)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # silence "run pre-processing" hint
    quantize_dynamic(str(fp32_path), out_path, op_types_to_quantize=["MatMul"], per_channel=True,
                     weight_type=QuantType.QInt8)


def ensure_onnx_model(model_dir: Path, models_dir: Path, quantized: bool) -> Path:
    """The cached ONNX file for `model_dir`, exported (and quantised) on first use."""
    target = cache_path(model_dir, models_dir, quantized)
    if target.is_file():
        return target
    with _file_lock(models_dir / ".onnx-export.lock"):
        if target.is_file():  # another process built it while we waited
            return target
        if quantized:
            fp32 = ensure_onnx_model_unlocked(model_dir, models_dir)
            _write_atomically(target, lambda tmp: _quantize_int8(fp32, tmp))
        else:
            ensure_onnx_model_unlocked(model_dir, models_dir)
    return target


def ensure_onnx_model_unlocked(model_dir: Path, models_dir: Path) -> Path:
    """The fp32 export; the caller holds the lock."""
    target = cache_path(model_dir, models_dir, quantized=False)
    if not target.is_file():
        _write_atomically(target, lambda tmp: _export_fp32(model_dir, tmp))
    return target


def _max_pieces(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return min(MAX_PIECES, int(json.loads(config.read_text()).get("max_seq_length") or MAX_PIECES))
    return MAX_PIECES


class OnnxEmbedder(Embedder):
    """Sentence embeddings with ONNX Runtime; `settings.embed_backend` "onnx-int8" uses the int8 model."""

    def __init__(self, model_path: str, settings: IndexSettings) -> None:
        super().__init__()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_path)
        if not (model_dir / "tokenizer.json").is_file():
            raise IngestError(f"embed_model '{model_path}': no tokenizer.json; the onnx backends need a "
                              "Hugging Face fast tokenizer (or set NEWSDESK_EMBED_BACKEND=torch)")
        self.quantized = settings.embed_backend == "onnx-int8"
        self.model_file = ensure_onnx_model(model_dir, settings.models_dir, self.quantized)
        self.max_pieces = _max_pieces(model_dir)
        self.batch_size = settings.embed_batch_size
        self.name = settings.embed_model
        self._fast = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._fast.no_padding()  # the file pads to a fixed 128; we pad per batch instead
        self._fast.enable_truncation(self.max_pieces)
        self._counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        self._hf_tokenizer: Any = None
        self._model_dir = model_dir

        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.embed_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        if settings.embed_threads > 1:  # shared CPUs: idle workers sleep instead of spinning
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1] or self._encode(["dimension probe"]).shape[1])

    @property
    def tokenizer(self) -> Any:
        """A Hugging Face fast tokenizer (for chunk sizing), loaded on first use."""
        if self._hf_tokenizer is None:
            from transformers import AutoTokenizer

            self._hf_tokenizer = AutoTokenizer.from_pretrained(str(self._model_dir))
        return self._hf_tokenizer

    def count_pieces(self, texts: list[str]) -> list[int]:
        """Word pieces per text, special tokens not included (no truncation)."""
        return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self._fast.encode_batch(texts)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, :lengths[i]] = encodings[i].ids
                mask[r, :lengths[i]] = 1
            vectors = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        assert out is not None
        return out
