"""The time-aware eval set (eval/sets/time-aware.jsonl over samples/time-aware/) and the newest-statement metric.

No index is built here: the articles are read with the ingester's own Markdown loader, relative dates are resolved
with the index's resolver, and the metric is checked on hand-made answers.
"""

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval import metrics as m
from eval.cases import EvalSetError, case_from_dict, declared_corpus, load_set
from index.loaders.text import load_markdown
from index.relative_dates import annotate_relative_dates, parse_published

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "eval" / "sets" / "time-aware.jsonl"
CORPUS = ROOT / "samples" / "time-aware"
TYPES = {"temporal-update", "temporal-correction", "temporal-relative", "timeline", "temporal-past"}


@pytest.fixture(scope="module")
def cases():
    return load_set(SET)[0]


@pytest.fixture(scope="module")
def articles():
    """URL -> the article as the ingester reads it, with its publication date and its date-annotated body."""
    found = {}
    for path in sorted(CORPUS.glob("*.md")):
        article = next(load_markdown(path.read_text(encoding="utf-8"), str(path)))
        published = parse_published(article.published_at)
        found[article.url] = SimpleNamespace(
            file=path.name, title=article.title, source=article.source, author=article.author, url=article.url,
            body=article.body, published=published, annotated=annotate_relative_dates(article.body, published))
    return found


def _has(text, strings):
    return bool(m.contains_answer(text, strings))


# The articles -------------------------------------------------------------------------------------------------
def test_corpus_is_fictional_dated_markdown_of_news_length(articles):
    assert 14 <= len(articles) <= 20
    assert len(list(CORPUS.glob("*.md"))) == len(articles)  # no two files share a URL
    for a in articles.values():
        assert a.source.endswith("(sample)"), a.file
        assert a.url.startswith("https://samples.newsdesk.invalid/"), a.file
        assert a.author and a.title and isinstance(a.published, date), a.file
        assert 120 <= len(a.body.split()) <= 300, (a.file, len(a.body.split()))


def test_the_set_declares_its_corpus_and_parses(cases):
    assert declared_corpus(SET).resolve() == CORPUS.resolve()
    assert json.loads(SET.read_text(encoding="utf-8").splitlines()[0]) == {"corpus": "../../samples/time-aware"}
    assert len(cases) >= 24
    assert {c.type for c in cases} == TYPES
    with_newest = [c for c in cases if c.newest_answers]
    assert len(with_newest) >= 12 and all(c.stale_answers for c in with_newest)
    assert all(c.type in ("temporal-update", "temporal-correction") for c in with_newest)
    assert all(c.answers and c.gold_articles and c.gold_quotes for c in cases)


def test_every_gold_article_exists_and_every_gold_quote_is_verbatim(cases, articles):
    problems = []
    for case in cases:
        golds = [articles.get(url) for url in case.gold_articles]
        problems += [f"{case.id}: no article {url}" for url, a in zip(case.gold_articles, golds) if a is None]
        for quote in case.gold_quotes:
            if not any(a is not None and quote in a.body for a in golds):
                problems.append(f"{case.id}: quote not verbatim in a gold article: {quote[:60]!r}")
    assert problems == []


def test_answers_occur_in_gold_articles_relative_ones_only_once_dates_are_resolved(cases, articles):
    problems = []
    for case in cases:
        golds = [articles[url] for url in case.gold_articles]
        in_text = any(_has(a.body, case.answers) for a in golds)
        resolved = any(_has(a.annotated, case.answers) for a in golds)
        if not (in_text or resolved):
            problems.append(f"{case.id}: no answer in its gold articles")
        if case.type == "temporal-relative" and (in_text or not resolved):
            problems.append(f"{case.id}: the answer should appear only once relative dates are resolved")
    assert problems == []


def test_newest_strings_are_in_the_newest_gold_article_and_stale_ones_in_older_articles(cases, articles):
    problems = []
    for case in (c for c in cases if c.newest_answers):
        newest = max((articles[url] for url in case.gold_articles), key=lambda a: a.published)
        for text in case.newest_answers:
            if not _has(newest.body, [text]):
                problems.append(f"{case.id}: newest {text!r} not in {newest.file}")
            if not _has(text, case.answers):  # a newest-statement hit is also an accuracy hit
                problems.append(f"{case.id}: newest {text!r} holds no acceptable answer")
        for text in case.stale_answers:
            older = [a.file for a in articles.values() if a.published < newest.published and _has(a.body, [text])]
            if not older:
                problems.append(f"{case.id}: stale {text!r} in no article older than {newest.file}")
            if _has(text, case.answers):
                problems.append(f"{case.id}: stale {text!r} is also an acceptable answer")
    assert problems == []


def test_question_wording_varies(cases):
    questions = [c.question.lower() for c in cases if c.newest_answers]
    for word in ("now", "latest", "currently", "still"):
        assert any(f" {word} " in f" {q.rstrip('?')} " for q in questions), word
    plain = [q for q in questions if not any(f" {w} " in f" {q.rstrip('?')} " for w in ("now", "latest", "currently", "still"))]
    assert len(plain) >= 3


# The metric ---------------------------------------------------------------------------------------------------
NEWEST, STALE = ["spring of 2025", "spring 2025"], ["October 2024", "June 2024"]


