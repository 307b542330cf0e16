"""One setting picks the backend; the library behind it is imported only then."""

from __future__ import annotations

from typing import Any

from qa.errors import ConfigError
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
    raise ConfigError(f"llm={name!r} is unknown: choose local, openai, ollama or extractive")


def preparation_note(settings: Any) -> str:
    """What building the backend is about to do, for a user watching a first answer."""
    if settings.llm == "local":
        from qa.llms.model_files import is_joined

        if settings.llm_model_path is None and not is_joined(settings.models_dir):
            return "Preparing the model (first use, about a minute)…"
        return "Loading the model…"
    if settings.llm == "extractive":
        return "Loading…"
    return f"Connecting to the {settings.llm} server…"
