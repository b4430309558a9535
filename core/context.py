"""What a plugin's stage is handed: the way to ask the model, and the article's helpers.

Summarisers and claim extractors get a :class:`StageContext`; checkers, which run after
them, a :class:`CheckContext`, which also holds the summary and the claims.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .calls import DEFAULT_MAX_TOKENS, CallLog, ModelClient, ResponseCache
from .components import Endpoint
from .errors import NotRecorded
from .evidence import RunEvidence, StageEvidence
from .grounding import ground, locate
from .prompt_library import PromptLibrary
from .settings import Settings
from .types import Article, Claim, Finding, Span, StageStatus, Summary


class ModelSession:
    """The run's one model client, opened the first time any stage asks.

    Opening may be slow (the embedded model starts a server, perhaps after pulling the
    model), so concurrent stages share one opening instead of racing to start two.
    """

    def __init__(
        self,
        open_endpoint: Callable[[], Endpoint],
        settings: Settings,
        log: CallLog,
        explain_miss: Callable[[str], NotRecorded] | None = None,
        cache: ResponseCache | None = None,
        endpoint_shape: Callable[[], Endpoint | None] | None = None,
    ):
        self._open_endpoint = open_endpoint
        self._endpoint_shape = endpoint_shape
        self._explain_miss = explain_miss
        self._cache = cache
        self.settings = settings
        self.log = log
        self._client: ModelClient | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> ModelClient:
        async with self._lock:
            if self._client is None:
                shape = self._endpoint_shape() if self._endpoint_shape else None
                if shape is None:
                    endpoint, opener = await self._open_in_thread(), None
                else:  # opened on the first answer not in the cache
                    endpoint, opener = shape, self._open_in_thread
                self._client = ModelClient(
                    endpoint,
                    self.settings,
                    self.log,
                    self._explain_miss,
                    self._cache,
                    open_endpoint=opener,
                )
            return self._client

    async def _open_in_thread(self) -> Endpoint:
        return await asyncio.to_thread(self._open_endpoint)

    @property
    def endpoint(self) -> Endpoint | None:
        return self._client.endpoint if self._client else None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


class StageContext:
    """Handed to every summariser, claim extractor and checker.

    ``await ctx.ask("prompt_name", **variables)`` renders the prompt (the article is
    always available to the template as ``article``), calls the model, and returns the
    answer only once it has parsed and validated against the prompt's schema; otherwise
    it raises :class:`~copydesk.errors.UnparseableOutput` and the stage is reported as
    ``unparseable``, with the raw answer kept in the report.
    """

    def __init__(
        self,
        *,
        plugin: str,
        article: Article,
        prompts: PromptLibrary,
        session: ModelSession,
    ):
        self.plugin = plugin
        self.article = article
        self.prompts = prompts
        self._session = session
        self.call_ids: list[str] = []

    @property
    def settings(self) -> Settings:
        return self._session.settings

    async def ask(
        self, prompt: str, *, max_tokens: int = DEFAULT_MAX_TOKENS, **variables: Any
    ) -> Any:
        rendered = self.prompts.render(prompt, article=self.article, **variables)
        client = await self._session.client()
        data, call = await client.ask_json(
            stage=self.plugin,
            prompt=prompt,
            messages=rendered.messages,
            schema=rendered.schema,
            max_tokens=max_tokens,
        )
        self.call_ids.append(call.id)
        return data

    def locate(
        self, item: str | Claim | Finding, *, near: int | None = None, context: str | None = None
    ) -> Span | None:
        """Where the host will ground ``item``, or ``None`` if it will drop it.

        Give a :class:`~copydesk.types.Finding` or :class:`~copydesk.types.Claim` to learn
        exactly where the host will put it (the same rule, :func:`copydesk.grounding.ground`:
        its ``start``, then its explanation or text, picks among repeats). Give a bare quote
        to search the article's analysed body, with ``near`` and ``context`` in that role.
        """
        return self._ground(item, None, near, context)

    def _ground(
        self,
        item: str | Claim | Finding,
        summary: Summary | None,
        near: int | None,
        context: str | None,
    ) -> Span | None:
        if isinstance(item, str):
            body = self.article.body_span
            return locate(self.article.text, item, within=body, near=near, context=context)
        return ground(item, self.article, summary)


class CheckContext(StageContext):
    """What a checker's ``check(ctx)`` is handed: a :class:`StageContext` that also holds
    what the stages before it made.

    ``ctx.summary`` is the summary, or ``None`` when the summariser failed or did not run
    (``--no-model``): do what you can without it. ``ctx.claims`` are the grounded claims,
    in article order; they are this checker's own copies, so changing them changes nothing
    another checker sees.

    ``ctx.evidence`` (a :class:`~copydesk.evidence.StageEvidence`) is the way to the run's
    evidence: the sources' passages, the documents and texts the user gave, and where a
    fact-check records its verdicts (see :mod:`copydesk.evidence`).
    """

    def __init__(
        self,
        *,
        summary: Summary | None,
        claims: list[Claim],
        evidence: StageEvidence | None = None,
        **stage: Any,
    ) -> None:
        super().__init__(**stage)
        self.summary = summary
        self.claims = claims
        if evidence is None:  # a context built by hand (a test): a run with no evidence
            status = StageStatus(self.plugin, "checker")
            evidence = RunEvidence(article=self.article).view(self.plugin, status, self.article, ())
        evidence.ctx = self
        self.evidence = evidence

    def locate(
        self, item: str | Claim | Finding, *, near: int | None = None, context: str | None = None
    ) -> Span | None:
        """As :meth:`StageContext.locate`; a finding with ``target="summary"`` is looked
        up in the summary, one with the target of a given text in that text."""
        if isinstance(item, Finding) and item.target not in ("article", "summary"):
            given: dict[str, str] = {g.target: g.text for g in self.evidence.run.given}
            return ground(item, self.article, self.summary, given)
        return self._ground(item, self.summary, near, context)
