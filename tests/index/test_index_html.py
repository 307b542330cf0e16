"""Web pages → Articles: trafilatura main text and metadata, real charsets (HTTP > BOM-less <meta> > detection)."""

from __future__ import annotations

import codecs

import pytest

from index import Catalog, ingest, open_store
from index.errors import InputProblem
from index.loaders import load_input
from index.loaders.charset import decode_page
from index.loaders.html import html_to_text, load_html_bytes

LIMIT = 5_000_000

# A news page shaped like a real one: head metadata, menu, cookie banner, article with byline, related-stories
# teasers, newsletter box, footer. {charset_meta}, {lead}, {quote} and {city} vary per test.
PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
{charset_meta}
<title>{title} | Lakeside Tribune</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Lakeside Tribune">
<meta name="author" content="Ilse Marchetti">
<meta property="article:published_time" content="2021-03-09T08:15:00+01:00">
<link rel="canonical" href="https://tribune.example.test/2021/03/09/ferry-strike-ends">
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});</script>
</head>
<body class="article-page">
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. COOKIE-BANNER-TEXT
  <button>Accept all</button> <a href="/privacy">Manage preferences</a></div>
<header class="site-header"><a class="logo" href="/">Lakeside Tribune</a>
<nav class="main-menu"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/culture">Culture</a></li><li><a href="/opinion">MENU-OPINION-LINK</a></li></ul></nav></header>
<main>
<article class="story">
<header><h1>{title}</h1>
<p class="byline">By <a href="/authors/ilse-marchetti" rel="author">Ilse Marchetti</a> ·
<time datetime="2021-03-09T08:15:00+01:00">9 March 2021</time></p></header>
<div class="story-body">
<p>{lead}</p>
<p>The strike began on 18 February, when crews walked out over new rosters that would have lengthened the
winter shifts on the crossing. Talks at the harbour office lasted until late on Monday evening.</p>
<p>{quote}</p>
<p>Ferries will run the full timetable again from Thursday morning, the operator said. Season tickets bought
for the weeks of the strike will be extended by nineteen days.</p>
<p>Shops along the quay in {city} said the stoppage had cost them much of their February trade, and the
town council has promised a spring market to bring visitors back to the lake.</p>
</div>
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/2021/03/01/harbour-fees">RELATED-TEASER harbour fees rise for the third year in a row</a></li>
<li><a href="/2021/02/20/crews-walk-out">RELATED-TEASER ferry crews walk out over winter rosters</a></li>
<li><a href="/2021/02/11/new-ferry">RELATED-TEASER a new electric ferry arrives from the shipyard</a></li>
</ul></aside>
<section class="newsletter"><h3>Get the morning briefing</h3><form action="/subscribe"><input name="email">
<button>Sign up NEWSLETTER-BOX</button></form></section>
</main>
<footer class="site-footer"><p>© 2021 Lakeside Tribune. All rights reserved. FOOTER-TEXT</p>
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></footer>
</body>
</html>
"""
TITLE = "Ferry strike on Lake Lémanor ends after 19 days"
LEAD = ("The ferry strike on Lake Lémanor ended on Tuesday after nineteen days, when the crews' union and the "
        "operator signed an agreement at the café of the harbour office in Genève.")
QUOTE = ("“We are relieved, and the crossing is ours again,” said the union’s spokeswoman Anaïs Brückner, "
         "who led the négociations for the crews.")
BOILERPLATE = ("COOKIE-BANNER-TEXT", "MENU-OPINION-LINK", "RELATED-TEASER", "NEWSLETTER-BOX", "FOOTER-TEXT",
               "Related stories", "Accept all", "dataLayer")


def page(charset_meta: str = "", *, title: str = TITLE, lead: str = LEAD, quote: str = QUOTE,
         city: str = "Vevrin", lang: str = "en") -> str:
    return PAGE.format(charset_meta=charset_meta, title=title, lead=lead, quote=quote, city=city, lang=lang)


def load_file(path) -> list:
    return list(load_input(str(path), LIMIT, 30.0))


def test_windows_1252_page_declared_by_meta_charset(docs):
    data = page('<meta charset="windows-1252">').encode("cp1252")
    assert b"\x93We are relieved" in data and b"Gen\xe8ve" in data  # curly quotes and accents in cp1252 bytes
    [article] = load_file(docs.write("strike.html", data))
    assert "Genève" in article.body and "café" in article.body and "Anaïs Brückner" in article.body
    assert "“We are relieved, and the crossing is ours again,” said the union’s spokeswoman" in article.body
    assert article.title == TITLE and "\ufffd" not in article.body


def test_latin1_page_declared_only_by_the_http_charset():
    quote = "Nous sommes soulagés, a déclaré la porte-parole Anaïs Brückner."
    data = page(quote=quote).encode("latin-1")
    fetched = "https://tribune.example.test/print/ferry"
    article = load_html_bytes(data, fetched, charset="ISO-8859-1", url=fetched)
    assert quote in article.body
    assert "Genève" in article.body and article.title == "Ferry strike on Lake Lémanor ends after 19 days"
    assert article.url == "https://tribune.example.test/2021/03/09/ferry-strike-ends"  # the canonical one wins
    canonical = b'<link rel="canonical" href="https://tribune.example.test/2021/03/09/ferry-strike-ends">'
    assert load_html_bytes(data.replace(canonical, b""), fetched, charset="ISO-8859-1", url=fetched).url == fetched


def test_http_charset_beats_the_pages_own_label():
    data = page('<meta charset="koi8-r">', quote="Nous sommes soulagés, a dit Anaïs Brückner.").encode("latin-1")
    assert "Anaïs Brückner" not in load_html_bytes(data, "page.html").body  # read as KOI8-R: Cyrillic garble
    assert "Anaïs Brückner" in load_html_bytes(data, "page.html", charset="latin1").body


def test_undeclared_cp1251_cyrillic_page_is_detected(docs):
    lead = ("Паромная забастовка на озере закончилась во вторник после девятнадцати дней, когда профсоюз "
            "экипажей и оператор подписали соглашение в здании портовой конторы.")
    quote = "«Мы рады, что переправа снова работает», — сказала представитель профсоюза Анна Брюкнер."
    data = page(title="Забастовка паромщиков закончилась", lead=lead, quote=quote, lang="ru").encode("cp1251")
    [article] = load_file(docs.write("zabastovka.html", data))
    assert article.title == "Забастовка паромщиков закончилась"
    assert lead in article.body and quote in article.body
    assert decode_page(data)[1] == "cp1251"


def test_undeclared_cp1252_page_with_accents_is_detected(docs):
    data = page().encode("cp1252")
    assert decode_page(data)[1] == "cp1252"
    [article] = load_file(docs.write("undeclared.html", data))
    assert "signed an agreement at the café of the harbour office in Genève." in article.body
    assert "Anaïs Brückner, who led the négociations" in article.body


def test_stale_meta_charset_on_a_page_re_saved_as_utf8(docs):
    """A page saved as UTF-8 keeps its old <meta charset>; valid UTF-8 bytes win over it."""
    [article] = load_file(docs.write("resaved.html", page('<meta charset="windows-1251">').encode("utf-8")))
    assert "Genève" in article.body and "Anaïs Brückner" in article.body


def test_byte_order_mark_beats_a_wrong_http_charset():
    data = codecs.BOM_UTF16_LE + page('<meta charset="utf-16">').encode("utf-16-le")
    assert "Genève" in load_html_bytes(data, "bom.html", charset="iso-8859-1").body
    assert decode_page(codecs.BOM_UTF8 + "Genève".encode(), "iso-8859-1") == ("Genève", "utf_8")


def test_boilerplate_is_not_in_the_body_and_paragraphs_are_kept(docs):
    [article] = load_file(docs.write("strike.html", page('<meta charset="utf-8">')))
    for junk in BOILERPLATE:
        assert junk not in article.body, junk
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0] == LEAD and paragraphs[2] == QUOTE and len(paragraphs) == 5
    assert paragraphs[-1].startswith("Shops along the quay in Vevrin said the stoppage")
    assert TITLE not in article.body  # the headline is the title, not the first paragraph


def test_metadata_is_read(docs):
    [article] = load_file(docs.write("strike.html", page('<meta charset="utf-8">')))
    assert article.title == TITLE
    assert article.author == "Ilse Marchetti"
    assert article.source == "Lakeside Tribune"
    assert article.url == "https://tribune.example.test/2021/03/09/ferry-strike-ends"
    assert (article.published_at, article.published_ts) == ("2021-03-09T07:15:00+00:00", 1615274100)


def test_copyright_year_is_not_taken_for_a_publication_date():
    """No date in the markup: none is made up from "© 2021" in the footer or a related story's URL."""
    undated = page('<meta charset="utf-8">')
    for dated in ('<meta property="article:published_time" content="2021-03-09T08:15:00+01:00">',
                  '<time datetime="2021-03-09T08:15:00+01:00">9 March 2021</time>',
                  '<link rel="canonical" href="https://tribune.example.test/2021/03/09/ferry-strike-ends">'):
        undated = undated.replace(dated, "")
    article = load_html_bytes(undated.encode(), "undated.html")
    assert article.published_at == "" and article.published_ts == -1
    dated_by_url = load_html_bytes(undated.encode(), "undated.html", url="https://tribune.example.test/2021/03/09/x")
    assert dated_by_url.published_at == "2021-03-09"
    assert article.body.startswith("The ferry strike on Lake Lémanor ended on Tuesday")


