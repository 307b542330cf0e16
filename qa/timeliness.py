"""News changes over time: which report an answer should lead with, and how its dates are said.

A question is about one of three times (`time_focus`):
- CURRENT: the state now ("When is the terminal now expected to open?", or no time at all). When the retrieved
  articles disagree on the asked item (the 2024 report says summer 2026, the 2025 one spring 2027), the newest
  report wins: it is source [1], its statement comes first, dated ("As of February 20, 2025, ..."), and the
  earlier statement follows as what an earlier report said; its citation is marked superseded.
- AS_OF: a past time the question frames ("In March 2024, when was it due?"): only reports published by then.
- TIMELINE: "What happened with X?", "How did X develop?": one dated statement per report, oldest first.
- FIRST: the first value of something later revised ("What was the first offer?", "When was it originally due
  to open?"): the oldest report on the story answers, alone.

Everything here works on the numbered sources the answerer is given and on the checked answer; it does not
touch retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from dateutil import parser

import numpy as np

from index import parse_published
from qa.answer_types import DATE, DURATION, MONEY, NUMBER, TIME, item_key, items, new_items, question_names
from qa.context import Source, best_sentences, term_weights
from qa.retrieval.query_analysis import find_dates
from qa.text import split_sentences
from qa.text import fold, tokens
from qa.tuning import EARLIER_RELEVANCE_RATIO, REPORTING_WINDOW_DAYS, UPDATE_RELEVANCE_RATIO
from qa.types import Citation

CURRENT, AS_OF, TIMELINE, FIRST, NONE = "current", "as of", "timeline", "first", "none"

# kinds of item a later report revises (a date slips, a count rises, a budget grows); names are not compared:
# any capitalised word would count as disagreement
REVISABLE = frozenset((DATE, TIME, NUMBER, MONEY, DURATION))

_TIMELINE = re.compile(
    r"\bwhat\s+(?:has\s+)?happened\s+(?:with|to|at|in|over)\b|\bhow\s+(?:did|has|have)\b.{1,80}?\b(?:develop|unfold|"
    r"evolve|progress|change|play\s+out)(?:ed)?\b|\btimeline\b|\bsequence\s+of\s+events\b|\bchronolog", re.I)
# a past time the question is framed in: "In March 2024, ...", "As of June 2025 ...", "Back in 2024 ..."
_AS_OF_FRAME = re.compile(r"^\s*(?:in|as\s+of|by|back\s+in|at\s+the\s+(?:start|end)\s+of)\s+[^,?]{3,40},|"
                          r"\bas\s+of\s+\w|\bat\s+the\s+time\b|\bback\s+in\b", re.I)
# a report mentioning the value it supersedes: "had been due to reopen in October", "was originally planned for"
_FORMER = re.compile(r"\b(?:had\s+been|(?:was|were)\s+(?:originally|initially|first|previously)|originally|initially|"
                     r"previously)\s+(?:due|expected|scheduled|planned|set|meant|supposed|forecast|estimated|"
                     r"budgeted|promised|put)\b", re.I)
_VERDICT = re.compile(r"(Yes|No)[.,:]\s+")  # a yes/no answer's first word, kept ahead of its date
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,40}\s[—–-]{1,2}\s+")  # "PORT CALDER — " opening a report
# the first value of something later revised: "What was the first offer?", "When was it originally due to open?"
_FIRST = re.compile(r"\b(?:first|original|initial|earliest)\s+(?:\w+\s+)?(?:offer|bid|price|budget|estimate|forecast|"
                    r"plan|date|deadline|target|figure|cost|proposal|schedule|timetable|valuation)s?\b|"
                    r"\b(?:first|originally|initially)\s+(?:due|expected|planned|scheduled|announced|offered|proposed|"
                    r"estimated|forecast|budgeted|set)\b", re.I)
_LATER = re.compile(r"\b(?:revised|later|updated|new|newer|second|final|latest|now|current(?:ly)?)\b", re.I)
_NOW = re.compile(r"\b(?:now|latest|currently|current|still|yet|so\s+far|most\s+recent(?:ly)?|at\s+present|"
                  r"these\s+days|nowadays|anymore|any\s+more)\b", re.I)
# sentence openers that are ordinary words, lowercased after "As of <date>, " (names keep their capital)
_LOWER_OPENERS = frozenset("The A An It Its This That These Those There In At On By For From After Since Under He She "
                           "They We His Her Their Some All Most Only About According".split())


@dataclass
class TimeFocus:
    kind: str
    until: date | None = None  # AS_OF: reports published on or before this day
    says_now: bool = False  # CURRENT, and the question says so ("now", "latest", "still"): the answer is dated


@dataclass
class Update:
    """Retrieved reports that disagree on the asked item: `newest` leads, `earlier` were superseded by it."""

    newest: int  # index into sources
    earlier: list[int] = field(default_factory=list)
    sentences: dict[int, int] = field(default_factory=dict)  # source index → its best sentence holding the item
    items: dict[int, frozenset[str]] = field(default_factory=dict)  # source index → the items it states (item_key)


def time_focus(question: str, newest_article: date | None = None) -> TimeFocus:
    """What time the question is about (see the module docstring)."""
    today = newest_article or datetime.now(tz=timezone.utc).date()
    ranges = find_dates(question, today)
    if ranges and _AS_OF_FRAME.search(question):
        end = max(hi for _, hi in ranges)
        return TimeFocus(AS_OF, datetime.fromtimestamp(end - 1, tz=timezone.utc).date())
    if ranges and not _NOW.search(question):
        return TimeFocus(NONE)  # a question about a dated event ("What happened on 3 April?")
    if ranges:  # "Is it still due to open in October?": the date is the value asked about, not the time
        return TimeFocus(CURRENT, says_now=True)
    if _TIMELINE.search(question):
        return TimeFocus(TIMELINE)
    if _FIRST.search(question) and not _LATER.search(question):  # "the original plan or the revised one?" compares
        return TimeFocus(FIRST)
    return TimeFocus(CURRENT, says_now=bool(_NOW.search(question)))


def published_day(src: Source) -> date | None:
    return parse_published(src.published_at)


def as_of(sources: list[Source], until: date) -> list[Source]:
    """The sources published by `until` (all of them when none is: better an answer than none), renumbered."""
    kept = [s for s in sources if (published_day(s) or date.max) <= until]
    return renumber(kept or sources)


def first_report(question: str, sources: list[Source]) -> list[Source]:
    """FIRST: the oldest dated report naming everything the question names, alone (all sources when none is)."""
    names = set(question_names(question))
    dated = [s for s in sources if published_day(s) is not None and _names_all(s, names)]
    if not dated:
        return sources
    return renumber([min(dated, key=lambda s: published_day(s))])


def renumber(sources: list[Source]) -> list[Source]:
    for i, src in enumerate(sources):
        src.n = i + 1
    return sources


def find_update(question: str, q_vec: np.ndarray, sources: list[Source], kind: str,
                stated: bool = False) -> Update | None:
    """When the retrieved reports disagree on the asked item: the lead statement (the most relevant one among
    the newest report and the reports agreeing with it, i.e. sharing an item) and the most relevant older
    report whose statement shares no item with them. None when they agree, are undated, or the question asks
    for no typed item. `stated`: the items the question itself states count too (a yes/no question "Is it
    still due in October?" asks whether the newest report still says October)."""
    if kind not in REVISABLE or len(sources) < 2:
        return None
    # relevance without the rare-words bonus: a later report words the update its own way ("will open in 2027"
    # for "when will the first trams run?") and must not lose to the old wording's exact words
    scored = best_sentences(question, q_vec, sources, rare_bonus=False)
    if not scored:
        return None

    names = set(question_names(question))
    name_stems = {t for n in names for t in tokens(n)}
    asked = {t for t in tokens(question) if t not in name_stems}
    statements: dict[int, tuple[float, int, int, frozenset[str]]] = {}  # source → (overlap, score, sentence, items)
    about = [_names_all(src, names) for src in sources]
    for score, si, ci in scored:
        if score < EARLIER_RELEVANCE_RATIO * scored[0][0]:
            break
        day = published_day(sources[si])
        if not about[si]:  # another story: its date says nothing about this one's news
            continue
        statement = sources[si].statement(ci)  # a correction notice states its correction, not the wrong figure
        if _FORMER.search(statement):  # "had been due to reopen in October": the value this report supersedes
            continue
        found = [i for i in (items(statement, kind) if stated else new_items(statement, kind, question))
                 if not (kind == DATE and day is not None and _reporting_day(i.text, day))]
        if not found or day is None:
            continue
        overlap = len(asked & set(tokens(sources[si].candidates[ci].text)))
        mine = (overlap, score, ci, frozenset(item_key(i.text) for i in found))
        if si not in statements or mine[:2] > statements[si][:2]:
            statements[si] = mine
    if len(statements) < 2:
        return None
    by_date = sorted(statements, key=lambda si: published_day(sources[si]), reverse=True)
    group = [by_date[0]]
    agreed = set(statements[by_date[0]][3])
    for si in by_date[1:]:  # reports agreeing with the newest one (sharing an item) stand with it
        if _agree(statements[si][3], agreed):
            group.append(si)
            agreed |= statements[si][3]
    lead = max(group, key=lambda si: statements[si][1])
    if statements[lead][1] < UPDATE_RELEVANCE_RATIO * scored[0][0]:
        return None  # the newest reports only mention it in passing
    # the lead's rarest question word ("open" in "when is the terminal now expected to open?") must be in the
    # older statement too: "the course will change next year because of the terminal works" is not about it
    weights = term_weights(asked, [c.text for src in sources for c in src.candidates])
    elsewhere = {t for si, src in enumerate(sources) if si != lead for c in src.candidates for t in tokens(c.text)}
    # ... among the words other reports use at all (a word only the lead uses, "lost" beside "loss", tells nothing)
    lead_words = asked & set(tokens(sources[lead].candidates[statements[lead][2]].text)) & elsewhere
    key = max(sorted(lead_words), key=lambda t: weights.get(t, 0.0)) if lead_words else None
    older = [si for si in by_date if si not in group and not _agree(statements[si][3], agreed)
             and published_day(sources[si]) < published_day(sources[lead])
             and (key is None or key in set(tokens(sources[si].candidates[statements[si][2]].text)))]
    if not older:
        return None
    values = _stated_values(question) if stated else set()

    def holds_value(si: int) -> bool:  # "still due in October?": the report that said October, first
        return bool(values & _key_words(statements[si][3]))

    earlier = max(older, key=lambda si: (holds_value(si), *statements[si][:2]))
    return Update(lead, [earlier], {lead: statements[lead][2], earlier: statements[earlier][2]},
                  {lead: frozenset(agreed), earlier: statements[earlier][3]})


# how a yes/no question states a revisable value: a month or season ("still due in October"), or a year or
# any other number ("still cutting 240 jobs")
_STATED_TIME = re.compile(r"(?i)\b(?:january|february|march|april|may|june|july|august|september|october|"
                          r"november|december|spring|summer|autumn|fall|winter)\b")
_STATED_VALUE = re.compile(rf"{_STATED_TIME.pattern}|\d[\d,.]*")


def stated_kind(question: str) -> str | None:
    """The revisable kind of value a yes/no question states ("Is it still due in October?": a date; "still
    cutting 240 jobs?": a number), None when it states none."""
    if items(question, MONEY):
        return MONEY
    if items(question, DATE) or _STATED_TIME.search(question):
        return DATE
    return NUMBER if items(question, NUMBER) else None


def _stated_values(question: str) -> set[str]:
    """The values a yes/no question states, lowercased, thousands commas and a final stop dropped."""
    return {m.group(0).lower().replace(",", "").rstrip(".") for m in _STATED_VALUE.finditer(question)}


def _key_words(keys: frozenset[str]) -> set[str]:
    """The words of item keys (`item_key` has already turned commas and stops into spaces)."""
    return {w for key in keys for w in re.findall(r"[\w']+", key)}


def still_verdict(question: str, update: Update) -> str:
    """"Yes." when the newest report states the value the yes/no question names, "No." when only the superseded
    report does, "" when neither does (the answer then gives the statements without a verdict)."""
    stated = _stated_values(question)
    if stated & _key_words(update.items.get(update.newest, frozenset())):
        return "Yes."
    earlier = set().union(*(_key_words(update.items.get(i, frozenset())) for i in update.earlier))
    return "No." if stated & earlier else ""


def _names_all(src: Source, names: set[str]) -> bool:
    """The report names everything the question names ('Riverside', 'Glenmoor'): it is about the same story."""
    text = fold(" ".join([src.title, *(c.text for c in src.candidates)]))
    return all(re.search(rf"(?<!\w){re.escape(n)}", text) for n in names)


def _agree(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> bool:
    """Two reports' items agree when they share one, or one is a year the other's date falls in ("2027" and
    "spring of 2027"): a report saying less is not a report saying otherwise."""
    if a & b:
        return True
    years = {k for k in a | b if re.fullmatch(r"(?:19|20)\d\d", k)}
    return any(y in set(re.findall(r"\d{4}", k)) for y in years for k in (b if y in a else a) if k != y)


def _reporting_day(text: str, published: date) -> bool:
    """A weekday or a day in the week before publication, or a bare year that is the report's own ("the second
    time this year (2024)"): when the report's news happened, not the value a later report may change."""
    if re.fullmatch(r"(?i)(?:mon|tues|wednes|thurs|fri|satur|sun)day", text.strip()):
        return True
    if re.fullmatch(r"\s*(?:19|20)\d\d\s*", text):
        return int(text) == published.year
    try:
        day = parser.parse(text, default=datetime(published.year, 1, 1)).date()
    except (ValueError, OverflowError):
        return False
    return bool(re.search(r"\d", text)) and not re.fullmatch(r"\s*\d{4}\s*", text) and \
        published - timedelta(days=REPORTING_WINDOW_DAYS) <= day <= published


def newest_first(sources: list[Source], update: Update) -> tuple[list[Source], Update]:
    """Sources reordered so the newest report is [1] and the superseded ones follow it, renumbered."""
    order = [update.newest, *update.earlier] + [i for i in range(len(sources))
                                                if i != update.newest and i not in update.earlier]
    moved = {old: new for new, old in enumerate(order)}
    update = Update(0, [moved[i] for i in update.earlier], {moved[i]: ci for i, ci in update.sentences.items()},
                    {moved[i]: found for i, found in update.items.items()})
    return renumber([sources[i] for i in order]), update


def chronological(sources: list[Source]) -> list[Source]:
    """Sources oldest first (undated last), renumbered: a timeline's order."""
    return renumber(sorted(sources, key=lambda s: published_day(s) or date.max))


def long_day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def update_hint(sources: list[Source], update: Update) -> str:
    """What the answerer is told when the reports disagree."""
    newest = sources[update.newest]
    older = ", ".join(f"[{sources[i].n}] ({long_day(published_day(sources[i]))})" for i in update.earlier)
    return (f"The sources disagree. [{newest.n}] is the newest report ({long_day(published_day(newest))}): answer "
            f"with what [{newest.n}] says first, then say what the earlier report {older} said.")


TIMELINE_HINT = ("The sources are in date order. Give one short sentence per source on what happened, oldest "
                 "first, each with its source number.")


def dated_answer(text: str, citations: list[Citation], focus: str, update_articles: tuple[str, list[str]] | None) -> str:
    """The checked answer with its dates said: "As of <date>, ..." before the newest report's statement and
    "An earlier report, on <date>, said: ..." before a superseded one (CURRENT with an update), or each
    sentence led by its report's date (TIMELINE). Runs after the check, so the dates never count against
    a sentence's support; sentences citing nothing dated are left as they are."""
    by_n = {c.n: c for c in citations}
    out: list[str] = []
    for sentence in split_sentences(text):
        markers = [int(m) for m in re.findall(r"\[(\d+)\]", sentence.text)]
        cited = [by_n[m] for m in markers if m in by_n]
        day = parse_published(cited[0].published_at) if cited else None
        lead = ""
        if day is not None and focus == TIMELINE:
            lead = f"{long_day(day)}: "
        elif day is not None and update_articles is not None:
            newest, earlier = update_articles
            if cited[0].article_id == newest and not any(o.startswith("As of ") for o in out):
                lead = f"As of {long_day(day)}, "
            elif cited[0].article_id in earlier:
                lead = f"An earlier report, on {long_day(day)}, said: "
        body = sentence.text
        verdict = _VERDICT.match(body) if lead else None  # "No. The bridge ..." → "No. As of <date>, the bridge ..."
        if verdict:
            body = body[verdict.end():]
        body = _DATELINE.sub("", body) if lead else body
        if lead.endswith(", ") and body.split(" ", 1)[0] in _LOWER_OPENERS:
            body = body[0].lower() + body[1:]
        out.append((f"{verdict.group(1)}. " if verdict else "") + lead + body)
    return " ".join(out) if out else text


def mark_superseded(citations: list[Citation], update_articles: tuple[str, list[str]] | None) -> None:
    """Each cited earlier report gets `superseded_by` = the number of the newest report's citation."""
    if update_articles is None:
        return
    newest, earlier = update_articles
    lead = next((c.n for c in citations if c.article_id == newest), 0)
    if not lead:
        return
    for c in citations:
        if c.article_id in earlier:
            c.superseded_by = lead
