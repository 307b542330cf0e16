"""One article per story in the ranked hits: syndicated copies (grouped at ingest, `index.Catalog.story_of`)
collapse so that only one copy contributes passages, and the others are kept as `StoryCopy` records for the
citation ("also reported by")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qa.retrieval.hits import Hit
from qa.types import StoryCopy


def fold_copies(hits: list[Hit], catalog: Any, newest: bool = False) -> list[Hit]:
    """Hits with every story reduced to one contributing article: its representative (the earliest
    published copy) when that has a hit, else the best-ranked copy. With `newest` (the question asks for the
    latest state) the most recently published retrieved copy contributes instead: a wire story updated later
    ("rises to 20 dead") must not be hidden behind its first version. The story keeps the rank of its best hit:
    the contributor's first hit takes that place (with that score), its other hits keep theirs, and the other
    copies' hits go. A catalog without stories (or with `fold_copies` off) leaves the hits as they are."""
    story_of = getattr(catalog, "story_of", None)
    if story_of is None or not hits:
        return hits
    stories = {h.article_id: story_of(h.article_id) or h.article_id for h in hits}
    by_story: dict[str, list[str]] = {}
    for hit in hits:
        by_story.setdefault(stories[hit.article_id], [])
        if hit.article_id not in by_story[stories[hit.article_id]]:
            by_story[stories[hit.article_id]].append(hit.article_id)
    if all(len(found) == 1 for found in by_story.values()):
        return hits
    contributor = {story: _contributor(story, found, catalog, newest) for story, found in by_story.items()}
    first_hit: dict[str, Hit] = {}
    for hit in hits:
        first_hit.setdefault(hit.article_id, hit)
    out: list[Hit] = []
    placed: set[str] = set()  # stories whose best place is taken
    for hit in hits:
        story = stories[hit.article_id]
        chosen = contributor[story]
        if story not in placed:
            placed.add(story)
            lead = first_hit[chosen]
            out.append(lead if lead is hit else replace(lead, score=max(lead.score, hit.score)))
        elif hit.article_id == chosen and hit is not first_hit[chosen]:
            out.append(hit)
    return out


def _contributor(story: str, found: list[str], catalog: Any, newest: bool) -> str:
    """The story's representative if it was retrieved, else the best-ranked copy (`found` is in rank order);
    with `newest`, the retrieved copy published last (ties: the better ranked)."""
    if len(found) == 1:
        return found[0]
    members = catalog.story_members(story)
    if newest:
        published = {m.id: m.published_ts for m in members}
        return max(found, key=lambda a: (published.get(a, -1), -found.index(a)))
    return members[0].id if members and members[0].id in found else found[0]


def copies_of(article_ids: list[str], catalog: Any) -> dict[str, list[StoryCopy]]:
    """For each article, the other articles of its story (representative order), as citation records."""
    story_of = getattr(catalog, "story_of", None)
    if story_of is None:
        return {}
    found: dict[str, list[StoryCopy]] = {}
    for article_id in dict.fromkeys(article_ids):
        others = [m for m in catalog.story_members(story_of(article_id)) if m.id != article_id]
        if others:
            found[article_id] = [StoryCopy(source=m.source, title=m.title, published_at=m.published_at, url=m.url,
                                           article_id=m.id) for m in others]
    return found
