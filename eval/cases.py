"""Eval cases: the JSONL format, its validation, and loading any supported set file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TYPES = ("single-article", "multi-article", "temporal", "comparison", "unanswerable")
FILTER_KEYS = ("sources", "since", "until", "article_ids")
BUNDLED_SETS_DIR = Path(__file__).resolve().parent / "sets"


CORPUS_HINT = ("give one with --corpus PATH (a folder or file of articles), or declare it in the set file: "
               "make its first line {\"corpus\": \"PATH\"} (PATH relative to the set file; for a JSON list set, "
               "write {\"corpus\": \"PATH\", \"cases\": [...]})")


class EvalSetError(ValueError):
    """A set file that cannot be read; the message names the file, the line or field, and the fix."""


@dataclass
class EvalCase:
    """One question with its acceptable answers and the evidence that supports them."""

    id: str
    question: str
    answers: list[str] = field(default_factory=list)  # empty: unanswerable, the right behaviour is a refusal
    gold_articles: list[str] = field(default_factory=list)  # URL, article id, or exact title
    gold_quotes: list[str] = field(default_factory=list)  # sentences that retrieval should bring back
    type: str = "single-article"
    filters: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # importer extras (e.g. the original gold answer)
    # news that changes over time: what the newest statement says, and what superseded statements said
    newest_answers: list[str] = field(default_factory=list)
    stale_answers: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in (None, {}, []) or k in ("answers", "gold_articles")}


def case_from_dict(data: Any, where: str) -> EvalCase:
    """Validate one JSON object; `where` ("file.jsonl line 3") prefixes every error."""
    if not isinstance(data, dict):
        raise EvalSetError(f"{where}: expected a JSON object, got {type(data).__name__}")
    for key in ("id", "question"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise EvalSetError(f"{where}: field '{key}' is missing or empty; every case needs a non-empty '{key}' string")
    lists = {}
    for key in ("answers", "gold_articles", "gold_quotes", "newest_answers", "stale_answers"):
        value = data.get(key, [])
        if value is None:
            value = []
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if key == "gold_articles" and isinstance(value, list):  # a corpus record's own numeric id, e.g. 7
            value = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise EvalSetError(f"{where}: field '{key}' must be a list of strings")
        lists[key] = [v for v in value if v.strip()]
    kind = data.get("type") or ("single-article" if lists["answers"] else "unanswerable")
    if not isinstance(kind, str):
        raise EvalSetError(f"{where}: field 'type' must be a string such as {', '.join(TYPES)}")
    if kind == "unanswerable" and lists["answers"]:
        raise EvalSetError(f"{where}: an 'unanswerable' case must have an empty 'answers' list")
    if lists["stale_answers"] and not lists["newest_answers"]:
        raise EvalSetError(f"{where}: 'stale_answers' needs 'newest_answers' (what the newest statement says)")
    if lists["newest_answers"] and not lists["answers"]:
        raise EvalSetError(f"{where}: 'newest_answers' needs an answerable case (a non-empty 'answers' list)")
    filters = data.get("filters")
    if filters is not None:
        if not isinstance(filters, dict) or set(filters) - set(FILTER_KEYS):
            raise EvalSetError(f"{where}: field 'filters' must be an object with keys among {', '.join(FILTER_KEYS)}")
    meta = data.get("meta") or {}
    return EvalCase(id=data["id"].strip(), question=data["question"].strip(), type=kind, filters=filters or None,
                    meta=meta if isinstance(meta, dict) else {}, **lists)


def is_header(data: Any) -> bool:
    """A set header record: an object with a 'corpus' field and no 'question' (see `set_header`)."""
    return isinstance(data, dict) and "corpus" in data and "question" not in data


def _jsonl_records(path: Path) -> list[tuple[int, Any]]:
    records = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise EvalSetError(f"{path.name} line {number}: not valid JSON ({exc.msg}); write one JSON object per line") from None
    return records


def load_jsonl(path: Path) -> list[EvalCase]:
    """Read our own JSONL set format (blank lines and lines starting with // are skipped; a first record
    {"corpus": ...} is the set header, not a case)."""
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for position, (number, data) in enumerate(_jsonl_records(path)):
        where = f"{path.name} line {number}"
        if is_header(data):
            if position:
                raise EvalSetError(f"{where}: a set header ({{\"corpus\": ...}}) must be the first record of the file; move it to the top")
            continue
        case = case_from_dict(data, where)
        if case.id in seen:
            raise EvalSetError(f"{where}: duplicate id '{case.id}'; give every case its own id")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise EvalSetError(f"{path}: no cases found; write one JSON object per line")
    return cases


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvalSetError(f"{path}: no such file; give a set name ({', '.join(bundled_sets())}) or a path") from None
    except UnicodeDecodeError:
        raise EvalSetError(f"{path}: not UTF-8 text; save the set as UTF-8") from None


def set_header(path: Path, fmt: str | None = None) -> dict[str, Any]:
    """The set's header: in a JSONL set its first record when that is {"corpus": "PATH", ...} (no "question");
    in a JSON set the object {"corpus": "PATH", "cases": [...]}. Empty when there is none."""
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        records = _jsonl_records(path)
        header = records[0][1] if records and is_header(records[0][1]) else {}
    elif fmt == "json-list":
        data = json.loads(read_text(path))
        header = {k: v for k, v in data.items() if k != "cases"} if isinstance(data, dict) else {}
    else:
        return {}
    return dict(header)


def declared_corpus(path: Path, fmt: str | None = None) -> Path | None:
    """The corpus a set file declares in its header ('corpus', relative to the set file's folder), or None."""
    header = set_header(path, fmt)
    if "corpus" not in header:
        return None
    value = header["corpus"]
    if not isinstance(value, str) or not value.strip():
        raise EvalSetError(f"{path}: the header's 'corpus' must be a non-empty path string (a folder or file of articles); "
                           "fix it, or pass --corpus PATH")
    corpus = Path(value.strip()).expanduser()
    if not corpus.is_absolute():
        corpus = path.resolve().parent / corpus
    if not corpus.exists():
        raise EvalSetError(f"{path}: the header declares corpus '{value}', but {corpus} does not exist; "
                           "fix the 'corpus' field (relative to the set file) or pass --corpus PATH")
    return corpus


def bundled_sets() -> list[str]:
    return sorted(p.stem for p in BUNDLED_SETS_DIR.glob("*.jsonl"))


def resolve_set(name_or_path: str) -> Path:
    """A bundled set name (e.g. 'samples') or a path to a set file."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    bundled = BUNDLED_SETS_DIR / f"{name_or_path}.jsonl"
    if bundled.is_file():
        return bundled
    raise EvalSetError(f"{name_or_path}: no such set file or bundled set; bundled sets: {', '.join(bundled_sets())}")


def detect_format(path: Path) -> str:
    """'jsonl' (ours), 'multihop' (MultiHopRAG.json), or 'labelled-rag' (llama-index LabelledRagDataset)."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        if text.lstrip().startswith("{") and "\n{" in text:
            return "jsonl"
        raise EvalSetError(f"{path}: not valid JSON; give a JSONL set, MultiHopRAG.json or a LabelledRagDataset JSON") from None
    if isinstance(data, dict) and isinstance(data.get("examples"), list):
        return "labelled-rag"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "query" in data[0] and "evidence_list" in data[0]:
        return "multihop"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "question" in data[0]:
        return "json-list"
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        return "json-list"  # {"corpus": "PATH", "cases": [...]}
    raise EvalSetError(
        f"{path}: unknown set format; expected our JSONL cases, a MultiHop-RAG query list (query, answer, "
        "question_type, evidence_list) or a LabelledRagDataset ({\"examples\": [...]})"
    )


def load_set(name_or_path: str | Path) -> tuple[list[EvalCase], str]:
    """Cases of any supported set, and the detected format name."""
    from eval import importers

    path = resolve_set(str(name_or_path))
    fmt = detect_format(path)
    if fmt == "jsonl":
        return load_jsonl(path), fmt
    if fmt == "multihop":
        return importers.load_multihop_queries(path), fmt
    if fmt == "labelled-rag":
        return importers.load_labelled_rag(path), fmt
    data = json.loads(read_text(path))
    if isinstance(data, dict):
        data = data["cases"]
    cases = [case_from_dict(item, f"{path.name} item {i + 1}") for i, item in enumerate(data)]
    if not cases:
        raise EvalSetError(f"{path}: no cases found; 'cases' is empty")
    return cases, fmt
