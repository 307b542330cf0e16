"""What kind of answer a question asks for (a date, a number, a name, ...) and where a text holds one.

The same signal steers three stages: which sentences go into the prompt (those holding an item of the asked
kind), which sentence the extractive answerer quotes, and the check that an answer gives what was asked (an
answer to "What was the name of ..." must name someone the sources name, not restate the question).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text import STOPWORDS, fold

DATE, TIME, NUMBER, MONEY, SCORE, DURATION, PERSON, ENTITY, YES_NO, OTHER = (
    "date", "time", "number", "money", "score", "duration", "person", "entity", "yes/no", "other")
TYPED = frozenset((DATE, TIME, NUMBER, MONEY, SCORE, DURATION, PERSON, ENTITY))  # kinds an answer is checked for
# the options of a choice-shaped yes/no question ("... consistent or inconsistent?", "before or after ...?")
AGREEMENT_OPTIONS = ("consistent", "consistency", "similar", "the same", "agree", "agreed", "unchanged")
DISAGREEMENT_OPTIONS = ("inconsistent", "inconsistency", "different", "differ", "differently", "dissimilar",
                        "a change", "changed", "contradictory")
ORDER_OPTIONS = ("before", "after")
# ... each, without its article, is a one-word verdict ("Consistent.", "Before."): like "Yes.", nothing to check
CHOICE_VERDICTS = frozenset(option.split()[-1] for option in (*AGREEMENT_OPTIONS, *DISAGREEMENT_OPTIONS,
                                                              *ORDER_OPTIONS))
NUMERIC = frozenset((NUMBER, MONEY, SCORE, DURATION, TIME))  # compared by value ('415,000' = '415 thousand')
# kinds whose items pick out the answering sentence (nearly every news sentence has some capitalised name,
# so holding an ENTITY says little about which sentence answers)
BONUS_KINDS = frozenset((DATE, TIME, NUMBER, MONEY, SCORE, DURATION, PERSON))

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                r"thousand|million|billion|trillion|dozen|dozens|hundreds|thousands|millions|half|single|both)")
_CURRENCY = (r"dollars?|euros?|pounds?(?! of)|yen|yuan|renminbi|rupees?|francs?|kronor|krona|kroner|lari|rubles?|"
             r"roubles?|pesos?|rand|lira|liras|dirhams?|riyals?|shekels?|naira|cents?|pence|usd|eur|gbp|bucks")
_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century)"

ITEM_PATTERNS: dict[str, re.Pattern[str]] = {
    # a date is one item with its year ("September 4, 2024", "October 2024", "the spring of 2025"), so two
    # reports sharing only the year of different dates do not agree on the date
    DATE: re.compile(rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?\b|"
                     rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?:19|20)\d\d\b)?|"
                     rf"\b{_MONTH}\s+(?:of\s+)?(?:19|20)\d\d\b|\b(?:spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?:19|20)\d\d\b|"
                     rf"\b(?:19|20)\d\d-\d\d-\d\d\b|\b(?:19|20)\d\d\b|\b{_WEEKDAY}\b)",
                     re.I),
    TIME: re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\b\d{1,2}:\d{2}\b|\b(?:noon|midnight)\b",
                     re.I),
    NUMBER: re.compile(rf"\d+(?:[.,]\d+)*(?:\s+(?:thousand|million|billion|trillion)\b)?|\b{_NUMBER_WORD}\b", re.I),
    MONEY: re.compile(rf"[$€£¥₹]\s?\d+(?:[.,]\d+)*(?:\s+(?:thousand|million|billion|trillion)\b)?|"
                      rf"\b\d+(?:[.,]\d+)*(?:\s+(?:thousand|million|billion|trillion))?\s+(?:[A-Z][a-z]+\s+)?"
                      rf"(?:{_CURRENCY})\b|\b(?:{_NUMBER_WORD})\s+(?:{_CURRENCY})\b", re.I),
    SCORE: re.compile(r"\b\d{1,3}\s?[-–—:]\s?\d{1,3}\b(?![-–:]\d)|\b\d{1,3}\s+to\s+\d{1,3}\b", re.I),
    DURATION: re.compile(rf"(?:\d+(?:[.,]\d+)?|\b{_NUMBER_WORD}|\ba)[\s-]+(?:and a half\s+|[A-Za-z]+\s+)?{_UNIT}\b|"
                         r"\blife (?:imprisonment|sentences?|terms?|in prison)\b|\bindefinite(?:ly)?\b", re.I),
}
_YEAR = re.compile(r"(?:19|20)\d\d")
CALENDAR = re.compile(rf"(?:{_MONTH}|{_WEEKDAY})(?:'s)?", re.I)  # "Thursday" names no one
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*[\w]|(?<![\w'’-])[A-Z]\b")
_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*[a-z][\w'’-]*(?:\s+(?:(?:de|da|van|von|der|bin|al|la|le|del)\s+)?"
                   r"(?:[A-Z]\.\s*)*[A-Z][\w'’-]*[a-z][\w'’-]*)+")
# words that make a capitalised run an organisation or a place rather than a person's name
_NOT_PERSON = frozenset((
    "station airport university college school hospital police department ministry court council party company "
    "rail railway airlines airline news times post street avenue road bridge city county state republic "
    "kingdom union house senate congress parliament church cathedral museum park river lake island bay "
    "mountain valley prison agency service services office institute centre center foundation association "
    "group inc ltd corporation bank club league cup committee commission government army navy force forces "
    "las los san santa sao new united north south east west saint fort mount lake cape hong field base "
    "the a an in on at of and for with by from to this that"
).split())

# Question patterns, most specific first; the first that matches decides the kind.
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (TIME, re.compile(r"\b(?:what|which)\s+(?:local\s+|exact\s+|approximate\s+)?time\b|\bat\s+(?:about\s+|around\s+)?"
                      r"what\s+(?:\w+\s+)?time\b|\bwhat\s+hour\b", re.I)),
    (DATE, re.compile(r"\b(?:on|by|from|until|since)\s+what\s+(?:date|day)\b|\bwhat\s+(?:date|day|year|month)\b|"
                      r"\b(?:which|what)\s+(?:date|day|year|month)\b|\bin\s+what\s+year\b|^\s*when\b|"
                      r"\b(?:what|which)\s+(?:is|was|are|were)\s+the\s+(?:[a-z-]+\s+){0,4}(?:date|year|month)\b|"
                      r"[,;.?!]\s*when\b", re.I)),
    (DURATION, re.compile(r"\bhow\s+long\b|\bfor\s+how\s+(?:many|much)\s+(?:years|months|weeks|days|hours)\b|"
                          r"\bhow\s+many\s+(?:years|months|weeks|days|hours|minutes)\b", re.I)),
    (SCORE, re.compile(r"\b(?:what|which)\s+(?:\w+\s+){0,3}(?:score|scoreline|result)\b|\bby\s+what\s+score\b",
                       re.I)),
    (MONEY, re.compile(r"\bhow\s+much\b[^?]{0,160}\b(?:cost|costs|pay|paid|pays|spend|spent|worth|charge|charged|"
                       r"fine|fined|price|raise|raised|earn|earned|sell|sold|owe|owed|bail|budget|fund|funding)\b|"
                       r"\bwhat\s+(?:\w+\s+){0,3}(?:price|cost|fee|fine|salary|bail|sum|budget|amount\s+of\s+money)\b|"
                       r"\bat\s+what\s+(?:amount|price|sum)\b", re.I)),
    (NUMBER, re.compile(r"\bhow\s+(?:many|much|old|far|fast|high|tall|deep|big|large|heavy|often)\b|"
                        r"\bwhat\s+(?:\w+\s+){0,3}(?:number|percentage|percent|share|proportion|amount|total|"
                        r"score|speed|price|cost|age|rate|figure|sum|margin|tally|count|population)\b|"
                        r"\bwhich\s+(?:number|percentage|score)\b", re.I)),
    (PERSON, re.compile(r"\b(?:what|which)\s+(?:was|is|were|are)\s+the\s+names?\s+of\s+(?:the\s+)?(?![^?]{0,30}?"
                        r"\b(?:company|firm|ship|boat|storm|hurricane|band|film|show|app|group|party|team|place|"
                        r"town|city|street|organi[sz]ation|programme|program|operation|song|album|book)\b)", re.I)),
    (ENTITY, re.compile(r"^\s*(?:who|whom|whose)\b|[,;.?!]\s*(?:who|whom|whose)\b|\b(?:to|by|of|for|with|from)\s+whom\b|"
                        r"\b(?:what|which)\s+(?:was|is|were|are)\s+the\s+names?\b|\bnames?\s+of\b|"
                        r"\b(?:which|what)\s+(?!of\b)(?:[a-z-]+\s+){0,2}(?:person|man|woman|player|team|company|"
                        r"firm|country|city|town|village|state|province|region|university|college|school|party|"
                        r"organi[sz]ation|group|network|platform|club|airline|agency|court|newspaper|publication|"
                        r"outlet|brand|band|app|film|show|lyricist|singer|actor|actress|author|writer|musician|"
                        r"politician|leader|official|president|minister|governor|senator|judge|nation|island|"
                        r"river|airport|station|hospital|prison|county|district|individual|entity|celebrity|"
                        r"athlete|artist|executive|ceo|founder|scientist|researcher|doctor|lawyer|coach)\b|"
                        r"^\s*where\b|\bin\s+(?:which|what)\s+(?:[a-z-]+\s+){0,2}(?:city|country|town|state|"
                        r"place|region|province|county|village|location)\b", re.I)),
]
_YES_NO = re.compile(r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)
_FRAME_WORDS = frozenset("the a an in on at of and or but to for by with from as according it this that these those "
                         "his her their its he she they we i yes no after before during while when".split())


@dataclass(frozen=True)
class Item:
    """One typed item found in a text (a date, a number, a capitalised name) and where."""

    kind: str
    text: str
    start: int
    end: int


def answer_kind(question: str) -> str:
    """The kind of answer the question asks for: one of DATE, TIME, NUMBER, DURATION, ENTITY, YES_NO, OTHER."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return YES_NO if _YES_NO.search(question) else OTHER


