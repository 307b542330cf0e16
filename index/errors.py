"""Errors raised by the ingestion side."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class IngestError(Exception):
    """A problem the user can fix (bad setting, unreachable Chroma server, missing model).

    The message is one line naming the file or setting and the fix. Bad input files never raise:
    they become `FileResult(status="failed")` entries in the `IngestReport`.
    """


class InputProblem(Exception):
    """One input (file, feed, record) cannot be read; `str(exc)` is "<problem>; <fix>"."""


STORAGE_ERRNOS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO}


def storage_error(exc: BaseException, settings: Any) -> IngestError | None:
    """A one-line `IngestError` when `exc` is a failure of the index's storage, else None.

    Storage is the data directory (SQLite ledger, Chroma files: read-only, full disk, broken files) or the
    Chroma server at `settings.chroma_url` (gone, refusing connections).
    """
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    module = type(exc).__module__ or ""
    url = getattr(settings, "chroma_url", None)
    if url and (module.startswith(("httpx", "httpcore", "chromadb")) or isinstance(exc, ConnectionError)):
        return IngestError(f"lost the Chroma server at {url} ({reason}); start it again "
                           "(`chroma run --path DIR --port PORT`) and retry, or unset NEWSDESK_CHROMA_URL")
    if isinstance(exc, OSError) and exc.errno not in STORAGE_ERRNOS:
        return None
    if isinstance(exc, (OSError, sqlite3.Error)) or module.startswith("chromadb"):
        return IngestError(f"cannot use the index in {settings.data_dir} ({reason}); free disk space or make the "
                           "data directory writable, or choose another with --data-dir / NEWSDESK_DATA_DIR")
    return None


@contextmanager
def storage_guard(settings: Any) -> Iterator[None]:
    """Re-raise storage failures inside the block as one-line `IngestError`s (see `storage_error`)."""
    try:
        yield
    except IngestError:
        raise
    except Exception as exc:
        error = storage_error(exc, settings)
        if error is None:
            raise
        raise error from exc
