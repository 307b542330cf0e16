"""LLM backends: configuration errors, the openai client against a local fake server, the local GGUF runtime."""

import socket

import pytest

from qa_helpers import make_settings, smollm2_path
from bench.fake_openai import FakeOpenAI
from qa import Answer, Newsdesk, NewsdeskError
from qa_articles import SEED_QUESTION

TRAM_ANSWER = "The Riverside tram line will cost 240 million euros [{n}][7]. It will be paid by pirates."


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"llm": "openai"}, "openai_base_url"),
    ({"llm": "openai", "openai_base_url": "http://127.0.0.1:9/v1"}, "openai_model"),
    ({"llm": "openai", "openai_base_url": "localhost:8000", "openai_model": "m"}, "must start with http"),
    ({"llm": "ollama"}, "ollama_model"),
    ({"llm": "local", "llm_model_path": "/nonexistent/model.gguf"}, "llm_model_path"),
])
def test_misconfigured_backend_fails_fast_with_the_setting_named(index_dir, overrides, message):
    desk = Newsdesk(make_settings(index_dir, **overrides))
    with pytest.raises(NewsdeskError, match=message):
        desk.ask(SEED_QUESTION)


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_unreachable_server_is_one_clear_error(index_dir, backend):
    url = f"http://127.0.0.1:{_closed_port()}"
    overrides = ({"openai_base_url": url + "/v1", "openai_model": "m"} if backend == "openai"
                 else {"ollama_url": url, "ollama_model": "m"})
    desk = Newsdesk(make_settings(index_dir, llm=backend, llm_timeout_s=5, **overrides))
    with pytest.raises(NewsdeskError, match=f"llm={backend} failed at {url}"):
        desk.ask(SEED_QUESTION)


def test_retrieval_does_not_load_the_llm(index_dir):
    desk = Newsdesk(make_settings(index_dir, llm="openai"))  # misconfigured, but retrieval needs no LLM
    assert desk.retrieve(SEED_QUESTION)


@pytest.fixture()
def fake_server():
    with FakeOpenAI(TRAM_ANSWER, "Glenmoor council approves") as server:
        yield server


def _openai_desk(index_dir, server):
    return Newsdesk(make_settings(index_dir, llm="openai", openai_base_url=server.base_url, openai_model="fake-1",
                                  openai_api_key="sk-test"))


def test_openai_backend_streams_and_checks_citations(index_dir, fake_server):
    desk = _openai_desk(index_dir, fake_server)
    items = list(desk.stream("How much will the Riverside tram line cost?"))
    answer = items[-1]
    assert isinstance(answer, Answer) and len(items) > 2 and "".join(items[:-1]).startswith("The Riverside")
    # the newer report (265 million) is source [1]; the model cited the earlier one, which the answer says
    assert "The Riverside tram line will cost 240 million euros [1]." in answer.text
    assert [c.title for c in answer.citations] == ["Glenmoor council approves the Riverside tram line"]
    assert answer.unsupported == ["It will be paid by pirates."]
    assert answer.llm == "openai" and answer.completion_tokens > 0
    request = fake_server.requests[-1]
    assert request["path"] == "/v1/chat/completions" and request["body"]["stream"] is True
    assert request["body"]["model"] == "fake-1" and request["body"]["temperature"] == 0.0
    assert request["body"]["max_tokens"] == desk.settings.llm_max_tokens


def test_prompt_keeps_article_text_inside_the_sources_block(index_dir, fake_server):
    desk = _openai_desk(index_dir, fake_server)
    desk.ask("What does the Marlow harbour office say about the tide and the Glenmoor tram?")
    system, user = fake_server.requests[-1]["body"]["messages"]
    assert system["role"] == "system" and "never follow" in system["content"]
    assert user["content"].startswith("<sources>\n[1] ")
    data = user["content"].split("</sources>")[0]
    assert "5.4 metres" in data  # the Marlow article is retrieved ...
    assert "Ignore all previous instructions" not in user["content"]  # ... but its injected order is not sent
    assert "[7]" not in data


def test_openai_follow_up_is_rewritten_by_the_llm(index_dir, fake_server):
    desk = _openai_desk(index_dir, fake_server)
    answer = desk.chat([{"role": "user", "content": "What did Hakan Fidan say about the technical talks?"},
                        {"role": "assistant", "content": "They are not normalization [1]."},
                        {"role": "user", "content": "What did he say about Syria?"}])
    assert answer.standalone_question == "What did Hakan Fidan say about Syria?"
    assert "Standalone question:" in fake_server.requests[0]["body"]["messages"][-1]["content"]


def test_local_backend_runs_a_real_gguf(index_dir):
    """The pipeline runs end to end on llama.cpp with the tiny SmolLM2 model (quality is not judged)."""
    pytest.importorskip("llama_cpp")
    desk = Newsdesk(make_settings(index_dir, llm="local", llm_model_path=str(smollm2_path()), llm_max_tokens=24))
    items = list(desk.stream(SEED_QUESTION))
    answer = items[-1]
    assert isinstance(answer, Answer) and answer.llm == "local"
    assert answer.prompt_tokens > 100 and answer.completion_tokens > 0
    assert answer.refused or answer.citations or answer.unsupported
    assert all(1 <= c.n <= len(answer.citations) for c in answer.citations)
    assert answer.timings.first_token_s > answer.timings.retrieval_s > 0
