"""Read a question for metadata hints: named publications, dates, 'latest', and comparison parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from qa.filters import day_range

MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.I)
_IN_MONTH = re.compile(rf"\b(?:in|during|throughout|since|of)\s+(?:early\s+|late\s+|mid-?)?{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.I)
_IN_YEAR = re.compile(r"\b(?:in|during)\s+((?:19|20)\d{2})\b", re.I)
_RELATIVE = {
    "today": (0, 1), "yesterday": (1, 1), "this week": (6, 7), "last week": (7, 8), "past week": (7, 8),
    "this month": (30, 31), "last month": (31, 32), "past month": (31, 32), "last few days": (3, 4),
    "recent days": (3, 4), "past few days": (3, 4),
}
_LATEST = re.compile(r"\b(latest|most recent(?:ly)?|newest|recently|current(?:ly)?|last reported)\b", re.I)
_SPLIT = re.compile(
    r",?\s+(?:while|whereas|but|compared (?:to|with)|as opposed to|in the same (?:manner|way) (?:that|as)|"
    r"and (?=(?:the|an?|another)\s+(?:article|report)|(?:the\s+)?['\"‘“]?[A-Z]))\s+"
)


@dataclass
class SubQuery:
    """One part of a multi-part question, optionally pinned to sources or a date range."""

    text: str
    sources: list[str] = field(default_factory=list)
    date_range: tuple[int, int] | None = None


@dataclass
class QueryPlan:
    question: str
    sources: list[str] = field(default_factory=list)  # every publication the question names
    date_ranges: list[tuple[int, int]] = field(default_factory=list)  # [lo, hi) Unix seconds
    latest: bool = False
    subqueries: list[SubQuery] = field(default_factory=list)


def source_aliases(sources: list[str]) -> dict[str, set[str]]:
    """Lowercased names a question may use for each publication ('The Independent' for 'The Independent - Sports')."""
    aliases: dict[str, set[str]] = {}
    for source in sources:
        names = {source}
        head = re.split(r"\s+[-|:–]\s+|:\s+", source)[0]
        names.add(head)
        names.add(re.sub(r"\s*\([^()]*\)\s*$", "", head))  # 'Valley Ledger (sample)' is 'Valley Ledger'

        for name in list(names):
            if name.lower().startswith("the "):
                names.add(name[4:])
        for name in names:
            if len(name.strip()) >= 3:
                aliases.setdefault(name.strip().lower(), set()).add(source)
    return aliases


def find_sources(text: str, aliases: dict[str, set[str]]) -> list[tuple[int, int, list[str]]]:
    """Non-overlapping (start, end, sources) mentions, longest alias first; the mention must be capitalised."""
    lowered = text.lower()
    found: list[tuple[int, int, list[str]]] = []
    for alias in sorted(aliases, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w]){re.escape(alias)}(?![\w])", lowered):
            start, end = match.span()
            if not text[start].isupper() and not text[start].isdigit():
                continue
            if any(start < e and s < end for s, e, _ in found):
                continue
            found.append((start, end, sorted(aliases[alias])))
    return sorted(found)


def find_dates(text: str, newest: date) -> list[tuple[int, int]]:
    """Date ranges the question mentions; partial dates resolve to the latest year not after `newest`."""
    ranges: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(span: tuple[int, int], rng: tuple[int, int] | None) -> None:
        if rng is None or any(span[0] < e and s < span[1] for s, e in taken):
            return
        taken.append(span)
        if rng not in ranges:
            ranges.append(rng)

    for m in _ISO.finditer(text):
        add(m.span(), _day(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _MDY.finditer(text):
        add(m.span(), _day(_year(m.group(3), MONTHS[m.group(1).lower()], newest), MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _DMY.finditer(text):
        month = MONTHS[m.group(2).lower()]
        add(m.span(), _day(_year(m.group(3), month, newest), month, int(m.group(1))))
    for m in _IN_MONTH.finditer(text):
        if m.group(1).lower() == "may" and not m.group(2):
            continue  # "in may" is usually the verb
        month = MONTHS[m.group(1).lower()]
        year = _year(m.group(2), month, newest)
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        add(m.span(), day_range(first, (nxt - first).days))
    for m in _IN_YEAR.finditer(text):
        year = int(m.group(1))
        add(m.span(), day_range(date(year, 1, 1), (date(year + 1, 1, 1) - date(year, 1, 1)).days))
    lowered = text.lower()
    for phrase, (back, length) in _RELATIVE.items():
        pos = lowered.find(phrase)
        if pos >= 0:
            add((pos, pos + len(phrase)), day_range(newest - timedelta(days=back), length))
    return ranges


def analyze(question: str, sources: list[str], newest_ts: int | None) -> QueryPlan:
    """Build the plan: named sources, dates, recency, and one sub-query per part/publication."""
    newest = (datetime.fromtimestamp(newest_ts, tz=timezone.utc).date() if newest_ts and newest_ts > 0
              else datetime.now(tz=timezone.utc).date())
    aliases = source_aliases(sources)
    mentions = find_sources(question, aliases)
    plan = QueryPlan(question=question, latest=bool(_LATEST.search(question)))
    for _, _, names in mentions:
        for name in names:
            if name not in plan.sources:
                plan.sources.append(name)
    plan.date_ranges = find_dates(question, newest)
    plan.subqueries = _subqueries(question, aliases, newest)
    return plan


def _subqueries(question: str, aliases: dict[str, set[str]], newest: date) -> list[SubQuery]:
    """One sub-query per clause of a comparison, plus one per named publication not yet covered."""
    parts = [p.strip(" ,?") for p in _SPLIT.split(question) if len(p.split()) >= 3]
    subs: list[SubQuery] = []
    if len(parts) > 1:
        for part in parts:
            names = sorted({n for _, _, ns in find_sources(part, aliases) for n in ns})
            dates = find_dates(part, newest)
            subs.append(SubQuery(part, names, dates[0] if len(dates) == 1 else None))
    covered = {tuple(s.sources) for s in subs}
    mentions = find_sources(question, aliases)
    groups = []
    for _, _, names in mentions:
        if names not in groups:
            groups.append(names)
    if len(groups) > 1 or subs:
        for names in groups:
            if tuple(names) not in covered:
                subs.append(SubQuery(question, list(names), None))
    return subs


def _day(year: int, month: int, day: int) -> tuple[int, int] | None:
    try:
        return day_range(date(year, month, day))
    except ValueError:
        return None


def _year(explicit: str | None, month: int, newest: date) -> int:
    if explicit:
        return int(explicit)
    return newest.year if month <= newest.month else newest.year - 1
