"""`newsdesk eval`: run an eval set and write a report, or compare two runs."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

HELP = "Measure answer accuracy, retrieval and citations on an eval set; or compare two runs."
EXAMPLES = """examples:
  newsdesk eval samples --llm extractive
  newsdesk eval ../shared/data/multihop-rag-subset/MultiHopRAG.dev.json --corpus ../shared/data/multihop-rag-subset/corpus.json
  newsdesk eval my_rag_dataset.json --limit 20 --out runs/local
  newsdesk eval --compare runs/extractive runs/local
"""


def add_parser(subparsers: Any, add_global_options: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.ArgumentParser:
    """Register `eval` on the `newsdesk` command line (cheap: nothing heavy is imported here)."""
    p = subparsers.add_parser("eval", help=HELP, description=HELP, epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    if add_global_options is not None:
        add_global_options(p)
    p.add_argument("set", nargs="?", help="bundled set name (samples), a JSONL set, MultiHopRAG.json, or a LabelledRagDataset JSON")
    p.add_argument("--corpus", help="articles to index (default: the corpus the set declares in its first line "
                   "{\"corpus\": \"PATH\"}, or the bundled set's samples/articles/)")
    p.add_argument("--limit", type=int, help="only the first N cases")
    p.add_argument("--spread", action="store_true", help="with --limit: N cases evenly spaced over the set, not the first N")
    p.add_argument("--out", help="folder for results.jsonl, report.json, report.md and plots (default: DATA_DIR/eval-runs/...)")
    p.add_argument("--top-k", type=int, help="passages given to the answerer")
    p.add_argument("--timeout", type=float, help="seconds per question before it is recorded as failed")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="print two finished runs side by side")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from eval.cases import EvalSetError
    from eval.report import compare

    try:
        if args.compare:
            print(compare(*args.compare))
            return 0
        if not args.set:
            print("newsdesk eval: error: give a SET (e.g. samples) or --compare A B", file=sys.stderr)
            return 2
        if args.limit is not None and args.limit < 1:
            print("newsdesk eval: error: --limit must be at least 1", file=sys.stderr)
            return 2
        from eval.runner import run_eval

        report = run_eval(args.set, corpus=args.corpus, settings=_settings(args), limit=args.limit,
                          out_dir=args.out, case_timeout_s=args.timeout, spread=args.spread)
    except EvalSetError as exc:
        print(f"newsdesk eval: error: {exc}", file=sys.stderr)
        return 2
    print(summary(report))
    return 0


def _settings(args: argparse.Namespace) -> Any:
    from qa.cli import make_settings

    return make_settings(args, top_k=getattr(args, "top_k", None))


def summary(report: dict[str, Any]) -> str:
    o, ks = report["overall"], report["ks"]
    f = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [f"{report['set']} ({report['llm']}): {o['cases']} cases, {o['errors']} errors",
             f"  accuracy {f(o.get('accuracy'))}  contains {f(o.get('contains'))}  F1 {f(o.get('token_f1'))}"
             f"  lenient {f(o.get('lenient'))}",
             "  article recall " + "  ".join(f"@{k} {f(o.get(f'article_recall@{k}'))}" for k in ks),
             f"  citation precision {f(o.get('citation_precision'))}  recall {f(o.get('citation_recall'))}"
             f"  refusal accuracy {f(o.get('refusal_accuracy'))}  false refusals {f(o.get('false_refusals'))}",
             f"  latency p50 {f(o.get('latency_p50_s'))}s  p95 {f(o.get('latency_p95_s'))}s",
             "  by type: " + ", ".join(f"{t} {f(r.get('accuracy'))} (n={r['cases']})" for t, r in report["by_type"].items())]
    if o.get("n_newest_statement"):  # a set with newest_answers cases (news that changes over time)
        lines.append(f"  newest statement {f(o.get('newest_statement'))} (n={o['n_newest_statement']}); by type: "
                     + ", ".join(f"{t} {f(r.get('newest_statement'))} (n={r['n_newest_statement']})"
                                 for t, r in report["by_type"].items() if r.get("n_newest_statement")))
    unmatched = report.get("unmatched_gold_articles") or []
    if unmatched:
        shown = ", ".join(repr(g) for g in unmatched[:3]) + (", ..." if len(unmatched) > 3 else "")
        lines.append(f"  warning: {len(unmatched)} gold_articles entries match no indexed article ({shown}); "
                     "give a URL, article id, exact title or the corpus record's own id (eval/README.md)")
    out = report.get("out_dir")
    if out:
        lines.append(f"  report: {out}/report.md")
    return "\n".join(lines)
