"""Errors raised by the ingestion side."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Literal, get_args, get_origin


class IngestError(Exception):
    """A problem the user can fix (bad setting, unreachable Chroma server, missing model).

    The message is one line naming the file or setting and the fix. Bad input files never raise:
    they become `FileResult(status="failed")` entries in the `IngestReport`. `qa` re-raises storage failures
    (`StorageFailure`) as `qa.StorageError` and the others as `qa.ConfigError`.
    """

    retryable = False


class StorageFailure(IngestError):
    """The data directory or the Chroma server failed (read-only, full, broken files, gone); may work later."""

    retryable = True


class SettingError(IngestError, ValueError):
    """A setting is unknown or has a bad value (raised by `IndexSettings`; `qa.Settings` raises `qa.ConfigError`)."""


def is_storage_failure(exc: BaseException) -> bool:
    """True when `exc` is a storage failure (retrying after the fault is gone may work)."""
    return isinstance(exc, StorageFailure)


class InputProblem(Exception):
    """One input (file, feed, record) cannot be read; `str(exc)` is "<problem>; <fix>"."""


STORAGE_ERRNOS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO}


def storage_error(exc: BaseException, settings: Any) -> StorageFailure | None:
    """A one-line `StorageFailure` (an `IngestError`) when `exc` is a failure of the index's storage, else None.

    Storage is the data directory (SQLite ledger, Chroma files: read-only, full disk, broken files) or the
    Chroma server at `settings.chroma_url` (gone, refusing connections).
    """
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    module = type(exc).__module__ or ""
    url = getattr(settings, "chroma_url", None)
    if url and (module.startswith(("httpx", "httpcore", "chromadb")) or isinstance(exc, ConnectionError)):
        return StorageFailure(f"lost the Chroma server at {url} ({reason}); start it again "
                              "(`chroma run --path DIR --port PORT`) and retry, or unset NEWSDESK_CHROMA_URL")
    if isinstance(exc, OSError) and exc.errno not in STORAGE_ERRNOS:
        return None
    if isinstance(exc, (OSError, sqlite3.Error)) or module.startswith("chromadb"):
        return StorageFailure(f"cannot use the index in {settings.data_dir} ({reason}); free disk space or make "
                              "the data directory writable, or choose another with --data-dir / NEWSDESK_DATA_DIR")
    return None


@contextmanager
def storage_guard(settings: Any) -> Iterator[None]:
    """Re-raise storage failures inside the block as one-line `StorageFailure`s (see `storage_error`)."""
    try:
        yield
    except IngestError:
        raise
    except Exception as exc:
        error = storage_error(exc, settings)
        if error is None:
            raise
        raise error from exc


# Settings messages (used by `IndexSettings`; one line each, naming the setting, where it came from and the fix) --

def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """The closest valid name to a misspelt `name` (difflib), or None."""
    found = get_close_matches(name.lower(), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_setting_message(name: str, where: str, fields: Iterable[str], env_prefix: str = "") -> str:
    """"unknown setting 'top_kk' (in config.toml at PATH); did you mean 'top_k'?" (env names when env_prefix)."""
    lookup = name[len(env_prefix):] if env_prefix and name.upper().startswith(env_prefix.upper()) else name
    close = did_you_mean(lookup, fields)
    shown = name if env_prefix else repr(name)
    message = f"unknown setting {shown} ({where})"
    if close is not None:
        suggestion = f"{env_prefix}{close.upper()}" if env_prefix else repr(close)
        return f"{message}; did you mean {suggestion}?"
    return f"{message}; remove it, or use a setting listed in README.md (Settings)"


def allowed_values(field: Any) -> str:
    """What a settings field accepts, in words: "'rrf', 'dense' or 'bm25'", "an integer from 1 to 50", ..."""
    annotation = field.annotation
    options = [a for a in get_args(annotation) if get_origin(annotation) is Literal] if annotation else []
    if options:
        quoted = [repr(o) for o in options]
        return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    kinds = {int: "an integer", float: "a number", bool: "true or false", str: "a string", Path: "a path"}
    plain = [a for a in (get_args(annotation) or (annotation,)) if a is not type(None)]
    kind = kinds.get(plain[0], getattr(plain[0], "__name__", "a value")) if plain else "a value"
    bounds = []
    for item in getattr(field, "metadata", []):
        for attr, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(item, attr, None) is not None:
                bounds.append(f"{word} {getattr(item, attr)}")
    text = kind + (" " + " and ".join(bounds) if bounds else "")
    return text + (" (or unset)" if type(None) in get_args(annotation) else "")


def invalid_settings_message(errors: list[dict[str, Any]], fields: dict[str, Any], where: Callable[[str], str],
                             env_prefix: str = "") -> str:
    """One line for pydantic's validation errors of a settings object: each field, its value, why, what's allowed."""
    parts = []
    for error in errors:
        name = str(error["loc"][0]) if error.get("loc") else "settings"
        if error.get("type") == "extra_forbidden" or name not in fields:
            parts.append(unknown_setting_message(name, where(name), fields))
            continue
        value = repr(error.get("input"))
        value = value if len(value) <= 80 else value[:77] + "..."
        reason = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "literal_error":
            reason = f"must be {allowed_values(fields[name])}"
        elif ";" not in reason:  # a validator's own message already ends with its fix
            reason = f"{reason}; use {allowed_values(fields[name])}"
        origin = where(name)
        parts.append(f"bad setting {name}={value}" + (f" ({origin})" if origin else "") + f": {reason}")
    return "; also ".join(parts)
