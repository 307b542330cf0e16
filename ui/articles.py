"""The Articles tab: add uploads or a feed to the index, browse and search what is indexed, remove one."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ui.render import safe_url
from ui.uploads import UploadError, save_upload

RESULT_HEADERS = ["file", "status", "title", "chunks", "reason"]
ARTICLE_HEADERS = ["id", "title", "source", "published", "chunks"]


def _shown_input(value: str, uploads_dir: Path) -> str:
    """An ingest input as the user knows it: an upload's file name (plus `#n` item), else as given."""
    try:
        return str(Path(value).relative_to(uploads_dir))
    except ValueError:
        return value


def add_to_index(desk: Any, files: list[str] | None, feed_url: str | None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[str, list[list[Any]]]:
    """Copy uploads into the uploads folder, ingest them and the feed; returns (summary, result rows)."""
    settings = desk.settings
    uploads_dir = Path(settings.uploads_dir)
    rows: list[list[Any]] = []
    targets: list[str] = []
    for temp_path in files or []:
        name = Path(temp_path).name
        try:
            targets.append(str(save_upload(temp_path, name, uploads_dir, settings.max_file_mb)))
        except (UploadError, OSError) as exc:
            rows.append([name, "failed", "", 0, str(exc)])
    feed_url = (feed_url or "").strip()
    if feed_url:
        if safe_url(feed_url):
            targets.append(feed_url)
        else:
            rows.append([feed_url, "failed", "", 0, "feed URL must start with http:// or https://"])
    if not targets:
        note = "Choose files to upload or paste a feed URL, then press **Add to index**."
        return (note if not rows else "Nothing was added."), rows
    on_progress = None
    if progress is not None:
        def on_progress(done: int, total: int, chunks: int = 0) -> None:
            progress(done, total)
    report = desk.ingest(targets, on_progress=on_progress)
    for result in report.results:
        rows.append([_shown_input(result.input, uploads_dir), result.status, result.title, result.chunks,
                     result.error])
    failed = sum(1 for r in rows if r[1] == "failed")
    summary = report.summary() if failed == report.count("failed") else f"{report.summary()}; {failed} refused"
    return summary[0].upper() + summary[1:], rows


def article_rows(desk: Any, query: str | None = None) -> list[list[Any]]:
    """Indexed articles as table rows, filtered by a case-insensitive search over id, title and source."""
    needle = (query or "").strip().lower()
    rows = []
    for record in desk.articles():
        if needle and needle not in f"{record.id} {record.title} {record.source}".lower():
            continue
        rows.append([record.id, record.title, record.source, (record.published_at or "")[:10], record.chunks])
    return rows


def removal_choices(desk: Any) -> list[tuple[str, str]]:
    """(label, article id) pairs for the remove dropdown."""
    return [(f"{record.title or 'Untitled'} · {record.id}", record.id) for record in desk.articles()]


def remove_article(desk: Any, article_id: str | None) -> str:
    """Remove one article by id; returns a one-line result."""
    if not article_id:
        return "Pick an article to remove first."
    report = desk.remove([article_id])
    for result in report.results:
        if result.status == "failed":
            return f"Could not remove {article_id}: {result.error}"
    title = report.results[0].title if report.results else ""
    return f"Removed {title or article_id}."
