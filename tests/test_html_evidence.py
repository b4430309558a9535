"""The fact-check in the HTML report: each claim next to its verdict and evidence, the
source passage shown with the cited words highlighted, the given texts marked in place."""

from __future__ import annotations

from test_fact_check import ARTICLE, TRANSCRIPT, desk_with
from test_html_report import Page, render

from copydesk.types import Article, GivenText

HOSTILE = TRANSCRIPT + " <script>alert('evidence')</script> The state will pay the rest."


def report_with(*checkers: str, transcript: str = TRANSCRIPT, headline: str | None = None) -> dict:
    desk = desk_with(*checkers, documents={"transcript.txt": transcript})
    given = [GivenText("headline", headline)] if headline else []
    return desk.check(Article(ARTICLE), given).to_dict()


def test_each_claim_shows_its_verdict_and_the_passage_with_the_cited_words_marked():
    report = report_with("quotations", "claim-figures")
    page = Page(render(report))
    assert page.problems == []
    claims = [li for li in page.find("li") if any(a.id == "claims" for a in li.within)]
    verdicts = [
        "".join(s.text)
        for s in page.find("span")
        if "verdict" in s.classes() and any(a.id == "claims" for a in s.within)
    ]
    assert len(claims) == len(report["claims"])
    assert verdicts == [
        (c["verification"]["verdict"].replace("_", " "))
        for c in report["claims"]
        if c["verification"]
    ]
    cited = [
        "".join(m.text)
        for m in page.find("mark")
        if "cited" in m.classes() and any(a.id == "claims" for a in m.within)
    ]
    expected = [
        e["quote"]
        for c in report["claims"]
        if c["verification"]
        for e in c["verification"]["evidence"]
    ]
    assert cited == expected and "This project will not raise local taxes" in cited
    caption = "".join(page.find("figcaption")[0].text)
    assert caption.startswith("sources · transcript.txt · characters ")


def test_a_given_headline_is_shown_with_its_finding_marked_in_it_not_in_the_article():
    report = report_with("claim-figures", headline="Bridge work starts in June")
    page = Page(render(report))
    [finding] = [f for f in report["findings"] if f["target"] == "headline"]
    number = report["findings"].index(finding)
    assert page.highlighted(number, within="given-headline") == "Bridge work starts in June"
    assert page.highlighted(number, within="article") == ""
    [heading] = page.find("h2", id="given-headline-h")
    assert "".join(heading.text) == "Headline given"


def test_evidence_is_text_even_when_the_source_holds_markup():
    report = report_with("claim-figures", transcript=HOSTILE)
    html = render(report)
    page = Page(html)
    assert page.problems == []
    assert len(page.find("script")) == 2  # the page's own: its data and its code
    # shown in the passage around the evidence, as the text it is
    assert "2027. &lt;script&gt;alert(&#39;evidence&#39;)&lt;/script&gt;" in html
