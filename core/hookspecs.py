"""Every hook a copydesk plugin can implement. This file is the plugin author's manual.

A plugin is a module (or any object) with functions decorated ``@copydesk.hookimpl``
whose names match the hooks below. Publish it with an entry point in the ``copydesk``
group::

    [project.entry-points.copydesk]
    my_plugin = "my_package.plugin"

The built-in summariser, claim extractor, checkers, evidence sources, model providers
and report formats are plugins too, registered through these same hooks (see ``copydesk/plugins/``).

Each ``register_*`` hook receives a ``register`` function; call it once per component.
Components are small objects described in :mod:`copydesk.components`; a checker can
also be a plain function, decorated ``@copydesk.checker``. A hook may register nothing.
Each component is checked when it is registered: one that lacks an attribute or a
method, or whose method cannot take the arguments copydesk passes, stops start-up with
a message naming the plugin, the component and what is missing. So does a second
component of the same kind under a name already taken; the message names both plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .components import (
        Checker,
        ClaimExtractor,
        EvidenceSource,
        Provider,
        ReportFormat,
        Summariser,
    )

hookspec = pluggy.HookspecMarker("copydesk")

#: The plugin API version this copydesk implements. A plugin that needs a newer API sets
#: ``COPYDESK_PLUGIN_API = N`` at module level and is refused, with a clear message, by an
#: older copydesk.
#:
#: 2: a checker's ``check`` takes the context alone, ``check(ctx)``, and may be a plain
#: function (``@copydesk.checker``); ``ctx.summary`` and ``ctx.claims`` hold what API 1
#: passed as arguments. API 1's ``check(article, summary, claims, ctx)`` is still called,
#: with a ``DeprecationWarning``, until API 3.
PLUGIN_API = 2


@hookspec
def register_summarisers(register: Callable[[Summariser], None]) -> None:
    """Register summarisers.

    Called once at start-up. Call ``register(obj)`` for each summariser; ``obj`` needs a
    unique ``name`` and ``async def summarise(article, ctx) -> Summary``.

    ``copydesk check --summariser NAME`` picks one; the default is ``llm``. Use
    ``ctx.ask("my_prompt", ...)`` to call the model with a validated, recorded call.
    """


@hookspec
def register_claim_extractors(register: Callable[[ClaimExtractor], None]) -> None:
    """Register claim extractors.

    Called once at start-up. Each needs a unique ``name`` and
    ``async def extract(article, ctx) -> list[Claim]``. Every claim's ``quote`` must be the
    article's own words: the host finds it in the article, sets ``start``/``end`` from the
    article, and drops (and counts) claims whose quote is not there.

    ``copydesk check --extractor NAME`` picks one; the default is ``llm``. The extractor
    runs at the same time as the summariser.
    """


@hookspec
def register_checkers(register: Callable[[Checker], None]) -> None:
    """Register consistency checkers: the things that flag what a copy editor would flag.

    Called once at start-up. A checker is what it finds: a function of the context that
    returns a list of ``Finding``, made a checker by ``@copydesk.checker``::

        @copydesk.checker(categories=("exclamation",))
        def exclamations(ctx: CheckContext) -> list[Finding]:
            body = ctx.article.body_span  # the article, not the page furniture around it
            return [
                Finding("exclamation", m.group(), "News copy states.", start=m.start())
                for m in EXCLAIMED.finditer(ctx.article.text, body.start, body.end)
            ]


        @copydesk.hookimpl
        def register_checkers(register):
            register(exclamations)

    The decorator's ``name`` defaults to the function's (``_`` written ``-``),
    ``needs_model`` to ``False`` (make it ``True`` if the checker calls ``ctx.ask``:
    ``--no-model`` runs only the others); ``categories``, every category its findings may
    have, is required. An object with those three attributes and a ``check(ctx)`` method
    is a checker too. The protocol below says what ``ctx`` holds and how a plain ``def``
    is run. A plugin API 1 checker, ``check(article, summary, claims, ctx)``, still runs,
    with a ``DeprecationWarning``, until plugin API 3.

    All registered checkers run, concurrently, after the summary and claims are ready
    (``--checkers a,b`` or ``--skip-checkers c`` narrow the set). A checker that raises,
    returns the wrong type or a finding of a category it did not declare is reported in
    the run's stage statuses; the others go on. Findings are grounded like claims: a
    quote that is not in the text is dropped.
    """


@hookspec
def register_evidence_sources(register: Callable[[EvidenceSource], None]) -> None:
    """Register evidence sources: where the fact-check looks for what a claim rests on.

    Called once at start-up. A source needs a unique ``name`` and
    ``async def search(query, ctx, k) -> list[Passage]``: at most ``k`` passages for the
    free-text ``query``, best first, each with its document's id, title, location, text
    and ``start``/``end`` in that document::

        class Archive:
            name = "archive"

            async def search(self, query, ctx, k):
                hits = await my_archive.find(query, limit=k)  # your client
                return [Passage(h.id, h.headline, h.url, h.text, h.start, h.end) for h in hits]


        @copydesk.hookimpl
        def register_evidence_sources(register):
            register(Archive())

    For every claim (and every sentence of a ``--summary`` or ``--headline``) the
    fact-check checkers search every registered source at once, the claim's own words the
    first query. Built in: ``sources`` (the documents given with ``--source``) and
    ``corpus`` (the index given with ``--corpus``, built by ``copydesk corpus index``); a
    third party adds web search, a newsroom archive or an OpenSearch cluster the same way.
    ``ctx.evidence.documents`` and ``ctx.evidence.corpora`` hold what the user gave; a
    source with nothing to search returns ``[]``. Optional methods: ``prepare(inputs)``,
    called when a run is set up (raise ``InputError`` for inputs you cannot use);
    ``release(inputs)``, called when a run that had inputs of its own ends (a batch
    article's own ``source`` documents: ``prepare`` was called with the desk's inputs and
    those, and whatever it opened for them alone is to be closed); and ``close()``. The
    name ``article`` is taken: it is the article's own evidence.

    Offsets must be true: evidence a checker cites is found again in the passages its
    source returned (or the document the user gave), and dropped when it is not there. A
    source that raises or returns the wrong type is reported in the run's stages (stage
    ``evidence_source``) and the other sources go on.
    """


@hookspec
def register_providers(register: Callable[[Provider], None]) -> None:
    """Register model providers: where model calls go.

    Each needs a unique ``name``, a one-line ``description``,
    ``capabilities(settings) -> Capabilities`` (what the endpoint suits: requests in
    flight, worker processes, context size, time-out, whether opening is slow, when it
    is the default, and which checkers to leave out by default, with why: a checker whose
    findings on this model were measured to add no recall, say),
    ``open(settings, *, offline=False) -> Endpoint`` and ``close()``.
    Built in: ``openai`` (any OpenAI-compatible endpoint: OpenAI, Azure, vLLM, Ollama,
    llama.cpp; the default when an endpoint or key is set) and ``local`` (the embedded
    model; the default otherwise). ``--provider NAME`` picks one. A provider reads its
    own settings from the config file's ``[plugins.NAME]`` table with
    ``settings.plugin_config(NAME)``.
    """


@hookspec
def register_formats(register: Callable[[ReportFormat], None]) -> None:
    """Register report formats for ``copydesk check --format NAME``.

    Each needs a unique ``name``, a file ``extension`` and
    ``render(report: dict, *, min_confidence=0.0) -> str``. ``report`` is the JSON
    report (see ``copydesk schema report``).
    """


@hookspec
def register_prompt_dirs(register: Callable[[Path], None]) -> None:
    """Register folders of prompt templates (``NAME.j2``) and their schemas (``NAME.schema.json``).

    Search order when a prompt is rendered: ``--prompts-dir``, then plugins' folders,
    then the built-ins. So a plugin can ship its own prompts, and override a built-in
    one; a user can override either without touching code. A template can extend the
    built-in one it replaces with ``{% extends "default:NAME.j2" %}``.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``copydesk`` command line (a ``click.Group``).

    The embedded model's ``copydesk models`` commands are added this way.
    """
