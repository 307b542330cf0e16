"""ONNX Runtime embedding backends ("onnx", "onnx-int8") for the packaged sentence-transformers model.

At first use the transformer is exported to ONNX with mean pooling and L2 normalisation inside the graph,
and for "onnx-int8" its MatMul weights are quantised to int8 per channel (dynamic quantisation: fast on
AVX-512 VNNI CPUs). The results are kept in a per-user cache shared by every data dir
(`$NEWSDESK_MODEL_CACHE`, else `$XDG_CACHE_HOME/newsdesk/models`, else `~/.cache/newsdesk/models`), one folder
per (model, backend, key) where the key hashes the source model files, `FORMAT_VERSION`, the opset and the
versions of the exporting packages. When that cache cannot be created or written, `settings.models_dir` of
the data dir is used instead. Each folder is built in a temp folder and renamed into place (under a file lock),
so two processes exporting at once never see a half-written model.
Texts are tokenised once, sorted by length and padded per batch, and results are returned in input order.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding import MAX_PIECES, Embedder
from index.errors import IngestError
from index.settings import IndexSettings

FORMAT_VERSION = 2  # bump when the export or quantisation recipe changes: old cache entries are then ignored
OPSET = 17
CACHE_ENV = "NEWSDESK_MODEL_CACHE"  # not a setting: where exported models are shared between data dirs
MODEL_FILE = "model.onnx"
EXPORT_PACKAGES = ("torch", "transformers", "onnx", "onnxruntime")  # their versions shape the exported file
STALE_TMP_S = 600  # a temp folder this old, seen while holding the lock, is a crashed export's leftover
EXPORTS = {"onnx": 0, "onnx-int8": 0}  # exports/quantisations done by this process (tests assert on it)
log = logging.getLogger(__name__)


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


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in EXPORT_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "none"
    return found


def export_key(model_dir: Path) -> str:
    """Hash of what the exported file depends on: the source model files, the recipe, the packages' versions."""
    parts = {"model": model_fingerprint(model_dir), "format": FORMAT_VERSION, "opset": OPSET, **_versions()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _slug(model_dir: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", model_dir.name if model_dir.name != "model" else model_dir.parent.name)


def entry_name(model_dir: Path, quantized: bool) -> str:
    """The cache folder name: <model>-<backend>-<key>."""
    return f"{_slug(model_dir)}-{'onnx-int8' if quantized else 'onnx'}-{export_key(model_dir)}"


def cache_path(model_dir: Path, root: Path, quantized: bool) -> Path:
    """Where the exported (and optionally quantised) model of `model_dir` lives below cache root `root`."""
    return root / entry_name(model_dir, quantized) / MODEL_FILE


def user_cache_dir() -> Path | None:
    """The per-user cache root: $NEWSDESK_MODEL_CACHE, $XDG_CACHE_HOME/newsdesk/models or ~/.cache/newsdesk/models."""
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory
            return None
    return Path(base) / "newsdesk" / "models"


def cache_roots(settings: IndexSettings) -> list[Path]:
    """Cache roots in order of preference: the per-user cache, then the data dir's models_dir."""
    roots = [root for root in (user_cache_dir(),) if root is not None]
    return roots + [settings.models_dir]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(root: Path, name: str, write, info: dict[str, Any]) -> Path:
    """Build folder `root/name` atomically: write(tmp_dir / MODEL_FILE) in a temp folder, then rename it."""
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".tmp-{name}-"))
    try:
        write(str(tmp / MODEL_FILE))
        (tmp / "source.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
        for path in tmp.iterdir():
            os.chmod(path, 0o644)
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, root / name)
        except OSError:
            if not (root / name / MODEL_FILE).is_file():  # not "another process got there first"
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root / name / MODEL_FILE


def _clean_stale(root: Path, name: str) -> None:
    """Remove temp folders left by crashed exports of `name` (the caller holds its lock)."""
    for leftover in root.glob(f".tmp-{name}-*"):
        with contextlib.suppress(OSError):
            if time.time() - leftover.stat().st_mtime > STALE_TMP_S:
                shutil.rmtree(leftover, ignore_errors=True)


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
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.setLevel(max(level, logging.ERROR))  # silence the "run pre-processing" hint
    try:
        quantize_dynamic(str(fp32_path), out_path, op_types_to_quantize=["MatMul"], per_channel=True,
                         weight_type=QuantType.QInt8)
    finally:
        root_logger.setLevel(level)


