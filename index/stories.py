"""Syndicated copies folded into stories: MinHash sketches of word shingles, candidates, a containment check.

A wire story republished by several outlets (another lede, a dateline, the last paragraphs cut, a few words
changed) is one *story* of several articles. Each article body gets a `Sketch`: the datasketch MinHash of its
distinct `SHINGLE_WORDS`-word shingles (hashed with numpy, permuted in one `update_batch`) and their count.
A `StoryIndex` holds the stored sketches as one numpy matrix; a new article's candidates are the rows whose
*estimated containment* (from the MinHash Jaccard estimate and the two sizes) passes `PREFILTER_CONTAINMENT`,
and a candidate is a copy when the *exact containment* of the smaller shingle set in the larger one (both
recomputed from the bodies) reaches `MIN_CONTAINMENT`. Containment, not Jaccard: a copy with a trimmed end is
a subset of the original, so its Jaccard similarity drops with every cut paragraph while containment does not.

Why a matrix scan and not datasketch's `MinHashLSH`: catching copies cut to half needs candidates down to
Jaccard ≈ 0.2, i.e. 64 bands of 2 rows; rebuilding that LSH from the stored sketches costs 0.33 ms per indexed
article on every ingest that writes (3.3 s at 10k articles), while scanning the matrix costs about 1.7 ms per
new article at 10k (and loading it 4 ms). `python -m eval.stories --scale 10000` measures both; past ~100k
articles a persisted band index would pay off (issue 14).

Constants were chosen on the synthetic-copies corpus of `eval/stories.py` (seed 1) and checked on another seed;
see that module's docstring for the command and the numbers.

The ledger stores each article's sketch and story label (`index.ledger`, schema 4); `StoryFolder` is the
pipeline's side: it assigns labels to a batch before it is written, in the same transaction as the articles.
Stories are never stored as such: a story is the set of `done` articles sharing a label, and its
representative (earliest published, ties → longest body) is derived when read, so removing it promotes the
next copy and a crash cannot leave a story pointing at nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SHINGLE_WORDS = 3  # words per shingle: widest error-free threshold window on seed 1 (3: .58-.72, 4: .56-.68, 5: .54-.62)
NUM_PERM = 128  # permutations: enough for a pre-filter (true copies estimate ≥ 0.61, the filter is 0.4); 512 B each
SKETCH_SEED = 1  # fixes the permutations: stored sketches are only comparable with the same seed
SCHEME = "affine32"  # datasketch 2.x scheme, named explicitly: stored uint32 values must keep meaning the same
MIN_EQUAL_VALUES = 4  # candidates share ≥ 4 of the 128 values (J ≳ 0.03, a copy ≥ 1/20 the size): fewer is chance
PREFILTER_CONTAINMENT = 0.4  # estimate below which a candidate's body is not read: no true pair lost on seeds 1-2
MIN_CONTAINMENT = 0.65  # exact share of the smaller's shingles in the larger: centre of seed 1's error-free 0.58-0.72
# (the closest different articles, interviews sharing a templated intro, reach 0.58; the weakest copies link
# through the others of their story)
UNGROUPED_BATCH = 500  # articles grouped per transaction after the fact (bounded memory: their bodies are read)
RECENT_SHINGLES = 1024  # exact shingles kept for the latest placed articles (a batch's copies find each other)
MIN_SHINGLES = 25  # articles with fewer distinct shingles (about 30 words) are too short to tell a copy from a brief
# Stored with the ledger: sketches made with other constants are recomputed (never compared with these).
SKETCH_VERSION = f"w{SHINGLE_WORDS}-p{NUM_PERM}-s{SKETCH_SEED}-{SCHEME}-crc32"  # bump the tail when hashing changes

_WORD = re.compile(r"\w+")
_ACCENT = re.compile(r"[\u0300-\u036f]")  # combining diacritical marks, left by NFKD: "é" → "e"
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio) chaining word hashes into a shingle hash


def words(text: str) -> list[str]:
    """Normalised words: NFKC, case-folded, accents dropped, punctuation and dashes ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = _ACCENT.sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded)


