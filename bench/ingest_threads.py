"""Ingest speed by embedding threads: one first ingest per thread count, each in a fresh process and data dir.

`python -m bench.ingest_threads [--threads 1,2] [--backend onnx-int8] [--corpus FILE.jsonl] [--out FILE]`

Each run is the main bench's `ours.ingest` phase (embedder loaded before the clock starts) with
`embed_threads` and OMP_NUM_THREADS set to the thread count. Reports chunks per wall second and per
CPU-second (all threads of the process), with the 1-minute load average before and after each run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import WIKINEWS

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_phase(name: str, cfg: dict, work: Path, label: str, threads: int) -> dict:
    """`python -m bench.worker` in a fresh process, as the main bench runs its phases."""
    config, result = work / f"{label}.config.json", work / f"{label}.result.json"
    config.write_text(json.dumps(cfg), encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS=str(threads))
    proc = subprocess.run([sys.executable, "-m", "bench.worker", name, str(config), str(result)], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not result.is_file():
        return {"error": " | ".join(proc.stderr.strip().splitlines()[-3:]) or f"exit status {proc.returncode}"}
    return json.loads(result.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ingest_threads", description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    p.add_argument("--backend", default="onnx-int8", help="embed backend (default onnx-int8)")
    p.add_argument("--corpus", default=str(WIKINEWS), help="JSONL file of articles (default the 293 Wikinews)")
    p.add_argument("--out", default=str(REPO_ROOT / "bench" / "out" / "ingest_threads.json"))
    args = p.parse_args(argv)
    if not Path(args.corpus).is_file():
        print(f"--corpus {args.corpus}: no such file; give a JSONL file of articles", file=sys.stderr)
        return 2
    results: dict = {"command": " ".join(["python -m bench.ingest_threads"] + (argv or sys.argv[1:])),
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count(), "runs": {}}
    with tempfile.TemporaryDirectory(prefix="newsdesk-ingest-threads-") as tmp:
        work = Path(tmp)
        models_home = work / "models-home"
        results["prepare"] = run_phase("prepare", {"data_dir": str(models_home), "backend": args.backend},
                                       work, "prepare", 1)
        for threads in [int(t) for t in args.threads.split(",")]:
            data_dir = work / f"data-{threads}"
            data_dir.mkdir()
            (data_dir / "models").symlink_to(models_home / "models", target_is_directory=True)
            cfg = {"data_dir": str(data_dir), "backend": args.backend, "threads": threads, "paths": [args.corpus]}
            load_before = round(os.getloadavg()[0], 2)
            print(f"[ingest-threads] {threads} thread(s), load {load_before} ...", file=sys.stderr, flush=True)
            run = run_phase("ours.ingest", cfg, work, f"ingest-{threads}", threads)
            run["load_avg_1min_before"] = load_before
            results["runs"][str(threads)] = run
            print(f"[ingest-threads] {threads}: {run}", file=sys.stderr, flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    for threads, run in results["runs"].items():
        print(f"threads={threads}: {run.get('chunks_per_s')} chunks/s wall, {run.get('chunks_per_cpu_s')} chunks/CPU-s,"
              f" {run.get('seconds')} s, load {run.get('load_avg_1min_before')} -> {run.get('load_avg_1min')}")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
