"""Run an eval set through Newsdesk's public API and write results.jsonl, report.json, report.md and plots.

Only `qa`'s public API is used (`from qa import Newsdesk, Settings, Filters`). The corpus is indexed into
`DATA_DIR/eval-indexes/<key>`, where the key hashes the corpus files and the chunking/embedding settings,
so a second run over the same corpus reuses the index (ingest finds every article unchanged).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from eval import metrics
from eval.cases import BUNDLED_SETS_DIR, CORPUS_HINT, EvalCase, EvalSetError, declared_corpus, load_set, resolve_set
from eval.gold_ids import corpus_records, record_aliases, resolve_golds, unmatched_golds
from eval.importers import missing_evidence, write_labelled_rag_corpus

DEFAULT_KS = (1, 4, 10)
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples" / "articles"


class CaseTimeout(Exception):
    pass


# Corpus and index ---------------------------------------------------------------------------------
def default_corpus(set_path: Path, fmt: str, cases: list[EvalCase], out_dir: Path) -> Path:
    """The corpus a set is written against (when no --corpus is given), in this order: the `corpus` its header
    declares (relative to the set file); bundled sets (or a byte-identical copy of one) → samples/articles/;
    MultiHop-RAG → corpus.json beside the queries; LabelledRagDataset → source_files/ beside it (else its
    reference contexts)."""
    declared = declared_corpus(set_path, fmt)
    if declared is not None:
        return declared
    if is_bundled(set_path):
        if not SAMPLES_DIR.is_dir():
            raise EvalSetError(f"bundled corpus {SAMPLES_DIR} not found (installed without samples/); pass --corpus PATH")
        return SAMPLES_DIR
    if fmt == "multihop" and (set_path.parent / "corpus.json").is_file():
        return set_path.parent / "corpus.json"
    if fmt == "labelled-rag":
        source_files = set_path.parent / "source_files"
        if source_files.is_dir():
            return source_files
        return write_labelled_rag_corpus(cases, out_dir / "reference_contexts.jsonl")
    raise EvalSetError(f"{set_path}: no corpus known for this set; {CORPUS_HINT}")


def is_bundled(set_path: Path) -> bool:
    """A bundled set, by its place (eval/sets/) or as a byte-identical copy (another checkout, a copy elsewhere)."""
    if set_path.resolve().parent == BUNDLED_SETS_DIR:
        return True
    bundled = BUNDLED_SETS_DIR / set_path.name
    try:
        return bundled.is_file() and bundled.stat().st_size == set_path.stat().st_size and \
            bundled.read_bytes() == set_path.read_bytes()
    except OSError:
        return False


def corpus_files(corpus: Path) -> list[Path]:
    if corpus.is_file():
        return [corpus]
    if corpus.is_dir():
        return sorted(p for p in corpus.rglob("*") if p.is_file() and not any(
            part.startswith(".") for part in p.relative_to(corpus).parts))
    raise EvalSetError(f"{corpus}: corpus not found; pass --corpus with an existing folder or file of articles")


def index_key(corpus: Path, settings: Any) -> str:
    """Hash of the corpus contents and of the settings that shape the index."""
    digest = hashlib.sha256()
    root = corpus if corpus.is_dir() else corpus.parent
    for path in corpus_files(corpus):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for name in ("chunk_size", "chunk_overlap", "embed_model", "embed_backend"):
        digest.update(f"{name}={getattr(settings, name, '')}\0".encode())
    return digest.hexdigest()[:16]


def eval_settings(settings: Any, corpus: Path) -> Any:
    """A copy of the user's settings pointing at the eval index for this corpus (model files shared)."""
    key = index_key(corpus, settings)
    data_dir = Path(settings.data_dir) / "eval-indexes" / key
    data_dir.mkdir(parents=True, exist_ok=True)
    shared_models = Path(settings.data_dir) / "models"
    link = data_dir / "models"
    if not link.exists() and not link.is_symlink():
        shared_models.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(shared_models.resolve(), target_is_directory=True)
        except OSError:
            pass  # no symlinks here: the eval index keeps its own model copy
    largest_mb = max((p.stat().st_size for p in corpus_files(corpus)), default=0) / 1e6
    return settings.model_copy(update={
        "data_dir": data_dir,
        "collection": f"eval-{key}",
        "max_file_mb": max(float(settings.max_file_mb), largest_mb + 1),
    })


