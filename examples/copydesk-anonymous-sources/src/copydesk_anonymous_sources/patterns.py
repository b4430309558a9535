"""The deterministic pass: anonymous and vague sourcing, found by patterns over sentences.

Four kinds of attribution, from the most to the least certainly a problem:

``anonymous``
    A source the article does not name and says it does not name: "sources said",
    "a source close to the board", "people familiar with the talks", "an official who
    spoke on condition of anonymity", "who asked not to be named".
``hearsay``
    A claim passed on from reports the article does not identify: "according to
    reports", "media reports suggest", "reportedly", "it was rumoured".
``unnamed_officials``
    Officials, aides, diplomats... with no name: "officials said", "Western diplomats
    told", "said a senior official".
``vague_authority``
    An appeal to an unnamed group: "experts say", "analysts believe", "critics argue",
    "some say".

An attribution counts only when the source is the one speaking: the vague noun is the
subject of a report verb ("officials said"), follows one after a comma or a quotation
("..., said a senior official"), or follows "according to". It does not count when the
source is definite ("the officials said": someone the article has already introduced) or
named ("said analyst Jane Doe", "experts such as Jane Doe").

Nothing here was written for one article: the word lists are the common vocabulary of
news attribution. The confidences are set by hand, in order of how certain each kind is
to be anonymous sourcing; they are not measured on labelled data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copydesk import Article, Finding, Span

#: The finding category this plugin adds (any lower_snake_case name is allowed).
CATEGORY = "anonymous_source"


@dataclass(frozen=True)
class Kind:
    """One kind of vague sourcing: how sure a match of it is, and what to tell the editor."""

    name: str
    rank: int  # which kind wins when matches of two kinds overlap
    severity: str
    confidence: float
    explanation: str  # "{phrase}" is the matched attribution
    suggestion: str


ANONYMOUS = Kind(
    "anonymous",
    4,
    "medium",
    0.6,
    'The article rests this on a source it does not name ("{phrase}"), and does not say '
    "why the source cannot be named or how they would know.",
    "Name the source, or tell the reader why they cannot be named and what puts them in a "
    "position to know.",
)
HEARSAY = Kind(
    "hearsay",
    3,
    "medium",
    0.5,
    'The claim is passed on from reports the article does not identify ("{phrase}"), so '
    "the reader cannot check it.",
    "Say which reports (outlet, date), or confirm the claim independently.",
)
UNNAMED_OFFICIALS = Kind(
    "unnamed_officials",
    2,
    "low",
    0.5,
    'The article attributes this to "{phrase}" without naming anyone, so the reader cannot '
    "tell who vouches for it.",
    "Name the officials, or at least the body they speak for and why they are unnamed.",
)
VAGUE_AUTHORITY = Kind(
    "vague_authority",
    1,
    "low",
    0.4,
    '"{phrase}" appeals to an unnamed group: the article names no one, and no study or '
    "institution, behind the claim.",
    "Name the experts (and their field or institution), or cut the appeal to authority.",
)


# vocabulary ------------------------------------------------------------------------------
# Patterns are compiled without re.IGNORECASE: capitals tell a name ("Jane Doe") from a
# word, so case-insensitive parts are written as scoped (?i:...) groups.


def _ci(*alternatives: str) -> str:
    """A case-insensitive alternation of regex fragments."""
    return "(?i:" + "|".join(alternatives) + ")"


def _any(fragments: str) -> str:
    r"""``_ci`` of white-space separated fragments (a fragment spells its spaces ``\s+``)."""
    return _ci(*fragments.split())


_DETERMINER = _any(
    r"a an one two three four five several some many most multiple other various numerous "
    r"a\s+number\s+of a\s+few a\s+couple\s+of a\s+handful\s+of"
)
#: Words a sentence may start with, or that name a time: never part of a source's title.
_NOT_A_MODIFIER = (
    r"(?:The|A|An|On|In|At|By|For|From|With|After|Before|When|While|If|As|Since|Until|"
    r"Although|Though|Because|But|And|Or|Yet|So|Then|Now|Today|Yesterday|Tonight|Earlier|"
    r"Later|Meanwhile|However|Still|Also|Last|Next|This|That|These|Those|It|He|She|We|They|"
    r"I|Its|His|Her|Their|Our|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
#: What may stand before the source's noun: a rank or body ("senior", "military"), or a
#: capitalised name of one ("White House", "Kremlin", "Western").
_MODIFIER = (
    "(?:"
    + _any(
        r"senior top high-ranking high-level junior mid-level local regional federal state "
        r"national government administration military intelligence security industry party "
        r"police company diplomatic western foreign independent unnamed anonymous "
        r"knowledgeable informed well-placed reliable trusted credible current former leading "
        r"prominent outside other"
    )
    + rf"|(?!{_NOT_A_MODIFIER})[A-Z][\w.'’&-]*"
    + ")"
)
_ANONYMOUS_NOUN = _any(r"sources? insiders?")
#: People are anonymous sources only with a qualifier: "people familiar with the talks".
_PERSON_NOUN = _any(r"people persons? individuals? someone a\s+man a\s+woman")
_OFFICIAL_NOUN = _any(
    r"officials? aides? diplomats? staffers? advis[eo]rs? lawmakers? executives? employees? "
    r"investigators? officers?"
)
_AUTHORITY_NOUN = _any(
    r"experts? analysts? observers? critics? commentators? economists? scientists? "
    r"researchers? academics? specialists? pundits?"
)
_FAMILIAR = _any(
    r"familiar\s+with close\s+to with\s+(?:direct\s+|first-hand\s+|detailed\s+)?knowledge\s+of "
    r"briefed\s+on involved\s+in privy\s+to knowledgeable\s+about aware\s+of"
)
_PLACE = _any(r"at in from within inside on")
#: Verbs of saying and believing, in the forms that follow a subject.
_VERB = _any(
    r"said says? told tells? believes? believed think thinks thought warn(?:s|ed)? "
    r"claim(?:s|ed)? suggest(?:s|ed)? indicate[sd]? confirm(?:s|ed)? insist(?:s|ed)? "
    r"argue[sd]? fear(?:s|ed)? expect(?:s|ed)? estimate[sd]? add(?:s|ed) note[sd]? "
    r"stress(?:es|ed)? acknowledge[sd]? allege[sd]? admit(?:s|ted)? predict(?:s|ed)? "
    r"caution(?:s|ed)? reveal(?:s|ed)? disclose[sd]? agree[sd]? contend(?:s|ed)? "
    r"maintain(?:s|ed)? concede[sd]? speculate[sd]? assert(?:s|ed)? explain(?:s|ed)?"
)
#: What may stand between the source and its verb: "officials have long warned".
_AUXILIARY = _any(
    r"have has had would will could may might also privately publicly now still repeatedly "
    r"previously earlier already long widely"
)
#: A clause between the source and its verb that only describes the source.
_ASIDE = (
    r",\s*"
    + _ci(r"who", r"speaking", r"asking", r"requesting", r"declining", r"talking")
    + r"\b[^,.;:!?]{1,110},"
)


def _source(qualifier_tail: str) -> str:
    """The source's noun phrase; ``qualifier_tail`` ends a "familiar with ..." qualifier."""
    familiar = rf"{_FAMILIAR}\s+{qualifier_tail}"
    place = rf"{_PLACE}\s+{qualifier_tail}"
    return (
        rf"(?:{_DETERMINER}\s+)?(?:{_MODIFIER}\s+){{0,3}}"
        rf"(?:(?P<anonymous>{_ANONYMOUS_NOUN})(?:\s+(?:{familiar}|{place}))?"
        rf"|(?P<person>{_PERSON_NOUN})\s+{familiar}"
        rf"|(?P<official>{_OFFICIAL_NOUN})(?:\s+(?:{familiar}|{place}))?"
        rf"|(?P<authority>{_AUTHORITY_NOUN})(?:\s+{place})?)"
    )


