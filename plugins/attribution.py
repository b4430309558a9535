"""Who says what in news prose: reported speech, its speaker, and the reporter's own voice.

- :func:`attributions` finds the parts of a sentence that report someone's words or views,
  each with the words that name (or fail to name) the speaker: "X said (that) ...",
  "..., X said", "..., said X", "according to X", "X called the plan reckless", "described
  by X as ...", "X warned of ...";
- :func:`attributed_spans` is their content alone, and :func:`reporter_voice` a sentence
  less that content and less its quotations: the words the reporter chose;
- :func:`anonymous` tells a speaker no reader can identify ("critics", "officials", "a
  source close to the board") from a named one ("Lavrov", "the minister", "White House
  officials", "he").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from copydesk.types import Span

from . import word_lists
from .text_helpers import (
    FUNCTION_WORDS,
    Word,
    quoted_spans,
    report_verb,
    time_words,
    word_set,
    words,
)

_MODALS = word_set("to will would could may might can should must did does do not never")
_DETERMINERS = word_set("the a an his her its their our your my this these those")
_PASSIVE_AUXILIARIES = word_set("is are was were be been being")
#: Words a speaker's name or description may contain: "he", "the minister of state".
_SPEAKER_WORDS = _DETERMINERS | word_set("he she they it we i you who of for and")
_PRONOUNS = word_set("he she they it we i you who his her their")
#: What opens an indefinite description: "a source", "one official", "some critics".
_INDEFINITE = word_set("a an one some several many two three few other others numerous various")
#: Prepositions after which a report verb's object is what was said: "warned of a
#: shortfall", "spoke of betrayal", "complained about the noise".
_CONTENT_PREPOSITIONS = word_set("of about")
#: Words that open a clause inside a sentence, before its speaker.
_OPENERS = word_set("what which that who whom and but while as because when after although")


class Attribution(NamedTuple):
    """Reported words and who reports them."""

    #: The reported content: "the plan was reckless".
    content: Span
    #: The words for the speaker ("critics"), or ``None`` where none are given ("is said
    #: to be").
    speaker: Span | None


@cache
def _clause_verbs() -> frozenset[str]:
    """Report verbs that take a clause ("said the plan would fail"): the assertive ones."""
    return word_lists.report_verbs() & word_lists.assertives() | {"tell", "add", "warn", "note"}


#: Verbs whose object is followed by what the speaker calls it: "critics called the plan
#: reckless", "branded him a liar". (Any report verb does so with "as": "slammed the plan
#: as reckless", "described it as a disgrace".)
_NAMING_VERBS = word_set("call brand dub label term")


def attributed_spans(text: str, sentence: Span) -> list[Span]:
    """The parts of one sentence that report someone else's words or views."""
    return [a.content for a in attributions(text, sentence)]


def attributions(text: str, sentence: Span) -> list[Attribution]:
    """Every report of speech in one sentence, with its speaker.

    - "according to X" anywhere: the whole sentence, X the speaker;
    - "<content>, <speaker> said ..." or "<content>, said <speaker>": the content before
      the comma (what follows the speaker, "... as the talks ended", is the reporter's);
    - "<speaker> said (that) <content>": the content after the verb, to the sentence end;
      the verb must take a clause (say, claim, argue ...) or be followed by "that";
    - "<speaker> called the plan reckless", "... slammed it as ...", "described by
      <speaker> as ...", "<speaker> warned of ...": the verb's object and what it is
      called, to the end of the clause.
    """
    return list(_attributions(text, sentence))


