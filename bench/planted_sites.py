"""Planting one error in a copy of a real article, for bench/planted.py.

Each planter finds, by rule, the places in an article's own text where an error of its
type can go, picks one with a seeded random generator, and makes one edit there:

- ``count``: a count the article gives twice or more ("14 people" ... "14 people") changed
  in one later mention, to a value outside the first's rounding and within a factor of two;
- ``name``: a surname respelt by one edit (two letters swapped, one doubled, dropped or
  changed) in a mention after the full name, or a person's title changed to another title
  the article gives someone else;
- ``evaluative``: an evaluative adjective (a strong subjectivity clue of Riloff and Wiebe
  2003, shaped like an adjective) put before a noun in the reporter's own voice;
- ``vague``: an exact count in the reporter's voice made vague with a quantifying weasel
  word of btford/weasel-words ("14 people" -> "a number of people");
- ``attribution``: an attributed assessment ("The plan is reckless, critics said.") turned
  into the reporter's own assertion ("The plan is reckless.").

A :class:`Plant` is one edit, ``text[edit.start:edit.end] -> replacement``, and the span of
the planted words in the mutated text, so the benchmark can map the original's findings
onto the copy. Nothing here is written for one article: every choice is a rule over the
article's own words and the published lists the caller passes in.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict
from collections.abc import Iterable

from planted_base import (
    CALENDAR,
    CATCHING,
    HONORIFICS,
    KINDS,
    QUOTES,
    VOWELS,
    Plant,
    Planter,
    WordLists,
    changed_value,
    load_word_lists,
    plural_noun,
    write_like,
)

from copydesk.plugins import word_lists
from copydesk.plugins.attribution import attributions
from copydesk.plugins.people import TITLE_HEADS, titles
from copydesk.plugins.quantities import MEASURES, Quantity, quantities
from copydesk.plugins.quoted_passages import article_voices
from copydesk.plugins.text_helpers import (
    FUNCTION_WORDS,
    Word,
    article_sentences,
    inside,
    report_verb,
    word_set,
    words,
)
from copydesk.types import Article, Span

__all__ = ["CATCHING", "KINDS", "Plant", "WordLists", "load_word_lists", "plant"]


def plant(kind: str, article: Article, seed: int, lists: WordLists) -> Plant | None:
    """One plant of ``kind`` in ``article``, or ``None`` when the article has no site for it."""
    rng = random.Random(f"{seed}:{kind}")
    return PLANTERS[kind](article, rng, lists)


# count ------------------------------------------------------------------------------------


def _counts(article: Article) -> list[tuple[Quantity, int]]:
    """Exact counts of things (no currency, percentage or measure of time), with the
    number of their sentence."""
    out: list[tuple[Quantity, int]] = []
    for n, s in enumerate(article_sentences(article)):
        for q in quantities(article.text, s.start, s.end):
            if q.vague or q.unit or q.qualifier or not q.noun or q.noun in MEASURES:
                continue
            if q.value < 2 or q.value != int(q.value) or not plural_noun(q):
                continue
            out.append((q, n))
    return out


def _number_text(text: str, q: Quantity) -> Span | None:
    """Where the number itself is inside the figure ("14" of "14", "three" of "three")."""
    fig = text[q.figure.start : q.figure.end]
    m = re.match(r"\d{1,3}(?:,\d{3})+|\d+|[A-Za-z]+(?:-[A-Za-z]+)?", fig)
    return Span(q.figure.start, q.figure.start + m.end()) if m else None


def plant_count(article: Article, rng: random.Random, lists: WordLists) -> Plant | None:
    text = article.text
    by_count: dict[tuple[str, float], list[tuple[Quantity, int]]] = defaultdict(list)
    for q, n in _counts(article):
        by_count[(q.noun, q.value)].append((q, n))
    sites: list[Quantity] = []
    for mentions in by_count.values():
        first_sentence = mentions[0][1]
        sites += [q for q, n in mentions[1:] if n != first_sentence]
    if not sites:
        return None
    q = rng.choice(sites)
    where = _number_text(text, q)
    if where is None:
        return None
    written = text[where.start : where.end]
    new = write_like(written, changed_value(int(q.value), rng))
    return Plant(
        "count",
        where,
        new,
        Span(where.start, where.start + len(new)),
        f"{text[q.span.start : q.span.end]} -> {new}",
    )


# name -------------------------------------------------------------------------------------


def _full_names(article: Article) -> list[tuple[str, Span]]:
    """Two capitalised words side by side that are not titles or sentence openers: (the
    surname, its span)."""
    text, body = article.text, article.body_span
    tokens = words(text, body.start, body.end)
    out: list[tuple[str, Span]] = []
    for a, b in itertools.pairwise(tokens):
        if not (_name_like(a) and _name_like(b)) or text[a.end : b.start] != " ":
            continue
        out.append((b.text, Span(b.start, b.end)))
    return out


def _name_like(tok: Word) -> bool:
    t = tok.text
    return (
        t[:1].isupper()
        and t.isalpha()
        and len(t) > 3
        and not t.isupper()
        and t.lower() not in FUNCTION_WORDS
        and t.lower() not in TITLE_HEADS
    )


def respelt(name: str, rng: random.Random, taken: set[str]) -> str | None:
    """``name`` one edit away, never its first letter: two neighbours swapped, a letter
    doubled, dropped, or a vowel changed; ``None`` if every try is a word in ``taken``."""
    for _ in range(20):
        i = rng.randrange(1, len(name) - 1)
        how = rng.choice(("swap", "double", "drop", "vowel"))
        if how == "swap" and name[i] != name[i + 1]:
            new = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        elif how == "double":
            new = name[: i + 1] + name[i] + name[i + 1 :]
        elif how == "drop":
            new = name[:i] + name[i + 1 :]
        elif how == "vowel" and name[i] in VOWELS:
            new = name[:i] + rng.choice([v for v in VOWELS if v != name[i]]) + name[i + 1 :]
        else:
            continue
        if new != name and new.lower() not in taken:
            return new
    return None


def _people(text: str, tokens: list[Word]) -> set[str]:
    """Surnames the article plainly uses for people: after an honorific or a title ("Mr
    Smith", "Senator Smith"), or ending a full name beside a report verb ("Ann Smith
    said", "said Ann Smith"); never a word of a capitalised phrase after "the" ("the
    Sunday Times", "the Football League")."""
    out: set[str] = set()
    after_the: set[str] = set()
    run_after_the = False
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        run_after_the = tok.capitalised and (
            prev is not None and (prev.lower == "the" or (run_after_the and prev.capitalised))
        )
        if run_after_the:
            after_the.add(tok.text)
        if not _name_like(tok) or tok.lower in CALENDAR:
            continue
        titled = (
            prev is not None
            and prev.capitalised
            and (prev.lower in HONORIFICS or prev.lower in TITLE_HEADS)
        )
        full = prev is not None and _name_like(prev) and text[prev.end : tok.start] == " "
        before = tokens[i - 2] if i > 1 else None
        speaking = full and any(
            t is not None and report_verb(t.text) is not None for t in (before, nxt)
        )
        if titled or speaking:
            out.add(tok.text)
    return out - after_the


def plant_name(article: Article, rng: random.Random, lists: WordLists) -> Plant | None:
    text, body = article.text, article.body_span
    tokens = words(text, body.start, body.end)
    taken = {t.lower for t in tokens}
    lower_case = {t.text for t in tokens if t.text[:1].islower()}
    people = _people(text, tokens)
    first_full: dict[str, int] = {}
    for surname, span in _full_names(article):
        if surname in people and surname.lower() not in lower_case:
            first_full.setdefault(surname, span.start)
    # later mentions of a person's surname, once the full name is given
    respell_sites = [t for t in tokens if t.text in first_full and t.start > first_full[t.text]]
    titled = titles(text, tokens)
    heads = {m.value.split()[-1] for m in titled}
    by_person: dict[str, list[object]] = defaultdict(list)
    for m in titled:
        by_person[m.key].append(m)
    title_sites = [
        (m, sorted(heads - {m.value.split()[-1]}))
        for ms in by_person.values()
        if len({getattr(x, "value", "") for x in ms}) == 1
        for m in ms[1:]
    ]
    title_sites = [(m, other) for m, other in title_sites if other]
    choices = [("respell", s) for s in respell_sites] + [("title", s) for s in title_sites]
    if not choices:
        return None
    how, site = rng.choice(choices)
    if how == "respell":
        tok = site
        new = respelt(tok.text, rng, taken)  # type: ignore[attr-defined]
        if new is None:
            return None
        return Plant(
            "name", Span(tok.start, tok.end), new, Span(tok.start, tok.start + len(new)),
            f"{tok.text} -> {new}",
        )  # type: ignore[attr-defined]  # fmt: skip
    m, others = site  # type: ignore[misc]
    head_word = next(
        t for t in words(text, m.span.start, m.span.end) if TITLE_HEADS.get(t.lower) == m.value.split()[-1]
    )  # fmt: skip
    new_head = rng.choice(others)
    new = new_head.capitalize()
    span = Span(m.span.start + (head_word.start - m.span.start), head_word.end)
    return Plant(
        "name", span, new, Span(span.start, m.span.end + len(new) - (span.end - span.start)),
        f"{text[m.span.start : m.span.end]} -> {new} ...",
    )  # fmt: skip


# evaluative ---------------------------------------------------------------------------------


def _voice_sentences(article: Article) -> Iterable[tuple[Span, list[Span]]]:
    """Each sentence with its reporter's voice, quotations read over the paragraph (as
    the loaded-words checker reads them): a plant in the reporter's voice is not put into
    the later sentences of a quotation."""
    return article_voices(article)


def plant_evaluative(article: Article, rng: random.Random, lists: WordLists) -> Plant | None:
    text = article.text
    sites: list[tuple[int, str]] = []  # (where the noun starts, the determiner)
    for s, voice in _voice_sentences(article):
        toks = words(text, s.start, s.end)
        for det, noun in itertools.pairwise(toks):
            if det.lower not in ("the", "a", "an") or text[det.end : noun.start] != " ":
                continue
            if noun.lower in FUNCTION_WORDS or not noun.text.isalpha() or noun.capitalised:
                continue
            if noun.lower.endswith("ly") or not inside(voice, det.start, noun.end):
                continue
            sites.append((noun.start, det.text))
    present = {w.lower for w in words(text)}
    pool = [w for w in lists.evaluative if w not in present]
    if not sites or not pool:
        return None
    at, det = rng.choice(sites)
    adjective = rng.choice(pool)
    if det.lower() in ("a", "an"):
        article_word = "an" if adjective[0] in VOWELS else "a"
        article_word = article_word.capitalize() if det[0].isupper() else article_word
        start = at - len(det) - 1
        new = f"{article_word} {adjective} "
        return Plant(
            "evaluative", Span(start, at), new,
            Span(start + len(article_word) + 1, start + len(new) - 1), f"+{adjective}",
        )  # fmt: skip
    return Plant(
        "evaluative", Span(at, at), adjective + " ", Span(at, at + len(adjective)), f"+{adjective}"
    )


# vague --------------------------------------------------------------------------------------


def plant_vague(article: Article, rng: random.Random, lists: WordLists) -> Plant | None:
    text = article.text
    voices = {s: v for s, v in _voice_sentences(article)}
    sites: list[Quantity] = []
    for s, voice in voices.items():
        for q in quantities(text, s.start, s.end):
            if q.vague or q.unit or q.qualifier or not q.noun or q.noun in MEASURES:
                continue
            if q.value < 2 or q.span.start != q.figure.start or not plural_noun(q):
                continue
            before = words(text, s.start, q.span.start)
            if before and (before[-1].lower in FUNCTION_WORDS - {"and", "of", "in", "on", "at", "by", "with", "for"} or before[-1].text[0].isdigit()):  # fmt: skip
                continue  # "the 14 people", "his two sons": a determiner would not take "several"
            noun_words = words(text, q.figure.end, q.span.end)
            if not noun_words or not inside(voice, q.span.start, q.span.end):
                continue
            if text[q.figure.end : noun_words[0].start] != " ":
                continue
            sites.append(q)
    if not sites or not lists.vague:
        return None
    q = rng.choice(sites)
    vague = rng.choice(lists.vague)
    written = text[q.figure.start : q.figure.end]
    if written[0].isupper():
        vague = vague[0].upper() + vague[1:]
    return Plant(
        "vague",
        q.figure,
        vague,
        Span(q.figure.start, q.span.end + len(vague) - len(written)),
        f"{text[q.span.start : q.span.end]} -> {vague} {text[q.figure.end : q.span.end].strip()}",
    )


# attribution ------------------------------------------------------------------------------


def plant_attribution(article: Article, rng: random.Random, lists: WordLists) -> Plant | None:
    """ "<content>, <speaker> said." -> "<content>."; "<speaker> said (that) <content>." ->
    "<Content>.", where the content is an assessment: no quotation in it, four words or
    more, a strong subjectivity clue among them; and the speaker's words are only a short
    phrase and one report verb."""
    text = article.text
    sites: list[tuple[Span, Span, str]] = []  # (edit, content in the original, replacement)
    for s in article_sentences(article):
        s_text = text[s.start : s.end].rstrip()
        end_mark = s_text[-1:] if s_text[-1:] in ".!?" else ""
        s_end = s.start + len(s_text) - len(end_mark)
        for a in attributions(text, s):
            c = a.content
            if a.speaker is None or c == s:
                continue
            content = text[c.start : c.end]
            if any(ch in content for ch in QUOTES) or "according" in content.lower():
                continue
            toks = words(text, c.start, c.end)
            if len(toks) < 4 or not _assessment(toks, lists):
                continue
            if c.start == s.start:  # "<content>, critics said."
                tail = text[c.end : s_end]
                tail_words = words(text, c.end, s_end)
                if (
                    not tail.startswith(", ")
                    or any(ch in tail[2:] for ch in QUOTES + ",;:")
                    or not 2 <= len(tail_words) <= 7
                    or not any(report_verb(t.text) for t in tail_words)
                ):
                    continue
                sites.append((Span(c.end, s_end), c, ""))
            elif a.speaker.start == s.start and c.end >= s_end:  # "Critics said (that) ..."
                lead = text[s.start : c.start]
                lead_words = words(text, s.start, c.start)
                m = re.match(r"that\s+", content)
                cut = c.start + (m.end() if m else 0)
                if (
                    any(ch in lead for ch in QUOTES + ",;:")
                    or not 2 <= len(lead_words) <= 7
                    or report_verb(lead_words[-1].text) not in _clause_verbs()
                    or not text[cut].isalpha()
                    or (not m and any(t.lower == "that" for t in toks[:6]))
                ):  # "described Mr X as ...", "said earlier that ...": not a clause cut clean
                    continue
                sites.append((Span(s.start, cut + 1), Span(cut, c.end), text[cut].upper()))
    if not sites:
        return None
    edit, content, replacement = rng.choice(sites)
    shift = len(replacement) - (edit.end - edit.start)
    # a trailing speaker cut leaves the content where it was; a leading one moves it back
    planted = content if edit.start == content.end else Span(edit.start, content.end + shift)
    return Plant("attribution", edit, replacement, planted, f"cut {text[edit.start : edit.end]!r}")


#: What opens a clause that stands as a sentence: a determiner or a pronoun (or a name).
_CLAUSE_OPENERS = word_set(
    "the a an this that these those it they there he she we i you his her their its our "
    "my some many most all no"
)
#: Modals of obligation: the speaker says what ought to be.
_PRESCRIPTIVE = frozenset({"should", "must", "ought"})


def _assessment(toks: list[Word], lists: WordLists) -> bool:
    """A clause that opens as a sentence would ("The plan", "Those who ...", "Congress")
    and judges: an evaluative adjective, or a modal of obligation."""
    first = toks[0]
    if "that" in (t.lower for t in toks[:1]):
        toks = toks[1:]
        first = toks[0]
    opens = first.lower in _CLAUSE_OPENERS or (
        first.capitalised and first.lower not in CALENDAR and first.lower not in FUNCTION_WORDS
    )
    judges = any(t.lower in lists.evaluative_clues or t.lower in _PRESCRIPTIVE for t in toks)
    return opens and judges


def _clause_verbs() -> frozenset[str]:
    """Report verbs that take a clause: the assertive ones ("say", "argue", "claim")."""
    return word_lists.report_verbs() & word_lists.assertives()


PLANTERS: dict[str, Planter] = {
    "count": plant_count,
    "name": plant_name,
    "evaluative": plant_evaluative,
    "vague": plant_vague,
    "attribution": plant_attribution,
}
