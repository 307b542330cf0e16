"""Correction notices: a report that restates what an earlier article said and then says it was wrong.

"An article in Monday's edition said 240 jobs would be lost at the bakery. Pellmoor Foods says the correct
figure is 140." The first sentence is *retracted*: it repeats the wrong figure, so read on its own it states
the very fact the notice withdraws. `correction_for` finds, for such a sentence, the sentence(s) after it that
correct it; `qa.context.Source.annotated` then shows the sentence with "(corrected: ...)" before its final
stop, as relative dates are shown with the date they mean, and `qa.timeliness.find_update` compares only the
correction's items with other reports (the correction states 140, not 240). The article text is never
rewritten: quotes stay verbatim.

Both parts must be present: a sentence restating an earlier article's words, and within the next
`CORRECTION_LOOKAHEAD` sentences an explicit marker ("was wrong", "the correct figure is", "should have
said"). "A UN report said 300 people died" alone is a citation, not a correction.
"""

from __future__ import annotations

import re

from qa.text import Sentence, split_sentences
from qa.tuning import CORRECTION_LOOKAHEAD, CORRECTION_WINDOW_CHARS

# a sentence saying what an earlier article, report or edition said ("An article in yesterday's edition ...
# said", "A story on Monday incorrectly reported")
_RESTATES = re.compile(
    r"\b(?:article|report|story|edition|version|headline|caption|graphic|item)\b.{0,200}?"
    r"\b(?:said|stated|reported|gave|put|described|misstated|quoted|named|misidentified)\b", re.I | re.S)
# the notice's own words that the restated figure was wrong, or what it should have been
_WRONG = re.compile(
    r"\b(?:was|were|is|are)\s+(?:wrong|incorrect|inaccurate|mistaken|in\s+error)\b|"
    r"\bcorrect\s+(?:figure|number|amount|total|date|day|name|time|sum|cost|price|age|score|spelling|title)\s+"
    r"(?:is|was|are|were)\b|\bshould\s+have\s+(?:said|read|stated|been|given)\b|"
    r"\b(?:incorrectly|wrongly|mistakenly|erroneously)\s+(?:said|stated|reported|gave|put|described|named|quoted)\b",
    re.I)
_DIGIT = re.compile(r"\d")
_FINAL_STOP = re.compile(r"[.!?][\"'”’)]*$")  # a sentence's final stop, with the quote marks closing it
_SHORT_MARKER_WORDS = 8  # "That figure was wrong." holds no value: the correcting value is in the next sentence


def correction_for(body: str, sentence: Sentence) -> str | None:
    """The text correcting `sentence` (a sentence of `body`) when it restates an earlier article's wrong
    figure, without its final stop; None when `sentence` is not retracted."""
    if not _RESTATES.search(sentence.text):
        return None
    following = split_sentences(body[sentence.end:sentence.end + CORRECTION_WINDOW_CHARS], base=sentence.end)
    following = [s for s in following if s.text.strip()][:CORRECTION_LOOKAHEAD + 1]
    self_marked = bool(_WRONG.search(sentence.text))  # "An article incorrectly said ..."
    for i, candidate in enumerate(following[:CORRECTION_LOOKAHEAD]):
        if not (_WRONG.search(candidate.text) or (self_marked and i == 0)):
            continue
        bare = not _DIGIT.search(candidate.text) and len(candidate.text.split()) <= _SHORT_MARKER_WORDS
        if bare:  # "That figure was wrong.": the correct value is in the next sentence
            if i + 1 >= len(following):
                return None
            candidate = following[i + 1]
        return candidate.text.strip().rstrip(" .")
    return None


def with_correction(text: str, correction: str) -> str:
    """`text` with "(corrected: ...)" before its final stop."""
    stripped = text.rstrip()
    stop = _FINAL_STOP.search(stripped)
    end = stop.start() if stop else len(stripped)
    return f"{stripped[:end]} (corrected: {correction}){stripped[end:]}"
