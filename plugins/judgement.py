"""The model's judgement through its own representations: judgement heads on the
sentence embeddings of the article, reported at the words that carry the judgement.

One ``ctx.embed`` call embeds every sentence with the reporter's own words in it
(:func:`copydesk.plugins.heads.sentences.judged_sentences`); each installed head for the
embedding model scores each sentence (plain Python), and a sentence scored at or above a
head's threshold gets a finding of the head's category:

- ``loaded_language`` (BABE ``label``): biased or loaded wording;
- ``unattributed_claim`` (BABE ``label_opinion``): the writer's opinion stated as fact, in
  a sentence that attributes nothing to anyone.

The finding's confidence is the head's calibrated probability for the sentence. Its
quote is the words that carry the judgement (:mod:`.heads.spans`): the loaded-language
lexicon's phrases in the sentence where it has any, which then merge with the lexicon
checker's own findings on the same words into one finding of both detectors.

Heads apply only to the embedding model they were fitted on: with embeddings of any other
model, and no head installed for it, the stage is reported skipped, with a reason that says
which model the installed heads are for and how to fit one (``copydesk heads fit``). A
head file that does not read fails the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click

import copydesk
from copydesk.components import Checker
from copydesk.types import Article, Finding

from .heads import Head, HeadError, installed_heads
from .heads.commands import heads_group
from .heads.head_file import OtherModel
from .heads.sentences import Judged, judged_sentences
from .heads.spans import SpanPick, pick_spans
from .loaded_language import find_loaded_words
from .text_helpers import report_verb, words

if TYPE_CHECKING:
    from copydesk.context import CheckContext

CATEGORIES = ("loaded_language", "unattributed_claim")

#: A head flags at most one sentence for every this many words of the article: its
#: highest-scoring sentences at or above its threshold. BABE, where the heads were
#: fitted, is half biased sentences; a news article is not (BASIL's annotators marked
#: loaded wording in 4% of sentences), so at BABE's threshold a head flags a sentence in
#: every few of an ordinary article. Measured with bench/planted.py --heads on FRANK and
#: BASIL dev (one budget for both heads, chosen over 250-400 words per finding; 218 of
#: the 305 articles, before the loaded-words quotation rules): every judged sentence
#: above threshold gave recall 0.671 at 16.9 findings per 1,000 words on the unmutated
#: articles; this budget 0.614 at 11.7; 250 words 0.625 at 12.2; 400 words 0.592 at
#: 11.1; no heads 0.562 at 8.6. All 305, with those rules: 0.610 at 9.6 (no heads 0.548
#: at 5.8). Every article may get one.
WORDS_PER_FINDING = 300


class Embeddings(Protocol):
    vectors: list[list[float]]
    model: str
    model_sha256: str | None


@copydesk.checker("judgement", categories=CATEGORIES, needs_model=True)
async def judgement(ctx: CheckContext) -> list[Finding]:
    """Score the article's sentences with the installed heads: :func:`judge`."""
    heads = [h for h in installed_heads(_extra_places(ctx.config)) if h.category in CATEGORIES]
    sentences = judged_sentences(ctx.article)
    if not heads or not sentences:
        return []
    embedded = await ctx.embed([s.text for s in sentences])
    usable = heads_for(heads, embedded.model, embedded.model_sha256)
    if len(embedded.vectors) != len(sentences):
        raise HeadError(
            f"asked for {len(sentences)} embeddings, the endpoint gave {len(embedded.vectors)}"
        )
    return judge(ctx.article, sentences, embedded.vectors, usable)


def _extra_places(config: dict[str, Any]) -> list[Path]:
    value = config.get("heads", [])
    places = [value] if isinstance(value, str) else list(value)
    return [Path(str(p)) for p in places]


def heads_for(heads: list[Head], model: str, sha256: str | None) -> list[Head]:
    """The installed heads fitted on embeddings of ``model``; the most recently listed
    head of a name wins (a user's refit over the shipped one). When none is, raises
    :class:`~copydesk.plugins.heads.head_file.OtherModel` (the stage is skipped), naming
    the model they are for."""
    usable = {h.name: h for h in heads if h.applies_to(model, sha256)}
    if not usable:
        spaces: dict[str, list[str]] = {}
        for h in heads:
            spaces.setdefault(h.space.describe(), []).append(h.name)
        fitted = "; ".join(f"{', '.join(names)} on {space}" for space, names in spaces.items())
        got = f"{model} (sha256 {sha256[:12]}…)" if sha256 else model
        raise OtherModel(
            f"no installed judgement head applies to embeddings of {got}: the heads were "
            f"fitted, {fitted}",
            "use a model they were fitted on, or fit a head for this one with "
            "`copydesk heads fit --data labelled.jsonl -o head.json`",
        )
    return list(usable.values())


def judge(
    article: Article,
    sentences: list[Judged],
    vectors: Sequence[Sequence[float]],
    heads: list[Head],
) -> list[Finding]:
    """The findings for ``sentences`` of ``article`` with these embeddings and heads."""
    text = article.text
    hits = find_loaded_words(article)  # once: it reads the whole article for its topic
    budget = max(1, round(len(article.body_text.split()) / WORDS_PER_FINDING))
    found: list[Finding] = []
    for head in heads:
        flagged = []
        for sentence, vector in zip(sentences, vectors, strict=True):
            probability = head.score(vector)
            if probability < head.threshold:
                continue
            if head.category == "unattributed_claim" and _reports_someone(text, sentence):
                continue  # an opinion someone is reported holding is theirs, not the paper's
            flagged.append((probability, sentence))
        # The article's own most-judged sentences, within its budget; ties by position,
        # so the same article always gets the same findings.
        flagged.sort(key=lambda pair: (-pair[0], pair[1].span.start))
        for probability, sentence in flagged[:budget]:
            for pick in pick_spans(text, sentence, hits):
                found.append(_finding(head, probability, pick))
    return found


def _reports_someone(text: str, sentence: Judged) -> bool:
    tokens = words(text, sentence.span.start, sentence.span.end)
    s_text = text[sentence.span.start : sentence.span.end].lower()
    return any(report_verb(t.text) for t in tokens) or "according to" in s_text


def _finding(head: Head, probability: float, pick: SpanPick) -> Finding:
    fitted = head.provenance.get("data", "labelled data")
    if head.category == "unattributed_claim":
        what = "states the writer's opinion as fact"
        suggestion = "Attribute the assessment to a named source, or state the facts behind it."
    else:
        what = "is loaded or biased wording"
        suggestion = f"Replace {pick.words!r} with neutral wording, or attribute the judgement."
    return Finding(
        category=head.category,
        quote=pick.quote,
        start=pick.start,
        explanation=(
            f"The {head.name} judgement head (fitted on {fitted}) gives {probability:.2f} that "
            f"this sentence {what}, in the reporter's own voice; {pick.why}."
        ),
        suggestion=suggestion,
        severity="low",
        confidence=round(probability, 3),
    )


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(judgement)


@copydesk.hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(heads_group)