# One case -----------------------------------------------------------------------------------------
def call_with_timeout(fn: Callable[[], Any], timeout_s: float | None, grace_s: float = 300.0) -> Any:
    """Run fn; past timeout_s raise CaseTimeout (after letting it finish for up to grace_s, so that two
    questions never run at once on a model that is not thread-safe)."""
    if not timeout_s:
        return fn()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        worker.join(grace_s)
        raise CaseTimeout(f"no answer within {timeout_s:g}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _passages(desk: Any, question: str, filters: Any, k: int, fallback: list[dict[str, Any]]) -> tuple[list[dict], str]:
    """Ranked passages for retrieval metrics: `desk.retrieve(..., k)` where qa offers it, else the answer's contexts.
    Twice the largest k is fetched, so that "top k articles" means k distinct articles even when an article
    has several passages; quote metrics use the first k passages."""
    retrieve = getattr(desk, "retrieve", None)
    if callable(retrieve):
        found = retrieve(question, filters=filters, k=k)
        return [dataclasses.asdict(p) if dataclasses.is_dataclass(p) else dict(p) for p in found], "retrieve"
    return fallback, "answer.contexts"


def run_case(desk: Any, case: EvalCase, filters_cls: Any, ks: tuple[int, ...], bodies: Callable[[str], str | None],
             timeout_s: float | None = None, aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """Ask one question and score it; any exception or timeout is recorded in the result, never raised.
    `aliases` maps corpus record ids (as gold articles) to indexed article ids (see eval.gold_ids)."""
    golds = resolve_golds(case.gold_articles, aliases or {})
    result: dict[str, Any] = {
        "id": case.id, "type": case.type, "question": case.question, "answers": case.answers,
        "gold_articles": case.gold_articles, "filters": case.filters, "answer": "", "refused": False, "refusal_reason": "",
        "correct": False, "citations": [], "retrieved": [], "scores": {}, "latency_s": None,
        "prompt_tokens": 0, "completion_tokens": 0, "llm": "", "error": None,
    }
    if case.newest_answers:  # news that changes over time (metrics.newest_statement)
        result.update(newest_answers=case.newest_answers, stale_answers=case.stale_answers)
    if golds != case.gold_articles:
        result["gold_article_ids"] = golds  # the record ids above, as the indexed articles' ids
    try:
        filters = filters_cls(**case.filters) if case.filters else None
        started = time.perf_counter()
        answer = call_with_timeout(lambda: desk.ask(case.question, filters=filters), timeout_s)
        result["latency_s"] = round(time.perf_counter() - started, 4)
        data = answer.to_json()
        passages, result["retrieval_from"] = _passages(desk, case.question, filters, 2 * max(ks), data.get("contexts", []))
        text, citations = data.get("answer", ""), data.get("citations", [])
        cited_bodies = {c["article_id"]: bodies(c["article_id"]) for c in citations if c.get("article_id")}
        scores: dict[str, Any] = {
            "exact_match": metrics.exact_match(text, case.answers),
            "token_f1": metrics.token_f1(text, case.answers),
            "contains": metrics.contains_answer(text, case.answers),
            "lenient": metrics.lenient_overlap(text, case.answers or _original_gold(case)),
            **metrics.retrieval_scores(passages, golds, case.gold_quotes, ks),
            "context_recall": metrics.context_recall(data.get("contexts", []), golds),
            "answer_in_context": metrics.answer_in_context(data.get("context", ""), case.answers,
                                                           metrics.context_recall(data.get("contexts", []), golds)),
            **metrics.citation_scores(text, citations, golds,
                                      {k: v for k, v in cited_bodies.items() if v is not None}),
        }
        if citations:
            scores["support"] = metrics.mean(c.get("support") for c in citations)
        scores["newest_statement"] = metrics.newest_statement(text, case.newest_answers, case.stale_answers,
                                                              bool(data.get("refused")))
        result.update(
            answer=text, refused=bool(data.get("refused")), refusal_reason=data.get("refusal_reason") or "", scores=scores, llm=data.get("llm", ""),
            prompt_tokens=int(data.get("prompt_tokens") or 0), completion_tokens=int(data.get("completion_tokens") or 0),
            context=data.get("context", ""), draft=data.get("draft", ""),
            citations=[{k: c.get(k) for k in ("n", "article_id", "title", "url", "quote", "dates", "support")}
                       for c in citations],
            retrieved=[{"rank": i, "article_id": p.get("article_id"), "title": p.get("title"), "url": p.get("url"),
                        "chunk_id": p.get("chunk_id"), "score": p.get("score")} for i, p in enumerate(passages, 1)],
        )
        result["correct"] = metrics.is_correct(case.answers, text, result["refused"])
    except Exception as exc:  # noqa: BLE001 - one failing case must not abort the run
        result["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
    result["failure"] = metrics.failure_reason(result)
    return result


def _original_gold(case: EvalCase) -> list[str]:
    """An imported unanswerable case's original answer (MultiHop-RAG: "Insufficient information."), which
    MultiHop-RAG's own lenient scorer compares against."""
    gold = case.meta.get("gold_answer")
    return [gold] if isinstance(gold, str) and gold.strip() else []


# The run ------------------------------------------------------------------------------------------
def select_cases(cases: list[EvalCase], limit: int | None, spread: bool = False) -> list[EvalCase]:
    """The first `limit` cases, or with `spread` `limit` cases evenly spaced over the set (a proportional
    sample by type when the file is grouped by type, as MultiHop-RAG is)."""
    if not limit or limit >= len(cases):
        return cases
    if not spread:
        return cases[:limit]
    return [cases[i * len(cases) // limit] for i in range(limit)]


def run_eval(set_path: str | Path, corpus: str | Path | None = None, settings: Any = None, limit: int | None = None,
             out_dir: str | Path | None = None, ks: tuple[int, ...] = DEFAULT_KS, case_timeout_s: float | None = None,
             progress: bool | None = None, spread: bool = False) -> dict[str, Any]:
    """Index the corpus (or reuse its index), ask every question, score, and write the report files.
    Returns the report (also written as `out_dir/report.json`)."""
    from qa import Filters, Newsdesk, Settings

    from eval import report as reporting

    started = time.perf_counter()
    settings = settings or Settings()
    cases, fmt = load_set(set_path)
    set_file = resolve_set(str(set_path))
    cases = select_cases(cases, limit, spread)
    out = Path(out_dir) if out_dir else Path(settings.data_dir) / "eval-runs" / f"{set_file.stem}-{settings.llm}-{time.strftime('%Y%m%d-%H%M%S')}"
    corpus_path = Path(corpus).expanduser() if corpus else default_corpus(set_file, fmt, cases, out)
    out.mkdir(parents=True, exist_ok=True)
    desk_settings = eval_settings(settings, corpus_path)
    desk = Newsdesk(desk_settings)

    t0 = time.perf_counter()
    ingest = desk.ingest([str(corpus_path)])
    ingest_s = time.perf_counter() - t0
    if not any(r.status != "failed" for r in ingest.results):
        first = ingest.failed[0].error if ingest.failed else "no articles found"
        raise EvalSetError(f"{corpus_path}: nothing could be indexed ({first})")
    aliases, gold_extra = gold_article_aliases(desk, cases, corpus_path)

    body_cache: dict[str, str | None] = {}

    def body_of(article_id: str) -> str | None:
        if article_id not in body_cache:
            article = desk.article(article_id)
            body_cache[article_id] = article.body if article is not None else None
        return body_cache[article_id]

    from tqdm import tqdm

    results: list[dict[str, Any]] = []
    show = (sys.stderr.isatty() or os.environ.get("NEWSDESK_PROGRESS") == "1") if progress is None else progress
    bar = tqdm(cases, desc=f"eval {set_file.stem}", unit="q", disable=not show)
    t1 = time.perf_counter()
    interrupted = False
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        try:
            for case in bar:
                result = run_case(desk, case, Filters, tuple(ks), body_of, case_timeout_s, aliases)
                results.append(result)
                f.write(json.dumps(result, ensure_ascii=False) + "\n")
                f.flush()
                bar.set_postfix(acc=f"{metrics.mean(float(r['correct']) for r in results):.2f}",
                                errors=sum(1 for r in results if r["error"]))
        except KeyboardInterrupt:  # Ctrl-C: report the cases done so far
            interrupted = True
            print(f"interrupted: reporting the {len(results)} of {len(cases)} cases done", file=sys.stderr)
    bar.close()
    run_s = time.perf_counter() - t1

    extra: dict[str, Any] = {"interrupted": interrupted, "cases_planned": len(cases), **gold_extra}
    if fmt == "multihop" and corpus_path.is_file() and corpus_path.suffix == ".json":
        extra["missing_evidence_urls"] = missing_evidence(cases, corpus_path)
    report = reporting.build_report(
        results, set_name=set_file.stem, set_path=str(set_file), set_format=fmt, corpus=str(corpus_path),
        settings=desk_settings, info=_info(desk), ks=tuple(ks),
        timings={"ingest_s": round(ingest_s, 3), "questions_s": round(run_s, 3),
                 "total_s": round(time.perf_counter() - started, 3)},
        ingest={"summary": ingest.summary(), "failed": [r.error for r in ingest.failed]},
        extra={"out_dir": str(out), **extra},
    )
    reporting.write_all(report, results, out)
    return report


def gold_article_aliases(desk: Any, cases: list[EvalCase], corpus_path: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Map gold entries that are corpus record ids to the indexed articles, and list gold entries that name no
    indexed article at all (a typo, or a set written against another corpus: its retrieval scores would be 0)."""
    golds = {g.strip() for c in cases for g in c.gold_articles if g.strip()}
    if not golds:
        return {}, {}
    articles = desk.articles()
    records = [r for r in corpus_records(corpus_files(corpus_path)) if r.record_id in golds]
    aliases, ambiguous = record_aliases(records, articles)
    unmatched = unmatched_golds(resolve_golds(sorted(golds), aliases), articles)
    extra: dict[str, Any] = {"gold_record_ids_mapped": len(aliases), "unmatched_gold_articles": unmatched}
    if ambiguous:
        extra["ambiguous_gold_record_ids"] = ambiguous
    return aliases, extra


def _info(desk: Any) -> dict[str, Any]:
    try:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in desk.info().items()}
    except Exception as exc:  # noqa: BLE001 - info is decoration, not a reason to fail the run
        return {"error": str(exc)}