@functools.lru_cache(maxsize=4096)
def _attributions(text: str, sentence: Span) -> tuple[Attribution, ...]:
    s_text = text[sentence.start : sentence.end]
    tokens = words(text, sentence.start, sentence.end)
    according = re.search(r"\baccording to\b", s_text, re.I)
    if according:
        after = sentence.start + according.end()
        return (Attribution(sentence, _speaker_after(text, tokens, after, sentence)),)
    out: list[Attribution] = []
    for i, tok in enumerate(tokens):
        lemma = report_verb(tok.text) or _naming_lemma(tok.lower)
        if lemma is None or tok.lower.endswith("ing"):
            continue
        prev = tokens[i - 1].lower if i else ""
        if i > 1 and tokens[i - 1].capitalised:
            prev = ""  # "Theresa May said": a name, not the modal
        if prev in _MODALS or prev in _DETERMINERS or (tok.lower == lemma and i == 0):
            continue  # "will say", "the remarks": not a finite report verb
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        if _auxiliary_before(tokens, i) in _PASSIVE_AUXILIARIES:
            by = _passive_agent(text, tokens, i, sentence)
            if by is not None:
                out.append(by)  # "described by critics as reckless"
            continue  # "is said to be": a passive names no speaker
        trailing = _trailing(text, tokens, i, sentence)
        if nxt in _CONTENT_PREPOSITIONS and trailing is None:
            content = _to_clause_end(text, tokens[i + 1].start, sentence)
            out.append(Attribution(content, _speaker_before(text, tokens, i, sentence)))
            continue  # "warned of a catastrophic shortfall"
        if nxt in ("to", "by", "for", "with", "of", "up", "out", "off") or (
            nxt in ("on", "in") and trailing is None
        ):
            continue  # "agreed to", "supported by": not a report of speech
        if trailing is not None:
            after = text[tok.end : sentence.end]
            speaker = _speaker_between(text, tokens, trailing.end, i, sentence)
            if len(words(text, trailing.start, trailing.end)) <= 5 and re.match(
                r"(?:\s+[\w'’]+){0,4}\s*,", after
            ):
                trailing = sentence  # "The plan, officials said, is ...": it is all theirs
            out.append(Attribution(trailing, speaker))
            continue
        if i + 1 >= len(tokens):
            continue
        speaker = _speaker_before(text, tokens, i, sentence)
        if lemma not in _clause_verbs() and _names_its_object(text, tokens, i, lemma, sentence):
            out.append(Attribution(_to_clause_end(text, tokens[i + 1].start, sentence), speaker))
            continue
        takes_clause = lemma in _clause_verbs() or any(
            t.lower == "that" for t in tokens[i + 1 : i + 4]
        )
        if takes_clause:
            out.append(Attribution(Span(tokens[i + 1].start, sentence.end), speaker))
    return tuple(out)


def _auxiliary_before(tokens: list[Word], i: int) -> str:
    """The word before the verb at ``i``, past any adverbs: "is increasingly seen",
    "was widely reported", "were reportedly told" are passives as "is seen" is."""
    j = i - 1
    while j > 0 and tokens[j].lower.endswith("ly") and len(tokens[j].lower) > 4:
        j -= 1
    return tokens[j].lower if j >= 0 else ""


def _naming_lemma(word: str) -> str | None:
    """ "called" -> "call", "branded" -> "brand", "dubbed" -> "dub": the naming verbs, in
    their finite forms."""
    return _NAMING_FORMS.get(word)


#: Each finite form of a naming verb, to the verb (built once: the checkers ask it of
#: every word of every sentence).
_NAMING_FORMS = {
    form: lemma
    for lemma in sorted(_NAMING_VERBS)
    for form in (lemma + "s", lemma + "ed", lemma + "d", lemma + lemma[-1] + "ed")
}


def _names_its_object(text: str, tokens: list[Word], i: int, lemma: str, sentence: Span) -> bool:
    """ "called the plan reckless", "slammed the plan as reckless": the verb says what the
    speaker calls its object, so the rest of the clause is the speaker's."""
    if lemma in _NAMING_VERBS:
        return True
    end = _to_clause_end(text, tokens[i].end, sentence).end
    return any(t.lower == "as" and t.end <= end for t in tokens[i + 1 : i + 8])


def _to_clause_end(text: str, start: int, sentence: Span) -> Span:
    """From ``start`` to the comma, semicolon or dash that ends the clause, or the sentence."""
    m = re.search(r"[,;:—–]|\s-\s", text[start : sentence.end])
    return Span(start, start + m.start() if m else sentence.end)


