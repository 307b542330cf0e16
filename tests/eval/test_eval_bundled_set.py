"""The bundled eval set: its shape, its answers checked against the ingested articles, and a full run."""

import json
from collections import Counter

import pytest

from eval.cases import TYPES, load_set
from eval.runner import SAMPLES_DIR, eval_settings

SEED_TITLE = "Türkiye, Israel begin 'technical talks' to ease Syria tensions"


@pytest.fixture(scope="module")
def cases():
    return load_set("samples")[0]


def test_bundled_set_covers_every_type(cases):
    counts = Counter(c.type for c in cases)
    assert len(cases) >= 40
    assert set(counts) == set(TYPES)
    assert counts["unanswerable"] >= 6
    assert sum(1 for c in cases if SEED_TITLE in c.gold_articles) >= 3
    assert any(c.filters for c in cases)


def test_every_answer_and_quote_occurs_in_its_gold_articles(cases, extractive_settings, bundled_run):
    """Gold ids resolve to exactly one ingested article, and answers/quotes are literally in its text."""
    from qa import Newsdesk

    desk = Newsdesk(eval_settings(extractive_settings, SAMPLES_DIR))  # the index the bundled run built
    records = desk.articles()
    assert len(records) == 14
    assert all(r.source.endswith("(sample)") for r in records if r.title != SEED_TITLE)
    problems = []
    for case in cases:
        texts = []
        for gold in case.gold_articles:
            found = [r for r in records if gold in (r.url, r.id) or gold.lower() == r.title.lower()]
            if len(found) != 1:
                problems.append(f"{case.id}: gold {gold!r} matches {len(found)} articles")
                continue
            article = desk.article(found[0].id)
            texts.append(f"{article.title}\n{article.source}\n{article.body}".lower())
        for text in case.answers + case.gold_quotes:
            if not any(text.lower() in t for t in texts):
                problems.append(f"{case.id}: {text[:60]!r} not in its gold articles")
    assert problems == []


def test_full_extractive_run_writes_consistent_reports(bundled_run, cases):
    report, out = bundled_run
    for name in ("results.jsonl", "report.json", "report.md", "accuracy_by_type.png", "latency_hist.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == [c.id for c in cases]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["overall"] == report["overall"]
    overall = report["overall"]
    assert overall["cases"] == len(cases) and overall["errors"] == 0
    assert overall["accuracy"] == pytest.approx(sum(r["correct"] for r in results) / len(results))
    assert sum(t["cases"] for t in report["by_type"].values()) == len(cases)
    assert sum(report["wrong_by_reason"].values()) == sum(not r["correct"] for r in results)
    unanswerable = [r for r in results if r["type"] == "unanswerable"]
    assert report["by_type"]["unanswerable"]["refusal_accuracy"] == pytest.approx(
        sum(r["refused"] for r in unanswerable) / len(unanswerable))
    assert all(bool(r["refusal_reason"]) == r["refused"] for r in results)  # every refusal says which stage refused
    for key, value in overall.items():
        if key.startswith(("accuracy", "contains", "exact_match", "token_f1", "article_", "quote_", "citation_")):
            assert value is None or 0.0 <= value <= 1.0, key
    # retrieval over 14 articles: the gold article is within the top 10 for nearly every answerable case
    assert overall["article_recall@10"] >= 0.9
    assert overall["article_recall@4"] <= overall["article_recall@10"]
    assert overall["latency_p50_s"] <= overall["latency_p95_s"]
    assert "| **overall** |" in (out / "report.md").read_text(encoding="utf-8")


def test_second_run_reuses_the_index_and_compare_prints_both(bundled_run, extractive_settings, tmp_path, capsys):
    from qa.cli import main

    _, first = bundled_run
    second = tmp_path / "second"
    code = main(["eval", "samples", "--llm", "extractive", "--data-dir", str(extractive_settings.data_dir),
                 "--limit", "3", "--top-k", "3", "--out", str(second)])
    assert code == 0
    report = json.loads((second / "report.json").read_text(encoding="utf-8"))
    assert report["overall"]["cases"] == 3
    assert "added 0" in report["ingest"]["summary"] and "unchanged 14" in report["ingest"]["summary"]
    assert report["settings"]["top_k"] == 3
    capsys.readouterr()
    assert main(["eval", "--compare", str(first), str(second)]) == 0
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "unanswerable" in printed and "top_k=3" in printed


def test_case_failures_are_recorded_not_raised(extractive_settings):
    from qa import Filters, Newsdesk

    from eval.cases import EvalCase
    from eval.runner import run_case

    desk = Newsdesk(eval_settings(extractive_settings, SAMPLES_DIR))
    bad = EvalCase(id="bad", question="When did the talks begin?", answers=["April 9"], filters={"since": "not a date"})
    result = run_case(desk, bad, Filters, (4,), lambda _id: None)
    assert result["error"] and not result["correct"] and result["scores"] == {}


def test_interrupted_run_still_reports_the_cases_done(extractive_settings, bundled_run, tmp_path, monkeypatch):
    from qa import Newsdesk

    from eval.runner import run_eval

    real_ask, calls = Newsdesk.ask, []

    def ask_then_ctrl_c(self, question, filters=None):
        calls.append(question)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real_ask(self, question, filters=filters)

    monkeypatch.setattr(Newsdesk, "ask", ask_then_ctrl_c)
    report = run_eval("samples", settings=extractive_settings, out_dir=tmp_path / "cut", limit=5, progress=False)
    assert report["interrupted"] is True and report["cases_planned"] == 5
    assert report["overall"]["cases"] == 2
    assert len((tmp_path / "cut" / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 2