_ASKS_FOR_PERSON = re.compile(
    r"^\s*(?:who|whom)\b|\b(?:which|what)\s+(?:[\w-]+\s+){0,2}(?:person|man|woman|judge|candidate|wrestler|"
    r"player|actor|actress|singer|lyricist|writer|author|politician|governor|president|leader|minister|official|"
    r"officer|mayor|senator|athlete|coach|director|scientist|researcher|artist|musician|drummer|journalist)\b",
    re.I)


def asks_for_person(question: str) -> bool:
    """'Who ...?', 'Which federal judge ...?': the answer is a person's name (the kind stays ENTITY for
    "who won"-type questions, where a team or a company can be the answer; this only prefers people)."""
    return bool(_ASKS_FOR_PERSON.search(question))


def looks_like_person(name: str) -> bool:
    """Two or more capitalised words, none of them an organisation's or a place's ('Gray Miller', not
    'Canada' or 'Governor of Tyumen Oblast')."""
    words = name.split()
    return len(words) >= 2 and not {fold(w) for w in words} & _NOT_PERSON


def items(text: str, kind: str) -> list[Item]:
    """Every item of `kind` in `text` (capitalised names for ENTITY; dates also count as numbers' neighbours)."""
    if kind == PERSON:
        found = [Item(kind, m.group(0), m.start(), m.end()) for m in _NAME.finditer(text)]
        return [i for i in found if not {fold(w) for w in i.text.split()} & _NOT_PERSON]
    if kind == ENTITY:
        found = [Item(kind, m.group(0).rstrip("."), m.start(), m.end()) for m in _CAPITALISED.finditer(text)]
        return [i for i in found if fold(i.text) not in _FRAME_WORDS and fold(i.text) not in STOPWORDS
                and not CALENDAR.fullmatch(i.text)]
    pattern = ITEM_PATTERNS.get(kind)
    if pattern is None:
        return []
    found = [Item(kind, m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]
    if kind == NUMBER:  # "in 2027" or "on March 12" dates a sentence; it does not count anything
        dates = [(m.start(), m.end()) for m in ITEM_PATTERNS[DATE].finditer(text)]
        found = [i for i in found if not _YEAR.fullmatch(i.text)
                 and not any(a <= i.start and i.end <= b for a, b in dates)]
    return found


def _norm(item_text: str) -> str:
    return re.sub(r"[\s.,]+", " ", fold(item_text)).strip()


def item_key(item_text: str) -> str:
    """An item's text normalised for comparing two reports' items ('Spring 2027.' ~ 'spring 2027')."""
    return _norm(item_text)


def new_items(text: str, kind: str, question: str) -> list[Item]:
    """Items of `kind` in `text` that the question does not already state (restating 'in 2019' answers nothing)."""
    asked = {_norm(i.text) for i in items(question, kind)}
    asked_words = set(re.findall(r"[\w'’-]+", fold(question)))
    out = []
    for item in items(text, kind):
        norm = _norm(item.text)
        if norm in asked:
            continue
        if kind in (ENTITY, PERSON) and all(w in asked_words for w in re.findall(r"[\w'’-]+", norm)):
            continue
        out.append(item)
    return out


def holds_kind(text: str, kind: str, question: str) -> bool:
    """True when `text` holds an item of the asked kind the question does not already give. Kinds with no
    typed items (OTHER, YES_NO) always hold."""
    if kind not in TYPED:
        return True
    return bool(new_items(text, kind, question))


_MONTH_NUMBER = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_SMALL_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})|\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
_VALUE = re.compile(r"(\d+(?:[.,]\d+)*|\b(?:%s)\b)(?:\s+(thousand|million|billion|trillion)\b)?"
                    % "|".join(_SMALL_NUMBERS), re.I)


