"""Uploads: sanitised names, type and size limits, copies only inside the uploads folder."""

from pathlib import Path

import pytest

from ui.uploads import UploadError, sanitize_filename, save_upload


@pytest.mark.parametrize("raw, expected", [
    ("news.txt", "news.txt"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\evil.md", "evil.md"),
    ("..", "upload"),
    ("", "upload"),
    ("a\x00b\x1f\x7fc.json", "abc.json"),
    ("my report (final).html", "my report _final_.html"),
    (".hidden.csv", "hidden.csv"),
    ("a..b...txt", "a.b.txt"),
    ("Türkiye talks.md", "Türkiye talks.md"),
    ("<script>alert(1)</script>.txt", "script_.txt"),  # "/" splits off a directory part
    ("re\u202eport.txt", "report.txt"),
])
def test_sanitize_filename(raw, expected):
    name = sanitize_filename(raw)
    assert name == expected
    assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")


def test_long_names_keep_their_suffix():
    name = sanitize_filename("x" * 500 + ".jsonl")
    assert len(name) <= 120 and name.endswith(".jsonl")


def test_save_upload_copies_into_uploads_dir_only(tmp_path: Path):
    src = tmp_path / "tmp" / "upload.bin"
    src.parent.mkdir()
    src.write_text("Title\n\nBody.", encoding="utf-8")
    uploads = tmp_path / "data" / "uploads"
    saved = save_upload(src, "../../outside.txt", uploads, max_mb=5)
    assert saved == (uploads / "outside.txt").resolve()
    assert saved.read_text(encoding="utf-8") == "Title\n\nBody."
    assert not (tmp_path / "outside.txt").exists()


def test_oversized_upload_is_refused_with_a_message(tmp_path: Path):
    src = tmp_path / "big.txt"
    src.write_bytes(b"a" * (1024 * 1024 + 1))
    with pytest.raises(UploadError, match=r"big.txt: 1.0 MB is over the 1 MB upload limit"):
        save_upload(src, "big.txt", tmp_path / "uploads", max_mb=1)
    assert not (tmp_path / "uploads" / "big.txt").exists()


def test_unknown_file_type_is_refused(tmp_path: Path):
    src = tmp_path / "x.exe"
    src.write_bytes(b"MZ")
    with pytest.raises(UploadError, match="x.exe: not an article file"):
        save_upload(src, "x.exe", tmp_path / "uploads", max_mb=5)
