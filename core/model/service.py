"""One owner for model access: a desk's :class:`ModelService`, and a :class:`Session` per
article that asks through it.

An answer comes from the response cache, a cassette being replayed, or the endpoint —
opened at most once per desk, and only when an answer is missing — under the run's budget
and, in a batch, through the batch's request gate. The layers each do one thing
(:mod:`~copydesk.model.layers`, :mod:`~copydesk.model.errors`,
:mod:`~copydesk.model.transport`); they are put together here and nowhere else::

    service = ModelService(provider, settings, cache=DiskCache())
    session = service.session(CallLog())          # one per article; gate= in a batch
    data, call = await session.ask_json(Question("summariser", "summarise", messages, schema))
    await session.close()
    service.close()                               # stops what the provider started
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import openai
from openai.types import CreateEmbeddingResponse
from openai.types.chat import ChatCompletion

from ..components import Capabilities, Endpoint, Provider
from ..errors import BudgetExceeded, ModelError, NotRecorded, UnparseableOutput
from ..settings import Settings
from ..types import ModelCall
from .endpoint import LazyEndpoint
from .errors import EndpointErrors, NotRecordedErrors
from .layers import Budget, CachedAnswers, ResponseCache, ValidatedAnswers
from .question import CallLog, Question, chat_request, embeddings_request, wire_body
from .transport import OpenAITransport, RequestGate


@dataclass(frozen=True)
class Embeddings:
    """One vector per text (L2-normalised), and the model whose space they are in: a head
    fitted on one model's vectors means nothing on another's."""

    vectors: list[list[float]]
    model: str
    model_sha256: str | None


class ModelService:
    """Model access for one desk: the provider's endpoint, the response cache, the budget,
    validation and re-asks, and what a failure means."""

    def __init__(
        self,
        provider: Provider,
        settings: Settings,
        capabilities: Capabilities | None = None,
        *,
        cache: ResponseCache | None = None,
    ) -> None:
        self.settings = settings
        self.endpoint = LazyEndpoint(
            provider, settings, capabilities or provider.capabilities(settings)
        )
        self.cached = CachedAnswers(cache)
        self.budget = Budget(settings)
        self.validated = ValidatedAnswers(settings.reasks)
        self.not_recorded = NotRecordedErrors()
        self.endpoint_errors = EndpointErrors(settings)
        #: Set when the server refused a json_schema response format: ask for plain JSON
        #: from then on (validated all the same).
        self.plain_json = False

    def explain_misses(self, explain: Callable[[str], NotRecorded]) -> None:
        """Replaying a cassette: say, for a request it lacks, which prompt and how to re-record."""
        self.not_recorded = NotRecordedErrors(explain)

    def session(self, log: CallLog | None = None, gate: RequestGate | None = None) -> Session:
        """Questions of one article (its calls in ``log``); ``gate``: a batch's shared one."""
        return Session(self, log or CallLog(), gate)

    async def open(self) -> Endpoint:
        """The endpoint, opened now (starting the embedded model's server, if it is that)."""
        return await self.endpoint.open()

    def close(self) -> None:
        self.endpoint.close()

    def structured(self, endpoint: Endpoint) -> bool:
        return endpoint.structured_output and not self.plain_json


