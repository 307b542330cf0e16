"""Guards for the answer stage: extractive runs over the bundled set and the Wikinews dev set must stay above
floors set just under the figures recorded in eval/RESULTS.md, so a later change cannot quietly lose them.

Extractive is deterministic (no LLM), so a drop below a floor is a real regression, not noise. The floors
leave one or two cases of room on each figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIKINEWS = ROOT / ".." / "shared" / "data" / "wikinews-2019-2020"
TIME_AWARE = ROOT / "eval" / "sets" / "time-aware.jsonl"

# figure: (measured in eval/RESULTS.md, floor or ceiling checked here)
BUNDLED_FLOORS = {"answerable_accuracy": 0.74, "unanswerable_refused": 0.37, "false_refusals_max": 0.07}
WIKINEWS_FLOORS = {"answerable_accuracy": 0.63, "unanswerable_refused": 0.66, "false_refusals_max": 0.06,
                   "temporal_accuracy": 0.80, "citation_precision": 0.88}
# time-aware set (33 cases): measured 29/33 answered, corrections 3/3, newest statement 13/15
TIME_AWARE_FLOORS = {"accuracy": 0.84, "correction_accuracy": 0.66, "newest_statement": 0.79}


def _figures(report: dict) -> dict[str, float]:
    by_type = report["by_type"]
    answerable = [t for name, t in by_type.items() if name != "unanswerable"]
    cases = sum(t["cases"] for t in answerable)
    right = sum(t["accuracy"] * t["cases"] for t in answerable)
    return {
        "answerable_accuracy": right / cases,
        "unanswerable_refused": by_type["unanswerable"]["refusal_accuracy"],
        "false_refusals": report["overall"]["false_refusals"],
        "citation_precision": report["overall"]["citation_precision"],
        "temporal_accuracy": by_type.get("temporal", {}).get("accuracy", 0.0),
    }


def _check(figures: dict[str, float], floors: dict[str, float]) -> list[str]:
    problems = []
    for name, bound in floors.items():
        if name.endswith("_max"):
            value = figures[name[: -len("_max")]]
            if value > bound:
                problems.append(f"{name[:-4]} {value:.3f} > {bound}")
        elif figures[name] < bound:
            problems.append(f"{name} {figures[name]:.3f} < {bound}")
    return problems


def test_bundled_set_answers_stay_above_their_floors(bundled_run):
    report, _ = bundled_run
    assert _check(_figures(report), BUNDLED_FLOORS) == []


@pytest.mark.shared
def test_wikinews_dev_answers_stay_above_their_floors(extractive_settings, eval_data_dir):
    if not (WIKINEWS / "dev-qa.jsonl").is_file():
        pytest.skip(f"Wikinews dev set not found at {WIKINEWS} (needs ../shared next to the repo)")
    from eval.runner import run_eval

    report = run_eval(WIKINEWS / "dev-qa.jsonl", corpus=WIKINEWS / "articles.jsonl", settings=extractive_settings,
                      out_dir=eval_data_dir / "run-wikinews-extractive", progress=False)
    assert report["overall"]["errors"] == 0
    figures = _figures(report)
    assert _check(figures, WIKINEWS_FLOORS) == [], figures
    assert report["overall"]["answer_in_context"] >= 0.85  # the chosen sentences hold the answer


def test_time_aware_answers_stay_above_their_floors(extractive_settings, eval_data_dir):
    """Updates, corrections, past-framed questions and timelines over the bundled time-aware articles."""
    from eval.runner import run_eval

    report = run_eval(TIME_AWARE, settings=extractive_settings, out_dir=eval_data_dir / "run-time-aware",
                      progress=False)
    assert report["overall"]["errors"] == 0
    figures = {"accuracy": report["overall"]["accuracy"],
               "correction_accuracy": report["by_type"]["temporal-correction"]["accuracy"],
               "newest_statement": report["overall"]["newest_statement"]}
    assert _check(figures, TIME_AWARE_FLOORS) == [], figures
