"""Precision and recall of qa's support check against hand labels.

The labelled set (`eval/support/labels.jsonl`) holds answer sentences written by the default local model on the
dev sets, each labelled by reading the sources the model was given: `supported` (the sources state it, or it
follows directly from what they state) or not. This module re-runs qa's support check on every labelled
sentence, against the same retrieved sources, and reports how often the check agrees:

    python -m eval.support_check eval/support/labels.jsonl --run wiki=RUN_DIR --run mh=RUN_DIR

Each `RUN_DIR` is a `newsdesk eval` output folder; its `results.jsonl` gives the questions and contexts, and the
index of that run is reopened through qa's public API (the corpus must still be indexed in the data dir).
Labels carry no article text, only the case id, the sentence and the verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def sentences_of(draft: str) -> list[str]:
    """The checkable sentences of a draft (its last attempt when it was retried), as the check splits them."""
    from qa.citations import parse_claims
    from qa.prompting import is_refusal
    from qa.types import RETRY_MARK, SIDES_MARK

    final = draft.split(SIDES_MARK)[0].split(RETRY_MARK)[-1]
    return [c.text for c in parse_claims(final) if not is_refusal(c.text) and not c.trivial]


def check_decisions(desk: Any, question: str, texts: list[str]) -> list[tuple[bool, float]]:
    """qa's verdict (supported?, support score) for each sentence, against the sources qa builds for `question`."""
    from qa.answer_types import answer_kind
    from qa.citations import Claim, check_claims
    from qa.context import build_sources

    engine = desk.engine()
    s = desk.settings
    found = engine.retriever.retrieve(question)
    sources = build_sources(found.context_hits(), question, found.query_vector, engine.sentences,
                            s.context_sentences, s.context_words, answer_kind(question))
    if not sources or not texts:
        return [(False, 0.0) for _ in texts]
    claims = [Claim(t) for t in texts]
    check_claims(claims, engine._claim_vectors(texts, sources), sources, s.support_threshold, question)
    return [(bool(c.sources), round(c.support, 3)) for c in claims]


def score(labels: list[dict[str, Any]], decisions: list[bool]) -> dict[str, float | int]:
    """Precision/recall of 'supported' (the check passing a sentence) against the labels."""
    tp = sum(1 for l, d in zip(labels, decisions) if d and l["supported"])
    fp = sum(1 for l, d in zip(labels, decisions) if d and not l["supported"])
    fn = sum(1 for l, d in zip(labels, decisions) if not d and l["supported"])
    tn = sum(1 for l, d in zip(labels, decisions) if not d and not l["supported"])
    return {"sentences": len(labels), "labelled_supported": tp + fn, "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0, "true_negatives": tn, "false_positives": fp}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labels")
    parser.add_argument("--run", action="append", default=[], help="SET=RUN_DIR (the eval run the labels came from)")
    parser.add_argument("--disagreements", action="store_true", help="also list the sentences the check gets wrong")
    args = parser.parse_args(argv)
    from qa import Newsdesk, Settings

    labels = [json.loads(line) for line in Path(args.labels).read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = dict(r.split("=", 1) for r in args.run)
    decisions: list[bool] = []
    kept: list[dict[str, Any]] = []
    for set_name, run_dir in runs.items():
        report = json.loads((Path(run_dir) / "report.json").read_text(encoding="utf-8"))
        saved = {k: v for k, v in report["settings"].items() if k in Settings.model_fields and "api_key" not in k}
        desk = Newsdesk(Settings(**{**saved, "llm": "extractive"}))  # a report may predate or mask a setting
        results = {json.loads(l)["id"]: json.loads(l) for l in (Path(run_dir) / "results.jsonl").open(encoding="utf-8")}
        mine = [l for l in labels if l["set"] == set_name]
        by_case: dict[str, list[dict[str, Any]]] = {}
        for label in mine:
            by_case.setdefault(label["case"], []).append(label)
        for case, items in by_case.items():
            got = check_decisions(desk, results[case]["question"], [i["sentence"] for i in items])
            decisions += [d for d, _ in got]
            kept += items
    print(json.dumps(score(kept, decisions), indent=2))
    if args.disagreements:
        for label, decided in zip(kept, decisions):
            if decided != label["supported"]:
                wrong = "passed, labelled unsupported" if decided else "rejected, labelled supported"
                print(f"{label['set']} {label['case']} {wrong}: {label['sentence']} ({label['why']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
