"""Network backends: any OpenAI-compatible server, or Ollama. Configured explicitly; never a silent default."""

from __future__ import annotations

from typing import Any

from qa.errors import ConfigError
from qa.llms.base import LlamaIndexChat


class OpenAIChat(LlamaIndexChat):
    """An OpenAI-compatible server (OpenAI, vLLM, llama.cpp server, LM Studio) via llama-index OpenAILike."""

    def __init__(self, settings: Any) -> None:
        if not settings.openai_base_url:
            raise ConfigError("llm=openai needs openai_base_url: set NEWSDESK_OPENAI_BASE_URL, "
                              "e.g. http://127.0.0.1:8000/v1")
        if not settings.openai_base_url.startswith(("http://", "https://")):
            raise ConfigError(f"openai_base_url={settings.openai_base_url!r} must start with http:// or https://")
        if not settings.openai_model:
            raise ConfigError("llm=openai needs openai_model: set NEWSDESK_OPENAI_MODEL to the server's model name")
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as exc:
            raise ConfigError("llm=openai needs llama-index-llms-openai-like: pip install 'newsdesk[remote]'") from exc
        llm = OpenAILike(
            model=settings.openai_model, api_base=settings.openai_base_url.rstrip("/"),
            api_key=settings.openai_api_key or "not-needed", is_chat_model=True,
            temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout_s, max_retries=0, context_window=settings.llm_context_window,
        )
        super().__init__(llm, "openai", settings.openai_model, settings.openai_base_url,
                         "check that the server runs and NEWSDESK_OPENAI_BASE_URL/MODEL/API_KEY are right")


class OllamaChat(LlamaIndexChat):
    """An Ollama server by URL and model."""

    def __init__(self, settings: Any) -> None:
        if not settings.ollama_model:
            raise ConfigError("llm=ollama needs ollama_model: set NEWSDESK_OLLAMA_MODEL, e.g. qwen2.5:1.5b")
        if not settings.ollama_url.startswith(("http://", "https://")):
            raise ConfigError(f"ollama_url={settings.ollama_url!r} must start with http:// or https://")
        try:
            from llama_index.llms.ollama import Ollama
        except ImportError as exc:
            raise ConfigError("llm=ollama needs llama-index-llms-ollama: pip install 'newsdesk[remote]'") from exc
        llm = Ollama(model=settings.ollama_model, base_url=settings.ollama_url.rstrip("/"),
                     temperature=settings.llm_temperature, request_timeout=settings.llm_timeout_s,
                     context_window=settings.llm_context_window)
        super().__init__(llm, "ollama", settings.ollama_model, settings.ollama_url,
                         "start Ollama (ollama serve), pull the model, or fix NEWSDESK_OLLAMA_URL/MODEL")

    def _kwargs(self, max_tokens: int) -> dict[str, Any]:
        return {"options": {"num_predict": max_tokens}}
