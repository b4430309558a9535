"""The model's fact-check (``claim-llm``) on a scripted model: calls grow with the claims,
never with claims x passages; evidence is found by the host at its offsets in the source,
and what is not there is dropped and counted; a given summary is checked against the
article in one call."""

from __future__ import annotations

import json
import types

import copydesk
from copydesk.evidence import EvidenceInputs
from copydesk.host import Host
from copydesk.report import report_problems
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.testing import FakeModel, FakeProvider
from copydesk.types import Article, Claim, GivenText

TRANSCRIPT = (
    "MAYOR ANA RUIZ: Thank you all for coming tonight. This project will not raise local "
    "taxes. We have set aside 12 million dollars for the bridge, and the state will pay the "
    "rest. Work will start in March, and we expect to open the bridge in 2027."
)
ARTICLE = (
    "The city will spend $12 million on the new bridge, Mayor Ana Ruiz said. "
    "The state will pay for the rest of the bridge. Work on the bridge will start in May. "
    "The bridge will open in 2027."
)


class Sentences:
    name = "sentences"

    async def extract(self, article: Article, ctx) -> list[Claim]:
        import re

        return [Claim(m.group(), m.group()) for m in re.finditer(r"[^.]+\.", article.text)]


def desk(fake: FakeModel, documents: dict[str, str] | None = None, **kw) -> Copydesk:
    host = Host()
    host.load_builtins()

    @copydesk.hookimpl
    def register_claim_extractors(register):
        register(Sentences())

    host.register_plugin(
        types.SimpleNamespace(register_claim_extractors=register_claim_extractors),
        "test-extractor", version="1", source="test",
    )  # fmt: skip
    host.collect()
    host.components["provider"]["fake"] = FakeProvider(fake)
    inputs = EvidenceInputs(tuple((k, Article(v)) for k, v in (documents or {}).items()))
    return Copydesk(
        Settings(provider="fake"), host, summariser=None, extractor="sentences",
        checkers=["claim-llm"], evidence=inputs, **kw,
    )  # fmt: skip


def statements_of(request: dict) -> list[str]:
    text = request["messages"][-1]["content"]
    return [
        line.split(". ", 1)[1] for line in text.splitlines() if line[:1].isdigit() and ". " in line
    ]


def verdict(n: int, v: str, evidence: str = "", why: str = "Because.") -> dict:
    return {"statement": n, "verdict": v, "evidence": evidence, "explanation": why}


def test_claims_that_share_passages_are_asked_together_and_evidence_is_found_at_its_offsets():
    def answer(request):
        statements = statements_of(request)
        out = []
        for n, s in enumerate(statements, 1):
            if "in May" in s:
                out.append(
                    verdict(n, "contradicted", "Work will start in March", "March, not May.")
                )
            elif "state" in s:
                out.append(verdict(n, "supported", "the state will pay the rest"))
            else:  # words the transcript does not have: dropped by the host, and counted
                out.append(verdict(n, "supported", "the bridge costs twelve million"))
        return {"verdicts": out}

    fake = FakeModel().answer("verify_claims", answer)
    report = desk(fake, {"transcript.txt": TRANSCRIPT}).check(Article(ARTICLE)).to_dict()
    assert report_problems(report) == []
    # four claims, one transcript: one call (at most 4 statements a call)
    assert fake.prompts_asked() == ["verify_claims"]
    assert len(statements_of(fake.requests[0])) == 4
    by_quote = {c["quote"]: c["verification"] for c in report["claims"]}
    may = by_quote["Work on the bridge will start in May."]
    assert may["verdict"] == "contradicted"
    [evidence] = may["evidence"]
    assert (evidence["document"], evidence["quote"]) == (
        "transcript.txt",
        "Work will start in March",
    )
    assert TRANSCRIPT[evidence["start"] : evidence["end"]] == "Work will start in March"
    state = by_quote["The state will pay for the rest of the bridge."]
    assert state["verdict"] == "supported"
    assert TRANSCRIPT[state["evidence"][0]["start"] : state["evidence"][0]["end"]] == (
        "the state will pay the rest"
    )
    [finding] = report["findings"]
    assert (finding["category"], finding["severity"]) == ("contradicted_claim", "high")
    assert ("evidence", "the bridge costs twelve million") in [
        (d["kind"], d["quote"]) for d in report["dropped"]
    ]


