"""Syndicated copies folded into stories (index/stories.py, ledger schema 4): grouping, representative, removal,
re-ingest, fold_copies, the schema-3 upgrade, a crash between writes, and the synthetic-copies corpus."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsdesk_testkit import WIKINEWS, require
from index import Catalog, ingest, remove
from index import stories
from index.ledger import SCHEMA_VERSION, Ledger

ORIGINAL = """The port city of Saltmere opened a floating desalination plant on Monday, the first of its kind on the Ember coast. The plant, moored two kilometres offshore, turns 40,000 cubic metres of seawater into drinking water every day, enough for a third of the city's homes.

Harbour engineer Linnea Vosk said the barge draws its power from a ring of wave buoys anchored around it. "We no longer have to choose between the reservoirs and the fishing season," she told reporters at the quay.

The city council voted last year to spend 120 million crowns on the project after two summers of rationing. Councillor Aurel Madsen said a second barge could follow in 2026 if the first one meets its targets through the winter storms.

Environmental groups have asked the council to publish monthly figures on the brine the plant returns to the sea."""

# Another outlet's copy: a dateline, an added first sentence, a word changed, the last two paragraphs cut.
COPY_TRIMMED = """SALTMERE (Coastal Wire) — Saltmere has a new source of drinking water. The port city of Saltmere opened a floating desalination plant on Monday, the first of its kind on the Ember coast. The plant, moored two kilometres offshore, turns 40,000 cubic metres of seawater into drinking water every day, enough for a third of the city's homes.

Harbour engineer Linnea Vosk stated the barge draws its power from a ring of wave buoys anchored around it. "We no longer have to choose between the reservoirs and the fishing season," she told reporters at the quay."""

# A fuller copy published the same day as COPY_TRIMMED: the whole text with a rewritten lede.
COPY_FULL = ORIGINAL.replace("The port city of Saltmere opened a floating desalination plant on Monday",
                             "A floating desalination plant went into service in Saltmere on Monday")

# A real follow-up on the same story: same place and people, new facts, a background sentence reused.
FOLLOW_UP = """Saltmere's floating desalination plant shut down for three days this week after a winter storm tore two wave buoys from their moorings, the city's water office said on Thursday.

The plant, moored two kilometres offshore, had been running for six weeks. Harbour engineer Linnea Vosk said divers reattached the buoys on Wednesday and that no brine had leaked. The reservoirs covered the gap, and no household lost its supply.

Councillor Aurel Madsen said the outage would not change the council's plans, but asked the contractor to add a backup cable to the shore before the spring tides."""


def record(key: str, title: str, body: str, source: str, date: str) -> dict:
    return {"title": title, "body": body, "source": source, "url": f"https://example.test/{key}", "date": date}


ARTICLES = {
    "original": record("original", "Saltmere opens a floating desalination plant", ORIGINAL, "Saltmere Gazette",
                       "2024-01-08"),
    "trimmed": record("trimmed", "Floating plant brings water to Saltmere", COPY_TRIMMED, "Coastal Wire",
                      "2024-01-09"),
    "full": record("full", "UPDATE: Saltmere opens a desalination barge", COPY_FULL, "Ember Daily", "2024-01-09"),
    "follow-up": record("follow-up", "Storm halts Saltmere's desalination barge", FOLLOW_UP, "Saltmere Gazette",
                        "2024-02-22"),
}


def write_jsonl(docs, name: str, keys: list[str]) -> object:
    return docs.write(name, "\n".join(json.dumps(ARTICLES[k]) for k in keys) + "\n")


def ids_by_key(report) -> dict[str, str]:
    """ARTICLES key → article id, from an ingest report's results."""
    keys = {value["title"]: key for key, value in ARTICLES.items()}
    return {keys[r.title]: r.article_id for r in report.results if r.title in keys}


def open_catalog(settings) -> Catalog:
    return Catalog(settings)


# the grouping itself (no index) ------------------------------------------------------------------------
def test_copies_join_and_a_follow_up_on_the_same_story_does_not():
    labels = stories.group([(k, ARTICLES[k]["body"]) for k in ("follow-up", "trimmed", "original", "full")])
    assert labels["original"] == labels["trimmed"] == labels["full"]
    assert labels["follow-up"] != labels["original"]


def test_a_trimmed_copy_is_a_subset_caught_by_containment_not_jaccard():
    mine, theirs = stories.shingle_hashes(ORIGINAL), stories.shingle_hashes(COPY_TRIMMED)
    shared = len(set(mine.tolist()) & set(theirs.tolist()))
    jaccard = shared / len(set(mine.tolist()) | set(theirs.tolist()))  # half the text is gone
    assert jaccard < stories.MIN_CONTAINMENT <= stories.containment(mine, theirs) == shared / len(theirs)
    assert stories.containment(stories.shingle_hashes(FOLLOW_UP), mine) < 0.3


