"""The model-free fact-check: quotations word for word, figures against the best passage,
each claim's verdict, and the host's rule that evidence must be where it says."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from conftest import ROOT

import copydesk
from copydesk import Claim, Evidence, Finding
from copydesk.evidence import EvidenceInputs
from copydesk.host import Host
from copydesk.report import report_problems, schema_errors
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.types import Article

TRANSCRIPT = (
    "MAYOR ANA RUIZ: Thank you all for coming tonight. This project will not raise local "
    "taxes. We have set aside 12 million dollars for the bridge, and the state will pay the "
    "rest. Work will start in March, and we expect to open the bridge in 2027."
)
ARTICLE = (
    "The city will spend $12 million on the new bridge, Mayor Ana Ruiz said on Tuesday. "
    '"This project will raise local taxes," Ruiz told residents. '
    '"We expect to close the bridge in 2027," she said. Work will start in May.'
)


class Sentences:
    """A claim extractor with no model: every sentence is a claim (as a test needs)."""

    name = "sentences"

    async def extract(self, article: Article, ctx) -> list[Claim]:
        import re

        return [Claim(m.group(), m.group()) for m in re.finditer(r"[^.]+\.\"?", article.text)]


def desk_with(*checkers: str, documents: dict[str, str] | None = None, plugin=None) -> Copydesk:
    host = Host()
    host.load_builtins()

    @copydesk.hookimpl
    def register_claim_extractors(register):
        register(Sentences())

    extractor = types.SimpleNamespace(register_claim_extractors=register_claim_extractors)
    host.register_plugin(extractor, "test-extractor", version="1", source="test")
    if plugin is not None:
        host.register_plugin(plugin, "test-plugin", version="1", source="test")
    host.collect()
    inputs = EvidenceInputs(tuple((k, Article(v)) for k, v in (documents or {}).items()))
    return Copydesk(
        Settings(), host, summariser=None, extractor="sentences", checkers=list(checkers),
        evidence=inputs,
    )  # fmt: skip


def run(desk: Copydesk, text: str = ARTICLE) -> dict:
    report = desk.check(Article(text)).to_dict()
    assert report_problems(report) == [], report_problems(report)
    return report


def verdicts(report: dict) -> list[tuple[str, str | None]]:
    return [(c["quote"], (c["verification"] or {}).get("verdict")) for c in report["claims"]]


def test_an_altered_quotation_is_a_misquote_with_the_words_that_changed_and_the_original():
    report = run(desk_with("quotations", documents={"transcript.txt": TRANSCRIPT}))
    misquotes = [f for f in report["findings"] if f["category"] == "misquote"]
    assert [(f["quote"], f["severity"]) for f in misquotes] == [
        ("This project will raise local taxes,", "high"),
        ("We expect to close the bridge in 2027,", "high"),
    ]
    negation, word = (f["explanation"] for f in misquotes)
    assert 'a negation dropped: the source has "not"' in negation
    assert 'a word changed: the source has "open" where the article has "close"' in word
    # the evidence is the source's own words, at their offsets in the transcript
    original = misquotes[0]["evidence"][0]
    assert original["quote"] == "This project will not raise local taxes"
    assert TRANSCRIPT[original["start"] : original["end"]] == original["quote"]
    # each claim holding a misquoted sentence is contradicted by it
    assert verdicts(report)[1:3] == [
        ('"This project will raise local taxes," Ruiz told residents.', "contradicted"),
        ('"We expect to close the bridge in 2027," she said.', "contradicted"),
    ]


def test_figures_agreeing_support_a_claim_and_a_different_month_contradicts_one():
    report = run(desk_with("claim-figures", documents={"transcript.txt": TRANSCRIPT}))
    assert verdicts(report)[0] == (
        "The city will spend $12 million on the new bridge, Mayor Ana Ruiz said on Tuesday.",
        "not_found",  # "Tuesday" is in no passage: the transcript does not say when
    )
    [month] = [f for f in report["findings"] if f["quote"] == "Work will start in May."]
    assert month["category"] == "contradicted_claim" and month["severity"] == "high"
    assert month["explanation"] == (
        '"May" disagrees with the source (transcript.txt), which has "March".'
    )
    assert month["evidence"][0]["quote"] == (
        "Work will start in March, and we expect to open the bridge in 2027."
    )


def test_with_no_evidence_given_nothing_is_unsupported():
    report = run(desk_with("quotations", "claim-figures"))
    assert [f["category"] for f in report["findings"]] == []
    assert {v for _, v in verdicts(report)} == {None}


class Inventing:
    """A checker that cites words its source does not have, and one that it has."""

    name = "inventing"
    categories = ("contradicted_claim",)
    needs_model = False

    def check(self, ctx) -> list[Finding]:
        def cited(quote: str) -> Finding:
            return Finding(
                "contradicted_claim",
                "The city will spend $12 million",
                "The source says otherwise.",
                evidence=[Evidence("sources", "transcript.txt", quote)],
            )

        return [cited("the state will pay the rest"), cited("the city will pay everything")]


def test_evidence_not_in_its_document_is_dropped_and_counted_and_so_is_what_rested_on_it():
    @copydesk.hookimpl
    def register_checkers(register):
        register(Inventing())

    plugin = types.SimpleNamespace(register_checkers=register_checkers)
    desk = desk_with("inventing", documents={"transcript.txt": TRANSCRIPT}, plugin=plugin)
    report = desk.check(Article(ARTICLE)).to_dict()
    [kept] = report["findings"]
    assert [e["quote"] for e in kept["evidence"]] == ["the state will pay the rest"]
    assert [(d["kind"], d["quote"]) for d in report["dropped"]] == [
        ("evidence", "the city will pay everything"),
        ("finding", "The city will spend $12 million"),
    ]
    [stage] = [s for s in report["stages"] if s["plugin"] == "inventing"]
    assert stage["dropped"] == 2


class Judges:
    """Two checkers' opposite verdicts on the first claim, each with its finding."""

    def __init__(self, name: str, verdict: str, quote: str) -> None:
        self.name, self.verdict, self.quote = name, verdict, quote
        self.categories = ("contradicted_claim", "unsupported_claim")
        self.needs_model = False

    def check(self, ctx) -> list[Finding]:
        claim = ctx.claims[0]
        category = "contradicted_claim" if self.verdict == "contradicted" else "unsupported_claim"
        finding = Finding(category, claim.quote, f"{self.name} says so.", start=claim.start)
        ctx.evidence.judge(
            claim,
            self.verdict,
            evidence=[Evidence("sources", "transcript.txt", self.quote)],
            findings=[] if self.verdict == "supported" else [finding],
            confidence=0.6,
        )
        return []


