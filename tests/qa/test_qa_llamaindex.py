"""Newsdesk inside ordinary llama-index pipelines: `desk.as_retriever()` and `desk.as_query_engine()`."""

from __future__ import annotations

import asyncio
import json

import pytest
from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import ResponseMode, get_response_synthesizer
from llama_index.core.response_synthesizers.no_text import NoText
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, TextNode
from llama_index.core.settings import Settings as LlamaSettings

from qa import Filters, NewsdeskError
from qa.llamaindex import NewsdeskQueryEngine, NewsdeskRetriever
from qa.types import REFUSAL_REASONS, Answer, Citation, Passage
from qa_articles import SEED_QUESTION

TRAM_QUESTION = "How much will the Riverside tram line cost?"
UNANSWERABLE = "What is the population of Lima, Peru?"


@pytest.fixture(autouse=True)
def _no_global_llama_settings():
    """Nothing here may resolve llama-index's global LLM or embedding model (project rule: no global Settings)."""
    before = (LlamaSettings._llm, LlamaSettings._embed_model)
    yield
    assert (LlamaSettings._llm, LlamaSettings._embed_model) == before


def _synthesizer(mode: ResponseMode = ResponseMode.COMPACT):
    """A response synthesizer whose LLM is an explicit `MockLLM` (it echoes the prompt it was given)."""
    return get_response_synthesizer(llm=MockLLM(), response_mode=mode, callback_manager=CallbackManager([]))


# Retriever -----------------------------------------------------------------------------------------------
def test_retriever_nodes_carry_chunk_text_metadata_and_offsets(desk):
    retriever = desk.as_retriever(k=4)
    assert isinstance(retriever, NewsdeskRetriever) and isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve(TRAM_QUESTION)
    passages = desk.retrieve(TRAM_QUESTION, k=4)
    assert nodes and len(nodes) == len(passages) <= 4
    assert [n.node.node_id for n in nodes] == [p.chunk_id for p in passages]
    assert [n.score for n in nodes] == pytest.approx([p.score for p in passages])
    assert all(isinstance(n, NodeWithScore) and isinstance(n.node, TextNode) for n in nodes)
    top = next(n for n in nodes if "240 million euros" in n.node.get_content())
    for n in nodes:
        meta = n.node.metadata
        body = desk.article(meta["article_id"]).body
        assert body[meta["start_char"]:meta["end_char"]] == n.node.text
        assert (n.node.start_char_idx, n.node.end_char_idx) == (meta["start_char"], meta["end_char"])
        assert n.node.node_id == meta["chunk_id"] and n.node.node_id.startswith(meta["article_id"] + ":")
        assert n.node.ref_doc_id == meta["article_id"]
        assert {"title", "source", "url", "published_at"} <= set(meta)
    assert top.node.metadata["title"] == "Glenmoor council approves the Riverside tram line"
    assert top.node.metadata["source"] == "Glenmoor Herald"
    assert top.node.metadata["published_at"].startswith("2024-03-12")
    assert top.node.metadata["url"] == "https://tests.newsdesk.invalid/glenmoor-herald/tram-approved"
    # Stable ids: the same question gives the same nodes again.
    assert [n.node.node_id for n in retriever.retrieve(TRAM_QUESTION)] == [n.node.node_id for n in nodes]


def test_retriever_applies_its_filters(desk):
    nodes = desk.as_retriever(filters=Filters(sources=["Coastal Tribune"]), k=10).retrieve("harbour")
    assert nodes and {n.node.metadata["source"] for n in nodes} == {"Coastal Tribune"}
    dated = desk.as_retriever(filters=Filters(since="2024-04-01", until="2024-04-30")).retrieve("Riverside tram line")
    assert dated and all(n.node.metadata["published_at"].startswith("2024-04") for n in dated)


def test_retriever_rejects_bad_filters(desk):
    with pytest.raises(NewsdeskError, match="filters must be"):
        desk.as_retriever(filters={"sources": ["Coastal Tribune"]})
    with pytest.raises(NewsdeskError, match="question is empty"):
        desk.as_retriever().retrieve("   ")


