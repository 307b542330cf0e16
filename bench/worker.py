"""Runs one benchmark phase in its own process: `python -m bench.worker PHASE CONFIG.json RESULT.json`.

A fresh process per phase keeps phases from warming each other's caches and makes peak RSS per phase
(`ru_maxrss` of this process) meaningful.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from bench.stats import Stopwatch, peak_rss_mb


def prepare_phase(cfg: dict[str, Any]) -> dict[str, Any]:
    """Build (export/quantise) the embedding model once so that timed phases find it cached."""
    from index import IndexSettings, get_embedder

    with Stopwatch() as sw:
        get_embedder(IndexSettings(data_dir=cfg["data_dir"], embed_backend=cfg["backend"]))
    return {"backend": cfg["backend"], "seconds": round(sw.wall, 2)}


def phases() -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    from bench import baseline, ours, store_scale

    return {
        "prepare": prepare_phase,
        "ours.ingest": ours.ingest_phase,
        "ours.retrieval": ours.retrieval_phase,
        "ours.answers": ours.answers_phase,
        "ours.quality": ours.quality_phase,
        "baseline.ingest": baseline.ingest_phase,
        "baseline.retrieval": baseline.retrieval_phase,
        "baseline.quality": baseline.quality_phase,
        "store_scale": store_scale.store_scale_phase,
    }


def main(argv: list[str]) -> int:
    name, config_path, result_path = argv
    with open(config_path, encoding="utf-8") as handle:
        cfg = json.load(handle)
    with Stopwatch() as sw:
        result = phases()[name](cfg)
    result["phase_wall_s"] = round(sw.wall, 2)
    result["peak_rss_mb"] = peak_rss_mb()
    result["load_avg_1min"] = round(os.getloadavg()[0], 2)  # other work on the machine skews wall times
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
