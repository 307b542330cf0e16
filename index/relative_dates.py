"""Relative dates in news text ("yesterday", "on Tuesday", "last month") resolved against the article's date.

News reports date events relative to their publication: "Yesterday, John Conyers died" in an article of
28 October 2019 means 27 October 2019. `resolve_relative_dates` finds such phrases and returns annotations (offsets into the
text, the phrase, the resolved date); the text itself is never rewritten. `annotate_relative_dates` renders a text with the
resolved date after each phrase, as shown to answerers: "Yesterday (October 27, 2019), John Conyers died".

Conventions (the ones news writing follows; measured on hand-labelled Wikinews phrases, see
eval/relative_dates/README.md):
- A bare or "on"/"this"/"this past" weekday is the most recent such day on or before the publication date (an
  article dated Tuesday saying "on Tuesday" means that day). "next" and "this coming" weekdays lie after it.
  "last Friday" is the Friday of the previous calendar week (Monday to Sunday).
- Tense moves a weekday: after "will", "is set to", "tomorrow", … a few words before it in the same clause,
  it is the next such day on or after the publication date; after a future in the past ("was set to",
  "would") it is whichever such day lies nearest to the publication date.
- "this/last/next week" resolve to the Monday of that week (granularity WEEK; a Sunday's future "this week"
  is the coming one); "this weekend" to the Saturday of the weekend just past on Mondays and Tuesdays, else
  of the current or coming one (granularity WEEKEND). "last night" is the evening before; "this morning"
  the publication day; months and years are calendar ones.
- Left alone:
  - day words ("today", "yesterday", "last night", …) inside a direct quotation or an interview transcript
    (a paragraph opening with a speaker tag, "((Name))", "Q:"): the speech's own day is unknown and often
    days before publication. Weekdays, weeks, months and years in quotes are still resolved (a few days'
    lag rarely changes them);
  - phrases after "the", "a", "every", "each", "that", "same" ("the next month", "the last night" of a
    convention, "a Tuesday", "the Saturday of the festival": narrative or generic, not relative to publication);
  - day words capitalised mid-sentence, which are names ("USA Today", "Kamloops This Week");
  - named days ("Super Tuesday", "Good Friday") and weekdays followed by an explicit date ("Monday, January 7").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

_WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR, "saturday": SA, "sunday": SU}
_MONTHS = "January February March April May June July August September October November December".split()

DAY, WEEK, WEEKEND, MONTH, YEAR = "day", "week", "weekend", "month", "year"
# Bumped whenever the rules change what a phrase resolves to: annotations stored by another version are
# recomputed when read (`loads_dates` returns None for them), so a stored index never serves stale dates.
RESOLVER_VERSION = 2

_NOT_AFTER = (r"(?<!\bthe )(?<!\ba )(?<!\bevery )(?<!\beach )(?<!\bthat )(?<!\bsame )")
_PHRASE = re.compile(
    _NOT_AFTER
    + r"\b(?P<daywords>(?:the\s+day\s+before\s+)?yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))\b"
    r"|" + _NOT_AFTER + r"(?<!easter )(?<!super )(?<!palm )(?<!black )(?<!good )(?<!boxing )(?<!cyber )(?<!holy )(?<!bloody )"
    r"(?<!ash )(?<!shrove )(?<!maundy )"
    r"\b(?P<prefix>(?:on|last|this(?:\s+past|\s+coming)?|next|earlier\s+on|late\s+on|early\s+on)\s+)?"
    r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?!\s*,?\s+(?:\d{1,2}\b|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)\b))"
    r"|" + _NOT_AFTER + r"\b(?P<period>(?:last|this|next|earlier\s+this|later\s+this|late\s+this|early\s+this)\s+(?:week(?:end)?|month|year))\b",
    re.I,
)
# Markers of a future event a few words before a weekday: the present future, and the future in the past.
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|(?:is|are|be)\s+(?:set|scheduled|expected|due|forecast|planned|slated|poised|going|likely)\s+to"
    r"|(?:is|are)\s+to|plans?\s+to|(?:is|are|am)\s+planning\s+to|to\s+be\s+held|upcoming|tomorrow|tonight)\b|\w'll\b",
    re.I,
)
_FUTURE_IN_PAST = re.compile(
    r"\b(?:would|(?:was|were)\s+(?:set|scheduled|expected|due|forecast|planned|slated|poised|going|likely)\s+to"
    r"|(?:was|were)\s+(?:to|planning\s+to))\b",
    re.I,
)
_SPEAKER_TAG = re.compile(r"\s*(?:\(\([^()\n]{1,60}\)\)|[QA]:\s)")
_LOOK_BACK_WORDS = 12
# Where the look-back stops: the sentence's start, and any clause or quotation boundary (a "will" inside a
# quote, or in a relative clause, says nothing about the tense of a weekday outside it).
_CLAUSE_BREAK = re.compile(r"[.!?][\"'”’)\]]*\s+|\n|[,;:()\"“”—–]")
_QUOTE_SENSITIVE = {"yesterday", "today", "tonight", "tomorrow", "last night", "this morning", "this afternoon",
                    "this evening", "the day before yesterday"}


@dataclass(frozen=True)
class RelativeDate:
    """One relative phrase: its offsets in the text, the words, and what it resolves to.

    `resolved` is the day for DAY, the Monday for WEEK, the Saturday for WEEKEND, the 1st for MONTH and
    1 January for YEAR."""

    start: int
    end: int
    phrase: str
    resolved: date
    granularity: str  # DAY, WEEK, WEEKEND, MONTH or YEAR

    def label(self) -> str:
        """The resolved date as written next to the phrase: 'October 27, 2019', 'September 2019', '2019',
        'the week of October 21, 2019', 'the weekend of October 26, 2019'."""
        if self.granularity == YEAR:
            return str(self.resolved.year)
        if self.granularity == MONTH:
            return f"{_MONTHS[self.resolved.month - 1]} {self.resolved.year}"
        day = f"{_MONTHS[self.resolved.month - 1]} {self.resolved.day}, {self.resolved.year}"
        if self.granularity == WEEK:
            return f"the week of {day}"
        if self.granularity == WEEKEND:
            return f"the weekend of {day}"
        return day

    def search_terms(self) -> list[str]:
        """Words a question naming this date would use, for keyword search: a day in the spellings news
        and questions use ('October 27 2019', '27 October 2019', '2019-10-27'); a week or weekend by its
        days' months; a month ('October 2019'); a year ('2019')."""
        d = self.resolved
        if self.granularity == YEAR:
            return [str(d.year)]
        if self.granularity == MONTH:
            return [f"{_MONTHS[d.month - 1]} {d.year}"]
        if self.granularity in (WEEK, WEEKEND):
            last = d + timedelta(days=6 if self.granularity == WEEK else 1)
            months = dict.fromkeys(f"{_MONTHS[x.month - 1]} {x.year}" for x in (d, last))
            return list(months)
        return [f"{_MONTHS[d.month - 1]} {d.day} {d.year}", f"{d.day} {_MONTHS[d.month - 1]} {d.year}", d.isoformat()]


