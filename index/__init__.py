"""Ingestion: files and feeds → articles → chunks → embeddings in Chroma, tracked in a SQLite ledger.

Public API (docs/ARCHITECTURE.md); `qa` imports only these names.
"""

from index.embedding import Embedder, get_embedder, register_backend
from index.errors import IngestError, SettingError, StorageFailure, storage_guard
from index.feeds import FeedChange, FeedList, FeedState
from index.ledger import ArticleRecord, Catalog
from index.loaders import ACCEPTED
from index.models import Article, Chunk, FileResult, IngestReport
from index.pipeline import ingest, remove
from index.relative_dates import RelativeDate, annotate_relative_dates, parse_published, resolve_relative_dates
from index.settings import IndexSettings
from index.store import ChunkStore, open_store
from index.watch import PollOutcome, Watcher, WatcherRunning

__all__ = [
    "ACCEPTED",
    "Article",
    "ArticleRecord",
    "Catalog",
    "Chunk",
    "ChunkStore",
    "Embedder",
    "FeedChange",
    "FeedList",
    "FeedState",
    "FileResult",
    "IndexSettings",
    "IngestError",
    "IngestReport",
    "PollOutcome",
    "RelativeDate",
    "SettingError",
    "StorageFailure",
    "Watcher",
    "WatcherRunning",
    "annotate_relative_dates",
    "parse_published",
    "resolve_relative_dates",
    "get_embedder",
    "ingest",
    "open_store",
    "register_backend",
    "remove",
    "storage_guard",
]
