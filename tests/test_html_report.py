"""The ``html`` report: the article with every finding marked in place, safe with any article.

The reports rendered here come from the real pipeline (scripted model answers, the real
deterministic checkers, grounding and merging), so the page is tested on the shapes it
will meet. The browser tests open the page in headless Chromium and read the DOM after
the page's own script has run; they are skipped only when Chromium is not installed.
"""

from __future__ import annotations

import itertools
import json
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from copydesk.cli import cli
from copydesk.plugins.html_layout import article_blocks, segments
from copydesk.plugins.html_report import HTMLFormat, link_href, render_index
from copydesk.testing import FakeModel

# The two flags the sample must carry (issue 5), by category.
NAMED_FLAGS = {
    "bitter Cold War rivals": "loaded_language",
    'unspecified "special" military equipment': "missing_detail",
}
SUMMARY = (
    "Russia will supply Pakistan with special military equipment, Lavrov said on Thursday "
    "after talks in Islamabad."
)


def scripted_sample_model() -> FakeModel:
    """Answers for the sample: a summary with one wrong day, two claims, and findings that
    overlap (a loaded phrase inside an unattributed assessment)."""
    fake = FakeModel()
    fake.answer("summarise", {"summary": SUMMARY})
    fake.answer(
        "claims",
        {
            "claims": [
                {
                    "claim": 'Russia will provide unspecified "special" military equipment to Pakistan',
                    "speaker": "Sergey Lavrov",
                    "kind": "fact",
                },
                {
                    "claim": "Pakistan and Russia have held the DRUZHBA exercise every year since 2016.",
                    "speaker": "the article",
                    "kind": "fact",
                },
            ]
        },
    )
    fake.answer(
        "check",
        {
            "issues": [
                {
                    "category": "loaded_language",
                    "quote": "bitter Cold War rivals",
                    "explanation": "“Bitter” tells the reader how to feel about the two countries.",
                    "suggestion": "former Cold War rivals",
                    "severity": "medium",
                },
                {
                    "category": "unattributed_claim",
                    "quote": "the two bitter Cold War rivals agreed to step up cooperation",
                    "explanation": "Who describes them as rivals? No source is given.",
                    "suggestion": "Attribute the characterisation.",
                    "severity": "low",
                },
                {
                    "category": "missing_detail",
                    "quote": 'unspecified "special" military equipment',
                    "explanation": "The equipment is never specified.",
                    "suggestion": "Ask what equipment.",
                    "severity": "high",
                },
                {
                    "category": "unfaithful_summary",
                    "quote": "on Thursday",
                    "explanation": "The article says Lavrov spoke on Wednesday.",
                    "suggestion": "on Wednesday",
                    "severity": "high",
                },
            ]
        },
    )
    return fake


@pytest.fixture
def sample_report(run_copydesk, sample_path) -> dict[str, Any]:
    """The sample's report: scripted model answers plus every installed checker."""
    return run_copydesk(sample_path, fake_model=scripted_sample_model())


# An article that tries everything: markup, a mark breakout, script URLs, a comment.
HOSTILE = """\
Officials said <script>document.title='pwned';document.documentElement.setAttribute('data-pwned','script')</script> nothing.
The mayor </mark><script>document.documentElement.setAttribute('data-pwned','mark')</script> resigned on Monday.
Read <a href="javascript:document.documentElement.setAttribute('data-pwned','link')">the statement</a> here.
A photo <img src=x onerror="document.documentElement.setAttribute('data-pwned','img')"> was shown.
<!-- an HTML comment --> The council met on Tuesday and <b>voted</b> 5 to 2.
"""
PWN = "document.documentElement.setAttribute('data-pwned','json')"


