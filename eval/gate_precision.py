"""Precision of qa's pre-answer refusal gates on an eval set: how often each gate fires, and on how many
answerable questions (false refusals). A gate must keep precision >= 0.97 on the dev sets or go.

    python -m eval.gate_precision SET --corpus CORPUS [--data-dir DIR]

Retrieval only (no LLM): each question is retrieved and its sources built exactly as `Newsdesk.ask` does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set")
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    from qa import Newsdesk, Settings
    from qa.answer_types import answer_kind
    from qa.context import build_sources
    from qa.gates import article_texts, asked_detail_gate, relevance_gate

    from eval.cases import load_set
    from eval.runner import eval_settings

    base = Settings(llm="extractive", **({"data_dir": args.data_dir} if args.data_dir else {}))
    desk = Newsdesk(eval_settings(base, Path(args.corpus)))
    desk.ingest([args.corpus])
    engine, s = desk.engine(), desk.settings
    cases, _ = load_set(args.set)
    fired: dict[str, dict[str, int]] = {"relevance": {"answerable": 0, "unanswerable": 0},
                                        "asked detail": {"answerable": 0, "unanswerable": 0}}
    for case in cases:
        found = engine.retriever.retrieve(case.question)
        sources = build_sources(found.context_hits(), case.question, found.query_vector, engine.sentences,
                                s.context_sentences, s.context_words, answer_kind(case.question)) \
            if found.relevant_enough else []
        group = "answerable" if case.answers else "unanswerable"
        if relevance_gate(case.question, found.query_vector, found.relevant_enough, sources, s.min_sentence_relevance):
            fired["relevance"][group] += 1
            continue
        articles = [engine.sentences.article(a)[0] for a in dict.fromkeys(h.article_id for h in found.context_hits())]
        if asked_detail_gate(case.question, article_texts(articles)):
            fired["asked detail"][group] += 1
    for counts in fired.values():
        total = counts["answerable"] + counts["unanswerable"]
        counts["precision"] = round(counts["unanswerable"] / total, 3) if total else None  # type: ignore[assignment]
    print(json.dumps({"cases": len(cases), "answerable": sum(1 for c in cases if c.answers), "gates": fired}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
