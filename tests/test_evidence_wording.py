"""The wording of a given summary against the article: content words the article has no
word of the family of leave a sentence unsupported (one where the sentence otherwise
copies the article, four where it rewords)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import in_folder_with_article
from test_evidence_cli import ARTICLE, check

from copydesk.plugins.evidence.wording import Vocabulary, WordRules, wording
from copydesk.report import report_problems


@pytest.fixture
def article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return in_folder_with_article(tmp_path, monkeypatch, ARTICLE)


def verdicts_of(summary: str) -> tuple[list[tuple[str, str]], dict]:
    Path("summary.txt").write_text(summary + "\n")
    report = check("article.txt", "--summary", "summary.txt")
    assert report_problems(report) == []
    (given,) = report["given"]
    return [(s["quote"], s["verification"]["verdict"]) for s in given["statements"]], report


def test_one_invented_word_in_a_copied_sentence_leaves_it_unsupported_naming_the_word(article):
    copied = (
        "The city will spend $2.5 million on the new toll bridge, Mayor Ana Ruiz said on Tuesday."
    )
    verdicts, report = verdicts_of(copied)
    assert verdicts == [(copied, "not_found")]
    [finding] = [f for f in report["findings"] if f["target"] == "given_summary"]
    assert finding["category"] == "unsupported_claim" and finding["severity"] == "medium"
    assert finding["quote"] == copied
    assert '"toll"' in finding["explanation"]
    # what was looked in: the article's passage, found there at its offsets
    assert finding["evidence"] and finding["evidence"][0]["source"] == "article"


def test_a_paraphrase_may_bring_in_a_word_or_two_but_not_four(article):
    paraphrase = "Ruiz said the city would pay $2.5 million for the bridge."
    assert verdicts_of(paraphrase)[0] == [(paraphrase, "supported")]
    invented = (
        "Ruiz said the city would borrow $2.5 million from private investors for a toll bridge."
    )
    verdicts, report = verdicts_of(invented)
    assert verdicts == [(invented, "not_found")]
    [finding] = [f for f in report["findings"] if f["target"] == "given_summary"]
    for word in ("borrow", "private", "investors", "toll"):
        assert f'"{word}"' in finding["explanation"]


def test_a_word_of_the_same_family_is_not_absent_and_copied_wording_has_few_new_pairs():
    text = "Two men were killed when the bridge collapsed on Monday."
    evidence = Vocabulary(text)
    w = wording("The collapse of the bridge killed two men.", 0, 42, evidence)
    assert [x.text for x in w.absent] == []  # "collapse" is "collapsed"'s family
    copied = "Two men were killed when the old bridge collapsed on Monday."
    w = wording(copied, 0, len(copied), evidence)
    assert [x.text for x in w.absent] == ["old"] and w.new_pairs < 0.4
    assert w.unsupported(WordRules())
    assert not w.unsupported(WordRules(absent=4, absent_copied=2))


def test_a_run_together_token_has_the_words_it_is_made_of():
    evidence = Vocabulary("Police arrived at 8pm at the 18th-century hall of a 26-year-old.")
    for summary in ("Police arrived at 8 pm.", "The 18th century hall.", "He is 26 years old."):
        assert wording(summary, 0, len(summary), evidence).absent == []
    # a figure and its suffix alone are the figures' to compare, no word of wording
    w = wording("They lost £5m by 9pm.", 0, 21, evidence)
    assert [x.text for x in w.absent] == ["lost"]