@pytest.fixture
def hostile_report(run_copydesk) -> dict[str, Any]:
    """A report on HOSTILE whose findings quote the markup, and whose model answers try to
    break out of the page's JSON block."""
    fake = FakeModel()
    fake.answer("summarise", {"summary": "The mayor <script>alert(1)</script> resigned."})
    fake.answer("claims", {"claims": []})
    fake.answer(
        "check",
        {
            "issues": [
                {
                    "category": "missing_detail",
                    "quote": "</mark><script>",
                    "explanation": f"</script><script>{PWN}</script><!--",
                    "suggestion": "<img src=x onerror=alert(1)>",
                    "severity": "high",
                },
                {
                    "category": "loaded_language",
                    "quote": '<a href="javascript:',
                    "explanation": "A script link.",
                    "suggestion": "",
                    "severity": "low",
                },
                {
                    "category": "unattributed_claim",
                    "quote": "<!-- an HTML comment -->",
                    "explanation": "A comment.",
                    "suggestion": "",
                    "severity": "medium",
                },
            ]
        },
    )
    return run_copydesk(HOSTILE, fake_model=fake, checkers=["llm"])


def render(report: dict[str, Any], min_confidence: float = 0.0) -> str:
    return HTMLFormat().render(report, min_confidence=min_confidence)


class Page(HTMLParser):
    """A rendered page as the tests read it, with the standard library's parser.

    Keeps every element with its attributes, its text and the elements around it, and
    checks the page is well formed on the way: every element closed, in order.
    """

    VOID: ClassVar[set[str]] = {"meta", "link", "br", "hr", "img", "input", "wbr", "col", "source"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.elements: list[Element] = []
        self.comments: list[str] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()
        if self._open:
            self.problems.append(f"unclosed: {[e.tag for e in self._open]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, list(self._open))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self._open or self._open[-1].tag != tag:
            self.problems.append(f"</{tag}> closes {self._open[-1].tag if self._open else None}")
        else:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def find(self, tag: str | None = None, **attributes: str) -> list[Element]:
        """Elements by tag and attributes (``data_finding="3"`` for ``data-finding``)."""
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()}
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in want.items())
        ]

    def text(self, element_id: str) -> str:
        (element,) = self.find(id=element_id)
        return "".join(element.text)

    def text_of(self, tag: str) -> str:
        """The text of the first ``tag`` element."""
        return "".join(self.find(tag)[0].text)

    def article_text(self) -> str:
        """The text of the article's paragraphs (not the folded furniture)."""
        return "".join(
            "".join(e.text) for e in self.find("p") if any(a.id == "article" for a in e.within)
        )

    def highlighted(self, finding_id: int, within: str | None = None) -> str:
        """The text of every mark that carries the finding, in page order."""
        return "".join(
            "".join(m.text)
            for m in self.find("mark")
            if finding_id in m.ids("data-findings")
            and (within is None or any(a.id == within for a in m.within))
        )


class Element:
    """One element of a parsed page: its tag, attributes, text, and the elements it is in."""

    def __init__(self, tag: str, attrs: dict[str, str], within: list[Element]) -> None:
        self.tag, self.attrs, self.within = tag, attrs, within
        self.text: list[str] = []

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    def ids(self, attribute: str) -> set[int]:
        return {int(x) for x in self.attrs.get(attribute, "").split()}

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


# --- Overlaps: cut into segments -------------------------------------------------------------


def test_overlapping_spans_are_cut_into_segments_that_list_every_span_covering_them():
    #                 0123456789
    pieces = segments("abcdefghij", 0, 10, {7: (1, 5), 9: (3, 8)})
    assert [(s.text, s.findings) for s in pieces] == [
        ("a", ()),
        ("bc", (7,)),
        ("de", (7, 9)),
        ("fgh", (9,)),
        ("ij", ()),
    ]
    assert [s.opens for s in pieces] == [(), (7,), (9,), (), ()]
    assert [s.closes for s in pieces] == [(), (), (7,), (9,), ()]


def test_a_span_across_two_blocks_is_cut_into_both_and_opens_and_closes_once():
    text = "First para.\nSecond para."
    spans = {0: (6, 18)}
    first, second = segments(text, 0, 12, spans), segments(text, 12, 24, spans)
    assert [(s.text, s.opens, s.closes) for s in first if s.findings] == [("para.\n", (0,), ())]
    assert [(s.text, s.opens, s.closes) for s in second if s.findings] == [("Second", (), (0,))]


