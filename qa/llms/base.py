"""The interface the engine needs from an LLM: stream chat text, count tokens."""

from __future__ import annotations

import threading
from typing import Any, Iterator

from qa.errors import BackendError, ConfigError, NewsdeskError

Messages = list[dict[str, str]]


class ChatBackend:
    """A chat model. `stream` yields text pieces; `last_usage` holds (prompt, completion) token counts of the
    calling thread's last stream, so questions answered in parallel never read each other's counts."""

    name = "base"
    model = ""
    generates = True  # False for the extractive mode (no LLM)
    parallel = True  # False: one generation at a time (the in-process llama.cpp context)

    def __init__(self) -> None:
        self._usage_by_thread = threading.local()

    @property
    def last_usage(self) -> tuple[int, int]:
        return getattr(self._thread_usage(), "value", (0, 0))

    @last_usage.setter
    def last_usage(self, value: tuple[int, int]) -> None:
        self._thread_usage().value = value

    def _thread_usage(self) -> threading.local:
        # subclasses (test doubles included) may skip __init__: make the per-thread slot on first use
        return self.__dict__.setdefault("_usage_by_thread", threading.local())

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        raise NotImplementedError

    def complete(self, messages: Messages, max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens))

    def count_tokens(self, text: str) -> int:
        """Rough count (≈ 4 characters a token) for servers that report no usage."""
        return max(1, len(text) // 4) if text else 0


# HTTP answers that retrying cannot fix: a wrong API key (401/403) or an unknown model or URL path (404).
SETTING_STATUSES = {401, 403, 404}


def _status(exc: BaseException) -> int | None:
    """The HTTP status of a client error (openai, ollama, httpx), if it carries one."""
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def to_llama_messages(messages: Messages) -> list[Any]:
    from llama_index.core.llms import ChatMessage, MessageRole

    roles = {"system": MessageRole.SYSTEM, "user": MessageRole.USER, "assistant": MessageRole.ASSISTANT}
    return [ChatMessage(role=roles[m["role"]], content=m["content"]) for m in messages]


class LlamaIndexChat(ChatBackend):
    """Adapter for a llama-index LLM instance (created explicitly, never via llama-index's global Settings)."""

    def __init__(self, llm: Any, name: str, model: str, where: str = "", fix: str = "") -> None:
        super().__init__()
        self.llm, self.name, self.model, self.where, self.fix = llm, name, model, where, fix

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        prompt_text = "\n".join(m["content"] for m in messages)
        completion: list[str] = []
        try:
            for chunk in self.llm.stream_chat(to_llama_messages(messages), **self._kwargs(max_tokens)):
                delta = chunk.delta or ""
                if delta:
                    completion.append(delta)
                    yield delta
        except NewsdeskError:
            raise
        except Exception as exc:  # noqa: BLE001 - any client/server failure becomes one clear line
            detail = " ".join(str(exc).split())[:200] or type(exc).__name__
            kind = ConfigError if _status(exc) in SETTING_STATUSES else BackendError
            raise kind(f"llm={self.name} failed at {self.where or self.model}: {detail}; {self.fix}") from exc
        self.last_usage = self._usage(prompt_text, "".join(completion))

    def _kwargs(self, max_tokens: int) -> dict[str, Any]:
        return {"max_tokens": max_tokens}

    def _usage(self, prompt: str, completion: str) -> tuple[int, int]:
        return self.count_tokens(prompt), self.count_tokens(completion)
