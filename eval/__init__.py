"""Eval sets for Newsdesk: case format, importers, metrics, runner and reports.

Heavy modules load on first use, so `eval.cli` stays cheap to import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EvalCase", "EvalSetError", "load_set", "run_eval", "compare"]


def __getattr__(name: str) -> Any:
    if name in ("EvalCase", "EvalSetError", "load_set"):
        from eval import cases

        return getattr(cases, name)
    if name == "run_eval":
        from eval.runner import run_eval

        return run_eval
    if name == "compare":
        from eval.report import compare

        return compare
    raise AttributeError(f"module 'eval' has no attribute {name!r}")