def test_the_article_blocks_cover_every_offset_and_fold_the_furniture(sample_report):
    article = sample_report["article"]
    blocks = article_blocks(article)
    assert blocks[0].start == 0 and blocks[-1].end == len(article["text"])
    assert all(a.end == b.start for a, b in itertools.pairwise(blocks))
    assert [(b.start, b.end) for b in blocks if b.kind == "furniture"] == [
        (e["start"], e["end"]) for e in article["excluded"]
    ]


# --- What the page shows --------------------------------------------------------------------


def test_the_page_is_well_formed_and_its_ids_are_unique(sample_report):
    page = Page(render(sample_report))
    assert page.problems == []
    ids = [e.id for e in page.elements if e.id]
    assert len(ids) == len(set(ids))


def test_every_finding_is_highlighted_with_exactly_its_own_words(sample_report):
    page = Page(render(sample_report))
    assert sample_report["findings"], "the sample has findings to show"
    for i, finding in enumerate(sample_report["findings"]):
        where = "summary" if finding["target"] == "summary" else "article"
        assert page.highlighted(i, within=where) == finding["quote"], finding
        assert page.find("span", id=f"f{i}"), f"finding {i} has an anchor to link to"
        first = next(m for m in page.find("mark") if i in m.ids("data-findings"))
        assert first.attrs.get("tabindex") == "0", "each finding can be reached by keyboard"


def test_the_named_flags_are_marked_in_place_with_their_category(sample_report):
    page = Page(render(sample_report))
    for quote, category in NAMED_FLAGS.items():
        (i,) = [
            i
            for i, f in enumerate(sample_report["findings"])
            if f["quote"] == quote and f["category"] == category
        ]
        assert page.highlighted(i, within="article") == quote


def test_overlapping_findings_share_a_mark_that_shows_both_colours(run_copydesk, sample_path):
    # The model's findings alone, so that no detector's span changes where the text is cut.
    report = run_copydesk(sample_path, fake_model=scripted_sample_model(), checkers=["llm"])
    findings = report["findings"]
    loaded = next(i for i, f in enumerate(findings) if f["quote"] == "bitter Cold War rivals")
    (wider,) = [
        i
        for i, f in enumerate(findings)
        if f["category"] == "unattributed_claim" and f["quote"].startswith("the two bitter")
    ]
    page = Page(render(report))
    (shared,) = [m for m in page.find("mark") if m.ids("data-findings") == {loaded, wider}]
    assert "".join(shared.text) == "bitter Cold War rivals"
    assert shared.attrs["style"].count("inset") == 2, "one underline per category"
    assert page.highlighted(wider) == findings[wider]["quote"]


def test_the_summary_marks_its_own_findings(sample_report):
    (i,) = [i for i, f in enumerate(sample_report["findings"]) if f["target"] == "summary"]
    quote = sample_report["findings"][i]["quote"]
    assert quote in "on Thursday"
    page = Page(render(sample_report))
    assert page.text("summary") == SUMMARY
    assert page.highlighted(i, within="summary") == quote
    assert page.highlighted(i, within="article") == ""


def test_each_claim_links_to_its_words_in_the_article(sample_report):
    page = Page(render(sample_report))
    assert sample_report["claims"]
    for j, claim in enumerate(sample_report["claims"]):
        assert page.find("a", href=f"#claim-{j}")
        (anchor,) = page.find("span", id=f"claim-{j}")
        assert any(e.id == "article" for e in anchor.within)
        words = "".join("".join(e.text) for e in page.elements if j in e.ids("data-claims"))
        assert words == claim["quote"]