def test_calls_grow_with_the_claims_not_with_claims_times_passages():
    asked: list[int] = []

    def answer(request):
        n = len(statements_of(request))
        asked.append(n)
        return {"verdicts": [verdict(i, "not_found") for i in range(1, n + 1)]}

    fake = FakeModel().answer("verify_claims", answer)
    article = " ".join(
        f"The bridge will cost {n} million dollars in year {n}." for n in range(1, 10)
    )
    desk(fake, {"transcript.txt": TRANSCRIPT}).check(Article(article))
    assert sum(asked) == 9 and len(asked) == 3  # 9 claims, 4 a call


def test_a_contradiction_cited_with_words_not_in_the_source_is_asked_again_then_left_out():
    bad = {"verdicts": [verdict(1, "contradicted", "The mayor said work starts in June")]}
    fake = FakeModel().answer("verify_claims", bad)
    text = "Work on the bridge will start in May, the mayor said on Tuesday night."
    report = desk(fake, {"transcript.txt": TRANSCRIPT}).check(Article(text)).to_dict()
    assert report_problems(report) == []
    assert fake.prompts_asked() == ["verify_claims"] * 3  # asked, then the two re-asks
    assert "copy the words exactly" in json.dumps(fake.requests[1]["messages"][-1])
    # the stage kept the last valid answer; the host dropped its ungrounded verdict
    [stage] = [s for s in report["stages"] if s["plugin"] == "claim-llm"]
    assert stage["status"] == "ok"
    assert report["findings"] == [] and report["claims"][0]["verification"] is None


def test_a_given_summary_is_checked_against_the_article_in_one_call():
    def answer(request):
        assert "the article is the evidence" in request["messages"][-1]["content"]
        return {"verdicts": [
            verdict(1, "supported", "The state will pay for the rest of the bridge."),
            verdict(2, "not_found", "", "The article does not say who designed it."),
        ]}  # fmt: skip

    fake = FakeModel().answer("verify_claims", answer)
    given = GivenText("given_summary", "The state pays the rest. A famous architect designed it.")
    d = desk(fake, given=[given])
    d.extractor = None
    report = d.check(Article(ARTICLE)).to_dict()
    assert report_problems(report) == []
    assert fake.prompts_asked() == ["verify_claims"]
    [statements] = [g["statements"] for g in report["given"]]
    assert [s["verification"]["verdict"] for s in statements] == ["supported", "not_found"]
    [finding] = report["findings"]
    assert (finding["category"], finding["target"], finding["quote"]) == (
        "unsupported_claim",
        "given_summary",
        "A famous architect designed it.",
    )
    support = statements[0]["verification"]["evidence"][0]
    assert ARTICLE[support["start"] : support["end"]] == (
        "The state will pay for the rest of the bridge."
    )


def test_a_re_ask_answered_only_for_the_statements_left_out_keeps_the_first_answers_too():
    def answer(request):
        statements = statements_of({"messages": request["messages"][:2]})
        asked_again = len(request["messages"]) > 2
        if not asked_again:  # the first answer: the first statement only
            return {"verdicts": [verdict(1, "not_found")]}
        return {"verdicts": [verdict(n, "not_found") for n in range(2, len(statements) + 1)]}

    fake = FakeModel().answer("verify_claims", answer)
    report = desk(fake, {"transcript.txt": TRANSCRIPT}).check(Article(ARTICLE)).to_dict()
    assert report_problems(report) == []
    assert [c["verification"]["verdict"] for c in report["claims"]] == ["not_found"] * 4
    assert len(report["findings"]) == 4