@pytest.mark.parametrize(
    ("theirs", "merged", "detectors", "categories"),
    [
        ("contradicted", "contradicted", ["a"], ["contradicted_claim"]),
        ("supported", "supported", ["a", "b"], []),
    ],
)
def test_verdicts_merge_contradicted_first_and_only_the_standing_verdicts_findings_are_reported(
    theirs, merged, detectors, categories
):
    ours = Judges("b", "supported", "12 million dollars for the bridge")

    @copydesk.hookimpl
    def register_checkers(register):
        register(Judges("a", theirs, "12 million dollars"))
        register(ours)

    plugin = types.SimpleNamespace(register_checkers=register_checkers)
    desk = desk_with("a", "b", documents={"transcript.txt": TRANSCRIPT}, plugin=plugin)
    report = run(desk)
    verification = report["claims"][0]["verification"]
    assert (verification["verdict"], verification["detectors"]) == (merged, detectors)
    assert [f["category"] for f in report["findings"]] == categories


class Reader(Judges):
    """A checker that reads the model (it says so: ``needs_model``) and supports every
    claim, quoting the transcript's sentence about the bridge."""

    def __init__(self) -> None:
        super().__init__("reader", "supported", "12 million dollars for the bridge")
        self.needs_model = True


def test_a_models_support_does_not_overturn_a_rules_not_found_that_names_the_absent_word():
    @copydesk.hookimpl
    def register_checkers(register):
        register(Reader())

    plugin = types.SimpleNamespace(register_checkers=register_checkers)
    desk = desk_with(
        "claim-figures", "reader", documents={"transcript.txt": TRANSCRIPT}, plugin=plugin
    )
    report = run(desk)
    first = report["claims"][0]
    # "Tuesday" is in no passage of the transcript: the reader cannot make it be there
    assert first["verification"]["verdict"] == "not_found"
    assert first["verification"]["detectors"] == ["claim-figures"]
    [unsupported] = [f for f in report["findings"] if f["quote"] == first["quote"]]
    assert unsupported["category"] == "unsupported_claim"
    assert '"Tuesday"' in unsupported["explanation"]


