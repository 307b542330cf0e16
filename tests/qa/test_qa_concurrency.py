"""Questions in parallel: admission (in-flight limit, busy error), per-thread token counts, the local model's
one-at-a-time drafting, and progress before the first word."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.fake_openai import FakeOpenAI
from qa import BusyError, Newsdesk
from qa.admission import Admission, in_flight_limit, worker_limit
from qa.llms.base import ChatBackend
from qa.llms.local import LocalChat
from qa.types import Answer, Progress
from qa_helpers import make_settings

TRAM_QUESTION = "How much will the Riverside tram line cost?"
TRAM_ANSWER = "The Riverside tram line will cost 240 million euros [{n}]."


def test_admission_refuses_past_the_limit_and_frees_slots():
    gate = Admission(2)
    gate.enter()
    with gate.slot():
        assert gate.in_flight == 2
        with pytest.raises(BusyError, match="max_in_flight"):
            gate.enter()
    gate.leave()
    assert gate.in_flight == 0
    with gate.slot():  # freed slots admit again
        assert gate.in_flight == 1


def test_default_in_flight_limit_depends_on_the_backend(index_dir):
    assert in_flight_limit(make_settings(index_dir, llm="local")) < in_flight_limit(make_settings(index_dir))
    assert in_flight_limit(make_settings(index_dir, max_in_flight=3)) == 3
    # CPU-bound answering works on about a core's worth at a time; remote answering on every admitted question
    assert worker_limit(make_settings(index_dir), 64) < 64
    assert worker_limit(make_settings(index_dir, llm="openai"), 64) == 64


def test_admitted_questions_are_worked_on_in_arrival_order():
    gate = Admission(8, workers=1)
    order, started = [], []
    gate.working().__enter__()  # the one worker is busy: everyone else queues
    threads = []
    for i in range(5):
        def work(i=i):
            started.append(i)
            with gate.working():
                order.append(i)
        threads.append(threading.Thread(target=work))
        threads[-1].start()
        while len(started) <= i:  # start them one after the other
            threading.Event().wait(0.005)
        threading.Event().wait(0.02)
    gate._turns.release()
    for t in threads:
        t.join(timeout=5)
    assert order == [0, 1, 2, 3, 4]


def test_questions_reach_a_remote_server_in_parallel(index_dir):
    with FakeOpenAI(TRAM_ANSWER, "Glenmoor council approves", delay_s=0.5) as server:
        desk = Newsdesk(make_settings(index_dir, llm="openai", openai_base_url=server.base_url,
                                      openai_model="fake-1", openai_api_key="sk-test"))
        desk.ask(TRAM_QUESTION)  # builds the engine and warms caches
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: desk.ask(TRAM_QUESTION), range(4)))
    assert all(not a.refused and "240 million" in a.text for a in answers)
    assert server.max_active >= 2, "the answers were serialised: the server never saw two requests at once"
    assert desk.admission.in_flight == 0


def test_a_full_desk_says_busy_at_once(index_dir):
    desk = Newsdesk(make_settings(index_dir, max_in_flight=1))
    desk.admission.enter()  # someone else's question holds the only slot
    try:
        with pytest.raises(BusyError, match="busy"):
            desk.stream(TRAM_QUESTION)
        with pytest.raises(BusyError):
            desk.retrieve(TRAM_QUESTION)
    finally:
        desk.admission.leave()
    assert not desk.ask(TRAM_QUESTION).refused


def test_an_abandoned_stream_gives_its_slot_back(index_dir):
    desk = Newsdesk(make_settings(index_dir, max_in_flight=1))
    stream = desk.stream(TRAM_QUESTION)
    next(stream)  # read one piece, then walk away
    del stream
    for _ in range(200):
        if desk.admission.in_flight == 0:
            break
        threading.Event().wait(0.05)
    assert desk.admission.in_flight == 0
    assert not desk.ask(TRAM_QUESTION).refused


def test_progress_tells_what_happens_before_the_first_word(index_dir):
    desk = Newsdesk(make_settings(index_dir))
    items = list(desk.stream(TRAM_QUESTION, progress=True))
    stages = [i.stage for i in items if isinstance(i, Progress)]
    assert stages == ["preparing", "retrieved"]
    retrieved = next(i for i in items if isinstance(i, Progress) and i.stage == "retrieved")
    first_text = next(k for k, i in enumerate(items) if isinstance(i, str))
    assert items.index(retrieved) < first_text, "sources come before the answer's first word"
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert [p.chunk_id for p in retrieved.passages] == [p.chunk_id for p in answer.contexts]
    # a built engine has nothing to prepare, and plain streams carry no progress at all
    assert [i.stage for i in desk.stream(TRAM_QUESTION, progress=True) if isinstance(i, Progress)] == ["retrieved"]
    assert not any(isinstance(i, Progress) for i in desk.stream(TRAM_QUESTION))


class _CountingBackend(ChatBackend):
    """Reports a different token count per call, so a mix-up between threads shows."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Barrier(2)

    def stream(self, messages, max_tokens):
        n = len(messages[-1]["content"])
        self.started.wait(timeout=5)  # both threads are inside stream() at once
        yield "x"
        self.last_usage = (n, 1)


def test_token_counts_are_kept_per_thread():
    backend = _CountingBackend()
    seen = {}

    def run(text: str) -> None:
        list(backend.stream([{"role": "user", "content": text}], 10))
        threading.Event().wait(0.05)  # the other thread writes its count meanwhile
        seen[text] = backend.last_usage

    threads = [threading.Thread(target=run, args=(t,)) for t in ("ab", "abcdef")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"ab": (2, 1), "abcdef": (6, 1)}


class _FakeLlama:
    """Stands in for llama-index's LlamaCPP: records how many generations overlap."""

    def __init__(self) -> None:
        self.generate_kwargs: dict = {}
        self.active = self.max_active = 0
        self.lock = threading.Lock()

    def stream_chat(self, messages, **_):
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        threading.Event().wait(0.1)
        yield type("Delta", (), {"delta": "ok"})()
        with self.lock:
            self.active -= 1


def test_the_in_process_model_drafts_one_answer_at_a_time():
    local = LocalChat.__new__(LocalChat)  # no GGUF needed: the lock is what is under test
    ChatBackend.__init__(local)
    local.llm, local.name, local.model, local.where, local.fix = _FakeLlama(), "local", "m", "", ""
    local._turn = threading.Lock()
    with ThreadPoolExecutor(3) as pool:
        outputs = list(pool.map(lambda _: "".join(local.stream([{"role": "user", "content": "q"}], 8)), range(3)))
    assert outputs == ["ok"] * 3
    assert local.llm.max_active == 1
    assert LocalChat.parallel is False and ChatBackend.parallel is True
