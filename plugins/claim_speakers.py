"""Who asserts a claim, read from the sentence that makes it rather than taken from the model.

A small model names the article's most-quoted person as the speaker of nearly every claim
(the embedded model gave "Sergey Lavrov" to all eight of the sample's), and an editor reads
the speaker to know whose word a claim is. So the sentence decides:

- the sentence is cut into the parts that report someone's words
  (:func:`.attribution.attributions`), its quotations, and the rest, the reporter's own
  words; the claim belongs to the part holding most of its content words;
- a reported part: the claim is its speaker's ("Foreign Minister Sergey Lavrov"), read
  from the article, less what follows the name ("Russia in the past said" -> "Russia");
  a pronoun ("It had said ...") is the speaker the claim itself names ("Russia had said
  ..."), else the last one named in the sentences just before;
- the reporter's part: the claim is the article's, whoever the model named;
- a quotation no report covers, or a speaker that cannot be read: the model's speaker stands.

Where the model's name for the speaker is part of the article's ("Sergey Lavrov" in
"Foreign Minister Sergey Lavrov"), the model's shorter name is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from copydesk.types import Span

from .attribution import Attribution, attributions
from .inflection import word_family
from .text_helpers import FUNCTION_WORDS, Word, quoted_spans, word_set, words

ARTICLE = "the article"
_ARTICLE_NAMES = word_set("article reporter")
_PRONOUNS = word_set("he she it they we i you")
#: Words after a speaker's name that say when or where, not who: "Russia in the past",
#: "the minister on Wednesday", "officials last week". Cut here, not in the attribution's
#: speaker span: that span drops a time expression of calendar words and time nouns
#: ("officials on Monday"), but keeps a place and a vaguer "in the past", because
#: :func:`.attribution.anonymous` reads the whole description ("officials in Kabul" is not
#: "officials"); it drops the auxiliaries and adverbs before the verb too ("Russia has also
#: said"), which this never sees.
_AFTER_NAME = word_set("in on at during last earlier later yesterday today this when while")
#: How many sentences back a pronoun's speaker is looked for.
_LOOK_BACK = 3


def claim_speaker(
    text: str,
    claim_text: str,
    model_speaker: str | None,
    sentence: Span,
    earlier: Sequence[Span] = (),
) -> str | None:
    """The speaker of ``claim_text``, made by ``sentence`` of ``text`` (see the module);
    ``earlier``: the sentences before it, nearest last, for a pronoun's antecedent."""
    reports = attributions(text, sentence)
    quotes = quoted_spans(text, sentence.start, sentence.end)
    part = _part_of(text, claim_text, sentence, reports, quotes)
    if part == "reporter":
        return ARTICLE
    if not isinstance(part, Attribution) or part.speaker is None:
        return model_speaker
    speaker = _name(text, part.speaker)
    if speaker is None:
        return model_speaker
    if speaker.lower() in _PRONOUNS:
        speaker = _antecedent(text, claim_text, earlier)
        if speaker is None:
            return model_speaker
    if model_speaker and _is_name(model_speaker) and model_speaker.lower() in speaker.lower():
        return model_speaker
    return speaker


def _part_of(
    text: str,
    claim_text: str,
    sentence: Span,
    reports: list[Attribution],
    quotes: list[Span],
) -> Attribution | str | None:
    """The part of the sentence the claim comes from: an attribution, "reporter", or
    ``None`` for a quotation no attribution covers (or a claim sharing no word)."""
    wanted = {word_family(w.lower) for w in words(claim_text) if w.lower not in FUNCTION_WORDS}
    if not reports and not quotes:
        return "reporter"
    votes: dict[int, int] = {}  # index into reports, -1 the reporter, -2 a bare quotation
    for w in words(text, sentence.start, sentence.end):
        if w.lower in FUNCTION_WORDS or word_family(w.lower) not in wanted:
            continue
        owner = next(
            (i for i, a in enumerate(reports) if a.content.start <= w.start < a.content.end), None
        )
        if owner is None:
            owner = -2 if any(q.start <= w.start < q.end for q in quotes) else -1
        votes[owner] = votes.get(owner, 0) + 1
    if not votes:
        return None
    best = max(votes, key=lambda k: (votes[k], k))  # ties go to a report, not the reporter
    if best == -1:
        return "reporter"
    return None if best == -2 else reports[best]


def _name(text: str, speaker: Span) -> str | None:
    """The speaker's words less what follows the name ("Russia in the past" -> "Russia");
    ``None`` when nothing is left that could name anyone."""
    kept: list[Word] = []
    for w in words(text, speaker.start, speaker.end):
        if kept and w.lower in _AFTER_NAME:
            break
        kept.append(w)
    if not kept:
        return None
    return text[kept[0].start : kept[-1].end]


def _is_name(speaker: str) -> bool:
    return speaker.strip().lower() not in _ARTICLE_NAMES | {ARTICLE, ""}


def _antecedent(text: str, claim_text: str, earlier: Sequence[Span]) -> str | None:
    """Who a pronoun speaker stands for: the speaker the claim itself names ("Russia had
    said ..." for "It had said ..."), if the article names it too, else the last named
    speaker of the sentences just before."""
    for a in attributions(claim_text, Span(0, len(claim_text))):
        name = _name(claim_text, a.speaker) if a.speaker is not None else None
        if name and name.lower() not in _PRONOUNS and name in text:
            return name
    for sentence in reversed(earlier[-_LOOK_BACK:]):
        for a in reversed(attributions(text, sentence)):
            name = _name(text, a.speaker) if a.speaker is not None else None
            if name and name.lower() not in _PRONOUNS:
                return name
    return None
