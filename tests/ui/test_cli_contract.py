"""The `newsdesk` contract scripts rely on, checked on the installed console script in subprocesses: exit status
(0 done, 1 some inputs failed, 2 usage/configuration, 3 retryable, 130 interrupted), `--json` documents, and
one-line errors on stderr, never a traceback. Few processes: each start loads Python and, for ingest/ask, the
embedding model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NEWSDESK = Path(sys.executable).parent / "newsdesk"
GOOD = REPO / "samples" / "articles" / "lake-tamsin-beaches-reopen.md"
QUESTION = "When did the Lake Tamsin beaches reopen?"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    if not NEWSDESK.is_file():
        pytest.skip(f"the console script is not installed at {NEWSDESK}")
    home = tmp_path_factory.mktemp("cli-home")
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("NEWSDESK_")}
    return {**clean, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "NEWSDESK_EMBED_THREADS": "1",
            "NEWSDESK_CONFIG": str(home / "no-config.toml"), "XDG_DATA_HOME": str(home)}


def newsdesk(env: dict[str, str], *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(NEWSDESK), *args], env={**env, **extra_env}, capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def error_line(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("newsdesk: error: "), done.stderr
    return lines[0]


def test_ingest_sources_ask_remove_json_and_exit_codes(tmp_path, env):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(GOOD, inputs / GOOD.name)
    (inputs / "broken.json").write_text("{not json", encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]

    done = newsdesk(env, "ingest", "--json", str(inputs), *data)  # one good, one bad file: exit 1, both listed
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    statuses = {Path(r["input"]).name: r["status"] for r in report["results"]}
    assert statuses == {GOOD.name: "added", "broken.json": "failed"} and not report["ok"]
    assert report["summary"]["added"] == 1 and report["summary"]["failed"] == 1
    assert "broken.json" in next(r["error"] for r in report["results"] if r["status"] == "failed")

    done = newsdesk(env, "ingest", "--json", str(inputs / GOOD.name), *data)  # good files only: exit 0
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] and json.loads(done.stdout)["summary"]["unchanged"] == 1

    done = newsdesk(env, "sources", "--json", *data)
    assert done.returncode == 0, done.stderr
    articles = json.loads(done.stdout)
    assert [a["title"] for a in articles] == ["Lake Tamsin beaches reopen after three weeks of algae tests"]

    done = newsdesk(env, "ask", "--json", "--llm", "extractive", QUESTION, *data)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert not answer["refused"] and answer["citations"], answer
    assert answer["citations"][0]["article_id"] == articles[0]["id"]

    done = newsdesk(env, "remove", "--json", articles[0]["id"], "0123456789abcdef", *data)
    assert done.returncode == 1, done.stderr
    removed = json.loads(done.stdout)
    assert [r["status"] for r in removed["results"]] == ["removed", "failed"]
    assert removed["summary"]["removed"] == 1 and removed["summary"]["failed"] == 1


def test_configuration_errors_exit_2_with_one_line(tmp_path, env):
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text("top_kk = 3\n", encoding="utf-8")
    no_config = {k: v for k, v in env.items() if k != "NEWSDESK_CONFIG"}  # found as DATA_DIR/config.toml
    done = newsdesk(no_config, "sources", "--data-dir", str(data))
    assert done.returncode == 2
    assert "unknown setting 'top_kk'" in error_line(done) and "did you mean 'top_k'?" in done.stderr

    not_a_dir = tmp_path / "a-file"
    not_a_dir.write_text("x", encoding="utf-8")
    done = newsdesk(env, "ask", "--json", "--llm", "extractive", "--data-dir", str(not_a_dir), QUESTION)
    assert done.returncode == 2
    assert f"{not_a_dir} is a file, not a directory" in error_line(done)
    assert json.loads(done.stdout)["error"]["type"] == "ConfigError"


def test_help_documents_the_contract(env):
    done = newsdesk(env, "--help")
    assert done.returncode == 0
    for text in ("exit codes:", "130", "retryable", "--json", "newsdesk: error:"):
        assert text in done.stdout, text


@pytest.mark.parametrize(("raised", "status", "message"), [
    ("storage", 3, "cannot use the index"),
    ("backend", 3, "llm=openai failed"),
    ("input", 2, "the question is empty"),
    ("interrupt", 130, "newsdesk: interrupted"),
])
def test_exit_status_by_kind_of_error(monkeypatch, capsys, raised, status, message):
    """In-process (no subprocess needed): retryable failures exit 3, Ctrl-C 130, each one line on stderr."""
    from qa import cli
    from qa.errors import BackendError, InputError, StorageError

    errors = {"storage": StorageError("cannot use the index in /x (disk full); free disk space"),
              "backend": BackendError("llm=openai failed at http://h/v1: timed out; check the server"),
              "input": InputError("the question is empty: ask something"), "interrupt": KeyboardInterrupt()}

    def fail(args):
        raise errors[raised]

    monkeypatch.setattr(cli, "cmd_sources", fail)
    assert cli.main(["sources", "--json"]) == status
    out, err = capsys.readouterr()
    assert message in err and len(err.strip().splitlines()) == 1
    if raised != "interrupt":
        assert json.loads(out)["error"]["retryable"] is (status == 3)