def shingles(text: str) -> set[bytes]:
    """The distinct `SHINGLE_WORDS`-word shingles of a text (one shingle of all words when it is shorter)."""
    found = words(text)
    if len(found) <= SHINGLE_WORDS:
        return {" ".join(found).encode()} if found else set()
    return {" ".join(found[i : i + SHINGLE_WORDS]).encode() for i in range(len(found) - SHINGLE_WORDS + 1)}


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct shingles of `shingles(text)` as stable 32-bit hashes, computed with numpy: each word is
    hashed once (CRC-32), and each run of `SHINGLE_WORDS` word hashes is chained into one value."""
    found = words(text)
    if not found:
        return np.zeros(0, dtype=np.uint32)
    ids = np.array([zlib.crc32(w.encode()) for w in found], dtype=np.uint64)
    width = min(SHINGLE_WORDS, len(ids))
    runs = np.lib.stride_tricks.sliding_window_view(ids, width)
    chained = np.zeros(len(runs), dtype=np.uint64)
    for j in range(width):
        chained = chained * _MIX + runs[:, j] + np.uint64(1)  # wraps modulo 2^64, order-sensitive
    return np.unique((chained ^ (chained >> np.uint64(32))).astype(np.uint32))


@dataclass
class Sketch:
    """What the ledger stores to find an article's copies: its MinHash values and its distinct shingle count."""

    values: np.ndarray  # uint32[NUM_PERM]
    size: int  # distinct shingles

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, size: int) -> Sketch:
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint32), int(size))

    @property
    def foldable(self) -> bool:
        return self.size >= MIN_SHINGLES


@functools.cache
def _base_minhash() -> Any:
    """The empty MinHash whose permutations every sketch copies; shingles arrive already hashed (`hashfunc=int`).
    datasketch is imported here, not at module load: it pulls in scipy (about 1 s); `import index` stays quick."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SKETCH_SEED, scheme=SCHEME, hashfunc=int)


def sketch_of_shingles(found: np.ndarray) -> Sketch:
    """The sketch of one body's `shingle_hashes`: all shingles × all permutations in one numpy operation."""
    minhash = _base_minhash().copy()
    minhash.update_batch(found.tolist())
    return Sketch(minhash.hashvalues.astype(np.uint32), len(found))


def sketch(text: str) -> Sketch:
    """The sketch of one article body."""
    return sketch_of_shingles(shingle_hashes(text))


def sketches(texts: Iterable[str]) -> list[Sketch]:
    return [sketch(t) for t in texts]


