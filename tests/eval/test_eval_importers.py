"""MultiHop-RAG and LabelledRagDataset importers on small synthetic files in their released formats."""

import json

import pytest

from eval.cases import EvalSetError, detect_format, load_set
from eval.importers import missing_evidence, write_labelled_rag_corpus

U1 = "https://news.invalid/2023/10/harbour-vote"
U2 = "https://news.invalid/2023/11/harbour-cost"
U3 = "https://other.invalid/2023/12/unrelated"


def _evidence(url, fact, title="T"):
    return {"title": title, "author": "A. Writer", "url": url, "source": "The Example Post", "category": "business",
            "published_at": "2023-10-02T10:00:00+00:00", "fact": fact}


@pytest.fixture
def multihop_dir(tmp_path):
    queries = [
        {"query": "Did both reports say the harbour vote passed?", "answer": "Yes", "question_type": "comparison_query",
         "evidence_list": [_evidence(U1, "The vote passed 7 to 2."), _evidence(U2, "After the vote passed, costs rose."),
                           _evidence(U1, "The vote passed 7 to 2.")]},
        {"query": "Who led the harbour project?", "answer": "Ada Quay", "question_type": "inference_query",
         "evidence_list": [_evidence(U2, "Ada Quay leads the project.")]},
        {"query": "Did the cost rise after October?", "answer": "Yes", "question_type": "temporal_query",
         "evidence_list": [_evidence(U2, "Costs rose in November.")]},
        {"query": "What did the mayor eat on the day of the vote?", "answer": "Insufficient information.",
         "question_type": "null_query", "evidence_list": []},
    ]
    corpus = [
        {"title": "Harbour vote", "author": "A. Writer", "source": "The Example Post", "published_at": "2023-10-02T10:00:00+00:00",
         "category": "business", "url": U1, "body": "The vote passed 7 to 2."},
        {"title": "Harbour cost", "author": "B. Writer", "source": "Daily Example", "published_at": "2023-11-05T09:00:00+00:00",
         "category": "business", "url": U2, "body": "Ada Quay leads the project.\n\nCosts rose in November."},
    ]
    (tmp_path / "MultiHopRAG.json").write_text(json.dumps(queries, indent=2), encoding="utf-8")
    (tmp_path / "corpus.json").write_text(json.dumps(corpus, indent=2), encoding="utf-8")
    return tmp_path


def test_multihop_queries_become_cases(multihop_dir):
    path = multihop_dir / "MultiHopRAG.json"
    assert detect_format(path) == "multihop"
    cases, fmt = load_set(str(path))
    assert fmt == "multihop"
    assert [c.type for c in cases] == ["comparison", "inference", "temporal", "unanswerable"]
    first = cases[0]
    assert first.answers == ["Yes"]
    assert first.gold_articles == [U1, U2]  # evidence URLs, deduplicated, in order
    assert first.gold_quotes == ["The vote passed 7 to 2.", "After the vote passed, costs rose."]
    null = cases[3]
    assert null.answers == [] and null.gold_articles == [] and not null.answerable
    assert null.meta == {"question_type": "null_query", "gold_answer": "Insufficient information."}
    assert len({c.id for c in cases}) == 4


def test_multihop_corpus_covers_the_evidence(multihop_dir):
    cases, _ = load_set(str(multihop_dir / "MultiHopRAG.json"))
    assert missing_evidence(cases, multihop_dir / "corpus.json") == []
    cases[1].gold_articles.append(U3)
    assert missing_evidence(cases, multihop_dir / "corpus.json") == [U3]


def test_multihop_bad_file_gives_one_line_error(tmp_path):
    path = tmp_path / "MultiHopRAG.json"
    path.write_text('[{"query": "q", "answer": "Yes", "question_type": "null_query", "evidence_list": [', encoding="utf-8")
    with pytest.raises(EvalSetError) as err:
        load_set(str(path))
    assert "MultiHopRAG.json" in str(err.value) and "\n" not in str(err.value)


def _created_by(kind, model=""):
    return {"model_name": model, "type": kind}


@pytest.fixture
def labelled_rag(tmp_path):
    data = {"examples": [
        {"query": "What did the harbour vote decide?", "query_by": _created_by("ai", "gpt-4"),
         "reference_contexts": ["The vote passed 7 to 2. The terminal will be built at North Quay."],
         "reference_answer": "The council approved a terminal at North Quay by 7 votes to 2.",
         "reference_answer_by": _created_by("ai", "gpt-4")},
        {"query": "Who leads the project?", "query_by": _created_by("human"),
         "reference_contexts": ["Ada Quay leads the project.", "The vote passed 7 to 2. The terminal will be built at North Quay."],
         "reference_answer": "Ada Quay", "reference_answer_by": _created_by("human")},
    ]}
    path = tmp_path / "rag_dataset.json"
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return path


