"""Re-check a finished eval run's drafts with the current answer-check code, without running the model.

A local-model eval takes minutes; the check, citation and quoting stages take milliseconds. This replays each
case of a `newsdesk eval` run: retrieval and source selection run again with the current code, the answerer is
replaced by the run's own drafts (first draft, then the retry's, as recorded in `draft`), and the case is
scored as the runner scores it. Use it to measure a change to the check (qa/check.py, qa/citations.py) on real
model output before spending a full eval on it; the run's numbers with the model stay the ones to report.

    python -m eval.replay RUN_DIR --out OUT_DIR

Where the current code builds different sources than the run did (a change to retrieval or context), the
drafts' [n] no longer point at what the model saw: replay then says nothing about the change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterator


class ScriptedAnswerer:
    """Answers with a run's recorded drafts, in order (the first draft, then the retry's); then refuses."""

    generates = True
    name = "replay"

    def __init__(self) -> None:
        self.drafts: list[str] = []

    def load(self, draft: str) -> None:
        from qa.types import RETRY_MARK, SIDES_MARK  # the engine redoes the sides' answer itself

        self.drafts = draft.split(SIDES_MARK)[0].split(RETRY_MARK) if draft else []

    def draft(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        from qa.prompting import REFUSAL

        yield self.drafts.pop(0) if self.drafts else REFUSAL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="a `newsdesk eval` output folder (results.jsonl, report.json)")
    parser.add_argument("--out", required=True, help="folder for the replayed results.jsonl and report files")
    args = parser.parse_args(argv)

    from qa import Filters, Newsdesk, Settings

    from eval import report as reporting
    from eval.cases import load_set
    from eval.runner import DEFAULT_KS, gold_article_aliases, run_case

    run = Path(args.run)
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    recorded = {r["id"]: r for r in map(json.loads, (run / "results.jsonl").open(encoding="utf-8"))}
    saved = {k: v for k, v in report["settings"].items() if k in Settings.model_fields and "api_key" not in k}
    desk = Newsdesk(Settings(**{**saved, "llm": "extractive"}))
    engine = desk.engine()
    scripted = ScriptedAnswerer()
    scripted.generates = report.get("llm") != "extractive"  # an extractive run is replayed as extractive
    engine.answerer = scripted  # the check, the retry rule and the dating of answers stay the engine's own
    cases = [c for c in load_set(report["set_path"])[0] if c.id in recorded]
    aliases, _ = gold_article_aliases(desk, cases, Path(report["corpus"]))

    def body_of(article_id: str) -> str | None:
        article = desk.article(article_id)
        return article.body if article is not None else None

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for case in cases:
        scripted.load(recorded[case.id].get("draft") or "")
        result = run_case(desk, case, Filters, tuple(report.get("ks") or DEFAULT_KS), body_of, None, aliases)
        result["llm"] = recorded[case.id].get("llm", "")
        results.append(result)
    new = reporting.build_report(results, set_name=report["set"], set_path=report["set_path"],
                                 set_format=report.get("set_format", ""), corpus=report["corpus"],
                                 settings=desk.settings, info={}, ks=tuple(report.get("ks") or DEFAULT_KS),
                                 timings={"ingest_s": 0.0, "questions_s": 0.0, "total_s": 0.0}, ingest={"summary": f"replayed from {run}", "failed": []},
                                 extra={"replayed_from": str(run)})
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    reporting.write_all(new, results, out)
    print(f"replayed {len(results)} cases of {run} into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
