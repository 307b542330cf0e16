"""The public Python API used by the CLI, the UI and eval."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from qa.admission import Admission, in_flight_limit, worker_limit
from qa.errors import InputError, NewsdeskError, index_guard
from qa.filters import Filters
from qa.settings import Settings
from qa.types import Answer, Passage, Progress


class Newsdesk:
    """Question answering over an article index: `Newsdesk(settings)` or `Newsdesk(data_dir=..., llm=...)`."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        if settings is None:
            settings = Settings(**overrides)
        elif overrides:
            settings = Settings(**{**settings.model_dump(), **overrides})
        self.settings = settings
        self._lock = threading.RLock()  # lazy construction of the engine and retriever
        # questions run in parallel up to max_in_flight; the in-process model serialises its own drafting
        limit = in_flight_limit(settings)
        self.admission = Admission(limit, worker_limit(settings, limit))
        self._engine: Any = None
        self._retriever: Any = None
        self._catalog: Any = None
        self._watcher: Any = None  # background feed watcher (start_watcher)

    # Index side ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Any:
        if self._catalog is None:
            from index import Catalog

            self._catalog = Catalog(self.settings)
        return self._catalog

    def _current_catalog(self) -> Any:
        """The catalog, after taking in what other processes indexed on a shared Chroma server (throttled)."""
        catalog = self.catalog
        refresh = getattr(catalog, "refresh", None)
        if refresh is not None:
            refresh()
        return catalog

    def ingest(self, paths: Iterable[str | Path], prune: bool = False,
               on_progress: Callable[..., Any] | None = None) -> Any:
        from index import ingest

        with index_guard(self.settings):
            return ingest([str(p) for p in paths], self.settings, prune=prune, on_progress=on_progress)

    def remove(self, targets: Iterable[str]) -> Any:
        from index import remove

        with index_guard(self.settings):
            return remove(list(targets), self.settings)

    def articles(self) -> list[Any]:
        with index_guard(self.settings):
            return self._current_catalog().articles()

    def article(self, article_id: str) -> Any:
        with index_guard(self.settings):
            return self._current_catalog().get(article_id)

    def sources(self) -> list[str]:
        with index_guard(self.settings):
            return self._current_catalog().sources()

    # Watched feeds (index/feeds.py, index/watch.py) ----------------------------------------------
    def feeds(self) -> list[Any]:
        """The watched feeds and their poll state (`index.FeedState`), in the order they were added."""
        from index import FeedList

        with index_guard(self.settings):
            return FeedList(self.settings).list()

    def add_feeds(self, urls: Iterable[str], interval_min: float | None = None) -> list[Any]:
        """Watch these feed URLs (polled every `interval_min` minutes, default `feed_interval_min`); one
        `index.FeedChange` per URL: added, updated (interval changed), unchanged or failed (with a one-line error)."""
        from index import FeedList

        try:
            with index_guard(self.settings):
                changes = FeedList(self.settings).add(urls, interval_min)
        except ValueError as exc:  # the interval: a usage error, nothing was changed
            raise InputError(str(exc)) from exc
        if self._watcher is not None:
            self._watcher.wake()  # the first poll of a new feed is due now
        return changes

    def remove_feeds(self, urls: Iterable[str]) -> list[Any]:
        """Stop watching these feeds; their articles stay indexed (`remove` drops those)."""
        from index import FeedList

        with index_guard(self.settings):
            return FeedList(self.settings).remove(urls)

    def watch(self, once: bool = False, on_poll: Callable[..., Any] | None = None) -> list[Any]:
        """Poll due feeds in this thread until interrupted (Ctrl-C), or one pass with `once` (its outcomes).
        Another watcher on this data dir raises ConfigError (its `__cause__` is `index.WatcherRunning`)."""
        from index import Watcher

        with index_guard(self.settings):
            return Watcher(self.settings, on_poll=on_poll).run(once=once)

    def start_watcher(self, on_poll: Callable[..., Any] | None = None) -> None:
        """Poll the watched feeds in a background thread (questions never wait for it) until `stop_watcher()`.
        Another watcher on this data dir raises ConfigError (its `__cause__` is `index.WatcherRunning`)."""
        from index import Watcher

        with self._lock, index_guard(self.settings):
            if self._watcher is None or not self._watcher.running:
                watcher = Watcher(self.settings, on_poll=on_poll)
                watcher.start()
                self._watcher = watcher

    def stop_watcher(self, timeout: float | None = 30.0) -> bool:
        """Stop the background watcher after the poll in progress; False if that poll outlasted `timeout`
        (the thread is a daemon, and a poll cut short is redone by the next watcher)."""
        watcher, self._watcher = self._watcher, None
        return True if watcher is None else watcher.stop(timeout)

    @property
    def watching(self) -> bool:
        """Whether this Newsdesk runs a background watcher."""
        return self._watcher is not None and self._watcher.running

    # Answers -------------------------------------------------------------------------------------
    def retriever(self) -> Any:
        """The hybrid retriever, built on first use (loads the embedding model)."""
        with self._lock, index_guard(self.settings):
            if self._retriever is None:
                from index import get_embedder, open_store

                from qa.retrieval.retriever import Retriever

                self._retriever = Retriever(self.settings, self.catalog, open_store(self.settings),
                                            get_embedder(self.settings))
            return self._retriever

    def engine(self) -> Any:
        """The answering pipeline, built on first use (loads the LLM backend)."""
        with self._lock:
            if self._engine is None:
                from qa.engine import Engine
                from qa.llms.factory import make_backend

                backend = make_backend(self.settings)
                self._engine = Engine(self.settings, self.retriever(), backend)
            return self._engine

    def retrieve(self, question: str, filters: Filters | None = None, k: int | None = None) -> list[Passage]:
        """Ranked passages for a question, without answering (eval: recall@k)."""
        _check_question(question, filters)
        retriever = self.retriever()
        with self.admission.slot(), self.admission.working(), index_guard(self.settings):
            found = retriever.retrieve(question.strip(), filters, limit=k)
        return [h.to_passage() for h in found.hits]

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        return _last(self.stream(question, filters))

    def stream(self, question: str, filters: Filters | None = None,
               progress: bool = False) -> Iterator[str | Answer | Progress]:
        """Text pieces as the answer is drafted, then the checked `Answer`.

        With `progress=True` the stream also carries `Progress` items: "preparing" while the backend is built on
        first use, and "retrieved" (the sources) as soon as retrieval is done, before the first word.
        """
        return self._stream(question, filters, [], progress)

    def chat(self, messages: list[dict[str, str]], filters: Filters | None = None) -> Answer:
        return _last(self.stream_chat(messages, filters))

    def stream_chat(self, messages: list[dict[str, str]], filters: Filters | None = None,
                    progress: bool = False) -> Iterator[str | Answer | Progress]:
        _check_messages(messages)
        return self._stream(messages[-1]["content"], filters, messages[:-1], progress)

    def _stream(self, question: str, filters: Filters | None, history: list[dict[str, str]],
                progress: bool) -> Iterator[str | Answer | Progress]:
        _check_question(question, filters)
        note = None
        if self._engine is None and progress:
            from qa.llms.factory import preparation_note

            note = preparation_note(self.settings)  # built in the worker, after the user has been told
        else:
            self.engine()  # errors in building the backend raise here, before any stream is handed out
        self.admission.enter()  # BusyError now, not on first iteration, so callers can answer "busy" at once

        def work(out: queue.Queue) -> None:
            try:
                with self.admission.working(), index_guard(self.settings):
                    if note is not None:
                        out.put(("item", Progress("preparing", note)))
                    engine = self.engine()
                    for item in engine.stream(question.strip(), filters, history):
                        if progress or not isinstance(item, Progress):
                            out.put(("item", item))
            except BaseException as exc:  # handed to the consumer
                out.put(("error", exc))
            finally:
                self.admission.leave()
            out.put(("end", None))

        # The engine runs in its own thread, started now: a consumer that resumes the stream from different
        # threads (Gradio does), abandons it midway or never reads it can never leave a slot or the model held.
        out: queue.Queue = queue.Queue()
        threading.Thread(target=work, args=(out,), daemon=True, name="newsdesk-answer").start()

        def run() -> Iterator[str | Answer | Progress]:
            while True:
                kind, value = out.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                yield value

        return run()

    # llama-index components ------------------------------------------------------------------
    def as_retriever(self, filters: Filters | None = None, k: int | None = None) -> Any:
        """A llama-index `BaseRetriever` over this index (hybrid, date-aware): `NodeWithScore`s with offsets."""
        from qa.llamaindex import NewsdeskRetriever

        return NewsdeskRetriever(self, filters=filters, k=k)

    def as_query_engine(self, filters: Filters | None = None) -> Any:
        """A llama-index `BaseQueryEngine` whose `Response` is the checked, cited answer."""
        from qa.llamaindex import NewsdeskQueryEngine

        return NewsdeskQueryEngine(self, filters=filters)

    def info(self) -> dict[str, Any]:
        s = self.settings
        model = {"local": str(s.llm_model_path or "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
                 "openai": s.openai_model, "ollama": s.ollama_model, "extractive": "none"}[s.llm]
        from index import open_store

        with index_guard(s):
            return {"llm": s.llm, "llm_model": model, "embed_model": s.embed_model, "articles": len(self.catalog.articles()),
                    "chunks": open_store(s).count(), "data_dir": str(s.data_dir)}


def _last(stream: Iterator[str | Answer]) -> Answer:
    answer = None
    for item in stream:  # text pieces and progress are dropped: the Answer carries the whole text
        if isinstance(item, Answer):
            answer = item
    assert answer is not None, "the engine always ends a stream with an Answer"
    return answer


def _check_question(question: str, filters: Filters | None) -> None:
    if not isinstance(question, str) or not question.strip():
        raise InputError("the question is empty: ask something, e.g. \"When did the talks begin?\"")
    if filters is not None and not isinstance(filters, Filters):
        raise InputError("filters must be a qa.Filters(sources=..., since=..., until=..., article_ids=...)")


def _check_messages(messages: list[dict[str, str]]) -> None:
    if not messages or not isinstance(messages, list):
        raise InputError("chat messages are empty: pass [{\"role\": \"user\", \"content\": \"...\"}]")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or not isinstance(m.get("content"), str):
            raise InputError(f"chat message {i} must be {{\"role\": \"user\"|\"assistant\", \"content\": str}}")
    if messages[-1]["role"] != "user":
        raise InputError("the last chat message must be the user's question (role 'user')")
