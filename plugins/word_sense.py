"""Word sense from context: when a lexicon's evaluative word is used in a plain sense.

VADER scores a word, not a sense: "free" is +2.3 for "freedom", and the same for "free
school meals" (no charge). A word with an evaluative and a plain sense shows which one it
has by the frame it stands in, and these frames are read here, for any word:

- **a compound with a noun before it**: "tax-free", "scandal-free", "gun-free" describe
  what is absent, not how good it is;
- **a complement that gives the sense a relation**: "free of charge", "free from debt",
  "free to leave", "clear of debris", and "for free": the word says what something lacks,
  allows or costs, not what the reporter thinks of it;
- **a depictive after a verb of motion, release or plea**: "walk free", "travel free",
  "set free", "break loose", "pleaded (not) guilty", "found guilty": the word describes a
  state someone is in or is found in;
- **a verb's frame**: after the infinitive "to" or a modal ("failed to secure", "will
  calm"), or with an object after it ("secure the funding", "clear the scene", "winning
  the title"; an "-ing" form before a name or a number: "winning Wisconsin", "winning six
  medals"), an adjective-shaped word is a verb, and is judged as one
  (:func:`used_as_verb`);
- **an offence named in a legal step**: in a sentence that reports a charge, a plea, an
  arrest, a trial or a sentence, a charged word names the offence or the verdict ("pleaded
  guilty to fraud", "charged with five federal crimes", "a felony count"): the law's
  word for what is alleged, not the reporter's judgement (:func:`names_an_offence`);
- **a price**: a positive word describing a thing offered, given or paid for, in a
  sentence about paying or providing ("free prescriptions", "admission is free"), has its
  sense of cost, since the sentence is about cost.

Measured on the BABE dev half (``bench/quality.py``), where the annotators marked "free"
as a biased word in 2 of the 28 sentences that have it.
"""

from __future__ import annotations

import re

from .text_helpers import FUNCTION_WORDS, Word, lemma_candidates, number_value, word_set

#: Words of paying and providing: a sentence with one of these (or a sum of money) is
#: about what something costs or who provides it.
_TRANSACTION = re.compile(
    r"[$£€¥]\s?\d|\b\d+(?:\.\d+)?\s?(?:p|pence|cents?|dollars|pounds|euros)\b"
    r"|\b(?:pay|pays|paid|paying|payment|charges?|charged|charging|fees?|costs?|costing|price[sd]?|"
    r"fares?|tickets?|admission|entry|tuition|subsidi[sz]\w*|funded|taxpayer\w*|"
    r"offer\w*|provid\w*|giv(?:e|es|en|ing)|gave|promis\w*|receiv\w*|hand(?:ed|ing)?\s+out|"
    r"distribut\w*|extend\w*)\b",
    re.I,
)
#: Prepositions and the infinitive marker that give an adjective a relation: "free of",
#: "free from", "free to", "short of", "clear of".
_RELATIONS = word_set("of from to")
#: Verbs after which an adjective describes the state someone ends or goes in.
_DEPICTIVE_VERBS = frozenset(
    form
    for lemma in ("walk", "travel", "ride", "go", "set", "break", "run", "come", "get", "let",
                  "stay", "remain", "roam", "fly", "park", "enter", "eat", "play", "plead")
    for form in (lemma, lemma + "s", lemma + "ed", lemma + "ing")
) | word_set("went gone set broke broken ran came got let stayed flew ate pled found")  # fmt: skip
_COPULAS = word_set("is are was were be been being will would")
#: Words that open a verb's object and never follow an adjective: "secure the", "calm them".
_OBJECT_OPENERS = word_set("the a an his her their its our my your this these those him them us me")
#: Quantifiers that open an object ("winning no votes", "winning all three").
_QUANTIFIERS = word_set("no all both each every some any")
#: Words a bare verb follows: the infinitive marker and the modals ("not" is left out:
#: "not clear" is an adjective).
_VERB_MARKERS = word_set("to will would could can may might should must shall did does do")
#: The steps of a criminal case a sentence may report.
_LEGAL_STEP = re.compile(
    r"\b(?:charg(?:e|es|ed|ing)|convict(?:s|ed|ion|ions)?|plead(?:s|ed|ing)?|pled|"
    r"indict(?:s|ed|ment|ments)?|sentenc(?:e|ed|ing)|arrest(?:s|ed|ing)|jail(?:ed)?|"
    r"prosecut\w*|acquitt\w*|counts? of|trial)\b",
    re.I,
)


