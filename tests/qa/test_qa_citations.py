"""Citation checking on real sources from the test index: unknown numbers, renumbering, support, quotes."""

import pytest

from qa.citations import check_claims, parse_claims, render
from qa.context import build_sources


@pytest.fixture(scope="module")
def sources(desk):
    """Numbered sources for a question touching two articles (tram line and festival)."""
    engine = desk.engine()
    question = "How much will the Riverside tram line cost, and how many visitors came to the Port Ostrava festival?"
    found = engine.retriever.retrieve(question)
    srcs = build_sources(found.hits, question, found.query_vector, engine.sentences, 8)
    titles = [s.title for s in srcs]
    assert any("Port Ostrava" in t for t in titles) and any("Riverside" in t for t in titles)
    return srcs


def _n(sources, prefix):
    return next(s.n for s in sources if s.title.startswith(prefix))


def _check(desk, sources, text):
    claims = parse_claims(text)
    vectors = desk.engine().embedder.embed_documents([c.text for c in claims])
    check_claims(claims, vectors, sources, desk.settings.support_threshold)
    return render(claims, sources)


def test_markers_are_parsed_in_their_common_forms():
    claims = parse_claims("A fact [1]. Two facts [2, 3]. Another [4][5].\n[6]")
    assert [c.cited for c in claims] == [[1], [2, 3], [4, 5, 6]]
    assert claims[0].text == "A fact."


def test_unknown_numbers_are_dropped_and_the_rest_renumbered_by_first_use(desk, sources):
    festival, tram = _n(sources, "Port Ostrava"), _n(sources, "Glenmoor council")
    text = (f"About 85,000 visitors came to the Port Ostrava harbour festival [{festival}][99]. "
            f"The Riverside tram line will cost 240 million euros [{tram}].")
    checked = _check(desk, sources, text)
    assert checked.text == ("About 85,000 visitors came to the Port Ostrava harbour festival [1]. "
                            "The Riverside tram line will cost 240 million euros [2].")
    assert [c.title[:12] for c in checked.citations] == ["Port Ostrava", "Glenmoor cou"]
    assert "85,000" in checked.citations[0].quote and "240 million" in checked.citations[1].quote
    assert not checked.unsupported


def test_a_wrong_citation_is_moved_to_the_supporting_source(desk, sources):
    festival = _n(sources, "Port Ostrava")
    checked = _check(desk, sources, f"The Riverside tram line will cost 240 million euros [{festival}].")
    assert checked.citations[0].title.startswith("Glenmoor council") and checked.text.endswith("[1].")


def test_a_sentence_without_citation_gets_the_supporting_source(desk, sources):
    checked = _check(desk, sources, "The festival was led by the schooner Aurelia, built in 1911.")
    assert checked.text.endswith("[1].") and checked.citations[0].title.startswith("Port Ostrava")
    assert "Aurelia" in checked.citations[0].quote


def test_unsupported_sentences_are_flagged(desk, sources):
    festival = _n(sources, "Port Ostrava")
    checked = _check(desk, sources, f"The festival was cancelled because of a storm in Berlin [{festival}].")
    assert checked.unsupported == ["The festival was cancelled because of a storm in Berlin."]
    assert checked.supported_claims == 0 and not checked.citations


def test_a_wrong_number_is_not_supported(desk, sources):
    festival = _n(sources, "Port Ostrava")
    checked = _check(desk, sources, f"About 12,000 visitors came to the Port Ostrava harbour festival [{festival}].")
    assert checked.unsupported and not checked.citations


def test_yes_no_opening_is_kept_and_not_flagged(desk, sources):
    tram = _n(sources, "Glenmoor council")
    checked = _check(desk, sources, f"Yes. The Riverside tram line will cost 240 million euros [{tram}].")
    assert checked.text.startswith("Yes. ") and not checked.unsupported
