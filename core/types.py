"""The data copydesk passes between stages and writes into its report.

Plain dataclasses: a plugin builds them, the host grounds and validates them, and
``to_dict`` gives the JSON the report schema (``copydesk schema report``) describes.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["low", "medium", "high"]
#: Least to most severe: the order of ``severity_rank`` and of ``--fail-on``'s choices.
#: (Reports list the worst first: ``SEVERITIES[::-1]``.)
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
#: What a finding quotes: the article, copydesk's summary, or a text given to check against
#: the article (``copydesk check --summary FILE``, ``--headline "..."``).
Target = Literal["article", "summary", "given_summary", "headline"]
#: The targets of the texts a user gives to be checked against the article.
GivenTarget = Literal["given_summary", "headline"]
#: What the evidence says about a claim.
Verdict = Literal["supported", "contradicted", "not_found"]
VERDICTS: tuple[Verdict, ...] = ("supported", "contradicted", "not_found")
#: How a stage ended (see :class:`StageStatus`).
Status = Literal["ok", "failed", "unparseable", "skipped"]

#: The categories the built-in checkers use. Third-party checkers may add their own
#: (any lower_snake_case name); these are the ones the docs define.
CATEGORIES: tuple[str, ...] = (
    "loaded_language",
    "missing_detail",
    "unattributed_claim",
    "internal_inconsistency",
    "unfaithful_summary",
    "page_furniture",
    "misquote",
    "contradicted_claim",
    "unsupported_claim",
)


def severity_rank(severity: str) -> int:
    """0 for low, 1 for medium, 2 for high: for sorting and for ``--fail-on``."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into a text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Excluded:
    """A part of the input that is not the article (page furniture), left out of the analysis."""

    start: int
    end: int
    reason: str
    plugin: str = "copydesk"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_BLOCK = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_LINE = re.compile(r"[^\n]+")


@dataclass
class Article:
    """One article as copydesk analyses it.

    ``text`` is the whole decoded input; every offset in the report points into it.
    ``body`` is the span that is analysed: page furniture found before or after it
    (related links, "view article", other stories' bylines) is listed in ``excluded``
    and never shown to the model nor used for grounding.
    """

    text: str
    title: str | None = None
    source: str | None = None
    body: Span | None = None
    excluded: list[Excluded] = field(default_factory=list)
    input_format: str = "text"
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.body is None:
            self.body = Span(0, len(self.text))

    @property
    def body_span(self) -> Span:
        assert self.body is not None
        return self.body

    @property
    def body_text(self) -> str:
        return self.text[self.body_span.start : self.body_span.end]

    @property
    def paragraphs(self) -> list[Span]:
        """The body's paragraphs as spans of ``text``: blank-line separated blocks when the
        body has blank lines (hard-wrapped text), else one paragraph per line."""
        base, body = self.body_span.start, self.body_text
        pattern = _BLOCK if re.search(r"\n\s*\n", body) else _LINE
        return [
            Span(base + m.start(), base + m.end())
            for m in pattern.finditer(body)
            if m.group().strip()
        ]

    def view(self, body: Span) -> Article:
        """The same article with only ``body`` analysed: a part of a long article."""
        return Article(
            text=self.text,
            title=self.title,
            source=self.source,
            body=body,
            input_format=self.input_format,
            encoding=self.encoding,
        )

    def exclude(self, start: int, end: int, reason: str, plugin: str = "copydesk") -> None:
        """Leave ``[start, end)`` out of the analysed body (only at its edges: the body stays one span)."""
        body = self.body_span
        if start <= body.start < end:
            self.body = Span(min(end, body.end), body.end)
        elif start < body.end <= end:
            self.body = Span(body.start, max(start, body.start))
        else:
            raise ValueError("only text at the start or end of the body can be excluded")
        self.excluded.append(Excluded(start, end, reason, plugin))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "title": self.title,
            "source": self.source,
            "input_format": self.input_format,
            "encoding": self.encoding,
            "body": {"start": self.body_span.start, "end": self.body_span.end},
            "paragraphs": [{"start": p.start, "end": p.end} for p in self.paragraphs],
            "excluded": [e.to_dict() for e in self.excluded],
        }


