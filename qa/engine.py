"""The answer path, in order:

    rewrite → retrieve → choose sentences → gates → draft (answerer) → check → [retry once] → Answer

- `qa.context.build_sources` chooses what the answerer sees (sentences holding the asked kind of item, with
  their neighbours, under a word budget) and numbers the articles.
- `qa.gates` refuse before drafting when nothing relevant was found or the asked attribute is in no article.
- `qa.answerers` draft: an LLM, or the extractive quoter.
- `qa.check.check_answer` (a pure function) turns the draft into checked citations, or a refusal.
- When an LLM declines although retrieval was strong, it is asked once more with the top chunks whole.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any, Iterator

import numpy as np

from qa.answerers import Answerer, ExtractiveAnswerer, LLMAnswerer
from qa.answer_types import YES_NO, answer_kind
from qa.check import Verdict, check_answer
from qa.citations import add_story_copies
from qa.compare import decided_by_sides, extractive_sides, side_evidence, sides_for
from qa.context import SentenceCache, Source, build_sources, whole_chunk_sources
from qa.filters import Filters
from qa.gates import article_texts, asked_detail_gate, relevance_gate
from qa.llms.base import ChatBackend
from qa.prompting import REFUSAL, format_sources
from qa.retrieval.retriever import Retrieval, Retriever
from qa.rewrite import rewrite
from qa.timeliness import (AS_OF, CURRENT, FIRST, TIMELINE, as_of, chronological, dated_answer, find_update,
                           first_report, mark_superseded, newest_first, stated_kind, time_focus)
from qa.tuning import RETRY_CHUNKS, RETRY_MIN_DENSE
from qa.types import ASKED_DETAIL_MISSING, MODEL_DECLINED, RETRY_MARK, SIDES_MARK, Answer, Progress, Timings

log = logging.getLogger(__name__)


def make_answerer(backend: ChatBackend, settings: Any) -> Answerer:
    return LLMAnswerer(backend, settings.llm_max_tokens) if backend.generates else ExtractiveAnswerer()


class Engine:
    """Answers questions over one index with one backend."""

    def __init__(self, settings: Any, retriever: Retriever, backend: ChatBackend) -> None:
        self.settings, self.retriever, self.backend = settings, retriever, backend
        self.answerer = make_answerer(backend, settings)
        self.embedder = retriever.embedder
        self.sentences = SentenceCache(retriever.catalog, retriever.embedder)

    def stream(self, question: str, filters: Filters | None = None,
               history: list[dict[str, str]] | None = None) -> Iterator[str | Answer | Progress]:
        """Progress("retrieved") with the sources, text pieces as they are drafted, then the checked `Answer`."""
        started = time.perf_counter()
        s = self.settings
        standalone = rewrite(question, history or [], self.backend)
        found = self.retriever.retrieve(standalone, filters)
        answer = Answer(question=question, text="", contexts=[h.to_passage() for h in found.hits],
                        standalone_question=standalone, llm=self.backend.name)
        answer.timings = Timings(retrieval_s=time.perf_counter() - started)
        yield Progress("retrieved", passages=answer.contexts)
        kind = answer_kind(standalone)
        sources = build_sources(found.context_hits(), standalone, found.query_vector, self.sentences,
                                s.context_sentences, s.context_words, kind) if found.relevant_enough else []
        reason = relevance_gate(standalone, found.query_vector, found.relevant_enough, sources,
                                s.min_sentence_relevance)
        if reason is None and s.asked_detail_check:
            reason = asked_detail_gate(standalone, article_texts(self._articles(found)))
        if reason is not None:
            yield from self._refuse(answer, started, reason)
            return
        focus = time_focus(standalone, self._newest_article())
        sources, update = self._in_time(standalone, found, sources, focus, kind)
        sides = side_evidence(sides_for(standalone, found.plan), sources, self.embedder)
        answer.context = format_sources(sources)
        draft_parts: list[str] = []
        for piece in self.answerer.draft(standalone, found.query_vector, sources, sides, focus.kind, update):
            if not draft_parts:
                answer.timings.first_token_s = time.perf_counter() - started
            draft_parts.append(piece)
            yield piece
        draft = "".join(draft_parts)
        log.debug("draft from %s: %r", self.answerer.name, draft)
        verdict = self._check(draft, sources, standalone, answer.context, sides, kind)
        prompt_tokens, completion_tokens = self.backend.last_usage
        if verdict.reason == MODEL_DECLINED and self.answerer.generates and found.best_dense >= RETRY_MIN_DENSE:
            whole = whole_chunk_sources(found.hits[:RETRY_CHUNKS], self.sentences)
            if whole:
                retry_context = format_sources(whole)
                retry = "".join(self.answerer.draft(standalone, found.query_vector, whole, []))
                log.debug("retry with whole chunks: %r", retry)
                second = self._check(retry, whole, standalone, retry_context, [], kind)
                p2, c2 = self.backend.last_usage
                prompt_tokens, completion_tokens = prompt_tokens + p2, completion_tokens + c2
                draft, answer.context = f"{draft}{RETRY_MARK}{retry}", f"{answer.context}\n{retry_context}"
                if not second.refused:
                    yield "\n"  # the streamed text so far was the declined draft; the final Answer replaces it
                verdict = second
        if verdict.reason == MODEL_DECLINED and self.answerer.generates and decided_by_sides(standalone, sides):
            # A small model declines most two-publication yes/no questions: each side's best sentence decides
            # (as in extractive mode), shown with its quote, rather than "the articles do not say"
            by_sides = extractive_sides(sides, sources, True, standalone)
            log.debug("declined yes/no question: decided by its sides: %r", by_sides)
            draft = f"{draft}{SIDES_MARK}{by_sides}"
            verdict = self._check(by_sides, sources, standalone, answer.context, sides, kind)
        if verdict.reason == MODEL_DECLINED and not self.answerer.generates:
            verdict.reason = ASKED_DETAIL_MISSING  # the quoter declines only when no sentence holds the asked kind
        answer.draft = draft
        if not verdict.refused and (update is not None or focus.kind == TIMELINE or focus.says_now):
            if update is not None:
                moved = (sources[update.newest].article_id, [sources[i].article_id for i in update.earlier])
            else:  # "now": the statement is dated by the report it comes from
                moved = (verdict.citations[0].article_id, []) if verdict.citations else None
            verdict.text = dated_answer(verdict.text, verdict.citations, focus.kind, moved)
            mark_superseded(verdict.citations, moved)
        answer.text, answer.citations, answer.unsupported = verdict.text, verdict.citations, verdict.unsupported
        add_story_copies(answer.citations, found.copies)  # "also reported by": the folded copies of each story
        answer.refused, answer.refusal_reason = verdict.refused, verdict.reason
        answer.prompt_tokens, answer.completion_tokens = prompt_tokens, completion_tokens
        answer.timings.total_s = time.perf_counter() - started
        yield answer

    def _in_time(self, question: str, found: Retrieval, sources: list[Source], focus: Any,
                 kind: str) -> tuple[list[Source], Any]:
        """Sources as the question's time wants them: oldest first (TIMELINE), the oldest report alone (FIRST), or
        published by the framed date (AS_OF) / all (CURRENT) with, when the reports disagree on the asked item,
        the newest of them first."""
        if focus.kind == TIMELINE:
            return chronological(sources), None
        if focus.kind == FIRST:
            return first_report(question, sources), None
        if focus.kind == AS_OF and focus.until is not None:  # the newest report as of then wins
            sources = as_of(sources, focus.until)
            update = find_update(question, found.query_vector, sources, kind)
        elif focus.kind == CURRENT:  # a yes/no question ("still due in October?") is about the value it states
            stated = stated_kind(question) if kind == YES_NO else None
            update = find_update(question, found.query_vector, sources, stated or kind, stated=stated is not None)
        else:
            return sources, None
        return newest_first(sources, update) if update is not None else (sources, None)

    def _newest_article(self) -> Any:
        _, newest_ts = self.retriever.corpus_facts()
        return datetime.fromtimestamp(newest_ts, tz=timezone.utc).date() if newest_ts else None

    def _check(self, draft: str, sources: list[Source], question: str, evidence: str, sides: Any,
               kind: str) -> Verdict:
        return check_answer(draft, sources, question, lambda texts: self._claim_vectors(texts, sources),
                            self.settings.support_threshold, evidence, sides, kind)

    def _claim_vectors(self, texts: list[str], sources: list[Source]) -> Any:
        """Embed answer sentences, reusing the vectors of sentences quoted verbatim from the sources."""
        known = {src.candidates[i].text: src.vectors[i] for src in sources for i in range(len(src.candidates))}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.embed_each(missing)))
        return np.stack([known[t] for t in texts])

    def _articles(self, found: Retrieval) -> list[Any]:
        return [self.sentences.article(a)[0] for a in dict.fromkeys(h.article_id for h in found.context_hits())]

    def _refuse(self, answer: Answer, started: float, reason: str) -> Iterator[str | Answer]:
        """Refuse before drafting, saying why in `refusal_reason`."""
        answer.text, answer.refused, answer.refusal_reason = REFUSAL, True, reason
        answer.timings.first_token_s = answer.timings.total_s = time.perf_counter() - started
        yield REFUSAL
        yield answer