def estimated_containment(equal: np.ndarray, size: int, sizes: np.ndarray) -> np.ndarray:
    """Estimated share of the smaller shingle set found in the larger one, from the number of equal MinHash
    values (J ≈ equal / NUM_PERM) and the sizes: |A∩B| = J·(|A|+|B|)/(1+J). Coarse when the sizes differ much
    (J moves in steps of 1/NUM_PERM): only a pre-filter."""
    j = equal / NUM_PERM
    return j * (sizes + size) / (1.0 + j) / np.maximum(np.minimum(sizes, size), 1)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Exact share of the smaller set of shingle hashes found in the larger one."""
    smaller = min(len(a), len(b))
    return np.intersect1d(a, b, assume_unique=True).size / smaller if smaller else 0.0


def new_story_id(article_id: str, content_hash: str) -> str:
    """A fresh story label, unique to this version of its first article (a changed article never reuses it)."""
    return "s-" + hashlib.sha256(f"{article_id}\n{content_hash}".encode()).hexdigest()[:16]


@dataclass
class Placement:
    """Where one article goes: its story label, and the article it was found to copy ("" when none)."""

    article_id: str
    story_id: str
    sketch: Sketch
    body_chars: int
    copy_of: str = ""  # the best-matching article already in the story
    similarity: float = 0.0  # exact containment with `copy_of`


@dataclass
class Plan:
    """Story labels for a batch of articles, and the stories merged into others by it (old → new label)."""

    placements: dict[str, Placement] = field(default_factory=dict)
    relabel: dict[str, str] = field(default_factory=dict)


BodyOf = Callable[[str], "str | None"]  # an indexed article's body by id (None: gone)


class StoryIndex:
    """Sketches and story labels of indexed articles (in memory); the foldable sketches as one matrix.

    `body_of` gives the body of an already indexed article: candidates that pass the estimate are confirmed
    on their exact shingles, recomputed from it (a few per placed article).
    """

    def __init__(self, body_of: BodyOf | None = None) -> None:
        self.body_of = body_of or (lambda article_id: None)
        self.story_of: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self._ids: list[str] = []  # matrix row → article id
        self._row: dict[str, int] = {}
        self._values = np.zeros((0, NUM_PERM), dtype=np.uint32)  # rows beyond len(_ids) are spare capacity
        self._sizes = np.zeros(0, dtype=np.int64)
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # exact shingles of the latest placed

    def __len__(self) -> int:
        return len(self.story_of)

    def add(self, article_id: str, sketch_: Sketch, story_id: str) -> None:
        """Index a stored sketch (rebuilding the index from the ledger), or a just placed article."""
        self.remove(article_id)
        self.story_of[article_id] = story_id
        self.members.setdefault(story_id, set()).add(article_id)
        if sketch_.foldable:
            n = len(self._ids)
            if n == len(self._values):
                grown = max(64, 2 * n)
                self._values = np.resize(self._values, (grown, NUM_PERM))
                self._sizes = np.resize(self._sizes, grown)
            self._values[n], self._sizes[n] = sketch_.values, sketch_.size
            self._ids.append(article_id)
            self._row[article_id] = n

    def remove(self, article_id: str) -> None:
        self._recent.pop(article_id, None)
        story = self.story_of.pop(article_id, None)
        if story is None:
            return
        self.members[story].discard(article_id)
        if not self.members[story]:
            del self.members[story]
        row = self._row.pop(article_id, None)
        if row is not None:  # the last row moves into the gap
            last = len(self._ids) - 1
            moved = self._ids.pop()
            if row != last:
                self._ids[row] = moved
                self._row[moved] = row
                self._values[row], self._sizes[row] = self._values[last], self._sizes[last]

    def candidates(self, sketch_: Sketch) -> list[str]:
        """Indexed articles whose estimated containment with this sketch passes the pre-filter."""
        n = len(self._ids)
        if not n or not sketch_.foldable:
            return []
        equal = np.count_nonzero(self._values[:n] == sketch_.values, axis=1)
        estimate = estimated_containment(equal, sketch_.size, self._sizes[:n])
        rows = np.flatnonzero((equal >= MIN_EQUAL_VALUES) & (estimate >= PREFILTER_CONTAINMENT))
        return [self._ids[r] for r in rows]

    def copies(self, article_id: str, found: np.ndarray, sketch_: Sketch) -> list[tuple[float, str]]:
        """Indexed articles this one copies (or that copy it), best first: (exact containment, id)."""
        matches = []
        for other in self.candidates(sketch_):
            theirs = self._shingles(other) if other != article_id else None
            if theirs is not None:
                score = containment(found, theirs)
                if score >= MIN_CONTAINMENT:
                    matches.append((score, other))
        return sorted(matches, key=lambda x: (-x[0], x[1]))

    def _shingles(self, article_id: str) -> np.ndarray | None:
        found = self._recent.get(article_id)
        if found is None:
            body = self.body_of(article_id)
            if body is None:
                return None
            found = shingle_hashes(body)
        return found

    def _remember(self, article_id: str, found: np.ndarray) -> None:
        self._recent[article_id] = found
        if len(self._recent) > RECENT_SHINGLES:
            self._recent.popitem(last=False)

    def place(self, articles: Sequence[tuple[str, str, str]]) -> Plan:
        """Story labels for (article id, content hash, body) items, in order; each item sees those before it.

        An item joins the story of the articles it copies; when it copies articles of several stories, those
        stories merge into the largest (ties → the smallest label). The index is updated as it goes.
        """
        plan = Plan()
        for article_id, content_hash, body in articles:
            self.remove(article_id)  # a changed article is placed afresh
            found = shingle_hashes(body)
            sketch_ = sketch_of_shingles(found)
            matches = self.copies(article_id, found, sketch_)
            stories = list(dict.fromkeys(self.story_of[other] for _, other in matches))
            placement = Placement(article_id, new_story_id(article_id, content_hash), sketch_, len(body))
            if stories:
                placement.story_id = min(stories, key=lambda s: (-len(self.members[s]), s))
                for other_story in stories:
                    if other_story != placement.story_id:
                        self._merge(other_story, placement.story_id, plan)
                placement.similarity, placement.copy_of = matches[0]
            plan.placements[article_id] = placement
            self.add(article_id, sketch_, placement.story_id)
            self._remember(article_id, found)
        return plan

    def _merge(self, old: str, new: str, plan: Plan) -> None:
        for member in self.members.pop(old, set()):
            self.story_of[member] = new
            self.members.setdefault(new, set()).add(member)
            if member in plan.placements:
                plan.placements[member].story_id = new
        for earlier, target in plan.relabel.items():
            if target == old:
                plan.relabel[earlier] = new
        plan.relabel[old] = new


def group(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Story label of each (article id, body), placed in the given order (for measurement and tests)."""
    bodies = dict(items)
    index = StoryIndex(bodies.get)
    index.place([(article_id, "", body) for article_id, body in items])
    return dict(index.story_of)


