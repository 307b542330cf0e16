"""Runner pieces that need no index: per-case time limits and the eval-index key."""

import json
import threading

import pytest

from eval.runner import CaseTimeout, call_with_timeout, index_key


class _Chunking:
    def __init__(self, chunk_size=192):
        self.chunk_size, self.chunk_overlap, self.embed_model, self.embed_backend = chunk_size, 32, "m", "torch"


def test_timeout_is_raised_and_the_slow_call_finishes_first():
    release = threading.Event()
    finished = []

    def slow():
        release.wait(5)
        finished.append(True)

    threading.Timer(0.3, release.set).start()
    with pytest.raises(CaseTimeout, match="no answer within 0.05s"):
        call_with_timeout(slow, 0.05)
    assert finished == [True]  # never two questions at once on the model


def test_errors_inside_the_call_are_re_raised():
    with pytest.raises(ZeroDivisionError):
        call_with_timeout(lambda: 1 / 0, 5)
    assert call_with_timeout(lambda: 42, 5) == 42
    assert call_with_timeout(lambda: 42, None) == 42


def test_index_key_follows_corpus_content_and_chunk_settings(tmp_path):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "a.md").write_text("Title\n\nBody one.", encoding="utf-8")
    (corpus / ".hidden").write_text("ignored", encoding="utf-8")
    key = index_key(corpus, _Chunking())
    assert key == index_key(corpus, _Chunking())
    assert key != index_key(corpus, _Chunking(chunk_size=128))
    (corpus / ".hidden").write_text("still ignored", encoding="utf-8")
    assert key == index_key(corpus, _Chunking())
    (corpus / "a.md").write_text("Title\n\nBody two.", encoding="utf-8")
    assert key != index_key(corpus, _Chunking())


def test_select_cases_first_or_spread():
    from eval.cases import EvalCase
    from eval.runner import select_cases

    cases = [EvalCase(id=str(i), question="q", type="a" if i < 6 else "b") for i in range(9)]
    assert [c.id for c in select_cases(cases, 3)] == ["0", "1", "2"]
    assert [c.id for c in select_cases(cases, 3, spread=True)] == ["0", "3", "6"]
    assert select_cases(cases, None) == cases and select_cases(cases, 50, spread=True) == cases


def test_replaying_a_run_with_the_same_code_gives_the_same_answers(bundled_run, tmp_path):
    from eval.replay import main as replay

    report, out = bundled_run
    assert replay([str(out), "--out", str(tmp_path / "replayed")]) == 0
    read = lambda d: {r["id"]: r for r in map(json.loads, (d / "results.jsonl").open(encoding="utf-8"))}  # noqa: E731
    before, after = read(out), read(tmp_path / "replayed")
    assert before.keys() == after.keys() and len(before) == report["overall"]["cases"]
    for case_id, was in before.items():
        now = after[case_id]
        assert (now["answer"], now["refused"], now["correct"]) == (was["answer"], was["refused"], was["correct"])
    replayed = json.loads((tmp_path / "replayed" / "report.json").read_text(encoding="utf-8"))
    assert replayed["overall"]["accuracy"] == report["overall"]["accuracy"]
