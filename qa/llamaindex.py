"""llama-index components over a `Newsdesk`: a `BaseRetriever` and a `BaseQueryEngine`.

Both only call the desk's public methods (`retrieve`, `ask`); neither loads an LLM or an embedding model of
llama-index's own, and neither reads llama-index's global `Settings` (the desk's `qa.settings.Settings` is the
only configuration). Built by `Newsdesk.as_retriever()` and `Newsdesk.as_query_engine()`.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks.base import CallbackManager
from llama_index.core.prompts.mixin import PromptDictType, PromptMixinType
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from qa.errors import InputError
from qa.filters import Filters
from qa.types import Answer, Citation, Passage

if TYPE_CHECKING:
    from qa.api import Newsdesk

# Metadata an LLM prompt built by llama-index should not see (ids and offsets); title, source and date stay.
_HIDDEN_FROM_LLM = ("chunk_id", "article_id", "url", "start_char", "end_char", "score", "dense", "bm25_rank",
                    "n", "support")


def passage_node(passage: Passage) -> NodeWithScore:
    """A retrieved passage as a llama-index node: id = chunk id, offsets into the article body."""
    meta: dict[str, Any] = {
        "chunk_id": passage.chunk_id, "article_id": passage.article_id, "title": passage.title,
        "source": passage.source, "url": passage.url, "published_at": passage.published_at,
        "start_char": passage.start_char, "end_char": passage.end_char, "score": passage.score,
    }
    if passage.dense is not None:
        meta["dense"] = passage.dense
    if passage.bm25_rank is not None:
        meta["bm25_rank"] = passage.bm25_rank
    node = _text_node(passage.chunk_id, passage.text, meta, passage.start_char, passage.end_char, passage.article_id)
    return NodeWithScore(node=node, score=passage.score)


def _text_node(node_id: str, text: str, meta: dict[str, Any], start: int, end: int, article_id: str) -> TextNode:
    """A node over article text [start, end), linked to its article; ids, urls and scores hidden from LLMs."""
    return TextNode(
        id_=node_id, text=text, metadata=meta, start_char_idx=start, end_char_idx=end,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article_id)},
        excluded_llm_metadata_keys=[k for k in meta if k in _HIDDEN_FROM_LLM],
        excluded_embed_metadata_keys=list(meta),
    )


def citation_node(citation: Citation, contexts: list[Passage]) -> NodeWithScore:
    """A checked citation as a node: text = the verbatim quote, offsets = the quote's offsets in the article."""
    meta: dict[str, Any] = {
        "n": citation.n, "article_id": citation.article_id, "title": citation.title, "source": citation.source,
        "url": citation.url, "published_at": citation.published_at, "start_char": citation.start_char,
        "end_char": citation.end_char, "support": citation.support,
    }
    passage = _containing_passage(citation, contexts)
    if passage is not None:
        meta["chunk_id"] = passage.chunk_id
    node = _text_node(f"{citation.article_id}:{citation.start_char}-{citation.end_char}", citation.quote, meta,
                      citation.start_char, citation.end_char, citation.article_id)
    return NodeWithScore(node=node, score=citation.support)


def answer_response(answer: Answer) -> Response:
    """The llama-index `Response` for a checked answer (or a refusal: no source nodes, `refused` set)."""
    return Response(
        response=answer.text,
        source_nodes=[citation_node(c, answer.contexts) for c in sorted(answer.citations, key=lambda c: c.n)],
        metadata={
            "refused": answer.refused,
            "refusal_reason": answer.refusal_reason,
            "unsupported": list(answer.unsupported),
            "citations": [asdict(c) for c in sorted(answer.citations, key=lambda c: c.n)],
            "standalone_question": answer.standalone_question,
            "llm": answer.llm,
        },
    )


def _containing_passage(citation: Citation, contexts: list[Passage]) -> Passage | None:
    for p in contexts:
        if p.article_id == citation.article_id and p.start_char <= citation.start_char < p.end_char:
            return p
    return None


def _check_filters(filters: Filters | None) -> Filters | None:
    if filters is not None and not isinstance(filters, Filters):
        raise InputError("filters must be a qa.Filters(sources=..., since=..., until=..., article_ids=...)")
    return filters


class NewsdeskRetriever(BaseRetriever):
    """Newsdesk's hybrid, date-aware retrieval as a llama-index retriever (`desk.as_retriever()`)."""

    def __init__(self, desk: Newsdesk, filters: Filters | None = None, k: int | None = None,
                 callback_manager: CallbackManager | None = None, verbose: bool = False) -> None:
        self._desk = desk
        self._filters = _check_filters(filters)
        self._k = k
        super().__init__(callback_manager=callback_manager or CallbackManager([]), verbose=verbose)

    @property
    def filters(self) -> Filters | None:
        return self._filters

    @property
    def k(self) -> int | None:
        return self._k

    def _get_prompts(self) -> PromptDictType:
        return {}

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}

    def _update_prompts(self, prompts: PromptDictType) -> None:
        """No prompts: retrieval uses none."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._desk.retrieve(query_bundle.query_str, self._filters, self._k)
        return [passage_node(p) for p in passages]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return await asyncio.to_thread(self._retrieve, query_bundle)


class NewsdeskQueryEngine(BaseQueryEngine):
    """Newsdesk's checked, cited answers as a llama-index query engine (`desk.as_query_engine()`).

    `Response.response` is the answer text with `[n]` markers; `source_nodes[i]` is citation `[i + 1]` (text =
    the verbatim quote); `metadata` has `refused`, `refusal_reason`, `unsupported` and `citations` (JSON dicts).
    """

    def __init__(self, desk: Newsdesk, filters: Filters | None = None,
                 callback_manager: CallbackManager | None = None) -> None:
        self._desk = desk
        self._filters = _check_filters(filters)
        super().__init__(callback_manager=callback_manager or CallbackManager([]))

    @property
    def filters(self) -> Filters | None:
        return self._filters

    def _get_prompts(self) -> dict[str, Any]:
        return {}

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}

    def _update_prompts(self, prompts: PromptDictType) -> None:
        """No llama-index prompts: the desk's own prompting is used."""

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """The passages the engine would retrieve for this question (same filters)."""
        return [passage_node(p) for p in self._desk.retrieve(query_bundle.query_str, self._filters)]

    def _query(self, query_bundle: QueryBundle) -> Response:
        return answer_response(self._desk.ask(query_bundle.query_str, self._filters))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)
