"""The ONNX embedding backends: same vectors as torch, order kept under length sorting, a safe shared cache.

The vector tests use the per-user model cache (as every data dir does); the cache tests point
NEWSDESK_MODEL_CACHE elsewhere or fake the export, so only the concurrency test pays for a real export.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from index import IndexSettings, get_embedder
from index.embedding import resolve_model_path
import index.embedding_onnx as onnx_module
from index.embedding_onnx import CACHE_ENV, OnnxEmbedder, cache_path, entry_name, user_cache_dir

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
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx", embed_batch_size=4, embed_threads=1)
    return OnnxEmbedder(resolve_model_path(settings), settings)


@pytest.fixture(scope="module")
def onnx_int8(models_home) -> OnnxEmbedder:
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx-int8", embed_batch_size=4, embed_threads=1)
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


def test_two_embedding_threads_share_out_the_batches_and_give_the_same_vectors(models_home, onnx_int8):
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx-int8", embed_batch_size=4, embed_threads=2)
    two = OnnxEmbedder(resolve_model_path(settings), settings)
    assert len(two.sessions) == 2 and len(onnx_int8.sessions) == 1
    texts = sample_sentences()  # ten batches of four, of very different lengths, sorted by length
    np.testing.assert_allclose(two.embed_documents(texts), onnx_int8.embed_documents(texts), atol=1e-5)
    np.testing.assert_allclose(two.embed_query("Who won the vote?"), onnx_int8.embed_query("Who won the vote?"),
                               atol=1e-5)


def test_embed_each_gives_a_text_the_vector_it_gets_alone_whatever_is_embedded_beside_it(models_home, onnx_int8):
    texts = sample_sentences(12)
    alone = np.stack([onnx_int8.embed_query(t) for t in texts])
    np.testing.assert_array_equal(onnx_int8.embed_each(texts), alone)
    np.testing.assert_array_equal(onnx_int8.embed_each(texts[::-1])[::-1], alone)
    settings = IndexSettings(data_dir=models_home, embed_backend="onnx-int8", embed_batch_size=4, embed_threads=2)
    two = OnnxEmbedder(resolve_model_path(settings), settings)
    np.testing.assert_array_equal(two.embed_each(texts), alone)
    # why it exists: in batches the int8 model quantises each call's activations together, so companions move
    # a vector (an answer would then depend on which questions filled the sentence cache first)
    assert np.abs(onnx_int8.embed_documents(texts) - alone).max() > 1e-4


def test_embedding_threads_default_to_two_where_two_cores_are_free(monkeypatch):
    from index.settings import default_embed_threads

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert default_embed_threads() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert default_embed_threads() == 1


def test_int8_onnx_stays_close_to_torch(onnx_int8, torch_vectors):
    vectors = onnx_int8.embed_documents(sample_sentences())
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.mean() > 0.985 and cosines.min() > 0.95
    assert onnx_int8.model_file.parent.name == entry_name(onnx_int8._model_dir, quantized=True)
    assert "-onnx-int8-" in onnx_int8.model_file.parent.name
    assert onnx_int8.model_file.stat().st_size < 0.8 * cache_path(
        onnx_int8._model_dir, onnx_int8.model_file.parents[1], quantized=False).stat().st_size


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


def test_cache_lives_per_user_not_per_data_dir(onnx_int8, models_home, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert user_cache_dir() == Path("/somewhere/cache/newsdesk/models")
    monkeypatch.setenv(CACHE_ENV, "~/models-here")
    assert user_cache_dir() == Path.home() / "models-here"
    monkeypatch.undo()
    assert onnx_int8.model_file.parents[1] == user_cache_dir()
    assert not list((models_home / "models").glob("**/*.onnx"))  # nothing exported into the data dir


def test_a_second_data_dir_reuses_the_cached_export(onnx_fp32, onnx_int8, tmp_path):
    files = [onnx_int8.model_file, onnx_fp32.model_file]
    before = {f: (f.stat().st_ino, f.stat().st_mtime_ns, f.parent.stat().st_mtime_ns) for f in files}
    exports = dict(onnx_module.EXPORTS)
    for backend in ("onnx-int8", "onnx"):
        settings = IndexSettings(data_dir=tmp_path / f"other-{backend}", embed_backend=backend)
        again = OnnxEmbedder(resolve_model_path(settings), settings)  # a new embedder, not get_embedder's cached one
        assert again.model_file in before
        assert not settings.models_dir.exists()
    assert onnx_module.EXPORTS == exports  # no export, no quantisation
    assert {f: (f.stat().st_ino, f.stat().st_mtime_ns, f.parent.stat().st_mtime_ns) for f in files} == before
    np.testing.assert_allclose(again.embed_query("ferry terminal"), onnx_fp32.embed_query("ferry terminal"), atol=1e-6)


def fake_export(onnx_fp32, monkeypatch):
    """Make "exporting" copy the already exported fp32 file (the cache logic is what is under test)."""
    calls = []

    def export(model_dir, out_path):
        calls.append(out_path)
        shutil.copyfile(onnx_fp32.model_file, out_path)

    monkeypatch.setattr(onnx_module, "_export_fp32", export)
    return calls


def test_unusable_cache_dir_falls_back_to_the_data_dir(onnx_fp32, tmp_path, monkeypatch):
    calls = fake_export(onnx_fp32, monkeypatch)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "models"))  # cannot be created (read-only behaves alike)
    settings = IndexSettings(data_dir=tmp_path / "data", embed_backend="onnx")
    embedder = OnnxEmbedder(resolve_model_path(settings), settings)
    assert embedder.model_file == cache_path(embedder._model_dir, settings.models_dir, quantized=False)
    assert len(calls) == 1
    np.testing.assert_allclose(embedder.embed_query("harbour"), onnx_fp32.embed_query("harbour"), atol=1e-6)
    OnnxEmbedder(resolve_model_path(settings), settings)  # found in the data dir next time
    assert len(calls) == 1


def test_missing_cache_dir_is_created(onnx_fp32, tmp_path, monkeypatch):
    calls = fake_export(onnx_fp32, monkeypatch)
    cache = tmp_path / "new" / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    settings = IndexSettings(data_dir=tmp_path / "data", embed_backend="onnx")
    embedder = OnnxEmbedder(resolve_model_path(settings), settings)
    assert embedder.model_file == cache_path(embedder._model_dir, cache, quantized=False) and len(calls) == 1
    assert not settings.models_dir.exists()
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == [embedder.model_file.parent.name]
    assert (embedder.model_file.parent / "source.json").is_file()


def test_stale_temp_folders_of_a_crashed_export_are_removed(onnx_fp32, tmp_path, monkeypatch):
    fake_export(onnx_fp32, monkeypatch)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    name = entry_name(Path(onnx_fp32._model_dir), quantized=False)
    stale, fresh = tmp_path / "cache" / f".tmp-{name}-crashed", tmp_path / "cache" / f".tmp-{name}-running"
    stale.mkdir(parents=True)
    fresh.mkdir()
    os.utime(stale, (1, 1))
    settings = IndexSettings(data_dir=tmp_path / "data", embed_backend="onnx")
    OnnxEmbedder(resolve_model_path(settings), settings)
    assert not stale.exists() and fresh.exists()  # a young one may belong to a live export


def test_concurrent_first_use_from_two_processes_builds_one_good_cache(tmp_path, onnx_fp32, monkeypatch):
    cache = tmp_path / "cache"
    script = textwrap.dedent("""
        from index import IndexSettings
        from index.embedding import resolve_model_path
        from index.embedding_onnx import OnnxEmbedder
        settings = IndexSettings(data_dir=__import__("sys").argv[1], embed_backend="onnx")
        print(OnnxEmbedder(resolve_model_path(settings), settings).model_file)
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", **{CACHE_ENV: str(cache)})
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / f"data{i}")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-500:] for _, err in outputs]
    assert outputs[0][0].strip() == outputs[1][0].strip()
    built = Path(outputs[0][0].strip())
    assert built.parents[1] == cache
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == [built.parent.name]
    assert sorted(p.name for p in built.parent.iterdir()) == ["model.onnx", "source.json"]  # no temp files left
    assert not (tmp_path / "data0").exists() and not (tmp_path / "data1").exists()
    monkeypatch.setenv(CACHE_ENV, str(cache))
    exports = dict(onnx_module.EXPORTS)
    settings = IndexSettings(data_dir=tmp_path / "data2", embed_backend="onnx")
    fresh = OnnxEmbedder(resolve_model_path(settings), settings)
    assert fresh.model_file == built and onnx_module.EXPORTS == exports
    np.testing.assert_allclose(fresh.embed_query("harbour"), onnx_fp32.embed_query("harbour"), atol=1e-5)


def test_a_damaged_cached_model_is_refused_in_one_line(onnx_fp32, tmp_path, monkeypatch):
    from index.errors import IngestError

    monkeypatch.setattr(onnx_module, "_export_fp32", lambda model_dir, out: Path(out).write_bytes(b"not onnx"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    settings = IndexSettings(data_dir=tmp_path / "data", embed_backend="onnx")
    with pytest.raises(IngestError, match="cannot load the exported model .*delete the folder .*EMBED_BACKEND=torch"):
        OnnxEmbedder(resolve_model_path(settings), settings)


def test_a_folder_without_tokenizer_json_is_refused_in_one_line(tmp_path):
    from index.errors import IngestError

    (tmp_path / "model").mkdir()
    settings = IndexSettings(data_dir=tmp_path, embed_backend="onnx")
    with pytest.raises(IngestError, match="tokenizer.json"):
        OnnxEmbedder(str(tmp_path / "model"), settings)