@dataclass
class Summary:
    """The summary a summariser wrote, with the model call(s) behind it."""

    text: str
    plugin: str = ""
    call_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "plugin": self.plugin, "call_ids": list(self.call_ids)}


@dataclass(frozen=True)
class Passage:
    """A stretch of one source document, with where it lies in it: what an evidence
    source's ``search`` returns.

    ``document`` identifies the document within its source (a path, a URL, an archive's
    id); ``location`` is where a reader can open it. ``text`` is exactly
    ``document_text[start:end]``. ``score`` is the source's ranking score for the query
    (higher is better; 0 when not ranked). ``source`` is the name of the evidence source
    that returned it; the host sets it.
    """

    document: str
    title: str | None
    location: str
    text: str
    start: int
    end: int
    score: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end or self.end - self.start != len(self.text):
            raise ValueError(f"passage [{self.start}, {self.end}) does not fit its text")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Excerpt:
    """Text around a piece of evidence, at its offsets in the same document: what a
    reader is shown the evidence in."""

    text: str
    start: int
    end: int


@dataclass
class Evidence:
    """Words of a source document that support or contradict a claim.

    A plugin gives ``source`` (the evidence source's name, or ``"article"`` for the
    article itself), ``document`` and ``quote``; ``start`` may hint where it is. The host
    finds the quote in that document (its text, or the passages the source returned in
    this run), sets ``start``/``end`` there and the ``passage`` around it, and drops the
    evidence, counting it, when the quote is not there.
    """

    source: str
    document: str
    quote: str
    start: int = -1
    end: int = -1
    title: str | None = None
    location: str | None = None
    passage: Excerpt | None = None


@dataclass
class Verification:
    """What the evidence says about one statement: the verdict, why, and the evidence."""

    verdict: Verdict
    explanation: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 0.5
    #: every checker whose verdict this is
    detectors: list[str] = field(default_factory=list)


@dataclass
class Statement:
    """Something to verify: a sentence of a given text (``target`` names it), or an
    article claim's words (``target="article"``), at ``[start, end)`` of that text."""

    target: Target
    quote: str
    start: int
    end: int
    verification: Verification | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class GivenText:
    """A text given to be checked against the article: a summary, a headline.
    ``statements`` are its sentences, as the fact-check verified them."""

    target: GivenTarget
    text: str
    source: str | None = None
    statements: list[Statement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Claim:
    """A checkable statement the article makes.

    ``quote`` is the article's own words for it; the host sets ``start``/``end`` by finding
    the quote in the article and drops the claim if it is not there.
    """

    text: str
    quote: str
    speaker: str | None = None
    kind: str = "fact"
    start: int = -1
    end: int = -1
    plugin: str = ""
    #: what the evidence says about it, once the fact-check has run (set by the host)
    verification: Verification | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Finding:
    """One thing a copy editor would flag.

    ``quote`` must be the exact words of the article (or, with ``target="summary"``, of the
    summary) the finding is about; the host anchors it and sets ``start``/``end``.
    ``confidence`` is 0–1: how sure the detectors are, raised when independent detectors agree.
    """

    category: str
    quote: str
    explanation: str
    severity: Severity = "medium"
    suggestion: str = ""
    confidence: float = 0.5
    plugin: str = ""
    target: Target = "article"
    start: int = -1
    end: int = -1
    detectors: list[str] = field(default_factory=list)
    #: the source words the finding rests on, for a fact-check finding (the host grounds them)
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class StageStatus:
    """How one plugin's stage ended: ``ok``, ``failed`` (it raised or the endpoint failed),
    ``unparseable`` (the model never gave valid output; ``raw`` keeps what it said) or ``skipped``."""

    plugin: str
    stage: str
    status: Status = "ok"
    reason: str = ""
    raw: str | None = None
    seconds: float = 0.0
    dropped: int = 0
    #: Which part of a long article this stage read (``None``: the whole article).
    chunk: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class ModelCall:
    """One validated model call: what was asked, of which model, what it cost."""

    id: str
    stage: str
    prompt: str
    model: str
    endpoint: str
    status: str = "ok"
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    attempts: int = 1
    retries: int = 0
    finish_reason: str | None = None
    error: str | None = None
    server: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Dropped:
    """An item a plugin returned whose quote is not in the text: counted, never reported as found."""

    plugin: str
    kind: str
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
