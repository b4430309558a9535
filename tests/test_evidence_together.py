"""Particulars a summary puts together must be together in the article: a name, a club
and a figure that are each in it, but never within a sentence of each other, leave the
sentence unsupported, with the article's words where most of them are."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import in_folder_with_article
from test_evidence_cli import check

from copydesk.plugins.evidence.figure_check import assess, decide
from copydesk.plugins.evidence.statements import ToVerify
from copydesk.plugins.evidence.together import Document, Passages, TogetherRules, apart, place
from copydesk.report import report_problems
from copydesk.types import Passage, Statement

ARTICLE = (
    "Marta Silva joined Porto in 2019 and scored 14 goals last season. "
    "The club's coach praised her work rate.\n\n"
    "Elsewhere in the league, Ana Lima signed for Benfica on Monday. "
    "Lima had spent three years in Spain before the move.\n\n"
    "The two clubs meet in the cup final in May."
)


@pytest.fixture
def article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return in_folder_with_article(tmp_path, monkeypatch, ARTICLE)


def checked(summary: str) -> tuple[list[tuple[str, str]], list[dict]]:
    Path("summary.txt").write_text(summary + "\n")
    report = check("article.txt", "--summary", "summary.txt")
    assert report_problems(report) == []  # every evidence quote where it says
    (given,) = report["given"]
    verdicts = [(s["quote"], s["verification"]["verdict"]) for s in given["statements"]]
    return verdicts, [f for f in report["findings"] if f["target"] == "given_summary"]


def test_a_player_put_at_another_players_club_is_unsupported_with_the_articles_words(article):
    swapped = "Marta Silva signed for Benfica."
    verdicts, [finding] = checked(swapped)
    assert verdicts == [(swapped, "not_found")]
    assert finding["category"] == "unsupported_claim"
    assert finding["explanation"] == (
        'The article has "Marta Silva" and "Benfica", but never in one sentence or the next: '
        "which goes with which?"
    )
    [evidence] = finding["evidence"]
    assert evidence["source"] == "article"
    assert evidence["quote"] == ARTICLE[evidence["start"] : evidence["end"]]
    assert "Marta Silva" in evidence["quote"]


def test_particulars_the_article_has_together_support_the_sentence(article):
    faithful = "Ana Lima signed for Benfica on Monday. Marta Silva scored 14 goals for Porto."
    verdicts, found = checked(faithful)
    assert [v for _, v in verdicts] == ["supported", "supported"]
    assert found == []


def test_the_window_is_sentences_and_only_pairs_with_a_name_count():
    document = Document(ARTICLE)
    text = "In 2019 Marta Silva joined Porto, and Lima had spent three years in Spain."
    placed = place(text, 0, len(text), document)
    assert [(m.text, sorted(at)) for m, at in placed] == [
        ("2019", [0]),
        ("Marta Silva", [0]),
        ("Porto", [0]),
        ("Lima", [2, 3]),
        ("three", [3]),
        ("Spain", [3]),
    ]
    split = apart(placed, document, TogetherRules(window=2))
    assert split is not None and (split.first.text, split.second.text) == ("2019", "Lima")
    # the first and the fourth sentence are together only in a window of four
    assert apart(placed, document, TogetherRules(window=3)) is not None
    assert apart(placed, document, TogetherRules(window=4)) is None
    # two figures from two facts about one person are no pair: "Silva, 31, ... 14 goals"
    figures = "She scored 14 goals in three years."
    assert apart(place(figures, 0, len(figures), document), document) is None


def test_sentences_run_together_without_a_space_are_still_two():
    document = Document('I had a good lead out."Elsewhere Britain won. The U.S.Army came.')
    assert [document.text[s.start : s.end] for s in document.sentences] == [
        'I had a good lead out."',
        "Elsewhere Britain won.",
        "The U.S.Army came.",
    ]


# -- the article's own claims, against the passages found for them in its sources --------

SOURCE = (
    "Councillor Jo Park said turnout in the east ward was 40 percent. "
    "The count ended after midnight. Mayor Ana Ruiz thanked the volunteers.\n"
)


def checked_against_source(claim: str) -> list[dict]:
    """The findings on an article of ``claim`` and a sentence with no particulars (an
    article has twenty words at the least), checked against :data:`SOURCE`."""
    Path("article.txt").write_text(
        f"{claim}\n\nVolunteers counted the ballots by hand in the old hall.\n"
    )
    Path("source.txt").write_text(SOURCE)
    report = check("article.txt", "--source", "source.txt")
    assert report_problems(report) == []  # every evidence quote where it says
    return [f for f in report["findings"] if f["target"] == "article"]


def test_an_article_giving_one_persons_figure_to_another_is_unsupported_with_the_sources_words(
    article,
):
    # Both names and the figure are in the source's one passage, so each is found; only
    # the figure is said by Park, and the mayor comes two sentences later.
    [finding] = checked_against_source(
        "Mayor Ana Ruiz said turnout in the east ward was 40 percent."
    )
    assert finding["category"] == "unsupported_claim"
    assert finding["explanation"] == (
        'The source (source.txt) has "Mayor Ana Ruiz" and "40 percent", but never in one '
        "sentence or the next: which goes with which?"
    )
    [evidence] = finding["evidence"]
    assert (evidence["source"], evidence["document"]) == ("sources", "source.txt")
    assert evidence["quote"] == SOURCE[evidence["start"] : evidence["end"]]
    assert evidence["quote"].startswith("Councillor Jo Park said turnout")


def test_an_article_giving_the_figure_to_whom_the_source_gives_it_is_not_flagged(article):
    assert (
        checked_against_source("Councillor Jo Park said turnout in the east ward was 40 percent.")
        == []
    )


def passage(document: str, text: str, start: int = 0) -> Passage:
    return Passage(document, None, document, text[start:], start, len(text), source="sources")


def test_across_passages_together_is_near_in_one_document_and_never_in_two():
    one = "Ana Ruiz spoke first. The hall was full. Turnout was 40 percent."
    claim = "Ana Ruiz said turnout was 40 percent."

    def split(*passages: Passage) -> object:
        evidence = Passages(passages)
        return apart(place(claim, 0, len(claim), evidence, claim), evidence)

    assert split(passage("a.txt", one)) is not None  # the first sentence and the third
    near = "Ana Ruiz spoke first. Turnout was 40 percent."
    assert split(passage("a.txt", near)) is None
    # passages of one document found apart: what lies between is counted as nothing
    cut = one.index("Turnout")
    assert split(passage("a.txt", one[:21]), passage("a.txt", one, cut)) is None
    # the same sentences in two documents are never together
    assert split(passage("a.txt", one[:21]), passage("b.txt", one, cut)) is not None


def test_a_transcripts_speaker_label_names_every_sentence_of_the_turn():
    transcript = (
        "MAYOR ANA RUIZ: Thank you for coming. The project will not raise taxes. "
        "We have set aside 12 million dollars. The state will pay the rest.\n"
        "JO PARK: Turnout was 40 percent.\n"
    )
    evidence = Passages([passage("transcript.txt", transcript)])
    hers = "Mayor Ana Ruiz said the city set aside $12 million."
    assert apart(place(hers, 0, len(hers), evidence, hers), evidence) is None
    his = "Jo Park said turnout was 40 percent."
    assert apart(place(his, 0, len(his), evidence, his), evidence) is None
    # the turn ends where the next one starts
    swapped = "Jo Park said the city set aside $12 million."
    assert apart(place(swapped, 0, len(swapped), evidence, swapped), evidence) is not None


def test_a_claims_particulars_together_in_a_later_passage_are_supported_by_that_one():
    # bm25 ranks first the passage with the claim's words, but the figures are in another
    crowd = "The bridge vote drew a big crowd of residents to the council hall."
    cost = "Mayor Ana Ruiz said the work would cost 12 million dollars."
    claim = (
        "The bridge vote drew a big crowd, and Mayor Ana Ruiz put the cost at 12 million dollars."
    )
    statement = Statement("article", claim, 0, len(claim))
    found = [passage("hall.txt", crowd), passage("cost.txt", cost)]
    item = ToVerify(statement, None, claim, found)
    verdict, matches = decide(assess(item, claim, claim, None, Passages(found)))
    assert verdict == "supported"
    assert [(i, m.claim.text) for i, m in matches] == [(1, "Mayor Ana Ruiz"), (1, "12 million")]
