"""Stable article ids and content hashes (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import hashlib
import json

from index.models import Article


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(url: str = "", guid: str = "", title: str = "", body: str = "") -> str:
    """sha256(guid or url)[:16] when the article has one, else a hash of its title and body (not its origin)."""
    key = (guid or url).strip()
    if key:
        return _sha256(key)[:16]
    return _sha256(f"{title.strip()}\n{body.strip()}")[:16]


def content_hash(article: Article) -> str:
    """Hash of everything that ends up in the index; a change means re-embedding."""
    fields = [article.title, article.body, article.source, article.url, article.author, article.published_at]
    return _sha256(json.dumps(fields, ensure_ascii=False))
