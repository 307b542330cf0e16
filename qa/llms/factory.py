"""One setting picks the backend; the library behind it is imported only then."""

from __future__ import annotations

from typing import Any

from qa.errors import NewsdeskError
from qa.llms.base import ChatBackend


def make_backend(settings: Any) -> ChatBackend:
    name = settings.llm
    if name == "extractive":
        from qa.llms.extractive import Extractive

        return Extractive()
    if name == "local":
        from qa.llms.local import LocalChat

        return LocalChat(settings)
    if name == "openai":
        from qa.llms.remote import OpenAIChat

        return OpenAIChat(settings)
    if name == "ollama":
        from qa.llms.remote import OllamaChat

        return OllamaChat(settings)
    raise NewsdeskError(f"llm={name!r} is unknown: choose local, openai, ollama or extractive")
