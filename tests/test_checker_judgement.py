"""The judgement checker: heads score the article's sentences from one ``ctx.embed`` call,
and a finding quotes the words that carry the judgement.

The embeddings here come from a stand-in for ``ctx.embed`` with a four-dimensional
"model" whose first dimension marks a judged sentence, and tiny heads fitted on it in
spirit: what is tested is the checker, not a model."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from copydesk.context import CheckContext
from copydesk.furniture import strip_furniture
from copydesk.plugins import judgement as judgement_module
from copydesk.plugins.heads.head_file import OtherModel, write_head
from copydesk.plugins.judgement import judgement
from copydesk.types import Article

SHA = "ab" * 32
#: Words that make the stand-in model's first dimension fire.
MARKED = ("disastrous", "staggering", "shameful")


def vector(text: str) -> list[float]:
    return [1.0, 0.0, 0.0, 0.0] if any(w in text for w in MARKED) else [0.0, 1.0, 0.0, 0.0]


@dataclass
class Embedded:
    vectors: list[list[float]]
    model: str
    model_sha256: str | None


@dataclass
class StandIn:
    """What the checker uses of a context: the article, ``embed`` and ``config``."""

    text: str
    model: str = "fake-embedder"
    config: dict[str, Any] = field(default_factory=dict)
    calls: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.article = Article(text=self.text)
        strip_furniture(self.article)

    async def embed(self, texts: Sequence[str]) -> Embedded:
        self.calls.append(list(texts))
        return Embedded([vector(t) for t in texts], self.model, SHA)


def tiny_head(name: str, category: str) -> dict[str, Any]:
    return {
        "format": 1,
        "name": name,
        "category": category,
        "embedding": {"model": "fake-embedder", "sha256": SHA, "pooling": "mean", "dimensions": 4},
        "weights": [3.0, -3.0, 0.0, 0.0],
        "bias": 0.0,
        "calibration": {"scale": 1.0, "shift": 0.0},
        "threshold": 0.5,
        "fitted_on": {"data": "a test's own sentences", "licence": "CC0-1.0"},
    }


@pytest.fixture
def heads_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COPYDESK_HEADS_DIR", str(tmp_path))
    write_head(tmp_path / "loaded.head.json", tiny_head("loaded", "loaded_language"))
    return tmp_path


def check(ctx: StandIn) -> list[Any]:
    return asyncio.run(judgement.check(ctx))  # type: ignore[arg-type]


P_MARKED = round(1 / (1 + 2.718281828459045**-3.0), 3)  # sigmoid(3): 0.953


def test_a_judged_sentence_is_quoted_at_its_lexicon_phrase_with_the_heads_confidence(heads_dir):
    ctx = StandIn("The council passed a disastrous budget on Monday. It meets again in May.")
    [finding] = check(ctx)
    assert (finding.category, finding.quote, finding.confidence) == (
        "loaded_language",
        "disastrous budget",
        P_MARKED,
    )
    assert finding.start == ctx.text.index("disastrous budget")
    assert '"disastrous" carries it' in finding.explanation


def test_with_no_lexicon_word_the_finding_quotes_the_sentence(
    heads_dir,
):
    text = "Prices rose at a staggering pace in March. Trains ran late."
    [finding] = check(StandIn(text))
    assert finding.quote == "Prices rose at a staggering pace in March"
    assert (
        "no word of it is in the lexicon, so the finding quotes the sentence" in finding.explanation
    )


def test_with_no_lexicon_word_a_sentence_reporting_someone_is_quoted_at_the_reporters_words(
    heads_dir,
):
    text = "Critics at the packed meeting on Monday said the plan was staggering."
    [finding] = check(StandIn(text))
    assert finding.quote == "Critics at the packed meeting on Monday said"
    assert "the sentence's words in the reporter's voice" in finding.explanation


def test_one_embed_call_for_the_sentences_in_the_reporters_voice(heads_dir):
    text = (
        'The mayor spoke on Monday. "This is a shameful budget," she said.\n'
        "The council meets again in May to vote on it."
    )
    ctx = StandIn(text)
    assert check(ctx) == []  # the shameful wording is the mayor's, in her quotation
    assert ctx.calls == [
        ["The mayor spoke on Monday.", "The council meets again in May to vote on it."]
    ]


def test_embeddings_of_another_model_are_refused_with_what_the_heads_are_for(heads_dir):
    with pytest.raises(OtherModel) as err:
        check(StandIn("The council passed a disastrous budget.", model="another-model"))
    assert err.value.message.startswith(
        "no installed judgement head applies to embeddings of another-model (sha256 abababababab…)"
    )
    assert "loaded on fake-embedder (mean pooling, 4 dimensions" in err.value.message
    assert "copydesk heads fit" in err.value.hint


def test_a_run_whose_model_no_head_fits_reports_the_stage_skipped_with_why(
    heads_dir, run_copydesk, fake_model, monkeypatch
):
    async def embed(self: CheckContext, texts: Sequence[str]) -> Embedded:
        return Embedded([vector(t) for t in texts], "another-model", None)

    monkeypatch.setattr(CheckContext, "embed", embed, raising=False)
    report = run_copydesk(
        "The council passed a disastrous budget on Monday.",
        fake_model=fake_model,
        summariser=None,
        extractor=None,
        checkers=["judgement"],
    )
    [stage] = report["stages"]
    assert stage["status"] == "skipped"
    assert stage["reason"].startswith(
        "no installed judgement head applies to embeddings of another-model: the heads were "
        "fitted, loaded_language, opinion on qwen2.5-coder-1.5b-instruct"
    )


def test_an_opinion_head_reports_an_unattributed_claim_only_where_no_one_is_reported(
    heads_dir, monkeypatch
):
    monkeypatch.setattr(judgement_module, "WORDS_PER_FINDING", 5)  # room for every finding
    write_head(heads_dir / "opinion.head.json", tiny_head("opinion", "unattributed_claim"))
    text = (
        "The shameful plan was passed. "
        "Critics at the packed meeting on Monday said the shameful plan was passed."
    )
    found = [(f.category, f.quote) for f in check(StandIn(text))]
    assert found == [
        ("loaded_language", "shameful plan"),
        # the critics' opinion is theirs: loaded framing perhaps, not an unattributed claim
        ("loaded_language", "Critics at the packed meeting on Monday said"),
        ("unattributed_claim", "shameful plan"),
    ]


def test_a_head_flags_an_articles_most_judged_sentences_within_its_budget(heads_dir, monkeypatch):
    # BABE, where heads are fitted, is half biased; a news article is not. A head that
    # fires on every sentence of an article is told apart from one that singles one out.
    text = (
        "The council met on Monday. Its staggering plan was passed. "
        "The shameful vote came at noon. A disastrous budget followed."
    )
    assert [f.quote for f in check(StandIn(text))] == [
        "Its staggering plan was passed"
    ]  # 17 words: one
    monkeypatch.setattr(judgement_module, "WORDS_PER_FINDING", 8)
    assert [f.quote for f in check(StandIn(text))] == [
        "Its staggering plan was passed",
        "shameful vote",
    ]


def test_heads_named_in_the_config_are_used(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYDESK_HEADS_DIR", str(tmp_path / "empty"))
    own = write_head(tmp_path / "mine.head.json", tiny_head("mine", "loaded_language"))
    ctx = StandIn("The council passed a disastrous budget.", config={"heads": [str(own)]})
    assert [f.quote for f in check(ctx)] == ["disastrous budget"]


def test_the_lexicon_and_the_head_on_the_same_words_merge_into_one_finding(
    heads_dir, run_copydesk, fake_model, monkeypatch
):
    async def embed(self: CheckContext, texts: Sequence[str]) -> Embedded:
        return Embedded([vector(t) for t in texts], "fake-embedder", SHA)

    # ctx.embed is the model-access API's; until this copydesk has it, the test adds it.
    monkeypatch.setattr(CheckContext, "embed", embed, raising=False)
    report = run_copydesk(
        "The council passed a disastrous budget on Monday.",
        fake_model=fake_model,
        summariser=None,
        extractor=None,
        checkers=["loaded-words", "judgement"],
    )
    [finding] = report["findings"]
    assert finding["quote"] == "disastrous budget"
    assert finding["detectors"] == ["judgement", "loaded-words"]
    # independent agreement: 1 - (1 - 0.953)(1 - 0.7)
    assert finding["confidence"] == round(1 - (1 - P_MARKED) * (1 - 0.7), 3)


def test_a_run_on_sentence_is_judged_in_pieces_the_embedder_can_take():
    # A text with no full stops (a transcript, a list) is one "sentence" of hundreds of
    # words: llama.cpp refuses to embed an input over its 512-token batch (HTTP 500).
    from copydesk.plugins.heads.sentences import MAX_PIECE_WORDS, judged_sentences

    body = " ".join(f"the council weighed plan {n} and voted" for n in range(60))
    article = Article(text=body)
    strip_furniture(article)
    judged = judged_sentences(article)
    assert len(judged) > 1
    assert all(len(j.text.split()) <= MAX_PIECE_WORDS for j in judged)
    # the pieces tile the sentence: each starts after the last one ends, at the article's words
    assert all(a.span.end < b.span.start for a, b in itertools.pairwise(judged))
    assert all(article.text[j.span.start : j.span.end].split() == j.text.split() for j in judged)
