"""The one error type that users can fix (a setting, a file, a missing package)."""

from __future__ import annotations


class NewsdeskError(Exception):
    """A problem the user can fix; the message names the setting/file and the fix."""