def test_labelled_rag_dataset_becomes_cases(labelled_rag, tmp_path):
    assert detect_format(labelled_rag) == "labelled-rag"
    cases, fmt = load_set(str(labelled_rag))
    assert fmt == "labelled-rag" and len(cases) == 2
    assert cases[1].question == "Who leads the project?" and cases[1].answers == ["Ada Quay"]
    assert cases[1].gold_quotes[0] == "Ada Quay leads the project."
    assert cases[0].meta["query_by"] == "ai (gpt-4)" and cases[1].meta["query_by"] == "human"
    corpus = write_labelled_rag_corpus(cases, tmp_path / "ctx.jsonl")
    lines = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2  # two distinct reference contexts
    assert {line["body"] for line in lines} == {"Ada Quay leads the project.",
                                                "The vote passed 7 to 2. The terminal will be built at North Quay."}


def test_labelled_rag_without_examples_is_refused(tmp_path):
    path = tmp_path / "rag.json"
    path.write_text(json.dumps({"examples": [{"reference_answer": "x"}]}), encoding="utf-8")
    with pytest.raises(EvalSetError, match="example 1: missing field 'query'"):
        load_set(str(path))


def test_jsonl_set_validation_names_line_and_field(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"id": "a", "question": "Q?", "answers": ["x"]}\n\n{"id": "b", "question": ""}\n', encoding="utf-8")
    with pytest.raises(EvalSetError, match=r"mine.jsonl line 3: field 'question'"):
        load_set(str(path))
    path.write_text('{"id": "a", "question": "Q?", "answers": ["x"], "type": "unanswerable"}\n', encoding="utf-8")
    with pytest.raises(EvalSetError, match="empty 'answers'"):
        load_set(str(path))
    path.write_text('{"id": "a", "question": "Q?"}\n{"id": "a", "question": "R?"}\n', encoding="utf-8")
    with pytest.raises(EvalSetError, match="duplicate id 'a'"):
        load_set(str(path))
    with pytest.raises(EvalSetError, match="bundled sets: .*samples"):
        load_set(str(tmp_path / "missing.jsonl"))


SHARED = __import__("pathlib").Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "multihop-rag-subset"


@pytest.mark.shared
def test_real_multihop_dev_questions_import():
    if not (SHARED / "MultiHopRAG.dev.json").is_file():
        pytest.skip(f"MultiHop-RAG subset not found at {SHARED}")
    cases, fmt = load_set(str(SHARED / "MultiHopRAG.dev.json"))
    assert fmt == "multihop" and len(cases) == 249
    from collections import Counter

    assert Counter(c.type for c in cases) == {"inference": 80, "comparison": 77, "temporal": 57, "unanswerable": 35}
    assert all(c.gold_articles and c.answers for c in cases if c.type != "unanswerable")
    assert missing_evidence(cases, SHARED / "corpus.json") == []


def test_imported_sets_run_end_to_end(multihop_dir, labelled_rag, extractive_settings, tmp_path):
    """Both public formats through the runner in extractive mode, each with its default corpus."""
    from eval.runner import run_eval

    report = run_eval(str(multihop_dir / "MultiHopRAG.json"), settings=extractive_settings, out_dir=tmp_path / "mh",
                      progress=False)
    assert report["set_format"] == "multihop" and report["corpus"].endswith("corpus.json")
    assert report["overall"]["cases"] == 4 and report["overall"]["errors"] == 0
    assert report["missing_evidence_urls"] == []
    assert set(report["by_type"]) == {"comparison", "inference", "temporal", "unanswerable"}
    assert report["by_type"]["inference"]["article_recall@1"] == 1.0  # one-article corpus question, found first
    assert report["by_type"]["unanswerable"]["n_lenient"] == 1  # scored against "Insufficient information."
    assert "ODC-BY" in (tmp_path / "mh" / "report.md").read_text(encoding="utf-8")

    report = run_eval(str(labelled_rag), settings=extractive_settings, out_dir=tmp_path / "lr", progress=False)
    assert report["set_format"] == "labelled-rag" and report["overall"]["errors"] == 0
    assert report["corpus"].endswith("reference_contexts.jsonl")
    assert report["overall"]["quote_hit@10"] == 1.0
