"""What a plugin registers: the shapes of summarisers, claim extractors, checkers,
evidence sources, model providers and report formats.

They are structural protocols: any object with these attributes works, no base class
needed. ``name`` must be unique among components of the same kind; copydesk refuses to
start if two plugins register the same name, and says which two.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, runtime_checkable

if TYPE_CHECKING:
    from .context import CheckContext, StageContext
    from .settings import Settings
    from .types import Article, Claim, Finding, Passage, Summary


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
    """Flags what a copy editor would flag: a checker is what it finds.

    ``check(ctx)`` returns the findings. ``ctx`` (a :class:`~copydesk.context.CheckContext`)
    holds everything there is: ``ctx.article``, ``ctx.summary`` (``None`` when the
    summariser failed or did not run), ``ctx.claims`` (a copy: change them freely),
    ``ctx.ask`` for the model and ``ctx.locate`` for where a quote will be grounded.

    ``check`` may be ``async def`` (it must be to ``await ctx.ask``) or a plain ``def``. A
    plain one is run in a worker thread, so a slow one does not hold up the model calls of
    the stages running beside it; it must then not share unlocked mutable state.

    ``categories`` are the finding categories it reports: a finding of any other category
    fails the stage, since a misspelt category would never merge with the findings it
    repeats. ``needs_model`` is ``False`` if it never calls ``ctx.ask``: ``--no-model``
    runs only those. A function becomes a checker with ``@copydesk.checker``.
    """

    name: str
    categories: tuple[str, ...]
    needs_model: bool

    def check(self, ctx: CheckContext) -> list[Finding] | Awaitable[list[Finding]]: ...


#: What :func:`checker` decorates: a function of the context returning the findings.
CheckFunction = Callable[["CheckContext"], "list[Finding] | Awaitable[list[Finding]]"]


@dataclass(frozen=True)
class FunctionChecker:
    """A plain function made a :class:`Checker` by :func:`checker`; still callable as the
    function it was, so a test can call it with a context."""

    function: CheckFunction
    name: str
    categories: tuple[str, ...]
    needs_model: bool = False

    def check(self, ctx: CheckContext) -> list[Finding] | Awaitable[list[Finding]]:
        return self.function(ctx)

    def __call__(self, ctx: CheckContext) -> list[Finding] | Awaitable[list[Finding]]:
        return self.check(ctx)


@dataclass(frozen=True)
class AsyncFunctionChecker(FunctionChecker):
    """:class:`FunctionChecker` of an ``async def``: its ``check`` is a coroutine function
    too, which is how the host tells what to await and what to run in a thread."""

    async def check(self, ctx: CheckContext) -> list[Finding]:
        return await cast("Awaitable[list[Finding]]", self.function(ctx))


def checker(
    name: str | None = None,
    *,
    categories: Iterable[str],
    needs_model: bool = False,
) -> Callable[[CheckFunction], FunctionChecker]:
    """Make a function of the context a :class:`Checker`, to ``register`` from
    ``register_checkers``::

        @copydesk.checker(categories=("exclamation",))
        def exclamations(ctx: CheckContext) -> list[Finding]: ...

    ``name`` defaults to the function's, with ``_`` written ``-`` (``--checkers
    exclamations``); ``needs_model`` to ``False``. ``categories`` has no default: they are
    what the checker promises to report.
    """
    declared = (categories,) if isinstance(categories, str) else tuple(categories)

    def decorate(function: CheckFunction) -> FunctionChecker:
        kind = AsyncFunctionChecker if inspect.iscoroutinefunction(function) else FunctionChecker
        return kind(
            function=function,
            name=name or function.__name__.replace("_", "-"),
            categories=declared,
            needs_model=needs_model,
        )

    return decorate


@runtime_checkable
class EvidenceSource(Protocol):
    """Where the fact-check finds evidence: ``search`` returns at most ``k`` passages for
    ``query``, best first, each a :class:`~copydesk.types.Passage` with its document's id,
    title, location, text and ``[start, end)`` in that document.

    ``query`` is free text (a claim's own words first); ``ctx`` is the asking checker's
    context: ``ctx.evidence.documents`` and ``ctx.evidence.corpora`` are what the user
    gave with ``--source`` and ``--corpus``, ``ctx.config`` this plugin's settings. Return
    ``[]`` when there is nothing to search. Offsets must be true: the host finds evidence
    again in the passages you returned, and drops what is not there.

    Three methods are optional. ``prepare(inputs)``, if present, is called once when a
    desk is set up with its :class:`~copydesk.evidence.EvidenceInputs`: open what
    ``search`` will read, and raise :class:`~copydesk.errors.InputError` for inputs you
    cannot use (a corpus file that is not one), so that the user hears before any model
    time is spent. A batch article that brings evidence documents of its own (a JSONL
    line's or Parquet row's ``source``) is checked in a run with inputs of its own, the
    desk's and its documents: ``prepare`` is called with those before that article's
    check (from a worker thread, while other articles' checks go on; an ``InputError`` is
    that article's failure), and ``release(inputs)``, if present, when that check ends —
    close what ``prepare`` opened for those inputs alone. ``search`` tells the runs
    apart by ``ctx.evidence.documents``. ``close()``, if present, is called when the desk
    is closed. An attribute
    ``needs_inputs = True`` says the source searches only what the user gave: in a run
    given no ``--source`` and no ``--corpus`` it is never asked, and when no source can
    answer, the fact-check checkers skip the statements they would have searched for.
    """

    name: str

    async def search(self, query: str, ctx: CheckContext, k: int) -> list[Passage]: ...


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


@dataclass(frozen=True)
class Capabilities:
    """What a provider's endpoint suits, so that core never has to know which provider it is.

    ``None`` leaves a value to copydesk's default (shown beside each).
    """

    #: Requests a batch keeps in flight to the endpoint (default 32). A server that answers
    #: one request at a time wants 2: one working, one waiting.
    max_in_flight: int | None = None
    #: Worker processes a batch may use (``None``: as many as the CPUs suit). 1 for a
    #: server on this machine that more processes could only queue up for.
    max_processes: int | None = None
    #: The model's context in tokens: long articles are read in parts that fit it beside
    #: the prompt and the answer (``None``: a generous default for hosted models).
    context_tokens: int | None = None
    #: Seconds one request may take, and HTTP retries on 429/5xx/time-outs, unless the
    #: user sets them (defaults 120 and 3).
    timeout: float | None = None
    max_retries: int | None = None
    #: ``open`` is slow (it starts a server): answers are first looked up in the response
    #: cache under the offline shape, and the endpoint opened only for one that is missing.
    opens_slowly: bool = False
    #: When this provider is the one used if none is named: ``"endpoint"`` when an endpoint
    #: URL or key is configured, ``"no_endpoint"`` when neither is; ``None``: only by name.
    default_for: Literal["endpoint", "no_endpoint"] | None = None
    #: Checkers left out of a run that names none (no ``--checkers``), each with the reason
    #: shown as its stage's ``skipped`` status: for a model whose answers to a checker were
    #: measured to add nothing but cost. Named with ``--checkers``, they run.
    checkers_off_by_default: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Provider(Protocol):
    """Supplies an :class:`Endpoint`, and says what it suits.

    ``open`` is called once per desk, the first time an answer is needed that is not in
    the response cache; it may start a server (the embedded model does), and ``close`` is
    called at exit. ``offline`` is true when replaying recorded responses (and, for a
    provider that ``opens_slowly``, to look answers up in the cache): give the endpoint's
    shape (model name, params) without starting or contacting anything.

    ``capabilities(settings)`` says how to use it (see :class:`Capabilities`). Its own
    settings are ``settings.plugin_config(name)``: the ``[plugins.NAME]`` table of the
    config file.
    """

    name: str
    description: str

    def capabilities(self, settings: Settings) -> Capabilities: ...

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint: ...

    def close(self) -> None: ...


@runtime_checkable
class ReportFormat(Protocol):
    """Turns a finished report (the JSON-shaped dict) into text: ``json``, ``markdown``, ``html``..."""

    name: str
    extension: str

    def render(self, report: dict[str, Any], *, min_confidence: float = 0.0) -> str: ...