def plain_sense(text: str, tokens: list[Word], i: int, valence: float) -> bool:
    """Whether ``tokens[i]``, an adjective with ``valence`` in the lexicon, is used here in
    a plain, non-evaluative sense (see the module's frames). Only adjectives alternate so:
    ask it of nothing else."""
    tok = tokens[i]
    if tok.lower.endswith("ly"):
        return False  # an adverb: "freely" has no plain sense of these
    if "-" in tok.text:
        head, _, last = tok.lower.rpartition("-")
        if head and _is_noun_like(head) and last in lemma_candidates(last):
            return True  # "tax-free", "scandal-free"
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].lower if i > 0 else ""
    if nxt in _RELATIONS and _joined(text, tok, tokens[i + 1]):
        after = tokens[i + 2].lower if i + 2 < len(tokens) else ""
        if nxt != "to" or (after and after not in FUNCTION_WORDS and not after.endswith("s")):
            return True  # "free of charge", "free from debt", "free to leave"
    if prev == "for" and (i + 1 == len(tokens) or nxt in FUNCTION_WORDS or not nxt.isalpha()):
        return True  # "for free"
    if prev == "not" and i > 1:
        prev = tokens[i - 2].lower  # "pleaded not guilty"
    if prev in _DEPICTIVE_VERBS:
        return True  # "walk free", "set free", "pleaded guilty"
    if valence > 0 and _TRANSACTION.search(_sentence_text(text, tokens)):
        return nxt not in FUNCTION_WORDS or prev in _COPULAS  # "free meals", "entry is free"
    return False


def used_as_verb(tokens: list[Word], i: int) -> bool:
    """Whether ``tokens[i]``, shaped like an adjective ("secure", "clear", "winning"), is
    used here as a verb: after "to" or a modal, or with its object after it."""
    w = tokens[i].lower
    if w.endswith("ly"):
        return False
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].lower if i > 0 else ""
    if nxt in _OBJECT_OPENERS:
        return True  # "secure the funding", "winning the title"
    if w.endswith("ing") and i + 1 < len(tokens):
        after = tokens[i + 1]
        if (
            after.capitalised
            or number_value(after.lower) is not None
            or after.lower in _QUANTIFIERS
        ):
            return True  # "winning Wisconsin", "winning six medals", "winning no votes"
    return prev in _VERB_MARKERS and not w.endswith(("ed", "ing"))  # "to secure", "will calm"


def names_an_offence(text: str, tokens: list[Word], i: int) -> bool:
    """Whether ``tokens[i]``, a charged word, stands in a sentence that reports a step of
    a criminal case, other than itself: there it names the offence or the verdict."""
    sentence = _sentence_text(text, tokens)
    offset = tokens[0].start
    tok = tokens[i]
    return any(
        not (m.start() + offset < tok.end and tok.start < m.end() + offset)
        for m in _LEGAL_STEP.finditer(sentence)
    )


def _is_noun_like(word: str) -> bool:
    """The first part of a compound that names a thing ("tax", "scandal", "gun"), not a
    prefix or intensifier ("ultra", "super", "over", "well")."""
    return len(word) >= 3 and word not in word_set("ultra super hyper over well ever all much")


def _joined(text: str, a: Word, b: Word) -> bool:
    return text[a.end : b.start].strip() == ""


def _sentence_text(text: str, tokens: list[Word]) -> str:
    return text[tokens[0].start : tokens[-1].end] if tokens else ""