def test_newest_statement_on_hand_made_answers():
    assert m.newest_statement("The bridge will reopen in the spring of 2025 [1].", NEWEST, STALE) == 1.0
    assert m.newest_statement("It is now due in spring 2025 [2], not in October 2024 [1].", NEWEST, STALE) == 1.0
    assert m.newest_statement("It was due in October 2024 [1]; it is now spring 2025 [2].", NEWEST, STALE) == 0.0
    assert m.newest_statement("The bridge will reopen in October 2024 [1].", NEWEST, STALE) == 0.0
    assert m.newest_statement("The indexed articles do not say.", NEWEST, STALE, refused=True) == 0.0
    assert m.newest_statement("Spring 2025 [1].", NEWEST, STALE, refused=True) == 0.0  # a refusal counts 0
    assert m.newest_statement("", NEWEST, STALE) == 0.0
    assert m.newest_statement("spring 2025", [], STALE) is None  # no newest_answers: not scored
    assert m.newest_statement("spring 2025", NEWEST) == 1.0  # no stale strings: containment alone


def test_newest_statement_matches_like_contains_answer():
    assert m.newest_statement("Cases rose to 1163.", ["163"], ["112"]) == 0.0  # word boundaries
    assert m.newest_statement("Cases rose to\n163 [3]", ["163"], ["112"]) == 1.0  # whitespace, markers
    assert m.newest_statement("ARVID KESSEL succeeded Helen Stroud.", ["Arvid Kessel"], ["Helen Stroud"]) == 1.0
    assert m.newest_statement("Helen Stroud was succeeded by Arvid Kessel.", ["Arvid Kessel"], ["Helen Stroud"]) == 0.0
    # a stale string found only inside a newest one is not a stale statement
    assert m.newest_statement("It opens in early 2027.", ["early 2027"], ["2027"]) == 1.0
    assert m.answer_spans("a 163 b 163", ["163"]) == [(2, 5), (8, 11)]


def test_new_fields_are_validated_and_kept():
    case = case_from_dict({"id": "a", "question": "q?", "answers": ["x"], "newest_answers": "x",
                           "stale_answers": ["y"]}, "t line 1")
    assert (case.newest_answers, case.stale_answers) == (["x"], ["y"])
    assert case.to_json()["newest_answers"] == ["x"]
    assert "newest_answers" not in case_from_dict({"id": "b", "question": "q?", "answers": ["x"]}, "t").to_json()
    with pytest.raises(EvalSetError, match="'stale_answers' needs 'newest_answers'"):
        case_from_dict({"id": "c", "question": "q?", "answers": ["x"], "stale_answers": ["y"]}, "t line 3")
    with pytest.raises(EvalSetError, match="answerable"):
        case_from_dict({"id": "d", "question": "q?", "answers": [], "newest_answers": ["x"]}, "t line 4")
    with pytest.raises(EvalSetError, match="list of strings"):
        case_from_dict({"id": "e", "question": "q?", "answers": ["x"], "newest_answers": [{"x": 1}]}, "t line 5")


class _FakeAnswer:
    def __init__(self, text, refused=False):
        self.text, self.refused = text, refused

    def to_json(self):
        return {"answer": self.text, "refused": self.refused, "citations": [], "contexts": [], "context": ""}


class _FakeDesk:
    def __init__(self, replies):
        self.replies = replies

    def ask(self, question, filters=None):
        return self.replies[question]

    def retrieve(self, question, filters=None, k=20):
        return []


def test_runner_scores_newest_statement_and_reports_it():
    from eval.cli import summary
    from eval.report import build_report, markdown
    from eval.runner import run_case

    cases = [
        case_from_dict({"id": "n1", "question": "q1", "answers": ["163"], "newest_answers": ["163"],
                        "stale_answers": ["112"], "type": "temporal-update"}, "t"),
        case_from_dict({"id": "n2", "question": "q2", "answers": ["163"], "newest_answers": ["163"],
                        "stale_answers": ["112"], "type": "temporal-update"}, "t"),
        case_from_dict({"id": "n3", "question": "q3", "answers": ["163"], "newest_answers": ["163"],
                        "stale_answers": ["112"], "type": "temporal-correction"}, "t"),
        case_from_dict({"id": "p1", "question": "q4", "answers": ["June 2024"], "type": "temporal-past"}, "t"),
    ]
    desk = _FakeDesk({"q1": _FakeAnswer("163 people fell ill, up from 112."),
                      "q2": _FakeAnswer("First 112, then 163."),
                      "q3": _FakeAnswer("The indexed articles do not say.", refused=True),
                      "q4": _FakeAnswer("It was due in June 2024.")})
    results = [run_case(desk, c, None, (1,), lambda _id: None) for c in cases]
    assert [r["scores"]["newest_statement"] for r in results] == [1.0, 0.0, 0.0, None]
    assert results[0]["newest_answers"] == ["163"] and results[0]["stale_answers"] == ["112"]
    assert "newest_answers" not in results[3]
    assert [r["correct"] for r in results] == [True, True, False, True]  # accuracy does not look at order

    report = build_report(results, set_name="t", set_path="t.jsonl", set_format="jsonl", corpus="c",
                          settings={"llm": "extractive", "top_k": 4, "chunk_size": 192}, info={}, ks=(1,),
                          timings={"ingest_s": 0.0, "questions_s": 0.0, "total_s": 0.0},
                          ingest={"summary": "added 0", "failed": []})
    overall = report["overall"]
    assert overall["newest_statement"] == pytest.approx(1 / 3) and overall["n_newest_statement"] == 3
    assert report["by_type"]["temporal-update"]["newest_statement"] == 0.5
    assert report["by_type"]["temporal-correction"]["newest_statement"] == 0.0
    assert "newest_statement" not in report["by_type"]["temporal-past"]
    md = markdown(report)
    assert "Newest statement: **0.333** over 3 cases" in md
    assert "| type | n | accuracy | newest | n newest |" in md
    text = summary(report)
    assert "newest statement 0.333 (n=3); by type: temporal-correction 0.000 (n=1), temporal-update 0.500 (n=2)" in text
