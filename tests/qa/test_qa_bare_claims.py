"""A bare answer ("Eight [1].") means something only with its question: the check accepts it only from a sentence
about what was asked, never from an unrelated sentence that happens to hold the same word (in-memory sources)."""

import numpy as np

from qa.citations import support
from qa.context import Source
from qa.text import tokens

from qa_helpers import in_memory_source

QUESTION = "How many people died when the Larkin ferry capsized off Tarrow Point?"


def _source(body: str) -> Source:
    return in_memory_source(1, "2024-06-01", body, "Larkin ferry salvage")


def _support(claim: str, body: str) -> float:
    return support(claim, np.zeros(4, dtype=np.float32), _source(body), frozenset(tokens(QUESTION)), QUESTION)[0]


def test_a_bare_number_is_not_supported_by_a_sentence_about_something_else():
    unrelated = ("Divers recovered a bronze bell from under eight metres of silt on Tuesday. "
                 "The salvage is expected to take a month.")  # shares no word with the question
    about_it = "Eight people died when the Larkin capsized, the coastguard said. The salvage is expected to take a month."
    assert _support("Eight", about_it) >= 0.55 > _support("Eight", unrelated)
    # the same words in a sentence of their own still count when the claim says what it is about
    assert _support("Divers recovered a bronze bell from under eight metres of silt", unrelated) >= 0.55


def test_a_bare_answer_needs_one_sentence_holding_it_not_the_union_of_several():
    split = "The coastguard said eight boats joined the search. Nobody has said how many people died."
    assert _support("Eight", split) < 0.55
