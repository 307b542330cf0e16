"""The HTML loader as it was before trafilatura, kept only for bench/html_extraction.py's comparison.

A .html file's bytes went through `decode_text` (UTF-8 or UTF-16 with BOM, anything else refused) and then the lxml
tag rules: <meta>/<title>/<h1> metadata, boilerplate elements dropped, the text of <article>/<main>/<body>.
`page_metadata` and `document_text` are still in index/loaders/html.py (feeds and the page fallback use them),
unchanged; the composition below is the old `article_from_html`.
"""

from __future__ import annotations

from index.errors import InputProblem
from index.loaders.common import decode_text, make_article
from index.loaders.html import document_text, page_metadata, parse_html
from index.models import Article

NO_TEXT = "no readable article text in the page; give the article page, not an index page"


def load_old_html_file(data: bytes, origin: str) -> Article:
    """What `load_input` made of a .html file before: one article, or InputProblem."""
    doc = parse_html(decode_text(data))
    if doc is None:
        raise InputProblem(NO_TEXT)
    meta = page_metadata(doc)
    body = document_text(doc)
    first, _, rest = body.partition("\n\n")
    if first and first in (meta["title"], meta["h1"]):  # a first paragraph that only repeats the title
        body = rest
    if not body:
        raise InputProblem(NO_TEXT)
    return make_article(title=meta["title"], body=body, origin=origin, url=meta["url"], source=meta["source"],
                        author=meta["author"], published=meta["published"])
