"""No LLM: the backend for `llm=extractive`. The answers are quoted by `qa.answerers.ExtractiveAnswerer`."""

from __future__ import annotations

from qa.llms.base import ChatBackend


class Extractive(ChatBackend):
    name = "extractive"
    model = "none"
    generates = False
