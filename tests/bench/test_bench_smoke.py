"""The smoke configuration end to end (as CI runs it): every phase reports sane numbers, no errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_bench(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = run_bench("--smoke", "--articles", "6", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "targets:" in proc.stdout and "first ingest chunks/s" in proc.stdout
    return json.loads(out.read_text())


def test_every_phase_ran_without_errors(smoke):
    ph = smoke["phases"]
    assert smoke["errors"] == []
    assert set(ph) >= {"prepare", "ingest_first", "ingest_again", "retrieval", "quality", "answers", "store_scale"}
    assert set(ph["ingest_first"]) >= {"ours", "baseline", "ratio_chunks_per_s"}
    assert set(ph["retrieval"]) >= {"ours", "baseline"}


def test_ingest_numbers_are_sane(smoke):
    first, again = smoke["phases"]["ingest_first"], smoke["phases"]["ingest_again"]["ours"]
    for system in ("ours", "baseline"):
        assert first[system]["articles"] == 6
        assert first[system]["chunks_embedded"] >= 6 and first[system]["chunks_per_s"] > 0
        assert first[system]["peak_rss_mb"] > 50
    assert again["chunks_embedded"] == 0 and again["unchanged"] == 6
    assert smoke["phases"]["ingest_again"]["speedup_vs_first"] > 0


def test_latencies_quality_and_store_scale_are_sane(smoke):
    ph = smoke["phases"]
    for system in ("ours", "baseline"):
        r = ph["retrieval"][system]
        assert r["n"] == 10 and 0 < r["p50_ms"] <= r["p95_ms"]
    for system, q in ph["quality"]["samples"].items():
        assert q["cases"] > 10 and 0 <= q["hit_rate@5"] <= 100 and 0 <= q["recall@5"] <= 100, system
    extractive = ph["answers"]["extractive"]
    assert extractive["questions"] == 5 and 0 < extractive["ttft_p50_ms"] <= extractive["total_p95_ms"]
    scale = ph["store_scale"]["2000"]
    assert scale["insert_per_s"] > 0 and scale["disk_mb"] > 0
    assert 0 < scale["store_query"]["p50_ms"] <= scale["store_query"]["p95_ms"]
    assert scale["with_query_embedding"]["n"] == 20
    assert {t["target"].split(" (")[0] for t in smoke["targets"]} >= {"first ingest chunks/s vs baseline"}


def test_bad_corpus_is_one_line_error(tmp_path):
    proc = run_bench("--corpus", str(tmp_path / "missing"), "--out", str(tmp_path / "r.json"), timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("bench: error:") and "Traceback" not in proc.stderr


def test_newsdesk_bench_is_registered():
    from qa.cli import build_parser

    from bench.cli import options_from

    options = options_from(build_parser().parse_args(["bench", "--smoke", "--llm", "extractive", "--out", "x/smoke"]))
    assert options.smoke and options.llms == ["extractive"] and options.store_scale == [2000]
    assert options.out == Path("x/smoke/results.json")
