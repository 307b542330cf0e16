"""Input formats → `Article`s. `discover` lists inputs; `load_input` reads one (file or feed URL)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from index.errors import InputProblem
from index.loaders.common import decode_text
from index.loaders.csv import load_csv
from index.loaders.feed import load_feed
from index.loaders.html import load_html_file
from index.loaders.jsonl import load_json, load_jsonl
from index.loaders.records import ItemFailure
from index.loaders.text import load_markdown, load_text
from index.models import Article

Loaded = Iterator[Article | ItemFailure]
TEXT_LOADERS: dict[str, Callable[[str, str], Iterable[Article | ItemFailure]]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".json": load_json,
    ".jsonl": load_jsonl,
    ".ndjson": load_jsonl,
    ".csv": load_csv,
}
HTML_EXTENSIONS = (".html", ".htm")  # read as bytes: the page itself says its charset (index/loaders/charset.py)
FEED_EXTENSIONS = (".xml", ".rss", ".atom")
MULTI_ARTICLE = (".json", ".jsonl", ".ndjson", ".csv")
CORPUS_FACTOR = 200  # a multi-article file may be this many times max_file_mb; each article must fit max_file_mb
ACCEPTED = tuple(TEXT_LOADERS) + HTML_EXTENSIONS + FEED_EXTENSIONS

__all__ = ["ACCEPTED", "ItemFailure", "discover", "is_url", "load_input", "Loaded"]


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def discover(target: str) -> list[str]:
    """The inputs behind one target: a URL, a file, or every non-hidden file below a folder (sorted)."""
    if is_url(target):
        return [target]
    path = Path(target).expanduser()
    if not path.is_dir():
        return [str(path.resolve()) if path.exists() else str(path)]
    found = []
    for file in sorted(path.resolve().rglob("*")):
        relative = file.relative_to(path.resolve())
        if file.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append(str(file))
    return found


def load_input(target: str, max_bytes: int, timeout_s: float, data: bytes | None = None) -> Loaded:
    """Articles (and per-record failures) of one input; whole-input problems raise `InputProblem`.

    `data`: a feed URL's bytes when the caller fetched them already (the pipeline does, see index/fulltext.py).
    """
    try:
        yield from _load(target, max_bytes, timeout_s, data)
    except InputProblem:
        raise
    except Exception as exc:  # a parser choking on malformed input must not escape as a traceback
        detail = " ".join(str(exc).split())[:200]
        raise InputProblem(
            f"could not parse it ({type(exc).__name__}: {detail}); check that the file is valid for its extension"
        ) from None


def _load(target: str, max_bytes: int, timeout_s: float, data: bytes | None = None) -> Loaded:
    if is_url(target):
        yield from load_feed(data if data is not None else fetch_url(target, max_bytes, timeout_s), target)
        return
    path = Path(target)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputProblem("no such file or folder; check the path")
    if suffix not in ACCEPTED:
        raise InputProblem(f"unsupported file type '{suffix or path.name}'; accepted: {', '.join(ACCEPTED)}")
    if suffix in MULTI_ARTICLE:
        data = read_limited(path, max_bytes * CORPUS_FACTOR)
        for item in TEXT_LOADERS[suffix](decode_text(data), target):
            yield _within_limit(item, max_bytes)
        return
    data = read_limited(path, max_bytes)
    if suffix in FEED_EXTENSIONS:
        yield from load_feed(data, target)
    elif suffix in HTML_EXTENSIONS:
        yield from load_html_file(data, target)
    else:
        yield from TEXT_LOADERS[suffix](decode_text(data), target)


def _within_limit(item: Article | ItemFailure, max_bytes: int) -> Article | ItemFailure:
    """One article of a corpus file is held to the per-article limit, like a single-article file."""
    if isinstance(item, Article):
        size = len(item.body.encode("utf-8"))
        if size > max_bytes:
            return ItemFailure(item.origin, f"the article is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB "
                                            "limit; raise max_file_mb (NEWSDESK_MAX_FILE_MB) or split it")
    return item


def read_limited(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputProblem(
            f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit; "
            "raise max_file_mb (NEWSDESK_MAX_FILE_MB) or split the file"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputProblem(f"cannot read the file ({exc.strerror}); check its permissions") from None


def fetch_url(url: str, max_bytes: int, timeout_s: float) -> bytes:
    """Download a feed, refusing more than `max_bytes` (index.fetch.Fetcher with default settings otherwise)."""
    from index.fetch import Fetcher
    from index.settings import IndexSettings

    settings = IndexSettings.model_construct(max_file_mb=max_bytes / 1_000_000, fetch_timeout_s=timeout_s)
    with Fetcher(settings) as fetcher:
        return fetcher.fetch(url, what="feed").data
