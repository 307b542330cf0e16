"""Sentence-aware chunking measured in the embedding model's word pieces, with exact char offsets.

Each chunk is a run of whole sentences (a sentence longer than the budget is split at word boundaries)
that fits, together with the article title, in the model's input: `title + "\\n" + chunk` ≤ 256 pieces.
Consecutive chunks share up to `chunk_overlap` pieces of whole trailing sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

PieceCounter = Callable[[list[str]], list[int]]  # word pieces per text, special tokens excluded
SPECIAL_PIECES = 2  # [CLS] and [SEP]
MAX_TITLE_PIECES = 64  # longer titles are shortened in the embedding input so chunks keep room

_LINE = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[^\sa-z])")  # not before a lowercase word
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    """A piece of the body: `body[start:end]`, `pieces` word pieces long."""

    start: int
    end: int
    pieces: int = 0


def split_sentences(body: str) -> list[Span]:
    """Sentence spans (no surrounding whitespace): every line break ends a sentence, and so does . ! ? …"""
    spans = []
    for line in _LINE.finditer(body):
        start = line.start()
        for end_mark in _SENTENCE_END.finditer(body, line.start(), line.end()):
            spans.append(_trim(body, start, end_mark.end()))
            start = end_mark.end()
        spans.append(_trim(body, start, line.end()))
    return [s for s in spans if s.end > s.start]


def fit_title(title: str, count: PieceCounter, max_pieces: int = MAX_TITLE_PIECES) -> str:
    """The title as used in embedding inputs: cut at a word boundary to at most `max_pieces` pieces."""
    if count([title])[0] <= max_pieces:
        return title
    words = title.split()
    while words and count([" ".join(words)])[0] > max_pieces:
        words = words[: max(1, len(words) * 3 // 4)] if len(words) > 1 else []
    return " ".join(words)


def chunk_budget(title: str, count: PieceCounter, chunk_size: int, model_pieces: int = 256) -> int:
    """Pieces a chunk may use so that the title plus the chunk fit the model's input."""
    title_pieces = count([fit_title(title, count)])[0]
    return max(8, min(chunk_size, model_pieces - SPECIAL_PIECES - title_pieces))


def chunk_spans(body: str, budget: int, overlap: int, count: PieceCounter) -> list[Span]:
    """Chunk spans over `body`, each at most `budget` pieces, overlapping by up to `overlap` pieces."""
    sentences = split_sentences(body)
    if not sentences:
        return []
    counts = count([body[s.start : s.end] for s in sentences])
    units: list[Span] = []
    for sentence, pieces in zip(sentences, counts):
        if pieces <= budget:
            units.append(Span(sentence.start, sentence.end, pieces))
        else:
            units.extend(_split_long(body, sentence, budget, count))
    return _pack(units, budget, overlap)


def _pack(units: list[Span], budget: int, overlap: int) -> list[Span]:
    chunks = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and total + units[j].pieces <= budget:
            total += units[j].pieces
            j += 1
        chunks.append(Span(units[i].start, units[j - 1].end, total))
        if j >= len(units):
            break
        k, shared = j, 0
        while k - 1 > i and shared + units[k - 1].pieces <= overlap:
            k -= 1
            shared += units[k].pieces
        i = k
    return chunks


def _split_long(body: str, sentence: Span, budget: int, count: PieceCounter) -> list[Span]:
    """Split an over-long sentence at word boundaries (a giant single word is cut inside)."""
    words = [Span(m.start(), m.end()) for m in _WORD.finditer(body, sentence.start, sentence.end)]
    counts = count([body[w.start : w.end] for w in words])
    pieces: list[Span] = []
    for word, n in zip(words, counts):
        if n > budget:
            pieces.extend(_cut_word(body, word, budget, count))
        else:
            pieces.append(Span(word.start, word.end, n))
    units: list[Span] = []
    for piece in pieces:
        if units and units[-1].pieces + piece.pieces <= budget:
            units[-1] = Span(units[-1].start, piece.end, units[-1].pieces + piece.pieces)
        else:
            units.append(piece)
    return units


def _cut_word(body: str, word: Span, budget: int, count: PieceCounter) -> list[Span]:
    """Cut a word with no spaces into parts of at most half the budget (cuts inside words can add pieces)."""
    target = max(1, budget // 2)
    parts, start = [], word.start
    while start < word.end:
        end = word.end
        while count([body[start:end]])[0] > target and end - start > 1:
            end = start + max(1, (end - start) // 2)
        parts.append(Span(start, end, count([body[start:end]])[0] + 1))
        start = end
    return parts


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)