class StoryFolder:
    """An ingest run's story assignment over the ledger (`index.ledger.Ledger`): the `StoryIndex` of the stored
    sketches is rebuilt on first use, then kept current with what the run writes and removes."""

    def __init__(self, ledger: Any, enabled: bool) -> None:
        self.ledger, self.enabled = ledger, enabled
        self._index: StoryIndex | None = None

    @property
    def index(self) -> StoryIndex:
        """Built from the stored sketches on first use (about 0.5 µs per indexed article, see `eval.stories`)."""
        if self._index is None:
            index = StoryIndex(self.ledger.body)
            for article_id, story_id, stored in self.ledger.story_rows(SKETCH_VERSION):
                index.add(article_id, stored, story_id)
            self._index = index
        return self._index

    def plan(self, articles: Sequence[Any]) -> Plan | None:
        """Placements for articles about to be written (None when folding is off: they stay ungrouped)."""
        if not self.enabled:
            return None
        return self.index.place([(a.id, a.content_hash, a.body) for a in articles])

    def forget(self, article_ids: Iterable[str]) -> None:
        if self._index is not None:
            for article_id in article_ids:
                self._index.remove(article_id)

    def group_ungrouped(self) -> int:
        """Place indexed articles that have no story yet (an older ledger, or ingested with folding off), oldest
        first, `UNGROUPED_BATCH` per transaction. Returns how many were placed; costs one query when none."""
        if not self.enabled:
            return 0
        if self._index is None and self.ledger.get_meta("story_sketch") == SKETCH_VERSION \
                and not self.ledger.ungrouped():
            return 0
        index = self.index  # building it drops rows made with other sketch constants: those count as ungrouped
        waiting = self.ledger.ungrouped()
        for start in range(0, len(waiting), UNGROUPED_BATCH):
            self.ledger.write_stories(index.place(self.ledger.bodies(waiting[start : start + UNGROUPED_BATCH])))
        return len(waiting)

    def notes(self, plan: Plan | None, batch: dict[str, Any]) -> dict[str, str]:
        """"copy of 'Title' (Source)" for each article of the plan placed as a copy of another; `batch` holds
        the articles being written (the copied one may be among them)."""
        found = {}
        for article_id, placement in (plan.placements.items() if plan else ()):
            if placement.copy_of:
                other = batch.get(placement.copy_of)
                described = (other.title, other.source) if other is not None \
                    else self.ledger.title_and_source(placement.copy_of)
                if described:
                    found[article_id] = f"copy of '{described[0]}'" + (f" ({described[1]})" if described[1] else "")
        return found