def test_async_retrieve_matches_sync(desk):
    retriever = desk.as_retriever(k=3)
    sync = [n.node.node_id for n in retriever.retrieve("harbour festival")]
    assert sync and [n.node.node_id for n in asyncio.run(retriever.aretrieve("harbour festival"))] == sync


def test_retriever_query_engine_feeds_newsdesk_passages_to_a_synthesizer(desk):
    engine = RetrieverQueryEngine(retriever=desk.as_retriever(k=3), response_synthesizer=_synthesizer())
    response = engine.query(TRAM_QUESTION)
    ids = [n.node.node_id for n in desk.as_retriever(k=3).retrieve(TRAM_QUESTION)]
    assert [n.node.node_id for n in response.source_nodes] == ids
    prompt = str(response)  # MockLLM echoes its prompt: the passages, as llama-index formatted them for an LLM
    assert TRAM_QUESTION in prompt and "240 million euros" in prompt
    assert "title: Glenmoor council approves the Riverside tram line" in prompt and "source: Glenmoor Herald" in prompt
    assert "tests.newsdesk.invalid" not in prompt and "start_char" not in prompt  # ids/offsets hidden from the LLM


def test_retriever_query_engine_without_text_keeps_the_nodes(desk):
    # NoText built directly: get_response_synthesizer(response_mode="no_text") drops `llm` and reads Settings.llm.
    engine = RetrieverQueryEngine(retriever=desk.as_retriever(k=2),
                                  response_synthesizer=NoText(llm=MockLLM(), callback_manager=CallbackManager([])))
    response = asyncio.run(engine.aquery(SEED_QUESTION))
    assert response.source_nodes and "April 9" in response.source_nodes[0].node.text
    assert response.source_nodes[0].node.metadata["title"].startswith("Türkiye, Israel")


def test_query_fusion_retriever_combines_filtered_newsdesk_retrievers(desk):
    herald = desk.as_retriever(filters=Filters(sources=["Glenmoor Herald"]), k=3)
    tribune = desk.as_retriever(filters=Filters(sources=["Coastal Tribune"]), k=3)
    fusion = QueryFusionRetriever([herald, tribune], llm=MockLLM(), num_queries=1, mode="reciprocal_rerank",
                                  similarity_top_k=6, use_async=True, callback_manager=CallbackManager([]))
    nodes = fusion.retrieve("harbour")
    ids = [n.node.node_id for n in nodes]
    assert len(ids) == len(set(ids))
    assert {n.node.metadata["source"] for n in nodes} == {"Glenmoor Herald", "Coastal Tribune"}
    expected = {n.node.node_id for r in (herald, tribune) for n in r.retrieve("harbour")}
    assert set(ids) == expected
    assert all(n.node.metadata["article_id"] and n.node.text for n in nodes)


# Query engine ----------------------------------------------------------------------------------------------
def test_query_engine_returns_the_checked_cited_answer(desk):
    engine = desk.as_query_engine()
    assert isinstance(engine, NewsdeskQueryEngine) and isinstance(engine, BaseQueryEngine)
    response = engine.query(SEED_QUESTION)
    answer = desk.ask(SEED_QUESTION)
    assert isinstance(response, Response)
    assert response.response == answer.text and "April 9" in response.response and "[1]" in response.response
    assert response.metadata["refused"] is False and response.metadata["refusal_reason"] == ""
    assert response.metadata["unsupported"] == answer.unsupported
    assert response.metadata["citations"] == answer.to_json()["citations"]
    json.dumps(response.metadata)  # plain JSON
    assert len(response.source_nodes) == len(answer.citations) >= 1
    for i, (node, cite) in enumerate(zip(response.source_nodes, answer.citations), start=1):
        meta = node.node.metadata
        assert meta["n"] == cite.n == i and f"[{i}]" in response.response
        assert node.node.text == cite.quote
        assert desk.article(meta["article_id"]).body[meta["start_char"]:meta["end_char"]] == cite.quote
        assert (meta["article_id"], meta["title"], meta["url"], meta["published_at"]) == (
            cite.article_id, cite.title, cite.url, cite.published_at)
        assert node.score == pytest.approx(cite.support)
        assert meta["chunk_id"] in {p.chunk_id for p in answer.contexts}
    assert "April 9" in response.source_nodes[0].node.text


