"""A read-only data directory and a full disk: a clear one-line error naming the data directory, and no
corruption (once the fault is gone, the index holds exactly what it held and ingests again)."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from reliability_checks import SAMPLES, SEED, forget_chroma_clients, index_state, make_desk

QUESTION = "When did Türkiye and Israel begin technical talks?"
NEW_ARTICLE = SAMPLES / "lake-tamsin-beaches-reopen.md"


def _run(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


@contextmanager
def read_only(folder: Path):
    """Make `folder` read-only for this process: a read-only bind mount (root ignores chmod), else chmod."""
    if os.geteuid() == 0:
        if not (_run("mount", "--bind", str(folder), str(folder))
                and _run("mount", "-o", "remount,ro,bind", str(folder))):
            _run("umount", "-l", str(folder))
            pytest.skip("cannot bind-mount the data directory read-only here (no mount permission)")
        try:
            yield
        finally:
            _run("umount", "-l", str(folder))
    else:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


@contextmanager
def tiny_disk(folder: Path, size: str = "8m"):
    folder.mkdir(parents=True)
    if not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        pytest.skip("cannot mount a small tmpfs to simulate a full disk (needs root and mount permission)")
    try:
        yield
    finally:
        forget_chroma_clients()
        _run("umount", "-l", str(folder))


def fill(folder: Path) -> Path:
    """Take every free byte of the file system that holds `folder`."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for block in (1 << 16, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * block)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def assert_clear_storage_error(exc: BaseException, data_dir: Path) -> None:
    from index import IngestError
    from qa import NewsdeskError

    message = str(exc)
    assert isinstance(exc, (NewsdeskError, IngestError)), f"{type(exc).__name__} escaped: {message}"
    assert str(data_dir) in message and "\n" not in message and ";" in message, message


def attempt(work):
    try:
        return work(), None
    except Exception as exc:  # noqa: BLE001 - judged by the caller
        return None, exc


def assert_ingest_refused(data_dir: Path) -> None:
    report, error = attempt(lambda: make_desk(data_dir).ingest([NEW_ARTICLE]))
    if error is None:  # refusing per file is clear too, as long as nothing is half-written
        assert not report.ok and all(str(data_dir) in r.error or "disk" in r.error for r in report.failed), report
    else:
        assert_clear_storage_error(error, data_dir)


def assert_answers_or_refuses_clearly(data_dir: Path) -> None:
    answer, error = attempt(lambda: make_desk(data_dir).ask(QUESTION))
    if error is None:
        assert "April 9" in answer.text and answer.citations, answer.text
    else:
        assert_clear_storage_error(error, data_dir)


def test_read_only_data_directory(tmp_path, embedder):
    data_dir = tmp_path / "data"
    assert make_desk(data_dir).ingest([SEED]).ok
    before = index_state(make_desk(data_dir).settings)
    forget_chroma_clients()
    with read_only(data_dir):
        assert_ingest_refused(data_dir)
        assert_answers_or_refuses_clearly(data_dir)
        forget_chroma_clients()
    assert index_state(make_desk(data_dir).settings) == before
    report = make_desk(data_dir).ingest([NEW_ARTICLE])
    assert report.ok and report.count("added") == 1


def test_full_disk(tmp_path, embedder):
    data_dir = tmp_path / "data"
    with tiny_disk(data_dir):
        assert make_desk(data_dir).ingest([SEED]).ok
        before = index_state(make_desk(data_dir).settings)
        filler = fill(data_dir)
        assert_ingest_refused(data_dir)
        assert_answers_or_refuses_clearly(data_dir)
        filler.unlink()
        forget_chroma_clients()
        assert index_state(make_desk(data_dir).settings) == before
        report = make_desk(data_dir).ingest([NEW_ARTICLE])
        assert report.ok and report.count("added") == 1
        assert make_desk(data_dir).ask(QUESTION).citations
