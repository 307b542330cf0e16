"""report.json, report.md (tables per question type), PNG plots, and side-by-side comparison of two runs."""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from eval import metrics

PACKAGES = ("newsdesk", "llama-index-core", "llama-index-vector-stores-chroma", "chromadb", "sentence-transformers",
            "torch", "llama-cpp-python", "bm25s", "numpy")
SECRET_FIELDS = ("openai_api_key",)
MULTIHOP_CREDIT = ("MultiHop-RAG (Tang & Yang 2024, \"MultiHop-RAG: Benchmarking Retrieval-Augmented Generation "
                   "for Multi-Hop Queries\"), ODC-BY 1.0.")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def public_settings(settings: Any) -> dict[str, Any]:
    data = settings.model_dump(mode="json") if hasattr(settings, "model_dump") else dict(settings)
    return {k: ("***" if k in SECRET_FIELDS and v else v) for k, v in data.items()}


def build_report(results: list[dict[str, Any]], *, set_name: str, set_path: str, set_format: str, corpus: str,
                 settings: Any, info: dict[str, Any], ks: tuple[int, ...], timings: dict[str, float],
                 ingest: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    types = sorted({r["type"] for r in results})
    return {
        "set": set_name, "set_path": set_path, "set_format": set_format, "corpus": corpus,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "llm": getattr(settings, "llm", ""), "ks": list(ks),
        "retrieval_from": sorted({r.get("retrieval_from", "") for r in results if r.get("retrieval_from")}),
        "overall": metrics.summarize(results),
        "by_type": {t: metrics.summarize([r for r in results if r["type"] == t]) for t in types},
        "failures": [{"id": r["id"], "error": r["error"]} for r in results if r.get("error")],
        "wrong_by_reason": dict(Counter(r["failure"] for r in results if r.get("failure")).most_common()),
        "settings": public_settings(settings), "info": info, "versions": versions(),
        "timings": timings, "ingest": ingest, **(extra or {}),
    }


# Markdown -----------------------------------------------------------------------------------------
def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def has_newest(*rows: dict[str, Any]) -> bool:
    """Whether any of these summaries scored `newest_statement` (a set with `newest_answers` cases)."""
    return any(row.get("n_newest_statement") for row in rows)


def _columns(ks: list[int], newest: bool = False) -> list[tuple[str, str]]:
    cols = [("cases", "n"), ("accuracy", "accuracy")]
    if newest:
        cols += [("newest_statement", "newest"), ("n_newest_statement", "n newest")]
    cols += [("contains", "contains"), ("exact_match", "EM"), ("token_f1", "F1"), ("lenient", "lenient")]
    cols += [(f"article_recall@{k}", f"art R@{k}") for k in ks] + [(f"article_mrr@{ks[-1]}", f"art MRR@{ks[-1]}")]
    cols += [(f"quote_hit@{ks[-1]}", f"quote hit@{ks[-1]}"), ("context_recall", "ctx R"),
             ("answer_in_context", "ans in ctx"), ("citation_precision", "cite P"),
             ("citation_recall", "cite R"), ("quote_precision", "quote P"), ("cited_sentences", "cited sent."),
             ("refusal_accuracy", "refusal acc"), ("false_refusals", "false refusals"),
             ("latency_p50_s", "p50 s"), ("latency_p95_s", "p95 s")]
    return cols


def markdown(report: dict[str, Any]) -> str:
    ks = report["ks"]
    overall = report["overall"]
    lines = [
        f"# Eval report: {report['set']} ({report['llm']})", "",
        f"- set: `{report['set_path']}` ({report['set_format']}, {overall['cases']} cases, {overall['errors']} errors)"
        + (f" — **interrupted** after {overall['cases']} of {report.get('cases_planned')} cases" if report.get("interrupted") else ""),
        f"- corpus: `{report['corpus']}`; ingest: {report['ingest']['summary']}",
        f"- LLM: {report['info'].get('llm_model') or report['llm']}; embeddings: {report['info'].get('embed_model', '')};"
        f" top_k={report['settings'].get('top_k')}, chunk_size={report['settings'].get('chunk_size')}",
        f"- retrieval measured from: {', '.join(report['retrieval_from']) or '–'}",
        f"- time: {report['timings']['questions_s']:.1f}s for questions, {report['timings']['ingest_s']:.1f}s ingest;"
        f" created {report['created']}",
        "",
        "Accuracy: an answerable case is right when it is answered and contains an acceptable answer (case-insensitive,"
        " on word boundaries); an unanswerable case is right when it is refused. `lenient` is MultiHop-RAG's own score"
        " (any shared word), shown for comparison only.",
        "",
    ]
    newest = has_newest(overall)
    if newest:
        lines += [
            f"Newest statement: **{_fmt(overall.get('newest_statement'))}** over {overall['n_newest_statement']} cases"
            " with `newest_answers` (right when the answer gives the newest statement and, if it also repeats a"
            " superseded one from `stale_answers`, gives the newest first; a refusal counts 0).", "",
        ]
    lines += ["## By question type", ""]
    cols = _columns(ks, newest)
    lines.append("| type | " + " | ".join(label for _, label in cols) + " |")
    lines.append("|---|" + "---:|" * len(cols))
    for name, row in [*report["by_type"].items(), ("**overall**", overall)]:
        lines.append(f"| {name} | " + " | ".join(_fmt(row.get(key)) for key, _ in cols) + " |")
    lines += ["", f"Tokens: {overall['prompt_tokens']} prompt, {overall['completion_tokens']} completion"
              f" ({_fmt(overall.get('tokens_per_case'), 1)} per case).", ""]
    lines += ["![accuracy per type](accuracy_by_type.png)", "", "![latency](latency_hist.png)", ""]
    reasons = report.get("wrong_by_reason") or {}
    if reasons:
        lines += ["## Why cases were wrong", "", "| reason | cases |", "|---|---:|"]
        lines += [f"| {reason} | {count} |" for reason, count in reasons.items()] + [""]
    if report["failures"]:
        lines += ["## Failed cases", ""] + [f"- `{f['id']}`: {f['error']}" for f in report["failures"]] + [""]
    if report["set_format"] == "multihop":
        lines += ["Data: " + MULTIHOP_CREDIT, ""]
    return "\n".join(lines)


# Plots --------------------------------------------------------------------------------------------
def plots(report: dict[str, Any], results: list[dict[str, Any]], out: Path) -> list[str]:
    """accuracy_by_type.png and latency_hist.png; [] when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    names = list(report["by_type"]) + ["overall"]
    rows = list(report["by_type"].values()) + [report["overall"]]
    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(names)), 3.6))
    values = [row.get("accuracy") or 0.0 for row in rows]
    bars = ax.bar(names, values, color=["#4c78a8"] * (len(names) - 1) + ["#f58518"])
    ax.bar_label(bars, labels=[f"{v:.2f}\n(n={row['cases']})" for v, row in zip(values, rows)], fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("accuracy")
    ax.set_title(f"{report['set']} · {report['llm']}")
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    fig.tight_layout()
    fig.savefig(out / "accuracy_by_type.png", dpi=110)
    plt.close(fig)
    written.append("accuracy_by_type.png")

    latencies = [r["latency_s"] for r in results if r.get("latency_s") is not None]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.hist(latencies or [0.0], bins=min(30, max(5, len(latencies) // 3)), color="#4c78a8")
    for q, style in ((50, "--"), (95, ":")):
        value = metrics.percentile(latencies, q)
        if value is not None:
            ax.axvline(value, color="#e45756", linestyle=style, label=f"p{q} {value:.2f}s")
    ax.set_xlabel("seconds per question")
    ax.set_ylabel("questions")
    if latencies:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "latency_hist.png", dpi=110)
    plt.close(fig)
    written.append("latency_hist.png")
    return written


def write_all(report: dict[str, Any], results: list[dict[str, Any]], out: Path) -> None:
    report["plots"] = plots(report, results, out)
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")


# Comparison ---------------------------------------------------------------------------------------
def load_report(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / "report.json"
    if not path.is_file():
        from eval.cases import EvalSetError

        raise EvalSetError(f"{path}: no report.json here; give the --out folder of a finished eval run")
    return json.loads(path.read_text(encoding="utf-8"))


def compare(a_dir: str | Path, b_dir: str | Path) -> str:
    """Two runs side by side: headline metrics overall, then accuracy per question type."""
    a, b = load_report(a_dir), load_report(b_dir)
    ks = sorted(set(a["ks"]) & set(b["ks"])) or a["ks"]
    keys = [k for k, _ in _columns(ks, has_newest(a["overall"], b["overall"]))
            if k not in ("cases", "n_newest_statement")] + ["tokens_per_case"]
    label = lambda r, d: f"{Path(d).name} ({r['llm']}, top_k={r['settings'].get('top_k')})"  # noqa: E731
    lines = [f"A: {label(a, a_dir)}", f"B: {label(b, b_dir)}", "",
             f"{'metric':24} {'A':>9} {'B':>9} {'B-A':>9}"]
    for key in keys:
        va, vb = a["overall"].get(key), b["overall"].get(key)
        delta = vb - va if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
        lines.append(f"{key:24} {_fmt(va):>9} {_fmt(vb):>9} {_fmt(delta):>9}")
    lines += ["", f"{'accuracy by type':24} {'A':>9} {'B':>9} {'B-A':>9}"]
    for kind in sorted(set(a["by_type"]) | set(b["by_type"])):
        va = a["by_type"].get(kind, {}).get("accuracy")
        vb = b["by_type"].get(kind, {}).get("accuracy")
        delta = vb - va if va is not None and vb is not None else None
        lines.append(f"{kind:24} {_fmt(va):>9} {_fmt(vb):>9} {_fmt(delta):>9}")
    return "\n".join(lines)