# Before a verb the qualifier ends where the verb begins (lazy); at the end of a clause it
# runs to the punctuation (greedy).
_LAZY_TAIL = r"[^,.;:!?\"“”()]{1,60}?"
_GREEDY_TAIL = r"[^,.;:!?\"“”()]{1,60}"

_INVERTED_VERB = _any(
    r"said says added noted warned explained insisted claimed stressed argued told"
)
_ACCORDING = _ci("according") + r"\s+to"
_REPORTS = _ci("reports")
_REPORTS_QUALIFIER = _any(
    r"some several many multiple unconfirmed unverified media news press local recent earlier "
    r"previous published widespread other"
)
_REPORTS_VERB = _any(r"say said suggest(?:ed)? indicate[sd]? claim(?:ed)?")
_WAS = _any(r"is was has\s+been had\s+been")
_SOME = _any("some many others") + r"(?:\s+" + _any("people observers") + ")?"
_SOME_VERB = _any(
    r"say said believe[sd]? argue[sd]? think thought claim(?:ed)? suggest(?:ed)? fear(?:ed)? "
    r"feel felt contend contended"
)

#: "Officials said", "a senior official, who spoke on condition of anonymity, said".
SOURCE_THEN_VERB = re.compile(
    rf"\b(?P<who>{_source(_LAZY_TAIL)})(?:{_ASIDE})?\s+(?:{_AUXILIARY}\s+){{0,2}}{_VERB}\b"
)
#: '..., said a senior official.', '"...," said people familiar with the plan.'
VERB_THEN_SOURCE = re.compile(
    rf"[,\"'”’]\s*{_INVERTED_VERB}\s+(?P<who>{_source(_GREEDY_TAIL)})"
    rf"(?=\s*(?:[,.;:!?)\"”’]|$)|\s+(?i:who)\b)"
)
#: "according to officials", "according to people familiar with the matter".
ACCORDING_TO = re.compile(rf"\b{_ACCORDING}\s+(?P<who>{_source(_GREEDY_TAIL)})\b")
#: Hearsay: reports the article does not identify ("according to a report by the
#: National Audit Office" identifies one).
HEARSAY_PATTERNS = (
    re.compile(
        rf"\b{_ACCORDING}\s+(?:{_REPORTS_QUALIFIER}\s+){{0,2}}{_REPORTS}\b"
        r"(?!\s+(?:by|from|in|of|on)\s+(?:the\s+)?[A-Z])"
    ),
    re.compile(rf"\b(?:{_REPORTS_QUALIFIER}\s+)?{_REPORTS}\s+(?:(?i:have)\s+)?{_REPORTS_VERB}\b"),
    re.compile(r"\b(?i:reportedly)(?:\s+[a-z]+)?\b"),
    re.compile(rf"\b(?i:it)\s+{_WAS}\s+(?:(?i:widely)\s+)?(?i:reported|rumou?red)\b"),
    re.compile(r"\b(?i:rumou?rs)\s+(?i:say|suggest|have\s+it)\b"),
)
#: "some say", "many believe", "others argue": a claim put in nobody's mouth in particular.
SOME_SAY = re.compile(rf"\b{_SOME}\s+(?:(?i:have|had)\s+)?{_SOME_VERB}\b")
#: An explicit grant of anonymity, wherever it is in the sentence.
ANONYMITY = re.compile(
    r"(?:\b(?i:who|and)\s+)?\b"
    + _ci(
        r"(?:spoke|speaking|talked|talking)\s+on\s+(?:the\s+)?condition\s+"
        r"(?:of\s+anonymity|that\s+(?:they|he|she)\s+not\s+be\s+(?:named|identified))",
        r"on\s+(?:the\s+)?condition\s+of\s+anonymity",
        r"(?:asked|requested|declined)\s+not\s+to\s+be\s+(?:named|identified)",
        r"declined\s+to\s+be\s+(?:named|identified)",
        r"(?:asked|requested|was\s+granted|were\s+granted|was\s+given|were\s+given)\s+anonymity",
        r"speaking\s+anonymously",
        r"(?:because|as)\s+(?:they|he|she)\s+(?:was|were|is|are)\s+not\s+authori[sz]ed\s+to\s+"
        r"(?:speak|talk|comment)(?:\s+publicly)?",
    )
    + r"\b"
)

