"""Relative dates in news text ("yesterday", "on Tuesday", "last month") resolved against the article's date.

News reports date events relative to their publication: "Yesterday, John Conyers died" in an article of
28 October 2019 means 27 October 2019. `resolve_relative_dates` finds such phrases and returns annotations (offsets into the
text, the phrase, the resolved date); the text itself is never rewritten. `annotate_relative_dates` renders a text with the
resolved date after each phrase, as shown to answerers: "Yesterday (October 27, 2019), John Conyers died".

Conventions (the ones news writing follows): a bare or "on"/"last"/"this" weekday is the most recent such day
on or before the publication date (an article dated Tuesday saying "on Tuesday" means that day); "next" and
"this coming" weekdays lie after it; "last night" is the evening before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

_WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR, "saturday": SA, "sunday": SU}
_MONTHS = "January February March April May June July August September October November December".split()

DAY, MONTH, YEAR = "day", "month", "year"

_PHRASE = re.compile(
    r"\b(?P<daywords>(?:the\s+day\s+before\s+)?yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))\b"
    r"|(?<!easter )(?<!super )(?<!palm )(?<!black )(?<!good )(?<!boxing )(?<!cyber )(?<!holy )(?<!bloody )"
    r"\b(?P<prefix>(?:on|last|this(?:\s+past|\s+coming)?|next|earlier\s+on|late\s+on|early\s+on)\s+)?"
    r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?!\s*,?\s+(?:\d{1,2}\b|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)\b))"
    r"|\b(?P<period>(?:last|this|next|earlier\s+this|later\s+this)\s+(?:month|year))\b",
    re.I,
)


@dataclass(frozen=True)
class RelativeDate:
    """One relative phrase: its offsets in the text, the words, and what it resolves to."""

    start: int
    end: int
    phrase: str
    resolved: date
    granularity: str  # DAY, MONTH or YEAR

    def label(self) -> str:
        """The resolved date as written next to the phrase: 'October 27, 2019', 'September 2019', '2019'."""
        if self.granularity == YEAR:
            return str(self.resolved.year)
        if self.granularity == MONTH:
            return f"{_MONTHS[self.resolved.month - 1]} {self.resolved.year}"
        return f"{_MONTHS[self.resolved.month - 1]} {self.resolved.day}, {self.resolved.year}"


def _weekday(published: date, name: str, prefix: str) -> date:
    rel = _WEEKDAYS[name.lower()]
    if prefix.startswith("next") or "coming" in prefix:
        return published + relativedelta(days=1, weekday=rel(+1))
    return published + relativedelta(weekday=rel(-1))


def _period(published: date, words: str) -> tuple[date, str]:
    unit = MONTH if words.endswith("month") else YEAR
    step = -1 if words.startswith("last") else 1 if words.startswith("next") else 0
    if unit == MONTH:
        return published.replace(day=1) + relativedelta(months=step), MONTH
    return date(published.year + step, 1, 1), YEAR


def resolve_relative_dates(text: str, published: date | None) -> list[RelativeDate]:
    """Every relative date phrase in `text`, resolved against `published` (none when it is unknown)."""
    if published is None:
        return []
    found: list[RelativeDate] = []
    for m in _PHRASE.finditer(text):
        words = " ".join(m.group(0).lower().split())
        if m.group("daywords"):
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
            found.append(RelativeDate(m.start(), m.end(), m.group(0), _weekday(published, m.group("weekday"), prefix), DAY))
        else:
            when, unit = _period(published, words)
            found.append(RelativeDate(m.start(), m.end(), m.group(0), when, unit))
    return found


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