INDEX_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>News | Lakeside Tribune</title>
<meta property="og:site_name" content="Lakeside Tribune"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><h1>Latest news</h1>
{items}
</main><footer><p>© 2021 Lakeside Tribune</p></footer></body></html>"""
STORIES = ["Ferry strike on the lake ends after nineteen days", "Harbour fees rise for the third year in a row",
           "Council approves a spring market on the quay", "New electric ferry arrives from the shipyard",
           "School choir wins the regional contest again", "Roadworks close the lake road until April"]


@pytest.mark.parametrize("with_summaries", [False, True], ids=["headlines", "teasers"])
def test_index_page_fails_with_one_clear_line(settings, docs, with_summaries):
    """A front page: trafilatura keeps the page heading (headlines only) or the teasers' summaries."""
    items = "".join(
        f'<article class="teaser"><h2><a href="/2021/03/{i:02d}/story">{headline}</a></h2>'
        + (f"<p>{headline.split()[0]} and more: the short summary of story {i} for the front page.</p>"
           if with_summaries else "") + "</article>"
        for i, headline in enumerate(STORIES, start=1))
    path = docs.write("front.html", INDEX_PAGE.format(items=items))
    expected = ("the page is a list of headlines (an index or section page), not an article; give one article's page"
                if with_summaries else
                "no readable article text in the page; give the article page, not an index, search or login page")
    with pytest.raises(InputProblem) as caught:
        load_file(path)
    assert str(caught.value) == expected
    [failed] = ingest(path, settings).failed
    assert failed.error == f"{path}: {expected}"