#: A definite source is someone the article has introduced: "the officials said".
_DEFINITE_BEFORE = re.compile(r"\b(?i:the|this|that|these|those|his|her|its|their|our|your|my)\s+$")
#: The vague noun is followed by a name: "analyst Jane Doe", "experts such as Jane Doe".
_NAMED_AFTER = re.compile(
    r"(?:\s+(?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’-]+"
    r"|,?\s+(?i:such\s+as|including|like|led\s+by|among\s+them|notably)\s+[A-Z])"
)
#: Experts "at Northgate University" or "from the Kestrel Institute" speak for a body the
#: reader can look up; unnamed officials of a named body are still unnamed officials.
_OF_A_NAMED_BODY = re.compile(r"\b(?i:at|from|of|with)\s+(?:(?i:the)\s+)?[A-Z]")
_LEADING = frozenset(" ,\"'”’")


# sentences -------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([\w.]+)$")
_ABBREVIATIONS = frozenset(
    [
        "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "gov",
        "sen", "rep", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "dept",
        "est", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e",
    ]
)  # fmt: skip


def sentences(article: Article) -> list[Span]:
    """The analysed body's sentences, as spans of ``article.text``.

    Paragraphs first (a sentence never crosses one), then ends of sentence that are not
    the full stop of an abbreviation ("Gen.", "U.S.") or of an initial ("J. Doe").
    """
    text = article.text
    out: list[Span] = []
    for para in article.paragraphs:
        start = para.start
        for end in _SENTENCE_END.finditer(text, para.start, para.end):
            last = _LAST_WORD.search(text, start, end.start())
            word = last.group(1).lower() if last else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            out.append(Span(start, end.end()))
            start = end.end()
            while start < para.end and text[start].isspace():
                start += 1
        if start < para.end:
            out.append(Span(start, para.end))
    return out