def test_words_are_normalised_before_shingling():
    assert stories.words("Café “Déjà-vu” — SAID, said!") == ["cafe", "deja", "vu", "said", "said"]
    assert (stories.shingle_hashes("The Mayor said: “yes”.") == stories.shingle_hashes("the mayor SAID yes")).all()


def test_short_articles_are_never_folded():
    brief = "Saltmere opened a floating desalination plant on Monday."
    labels = stories.group([("a", brief), ("b", brief)])
    assert stories.sketch(brief).size < stories.MIN_SHINGLES and labels["a"] != labels["b"]


def test_an_article_copying_two_stories_merges_them():
    first_half, second_half = ORIGINAL[: len(ORIGINAL) // 2], ORIGINAL[len(ORIGINAL) // 2 :]
    index = stories.StoryIndex({"a": first_half, "b": second_half}.get)
    index.place([("a", "h", first_half), ("b", "h", second_half)])
    assert index.story_of["a"] != index.story_of["b"]  # two halves share nothing
    plan = index.place([("whole", "h", ORIGINAL)])
    assert index.story_of["a"] == index.story_of["b"] == index.story_of["whole"]
    assert len(plan.relabel) == 1 and plan.placements["whole"].copy_of in ("a", "b")


def test_a_sketch_survives_storage():
    made = stories.sketch(ORIGINAL)
    again = stories.Sketch.from_bytes(made.to_bytes(), made.size)
    assert (again.values == made.values).all() and again.size == made.size and len(made.to_bytes()) == 4 * stories.NUM_PERM


# through ingest and the ledger -----------------------------------------------------------------------
def test_ingest_groups_copies_and_derives_the_representative(settings, docs):
    report = ingest(write_jsonl(docs, "wire.jsonl", ["follow-up", "trimmed", "full", "original"]), settings)
    assert report.ok and report.count("added") == 4
    ids = ids_by_key(report)
    notes = {r.article_id: r.note for r in report.results}
    assert notes[ids["original"]].startswith("copy of '") and notes[ids["follow-up"]] == ""
    catalog = open_catalog(settings)
    try:
        story = catalog.story_of(ids["original"])
        assert story == catalog.story_of(ids["trimmed"]) == catalog.story_of(ids["full"]) != ""
        assert catalog.story_of(ids["follow-up"]) not in ("", story)
        # earliest published first; the two copies of 9 January: the longer body first
        assert [r.id for r in catalog.story_members(story)] == [ids["original"], ids["full"], ids["trimmed"]]
        assert catalog.representative(ids["trimmed"]) == ids["original"]
        assert [r.id for r in catalog.story_members(catalog.story_of(ids["follow-up"]))] == [ids["follow-up"]]
        assert catalog.story_of("no-such-article") == "" and catalog.story_members("s-nothing") == []
    finally:
        catalog.close()


def test_removing_the_representative_promotes_the_next_copy(settings, docs):
    ids = ids_by_key(ingest(write_jsonl(docs, "wire.jsonl", ["original", "trimmed", "full"]), settings))
    catalog = open_catalog(settings)
    try:
        story = catalog.story_of(ids["trimmed"])
        assert remove([ids["original"]], settings).count("removed") == 1
        assert [r.id for r in catalog.story_members(story)] == [ids["full"], ids["trimmed"]]
        assert catalog.story_of(ids["original"]) == ""
        assert remove([ids["full"]], settings).ok
        assert [r.id for r in catalog.story_members(story)] == [ids["trimmed"]]
    finally:
        catalog.close()


def test_a_new_copy_joins_the_stored_story_and_reingest_changes_nothing(settings, docs):
    first = ingest(write_jsonl(docs, "a.jsonl", ["original", "follow-up"]), settings)
    ids = ids_by_key(first)
    second = ingest(write_jsonl(docs, "b.jsonl", ["trimmed"]), settings)  # a later run: the index is rebuilt
    ids.update(ids_by_key(second))
    assert second.results[0].note == "copy of 'Saltmere opens a floating desalination plant' (Saltmere Gazette)"
    catalog = open_catalog(settings)
    try:
        story, generation = catalog.story_of(ids["original"]), catalog.generation
        assert catalog.story_of(ids["trimmed"]) == story
        again = ingest(docs.path, settings)
        assert again.count("unchanged") == 3 and again.chunks_embedded == 0 and again.ok
        assert catalog.generation == generation and catalog.story_of(ids["trimmed"]) == story
        assert all(r.note == "" for r in again.results)
    finally:
        catalog.close()


def test_fold_copies_off_keeps_copies_apart_until_it_is_on_again(settings, docs):
    off = settings.model_copy(update={"fold_copies": False})
    ids = ids_by_key(ingest(write_jsonl(docs, "wire.jsonl", ["original", "trimmed"]), off))
    catalog = open_catalog(off)
    try:
        assert catalog.story_of(ids["original"]) == ids["original"] != catalog.story_of(ids["trimmed"])
    finally:
        catalog.close()
    report = ingest(docs.path, settings)  # nothing changed: the ungrouped articles are grouped now
    assert report.count("unchanged") == 2 and report.chunks_embedded == 0
    catalog, off_catalog = open_catalog(settings), open_catalog(off)
    try:
        assert catalog.story_of(ids["original"]) == catalog.story_of(ids["trimmed"]) != ids["original"]
        assert off_catalog.story_of(ids["trimmed"]) == ids["trimmed"]  # folding off: every article alone
    finally:
        catalog.close()
        off_catalog.close()


def make_schema_3(settings) -> None:
    """What a ledger written before schema 4 looks like: no `stories` table, schema 3."""
    db = sqlite3.connect(settings.ledger_path)
    db.executescript("DROP TABLE stories; DELETE FROM meta WHERE key = 'story_sketch'; "
                     "UPDATE meta SET value = 3 WHERE key = 'schema';")
    db.commit()
    db.close()


def test_a_schema_3_ledger_opens_and_is_grouped_at_the_next_ingest(settings, docs):
    ids = ids_by_key(ingest(write_jsonl(docs, "wire.jsonl", ["original", "trimmed", "follow-up"]), settings))
    make_schema_3(settings)
    catalog = open_catalog(settings)  # opening adds the empty table; every article is its own story
    try:
        db = sqlite3.connect(settings.ledger_path)
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == SCHEMA_VERSION == 4
        assert db.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 0
        db.close()
        assert len(catalog) == 3 and {catalog.story_of(i) for i in ids.values()} == set(ids.values())
        report = ingest(docs.path, settings)
        assert report.count("unchanged") == 3 and report.chunks_embedded == 0
        assert catalog.story_of(ids["original"]) == catalog.story_of(ids["trimmed"])
        assert catalog.story_of(ids["follow-up"]) != catalog.story_of(ids["original"])
        assert len(catalog) == 3 and catalog.chunk_count() > 0
    finally:
        catalog.close()


def test_sketches_of_other_constants_are_made_again(settings, docs, monkeypatch):
    ids = ids_by_key(ingest(write_jsonl(docs, "wire.jsonl", ["original", "trimmed"]), settings))
    monkeypatch.setattr(stories, "SKETCH_VERSION", "w9-other")
    ledger = Ledger(settings.ledger_path)
    rows = list(ledger.story_rows(stories.SKETCH_VERSION))  # the old rows are dropped ...
    ledger.close()
    assert rows == []
    assert ingest(docs.path, settings).chunks_embedded == 0  # ... and made again at the next ingest
    catalog = open_catalog(settings)
    try:
        assert catalog.story_of(ids["original"]) == catalog.story_of(ids["trimmed"]) != ids["original"]
    finally:
        catalog.close()


def test_a_crash_between_writes_leaves_no_story_pointing_at_nothing(settings, docs, monkeypatch):
    ids = ids_by_key(ingest(write_jsonl(docs, "a.jsonl", ["original"]), settings))

    def killed(self, article_ids):
        raise KeyboardInterrupt("killed after the pending write")  # the copy is pending, with its story row

    monkeypatch.setattr(Ledger, "mark_done", killed)
    path = write_jsonl(docs, "b.jsonl", ["trimmed"])
    with pytest.raises(KeyboardInterrupt):
        ingest(path, settings)
    monkeypatch.undo()
    catalog = open_catalog(settings)
    try:
        story = catalog.story_of(ids["original"])
        assert [r.id for r in catalog.story_members(story)] == [ids["original"]]  # the pending copy is not shown
        report = ingest(path, settings)  # recovery redoes the pending copy; it joins the story
        copy_id = next(r.article_id for r in report.results)
        assert [r.id for r in catalog.story_members(story)] == [ids["original"], copy_id]
    finally:
        catalog.close()


# the synthetic-copies corpus (eval/stories.py) -----------------------------------------------------------
@pytest.mark.shared
def test_synthetic_copies_corpus_meets_precision_and_recall():
    from eval.stories import measure

    result = measure(seed=2, path=require(WIKINEWS))
    assert result["copies"] > 200 and result["true_pairs"] > 300
    assert result["precision"] >= 0.98 and result["recall"] >= 0.90, {k: result[k] for k in ("precision", "recall")}
    assert result["false_merges_among_originals"] <= 2
