"""What a plugin registers: the shapes of summarisers, claim extractors, checkers,
model providers and report formats.

They are structural protocols: any object with these attributes works, no base class
needed. ``name`` must be unique among components of the same kind; copydesk refuses to
start if two plugins register the same name, and says which two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .context import StageContext
    from .settings import Settings
    from .types import Article, Claim, Finding, Summary


@runtime_checkable
class Summariser(Protocol):
    """Writes a faithful summary of the article."""

    name: str

    async def summarise(self, article: Article, ctx: StageContext) -> Summary: ...


@runtime_checkable
class ClaimExtractor(Protocol):
    """Pulls out the checkable claims, each with the article's own words as ``quote``."""

    name: str

    async def extract(self, article: Article, ctx: StageContext) -> list[Claim]: ...


@runtime_checkable
class Checker(Protocol):
    """Flags what a copy editor would flag.

    Runs after the summariser and the claim extractor. ``summary`` is ``None`` when the
    summariser failed; a checker should still do what it can without it.
    ``needs_model`` tells ``--no-model`` runs which checkers can run with no endpoint.
    """

    name: str
    categories: tuple[str, ...]
    needs_model: bool

    async def check(
        self, article: Article, summary: Summary | None, claims: list[Claim], ctx: StageContext
    ) -> list[Finding]: ...


@dataclass
class Endpoint:
    """Where the model calls go: any OpenAI-compatible chat-completions endpoint.

    ``extra_body`` is merged into every request (e.g. llama.cpp's ``cache_prompt``);
    ``params`` are request defaults (temperature, seed); ``info`` lands in each recorded
    call (the server, the model file's sha256). ``api_key`` never leaves this object.
    """

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    params: dict[str, Any] = field(default_factory=dict)
    extra_body: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    structured_output: bool = True
    #: An httpx transport to send requests through instead of the network: how
    #: ``copydesk.testing``'s fake model answers in-process.
    transport: Any = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The endpoint as it may be shown: scheme, host, port and path, nothing secret."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"


@runtime_checkable
class Provider(Protocol):
    """Supplies an :class:`Endpoint`.

    ``open`` is called once per process, the first time a stage needs a model; it may
    start a server (the embedded model does), and ``close`` is called at exit.
    ``offline`` is true when replaying recorded responses: give the endpoint's shape
    (model name, params) without starting or contacting anything.

    A provider whose ``open`` is slow (it starts a server) may set ``opens_slowly = True``:
    copydesk then looks answers up in the response cache with the offline shape first and
    opens the endpoint only when one is missing, so a re-run starts nothing.
    """

    name: str
    description: str

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint: ...

    def close(self) -> None: ...


@runtime_checkable
class ReportFormat(Protocol):
    """Turns a finished report (the JSON-shaped dict) into text: ``json``, ``markdown``, ``html``..."""

    name: str
    extension: str

    def render(self, report: dict[str, Any], *, min_confidence: float = 0.0) -> str: ...
