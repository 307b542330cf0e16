"""HTML rendering of answers and sources: escaping, citation links, highlighted quotes."""

from qa import Answer, Citation

from ui import render

XSS_TITLE = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"
BODY = "Intro sentence here. Türkiye and Israel launched technical-level talks on April 9. More text follows."
QUOTE = "Türkiye and Israel launched technical-level talks on April 9."


def citation(n=1, title="Talks begin", url="https://example.org/a", quote=QUOTE, body=BODY):
    start = body.find(quote)
    return Citation(n=n, article_id="a1", title=title, source="Wire", url=url, published_at="2025-04-10T00:00:00",
                    quote=quote, start_char=start, end_char=start + len(quote))


def test_answer_markers_link_to_source_cards_and_text_is_escaped():
    answer = Answer(question="q", text="They began on April 9 [1]. <b>bold</b> [7]", citations=[citation()])
    message = render.answer_message(answer, turn=3)
    assert '<a class="nd-cite" href="#nd-src-3-1"' in message
    assert "&lt;b&gt;bold&lt;/b&gt;" in message and "<b>" not in message
    assert "[7]" not in message.replace("\\[7\\]", "")  # unknown marker stays escaped text, not a link
    assert "nd-src-3-7" not in message


def test_markdown_links_in_model_text_are_neutralised():
    answer = Answer(question="q", text="See [here](javascript:alert(1)) ![x](http://x/y.png)")
    message = render.answer_message(answer, turn=1)
    assert "](" not in message and "\\[here\\]\\(javascript:alert\\(1\\)\\)" in message


def test_unsupported_sentences_are_marked():
    answer = Answer(question="q", text="Talks began on April 9 [1]. The moon is cheese.",
                    citations=[citation()], unsupported=["The moon is cheese."])
    message = render.answer_message(answer, turn=1)
    assert '<span class="nd-unsupported"' in message
    assert message.index("nd-unsupported") < message.index("The moon is cheese")
    assert "⚠" in message


def test_refusal_has_its_own_style():
    answer = Answer(question="q", text="The articles do not say.", refused=True)
    message = render.answer_message(answer, turn=1)
    assert message.startswith('<div class="nd-refusal">') and "nd-error" not in message


def test_source_card_escapes_article_fields_and_highlights_the_quote():
    body = "Lead <img src=x onerror=alert(1)> text. " + BODY
    card = render.citation_card(citation(title=XSS_TITLE, body=body), turn=2, body=body)
    assert "<script>" not in card and "<img" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card and "&lt;img src=x onerror=alert(1)&gt;" in card
    assert f"<mark>{QUOTE}</mark>" in card
    assert 'id="nd-src-2-1"' in card
    assert 'href="https://example.org/a"' in card and 'rel="noopener noreferrer nofollow"' in card
    assert "2025-04-10" in card and "T00:00" not in card


def test_only_http_urls_become_links():
    for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hi", "//evil.example", "http://",
                "http://exa mple.org", "java\tscript:alert(1)", ""]:
        assert render.safe_url(bad) is None, bad
        assert "<a " not in render.citation_card(citation(url=bad), 1, BODY)
    assert render.safe_url("http://example.org/x?y=1") == "http://example.org/x?y=1"
    card = render.citation_card(citation(url='https://e.org/"onmouseover="x'), 1, BODY)
    assert '"onmouseover="' not in card and "&quot;onmouseover=&quot;" in card


def test_excerpt_is_short_and_falls_back_when_offsets_are_stale():
    body = ("word " * 200) + QUOTE + (" tail" * 200)
    excerpt = render.excerpt_html(body, 0, 5, QUOTE)  # wrong offsets: found by search instead
    assert f"<mark>{QUOTE}</mark>" in excerpt
    assert excerpt.startswith("… ") and excerpt.endswith(" …")
    assert len(excerpt) < len(QUOTE) + 2 * render.EXCERPT_CONTEXT + 40
    assert render.excerpt_html("", 0, 0, "<q>") == "<mark>&lt;q&gt;</mark>"


def test_sources_panel_shows_newest_first_and_folds_older_answers():
    first = render.sources_html(Answer(question="first?", text="x [1]", citations=[citation()]), 1, lambda _: BODY)
    second = render.sources_html(Answer(question="<i>second</i>?", text="no", refused=True), 2, lambda _: None)
    panel = render.sources_panel([first, second])
    assert panel.index("&lt;i&gt;second&lt;/i&gt;?") < panel.index("first?")
    assert "<details" in panel and "nd-src-1-1" in panel
    assert "Sources of each answer appear here" in render.sources_panel([])


def test_a_source_card_says_what_the_relative_dates_in_its_quote_mean():
    dated = citation()
    dated.dates = ["yesterday = April 9, 2025"]
    card = render.citation_card(dated, 1, BODY)
    assert '<div class="nd-quote-dates">dates in this quote: yesterday = April 9, 2025</div>' in card
    assert "nd-quote-dates" not in render.citation_card(citation(), 1, BODY)  # nothing to say: no line
    hostile = citation()
    hostile.dates = ["<b>today</b> = April 9, 2025"]
    assert "&lt;b&gt;today&lt;/b&gt;" in render.citation_card(hostile, 1, BODY)
