"""Small text helpers shared by retrieval and citation checking: tokens and sentences with offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN
from nltk.stem.snowball import EnglishStemmer

STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(
    "also according article articles report reported reports say says said did does do would could "
    "which who whom whose what when where why how than then there their them they its it's about into".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_SENTENCE_END = re.compile(r"([.!?…][\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])|\n\s*\n|\n(?=\S)")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|Capt|Jr|Sr|vs|etc|Inc|Ltd|Co|No)|\b[A-Z])\.$")


# the Unicode blocks of combining marks (accents left over after NFKD decomposition)
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lowercase and strip accents, so 'Türkiye' matches 'Turkiye'."""
    if text.isascii():  # most news text: nothing to strip, and 20x faster than decomposing
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


_STEMMER = EnglishStemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) English stem, so 'voted' matches 'vote' and 'talks' matches 'talk'."""
    return _STEMMER.stem(word) if word.isalpha() else word


TOKEN_CACHE_SIZE = 50_000  # distinct texts (article sentences recur across questions: most calls hit)


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Folded, stemmed word tokens; stopwords dropped unless asked."""
    return list(_tokens(text, keep_stopwords))


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    out = []
    for match in _WORD.finditer(fold(text)):
        word = match.group(0).replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not keep_stopwords and word in STOPWORDS:
            continue
        out.append(stem(word))
    return tuple(out)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the text it was split from
    end: int


def split_sentences(text: str, base: int = 0) -> list[Sentence]:
    """Split into sentences, keeping offsets (plus `base`) so `text[start-base:end-base] == sentence`."""
    pieces: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1) if match.group(1) else match.start()
        if match.group(1) and "\n" not in match.group(0) and _ABBREV.search(text[start : match.start(1) + 1]):
            continue
        _append(pieces, text, start, end, base)
        start = match.end()
    _append(pieces, text, start, len(text), base)
    return pieces


def _append(pieces: list[Sentence], text: str, start: int, end: int, base: int) -> None:
    segment = text[start:end]
    stripped = segment.strip()
    if not stripped:
        return
    lead = len(segment) - len(segment.lstrip())
    s = start + lead
    pieces.append(Sentence(stripped, base + s, base + s + len(stripped)))