def _trailing(text: str, tokens: list[Word], i: int, sentence: Span) -> Span | None:
    """For "<content>, <speaker> said" or "<content>," said <speaker>: the content's span."""
    # the comma (or closing quote) that ends the content, at most six words before the verb
    for j in range(i, max(-1, i - 7), -1):
        gap_start = tokens[j - 1].end if j > 0 else sentence.start
        gap = text[gap_start : tokens[j].start]
        if re.search(r"[,:;]\s*[\"'”’]?\s*$|[\"”’]\s*$", gap) and j > 0:
            if any(t.lower in FUNCTION_WORDS - _SPEAKER_WORDS for t in tokens[j:i]):
                return None
            return Span(sentence.start, gap_start)
    return None


def _speaker_between(
    text: str, tokens: list[Word], content_end: int, i: int, sentence: Span
) -> Span | None:
    """ "..., critics said": the words between the content and the verb; "..., said X":
    the words after the verb."""
    between = [t for t in tokens[:i] if t.start >= content_end]
    if between:
        return _speaker_span(between)
    if report_verb(tokens[i].text) == "tell":
        return None  # "..., the chief of staff, told reporters": those after it are told
    return _speaker_after(text, tokens, tokens[i].end, sentence)


def _speaker_before(text: str, tokens: list[Word], i: int, sentence: Span) -> Span | None:
    """ "A source close to the board said": the words before the verb, back to the start
    of its clause, less auxiliaries and adverbs ("have", "also")."""
    stops = [m.end() for m in re.finditer(r"[,;:—–]", text[sentence.start : tokens[i].start])]
    clause_start = sentence.start + (stops[-1] if stops else 0)
    before = [t for t in tokens[:i] if t.start >= clause_start]
    # "what critics described as ...", "which critics have called ...": the speaker starts
    # after the relative word or conjunction
    opener = max((k for k, t in enumerate(before) if t.lower in _OPENERS), default=-1)
    before = before[opener + 1 :]
    while before and (
        before[-1].lower in ("has", "have", "had", "also", "again", "still", "later")
        or before[-1].lower.endswith("ly")
    ):
        before.pop()
    return _speaker_span(before)


def _speaker_span(speaker: list[Word]) -> Span | None:
    """The words for a speaker, less a time expression at either end: "officials on
    Monday", "Monday officials" are the officials, and Monday is when they spoke."""
    when = time_words(speaker)
    kept = [k for k in range(len(speaker)) if k not in when]
    if not kept:
        return None
    return Span(speaker[kept[0]].start, speaker[kept[-1]].end)


def _speaker_after(text: str, tokens: list[Word], at: int, sentence: Span) -> Span | None:
    after = [t for t in tokens if t.start >= at]
    end = _to_clause_end(text, at, sentence).end
    return _speaker_span([t for t in after if t.end <= end])


def _passive_agent(text: str, tokens: list[Word], i: int, sentence: Span) -> Attribution | None:
    """ "described by critics as reckless": the speaker after "by", the label after "as"."""
    if i + 2 >= len(tokens) or tokens[i + 1].lower != "by":
        return None
    rest = [t for t in tokens[i + 2 :]]
    as_at = next((k for k, t in enumerate(rest) if t.lower == "as"), None)
    if as_at is None or as_at == 0 or as_at > 6:
        return None
    speaker = Span(rest[0].start, rest[as_at - 1].end)
    return Attribution(_to_clause_end(text, rest[as_at].start, sentence), speaker)


def reporter_voice(text: str, sentence: Span) -> list[Span]:
    """The parts of ``sentence`` in the reporter's own voice: not quoted, not attributed."""
    return list(_reporter_voice(text, sentence))


@functools.lru_cache(maxsize=4096)
def _reporter_voice(text: str, sentence: Span) -> tuple[Span, ...]:
    # Cached: two checkers ask it of every sentence.
    removed = [*quoted_spans(text, sentence.start, sentence.end), *attributed_spans(text, sentence)]
    return tuple(subtract(sentence, removed))


