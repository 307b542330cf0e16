"""Uploaded files: sanitised names, a size limit, and copies only inside the uploads directory."""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

ACCEPTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".xml", ".rss", ".atom")
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
MAX_NAME = 120
COPY_BLOCK = 1 << 20  # bytes per read while copying an upload


class UploadError(ValueError):
    """An upload that is refused; the message names the file and the fix."""


def sanitize_filename(name: str) -> str:
    """A safe file name: no directories, no `..`, no control or shell characters, never hidden or empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]  # drop any directory part, Windows or POSIX
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # control/format chars
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)
    name = re.sub(r"\s+", " ", name)
    if not name or set(name) <= {"_", "."}:
        name = "upload"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > MAX_NAME:
        name = stem[: MAX_NAME - len(suffix) - 1] + "." + suffix
    return name[:MAX_NAME]


def check_upload(name: str, size_bytes: int, max_mb: float) -> None:
    """Raise UploadError when the file's type is not indexable or it is over the size limit."""
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        raise UploadError(
            f"{name}: not an article file; upload one of {', '.join(s.lstrip('.') for s in ACCEPTED_SUFFIXES)}"
        )
    if size_bytes > max_mb * 1024 * 1024:
        raise UploadError(
            f"{name}: {size_bytes / 1024 / 1024:.1f} MB is over the {max_mb:g} MB upload limit; "
            "split it or raise NEWSDESK_MAX_FILE_MB"
        )


def save_upload(source: str | Path | BinaryIO, original_name: str, uploads_dir: Path, max_mb: float) -> Path:
    """Copy an uploaded file (a temp file's path, or an open binary file such as an HTTP upload's) to
    `uploads_dir/<sanitised name>` and return that path; written to a temp file first, then renamed."""
    name = sanitize_filename(original_name)
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return save_upload(handle, original_name, uploads_dir, max_mb)
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    check_upload(name, size, max_mb)
    uploads_dir = Path(uploads_dir)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = (uploads_dir / name).resolve()
    if target.parent != uploads_dir.resolve():  # belt and braces: never write outside the folder
        raise UploadError(f"{original_name}: unusable file name; rename the file and upload it again")
    with tempfile.NamedTemporaryFile(dir=uploads_dir, delete=False, prefix=".upload-") as tmp:
        shutil.copyfileobj(source, tmp, COPY_BLOCK)
    Path(tmp.name).replace(target)
    return target