# matching --------------------------------------------------------------------------------


@dataclass
class _Match:
    start: int
    end: int
    kind: Kind


def _kind_of(match: re.Match[str]) -> Kind:
    if match.group("anonymous") or match.group("person"):
        return ANONYMOUS
    if match.group("official"):
        return UNNAMED_OFFICIALS
    return VAGUE_AUTHORITY


def _matches(text: str, sentence: Span) -> list[_Match]:
    s, e = sentence.start, sentence.end
    found: list[_Match] = []
    for pattern in (SOURCE_THEN_VERB, VERB_THEN_SOURCE, ACCORDING_TO):
        for m in pattern.finditer(text, s, e):
            kind = _kind_of(m)
            if _DEFINITE_BEFORE.search(text, s, m.start("who")):
                continue
            if _NAMED_AFTER.match(text, m.end("who"), e):
                continue
            if kind is VAGUE_AUTHORITY and _OF_A_NAMED_BODY.search(m.group("who")):
                continue
            start = m.start()
            while text[start] in _LEADING:  # the comma or quote mark an inversion follows
                start += 1
            found.append(_Match(start, m.end(), kind))
    for m in ANONYMITY.finditer(text, s, e):
        found.append(_Match(m.start(), m.end(), ANONYMOUS))
    for pattern in HEARSAY_PATTERNS:
        for m in pattern.finditer(text, s, e):
            found.append(_Match(m.start(), m.end(), HEARSAY))
    for m in SOME_SAY.finditer(text, s, e):
        found.append(_Match(m.start(), m.end(), VAGUE_AUTHORITY))
    return found


def _joined(text: str, matches: list[_Match]) -> list[_Match]:
    """One match per attribution: matches that overlap, or touch with only spaces and
    commas between them ("said a senior official" + "who spoke on condition of
    anonymity"), become one, of the strongest kind among them."""
    joined: list[_Match] = []
    for m in sorted(matches, key=lambda m: (m.start, -m.end)):
        last = joined[-1] if joined else None
        if last is not None and (m.start < last.end or not text[last.end : m.start].strip(" ,")):
            strongest = max(last.kind, m.kind, key=lambda k: k.rank)
            joined[-1] = _Match(last.start, max(last.end, m.end), strongest)
        else:
            joined.append(m)
    return joined


def find_anonymous_sources(article: Article) -> list[Finding]:
    """Every attribution to an anonymous or vague source in the article's analysed body."""
    text = article.text
    findings: list[Finding] = []
    for sentence in sentences(article):
        for m in _joined(text, _matches(text, sentence)):
            quote = text[m.start : m.end]
            findings.append(
                Finding(
                    category=CATEGORY,
                    quote=quote,
                    start=m.start,  # the host anchors the quote here, not at an earlier repeat
                    explanation=m.kind.explanation.format(phrase=quote),
                    suggestion=m.kind.suggestion,
                    severity=m.kind.severity,
                    confidence=m.kind.confidence,
                )
            )
    return findings
