"""Errors raised by the ingestion side."""

from __future__ import annotations


class IngestError(Exception):
    """A problem the user can fix (bad setting, unreachable Chroma server, missing model).

    The message is one line naming the file or setting and the fix. Bad input files never raise:
    they become `FileResult(status="failed")` entries in the `IngestReport`.
    """


class InputProblem(Exception):
    """One input (file, feed, record) cannot be read; `str(exc)` is "<problem>; <fix>"."""
