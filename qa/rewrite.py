"""Follow-up questions → standalone questions, using the conversation so far."""

from __future__ import annotations

import re
from typing import Any

from qa.prompting import rewrite_messages
from qa.text import STOPWORDS

_REFERS_BACK = re.compile(
    r"\b(he|she|him|his|her|hers|they|them|their|it|its|this|that|these|those|there|then|the same|"
    r"the former|the latter|what about|how about|and also)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w'’.-]*)*")


def needs_rewrite(question: str) -> bool:
    """A follow-up refers back (pronouns, 'what about') or is too short to stand alone."""
    return bool(_REFERS_BACK.search(question)) or len(question.split()) <= 3


def key_entities(text: str) -> list[str]:
    """Names in a question ('Hakan Fidan', 'Türkiye'), else its content words."""
    names = []
    for match in _NAME.finditer(text):
        name = match.group(0).strip(" .")
        words = name.split()
        if match.start() == 0 or text[: match.start()].rstrip().endswith(("?", ".", "!")):
            words = [w for w in words if w.lower() not in STOPWORDS]  # sentence-initial 'What', 'Did'
            name = " ".join(words)
        if name and name.lower() not in STOPWORDS and name not in names:
            names.append(name)
    if names:
        return names
    return [w for w in re.findall(r"[\w'’-]+", text) if w.lower() not in STOPWORDS][:6]


def heuristic_rewrite(question: str, history: list[dict[str, str]]) -> str:
    """Append the previous question's key entities that the follow-up does not already name."""
    previous = [m["content"] for m in history if m.get("role") == "user"]
    if not previous:
        return question
    extra = [e for e in key_entities(previous[-1]) if e.lower() not in question.lower()]
    return f"{question.rstrip()} ({', '.join(extra)})" if extra else question


def rewrite(question: str, history: list[dict[str, str]], backend: Any | None) -> str:
    """Standalone form of `question`; the LLM rewrites when there is one, the heuristic otherwise or on failure."""
    if not history or not needs_rewrite(question):
        return question
    if backend is not None and getattr(backend, "generates", False):
        try:
            text = backend.complete(rewrite_messages(history, question), max_tokens=60).strip()
        except Exception:  # noqa: BLE001 - a failed rewrite must not lose the question
            text = ""
        text = text.splitlines()[0].strip().strip('"') if text else ""
        if 8 <= len(text) <= 300:
            return text
    return heuristic_rewrite(question, history)