def date_keys(text: str) -> set[str]:
    """Comparable forms of the dates in a text: 'm-d' pairs, years and weekdays ('14 January' = 'January 14')."""
    keys: set[str] = set()
    for m in _DAY_MONTH.finditer(text):
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        keys.add(f"{_MONTH_NUMBER[fold(month)[:3]]}-{int(day)}")
    for m in re.finditer(r"\b(?:19|20)\d\d-(\d\d)-(\d\d)\b", text):
        keys.add(f"{int(m.group(1))}-{int(m.group(2))}")
    keys |= set(re.findall(r"\b(?:19|20)\d\d\b", text))
    keys |= {w.lower() for w in re.findall(rf"\b{_WEEKDAY}\b", text, re.I)}
    return keys


def number_values(text: str) -> set[float]:
    """Numeric values stated in a text: '415,000' = '415 thousand', 'five' = '5'."""
    values: set[float] = set()
    for m in _VALUE.finditer(text):
        raw = fold(m.group(1))
        if raw in _SMALL_NUMBERS:
            value = float(_SMALL_NUMBERS[raw])
        else:
            digits = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw) else raw.replace(",", ".")
            try:
                value = float(digits)
            except ValueError:
                continue
        values.add(value)
        if m.group(2):
            values.add(value * _SCALE[m.group(2).lower()])
    return values


