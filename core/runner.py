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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .calls import CallLog, ResponseCache
from .components import Endpoint
from .context import ModelSession
from .errors import ConfigError, CopydeskError, NotRecorded
from .evidence import EvidenceInputs, RunEvidence
from .furniture import strip_furniture
from .host import Host, load_host
from .pipeline import Pipeline, RunResult
from .prompt_library import PromptLibrary
from .settings import Settings
from .types import Article, GivenText, StageStatus


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
        evidence: EvidenceInputs | None = None,
        given: Sequence[GivenText] = (),
    ) -> None:
        self.settings = settings
        self.host = host or load_host()
        self.use_model = use_model
        self.keep_furniture = keep_furniture
        self.prompts = PromptLibrary(settings.prompts_dirs, self.host.prompt_dirs)
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
        self.checkers = [available[n] for n in names if n not in set(skip_checkers)]
        self.skipped = [] if use_model else [c for c in self.checkers if c.needs_model]
        if not use_model:
            self.checkers = [c for c in self.checkers if not c.needs_model]
        self.provider = self.host.get("provider", settings.provider_name)
        self._endpoint: Endpoint | None = None
        self._shape: Endpoint | None = None
        #: Set while replaying a cassette: turns a request it lacks into a clear error.
        self.explain_miss: Callable[[str], NotRecorded] | None = None
        #: Validated answers kept across runs; ``None`` asks the model every time.
        self.cache: ResponseCache | None = None
        #: What the user gave as evidence, and the texts to check against each article.
        self.evidence = evidence or EvidenceInputs()
        self.given = list(given)
        self.evidence_sources = list(self.host.components["evidence_source"].values())
        for source in self.evidence_sources:
            _prepare(source, self.evidence)

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

        desk = cls(
            settings,
            host,
            summariser=summariser,
            extractor=extractor,
            checkers=parse_names(checkers),
            skip_checkers=parse_names(skip_checkers) or (),
            use_model=not no_model,
            keep_furniture=keep_furniture,
            evidence=evidence,
            given=given,
        )
        # Validated answers from earlier runs; off when recording or replaying.
        desk.cache = cache_for(settings, no_cache=no_cache)
        return desk

    def _open_endpoint(self) -> Endpoint:
        if self._endpoint is None:
            self._endpoint = self.provider.open(self.settings, offline=self.settings.offline)
        return self._endpoint

    def _endpoint_shape(self) -> Endpoint | None:
        """For a provider whose ``open`` is slow (it starts a server): the endpoint's
        shape, its offline ``open``, to look answers up in the response cache before
        starting anything. ``None``: open it as usual."""
        if (
            self._endpoint is not None
            or self.cache is None
            or not getattr(self.provider, "opens_slowly", False)
        ):
            return None
        if self._shape is None:
            self._shape = self.provider.open(self.settings, offline=True)
        return self._shape

    def prepare(self, article: Article) -> Article:
        """Leave page furniture out of the analysed body (unless told to keep it)."""
        if not self.keep_furniture:
            strip_furniture(article)
        return article

    async def check_async(
        self, article: Article, given: Sequence[GivenText] | None = None
    ) -> RunResult:
        """Check ``article``; ``given`` texts (by default the desk's) are checked against it."""
        self.prepare(article)
        session = ModelSession(
            self._open_endpoint,
            self.settings,
            CallLog(),
            self.explain_miss,
            self.cache,
            endpoint_shape=self._endpoint_shape,
        )
        pipeline = Pipeline(
            summariser=self.summariser,
            extractor=self.extractor,
            checkers=self.checkers,
            prompts=self.prompts,
            session=session,
            plugin_of=self.host.owner,
            stage_timeout=self.settings.stage_timeout,
            chunk_chars=self.settings.part_chars,
            evidence=RunEvidence(
                self.evidence_sources,
                self.evidence,
                article,
                self.given if given is None else given,
            ),
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
        return result

    def check(self, article: Article, given: Sequence[GivenText] | None = None) -> RunResult:
        return asyncio.run(self.check_async(article, given))

    @property
    def endpoint(self) -> Endpoint | None:
        """The endpoint, once a stage has opened it."""
        return self._endpoint

    def close(self) -> None:
        self.provider.close()
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


def _prepare(source: Any, inputs: EvidenceInputs) -> None:
    """An evidence source's optional ``prepare``: its copydesk errors (a corpus that is not
    one) are the user's to hear; anything else is the plugin's bug, named."""
    prepare = getattr(source, "prepare", None)
    if prepare is None:
        return
    try:
        prepare(inputs)
    except CopydeskError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"evidence source {source.name!r} failed to prepare: {type(exc).__name__}: {exc}",
            "fix or uninstall its plugin, or leave it out with COPYDESK_LOAD_PLUGINS",
        ) from exc


def parse_names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise ConfigError("an empty list of names was given")
    return names
