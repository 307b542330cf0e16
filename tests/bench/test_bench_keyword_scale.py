"""The keyword-scale bench end to end on a tiny ledger: it runs, and reports the one-article figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from newsdesk_testkit import require

from bench.corpus import WIKINEWS

REPO = Path(__file__).resolve().parents[2]


def test_keyword_scale_reports_build_search_and_one_article_changes(tmp_path):
    require(WIKINEWS)
    out = tmp_path / "keyword.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "bench.keyword_scale", "--articles", "12", "--no-old",
                           "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "one article added" in proc.stdout and "one article removed" in proc.stdout
    measured = json.loads(out.read_text())["measured"]
    assert measured["articles"] == 12 and measured["chunks"] > 12
    added, removed = measured["one_article_added"], measured["one_article_removed"]
    assert len(added["rounds"]) == len(removed["rounds"]) == 3
    assert all(r["chunks"] > 0 and r["total_ms"] >= r["sync_ms"] for r in added["rounds"])
    assert measured["rebuilds"] == 0  # single additions and removals never rebuild the whole index
    breakdown = measured["memory_breakdown_mb"]["bytes_per_chunk"]
    assert breakdown["postings"] > 0 and breakdown["texts"] > 0 and breakdown["metas"] > 0
