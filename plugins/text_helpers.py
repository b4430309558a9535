"""Reading news prose for the deterministic checkers: sentences, words, quotations, attribution.

Everything here works on offsets into one text, so a checker can say exactly where a
word it flags is (``Finding.start``) and the host anchors repeats correctly.

- :func:`split_sentences` splits prose into sentences, not at "Gen." or "U.S.";
- :func:`words` gives the word tokens with their offsets;
- :func:`quoted_spans` finds what is inside quotation marks (straight, curly, single);
- :func:`report_verb` says whether a word reports speech ("claimed" -> "claim"); who said
  what, and so which words are the reporter's own, is :mod:`.attribution`'s;
- :func:`lemma_candidates`, :func:`verb_forms` and :func:`word_family` (from
  :mod:`.inflection`) give a word's inflections and family.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import NamedTuple

from copydesk.types import Article, Span

from . import word_lists
from .inflection import lemma_candidates as lemma_candidates
from .inflection import verb_forms
from .inflection import word_family as word_family


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list: how the word lists here are written."""
    return frozenset(text.split())


#: English function words: determiners, pronouns, prepositions, conjunctions, auxiliaries.
#: They end a noun phrase and are never the head of one.
FUNCTION_WORDS = word_set(
    """
    a an the this that these those some any each every either neither no all both i me
    my mine we us our ours you your yours he him his she her hers it its they them their
    theirs who whom whose which what whatever whoever where when why how whether if than
    then and or but nor so yet for as because since unless until while although though
    of to in on at by from with without within into onto upon about above below over
    under after before between among across against along around through during toward
    towards via per like near off out up down past beyond despite except is are was were
    be been being am has have had having do does did doing done will would shall should
    can could may might must ought not n't also just only even still already again too
    very there here said says say told
    """
)

#: The names of the months and the weekdays: capitalised, and no one's name.
CALENDAR = word_set(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)
#: Words that say when by themselves ("yesterday", "last week", "on Tuesday night").
_TIME_NOUNS = word_set(
    "today yesterday tonight tomorrow morning afternoon evening night day days week weeks "
    "weekend month months year years"
)
#: Words a time expression may hold besides its time nouns: "on the morning of 3 March".
_TIME_FILLERS = word_set("the this last next early earlier late later of")
#: Prepositions that open a time expression: "on Monday", "in March", "during the night".
_TIME_OPENERS = word_set("on in at during since until by over")


def time_words(tokens: list[Word]) -> set[int]:
    """The indices of the words of ``tokens`` that say when: a run of calendar words, time
    nouns and numbers ("Monday", "last week", "on the night of 3 March"), with the
    preposition before it. A bare "May" is a name ("Theresa May"), a month only after a
    preposition or beside a number ("in May", "May 3")."""
    out: set[int] = set()
    k = 0
    while k < len(tokens):
        j = k + 1 if tokens[k].lower in _TIME_OPENERS else k
        run = j
        while j < len(tokens) and _time_word(tokens, j, opened=run > k):
            j += 1
        # fillers alone say nothing of when: "of the board", "the last"
        if any(tokens[m].lower not in _TIME_FILLERS for m in range(run, j)):
            out.update(range(k, j))
            k = j
        else:
            k += 1
    return out


def _time_word(tokens: list[Word], m: int, opened: bool) -> bool:
    """Whether ``tokens[m]`` may stand in a time expression (``opened``: after a preposition)."""
    word = tokens[m].lower
    if word == "may":
        beside = [tokens[n].text for n in (m - 1, m + 1) if 0 <= n < len(tokens)]
        return opened or any(b[:1].isdigit() for b in beside)
    return (
        word in CALENDAR
        or word in _TIME_NOUNS
        or word in _TIME_FILLERS
        or bool(re.fullmatch(r"\d{1,4}(?:st|nd|rd|th|s)?", word))
    )


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}  # fmt: skip


def number_value(word: str) -> int | None:
    """``"two"`` -> 2, ``"12"`` -> 12, ``"1,200"`` -> 1200; ``None`` for anything else."""
    w = word.lower().replace(",", "")
    if w.isdigit():
        return int(w)
    return _NUMBER_WORDS.get(w)