def subtract(span: Span, holes: Iterable[Span]) -> list[Span]:
    """``span`` less every hole, as the pieces left over."""
    pieces = [span]
    for hole in holes:
        next_pieces: list[Span] = []
        for p in pieces:
            if not p.overlaps(hole):
                next_pieces.append(p)
                continue
            if p.start < hole.start:
                next_pieces.append(Span(p.start, hole.start))
            if hole.end < p.end:
                next_pieces.append(Span(hole.end, p.end))
        pieces = next_pieces
    return pieces


def anonymous(text: str, speaker: Span, sentence_start: int) -> bool:
    """A speaker the reader cannot identify: an indefinite or bare plural description of
    people with no name in it ("critics", "officials", "a source close to the board",
    "Pakistani officials"). A name ("Lavrov", "White House officials"), a pronoun ("he",
    which points back to someone named), a definite description ("the minister") or a
    body ("police", "the ministry") is not anonymous.

    A time expression is not a name: "officials on Monday", "critics last March" are as
    anonymous as "officials". A place is taken for a named body: "officials in Kabul"
    cannot be told from "officials at the Foreign Ministry" without a gazetteer, and
    "for", "in" and "at" all say whom a speaker stands for."""
    tokens = words(text, speaker.start, speaker.end)
    when = time_words(tokens)
    tokens = [t for k, t in enumerate(tokens) if k not in when]
    if not tokens or len(tokens) > 8:
        return False
    first = tokens[0]
    if first.lower in _PRONOUNS or first.lower in ("the", "this", "that", "these", "those"):
        return False
    # the description up to its first function word: "a source" of "a source close to
    # the board", "officials" of "officials in Kabul"
    cut = next((k for k, t in enumerate(tokens) if k and t.lower in FUNCTION_WORDS), len(tokens))
    described, rest = tokens[:cut], tokens[cut:]
    for tok in described:
        opening = tok.start == sentence_start and _ordinary(text, tok)
        if tok.capitalised and not opening and not _nationality(tok.lower):
            return False  # a name: "Lavrov", "White House officials", "Reuters"
    # the noun for the people: "source" of "a source close to the board"
    people = [t.lower for t in described if t.lower not in _INDEFINITE and _person_noun(t.lower)]
    if not people:
        return False  # "polls", "a statement", "court documents": not people
    head = people[-1]
    if any(t.capitalised for t in rest) and not head.startswith("source"):
        return False  # "a spokesman for the Foreign Ministry": speaks for a named body
    return first.lower in _INDEFINITE or (head.endswith("s") and not head.endswith("ss"))


#: Endings of English nouns for people by what they do or are: prosecutor, lawmaker,
#: analyst, politician, resident, critic, official, employee, spokesman, insider.
_PERSON_ENDINGS = ("or", "er", "ist", "yst", "ian", "ant", "ent", "ic", "al", "ee", "man", "men",
                   "woman", "women", "person", "people")  # fmt: skip


#: Adjectives in -er that are not nouns for people.
_COMPARATIVES = word_set("earlier later former latter further other older younger elder")


def _person_noun(word: str) -> bool:
    """A noun for people, judged by its ending ("prosecutors", "officials", "critics"),
    and "source" and "aide", which name people by the part they play."""
    singular = word[:-1] if word.endswith("s") and not word.endswith(("men", "people")) else word
    if singular.endswith("ment") or singular in _COMPARATIVES:
        return False  # "statement", "document"; "an earlier version": not people
    return singular.endswith(_PERSON_ENDINGS) or singular in ("source", "aide", "insider")


def _ordinary(text: str, tok: Word) -> bool:
    """A sentence's first word that is an ordinary word, capitalised only for its place:
    the article never writes it capitalised after a lower-case word."""
    return not re.search(rf"(?<=[a-z,;] ){re.escape(tok.text)}\b", text)


def _nationality(word: str) -> bool:
    """ "Pakistani", "American", "Chinese", "British": a people, not a person."""
    return word.endswith(("an", "ese", "ish", "i", "ch")) and len(word) > 4
