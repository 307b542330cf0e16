"""Command line of the benchmark harness: `python -m bench` and `newsdesk bench` (cheap to import)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXAMPLE = """examples:
  python -m bench --smoke --out bench/out/smoke/results.json      tiny run (< ~2 min), what CI runs
  python -m bench --articles 293 --out bench/out/full/results.json full comparison with the baseline
  python -m bench --only-store-scale --store-scale 100000,1000000  store scale alone
"""


def _ints(text: str) -> list[int]:
    try:
        return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of integers, e.g. 100000,1000000") from None


def _names(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--smoke", action="store_true", help="tiny configuration for CI (20 articles, extractive only)")
    p.add_argument("--articles", type=int, help="corpus size: Wikinews replicated with variations (default 293)")
    p.add_argument("--corpus", help="benchmark this folder, JSONL file or feed URL instead")
    p.add_argument("--backend", choices=["torch", "onnx", "onnx-int8"], help="Newsdesk embed backend (default onnx-int8)")
    p.add_argument("--quality-backends", type=_names, help="embed backends to compare on quality (default all three)")
    p.add_argument("--threads", type=int, help="CPU threads for embedding, both systems (default 1)")
    p.add_argument("--queries", type=int, help="retrieval latency queries (default 100)")
    p.add_argument("--bench-llm", dest="llms", type=_names, help="answer backends, e.g. extractive,local (default both)")
    p.add_argument("--answer-questions", type=int, help="questions per answer backend (default 10)")
    p.add_argument("--store-scale", type=_ints, help="synthetic store sizes, e.g. 100000,1000000 (default 100000)")
    p.add_argument("--store-queries", type=int, help="queries per store size (default 200)")
    p.add_argument("--quality-sets", type=_names, help="samples,multihop (default both)")
    p.add_argument("--skip-baseline", action="store_true", default=None, help="do not run the llama-index baseline")
    p.add_argument("--only-store-scale", action="store_true", help="run only the store-scale phases")
    p.add_argument("--out", help="results JSON file, or a folder for results.json (default bench/out/results.json)")
    p.add_argument("--keep", action="store_true", default=None, help="keep the temporary work folder (logs, indexes)")


def options_from(args: argparse.Namespace):
    from bench.run import Options

    keys = ("articles", "corpus", "backend", "quality_backends", "threads", "queries", "llms", "answer_questions",
            "store_scale", "store_queries", "quality_sets", "skip_baseline", "keep")
    values = {k: getattr(args, k, None) for k in keys}
    if getattr(args, "llm", None) and not values["llms"]:  # `newsdesk bench --llm local`
        values["llms"] = [args.llm]
    if args.out:  # a results.json path, or a folder to hold results.json
        out = Path(args.out)
        values["out"] = out if out.suffix == ".json" else out / "results.json"
    if args.smoke:
        return Options.smoke_config(**values)
    return Options(**{k: v for k, v in values.items() if v is not None})


def handle(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from bench.run import run

    options = options_from(args)
    if options.articles < 1 or options.threads < 1:
        print("bench: error: --articles and --threads must be at least 1", file=sys.stderr)
        return 2
    try:
        results = run(options, store_scale_only=bool(getattr(args, "only_store_scale", False)))
    except ValueError as exc:  # bad --corpus and the like: one line
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    return 1 if results.get("errors") else 0


def add_parser(subparsers, add_global_options) -> argparse.ArgumentParser:
    """Register `newsdesk bench`."""
    p = subparsers.add_parser("bench", help="Benchmark ingest, retrieval and answers against a plain llama-index pipeline.",
                              description="Benchmark ingest, retrieval and answers against a plain llama-index pipeline.",
                              epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_global_options(p)
    add_arguments(p)
    p.set_defaults(func=handle)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=add_parser.__doc__,
                                     epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--llm", dest="llms", type=_names, help="answer backends, e.g. extractive,local (default both)")
    return handle(parser.parse_args(argv))