# words -----------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'’\-]*[A-Za-z0-9])?")


class Word(NamedTuple):
    # A named tuple, not a dataclass: an article makes hundreds of these, and the
    # checkers read ``lower`` thousands of times (measured: 8% of an article's CPU).
    text: str
    start: int
    end: int
    #: Lower case, with curly apostrophes straightened.
    lower: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def words(text: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The word tokens of ``text[start:end]`` with offsets into ``text``."""
    return list(_words(text, start, len(text) if end is None else end))


@functools.lru_cache(maxsize=4096)
def _words(text: str, start: int, end: int) -> tuple[Word, ...]:
    # Cached: every checker tokenises the same sentences of the same article (measured: a
    # third of copydesk's own CPU per article before the cache).
    return tuple(
        Word(t, m.start(), m.end(), t.lower().replace("’", "'"))
        for m in _WORD.finditer(text, start, end)
        for t in (m.group(),)
    )


@cache
def _report_forms() -> dict[str, str]:
    """Every form of every report verb, to its lemma (one-word verbs only).

    The list has some inflected forms as entries of their own ("told" beside "tell"): a
    form maps to the lemma it inflects before it maps to itself, and where two lemmas
    share a form the first in alphabetical order wins. Both rules are explicit because the
    list is a set: walking it in hash order made "told" the lemma of "told" in some
    processes and "tell" in others, and with it whether "X told Y: '...'" reported speech.
    """
    lemmas = sorted(v for v in word_lists.report_verbs() if " " not in v)
    out: dict[str, str] = {}
    for lemma in lemmas:
        for form in sorted(verb_forms(lemma) - {lemma}):
            out.setdefault(form, lemma)
    for lemma in lemmas:
        out.setdefault(lemma, lemma)
    out.pop("saying", None)
    return out


def report_verb(word: str) -> str | None:
    """The report verb ``word`` is a form of ("claimed" -> "claim"), or ``None``."""
    return _report_forms().get(word.lower())


def inflected_report_verb(word: str) -> bool:
    """A report verb in an inflected form ("said", "agreed"), which a noun seldom is
    (unlike "answer" or "report")."""
    lemma = report_verb(word)
    return lemma is not None and lemma != word.lower()


# sentences -------------------------------------------------------------------------------

_ABBREVIATIONS = word_set(
    """
    mr mrs ms dr prof gen sen rep gov lt col capt sgt st jr sr inc ltd co corp vs no nos
    jan feb mar apr jun jul aug sep sept oct nov dec fig approx dept est rev hon adm maj
    cmdr u.s u.k u.n e.g i.e a.m p.m
    """
)
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_BLOCK = re.compile(r"\S(?:.|\n(?!\s*\n))*")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The sentences of ``text[start:end]`` as spans of ``text`` (line breaks inside a
    paragraph are just spaces; a blank line always ends a sentence)."""
    return list(_split_sentences(text, start, len(text) if end is None else end))


@functools.lru_cache(maxsize=1024)
def _split_sentences(text: str, start: int, end: int) -> tuple[Span, ...]:
    # Cached: every checker splits the same paragraphs of the same article.
    # Hand-written, as measured against pysbd and syntok (issue #13) on the BASIL dev half
    # with bench/sentences.py: of 904 annotated spans, this cuts 22 with a boundary (most
    # are spans the annotators ran over two quoted sentences), of the 322 that end a
    # sentence it ends 320, in 0.2 ms an article. syntok cut 24 (it splits "Gov. | Jeb
    # Bush") and ended 321, at 3.0 ms; pysbd cut 8 because it ended only 286, at 14 ms, and
    # cost bench/quality.py's BASIL recall (lexical 0.082 -> 0.066, informational 0.129 ->
    # 0.103). syntok left BABE unchanged and added two BASIL findings, none a marked span.
    out: list[Span] = []
    for block in _BLOCK.finditer(text, start, end):
        # A sentence never ends in the spaces before a line break.
        b_start, b_end = block.start(), block.start() + len(block.group().rstrip())
        cursor = b_start
        for m in _END.finditer(text, b_start, b_end):
            token = _word_before(text, cursor, m.start())
            if m.group().startswith(".") and (token in _ABBREVIATIONS or len(token) == 1):
                continue  # "Gen. Bajwa", "J. Smith"
            out.append(Span(cursor, m.end()))
            cursor = m.end()
            while cursor < b_end and text[cursor].isspace():
                cursor += 1
        if cursor < b_end:
            out.append(Span(cursor, b_end))
    return tuple(out)


def _word_before(text: str, cursor: int, at: int) -> str:
    """The letters and points just before ``at``, lower-cased, less a final point: "u.s"
    for "U.S.", "clichés" (not an initial "s", as an ASCII-only pattern read it)."""
    i = at
    while i > cursor and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    return text[i:at].lower().rstrip(".")


def article_sentences(article: Article) -> list[Span]:
    """The sentences of the article's analysed body, paragraph by paragraph."""
    out: list[Span] = []
    for para in article.paragraphs:
        out.extend(split_sentences(article.text, para.start, para.end))
    return out


# quotation -------------------------------------------------------------------------------


def quoted_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """What is inside quotation marks in ``text[start:end]``, marks included.

    Double quotes pair up (a quote still open at the end of the range runs to its end, as
    a quotation continued into the next paragraph does); single quotes count only when
    they open at the start of a word and close at the end of one, so apostrophes in
    "Pakistan's" or "players' union" are not quotes.
    """
    return list(_quoted_spans(text, start, len(text) if end is None else end))


_SINGLE_QUOTED = re.compile(r"(?<![\w'’])['‘](?=\w)([^'‘’\n]{1,200}?)(?<=[\w.,!?])['’](?!\w)")


@functools.lru_cache(maxsize=4096)
def _quoted_spans(text: str, start: int, end: int) -> tuple[Span, ...]:
    # Cached: three checkers ask it of every sentence.
    spans: list[Span] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if ch == "“" or (ch == '"' and open_at is None):
            if open_at is None:
                open_at = i
        elif ch in '”"' and open_at is not None:
            spans.append(Span(open_at, i + 1))
            open_at = None
    if open_at is not None:
        spans.append(Span(open_at, end))
    for m in _SINGLE_QUOTED.finditer(text, start, end):
        span = Span(m.start(), m.end())
        if not any(s.overlaps(span) for s in spans):
            spans.append(span)
    return tuple(sorted(spans, key=lambda s: s.start))


def inside(spans: Iterable[Span], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies wholly within one of ``spans``."""
    return any(s.start <= start and end <= s.end for s in spans)


def iter_sentence_words(text: str, sentences: Iterable[Span]) -> Iterator[tuple[Span, list[Word]]]:
    for sentence in sentences:
        yield sentence, words(text, sentence.start, sentence.end)


_QUOTE_MARKS = "\"'“”‘’"


def joined(text: str, a: Word, b: Word) -> bool:
    """Whether ``b`` follows ``a`` with only spaces or quotation marks between them."""
    gap = text[a.end : b.start]
    return all(ch.isspace() or ch in _QUOTE_MARKS for ch in gap) and "\n\n" not in gap


def phrase_end(text: str, tokens: list[Word], i: int, max_words: int = 4) -> int:
    """Where the noun phrase that ``tokens[i]`` opens ends: through the content words that
    follow it ("unspecified 'special' military equipment"), up to a function word, a
    report verb, punctuation or ``max_words`` words."""
    end = tokens[i].end
    j = i + 1
    while j < len(tokens) and j - i <= max_words and joined(text, tokens[j - 1], tokens[j]):
        tok = tokens[j]
        if (
            tok.lower in FUNCTION_WORDS
            or inflected_report_verb(tok.text)
            or tok.lower.endswith("ly")
        ):
            break
        end = tok.end
        j += 1
    opened = sum(text.count(q, tokens[i].start, end) for q in '"“”')
    if opened % 2 and end < len(text) and text[end] in '"”':
        end += 1  # close the quotation the phrase opened: '"special"', not '"special'
    return end
