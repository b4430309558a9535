"""Putting a run together: settings, plugins, the model session and the pipeline.

The CLI and ``copydesk.testing`` both go through :class:`Copydesk`, so what a plugin
author tests is what users run::

    from copydesk.runner import Copydesk
    from copydesk.inputs import read_article

    desk = Copydesk(Settings.resolve())
    result = desk.check(read_article("article.txt"))
    print(result.to_dict()["findings"])
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .components import Endpoint
from .errors import ConfigError
from .evidence import EvidenceInputs, RunEvidence
from .evidence_setup import prepare as prepare_source
from .evidence_setup import run_inputs
from .furniture import strip_furniture
from .host import Host, load_host
from .model.layers import ResponseCache
from .model.providers import choose_provider
from .model.service import Embeddings, ModelService
from .model.transport import RequestGate
from .pipeline import Pipeline, RunResult
from .progress import Listener
from .prompt_library import PromptLibrary
from .settings import Settings
from .timing import TimedCallLog, run_timing
from .types import Article, GivenText, ModelCall, StageStatus


class Copydesk:
    """A configured copy desk: check one article after another with the same plugins."""

    def __init__(
        self,
        settings: Settings,
        host: Host | None = None,
        *,
        summariser: str | None = "llm",
        extractor: str | None = "llm",
        checkers: Iterable[str] | None = None,
        skip_checkers: Iterable[str] = (),
        use_model: bool = True,
        keep_furniture: bool = False,
        cache: ResponseCache | None = None,
        evidence: EvidenceInputs | None = None,
        given: Sequence[GivenText] = (),
    ) -> None:
        """``cache``: validated answers kept across runs (``None``: ask every time);
        ``evidence``: what the user gave to check claims against; ``given``: texts (a
        summary, a headline) to check against each article."""
        self.host = host or load_host()
        self.provider = choose_provider(settings, self.host.components["provider"])
        #: What the provider suits (requests in flight, context, time-outs...).
        self.capabilities = self.provider.capabilities(settings)
        self.settings = settings.for_provider(self.capabilities)
        #: The desk's one way to the model: cache, cassette, budget, endpoint.
        self.model = ModelService(self.provider, self.settings, self.capabilities, cache=cache)
        self.use_model = use_model
        self.keep_furniture = keep_furniture
        self.prompts = PromptLibrary(self.settings.prompts_dirs, self.host.prompt_dirs)
        self._default_summariser, self._default_extractor = summariser, extractor
        self.summariser = (
            self.host.get("summariser", summariser) if use_model and summariser else None
        )
        self.extractor = (
            self.host.get("claim_extractor", extractor) if use_model and extractor else None
        )
        available = self.host.components["checker"]
        names = list(checkers) if checkers is not None else list(available)
        for name in [*names, *skip_checkers]:
            self.host.get("checker", name)  # a clear error for an unknown name
        #: Checkers the provider leaves out unless named, with its reason for each.
        self.off_by_default: dict[str, str] = {}
        if checkers is None and use_model:
            off = self.capabilities.checkers_off_by_default
            self.off_by_default = {n: off[n] for n in names if n in off}
        left_out = set(skip_checkers) | set(self.off_by_default)
        self.checkers = [available[n] for n in names if n not in left_out]
        self.skipped = [] if use_model else [c for c in self.checkers if c.needs_model]
        if not use_model:
            self.checkers = [c for c in self.checkers if not c.needs_model]
        #: What the user gave as evidence, and the texts to check against each article.
        self.evidence = evidence or EvidenceInputs()
        self.given = list(given)
        self.evidence_sources = list(self.host.components["evidence_source"].values())
        for source in self.evidence_sources:
            prepare_source(source, self.evidence)

    @classmethod
    def from_options(
        cls,
        settings: Settings,
        host: Host,
        *,
        summariser: str = "llm",
        extractor: str = "llm",
        checkers: str | None = None,
        skip_checkers: str | None = None,
        no_model: bool = False,
        keep_furniture: bool = False,
        no_cache: bool = False,
        sources: Sequence[str] = (),
        corpus: Sequence[str] = (),
        summary: str | None = None,
        headline: str | None = None,
    ) -> Copydesk:
        """A desk from the command line's option values, as ``check`` and ``batch`` take
        them (comma lists as typed), with the response cache unless ``no_cache``.
        ``sources`` and ``corpus`` are the evidence (``--source``, ``--corpus``);
        ``summary`` (a file) and ``headline`` are checked against the article."""
        from .cache import cache_for
        from .inputs import check_corpus_paths, read_given, read_sources

        evidence = EvidenceInputs(tuple(read_sources(sources)), check_corpus_paths(corpus))
        given = []
        if summary is not None:
            given.append(GivenText("given_summary", read_given(summary, "--summary"), summary))
        if headline is not None:
            if not headline.strip():
                raise ConfigError("--headline is empty", 'give the headline: --headline "..."')
            given.append(GivenText("headline", " ".join(headline.split())))

        # Validated answers from earlier runs; off when recording or replaying.
        return cls(
            settings,
            host,
            summariser=summariser,
            extractor=extractor,
            checkers=parse_names(checkers),
            skip_checkers=parse_names(skip_checkers) or (),
            use_model=not no_model,
            keep_furniture=keep_furniture,
            cache=cache_for(settings, no_cache=no_cache),
            evidence=evidence,
            given=given,
        )

    def open_endpoint(self) -> Endpoint:
        """The endpoint, opened now if it is not yet (this may start the embedded model's
        server): for a caller that wants a failure to open before any article starts."""
        return self.model.endpoint.open_now()

    async def prepare_endpoint(self) -> None:
        """Before many articles: open the endpoint, so that one that cannot open is one
        error and not one per article. A provider that opens slowly, with a response
        cache that may hold every answer, gives only its shape now (a model it does not
        have fails here) and opens on the first answer missing. A desk that asks no
        model opens nothing."""
        if self.use_model:
            await self.model.endpoint.for_lookup()

    async def embed_async(self, texts: Sequence[str]) -> Embeddings:
        """One vector per text from the desk's model (``copydesk heads fit`` uses this)."""
        session = self.model.session()
        try:
            return await session.embed(texts, stage="embed")
        finally:
            await session.close()

    def embed(self, texts: Sequence[str]) -> Embeddings:
        return asyncio.run(self.embed_async(texts))

    def prepare(self, article: Article) -> Article:
        """Leave page furniture out of the analysed body (unless told to keep it)."""
        if not self.keep_furniture:
            strip_furniture(article)
        return article

    async def check_async(
        self,
        article: Article,
        given: Sequence[GivenText] | None = None,
        *,
        documents: Sequence[tuple[str, Article]] = (),
        gate: RequestGate | None = None,
        progress: Listener | None = None,
    ) -> RunResult:
        """Check ``article``; ``given`` texts (by default the desk's) are checked against
        it; ``documents``: the article's own evidence (``(id, document)`` pairs, a batch
        line's ``source``), searched beside the desk's ``--source`` documents in this run
        only; ``gate``: a batch's, which every request then goes through; ``progress`` is
        told of every stage as it starts and ends.

        A run given ``documents`` is set up with inputs of its own: every evidence source's
        ``prepare(inputs)`` is called with them (in a worker thread, as other articles'
        runs go on), and its ``release(inputs)``, if it has one, when the run ends."""
        async with run_inputs(self.evidence_sources, self.evidence, documents) as inputs:
            return await self._check(article, given, inputs, gate, progress)

    async def _check(
        self,
        article: Article,
        given: Sequence[GivenText] | None,
        inputs: EvidenceInputs,
        gate: RequestGate | None,
        progress: Listener | None,
    ) -> RunResult:
        started = time.perf_counter()
        self.prepare(article)
        log = TimedCallLog()
        session = self.model.session(log, gate)
        pipeline = Pipeline(
            summariser=self.summariser,
            extractor=self.extractor,
            checkers=self.checkers,
            prompts=self.prompts,
            session=session,
            plugin_of=self.host.owner,
            stage_timeout=self.settings.stage_timeout,
            chunk_chars=self.settings.part_chars(self.capabilities),
            evidence=RunEvidence(
                self.evidence_sources,
                inputs,
                article,
                self.given if given is None else given,
            ),
            progress=progress,
        )
        try:
            result = await pipeline.run(article)
        finally:
            await session.close()
        reason = "needs a model; --no-model was given"
        if not self.use_model:
            result.stages[:0] = [
                StageStatus(name, stage, "skipped", reason)
                for name, stage in (
                    (self._default_summariser, "summariser"),
                    (self._default_extractor, "claim_extractor"),
                )
                if name
            ]
        result.stages += [StageStatus(c.name, "checker", "skipped", reason) for c in self.skipped]
        result.stages += [
            StageStatus(name, "checker", "skipped", why)
            for name, why in self.off_by_default.items()
        ]
        result.model = self._answered_by(result.model, result.calls)
        result.timing = run_timing(time.perf_counter() - started, log)
        return result

    def check(
        self,
        article: Article,
        given: Sequence[GivenText] | None = None,
        *,
        documents: Sequence[tuple[str, Article]] = (),
        progress: Listener | None = None,
    ) -> RunResult:
        return asyncio.run(self.check_async(article, given, documents=documents, progress=progress))

    def _answered_by(self, model: dict[str, Any], calls: list[ModelCall]) -> dict[str, Any]:
        """The report's ``model``, saying where the answers came from: the endpoint, a
        cassette (replaying contacts nothing), or the response cache alone — then no
        endpoint was opened, and the address its shape has is no endpoint's at all."""
        if not model:
            return model
        if self.settings.offline:
            return {**model, "endpoint": None, "answers": "cassette"}
        if calls and all(c.status == "cached" for c in calls):
            if self.model.endpoint.opened is None:
                for call in calls:
                    call.endpoint = "response cache"
                model = {**model, "endpoint": None}
            return {**model, "answers": "response cache"}
        return {**model, "answers": "endpoint"}

    @property
    def endpoint(self) -> Endpoint | None:
        """The endpoint, once a stage has opened it."""
        return self.model.endpoint.opened

    def close(self) -> None:
        """Stop what the provider (the embedded model's server) and the evidence sources
        started."""
        self.model.close()
        for source in self.evidence_sources:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def describe(self) -> dict[str, Any]:
        return {
            "provider": self.provider.name,
            "summariser": getattr(self.summariser, "name", None),
            "extractor": getattr(self.extractor, "name", None),
            "checkers": [c.name for c in self.checkers],
        }


@dataclass(frozen=True)
class DeskRecipe:
    """What another process needs to build the same desk: the settings, the option values
    of :meth:`Copydesk.from_options`, and the plugins.

    A forked process uses ``host`` itself (plugins registered in code included); a
    spawned one gets the recipe pickled, without the host, and loads the plugins again,
    which gives the same ones only when the host is :attr:`~copydesk.host.Host.reloadable`
    (see :meth:`portable`)."""

    settings: Settings
    options: dict[str, Any] = field(default_factory=dict)
    host: Host | None = field(default=None, compare=False)

    def portable(self, start_method: str) -> bool:
        """Whether a process started this way builds the very same desk."""
        return start_method == "fork" or self.host is None or self.host.reloadable

    def build(self) -> Copydesk:
        return Copydesk.from_options(self.settings, self.host or load_host(), **self.options)

    def __getstate__(self) -> dict[str, Any]:
        # Pickled for a spawned process, which loads its plugins itself.
        return {"settings": self.settings, "options": self.options, "host": None}


def parse_names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise ConfigError("an empty list of names was given")
    return names
