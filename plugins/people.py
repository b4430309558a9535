"""The people of an article, for the ledger: each name's spelling, title and age, compared.

- names spelled two ways: "Sergey Lavrov" ... "Sergei Lavrov", and a surname respelt on
  its own later ("Lavrov" ... "Lavorv said");
- one person given two offices no one holds at once ("Foreign Minister Lavrov" ...
  "Prime Minister Lavrov", "Senator Smith" ... "Governor Smith") or two military ranks;
- two ages: "Smith, 45," ... "Smith, 46,", "Smith, aged 45" ... "46-year-old Smith".

Each finding quotes the later (or the rarer) form and names the other.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from copydesk.types import Finding, Span

from .name_spelling import near_miss
from .text_helpers import CALENDAR, FUNCTION_WORDS, Word, word_set, words

CONFIDENCE = 0.6
CONFIDENCE_TITLE = 0.45

#: The words a title ends with, abbreviations as written in news copy.
TITLE_HEADS = {
    "president": "president", "minister": "minister", "secretary": "secretary",
    "senator": "senator", "sen": "senator", "representative": "representative",
    "rep": "representative", "governor": "governor", "gov": "governor", "mayor": "mayor",
    "general": "general", "gen": "general", "lieutenant": "lieutenant", "lt": "lieutenant",
    "colonel": "colonel", "col": "colonel", "major": "major", "maj": "major",
    "captain": "captain", "capt": "captain", "admiral": "admiral", "adm": "admiral",
    "ambassador": "ambassador", "chancellor": "chancellor", "premier": "premier",
    "king": "king", "queen": "queen", "prince": "prince", "princess": "princess",
    "judge": "judge", "justice": "justice", "director": "director", "chairman": "chairman",
    "chairwoman": "chairwoman", "commissioner": "commissioner", "speaker": "speaker",
    "professor": "professor", "prof": "professor", "dr": "doctor", "doctor": "doctor",
    "pope": "pope", "bishop": "bishop", "archbishop": "archbishop", "sheikh": "sheikh",
    "emir": "emir", "sultan": "sultan", "sergeant": "sergeant", "sgt": "sergeant",
    "chief": "chief", "marshal": "marshal", "inspector": "inspector", "detective": "detective",
}  # fmt: skip
#: Military ranks: one person holds one at a time.
_RANKS = frozenset(
    ["general", "lieutenant", "colonel", "major", "captain", "admiral", "sergeant", "marshal"]
)
#: Offices of state no one holds two of at once: a president is not also a senator, a
#: governor not a mayor. (A chairman or professor may hold any of them, and a minister or
#: secretary several portfolios over time, so those are compared only by their qualifier.)
_OFFICES = frozenset(
    ["president", "senator", "representative", "governor", "mayor", "chancellor",
     "premier", "king", "queen", "pope", "prime minister", "vice president"]
)  # fmt: skip
#: Callings no one follows two of at once: royalty, an office of state, a military rank,
#: the clergy, the bench. Two titles from two of them disagree ("Prince Harry" ...
#: "President Harry"); a doctor, professor, chairman or director may be any of them.
_CALLINGS = {
    **dict.fromkeys(["king", "queen", "prince", "princess", "emir", "sultan"], "royalty"),
    **dict.fromkeys(_OFFICES - {"king", "queen", "pope"}, "office"),
    **dict.fromkeys(_RANKS, "rank"),
    **dict.fromkeys(["pope", "bishop", "archbishop"], "clergy"),
    **dict.fromkeys(["judge", "justice"], "bench"),
}
#: Qualifiers that say when or whose, not which office: "former", "Mexican".
_TIME_QUALIFIERS = frozenset(["former", "then", "ex", "acting", "interim", "late", "outgoing"])
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclass
class Mention:
    """One mention of a fact about someone: ``key`` says who, ``value`` what."""

    key: str
    value: str
    span: Span
    show: str
    #: A first name given with it, when one is.
    given: str = ""


def find_people_conflicts(text: str, body: Span) -> list[Finding]:
    tokens = words(text, body.start, body.end)
    found = conflicts(text, "age", ages(text, body), CONFIDENCE)
    found += conflicts(text, "title", titles(text, tokens), CONFIDENCE_TITLE)
    found += spellings(text, tokens)
    return found


def conflicts(text: str, kind: str, mentions: list[Mention], confidence: float) -> list[Finding]:
    """Each mention that disagrees with the first mention of its key."""
    out: list[Finding] = []
    first: dict[str, Mention] = {}
    for m in mentions:
        earlier = first.setdefault(m.key, m)
        if earlier.value == m.value or (
            kind == "title" and compatible_titles(earlier.value, m.value)
        ):
            continue
        out.append(
            Finding(
                category="internal_inconsistency",
                quote=text[m.span.start : m.span.end],
                start=m.span.start,
                explanation=(
                    f'The {kind} given for {m.show} here ("{text[m.span.start : m.span.end]}") '
                    f'disagrees with an earlier mention: "{text[earlier.span.start : earlier.span.end]}".'
                ),
                suggestion="Check which is right and make every mention agree.",
                severity="high",
                confidence=confidence,
            )
        )
    return out


def compatible_titles(a: str, b: str) -> bool:
    """Titles disagree when they are two offices of state ("senator", "governor"), two
    military ranks, titles of two callings (:data:`_CALLINGS`), or one qualified office with different qualifiers ("foreign minister",
    "prime minister"); a person may hold several other titles ("Chairman Ryan", "Rep. Paul
    Ryan"), and "Texas Governor" and "Governor" are one title."""
    a_words, b_words = a.split(), b.split()
    if any(w in _TIME_QUALIFIERS for w in a_words + b_words):
        return True  # "former Governor Smith" is not "Senator Smith" now
    a_office, b_office = _office(a_words), _office(b_words)
    if a_office and b_office and a_office != b_office:
        return False
    a_calling, b_calling = _CALLINGS.get(a_words[-1]), _CALLINGS.get(b_words[-1])
    if a_calling and b_calling and a_calling != b_calling:
        return False
    if a_words[-1] != b_words[-1]:
        return not (a_words[-1] in _RANKS and b_words[-1] in _RANKS)
    if not (len(a_words) == len(b_words) == 2 and a_words[0] != b_words[0]):
        return True
    return any(_not_an_office(w) for w in (a_words[0], b_words[0]))


def _office(title_words: list[str]) -> str | None:
    two = " ".join(title_words[-2:])
    if two in _OFFICES:
        return two
    return title_words[-1] if title_words[-1] in _OFFICES else None


def _not_an_office(qualifier: str) -> bool:
    """A qualifier of nationality ("Mexican", "Pakistani", "Chinese")."""
    return qualifier.endswith(("an", "ese", "ish", "i"))


def ages(text: str, body: Span) -> list[Mention]:
    """ "Smith, 45,", "Smith, aged 45", "45-year-old Smith": key "Smith", value 45."""
    out: list[Mention] = []
    name = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*"
    patterns = (
        re.compile(rf"\b({name}),\s+(?:aged\s+)?(\d{{1,3}})(?=,|\s+(?:said|was|is|has|had|who)\b)"),
        re.compile(rf"\b(\d{{1,3}})-year-old\s+(?:[a-z]+\s+){{0,2}}({name})"),
    )
    for i, pattern in enumerate(patterns):
        for m in pattern.finditer(text, body.start, body.end):
            who, age = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
            surname = who.split()[-1]
            if surname.lower() in TITLE_HEADS or surname.lower() in CALENDAR:
                continue
            first = who.split()[0] if len(who.split()) > 1 else ""
            out.append(Mention(surname, age, Span(m.start(), m.end()), surname, first))
    out.sort(key=lambda m: m.span.start)
    # "Mary Crawford, 57" and "Lizzi Crawford, 32" are two people: key them apart
    firsts: dict[str, set[str]] = {}
    for mention in out:
        given = mention.given
        if given and given.lower() not in TITLE_HEADS and given not in ("Mr", "Mrs", "Ms"):
            firsts.setdefault(mention.key, set()).add(given)
    for mention in out:
        if len(firsts.get(mention.key, ())) > 1 and mention.given in firsts[mention.key]:
            mention.key = f"{mention.given} {mention.key}"
    return out


def titles(text: str, tokens: list[Word]) -> list[Mention]:
    """ "Foreign Minister Sergey Lavrov": key "Lavrov", value "foreign minister"."""
    out: list[Mention] = []
    i = 0
    while i < len(tokens):
        head = TITLE_HEADS.get(tokens[i].lower)
        if head is None or not tokens[i].capitalised:
            i += 1
            continue
        # the name: capitalised words right after the title
        j = i + 1
        while (
            j < len(tokens) and tokens[j].capitalised and adjacent(text, tokens[j - 1], tokens[j])
        ):
            if tokens[j].lower in TITLE_HEADS:
                break
            j += 1
        if j == i + 1 or j - i > 4:
            i += 1
            continue
        # the title: capitalised words before the head ("Foreign Minister")
        k = i
        while k > 0 and tokens[k - 1].capitalised and adjacent(text, tokens[k - 1], tokens[k]):
            if tokens[k - 1].lower in FUNCTION_WORDS or _opens_sentence_as_adverb(
                text, tokens[k - 1]
            ):
                break
            k -= 1
        title = " ".join([*(t.lower for t in tokens[k:i]), head])
        last = j - 1
        if tokens[last].lower in _SUFFIXES and last > i + 1:
            last -= 1  # "Martin Luther King Jr": the surname is "King"
        surname = _bare(tokens[last].text)
        out.append(Mention(surname, title, Span(tokens[k].start, tokens[j - 1].end), surname))
        i = j
    return out


def _opens_sentence_as_adverb(text: str, tok: Word) -> bool:
    """A sentence's first word that is an adverb, capitalised only for its place: "Later
    Governor Holt left" (the article writes it lower case elsewhere, or it ends in -ly)."""
    opens = tok.start == 0 or text[: tok.start].rstrip()[-1:] in '.!?"”\n'
    if not opens:
        return False
    return tok.lower.endswith("ly") or tok.lower in _SEQUENCE or f" {tok.lower} " in text


#: Adverbs of time and sequence that open a sentence before a name.
_SEQUENCE = word_set("later earlier then now meanwhile today yesterday tomorrow afterwards next")


def adjacent(text: str, a: Word, b: Word) -> bool:
    """Next to each other in one name: only a space between, or an abbreviation's point
    ("Rep. Paul Ryan"), never a sentence's end ("San Diego. Governor Perry")."""
    gap = text[a.end : b.start]
    if "\n" in gap:
        return False
    if gap.strip() == "":
        return True
    return gap.strip() == "." and len(a.text) <= 3 and a.capitalised


def _straight(name: str) -> str:
    """Curly apostrophes straightened: "O’Toole" and "O'Toole" are one spelling."""
    return name.replace("’", "'")


def _bare(name: str) -> str:
    """A name less its possessive: "Lavrov's" -> "Lavrov"."""
    return re.sub(r"['’]s?$", "", name)


def _name_word(tok: Word) -> bool:
    return (
        tok.capitalised
        and len(tok.text) > 2
        and tok.lower not in FUNCTION_WORDS
        and tok.lower not in TITLE_HEADS
        and tok.lower not in CALENDAR
        and not tok.text.isupper()
    )


def spellings(text: str, tokens: list[Word]) -> list[Finding]:
    """Names spelled two ways: two-word names that share one word and differ by a letter
    or two in the other, and a full name's surname respelt where it stands alone."""
    is_name = [_name_word(t) for t in tokens]
    names: list[tuple[str, str, Span]] = []
    for k, (a, b) in enumerate(itertools.pairwise(tokens)):
        if is_name[k] and is_name[k + 1] and adjacent(text, a, b):
            names.append((_straight(a.text), _bare(_straight(b.text)), Span(a.start, b.end)))
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    uses = Counter(
        _bare(_straight(t.text)) for t, name in zip(tokens, is_name, strict=True) if name
    )
    for i, (a1, b1, span1) in enumerate(names):
        for a2, b2, span2 in names[i + 1 :]:
            pair = None
            if a1 == a2 and b1 != b2 and near_miss(b1, b2):
                pair = (b1, b2)
            elif b1 == b2 and a1 != a2 and near_miss(a1, a2):
                pair = (a1, a2)
            if pair is None or pair in seen:
                continue
            seen.add(pair)
            # the odd one out is the spelling the article uses less; of two alike, the later
            odd, other = (span1, span2) if uses[pair[0]] < uses[pair[1]] else (span2, span1)
            out.append(_spelling(text, odd, other))
    out += _lone_surnames(text, tokens, names, seen)
    return out


def _lone_surnames(
    text: str, tokens: list[Word], names: list[tuple[str, str, Span]], seen: set[tuple[str, str]]
) -> list[Finding]:
    """A surname spelled unlike a full name's: "Sergey Lavrov" ... "Lavorv" on its own or
    "Michael Lavorv" later. The spelling the article uses more often is taken as right (of
    two used alike, the later is flagged). A word inside a longer name ("Staten Island")
    is not a surname; an ending is not a slip (:func:`near_miss`)."""
    surnames = {b: span for _, b, span in reversed(names)}  # the first full mention of each
    # near_miss needs the same initial: only those surnames are compared with a word
    by_initial: dict[str, list[tuple[str, Span]]] = {}
    for surname, span in surnames.items():
        by_initial.setdefault(surname[:1].lower(), []).append((surname, span))
    is_name = [_name_word(t) for t in tokens]
    uses = Counter(_bare(t.text) for t, name in zip(tokens, is_name, strict=True) if name)
    # words the article also writes in lower case are words, not names: "Life", "Role"
    lower = {t.lower for t in tokens if t.text[:1].islower()}
    out: list[Finding] = []
    for i, tok in enumerate(tokens):
        if not is_name[i] or not _surname_place(text, tokens, i, is_name):
            continue
        form = _bare(tok.text)
        if form.lower() in lower:
            continue
        for surname, span in by_initial.get(form[:1].lower(), ()):
            if abs(len(form) - len(surname)) > 1 or form == surname:
                continue
            if (form, surname) in seen or (surname, form) in seen:
                continue
            if not near_miss(form, surname):
                continue
            if uses[form] > uses[surname] or (
                uses[form] == uses[surname] and form in surnames and tok.start < span.start
            ):
                continue  # the other is the odd one out: it is flagged where it stands
            seen.add((form, surname))
            out.append(_spelling(text, Span(tok.start, tok.start + len(form)), span))
    return out


def _surname_place(text: str, tokens: list[Word], i: int, is_name: list[bool]) -> bool:
    """A word on its own, or the last of a name: where a surname stands."""
    return not (i + 1 < len(tokens) and is_name[i + 1] and adjacent(text, tokens[i], tokens[i + 1]))


def _in_a_name(text: str, tokens: list[Word], i: int) -> bool:
    before = i > 0 and _name_word(tokens[i - 1]) and adjacent(text, tokens[i - 1], tokens[i])
    after = (
        i + 1 < len(tokens)
        and _name_word(tokens[i + 1])
        and adjacent(text, tokens[i], tokens[i + 1])
    )
    return before or after


def _spelling(text: str, here: Span, other: Span) -> Finding:
    return Finding(
        category="internal_inconsistency",
        quote=text[here.start : here.end],
        start=here.start,
        explanation=(
            f'The name is spelled "{text[here.start : here.end]}" here and '
            f'"{text[other.start : other.end]}" {"earlier" if other.start < here.start else "elsewhere"}.'
        ),
        suggestion="Check the spelling and use one throughout.",
        severity="medium",
        confidence=CONFIDENCE,
    )
