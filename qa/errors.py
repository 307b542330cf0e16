"""Errors you can act on: one base type, four kinds, each a one-line message naming the setting/file and the fix.

Modelled on httpx's hierarchy: catch `NewsdeskError` for everything the user can fix, or one kind::

    NewsdeskError            base; `retryable` says whether the same call may work later unchanged
    ├── ConfigError          a bad setting or config file (unknown name, bad value, missing model/package)
    ├── InputError           a bad question, filters, chat messages or input file
    ├── StorageError         the data directory or Chroma storage failed (read-only, full, server gone); retryable
    ├── BackendError         the LLM backend failed (server down, timeout, runtime error); retryable
    └── BusyError            every answer slot is taken (`max_in_flight`); retryable in a moment

The original exception is kept as `__cause__` (`raise ... from exc`). `newsdesk` exits 2 for the non-retryable
kinds and 3 for the retryable ones (see `exit_code`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class NewsdeskError(Exception):
    """A problem the user can fix; the message names the setting/file and the fix."""

    retryable = False


class ConfigError(NewsdeskError):
    """A setting or the config file is wrong (unknown name, bad value, missing model or package)."""

    retryable = False


class InputError(NewsdeskError):
    """The question, filters, chat messages or an input file cannot be used as given."""

    retryable = False


class StorageError(NewsdeskError):
    """The data directory or Chroma storage failed (read-only or full disk, broken files, server gone)."""

    retryable = True


class BackendError(NewsdeskError):
    """The LLM backend failed (server unreachable, timeout, server or runtime error)."""

    retryable = True


class BusyError(NewsdeskError):
    """Every answer slot is taken (`max_in_flight`); the same request may be retried in a moment."""

    retryable = True


EXIT_OK, EXIT_FAILED_INPUTS, EXIT_USAGE, EXIT_RETRYABLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def exit_code(exc: BaseException) -> int:
    """The `newsdesk` exit status for an error: 3 when retrying later may work, else 2 (usage/configuration)."""
    return EXIT_RETRYABLE if getattr(exc, "retryable", False) else EXIT_USAGE


def from_ingest_error(exc: Exception) -> NewsdeskError:
    """The qa-side error for an `index.IngestError`: storage failures become StorageError, the rest ConfigError."""
    from index.errors import is_storage_failure

    kind = StorageError if is_storage_failure(exc) else ConfigError
    error = kind(str(exc))
    error.__cause__ = exc
    return error


@contextmanager
def index_guard(settings: Any) -> Iterator[None]:
    """Index and storage failures (read-only or full data dir, Chroma server gone) as one-line NewsdeskErrors.

    Storage failures become `StorageError`; other `IngestError`s (a setting such as embed_model or chroma_url,
    a missing package) become `ConfigError`.
    """
    from index import IngestError, storage_guard

    try:
        with storage_guard(settings):
            yield
    except IngestError as exc:
        raise from_ingest_error(exc) from exc
