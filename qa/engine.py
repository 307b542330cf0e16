"""The answering pipeline: rewrite → retrieve → gate → compress → generate → check citations."""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Iterator

import numpy as np

from qa.asked import asked_detail_missing
from qa.compare import extractive_sides, is_yes_no, side_evidence, side_hint, sides_for
from qa.citations import check_claims, parse_claims, render
from qa.context import SentenceCache, Source, build_sources, rank_sentences
from qa.filters import Filters
from qa.llms.base import ChatBackend
from qa.prompting import REFUSAL, answer_messages, is_refusal
from qa.retrieval.retriever import Retrieval, Retriever
from qa.rewrite import rewrite
from qa.types import (ASKED_DETAIL_MISSING, MODEL_DECLINED, NO_RELEVANT_PASSAGE, NO_SUPPORTED_SENTENCE, Answer,
                      Timings)


log = logging.getLogger(__name__)
_LEADING_VERDICT = re.compile(r"^\s*(yes|no)\b", re.I)
_LEADING_YES_NO = re.compile(r"^\s*(yes|no)\s*[.,!]\s+(?=\S)", re.I)


def drop_stray_yes_no(question: str, text: str) -> str:
    """Small models open with 'Yes.' even for 'when/who' questions; keep it only for yes/no questions."""
    return text if is_yes_no(question) else _LEADING_YES_NO.sub("", text, count=1)


class Engine:
    """Answers questions over one index with one backend."""

    def __init__(self, settings: Any, retriever: Retriever, backend: ChatBackend) -> None:
        self.settings, self.retriever, self.backend = settings, retriever, backend
        self.embedder = retriever.embedder
        self.sentences = SentenceCache(retriever.catalog, retriever.embedder)

    def stream(self, question: str, filters: Filters | None = None,
               history: list[dict[str, str]] | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are generated, then the checked `Answer`."""
        started = time.perf_counter()
        standalone = rewrite(question, history or [], self.backend)
        found = self.retriever.retrieve(standalone, filters)
        answer = Answer(question=question, text="", contexts=[h.to_passage() for h in found.hits],
                        standalone_question=standalone, llm=self.backend.name)
        answer.timings = Timings(retrieval_s=time.perf_counter() - started)
        sources = build_sources(found.context_hits(), standalone, found.query_vector, self.sentences,
                                self.settings.context_sentences) if found.relevant_enough else []
        if not sources or rank_sentences(standalone, found.query_vector, sources)[0][0] < self.settings.min_relevance:
            yield from self._refuse(answer, started, NO_RELEVANT_PASSAGE)  # nothing close to answering: no LLM call
            return
        if self.settings.asked_detail_check and self._asked_detail_missing(standalone, found):
            yield from self._refuse(answer, started, ASKED_DETAIL_MISSING)
            return
        self._sides = []
        raw_parts: list[str] = []
        for piece in self._generate(standalone, found, sources):
            if not raw_parts:
                answer.timings.first_token_s = time.perf_counter() - started
            raw_parts.append(piece)
            yield piece
        raw = "".join(raw_parts)
        log.debug("raw answer from %s: %r", self.backend.name, raw)
        self._check(drop_stray_yes_no(standalone, raw), sources, answer)
        answer.prompt_tokens, answer.completion_tokens = self.backend.last_usage
        answer.timings.total_s = time.perf_counter() - started
        yield answer

    def _generate(self, question: str, found: Retrieval, sources: list[Source]) -> Iterator[str]:
        sides = side_evidence(sides_for(question, found.plan), sources, self.embedder)
        self._sides = sides  # for _check: a bare yes/no verdict gets each side's sentence as its evidence
        if not self.backend.generates:
            if sides and (is_yes_no(question) or all(s.found for s in sides)):  # each side from its own evidence
                yield extractive_sides(sides, sources, is_yes_no(question))
            else:
                yield self.backend.answer(question, found.query_vector, sources)  # type: ignore[attr-defined]
            return
        hint = side_hint(sides, sources) if len(sides) >= 2 else ""
        yield from self.backend.stream(answer_messages(question, sources, hint), self.settings.llm_max_tokens)

    def _check(self, raw: str, sources: list[Source], answer: Answer, fallback: bool = True) -> None:
        """Validate and renumber citations, check support, decide refusal."""
        parsed = parse_claims(raw)
        claims = [c for c in parsed if not is_refusal(c.text)]
        if claims:
            vectors = self._claim_vectors([c.text for c in claims], sources)
            check_claims(claims, vectors, sources, self.settings.support_threshold, answer.standalone_question)
        checked = render(claims, sources)
        verdict = _LEADING_VERDICT.match(raw)
        sides = getattr(self, "_sides", [])
        if (fallback and checked.supported_claims == 0 and verdict and len(parsed) == len(claims)
                and is_yes_no(answer.standalone_question) and any(s.found for s in sides)):
            # the model's Yes/No stands; its unsupported wording is replaced by each side's best sentence
            evidence = extractive_sides(sides, sources, False)
            self._check(f"{verdict.group(1).capitalize()}. {evidence}", sources, answer, fallback=False)
            return
        if checked.supported_claims == 0:
            answer.text, answer.refused, answer.unsupported = REFUSAL, True, checked.unsupported
            declined = not [c for c in claims if not c.trivial]
            answer.refusal_reason = MODEL_DECLINED if declined else NO_SUPPORTED_SENTENCE
            return
        answer.text, answer.citations, answer.unsupported = checked.text, checked.citations, checked.unsupported

    def _claim_vectors(self, texts: list[str], sources: list[Source]) -> Any:
        """Embed answer sentences, reusing the vectors of sentences quoted verbatim from the sources."""
        known = {src.candidates[i].text: src.vectors[i] for src in sources for i in range(len(src.candidates))}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.embed_documents(missing)))
        return np.stack([known[t] for t in texts])

    def _asked_detail_missing(self, question: str, found: Retrieval) -> bool:
        """The question asks for an attribute ('salary', 'rent') that none of the retrieved articles mentions."""
        articles = [self.sentences.article(a)[0] for a in dict.fromkeys(h.article_id for h in found.context_hits())]
        missing = asked_detail_missing(question, [f"{a.title}\n{a.body}" for a in articles if a is not None])
        if missing:
            log.debug("refusing: the asked detail %r is in no retrieved article", missing)
        return bool(missing)

    def _refuse(self, answer: Answer, started: float, reason: str) -> Iterator[str | Answer]:
        """Refuse before calling the LLM, saying why in `refusal_reason`."""
        answer.text, answer.refused, answer.refusal_reason = REFUSAL, True, reason
        answer.timings.first_token_s = answer.timings.total_s = time.perf_counter() - started
        yield REFUSAL
        yield answer