@pytest.mark.parametrize("markup", [
    "<html><head><title>Lakeside Tribune</title></head><body></body></html>",
    '<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><footer>© Lakeside</footer></body></html>',
    "<html><body><script>var app = 1;</script><noscript>Please enable JavaScript.</noscript></body></html>",
], ids=["empty-body", "menu-only", "script-only"])
def test_page_without_article_text_fails_with_one_clear_line(docs, markup):
    with pytest.raises(InputProblem) as caught:
        load_file(docs.write("empty.html", markup))
    assert str(caught.value) == ("no readable article text in the page; give the article page, "
                                 "not an index, search or login page")


@pytest.mark.parametrize("data, message", [
    (b"", "the page is empty"),
    (b"  \n\t ", "the page is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not a web page"),
], ids=["empty", "blank", "binary"])
def test_empty_and_binary_files_fail_cleanly(data, message):
    with pytest.raises(InputProblem, match=message):
        load_html_bytes(data, "x.html")


def test_small_page_and_fragment_still_load(docs):
    """trafilatura gives up on a saved fragment; the tag rules read it."""
    [fragment] = load_file(docs.write("snippet.html", "<p>Tarnby won the cup on Saturday.</p>"))
    assert fragment.body == "Tarnby won the cup on Saturday."
    assert html_to_text("<p>First <b>entry</b> line.</p><p>Second line.</p>") == "First entry line.\n\nSecond line."


def test_cp1252_page_ingests_end_to_end_and_is_searchable(settings, docs, embedder):
    path = docs.write("strike-cp1252.html", page('<meta http-equiv="Content-Type" content="text/html; '
                                                 'charset=windows-1252">').encode("cp1252"))
    report = ingest(path, settings)
    assert report.ok, report.failed
    [record] = Catalog(settings).articles()
    body = Catalog(settings).get(record.id).body
    for word in ("Genève", "café", "Anaïs Brückner", "négociations", "“We are relieved"):
        assert word in body, word
    [(meta, text, _score)] = open_store(settings).query(
        embedder.embed_query("Where did the union and the operator sign the agreement?"), 1)
    assert "café of the harbour office in Genève" in text
    assert meta["source"] == "Lakeside Tribune" and meta["author"] == "Ilse Marchetti"