def test_filters_offer_every_category_and_severity_and_start_at_min_confidence(sample_report):
    page = Page(render(sample_report, min_confidence=0.45))
    categories = {e.attrs["value"] for e in page.find("input", name="category")}
    assert categories == {f["category"] for f in sample_report["findings"]}
    severities = {e.attrs["value"] for e in page.find("input", name="severity")}
    assert severities == {"high", "medium", "low"}
    (slider,) = page.find("input", id="min-confidence")
    assert slider.attrs["value"] == "0.45"


def test_findings_below_min_confidence_start_hidden_but_can_be_brought_back(sample_report):
    findings = sample_report["findings"]
    low = {i for i, f in enumerate(findings) if f["confidence"] < 0.45}
    assert low and len(low) < len(findings), "the sample has findings either side of 0.45"
    page = Page(render(sample_report, min_confidence=0.45))
    for i in range(len(findings)):
        (card,) = page.find("li", data_finding=str(i))
        assert ("hidden" in card.attrs) == (i in low)
    for mark in page.find("mark"):
        hidden = mark.ids("data-findings") <= low
        assert ("off" in mark.classes()) == hidden, "a mark is drawn if any finding on it shows"
    # The page's own data keeps the hidden ones, so its slider can go lower.
    assert len(json.loads(page.text("copydesk-data"))["findings"]) == len(findings)


def test_furniture_is_folded_away_and_struck_through(sample_report):
    page = Page(render(sample_report))
    (excluded,) = sample_report["article"]["excluded"]
    furniture = sample_report["article"]["text"][excluded["start"] : excluded["end"]]
    (folded,) = page.find("details", class_="furniture")
    assert "open" not in folded.attrs
    (struck,) = page.find("del", class_="furniture-text")
    assert "".join(struck.text) == furniture
    assert "view article" in furniture and "view article" not in page.article_text()


def test_the_footer_shows_each_stage_and_each_model_call(sample_report):
    page = Page(render(sample_report))
    (footer,) = page.find("footer")
    rows = [e for e in page.find("tr") if footer in e.within and e.within[-1].tag == "tbody"]
    stages, calls = sample_report["stages"], sample_report["calls"]
    assert calls, "the scripted model was called"
    assert len(rows) == len(stages) + len(calls)
    for row, stage in zip(rows, stages, strict=False):
        assert stage["plugin"] in "".join(row.text) and stage["status"] in "".join(row.text)
    for row, call in zip(rows[len(stages) :], calls, strict=True):
        text = "".join(row.text)
        assert call["prompt"] in text and call["model"] in text
        assert f"{call['prompt_tokens']:,}" in text and f"{call['seconds']:.2f}" in text


# --- Untrusted article text ------------------------------------------------------------------


def test_a_hostile_article_is_shown_as_text_and_nothing_in_it_becomes_markup(hostile_report):
    page = Page(render(hostile_report))
    assert page.problems == []
    # The article reads back exactly, as text.
    assert page.article_text() == hostile_report["article"]["text"]
    # The only scripts are the page's own two; nothing from the article became an element.
    assert [e.attrs.get("type") for e in page.find("script")] == ["application/json", None]
    assert not [e for e in page.elements if e.tag in {"img", "b", "svg"}]
    assert not [e for e in page.elements if any(k.startswith("on") for k in e.attrs)]
    assert not [e for e in page.elements if "javascript:" in e.attrs.get("href", "")]
    assert all("an HTML comment" not in c for c in page.comments)
    assert "<script>alert(1)</script>" in page.text("summary")
    # Each finding still highlights its words: markup characters and all.
    for i, finding in enumerate(hostile_report["findings"]):
        assert page.highlighted(i) == finding["quote"]


def test_the_data_for_the_script_cannot_close_its_element(hostile_report):
    html = render(hostile_report)
    start = html.index('<script type="application/json" id="copydesk-data">')
    block = html[start : html.index("</script>", start)]
    body = block[block.index(">") + 1 :]
    assert "<" not in body and ">" not in body and "&" not in body
    explanations = {f["explanation"] for f in json.loads(body)["findings"]}
    assert f"</script><script>{PWN}</script><!--" in explanations