def grounded_items(answer: str, kind: str, question: str, evidence: str) -> list[Item]:
    """Items of the asked kind in the answer that are new to the question and stated in `evidence` (the text
    the answerer was given). An answer to "How old was ..." with no number from the sources has none."""
    have = fold(evidence)
    have_dates = date_keys(evidence) if kind == DATE else set()
    have_values = number_values(evidence) if kind in NUMERIC else set()
    have_norm = re.sub(r"[\s.,]+", " ", have)
    out = []
    candidates = new_items(answer, kind, question)
    if kind == DATE and any("-" in k for i in candidates for k in date_keys(i.text)):
        # a day was given ("January 15, 2019"): that day must be the sources', not just its year
        candidates = [i for i in candidates if any("-" in k for k in date_keys(i.text))]
    for item in candidates:
        norm = _norm(item.text)
        if kind in (ENTITY, PERSON):
            words = [w for w in re.findall(r"[\w'’-]+", norm) if w not in _FRAME_WORDS]
            ok = bool(words) and all(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", have) for w in words)
        elif kind == DATE:
            keys = date_keys(item.text)
            ok = bool(keys) and keys <= have_dates
        elif kind in NUMERIC:
            values = number_values(item.text)
            ok = bool(values & have_values) if values else norm in have_norm
        else:
            ok = bool(norm) and norm in have_norm
        if ok:
            out.append(item)
    return out


_NAME_WORD = re.compile(r"(?<![\w'’-])[A-Z][\w’'.-]*[\w]")


def question_names(question: str) -> list[str]:
    """Folded proper-name words of a question ('beirut', 'lebanon'): capitalised words not opening a sentence,
    without months, weekdays and possessive endings."""
    names = []
    for m in _NAME_WORD.finditer(question):
        before = question[: m.start()].rstrip()
        if not before or before[-1] in ".!?:;\"'‘“(":
            continue
        word = fold(re.sub(r"(?:['’]s?|\.)$", "", m.group(0)))
        if word and word not in STOPWORDS and not CALENDAR.fullmatch(word):
            names.append(word)
    return list(dict.fromkeys(names))
