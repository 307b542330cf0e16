"""The one error type that users can fix (a setting, a file, a missing package)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class NewsdeskError(Exception):
    """A problem the user can fix; the message names the setting/file and the fix."""


@contextmanager
def index_guard(settings: Any) -> Iterator[None]:
    """Index and storage failures (read-only or full data dir, Chroma server gone) as one-line NewsdeskErrors."""
    from index import IngestError, storage_guard

    try:
        with storage_guard(settings):
            yield
    except IngestError as exc:
        raise NewsdeskError(str(exc)) from exc