# --- The command line and the batch index ----------------------------------------------------


def test_check_writes_a_self_contained_html_report(tmp_path, sample_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["check", str(sample_path), "--no-model", "--format", "html", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    assert page.problems == []
    assert page.find("mark"), "the deterministic checkers' findings are marked"
    assert page.text("summary").startswith("No summary: the summariser (llm) skipped: ")
    # Nothing is fetched: no stylesheet links, no src attributes, no URLs in the styles.
    assert not page.find("link") and not [e for e in page.elements if "src" in e.attrs]
    assert "url(" not in "".join(page.find("style")[0].text)


def test_the_batch_index_links_each_report_with_its_counts_and_status():
    html = render_index(
        [
            {
                "name": "lavrov-pakistan-2021",
                "report": "lavrov-pakistan-2021.html",
                "counts": {"high": 1, "medium": 4, "low": 1},
                "status": "ok",
            },
            {
                "name": "council <b>vote</b>",
                "report": "javascript:alert(1)",
                "counts": {"medium": 2},
                "status": "partial",
                "error": "checker llm failed: the endpoint timed out",
            },
            {"name": "empty.txt", "report": None, "counts": {}, "status": "failed"},
        ]
    )
    page = Page(html)
    assert page.problems == []
    ok, partial, failed = [e for e in page.find("tr") if e.within[-1].tag == "tbody"]
    assert [e.attrs["href"] for e in page.find("a")] == [
        "lavrov-pakistan-2021.html",
        "javascript%3Aalert%281%29",  # a relative path, never a script URL
    ]
    assert not page.find("b"), "a name is text"
    cells = [[t.strip() for t in row.text if t.strip()] for row in (ok, partial, failed)]
    assert cells == [
        ["lavrov-pakistan-2021", "1", "4", "1", "ok"],
        [
            "council <b>vote</b>",
            "0",
            "2",
            "0",
            "partial",
            "checker llm failed: the endpoint timed out",
        ],
        ["empty.txt", "0", "0", "0", "failed"],
    ]
    assert [t for t in page.find(id="totals")[0].text if t.strip()] == ["total", "1", "6", "1"]
    (header,) = page.find("header")
    assert "1 of 3 failed" in "".join(header.text) and "1 of 3 partial" in "".join(header.text)


def test_report_paths_become_relative_links():
    assert link_href("reports/a b.html") == "reports/a%20b.html"
    assert link_href(Path("out") / "x.html") == "out/x.html"
    assert ":" not in link_href("javascript:alert(1)")


# --- In a real browser ------------------------------------------------------------------------

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install -y chromium); CI installs it",
)


