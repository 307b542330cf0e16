"""Errors you can act on: the NewsdeskError hierarchy, and unknown or bad settings named with the fix."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
from pathlib import Path

import pytest

from qa import BackendError, ConfigError, InputError, Newsdesk, NewsdeskError, Settings, StorageError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(tmp_path, monkeypatch):
    """No NEWSDESK_* variable or user config file leaks in."""
    for name in list(os.environ):
        if name.upper().startswith("NEWSDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "no-config.toml"))


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and message.strip() == message, message
    return message


# A. the hierarchy --------------------------------------------------------------------------------------------

def test_every_kind_is_a_newsdesk_error_and_says_whether_to_retry():
    from qa.errors import exit_code

    for kind, retryable in [(ConfigError, False), (InputError, False), (StorageError, True), (BackendError, True)]:
        assert issubclass(kind, NewsdeskError) and kind.retryable is retryable
        assert exit_code(kind("x")) == (3 if retryable else 2)
    assert NewsdeskError.retryable is False and exit_code(NewsdeskError("x")) == 2


def test_index_guard_turns_storage_failures_into_storage_errors_with_the_cause_kept(tmp_path):
    from index import IngestError, StorageFailure

    from qa.errors import index_guard

    settings = Settings(data_dir=tmp_path / "data", llm="extractive")
    original = sqlite3.OperationalError("disk I/O error")
    with pytest.raises(StorageError) as caught, index_guard(settings):
        raise original
    assert str(settings.data_dir) in one_line(caught.value) and caught.value.retryable
    assert isinstance(caught.value.__cause__, StorageFailure) and caught.value.__cause__.__cause__ is original

    with pytest.raises(ConfigError, match="embed_model") as caught, index_guard(settings):
        raise IngestError("the index was built with embed_model 'a', not 'b'; set embed_model back")
    assert not caught.value.retryable and isinstance(caught.value.__cause__, IngestError)

    with pytest.raises(StorageError, match="Chroma server"), index_guard(settings):  # as index/store.py raises it
        raise StorageFailure("cannot reach the Chroma server at http://127.0.0.1:9 (refused); start it")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_llm_server_is_a_retryable_backend_error(tmp_path):
    pytest.importorskip("llama_index.llms.openai_like")
    from qa.llms.remote import OpenAIChat

    url = f"http://127.0.0.1:{_closed_port()}/v1"
    backend = OpenAIChat(Settings(data_dir=tmp_path, llm="openai", openai_base_url=url, openai_model="m",
                                  llm_timeout_s=5))
    with pytest.raises(BackendError, match=f"llm=openai failed at {re.escape(url)}") as caught:
        list(backend.stream([{"role": "user", "content": "hi"}], 8))
    assert caught.value.retryable and caught.value.__cause__ is not None
    one_line(caught.value)


def test_server_that_does_not_know_the_model_is_a_config_error():
    from qa.llms.base import LlamaIndexChat

    class NotFound(Exception):
        status_code = 404

    class Llm:
        def stream_chat(self, messages, **kwargs):
            raise NotFound("model 'qwen9' not found")
            yield  # a generator, like the real clients

    backend = LlamaIndexChat(Llm(), "ollama", "qwen9", "http://127.0.0.1:11434", "pull the model")
    with pytest.raises(ConfigError, match="model 'qwen9' not found; pull the model") as caught:
        list(backend.stream([{"role": "user", "content": "hi"}], 8))
    assert isinstance(caught.value.__cause__, NotFound)


@pytest.mark.parametrize(("overrides", "setting"), [
    ({"llm": "openai"}, "openai_base_url"),
    ({"llm": "ollama"}, "ollama_model"),
    ({"llm": "local", "llm_model_path": "/nonexistent/model.gguf"}, "llm_model_path"),
])
def test_backend_settings_the_user_must_fix_are_config_errors(tmp_path, overrides, setting):
    from qa.llms.factory import make_backend

    with pytest.raises(ConfigError, match=setting) as caught:
        make_backend(Settings(data_dir=tmp_path, **overrides))
    one_line(caught.value)


# B. unknown and bad settings ---------------------------------------------------------------------------------

def test_unknown_keyword_names_the_closest_setting(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown setting 'top_kk' \(a keyword argument\); did you mean 'top_k'\?"):
        Settings(data_dir=tmp_path, top_kk=3)
    with pytest.raises(ConfigError, match="did you mean 'top_k'"):
        Newsdesk(data_dir=tmp_path, top_kk=3)
    with pytest.raises(ConfigError, match="did you mean 'llm'"):
        Newsdesk(Settings(data_dir=tmp_path), lm="extractive")
    with pytest.raises(ConfigError, match="unknown setting 'zzz'.*remove it"):
        Settings(data_dir=tmp_path, zzz=1)


def test_unknown_environment_variable_names_the_closest_one(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_TOPK", "3")
    with pytest.raises(ConfigError, match="unknown setting NEWSDESK_TOPK .*did you mean NEWSDESK_TOP_K\\?") as caught:
        Settings(data_dir=tmp_path)
    one_line(caught.value)


def test_non_setting_environment_variables_are_allowed(tmp_path, monkeypatch):
    from index.settings import IndexSettings

    for name in IndexSettings.non_setting_env:
        if name != "NEWSDESK_CONFIG":
            monkeypatch.setenv(name, "1")
    monkeypatch.setenv("NEWSDESK_TOP_K", "7")
    assert Settings(data_dir=tmp_path).top_k == 7


def test_every_newsdesk_variable_in_the_project_is_a_setting_or_allow_listed():
    """Guard for the allow-list: any NEWSDESK_* name the code or docs use must not be refused as unknown."""
    from index.settings import IndexSettings

    typo_tests = {"test_qa_errors.py", "test_cli_contract.py"}  # they misspell names on purpose
    names: set[str] = set()
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.endswith(".egg-info") and d != "__pycache__"]
        for name in files:
            path = Path(folder) / name
            if name in typo_tests or not (path.suffix in {".py", ".md", ".toml", ".cfg", ".sh", ".yml", ".yaml"}
                                          or name == "Makefile"):
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            names |= set(re.findall(r"NEWSDESK_[A-Z0-9_]*[A-Z0-9]", text))
    fields = {f"NEWSDESK_{name.upper()}" for name in Settings.model_fields}
    assert names, "the scan found nothing"
    assert names - fields - set(IndexSettings.non_setting_env) == set()


def test_typo_in_config_file_names_the_file_and_the_closest_setting(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    config = data / "config.toml"
    config.write_text('llm = "extractive"\ntop_kk = 3\n', encoding="utf-8")
    monkeypatch.delenv("NEWSDESK_CONFIG")
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(data))  # found as config.toml in the data directory
    expected = re.escape(f"unknown setting 'top_kk' (in config.toml at {config}); did you mean 'top_k'?")
    with pytest.raises(ConfigError, match=expected):
        Settings()
    config.write_text('llm = "extractive"\ntop_k = 3\n', encoding="utf-8")
    assert (Settings().llm, Settings().top_k) == ("extractive", 3)


def test_bare_index_settings_skip_the_apps_other_settings(tmp_path, monkeypatch):
    """IndexSettings alone (tests, bench workers) reads the same config file and environment as the app."""
    from index import IndexSettings, SettingError

    config = tmp_path / "config.toml"
    config.write_text('llm = "extractive"\nchunk_size = 128\n', encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    monkeypatch.setenv("NEWSDESK_LLM", "ollama")
    assert IndexSettings(data_dir=tmp_path).chunk_size == 128
    with pytest.raises(SettingError, match="unknown setting 'chunk_sise'.*did you mean 'chunk_size'"):
        IndexSettings(data_dir=tmp_path, chunk_sise=128)


@pytest.mark.parametrize(("source", "expected"), [
    ({"keyword": {"embed_backend": "onx"}},
     r"bad setting embed_backend='onx' \(an argument or command-line option\): must be 'torch', 'onnx' or 'onnx-int8'"),
    ({"env": {"NEWSDESK_TOP_K": "0"}},
     r"bad setting top_k='0' \(from NEWSDESK_TOP_K\): .*greater than or equal to 1; use an integer >= 1 and <= 50"),
    ({"toml": 'fusion = "best"\n'},
     r"bad setting fusion='best' \(in config.toml at .*\): must be 'rrf', 'dense' or 'bm25'"),
    ({"keyword": {"llm_threads": "many"}}, r"bad setting llm_threads='many' .*: .*valid integer.*; use an integer"),
])
def test_bad_value_names_the_setting_where_it_came_from_and_what_is_allowed(tmp_path, monkeypatch, source, expected):
    from pydantic import ValidationError

    for name, value in source.get("env", {}).items():
        monkeypatch.setenv(name, value)
    if "toml" in source:
        (tmp_path / "config.toml").write_text(source["toml"], encoding="utf-8")
        monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "config.toml"))
    with pytest.raises(ConfigError, match=expected) as caught:
        Settings(data_dir=tmp_path, **source.get("keyword", {}))
    one_line(caught.value)
    assert isinstance(caught.value.__cause__, ValidationError)


def test_broken_config_file_and_file_as_data_dir_are_config_errors(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("top_k = \n", encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    with pytest.raises(ConfigError, match=f"{re.escape(str(config))} is not valid TOML"):
        Settings(data_dir=tmp_path)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(ConfigError, match="is a file, not a directory; choose a directory with --data-dir"):
        Settings(data_dir=config)


def test_bad_assignment_is_a_config_error(tmp_path):
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(ConfigError, match="bad setting top_k=0 .*use an integer >= 1 and <= 50"):
        settings.top_k = 0
    assert settings.top_k == 5