def test_query_engine_refuses_an_unanswerable_question(desk):
    response = desk.as_query_engine().query(UNANSWERABLE)
    assert response.response.startswith("The indexed articles do not say")
    assert response.source_nodes == []
    assert response.metadata["refused"] is True and response.metadata["refusal_reason"] in REFUSAL_REASONS
    assert response.metadata["citations"] == []


def test_query_engine_filters_and_async(desk):
    tribune = desk.as_query_engine(filters=Filters(sources=["Coastal Tribune"]))
    filtered = asyncio.run(tribune.aquery(TRAM_QUESTION))  # the tram articles are in the Glenmoor Herald
    assert filtered.metadata["refused"] is True and filtered.source_nodes == []
    response = asyncio.run(desk.as_query_engine().aquery(TRAM_QUESTION))
    assert "240 million euros" in response.response and response.source_nodes
    assert response.source_nodes[0].node.metadata["title"] == "Glenmoor council approves the Riverside tram line"
    assert [n.node.node_id for n in tribune.retrieve(_bundle("harbour"))] and all(
        n.node.metadata["source"] == "Coastal Tribune" for n in tribune.retrieve(_bundle("harbour")))


def _bundle(text: str):
    from llama_index.core.schema import QueryBundle

    return QueryBundle(text)


class _StubDesk:
    """Stands in for a Newsdesk whose answer has two citations, listed out of order."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.asked: list[tuple[str, Filters | None]] = []

    def ask(self, question, filters=None):
        self.asked.append((question, filters))
        return self.answer


def test_source_nodes_follow_marker_order_with_their_passages():
    body_a = "First sentence. The tram costs 240 million euros. Last."
    body_b = "Crowds: about 85,000 visitors came."
    meta_a = dict(article_id="a", title="Tram", source="Herald", url="https://x.invalid/a", published_at="2024-03-12")
    meta_b = dict(article_id="b", title="Festival", source="Tribune", url="https://x.invalid/b",
                  published_at="2024-04-20")
    p_a = Passage(chunk_id="a:0", text=body_a, start_char=0, end_char=len(body_a), **meta_a)
    p_b = Passage(chunk_id="b:3", text=body_b, start_char=100, end_char=100 + len(body_b), **meta_b)
    c1 = Citation(n=1, quote="The tram costs 240 million euros.", start_char=16, end_char=49, support=0.9, **meta_a)
    c2 = Citation(n=2, quote="about 85,000 visitors came.", start_char=108, end_char=135, support=0.7, **meta_b)
    answer = Answer(question="q", text="It costs 240 million euros [1]. About 85,000 came [2].", citations=[c2, c1],
                    unsupported=["Nobody liked it."], contexts=[p_b, p_a])
    stub = _StubDesk(answer)
    filters = Filters(sources=["Herald"])
    response = NewsdeskQueryEngine(stub, filters=filters).query("q")
    assert stub.asked == [("q", filters)]
    assert [n.node.metadata["n"] for n in response.source_nodes] == [1, 2]
    assert [n.node.text for n in response.source_nodes] == [c1.quote, c2.quote]
    assert [n.node.metadata["chunk_id"] for n in response.source_nodes] == ["a:0", "b:3"]
    assert [n.node.ref_doc_id for n in response.source_nodes] == ["a", "b"]
    offsets = [(n.node.metadata["start_char"], n.node.metadata["end_char"]) for n in response.source_nodes]
    assert offsets == [(16, 49), (108, 135)]
    assert [n.score for n in response.source_nodes] == [0.9, 0.7]
    assert len({n.node.node_id for n in response.source_nodes}) == 2
    assert [c["n"] for c in response.metadata["citations"]] == [1, 2]
    assert response.metadata["unsupported"] == ["Nobody liked it."] and response.metadata["refused"] is False
    assert str(response) == answer.text
