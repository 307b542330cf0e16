"""Sentence-aware chunks: exact offsets, sized in the model's word pieces, title included."""

from __future__ import annotations

import pytest

from newsdesk_testkit import SEED, WIKINEWS, require
from index.chunking import chunk_budget, chunk_spans, fit_title, split_sentences
from index.loaders import load_input

MODEL_LIMIT = 256


def pieces_with_specials(embedder, text: str) -> int:
    return len(embedder.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


def chunk(embedder, title: str, body: str, size: int = 192, overlap: int = 32):
    count = embedder.count_pieces
    budget = chunk_budget(title, count, size, MODEL_LIMIT)
    return chunk_spans(body, budget, overlap, count), fit_title(title, count)


def assert_chunks_valid(embedder, title, body, spans, embed_title, size=192):
    assert spans, "no chunks"
    for span in spans:
        text = body[span.start : span.end]
        assert text and text == text.strip()
        assert embedder.count_pieces([text])[0] <= size
        assert pieces_with_specials(embedder, f"{embed_title}\n{text}") <= MODEL_LIMIT
    # every non-space character of the body is in some chunk, chunks in order
    covered = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    assert all(i in covered for i, ch in enumerate(body) if not ch.isspace())
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_split_sentences_offsets_exact():
    body = 'ISTANBUL\n\nFirst sentence here. "Second one?" she asked. Third!\nNew line sentence'
    spans = split_sentences(body)
    assert [body[s.start : s.end] for s in spans] == [
        "ISTANBUL", "First sentence here.", '"Second one?" she asked.', "Third!", "New line sentence",
    ]


def test_seed_article_chunks(embedder):
    [article] = list(load_input(str(SEED), 5_000_000, 10.0))
    spans, embed_title = chunk(embedder, article.title, article.body)
    assert len(spans) >= 2
    assert article.body[spans[0].start :].startswith("ISTANBUL")
    assert_chunks_valid(embedder, article.title, article.body, spans, embed_title)
    # chunks end at sentence boundaries
    for span in spans:
        assert article.body[span.end - 1] in ".!?\"'”’" or article.body[span.end : span.end + 1] in ("", "\n")


def test_overlap_is_bounded_and_present(embedder):
    body = " ".join(f"Sentence number {i} mentions the village of Orlow and its {i} mills." for i in range(60))
    spans, embed_title = chunk(embedder, "Orlow mills", body, size=64, overlap=20)
    assert len(spans) > 5
    for a, b in zip(spans, spans[1:]):
        assert b.start > a.start
        shared = body[b.start : a.end] if b.start < a.end else ""
        assert shared, "consecutive chunks should overlap by whole sentences"
        assert embedder.count_pieces([shared])[0] <= 20
    no_overlap, _ = chunk(embedder, "Orlow mills", body, size=64, overlap=0)
    assert all(b.start > a.end for a, b in zip(no_overlap, no_overlap[1:]))


def test_long_sentence_split_at_word_boundaries(embedder):
    body = "Start. " + " ".join(f"word{i} and" for i in range(400)) + " end. Final sentence."
    spans, embed_title = chunk(embedder, "A very long sentence", body)
    assert_chunks_valid(embedder, "A very long sentence", body, spans, embed_title)
    for span in spans:
        assert span.start == 0 or body[span.start - 1].isspace()
        assert span.end == len(body) or body[span.end].isspace()


def test_giant_word_and_long_title_still_fit(embedder):
    title = " ".join(["Extraordinarily", "lengthy", "headline", "about", "Zyrkowa"] * 30)
    body = "Intro sentence. " + "x7Q" * 3000 + " Outro sentence."
    spans, embed_title = chunk(embedder, title, body)
    assert embedder.count_pieces([embed_title])[0] <= 64
    assert_chunks_valid(embedder, title, body, spans, embed_title)


@pytest.mark.parametrize("size", [32, 128, 256])
def test_chunk_size_setting_respected(embedder, size):
    [article] = list(load_input(str(SEED), 5_000_000, 10.0))
    spans, embed_title = chunk(embedder, article.title, article.body, size=size, overlap=min(16, size // 4))
    assert_chunks_valid(embedder, article.title, article.body, spans, embed_title, size=size)


def test_wikinews_chunks_fit(embedder):
    items = list(load_input(str(require(WIKINEWS)), 5_000_000, 30.0))
    for article in items[:40]:
        spans, embed_title = chunk(embedder, article.title, article.body)
        assert_chunks_valid(embedder, article.title, article.body, spans, embed_title)