def chromium(page: Path, profile: Path, *args: str, fragment: str = "") -> str:
    """Run headless Chromium on a local page with no network features; return its stdout."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={profile}",
            *args,
            page.as_uri() + fragment,
        ],
        capture_output=True,
        text=True,
        timeout=90,  # a guard against a hung browser, not a speed test
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@needs_chromium
def test_in_chromium_every_finding_is_highlighted_after_the_script_runs(sample_report, tmp_path):
    source = render(sample_report, min_confidence=0.45)
    page_path = tmp_path / "report.html"
    page_path.write_text(source, encoding="utf-8")
    page = Page(chromium(page_path, tmp_path / "profile", "--dump-dom", fragment="#claim-0"))
    (html,) = page.find("html")
    assert "data-copydesk-ready" in html.attrs, "the page's own script ran to the end"
    # Opened at a claim's link, the page marks that claim's words.
    lit = [e for e in page.elements if "claim-on" in e.classes()]
    assert lit and all(0 in e.ids("data-claims") for e in lit)
    assert "".join("".join(e.text) for e in lit) == sample_report["claims"][0]["quote"]
    for i, finding in enumerate(sample_report["findings"]):
        assert page.highlighted(i) == finding["quote"]
    for quote, category in NAMED_FLAGS.items():
        (i,) = [
            i
            for i, f in enumerate(sample_report["findings"])
            if f["quote"] == quote and f["category"] == category
        ]
        assert page.highlighted(i, within="article") == quote
    # The script's filters start where the server left off: same marks drawn, same colours,
    # same numbers, same tab stops, same cards hidden.
    drawn = [
        (
            m.classes() - {"claim-on"},
            m.attrs.get("style"),
            m.attrs.get("data-label"),
            m.attrs.get("tabindex"),
        )
        for m in page.find("mark")
    ]
    assert drawn == [
        (
            m.classes() - {"claim-on"},
            m.attrs.get("style"),
            m.attrs.get("data-label"),
            m.attrs.get("tabindex"),
        )
        for m in Page(source).find("mark")
    ]
    assert any("off" in classes for classes, *_ in drawn) and any(
        "off" not in classes for classes, *_ in drawn
    )
    hidden = [("hidden" in c.attrs) for c in page.find("li", class_="finding")]
    assert hidden == [("hidden" in c.attrs) for c in Page(source).find("li", class_="finding")]


@needs_chromium
def test_in_chromium_the_filters_and_the_tooltip_work(sample_report, tmp_path):
    findings = sample_report["findings"]
    loaded = {i for i, f in enumerate(findings) if f["category"] == "loaded_language"}
    assert loaded and len(loaded) < len(findings)
    # What an editor does: untick a category, then tab to the first highlight still shown.
    editor = """<script>
    var box = document.querySelector('input[name="category"][value="loaded_language"]');
    box.checked = false;
    box.dispatchEvent(new Event("change", {bubbles: true}));
    document.querySelector("mark.hl[tabindex]:not(.off)").focus();
    </script></body>"""
    page_path = tmp_path / "report.html"
    page_path.write_text(render(sample_report).replace("</body>", editor), encoding="utf-8")
    page = Page(chromium(page_path, tmp_path / "profile", "--dump-dom"))
    for mark in page.find("mark"):
        assert ("off" in mark.classes()) == (mark.ids("data-findings") <= loaded)
    for card in page.find("li", class_="finding"):
        assert ("hidden" in card.attrs) == (card.ids("data-finding") <= loaded)
    shown = len(findings) - len(loaded)
    assert page.text("tally").startswith(f"{shown} of {len(findings)} findings shown")
    (tip,) = page.find(id="tip")
    focused = next(
        m for m in page.find("mark") if "tabindex" in m.attrs and "off" not in m.classes()
    )
    assert "hidden" not in tip.attrs and focused.attrs.get("aria-describedby") == "tip"
    tip_text = "".join(tip.text)
    for i in focused.ids("data-findings") - loaded:
        f = findings[i]
        assert f["explanation"] in tip_text and f["category"].replace("_", " ") in tip_text
        assert f"confidence {f['confidence']:.2f}" in tip_text and f["severity"] in tip_text
        assert all(d in tip_text for d in f["detectors"])


@needs_chromium
def test_in_chromium_nothing_in_a_hostile_article_runs(hostile_report, tmp_path):
    source = render(hostile_report)
    page_path = tmp_path / "hostile.html"
    page_path.write_text(source, encoding="utf-8")
    page = Page(chromium(page_path, tmp_path / "profile", "--dump-dom"))
    (html,) = page.find("html")
    assert "data-copydesk-ready" in html.attrs, "scripts do run here: the page's own did"
    assert "data-pwned" not in html.attrs, "no injected script ran"
    assert page.text_of("title") == Page(source).text_of("title") != "pwned"
    assert not [e for e in page.elements if e.tag in {"img", "b", "svg"}]
    assert page.article_text() == hostile_report["article"]["text"]


@needs_chromium
def test_in_chromium_the_report_screenshots_at_the_requested_size(sample_report, tmp_path):
    page_path = tmp_path / "report.html"
    page_path.write_text(render(sample_report), encoding="utf-8")
    shot = tmp_path / "report.png"
    chromium(page_path, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
