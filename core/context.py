"""What a plugin's stage is handed: the way to ask the model, and the article's helpers.

Summarisers and claim extractors get a :class:`StageContext`; checkers, which run after
them, a :class:`CheckContext`, which also holds the summary and the claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .evidence import RunEvidence, StageEvidence
from .grounding import ground, locate
from .model.question import DEFAULT_MAX_TOKENS, AnswerCheck, Question
from .prompt_library import PromptLibrary
from .settings import Settings
from .types import Article, Claim, Finding, Span, StageStatus, Summary

if TYPE_CHECKING:
    from .model.service import Embeddings, Session


class StageContext:
    """Handed to every summariser, claim extractor and checker.

    ``await ctx.ask("prompt_name", **variables)`` renders the prompt (the article is
    always available to the template as ``article``), calls the model, and returns the
    answer only once it has parsed and validated against the prompt's schema; otherwise
    it raises :class:`~copydesk.errors.UnparseableOutput` and the stage is reported as
    ``unparseable``, with the raw answer kept in the report.

    ``await ctx.embed(texts)`` gives one vector per text from the model's embeddings;
    ``ctx.config`` is this component's ``[plugins.NAME]`` table from the config file.
    """

    def __init__(
        self,
        *,
        plugin: str,
        article: Article,
        prompts: PromptLibrary,
        session: Session,
    ):
        self.plugin = plugin
        self.article = article
        self.prompts = prompts
        self._session = session
        self.call_ids: list[str] = []

    @property
    def settings(self) -> Settings:
        return self._session.service.settings

    @property
    def config(self) -> dict[str, Any]:
        """This component's own settings: the config file's ``[plugins.NAME]`` table, NAME
        being the component's name (a copy; empty when there is none)."""
        return self.settings.plugin_config(self.plugin)

    async def ask(
        self,
        prompt: str,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        check: AnswerCheck | None = None,
        **variables: Any,
    ) -> Any:
        """The validated answer to prompt ``prompt`` rendered with ``variables``.

        ``check(answer)`` may list problems of an answer that already fits the schema (a
        summary cut off mid-sentence, say): they are fed back and the model asked again,
        like a schema error; when the re-asks run out the stage is ``unparseable``."""
        rendered = self.prompts.render(prompt, article=self.article, **variables)
        question = Question(
            stage=self.plugin,
            prompt=prompt,
            messages=rendered.messages,
            schema=rendered.schema,
            max_tokens=max_tokens,
            check=check,
        )
        data, call = await self._session.ask_json(question)
        self.call_ids.append(call.id)
        return data

    async def embed(self, texts: Sequence[str]) -> Embeddings:
        """One L2-normalised vector per text from the endpoint's embeddings (cached like
        answers); :class:`~copydesk.errors.ModelError` if the endpoint cannot embed."""
        return await self._session.embed(texts, stage=self.plugin)

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
