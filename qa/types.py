"""The typed answer that the Python API, the CLI, the UI and eval all share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


NO_RELEVANT_PASSAGE = "no relevant passage"  # retrieval/sentence gate: nothing close to the question
ASKED_DETAIL_MISSING = "asked detail not found"  # the thing asked for (e.g. "salary") is in no retrieved article
MODEL_DECLINED = "model declined"  # the LLM said the sources do not contain the answer
NO_SUPPORTED_SENTENCE = "no supported sentence"  # the LLM answered, but no sentence is supported by a source
REFUSAL_REASONS = (NO_RELEVANT_PASSAGE, ASKED_DETAIL_MISSING, MODEL_DECLINED, NO_SUPPORTED_SENTENCE)
# How `Answer.draft` records what came after the first draft: the retry's draft, then the answer decided by a
# yes/no question's sides (eval.replay and eval.support_check split drafts on these)
RETRY_MARK = "\n[retry] "
SIDES_MARK = "\n[sides] "


@dataclass
class Passage:
    """A retrieved chunk of an article, with its retrieval scores."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str
    published_at: str
    text: str
    start_char: int
    end_char: int
    score: float = 0.0  # fused score
    dense: float | None = None  # cosine similarity with the question
    bm25_rank: int | None = None


@dataclass
class StoryCopy:
    """Another article of a cited article's story: a syndicated copy folded into it at ingest."""

    source: str
    title: str
    published_at: str
    url: str
    article_id: str


@dataclass
class Citation:
    """A checked citation: marker `[n]` in the answer text points here."""

    n: int
    article_id: str
    title: str
    source: str
    url: str
    published_at: str
    quote: str  # verbatim supporting sentence(s) from the article
    start_char: int  # offsets of `quote` in the article body
    end_char: int
    support: float = 0.0  # 0..1 how well the cited passage supports the sentence(s)
    superseded_by: int = 0  # n of the citation of a newer report that changed what this one said; 0: none
    also_reported_by: list[StoryCopy] = field(default_factory=list)  # the other copies of the cited story
    dates: list[str] = field(default_factory=list)  # relative dates in the quote: "yesterday = January 14, 2019"

    def reference(self) -> str:
        """'[2] Title (Source, 2024-03-14) URL (superseded by [1])': one line of a source list."""
        meta = ", ".join(x for x in (self.source, (self.published_at or "")[:10]) if x)
        return (f"[{self.n}] {self.title}" + (f" ({meta})" if meta else "") + (f" {self.url}" if self.url else "")
                + (f" (superseded by [{self.superseded_by}])" if self.superseded_by else ""))


@dataclass
class Progress:
    """What the answer path is doing before the first word: streamed by `Newsdesk.stream(..., progress=True)`.

    stage "preparing": the backend is being built (`message` says what, e.g. joining the model on first use);
    stage "retrieved": retrieval is done and `passages` are the sources the answer will draw on.
    """

    stage: str
    message: str = ""
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Timings:
    retrieval_s: float = 0.0
    first_token_s: float = 0.0
    total_s: float = 0.0


@dataclass
class Answer:
    """A cited answer, or a refusal."""

    question: str
    text: str  # with inline markers [1], [2] matching `citations`
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    refusal_reason: str = ""  # why it refused: one of REFUSAL_REASONS, "" when answered
    unsupported: list[str] = field(default_factory=list)  # answer sentences no passage supports
    contexts: list[Passage] = field(default_factory=list)
    standalone_question: str = ""  # after follow-up rewriting
    timings: Timings = field(default_factory=Timings)
    llm: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    context: str = ""  # the source text the answerer was given (numbered sources; "" when refused before it)
    draft: str = ""  # the answerer's raw output, before citations were checked (kept for diagnosis and eval)

    def to_json(self) -> dict[str, Any]:
        """JSON form used by `newsdesk ask --json`, the HTTP API and eval results."""
        data = asdict(self)
        data["answer"] = data.pop("text")
        data["citations"] = [
            {k: v for k, v in c.items()} for c in data["citations"]
        ]
        return data
