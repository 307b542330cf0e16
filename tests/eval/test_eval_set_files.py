"""Set files that find their own corpus (a {"corpus": ...} header), and gold articles given as a corpus
record's own `id` (JSONL, CSV and JSON corpora), through the real runner and the real CLI."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eval.cases import EvalSetError, declared_corpus, load_set
from eval.runner import SAMPLES_DIR, default_corpus, is_bundled

REPO = Path(__file__).resolve().parents[2]
NEWSDESK = Path(sys.executable).parent / "newsdesk"

JSONL_RECORDS = [
    {"id": "rec-lighthouse", "title": "Volunteers finish restoring the Gull Point lighthouse",
     "body": "Volunteers in Marrow Bay finished restoring the Gull Point lighthouse on Saturday after four years of "
             "work. The lamp was relit at dusk and can be seen twelve miles out to sea. The restoration cost "
             "310,000 euros, most of it raised by the local rowing club.", "source": "Bay Courier (test)"},
    None,  # a blank line: ingest numbers records by non-blank lines, so must the id mapping
    {"id": "rec-cheese", "url": "https://test.invalid/cheese-festival",
     "title": "Cheese festival draws record crowd to Oldbridge",
     "body": "The Oldbridge cheese festival drew a record crowd of 18,000 visitors this weekend. A blue cheese from "
             "the Harrow dairy won the main prize. Organisers said next year's festival will move to the larger "
             "market hall.", "source": "Valley Post (test)"},
]
CSV = ("id,title,body,source\n"
       "row-bridge,Kessel bridge closed for repairs,\"The Kessel river bridge will be closed to traffic for six weeks "
       "from Monday while engineers replace its steel bearings. Buses will detour through the north ring road.\","
       "Metro Daily (test)\n")
JSON_LIST = [{"id": 7, "title": "Teenager wins the Saltmarsh chess open",
              "body": "A fifteen-year-old from Dunmore won the Saltmarsh chess open on Sunday, beating the top seed "
                      "in the final round. She scored eight points from nine games.", "source": "Board Weekly (test)"}]
CASES = [
    {"id": "q1", "question": "How much did the Gull Point lighthouse restoration cost?", "answers": ["310,000 euros"],
     "gold_articles": ["rec-lighthouse"]},
    {"id": "q2", "question": "Which dairy won the main prize at the Oldbridge cheese festival?", "answers": ["Harrow"],
     "gold_articles": ["rec-cheese"]},
    {"id": "q3", "question": "How long will the Kessel river bridge be closed to traffic?", "answers": ["six weeks"],
     "gold_articles": ["row-bridge"]},
    {"id": "q4", "question": "How many points did the winner of the Saltmarsh chess open score?",
     "answers": ["eight points"], "gold_articles": [7]},
]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.jsonl").write_text("\n".join("" if r is None else json.dumps(r) for r in JSONL_RECORDS) + "\n",
                                    encoding="utf-8")
    (folder / "b.csv").write_text(CSV, encoding="utf-8")
    (folder / "c.json").write_text(json.dumps(JSON_LIST), encoding="utf-8")
    return folder


def write_set(path: Path, cases=CASES, header: dict | None = None) -> Path:
    lines = ([json.dumps(header)] if header is not None else []) + [json.dumps(c) for c in cases]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def id_run(tmp_path_factory):
    """One extractive run of a set that declares its corpus (a folder of JSONL, CSV and JSON records with their
    own ids) and names its gold articles by those ids; no corpus argument."""
    from qa import Settings

    from eval.runner import run_eval

    root = tmp_path_factory.mktemp("id-set")
    write_corpus(root / "articles")
    set_file = write_set(root / "by_id.jsonl", header={"corpus": "articles/"})
    settings = Settings(llm="extractive", data_dir=root / "data")
    report = run_eval(str(set_file), settings=settings, out_dir=root / "out", progress=False)
    results = [json.loads(line) for line in (root / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return report, results, root


def test_declared_corpus_is_used_without_corpus_argument(id_run):
    report, _, root = id_run
    assert Path(report["corpus"]) == (root / "articles").resolve()
    assert report["overall"]["cases"] == 4 and report["overall"]["errors"] == 0


def test_gold_articles_by_record_id_score_retrieval(id_run):
    report, results, _ = id_run
    o = report["overall"]
    for k in report["ks"]:
        assert o[f"article_hit@{k}"] > 0 and o[f"article_recall@{k}"] > 0 and o[f"article_mrr@{k}"] > 0
    assert o["article_recall@4"] == 1.0  # four distinct topics: each question finds its own article
    assert o["citation_recall"] > 0 and o["context_recall"] > 0
    assert report["gold_record_ids_mapped"] == 4 and report["unmatched_gold_articles"] == []


def test_each_record_id_maps_to_its_own_indexed_article(id_run):
    _, results, _ = id_run
    by_id = {r["id"]: r for r in results}
    mapped = [by_id[q]["gold_article_ids"][0] for q in ("q1", "q2", "q3", "q4")]
    assert len(set(mapped)) == 4 and all(len(m) == 16 for m in mapped)
    assert by_id["q4"]["gold_articles"] == ["7"]  # written as it was given (a number), scored as the article's id
    titles = {"q1": "Gull Point lighthouse", "q2": "Cheese festival", "q3": "Kessel bridge", "q4": "Saltmarsh chess"}
    for q, words in titles.items():
        top = by_id[q]["retrieved"][0]
        assert top["article_id"] == by_id[q]["gold_article_ids"][0]
        assert words.lower() in top["title"].lower()
        assert by_id[q]["scores"]["article_hit@1"] == 1.0


def test_gold_entries_that_match_nothing_are_reported(id_run):
    from qa import Newsdesk, Settings

    from eval.cases import EvalCase
    from eval.runner import eval_settings, gold_article_aliases

    _, _, root = id_run
    corpus = root / "articles"
    desk = Newsdesk(eval_settings(Settings(llm="extractive", data_dir=root / "data"), corpus))  # the run's index
    cases = [EvalCase(id="x", question="q", gold_articles=["rec-cheese", "no-such-record",
                                                          "Teenager wins the Saltmarsh chess open"])]
    aliases, extra = gold_article_aliases(desk, cases, corpus)
    assert set(aliases) == {"rec-cheese"}
    assert extra["unmatched_gold_articles"] == ["no-such-record"]


# Corpus declaration ------------------------------------------------------------------------------
def test_header_is_not_a_case_and_declares_a_corpus_relative_to_the_set(tmp_path):
    write_corpus(tmp_path / "sets" / "corpus")
    set_file = write_set(tmp_path / "sets" / "s.jsonl", header={"corpus": "corpus/a.jsonl"})
    cases, fmt = load_set(set_file)
    assert fmt == "jsonl" and [c.id for c in cases] == ["q1", "q2", "q3", "q4"]
    assert declared_corpus(set_file) == (tmp_path / "sets" / "corpus" / "a.jsonl").resolve()
    assert default_corpus(set_file, fmt, cases, tmp_path / "out") == (tmp_path / "sets" / "corpus" / "a.jsonl").resolve()


def test_json_set_with_corpus_and_cases(tmp_path):
    write_corpus(tmp_path / "articles")
    set_file = tmp_path / "s.json"
    set_file.write_text(json.dumps({"corpus": "articles", "cases": CASES}), encoding="utf-8")
    cases, fmt = load_set(set_file)
    assert fmt == "json-list" and len(cases) == 4 and cases[3].gold_articles == ["7"]
    assert declared_corpus(set_file, fmt) == (tmp_path / "articles").resolve()


def test_header_errors_say_how_to_fix(tmp_path):
    late = tmp_path / "late.jsonl"
    late.write_text(json.dumps(CASES[0]) + "\n" + json.dumps({"corpus": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match="must be the first record"):
        load_set(late)
    missing = write_set(tmp_path / "missing.jsonl", header={"corpus": "nowhere/"})
    with pytest.raises(EvalSetError, match=r"nowhere.*does not exist.*--corpus PATH"):
        default_corpus(missing, "jsonl", load_set(missing)[0], tmp_path / "out")
    empty = write_set(tmp_path / "empty.jsonl", header={"corpus": ""})
    with pytest.raises(EvalSetError, match="non-empty path"):
        declared_corpus(empty)


def test_no_corpus_error_names_both_ways_to_give_one(tmp_path):
    set_file = write_set(tmp_path / "plain.jsonl")
    with pytest.raises(EvalSetError) as err:
        default_corpus(set_file, "jsonl", load_set(set_file)[0], tmp_path / "out")
    assert "--corpus PATH" in str(err.value) and '{"corpus": "PATH"}' in str(err.value)


def test_bundled_set_by_path_or_as_a_copy_uses_the_samples(tmp_path):
    bundled = REPO / "eval" / "sets" / "samples.jsonl"
    copy = tmp_path / "samples.jsonl"
    shutil.copyfile(bundled, copy)
    cases, fmt = load_set(copy)
    assert is_bundled(bundled) and is_bundled(copy)
    assert default_corpus(copy, fmt, cases, tmp_path / "out") == SAMPLES_DIR
    assert default_corpus(Path(os.path.relpath(bundled)), fmt, cases, tmp_path / "out") == SAMPLES_DIR
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # edited: no longer the bundled set
    assert not is_bundled(copy)


# The CLI -----------------------------------------------------------------------------------------
def _newsdesk(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "NEWSDESK_PROGRESS": "0"}
    return subprocess.run([str(NEWSDESK), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_cli_set_with_declared_corpus_runs_without_corpus_option(tmp_path):
    write_corpus(tmp_path / "articles")
    write_set(tmp_path / "by_id.jsonl", cases=CASES[:2], header={"corpus": "articles"})
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()  # the corpus path is relative to the set file, not to the working directory
    done = _newsdesk("eval", str(tmp_path / "by_id.jsonl"), "--llm", "extractive", "--data-dir", str(tmp_path / "data"),
                     "--out", str(tmp_path / "out"), cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "2 cases, 0 errors" in done.stdout and "article recall @1 1.000" in done.stdout
    assert "warning" not in done.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["overall"]["article_hit@1"] == 1.0


def test_cli_set_without_corpus_exits_2_with_the_fix(tmp_path):
    write_set(tmp_path / "plain.jsonl")
    done = _newsdesk("eval", str(tmp_path / "plain.jsonl"), "--llm", "extractive", "--data-dir", str(tmp_path / "data"),
                     cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert "no corpus known for this set" in done.stderr
    assert "--corpus PATH" in done.stderr and '{"corpus": "PATH"}' in done.stderr
    assert not (tmp_path / "data" / "eval-runs").exists()  # nothing left behind for a run that never started
