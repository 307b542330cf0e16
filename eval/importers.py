"""Importers for public eval formats: MultiHop-RAG and llama-index `LabelledRagDataset` JSON.

MultiHop-RAG (Tang & Yang 2024, ODC-BY 1.0) ships `MultiHopRAG.json` — a list of
`{query, answer, question_type, evidence_list: [{title, author, url, source, category, published_at, fact}]}` —
and `corpus.json` — a list of `{title, author, source, published_at, category, url, body}`, which Newsdesk
ingests as it is. `null_query` cases become unanswerable cases (the right behaviour is a refusal).

A `LabelledRagDataset` saved by llama-index (`save_json`) is `{"examples": [{query, query_by, reference_contexts,
reference_answer, reference_answer_by}]}`; llama-hub datasets keep their documents in `source_files/` beside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.cases import EvalCase, EvalSetError, read_text

MULTIHOP_TYPES = {
    "inference_query": "inference",
    "comparison_query": "comparison",
    "temporal_query": "temporal",
    "null_query": "unanswerable",
}


def _load_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise EvalSetError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); check the file is complete") from None


def load_multihop_queries(path: Path) -> list[EvalCase]:
    """`MultiHopRAG.json` (or a subset of it) → cases; gold articles are the evidence URLs."""
    data = _load_json(path)
    if not isinstance(data, list):
        raise EvalSetError(f"{path}: expected a JSON list of MultiHop-RAG queries")
    cases = []
    for i, item in enumerate(data, start=1):
        where = f"{path.name} item {i}"
        if not isinstance(item, dict) or not isinstance(item.get("query"), str):
            raise EvalSetError(f"{where}: missing field 'query'; each item needs query, answer, question_type, evidence_list")
        source_type = str(item.get("question_type", ""))
        kind = MULTIHOP_TYPES.get(source_type, source_type.removesuffix("_query") or "unknown")
        evidence = item.get("evidence_list") or []
        if not isinstance(evidence, list):
            raise EvalSetError(f"{where}: field 'evidence_list' must be a list")
        urls = _unique(str(e.get("url", "")) for e in evidence if isinstance(e, dict) and e.get("url"))
        facts = _unique(str(e.get("fact", "")) for e in evidence if isinstance(e, dict) and e.get("fact"))
        answer = str(item.get("answer", "")).strip()
        unanswerable = kind == "unanswerable"
        cases.append(EvalCase(
            id=f"mh-{i:04d}",
            question=item["query"].strip(),
            answers=[] if unanswerable or not answer else [answer],
            gold_articles=[] if unanswerable else urls,
            gold_quotes=[] if unanswerable else facts,
            type=kind,
            meta={"question_type": source_type, "gold_answer": answer},
        ))
    if not cases:
        raise EvalSetError(f"{path}: no queries found")
    return cases


def multihop_corpus_urls(corpus_path: Path) -> set[str]:
    """URLs of the articles in a MultiHop-RAG `corpus.json` (checks it is in that format)."""
    data = _load_json(corpus_path)
    if not isinstance(data, list) or not all(isinstance(a, dict) and "body" in a for a in data):
        raise EvalSetError(f"{corpus_path}: expected a JSON list of articles with title, body, url, source, published_at")
    return {str(a.get("url", "")) for a in data if a.get("url")}


def missing_evidence(cases: list[EvalCase], corpus_path: Path) -> list[str]:
    """Gold URLs that the corpus does not hold (should be empty for a matching corpus/query pair)."""
    urls = multihop_corpus_urls(corpus_path)
    return sorted({g for c in cases for g in c.gold_articles if g.startswith("http") and g not in urls})


def load_labelled_rag(path: Path) -> list[EvalCase]:
    """llama-index `LabelledRagDataset` JSON → cases; reference contexts become gold quotes."""
    data = _load_json(path)
    examples = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(examples, list):
        raise EvalSetError(f"{path}: expected {{\"examples\": [...]}} as written by LabelledRagDataset.save_json")
    cases = []
    for i, ex in enumerate(examples, start=1):
        where = f"{path.name} example {i}"
        if not isinstance(ex, dict) or not isinstance(ex.get("query"), str) or not ex["query"].strip():
            raise EvalSetError(f"{where}: missing field 'query'")
        answer = ex.get("reference_answer") or ""
        contexts = ex.get("reference_contexts") or []
        if not isinstance(answer, str) or not isinstance(contexts, list):
            raise EvalSetError(f"{where}: 'reference_answer' must be a string and 'reference_contexts' a list")
        cases.append(EvalCase(
            id=f"lr-{i:04d}",
            question=ex["query"].strip(),
            answers=[answer.strip()] if answer.strip() else [],
            gold_quotes=[c for c in contexts if isinstance(c, str) and c.strip()],
            type="labelled-rag" if answer.strip() else "unanswerable",
            meta={"query_by": _created_by(ex.get("query_by")), "reference_answer_by": _created_by(ex.get("reference_answer_by"))},
        ))
    if not cases:
        raise EvalSetError(f"{path}: 'examples' is empty")
    return cases


def write_labelled_rag_corpus(cases: list[EvalCase], out_file: Path) -> Path:
    """A JSONL corpus with one article per distinct reference context, for datasets without source files."""
    contexts = _unique(q for c in cases for q in c.gold_quotes)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with out_file.open("w", encoding="utf-8") as f:
        for n, text in enumerate(contexts, start=1):
            f.write(json.dumps({"title": f"Reference context {n}", "body": text, "source": "LabelledRagDataset"}) + "\n")
    return out_file


def _created_by(value: Any) -> str:
    if isinstance(value, dict):
        kind, model = value.get("type", ""), value.get("model_name") or ""
        return f"{kind} ({model})" if kind == "ai" and model else str(kind)
    return "" if value is None else str(value)


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v not in seen:
            seen[v] = None
    return list(seen)