def _before(text: str, start: int) -> str:
    """The words of the same clause before `start` (at most `_LOOK_BACK_WORDS`)."""
    window = text[max(0, start - 200) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return " ".join(window.split()[-_LOOK_BACK_WORDS:])


def _tense(text: str, start: int) -> str:
    """'future', 'future-in-past' or 'past' (the default) for a phrase starting at `start`."""
    before = _before(text, start)
    if _FUTURE.search(before):
        return "future"
    if _FUTURE_IN_PAST.search(before):
        return "future-in-past"
    return "past"


def _in_quotation(text: str, start: int) -> bool:
    """Whether `start` lies inside a direct quotation of its paragraph (straight or curly double quotes), or in
    a paragraph of an interview transcript (one opening with a speaker tag: "((Name))", "Q:", "A:")."""
    paragraph = text[text.rfind("\n", 0, start) + 1 : start]
    if _SPEAKER_TAG.match(paragraph):
        return True
    return paragraph.count('"') % 2 == 1 or paragraph.count("“") > paragraph.count("”")


def _is_name(text: str, start: int) -> bool:
    """A capitalised day word mid-sentence is a name: 'USA Today', 'Kamloops This Week'."""
    if not text[start].isupper():
        return False
    prev = text[:start].rstrip()[-1:]
    return bool(prev) and (prev.isalnum() or prev in ",;")


def _weekday(published: date, name: str, prefix: str, tense: str) -> date:
    rel = _WEEKDAYS[name.lower()]
    if prefix.startswith("next") or "coming" in prefix:
        return published + relativedelta(days=1, weekday=rel(+1))
    if prefix == "last":  # the one in the previous calendar week
        monday = published - timedelta(days=published.weekday())
        return monday - timedelta(days=7) + relativedelta(weekday=rel(+1))
    before, after = published + relativedelta(weekday=rel(-1)), published + relativedelta(weekday=rel(+1))
    if prefix != "this past" and tense == "future":
        return after
    if prefix != "this past" and tense == "future-in-past":
        return after if (after - published) < (published - before) else before
    return before


def _period(published: date, words: str, tense: str) -> tuple[date, str]:
    unit = words.split()[-1]
    step = -1 if words.startswith("last") else 1 if words.startswith("next") else 0
    if unit == "week":
        monday = published - timedelta(days=published.weekday())
        if step == 0 and tense == "future" and published.weekday() == 6 and not words.startswith("earlier"):
            step = 1  # a Sunday's "is to happen this week" looks ahead
        return monday + timedelta(days=7 * step), WEEK
    if unit == "weekend":
        monday = published - timedelta(days=published.weekday())
        this_saturday = monday + timedelta(days=5)
        if step == 0 and published.weekday() <= 1 and tense != "future":
            step = -1  # on Monday or Tuesday, "this weekend" is the one just past
        return this_saturday + timedelta(days=7 * step), WEEKEND
    if unit == "month":
        return published.replace(day=1) + relativedelta(months=step), MONTH
    return date(published.year + step, 1, 1), YEAR


def resolve_relative_dates(text: str, published: date | None) -> list[RelativeDate]:
    """Every relative date phrase in `text`, resolved against `published` (none when it is unknown)."""
    if published is None:
        return []
    found: list[RelativeDate] = []
    for m in _PHRASE.finditer(text):
        words = " ".join(m.group(0).lower().split())
        if not m.group("weekday") and _is_name(text, m.start()):
            continue
        if m.group("daywords"):
            if words in _QUOTE_SENSITIVE and _in_quotation(text, m.start()):
                continue
            if "day before" in words:
                when = published - timedelta(days=2)
            elif words in ("yesterday", "last night"):
                when = published - timedelta(days=1)
            elif words == "tomorrow":
                when = published + timedelta(days=1)
            else:
                when = published
            found.append(RelativeDate(m.start(), m.end(), m.group(0), when, DAY))
        elif m.group("weekday"):
            prefix = " ".join((m.group("prefix") or "").lower().split())
            when = _weekday(published, m.group("weekday"), prefix, _tense(text, m.start()))
            found.append(RelativeDate(m.start(), m.end(), m.group(0), when, DAY))
        else:
            when, unit = _period(published, words, _tense(text, m.start()))
            found.append(RelativeDate(m.start(), m.end(), m.group(0), when, unit))
    return found


def dates_in_span(dates: Iterable[RelativeDate], start: int, end: int) -> list[RelativeDate]:
    """The annotations whose phrase starts inside text[start:end] (offsets of the same text)."""
    return [d for d in dates if start <= d.start < end]


def dumps_dates(dates: Iterable[RelativeDate]) -> str:
    """Compact JSON for storage: {"v": RESOLVER_VERSION, "d": [[start, end, phrase, iso date, granularity], ...]}."""
    rows = [[d.start, d.end, d.phrase, d.resolved.isoformat(), d.granularity] for d in dates]
    return json.dumps({"v": RESOLVER_VERSION, "d": rows}, ensure_ascii=False, separators=(",", ":"))


def loads_dates(stored: str | None) -> list[RelativeDate] | None:
    """Annotations stored by `dumps_dates`; None when absent (an index from before they were stored), unreadable,
    or written by another `RESOLVER_VERSION` — the caller then resolves the text afresh."""
    if not stored:
        return None
    try:
        data = json.loads(stored)
        if data.get("v") != RESOLVER_VERSION:
            return None
        return [RelativeDate(int(a), int(b), str(p), date.fromisoformat(r), str(g)) for a, b, p, r, g in data["d"]]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def annotate_relative_dates(text: str, published: date | None, offset: int = 0, annotations: list[RelativeDate] | None = None) -> str:
    """`text` with each resolved date in brackets after its phrase. `annotations` (offsets relative to a larger
    text starting `offset` characters before `text`) are reused when given, else found afresh."""
    spans = annotations if annotations is not None else resolve_relative_dates(text, published)
    out, pos = [], 0
    for ann in spans:
        start, end = ann.start - offset, ann.end - offset
        if start < pos or end > len(text) or start < 0:
            continue
        if text[end : end + 2] in ("'s", "’s"):  # "Monday's attack" → "Monday's (January 21, 2019) attack"
            end += 2
        out.append(text[pos:end])
        out.append(f" ({ann.label()})")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def parse_published(published_at: str) -> date | None:
    """The date part of an article's ISO `published_at`, or None when unknown or malformed."""
    try:
        return date.fromisoformat(published_at[:10]) if published_at else None
    except ValueError:
        return None