class Session:
    """One article's questions: every call lands in ``log``, successful or not."""

    def __init__(self, service: ModelService, log: CallLog, gate: RequestGate | None) -> None:
        self.service = service
        self.log = log
        self.gate = gate
        self._transport: OpenAITransport | None = None

    @property
    def endpoint(self) -> Endpoint | None:
        """Who answered (or, with every answer cached, whose answers they are)."""
        return self.service.endpoint.current

    async def ask_json(self, question: Question) -> tuple[Any, ModelCall]:
        """The validated answer to ``question``, and the record of the call."""
        call = self._new_call(question.stage, question.prompt)

        def request(endpoint: Endpoint) -> dict[str, Any]:
            structured = self.service.structured(endpoint)
            return chat_request(question, endpoint, self.service.settings, structured=structured)

        async with _recorded(call, self.log):
            try:
                endpoint, key, hit = await self._look_up(request, call)
                if hit is not None:
                    return hit, call
                data = await self.service.validated.ask(
                    question,
                    call,
                    lambda conversation: self._chat(question, conversation, call, endpoint),
                )
                call.status = "ok"
                self.service.cached.put(key, data)
                return data, call
            except BudgetExceeded as exc:
                call.status, call.error = "error", exc.message
                raise
            except UnparseableOutput:
                raise
            except Exception as exc:
                raise self._explained(exc, call, question.prompt) from exc

    async def embed(self, texts: Sequence[str], *, stage: str) -> Embeddings:
        """One vector per text, from the cache or the endpoint's ``/embeddings``."""
        batch = [str(t) for t in texts]
        call = self._new_call(stage, "embeddings")
        async with _recorded(call, self.log):
            try:
                endpoint, key, vectors = await self._look_up(
                    lambda e: embeddings_request(batch, e), call
                )
                if vectors is None:
                    vectors = await self._embeddings(batch, endpoint, call)
                    call.status = "ok"
                    self.service.cached.put(key, vectors)
                return Embeddings(vectors, endpoint.model, endpoint.info.get("model_sha256"))
            except BudgetExceeded as exc:
                call.status, call.error = "error", exc.message
                raise
            except Exception as exc:
                raise self._explained(exc, call, "embeddings", embedding=True) from exc

    async def close(self) -> None:
        if self._transport is not None:
            await self._transport.close()

    # the layers, in order ------------------------------------------------------------------

    def _new_call(self, stage: str, prompt: str) -> ModelCall:
        return ModelCall(
            id=self.log.new_id(prompt),
            stage=stage,
            prompt=prompt,
            model="",
            endpoint="",
            attempts=0,
        )

    async def _look_up(
        self, request: Callable[[Endpoint], dict[str, Any]], call: ModelCall
    ) -> tuple[Endpoint, str | None, Any | None]:
        """The endpoint to ask, the cache key and the cached answer (``None``: a miss).

        With only the endpoint's shape known, a miss opens the real endpoint (the embedded
        model's server starts now, not when every answer was in the cache) and, if the name
        it gives differs from its shape's, looks again under its own key."""
        lazy, cached = self.service.endpoint, self.service.cached
        endpoint = await lazy.for_lookup()
        key = cached.key(request(endpoint), endpoint)
        hit = cached.get(key)
        if hit is None and endpoint is not lazy.opened:
            endpoint = await lazy.open()
            real_key = cached.key(request(endpoint), endpoint)
            if real_key != key:
                key, hit = real_key, cached.get(real_key)
        _describe(call, endpoint)
        if hit is not None:
            call.status, call.attempts, call.finish_reason = "cached", 0, "cached"
        return endpoint, key, hit

    def _transport_for(self, endpoint: Endpoint) -> OpenAITransport:
        if self._transport is None or self._transport.endpoint is not endpoint:
            self._transport = OpenAITransport(endpoint, self.service.settings, self.gate)
        return self._transport

    def _spend(self, prompt: str) -> None:
        self.service.budget.check(self.log, prompt)
        self.log.requests += 1

    async def _chat(
        self,
        question: Question,
        conversation: list[dict[str, str]],
        call: ModelCall,
        endpoint: Endpoint,
    ) -> ChatCompletion:
        self._spend(question.prompt)
        call.attempts += 1
        settings, transport = self.service.settings, self._transport_for(endpoint)
        structured = self.service.structured(endpoint)
        request = chat_request(
            question, endpoint, settings, structured=structured, messages=conversation
        )
        try:
            completion, retries = await transport.post(
                "/chat/completions", wire_body(request), ChatCompletion
            )
        except openai.BadRequestError as exc:
            # Some OpenAI-compatible servers reject json_schema response formats; fall
            # back to plain JSON output, which we validate ourselves all the same.
            if not structured or "response_format" not in str(exc):
                raise
            self.service.plain_json = True
            request = chat_request(
                question, endpoint, settings, structured=False, messages=conversation
            )
            completion, retries = await transport.post(
                "/chat/completions", wire_body(request), ChatCompletion
            )
        call.retries += retries
        self._count_usage(call, completion)
        return completion

    async def _embeddings(
        self, texts: list[str], endpoint: Endpoint, call: ModelCall
    ) -> list[list[float]]:
        self._spend("embeddings")
        call.attempts = 1
        response, call.retries = await self._transport_for(endpoint).post(
            "/embeddings", embeddings_request(texts, endpoint), CreateEmbeddingResponse
        )
        self._count_usage(call, response)
        rows = sorted(response.data, key=lambda row: row.index)
        if len(rows) != len(texts):
            raise ModelError(
                f"{endpoint.label} gave {len(rows)} embeddings for {len(texts)} texts",
                "the endpoint is not OpenAI-compatible for /v1/embeddings",
            )
        return [_unit(row.embedding) for row in rows]

    def _explained(
        self, exc: Exception, call: ModelCall, prompt: str, *, embedding: bool = False
    ) -> Exception:
        """``exc`` as the error to report (the call marked failed), or ``exc`` itself."""
        endpoint = self.service.endpoint.current
        error: ModelError | None = self.service.not_recorded.recognise(exc, prompt)
        if error is None and endpoint is not None:
            error = self.service.endpoint_errors.recognise(exc, endpoint, embedding=embedding)
        if error is None:
            if isinstance(exc, ModelError):
                call.status, call.error = "error", exc.message
            return exc
        call.status, call.error = "error", error.message
        return error

    def _count_usage(self, call: ModelCall, completion: Any) -> None:
        usage = getattr(completion, "usage", None)
        if usage is None:
            return
        prompt_tokens = usage.prompt_tokens or 0
        completion_tokens = getattr(usage, "completion_tokens", 0) or 0
        self.log.tokens += prompt_tokens + completion_tokens
        call.prompt_tokens += prompt_tokens
        call.completion_tokens += completion_tokens
        details = getattr(usage, "prompt_tokens_details", None)
        cached = getattr(details, "cached_tokens", None) if details else None
        if not cached:
            # llama.cpp reports its prefix-cache hits in its own ``timings`` field.
            timings = (getattr(completion, "model_extra", None) or {}).get("timings") or {}
            cached = timings.get("cache_n")
        call.cached_tokens += int(cached or 0)


def _describe(call: ModelCall, endpoint: Endpoint) -> None:
    call.model, call.endpoint, call.server = endpoint.model, endpoint.label, dict(endpoint.info)


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else list(vector)


class _recorded:
    """Times ``call`` and adds it to ``log`` however the question ends."""

    def __init__(self, call: ModelCall, log: CallLog) -> None:
        self.call, self.log = call, log

    async def __aenter__(self) -> None:
        self.started = time.perf_counter()

    async def __aexit__(self, *exc: object) -> None:
        self.call.seconds = round(time.perf_counter() - self.started, 3)
        self.log.add(self.call)
