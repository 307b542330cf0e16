"""No LLM: the answer is the best 1–3 sentences from the sources, quoted verbatim with citations."""

from __future__ import annotations

import numpy as np

from qa.context import Source
from qa.llms.base import ChatBackend
from qa.text import tokens


class Extractive(ChatBackend):
    name = "extractive"
    model = "none"
    generates = False

    def __init__(self, min_score: float) -> None:
        super().__init__()
        self.min_score = min_score

    def answer(self, question: str, q_vec: np.ndarray, sources: list[Source]) -> str | None:
        """Sentences (each followed by its `[n]`), best first; None when nothing is relevant enough."""
        q = set(tokens(question))
        scored: list[tuple[float, int, int]] = []
        for si, src in enumerate(sources):
            sims = src.vectors @ q_vec
            for ci in src.selected:
                lexical = len(q & set(tokens(src.candidates[ci].text))) / len(q) if q else 0.0
                scored.append((0.6 * float(sims[ci]) + 0.4 * lexical, si, ci))
        scored.sort(key=lambda x: -x[0])
        if not scored or scored[0][0] < self.min_score:
            return None
        best = scored[0][0]
        picked = [x for x in scored[:3] if x[0] >= 0.8 * best][:3]
        return " ".join(f"{sources[si].candidates[ci].text} [{sources[si].n}]" for _, si, ci in picked)
