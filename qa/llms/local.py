"""The default backend: a GGUF model run in-process by llama-cpp-python (through llama-index's LlamaCPP)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

from qa.errors import ConfigError
from qa.llms.base import LlamaIndexChat, Messages, to_llama_messages
from qa.llms.model_files import packaged_model

STOP = ["<|im_end|>", "<|endoftext|>", "<|im_start|>"]


def chatml(messages: Sequence[Any]) -> str:
    """ChatML prompt (Qwen2.5 and SmolLM2 both use it), ending with an open assistant turn."""
    parts = [f"<|im_start|>{_role(m)}\n{m.content}<|im_end|>\n" for m in messages]
    return "".join(parts) + "<|im_start|>assistant\n"


def chatml_completion(prompt: str) -> str:
    return f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"


def _role(message: Any) -> str:
    return getattr(message.role, "value", str(message.role))


class LocalChat(LlamaIndexChat):
    """llama.cpp on the CPU; the fixed system prompt prefix lets its KV cache be reused between questions.

    One llama.cpp context holds one conversation's KV cache, so generations take turns (`parallel = False`):
    questions still retrieve and check in parallel, only the drafting waits here. A pool of contexts would
    multiply memory and, on a 2-core laptop, split the same cores: no faster in total.
    """

    parallel = False

    def __init__(self, settings: Any) -> None:
        path = Path(settings.llm_model_path) if settings.llm_model_path else None
        if path is not None and not path.is_file():
            raise ConfigError(f"llm_model_path={str(path)!r} does not exist: set NEWSDESK_LLM_MODEL_PATH to a GGUF "
                              "file, or unset it to use the packaged model")
        try:
            from llama_index.llms.llama_cpp import LlamaCPP
        except ImportError as exc:
            raise ConfigError("llm=local needs llama-cpp-python and llama-index-llms-llama-cpp: "
                              "pip install 'newsdesk[local]' (or choose --llm extractive)") from exc
        if path is None:
            path = packaged_model(settings.models_dir)
        try:
            llm = LlamaCPP(
                model_path=str(path), temperature=settings.llm_temperature, max_new_tokens=settings.llm_max_tokens,
                context_window=settings.llm_context_window,
                generate_kwargs={"stop": STOP, "top_k": 1, "repeat_penalty": 1.05},
                model_kwargs={"use_mmap": False, "n_threads": settings.llm_threads, "n_batch": 512},
                messages_to_prompt=chatml, completion_to_prompt=chatml_completion, verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            detail = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ConfigError(f"cannot load the GGUF model {path}: {detail}; check llm_model_path "
                              "(NEWSDESK_LLM_MODEL_PATH) or choose --llm extractive") from exc
        super().__init__(llm, "local", path.name, str(path), "check the GGUF file or choose --llm extractive")
        self._turn = threading.Lock()

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        with self._turn:  # released when the generation ends or its consumer closes the generator
            self.llm.generate_kwargs["max_tokens"] = max_tokens
            self._last_prompt = chatml(to_llama_messages(messages))
            yield from super().stream(messages, max_tokens)

    def _kwargs(self, max_tokens: int) -> dict[str, Any]:
        return {}

    def _usage(self, prompt: str, completion: str) -> tuple[int, int]:
        return self.count_tokens(self._last_prompt), self.count_tokens(completion)

    def count_tokens(self, text: str) -> int:
        try:
            return len(self.llm._model.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        except Exception:  # noqa: BLE001 - token counts are informative only
            return super().count_tokens(text)
