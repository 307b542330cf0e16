"""No LLM: the answer is the best 1–3 sentences from the sources, quoted verbatim with citations."""

from __future__ import annotations

import numpy as np

from qa.context import Source, best_sentences
from qa.llms.base import ChatBackend


class Extractive(ChatBackend):
    name = "extractive"
    model = "none"
    generates = False

    def answer(self, question: str, q_vec: np.ndarray, sources: list[Source]) -> str:
        """The best sentence, plus up to two more that score almost as well, each followed by its `[n]`."""
        scored = best_sentences(question, q_vec, sources)
        picked = [x for x in scored[:3] if x[0] >= 0.8 * scored[0][0]]
        return " ".join(f"{sources[si].candidates[ci].text} [{sources[si].n}]" for _, si, ci in picked)
