"""The ONNX embedding backends: same vectors as torch, order kept under length sorting, a safe cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from index import IndexSettings, get_embedder
from index.embedding import resolve_model_path
from index.embedding_onnx import OnnxEmbedder, cache_path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "articles"


def sample_sentences(limit: int = 40) -> list[str]:
    """Real sentences and paragraphs of very different lengths from the bundled sample articles."""
    texts: list[str] = []
    for path in sorted(SAMPLES.glob("*.md")) + sorted(SAMPLES.glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            paragraph = paragraph.strip()
            if len(paragraph) > 20 and not paragraph.startswith("---"):
                texts.append(paragraph)
    texts += ["Who won the vote?", "ferry", "A " + "very long sentence about the harbour " * 60]
    return texts[:limit]


@pytest.fixture(scope="module")
def models_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx-home")


@pytest.fixture(scope="module")
def onnx_fp32(models_home) -> OnnxEmbedder:
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx", embed_batch_size=4)
    return OnnxEmbedder(resolve_model_path(settings), settings)


@pytest.fixture(scope="module")
def onnx_int8(models_home) -> OnnxEmbedder:
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx-int8", embed_batch_size=4)
    return OnnxEmbedder(resolve_model_path(settings), settings)


@pytest.fixture(scope="module")
def torch_vectors(models_home) -> np.ndarray:
    embedder = get_embedder(IndexSettings(data_dir=models_home, embed_backend="torch"))
    return embedder.embed_documents(sample_sentences())


def test_fp32_onnx_gives_the_torch_vectors(onnx_fp32, torch_vectors):
    vectors = onnx_fp32.embed_documents(sample_sentences())
    assert vectors.dtype == np.float32 and vectors.shape == torch_vectors.shape
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.999


def test_int8_onnx_stays_close_to_torch(onnx_int8, torch_vectors):
    vectors = onnx_int8.embed_documents(sample_sentences())
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.mean() > 0.985 and cosines.min() > 0.95
    assert onnx_int8.model_file.name.endswith("-int8.onnx")
    assert onnx_int8.model_file.stat().st_size < 0.8 * cache_path(
        onnx_int8._model_dir, onnx_int8.model_file.parent, quantized=False).stat().st_size


def test_length_sorted_batches_return_vectors_in_input_order(onnx_fp32):
    texts = sample_sentences(12)
    together = onnx_fp32.embed_documents(texts)  # batch size 4: several batches, sorted by length
    one_by_one = np.stack([onnx_fp32.embed_query(t) for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=2e-5)
    reversed_order = onnx_fp32.embed_documents(texts[::-1])
    np.testing.assert_allclose(reversed_order[::-1], together, atol=2e-5)


def test_counters_query_shape_and_piece_counts(onnx_fp32, models_home):
    calls, embedded = onnx_fp32.calls, onnx_fp32.texts_embedded
    query = onnx_fp32.embed_query("When did the ferry terminal open?")
    onnx_fp32.embed_documents(["one", "two", "three"])
    assert query.shape == (onnx_fp32.dim,) == (384,)
    assert (onnx_fp32.calls, onnx_fp32.texts_embedded) == (calls + 2, embedded + 4)
    assert onnx_fp32.embed_documents([]).shape == (0, 384)
    torch_embedder = get_embedder(IndexSettings(data_dir=models_home, embed_backend="torch"))
    texts = sample_sentences(6) + ["harbour " * 300]
    assert onnx_fp32.count_pieces(texts) == torch_embedder.count_pieces(texts)
    assert max(onnx_fp32.count_pieces(texts)) > 256  # counting does not truncate


def test_factory_builds_the_onnx_backends(models_home):
    embedder = get_embedder(IndexSettings(data_dir=models_home, embed_backend="onnx-int8"))
    assert isinstance(embedder, OnnxEmbedder) and embedder.quantized


def test_second_load_reuses_the_cached_files(onnx_fp32, onnx_int8, models_home):
    files = sorted((models_home / "models").glob("*.onnx"))
    assert len(files) == 2
    before = {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx-int8")
    again = OnnxEmbedder(resolve_model_path(settings), settings)
    after = {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in sorted((models_home / "models").glob("*.onnx"))}
    assert after == before
    np.testing.assert_allclose(again.embed_query("ferry terminal"), onnx_int8.embed_query("ferry terminal"), atol=1e-6)


def test_concurrent_first_use_from_two_processes_builds_one_good_cache(tmp_path, onnx_fp32):
    models_dir = tmp_path / "models"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from index import IndexSettings
        from index.embedding import resolve_model_path
        from index.embedding_onnx import ensure_onnx_model
        model = Path(resolve_model_path(IndexSettings()))
        print(ensure_onnx_model(model, Path({str(models_dir)!r}), quantized=False))
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-500:] for _, err in outputs]
    assert outputs[0][0].strip() == outputs[1][0].strip()
    assert sorted(p.name for p in models_dir.iterdir() if not p.name.startswith(".onnx-export.lock")) == [
        Path(outputs[0][0].strip()).name]  # no temp files left behind
    settings = IndexSettings(data_dir=tmp_path, embed_backend="onnx")
    fresh = OnnxEmbedder(resolve_model_path(settings), settings)
    np.testing.assert_allclose(fresh.embed_query("harbour"), onnx_fp32.embed_query("harbour"), atol=1e-5)


def test_a_folder_without_tokenizer_json_is_refused_in_one_line(tmp_path):
    from index.errors import IngestError

    (tmp_path / "model").mkdir()
    settings = IndexSettings(data_dir=tmp_path, embed_backend="onnx")
    with pytest.raises(IngestError, match="tokenizer.json"):
        OnnxEmbedder(str(tmp_path / "model"), settings)
