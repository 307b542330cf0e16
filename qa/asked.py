"""What a question asks for ("the salary of ...", "how much rent ...") and whether the articles mention it at all:
a question about a known entity but an attribute no retrieved article talks about is unanswerable."""

from __future__ import annotations

import re

from qa.text import tokens

_WORD = r"[a-z][a-z'-]*"
_AUX = frozenset("is are was were do does did will would can could should has have had may might must been be".split())
# Words that name the kind of answer rather than a topic: articles rarely use them literally.
GENERIC = frozenset((
    "publication article articles source sources outlet newspaper news report reports story stories date day days "
    "year years month months time times person people man men woman women one ones name names event events thing "
    "things amount number numbers money figure figures value total level levels type types kind kinds sort way "
    "ways reason reasons place places country countries city company companies organization group role title "
    "percentage share much many long far big large old first last new main platform individual entity product "
    "service team player athlete firm business brand organisation institution agency artist celebrity star "
    "personality device app game member members official officials model models make version versions"
).split())
_PATTERNS = (
    re.compile(rf"^\s*(?:what|which)\s+(?:is|was|are|were)\s+the\s+(?:{_WORD}\s+){{0,2}}?({_WORD})\s+(?:of|for|at|in|on|paid|that)\b"),
    re.compile(rf"^\s*how\s+(?:much|many)\s+({_WORD})\b"),
    re.compile(rf"^\s*(?:which|what)\s+({_WORD})\s+(?:of|did|does|do|is|was|are|were|will|has|had|caused|won)\b"),
)


def asked_term(question: str) -> str | None:
    """The folded, stemmed head word of what is asked ('salary', 'rent', 'species'), or None when unclear."""
    for pattern in _PATTERNS:
        match = pattern.match(question.lower())
        if match:
            word = match.group(1).lower()
            if word in _AUX or word in GENERIC:
                return None
            found = tokens(word)
            return found[0] if found and found[0] not in GENERIC else None
    return None


def asked_detail_missing(question: str, texts: list[str]) -> str | None:
    """The asked word when none of `texts` (the retrieved articles) contains it, else None."""
    term = asked_term(question)
    if term is None:
        return None
    return None if any(term in set(tokens(t)) for t in texts) else term
