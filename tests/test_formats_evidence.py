"""The fact-check in the terminal and Markdown reports: each claim's verdict with its
evidence, each finding's evidence, and the given texts sentence by sentence."""

from __future__ import annotations

from rich.console import Console
from test_fact_check import ARTICLE, TRANSCRIPT, desk_with

from copydesk.plugins.formats import MarkdownFormat, TerminalFormat
from copydesk.types import Article, GivenText


def report() -> dict:
    desk = desk_with("quotations", documents={"transcript.txt": TRANSCRIPT})
    return desk.check(Article(ARTICLE), [GivenText("headline", "Taxes will rise")]).to_dict()


def test_markdown_shows_each_claims_verdict_and_the_evidence_where_it_is():
    text = MarkdownFormat().render(report())
    assert (
        "  - **contradicted (quotations): The quotation (Ruiz) is not what the source says: "
        'a negation dropped: the source has "not".**\n'
        "    - “This project will not raise local taxes” (sources: transcript.txt, 50–89)"
    ) in text
    assert (
        "  *Evidence* (sources: transcript.txt, 50–89): “This project will not raise local taxes”"
        in text
    )
    # a headline no checker could verify (no figures in it, no model) is shown as given
    assert "## Headline given\n\nTaxes will rise\n\n## Stages" in text


def test_the_terminal_shows_verdicts_and_evidence():
    wide = TerminalFormat(lambda: Console(width=200, highlight=False, color_system=None))
    text = wide.render(report())
    assert (
        "     CONTRADICTED (quotations) The quotation (Ruiz) is not what the source says"
    ) in text
    assert (
        "   evidence: “This project will not raise local taxes” — sources: transcript.txt, 50–89"
        in text
    )
    assert "Headline given: Taxes will rise" in text
