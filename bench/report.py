"""The results table and the issue's targets (met / missed) computed from a results document."""

from __future__ import annotations

from typing import Any


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _per(data: dict[str, Any], count: str, seconds: str) -> float | None:
    return round(data[count] / data[seconds], 2) if data.get(seconds) else None


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per issue target that this run measured: value, target, met."""
    ph = results.get("phases", {})
    rows: list[dict[str, Any]] = []

    def add(name: str, value: Any, target: str, met: bool | None) -> None:
        if value is not None:
            rows.append({"target": name, "value": value, "goal": target, "met": met})

    ratio = _get(ph, "ingest_first", "ratio_chunks_per_s")
    add("first ingest chunks/s vs baseline", ratio, ">= 3x", None if ratio is None else ratio >= 3)
    for key, label in (("ratio_articles_per_s", "articles/s"), ("ratio_chunks_per_cpu_s", "chunks per CPU-second"),
                       ("ratio_articles_per_cpu_s", "articles per CPU-second")):
        value = _get(ph, "ingest_first", key)
        add(f"first ingest {label} vs baseline", value, ">= 3x", None if value is None else value >= 3)
    for set_name in ("samples", "multihop"):
        quality = _get(ph, "quality", set_name) or {}
        base = _get(quality, "baseline", "hit_rate@5")
        main_backend = results.get("meta", {}).get("options", {}).get("backend")
        ours = _get(quality, f"ours:{main_backend}", "hit_rate@5")
        if ours is not None and base is not None:
            add(f"hit rate@5 ({set_name}) ours - baseline, points", round(ours - base, 1), ">= -1",
                ours - base >= -1)
    speedup = _get(ph, "ingest_again", "speedup_vs_first")
    add("re-ingest speed-up vs first ingest", speedup, ">= 50x", None if speedup is None else speedup >= 50)
    p50, p95 = _get(ph, "retrieval", "ours", "p50_ms"), _get(ph, "retrieval", "ours", "p95_ms")
    chunks = _get(ph, "retrieval", "ours", "chunks")
    add(f"retrieval p50 ms at {chunks} chunks (full Newsdesk.retrieve)", p50, "<= 20", None if p50 is None else p50 <= 20)
    add(f"retrieval p95 ms at {chunks} chunks (full Newsdesk.retrieve)", p95, "<= 50", None if p95 is None else p95 <= 50)
    for size, scale in (ph.get("store_scale") or {}).items():
        emb = _get(scale, "with_query_embedding") or {}
        if size == "100000":
            add("retrieval p50 ms at 100k (query embedding + store)", emb.get("p50_ms"), "<= 20",
                None if emb.get("p50_ms") is None else emb["p50_ms"] <= 20)
            add("retrieval p95 ms at 100k (query embedding + store)", emb.get("p95_ms"), "<= 50",
                None if emb.get("p95_ms") is None else emb["p95_ms"] <= 50)
        if size == "1000000":
            p95_store = _get(scale, "store_query", "p95_ms")
            add("store query p95 ms at 1M", p95_store, "<= 50", None if p95_store is None else p95_store <= 50)
    local = _get(ph, "answers", "local") or {}
    add("local model TTFT p50 ms", local.get("ttft_p50_ms"), "<= 3000",
        None if local.get("ttft_p50_ms") is None else local["ttft_p50_ms"] <= 3000)
    add("local model full answer p50 ms", local.get("total_p50_ms"), "<= 10000",
        None if local.get("total_p50_ms") is None else local["total_p50_ms"] <= 10000)
    add("local model answering peak RSS MB", local.get("peak_rss_mb"), "<= 3072",
        None if local.get("peak_rss_mb") is None else local["peak_rss_mb"] <= 3072)
    extractive = _get(ph, "answers", "extractive", "total_p50_ms")
    add("extractive answer p50 ms", extractive, "<= 100", None if extractive is None else extractive <= 100)
    rss = _get(ph, "ingest_first", "ours", "peak_rss_mb")
    articles = _get(ph, "ingest_first", "ours", "articles")
    add(f"ingest peak RSS MB ({articles} articles)", rss, "<= 2048 (at 10k articles)",
        None if rss is None else rss <= 2048)
    return rows


def format_table(results: dict[str, Any]) -> str:
    """A plain-text summary: speed side by side, quality, answers, store scale, targets."""
    ph = results.get("phases", {})
    lines = [f"corpus: {results.get('meta', {}).get('corpus')}", ""]
    lines.append(f"{'phase':34} {'ours':>14} {'baseline':>14} {'ours/base':>10} {'peak RSS MB (ours/base)':>24}")

    def row(label: str, ours: Any, base: Any, ratio: Any, rss: tuple[Any, Any]) -> None:
        lines.append(f"{label:34} {_fmt(ours):>14} {_fmt(base):>14} {_fmt(ratio):>10} "
                     f"{_fmt(rss[0]) + ' / ' + _fmt(rss[1]):>24}")

    first = ph.get("ingest_first", {})
    o, b = first.get("ours", {}), first.get("baseline", {})
    row("first ingest chunks/s", o.get("chunks_per_s"), b.get("chunks_per_s"), first.get("ratio_chunks_per_s"),
        (o.get("peak_rss_mb"), b.get("peak_rss_mb")))
    row("first ingest articles/s", o.get("articles_per_s"), b.get("articles_per_s"),
        first.get("ratio_articles_per_s"), (None, None))
    row("first ingest chunks per CPU-second", o.get("chunks_per_cpu_s"), b.get("chunks_per_cpu_s"),
        first.get("ratio_chunks_per_cpu_s"), (None, None))
    row("first ingest articles per CPU-second", _per(o, "articles", "cpu_seconds"), _per(b, "articles", "cpu_seconds"),
        first.get("ratio_articles_per_cpu_s"), (None, None))
    row("first ingest chunks", o.get("chunks_embedded"), b.get("chunks_embedded"), None, (None, None))
    again = ph.get("ingest_again", {})
    a = again.get("ours", {})
    row("re-ingest seconds (unchanged)", a.get("seconds"), None, None, (a.get("peak_rss_mb"), None))
    row("re-ingest speed-up vs first", again.get("speedup_vs_first"), None, None, (None, None))
    r = ph.get("retrieval", {})
    ro, rb = r.get("ours", {}), r.get("baseline", {})
    row("retrieval p50 ms", ro.get("p50_ms"), rb.get("p50_ms"), r.get("ratio_p50"),
        (ro.get("peak_rss_mb"), rb.get("peak_rss_mb")))
    row("retrieval p95 ms", ro.get("p95_ms"), rb.get("p95_ms"), None, (None, None))
    row("retrieval CPU ms per query p50", _get(ro, "cpu", "p50_ms"), _get(rb, "cpu", "p50_ms"), None, (None, None))
    lines += ["", f"{'quality (top 5)':34} {'hit rate@5':>14} {'recall@5':>14} {'cases':>10} {'ingest chunks/s':>24}"]
    for set_name, systems in (ph.get("quality") or {}).items():
        for system, q in systems.items():
            if isinstance(q, dict):
                lines.append(f"{set_name + ' ' + system:34} {_fmt(q.get('hit_rate@5')):>14} {_fmt(q.get('recall@5')):>14} "
                             f"{_fmt(q.get('cases')):>10} {_fmt(q.get('ingest_chunks_per_s')):>24}")
    lines += ["", f"{'answers':34} {'TTFT p50/p95 ms':>20} {'full p50/p95 ms':>20} {'peak RSS MB':>12}"]
    for llm, ans in (ph.get("answers") or {}).items():
        lines.append(f"{llm:34} {_fmt(ans.get('ttft_p50_ms')) + ' / ' + _fmt(ans.get('ttft_p95_ms')):>20} "
                     f"{_fmt(ans.get('total_p50_ms')) + ' / ' + _fmt(ans.get('total_p95_ms')):>20} "
                     f"{_fmt(ans.get('peak_rss_mb')):>12}" + (f"  error: {ans['error']}" if ans.get("error") else ""))
    lines += ["", f"{'store scale (synthetic 384-d)':34} {'insert/s':>10} {'p50/p95 ms':>16} {'+embed p50/p95':>16} {'disk MB':>9}"]
    for size, s in (ph.get("store_scale") or {}).items():
        sq, we = s.get("store_query", {}), s.get("with_query_embedding", {})
        lines.append(f"{int(size):>34,} {_fmt(s.get('insert_per_s')):>10} "
                     f"{_fmt(sq.get('p50_ms')) + ' / ' + _fmt(sq.get('p95_ms')):>16} "
                     f"{_fmt(we.get('p50_ms')) + ' / ' + _fmt(we.get('p95_ms')):>16} {_fmt(s.get('disk_mb')):>9}")
    lines += ["", "targets:"]
    for t in results.get("targets", []):
        status = {True: "met", False: "MISSED", None: "-"}[t["met"]]
        lines.append(f"  {status:7} {t['target']}: {_fmt(t['value'])} (goal {t['goal']})")
    if results.get("errors"):
        lines += ["", "errors:"] + [f"  {e}" for e in results["errors"]]
    return "\n".join(lines)
