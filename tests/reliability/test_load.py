"""Load (a small run of `bench/stress/load.py`): concurrent questions through the Gradio API and the Python
API while an ingest runs; every question gets its own answer, nothing fails, memory stays flat."""

from __future__ import annotations

from bench.stress.load import run_load
from reliability_checks import FIGURES

CLIENTS, QUESTIONS = 6, 4  # per round; two rounds (warm-up, measured)
RSS_MARGIN_MB = 64


def test_concurrent_questions_and_ingest(embedder):
    result = run_load(clients=CLIENTS, questions=QUESTIONS, extra_articles=3)
    FIGURES["questions answered under load"] += sum(result.served.values())
    FIGURES["failures under load"] += len(result.failures)
    assert result.failures == []
    assert result.served == {"gradio": CLIENTS * QUESTIONS, "python": CLIENTS * QUESTIONS}
    assert result.ingested == 6
    before, after = result.rss_mb[-2:]
    assert after - before <= RSS_MARGIN_MB, f"RSS grew from {before} MB to {after} MB over one round"
