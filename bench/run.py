"""Orchestrates a benchmark run: corpus, phases (each in a subprocess), ratios, targets, JSON and table."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import EVAL_SET, MULTIHOP_DIR, REPO_ROOT, SAMPLES, build_corpus
from bench.report import evaluate_targets, format_table


@dataclass
class Options:
    """What to run; `smoke()` is the tiny CI configuration."""

    articles: int = 293
    corpus: str | None = None
    backend: str = "onnx-int8"
    quality_backends: list[str] = field(default_factory=lambda: ["torch", "onnx", "onnx-int8"])
    threads: int = 1
    queries: int = 100
    llms: list[str] = field(default_factory=lambda: ["extractive", "local"])
    answer_questions: int = 10
    store_scale: list[int] = field(default_factory=lambda: [100_000])
    store_queries: int = 200
    quality_sets: list[str] = field(default_factory=lambda: ["samples", "multihop"])
    skip_baseline: bool = False
    out: Path = Path("bench/out/results.json")
    keep: bool = False
    smoke: bool = False

    @classmethod
    def smoke_config(cls, **overrides: Any) -> Options:
        values = dict(articles=20, queries=10, llms=["extractive"], answer_questions=5, store_scale=[2000],
                      store_queries=20, quality_sets=["samples"], quality_backends=[], smoke=True)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class Runner:
    """Runs phases in subprocesses under one temporary work folder and collects their JSON."""

    def __init__(self, options: Options, work: Path) -> None:
        self.options = options
        self.work = work
        self.models_home = work / "models-home"
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
                        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
                        TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS=str(options.threads))

    def data_dir(self, label: str) -> str:
        """A fresh data dir whose models/ is the shared, already exported ONNX cache."""
        path = self.work / "data" / label
        path.mkdir(parents=True, exist_ok=True)
        models = path / "models"
        if not models.exists():
            (self.models_home / "models").mkdir(parents=True, exist_ok=True)
            models.symlink_to(self.models_home / "models", target_is_directory=True)
        return str(path)

    def phase(self, name: str, label: str, cfg: dict[str, Any]) -> dict[str, Any]:
        cfg = {"threads": self.options.threads, "chunk_size": 192, "chunk_overlap": 32, **cfg}
        config_path, result_path = self.logs / f"{label}.config.json", self.logs / f"{label}.result.json"
        config_path.write_text(json.dumps(cfg, default=str), encoding="utf-8")
        print(f"[bench] {label} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        with open(self.logs / f"{label}.log", "w", encoding="utf-8") as log:
            proc = subprocess.run([sys.executable, "-m", "bench.worker", name, str(config_path), str(result_path)],
                                  env=self.env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        if proc.returncode != 0 or not result_path.is_file():
            tail = (self.logs / f"{label}.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            print(f"[bench] {label} failed: {' | '.join(tail)}", file=sys.stderr)
            return {"error": " | ".join(tail) or f"exit status {proc.returncode}"}
        result = json.loads(result_path.read_text(encoding="utf-8"))
        print(f"[bench] {label} done in {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
        return result


def eval_sets() -> dict[str, tuple[list[str], str]]:
    """name -> (corpus paths, eval set path) for the quality sets whose files exist."""
    sets = {}
    if EVAL_SET.is_file():
        sets["samples"] = ([str(SAMPLES)], str(EVAL_SET))
    if (MULTIHOP_DIR / "MultiHopRAG.dev.json").is_file():
        sets["multihop"] = ([str(MULTIHOP_DIR / "corpus.json")], str(MULTIHOP_DIR / "MultiHopRAG.dev.json"))
    return sets


def questions(limit: int, answerable_first: bool = True) -> list[str]:
    """Benchmark questions: the bundled eval set, then MultiHop-RAG queries, cycled up to `limit`."""
    from eval.cases import load_set

    found: list[str] = []
    for name, (_, set_path) in eval_sets().items():
        cases, _ = load_set(set_path)
        found += [c.question for c in cases if c.answerable or not answerable_first]
    if not found:
        found = ["What happened?", "Who said it?", "When did it start?"]
    return [found[i % len(found)] for i in range(limit)]


def run(options: Options, store_scale_only: bool = False) -> dict[str, Any]:
    """Run every configured phase; returns (and writes to options.out) the results document."""
    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    runner = Runner(options, work)
    started = time.perf_counter()
    try:
        corpus = None if store_scale_only else build_corpus(work / "corpus", options.articles, options.corpus)
        results: dict[str, Any] = {"meta": meta(options, corpus.description if corpus else "none"), "phases": {}}
        ph = results["phases"]
        backends = [options.backend] + [b for b in options.quality_backends if b != options.backend]
        for backend in [options.backend] if store_scale_only else backends:
            ph.setdefault("prepare", {})[backend] = runner.phase(
                "prepare", f"prepare-{backend}", {"data_dir": str(runner.models_home), "backend": backend})
        if corpus is not None:
            run_speed(runner, ph, [str(p) for p in corpus.paths])
            run_quality(runner, ph, backends)
            run_answers(runner, ph, [str(p) for p in corpus.paths])
        run_store_scale(runner, ph)
        add_ratios(ph)
        results["targets"] = evaluate_targets(results)
        results["errors"] = errors_in(ph)
        results["meta"]["total_s"] = round(time.perf_counter() - started, 1)
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print(format_table(results))
        print(f"\nresults: {options.out}")
        return results
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}", file=sys.stderr)


def run_speed(runner: Runner, ph: dict[str, Any], paths: list[str]) -> None:
    """First ingest and unchanged re-ingest (ours), baseline ingest, retrieval latency for both."""
    options = runner.options
    ours = {"data_dir": runner.data_dir("ours"), "backend": options.backend, "paths": paths}
    ph["ingest_first"] = {"ours": runner.phase("ours.ingest", "ours-ingest-first", ours)}
    ph["ingest_again"] = {"ours": runner.phase("ours.ingest", "ours-ingest-again", ours)}
    base = {"data_dir": runner.data_dir("baseline"), "paths": paths}
    if not options.skip_baseline:
        ph["ingest_first"]["baseline"] = runner.phase("baseline.ingest", "baseline-ingest", base)
    queries = questions(options.queries)
    ph["retrieval"] = {"ours": runner.phase("ours.retrieval", "ours-retrieval", {**ours, "queries": queries})}
    if not options.skip_baseline:
        ph["retrieval"]["baseline"] = runner.phase("baseline.retrieval", "baseline-retrieval",
                                                   {**base, "queries": queries})


def run_quality(runner: Runner, ph: dict[str, Any], backends: list[str]) -> None:
    """Hit rate@5 / recall@5 per eval set, for each embed backend of ours and for the baseline."""
    ph["quality"] = {}
    sets = eval_sets()
    for set_name in runner.options.quality_sets:
        if set_name not in sets:
            ph["quality"][set_name] = {"skipped": {"error": None, "why": "eval set or corpus not found"}}
            continue
        set_paths, set_file = sets[set_name]
        q = ph["quality"][set_name] = {}
        for backend in backends:
            q[f"ours:{backend}"] = runner.phase("ours.quality", f"quality-{set_name}-ours-{backend}", {
                "data_dir": runner.data_dir(f"q-{set_name}-{backend}"), "backend": backend,
                "paths": set_paths, "eval_set": set_file})
        if not runner.options.skip_baseline:
            q["baseline"] = runner.phase("baseline.quality", f"quality-{set_name}-baseline", {
                "data_dir": runner.data_dir(f"q-{set_name}-baseline"), "paths": set_paths, "eval_set": set_file})


def run_answers(runner: Runner, ph: dict[str, Any], corpus_paths: list[str]) -> None:
    """Time to first token and full answer per LLM backend, over the bundled samples."""
    options = runner.options
    sets = eval_sets()
    paths = sets["samples"][0] if "samples" in sets else corpus_paths
    asked = questions(options.answer_questions)
    ph["answers"] = {}
    for llm in options.llms:
        ph["answers"][llm] = runner.phase("ours.answers", f"answers-{llm}", {
            "data_dir": runner.data_dir(f"answers-{options.backend}"), "backend": options.backend,
            "llm": llm, "paths": paths, "questions": asked})


def run_store_scale(runner: Runner, ph: dict[str, Any]) -> None:
    """Synthetic-vector store phases, one fresh collection per size (deleted afterwards)."""
    options = runner.options
    ph["store_scale"] = {}
    for size in options.store_scale:
        folder = runner.work / "data" / f"scale-{size}"
        ph["store_scale"][str(size)] = runner.phase("store_scale", f"store-scale-{size}", {
            "data_dir": str(folder), "size": size, "queries": options.store_queries,
            "questions": questions(options.store_queries), "backend": options.backend,
            "models_home": str(runner.models_home)})
        shutil.rmtree(folder, ignore_errors=True)


def errors_in(tree: dict[str, Any], where: str = "") -> list[str]:
    """Every phase error in the results tree, as "path: message"."""
    found = []
    for key, value in tree.items():
        if isinstance(value, dict):
            if value.get("error"):
                found.append(f"{where}{key}: {value['error']}")
            found += errors_in(value, f"{where}{key}/")
    return found


def add_ratios(ph: dict[str, Any]) -> None:
    """ours/baseline speed ratios and re-ingest speed-up, where both sides ran."""
    first = ph.get("ingest_first", {})
    ours, base = first.get("ours", {}), first.get("baseline", {})
    if ours.get("chunks_per_s") and base.get("chunks_per_s"):
        first["ratio_chunks_per_s"] = round(ours["chunks_per_s"] / base["chunks_per_s"], 2)
        first["ratio_articles_per_s"] = round(ours["articles_per_s"] / base["articles_per_s"], 2)
    if ours.get("cpu_seconds") and base.get("cpu_seconds"):  # insensitive to other load on the machine
        first["ratio_chunks_per_cpu_s"] = round(ours["chunks_per_cpu_s"] / base["chunks_per_cpu_s"], 2)
        first["ratio_articles_per_cpu_s"] = round((ours["articles"] / ours["cpu_seconds"])
                                                  / (base["articles"] / base["cpu_seconds"]), 2)
    again = ph.get("ingest_again", {}).get("ours", {})
    if ours.get("seconds") and again.get("seconds"):
        ph["ingest_again"]["speedup_vs_first"] = round(ours["seconds"] / again["seconds"], 1)
    retrieval = ph.get("retrieval", {})
    if retrieval.get("ours", {}).get("p50_ms") and retrieval.get("baseline", {}).get("p50_ms"):
        retrieval["ratio_p50"] = round(retrieval["baseline"]["p50_ms"] / retrieval["ours"]["p50_ms"], 2)


def meta(options: Options, corpus: str) -> dict[str, Any]:
    import psutil

    options_json = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()}
    return {"command": " ".join(["python -m bench"] + sys.argv[1:]), "options": options_json, "corpus": corpus,
            "machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
                        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]},
            "started": time.strftime("%Y-%m-%d %H:%M:%S")}