class Lacking(Judges):
    """A model-free not_found that names what it says the evidence lacks."""

    def __init__(self, lacking: str) -> None:
        super().__init__("rule", "not_found", "12 million dollars")
        self.lacking = lacking

    def check(self, ctx) -> list[Finding]:
        claim = ctx.claims[0]
        finding = Finding("unsupported_claim", claim.quote, "rule says so.", start=claim.start)
        ctx.evidence.judge(claim, "not_found", findings=[finding], lacking=[self.lacking])
        return []


@pytest.mark.parametrize(
    ("lacking", "merged"),
    [
        ("Tuesday", "not_found"),  # the claim's own word: the rule's fact stands
        ("Wednesday", "supported"),  # not the claim's words: it rests on nothing, the reader wins
    ],
)
def test_what_a_not_found_says_is_lacking_must_be_the_claims_own_words(lacking, merged):
    @copydesk.hookimpl
    def register_checkers(register):
        register(Lacking(lacking))
        register(Reader())

    plugin = types.SimpleNamespace(register_checkers=register_checkers)
    desk = desk_with("rule", "reader", documents={"transcript.txt": TRANSCRIPT}, plugin=plugin)
    assert run(desk)["claims"][0]["verification"]["verdict"] == merged


def test_a_rules_support_still_overturns_a_not_found_and_a_models_contradiction_still_wins():
    @copydesk.hookimpl
    def register_checkers(register):
        register(Lacking("Tuesday"))
        register(Judges("figures", "supported", "12 million dollars for the bridge"))
        register(Judges("model", "contradicted", "the state will pay the rest"))

    plugin = types.SimpleNamespace(register_checkers=register_checkers)
    desk = desk_with("rule", "figures", documents={"transcript.txt": TRANSCRIPT}, plugin=plugin)
    assert run(desk)["claims"][0]["verification"]["verdict"] == "supported"
    desk = desk_with("rule", "model", documents={"transcript.txt": TRANSCRIPT}, plugin=plugin)
    assert run(desk)["claims"][0]["verification"]["verdict"] == "contradicted"


def test_a_report_written_to_schema_1_0_still_validates():
    old = json.loads((ROOT / "tests" / "data" / "report-1.0-lavrov.json").read_text())
    assert old["schema_version"] == "1.0" and old["findings"]
    assert schema_errors(old) == []
    assert report_problems(old) == []
    old["schema_version"] = "1.1"  # a 1.1 report must carry what 1.1 added
    assert "(top level): 'given' is a required property" in schema_errors(old)


def test_the_report_schema_describes_evidence_and_verifications():
    schema = json.loads(Path(ROOT / "core" / "schemas" / "report.schema.json").read_text())
    assert schema["properties"]["schema_version"] == {"const": "1.1"}
    assert set(schema["$defs"]["evidence"]["required"]) >= {"source", "quote", "start", "passage"}