def _build(model_dir: Path, root: Path, quantized: bool) -> Path:
    """Export (and quantise) `model_dir` into cache root `root`, unless a finished entry is already there."""
    name = entry_name(model_dir, quantized)
    target = root / name / MODEL_FILE
    root.mkdir(parents=True, exist_ok=True)
    with _file_lock(root / f".{name}.lock"):
        if target.is_file():  # another process built it while we waited
            return target
        _clean_stale(root, name)
        backend = "onnx-int8" if quantized else "onnx"
        info = {"source": str(model_dir), "backend": backend, "format": FORMAT_VERSION, "opset": OPSET,
                "fingerprint": model_fingerprint(model_dir), "versions": _versions(), "created": time.time()}
        started = time.monotonic()
        if quantized:
            fp32 = _build(model_dir, root, quantized=False)
            _publish(root, name, lambda tmp: _quantize_int8(fp32, tmp), info)
        else:
            _publish(root, name, lambda tmp: _export_fp32(model_dir, tmp), info)
        EXPORTS[backend] += 1
        log.info("built %s in %.1f s", target, time.monotonic() - started)
    return target


def ensure_onnx_model(model_dir: Path, roots: Path | Sequence[Path], quantized: bool) -> Path:
    """The cached ONNX file for `model_dir`: found in the first root that has it, else built in the first root
    that can be written (an unusable cache root, e.g. read-only or not creatable, falls through to the next)."""
    roots = [roots] if isinstance(roots, Path) else list(roots)
    for root in roots:
        found = cache_path(model_dir, root, quantized)
        if found.is_file():
            return found
    failure: OSError | None = None
    for root in roots:
        try:
            return _build(model_dir, root, quantized)
        except OSError as exc:
            log.info("cannot use model cache %s (%s); trying the next", root, exc)
            failure = exc
    assert failure is not None, "ensure_onnx_model needs at least one cache root"
    raise failure


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
        self.model_file = ensure_onnx_model(model_dir, cache_roots(settings), self.quantized)
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

        # One session per embedding thread, each single-threaded, sharing out the batches: on 2 cores this
        # embeds 130 texts/s against 120 for one session with two intra-op threads (bench/RESULTS.md).
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.sessions = [ort.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])
                             for _ in range(settings.embed_threads)]
        except Exception as exc:  # onnxruntime raises its own types for a damaged file
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            raise IngestError(f"cannot load the exported model {self.model_file} ({reason}); delete the folder "
                              f"{self.model_file.parent} to export it again, or set NEWSDESK_EMBED_BACKEND=torch"
                              ) from None
        self.session = self.sessions[0]
        self._workers: ThreadPoolExecutor | None = None
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

    def _encode_each(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, batch_size=1)  # as fast as batches of 32 for sentences (no padding)

    def _encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        encodings = self._fast.encode_batch(texts)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        size = batch_size or self.batch_size
        batches = [order[start:start + size] for start in range(0, len(order), size)]

        def run(session: Any, rows: np.ndarray) -> np.ndarray:
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, :lengths[i]] = encodings[i].ids
                mask[r, :lengths[i]] = 1
            return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

        if len(self.sessions) == 1 or len(batches) == 1:
            results = [run(self.session, rows) for rows in batches]
        else:  # session k takes batches k, k+n, k+2n, ... (batches are sorted by length: similar work each)
            if self._workers is None:
                self._workers = ThreadPoolExecutor(len(self.sessions), thread_name_prefix="newsdesk-onnx")
            n = len(self.sessions)
            shares = self._workers.map(lambda k: [run(self.sessions[k], rows) for rows in batches[k::n]], range(n))
            results = [None] * len(batches)
            for k, share in enumerate(shares):
                results[k::n] = share
        out = np.empty((len(texts), results[0].shape[1]), dtype=np.float32)
        for rows, vectors in zip(batches, results):
            out[rows] = vectors
        return out
