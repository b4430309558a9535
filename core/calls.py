"""Validated model calls through the official openai client.

One :meth:`ModelClient.ask_json` is one question to the model whose answer must parse as
JSON and validate against the prompt's schema. It asks for structured output, treats a
``finish_reason == "length"`` cut as invalid, and re-asks (bounded) with the validation
errors fed back. HTTP-level retries on 429/5xx/time-outs, with backoff that honours
``Retry-After``, are the openai client's own. Every call lands in the run's call log,
successful or not; invalid data is never returned.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai
from jsonschema import Draft202012Validator
from openai.types.chat import ChatCompletion

from .components import Endpoint
from .errors import BudgetExceeded, ModelError, NotRecorded, UnparseableOutput
from .settings import Settings
from .types import ModelCall

DEFAULT_MAX_TOKENS = 1024

#: Keywords left out of the schema sent as ``response_format``. llama.cpp compiles the
#: schema into a sampling grammar, and a string length bound becomes hundreds of nested
#: optional rules: sampling slowed to a few tokens a second (measured here: 6 tok/s
#: instead of ~150 with the tiny model). The full schema is still enforced on our side,
#: and a violation is re-asked like any other.
GRAMMAR_COSTLY = frozenset({"minLength", "maxLength", "pattern", "format", "$schema"})


_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})


def response_schema(schema: Any) -> Any:
    """The schema to ask the server for: ``schema`` without the keywords in GRAMMAR_COSTLY
    (a property that happens to be *named* ``format`` or ``pattern`` is kept)."""
    if isinstance(schema, list):
        return [response_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in GRAMMAR_COSTLY:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: response_schema(sub) for name, sub in value.items()}
        else:
            out[key] = response_schema(value)
    return out


class ResponseCache(Protocol):
    """Where validated answers are kept so the same question is never paid for twice.

    ``key`` gets the exact request (model, messages, response schema, sampling
    parameters) and the endpoint's identity (:func:`endpoint_identity`: its URL, or
    what the endpoint says it serves); ``get`` returns the validated JSON or ``None``.
    """

    def key(self, request: dict[str, Any], base_url: str) -> str: ...

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any) -> None: ...


def endpoint_identity(endpoint: Endpoint) -> str:
    """Who answers, for the response cache: the endpoint's URL, or, when the
    endpoint names the model file it serves (the embedded model, whose server listens on
    a new port every run), that file's sha256 and the server."""
    sha256 = endpoint.info.get("model_sha256")
    if sha256:
        return f"sha256:{sha256} {endpoint.info.get('server', '')}".strip()
    return endpoint.base_url


# A hook for batch runs: requests shared by every article in flight ---------------------------


class RequestGate(Protocol):
    """What every article of a batch sends its requests through (``copydesk.batch``): one
    connection pool for the endpoint, a cap on requests in flight, a shared 429 pause."""

    def http_client(self, endpoint: Endpoint) -> Any:
        """The shared ``httpx`` client for ``endpoint``; the gate closes it, not the caller."""
        ...


#: Set by a batch for the tasks it starts; ``None``: each run's client opens its own.
request_gate: ContextVar[RequestGate | None] = ContextVar("copydesk_request_gate", default=None)

#: HTTP requests sent for the model call in progress, the openai client's own retries
#: included: set by :meth:`ModelClient._create`, counted by :class:`CountingHttpxClient`.
_sends: ContextVar[list[int] | None] = ContextVar("copydesk_sends", default=None)


class CountingHttpxClient(openai.DefaultAsyncHttpxClient):
    """openai's default httpx client (its limits, time-outs and proxies), counting the
    requests it sends for the model call in progress: the call's retries."""

    async def send(self, request: Any, **kwargs: Any) -> Any:
        counter = _sends.get()
        if counter is not None:
            counter[0] += 1
        return await super().send(request, **kwargs)


@functools.cache
def _tls_context() -> Any:
    import httpx2

    return httpx2.create_ssl_context()


@dataclass
class CallLog:
    """Every model call of a run, in the order they finished."""

    calls: list[ModelCall] = field(default_factory=list)
    _counter: int = 0
    #: Requests sent and tokens spent so far (cache hits cost nothing), for the budget.
    requests: int = 0
    tokens: int = 0

    def new_id(self, prompt: str) -> str:
        self._counter += 1
        return f"{prompt}-{self._counter}"

    def add(self, call: ModelCall) -> None:
        self.calls.append(call)


def _strip_to_json(content: str) -> str:
    """Small models wrap JSON in code fences or chatter; keep the outermost object."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{"):
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            text = text[start : end + 1]
    return text


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str) -> Draft202012Validator:
    # Built once per schema: a batch validates thousands of answers against three schemas.
    return Draft202012Validator(json.loads(schema_json))


def parse_and_validate(content: str | None, schema: dict[str, Any]) -> tuple[Any | None, list[str]]:
    """Parse ``content`` as JSON and validate it: ``(data, [])`` or ``(None, errors)``."""
    if content is None or not content.strip():
        return None, ["the answer was empty"]
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        try:
            data = json.loads(_strip_to_json(content))
        except json.JSONDecodeError as exc:
            return None, [f"the answer is not valid JSON: {exc.msg} at line {exc.lineno}"]
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(top level)'}: {err.message}"
        for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
    if errors:
        return None, errors[:8]
    return data, []


def _is_not_recorded(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class ModelClient:
    """Calls one :class:`Endpoint` with validation, re-asks and a call log."""

    def __init__(
        self,
        endpoint: Endpoint,
        settings: Settings,
        log: CallLog,
        explain_miss: Callable[[str], NotRecorded] | None = None,
        cache: ResponseCache | None = None,
        *,
        open_endpoint: Callable[[], Awaitable[Endpoint]] | None = None,
    ):
        """``endpoint`` is where requests go; or, with ``open_endpoint``, only its shape
        (what the response cache needs), the real one opened on the first cache miss."""
        self.endpoint = endpoint
        self.explain_miss = explain_miss
        self.cache = cache
        self.settings = settings
        self.log = log
        self._structured = endpoint.structured_output
        self._owns_http = request_gate.get() is None
        self._open_endpoint = open_endpoint
        self._opening = asyncio.Lock()
        self._client: openai.AsyncOpenAI | None = (
            None if open_endpoint is not None else self._make_client(endpoint)
        )

    def _make_client(self, endpoint: Endpoint) -> openai.AsyncOpenAI:
        gate = request_gate.get()
        http_client = None
        if gate is not None:  # a batch: shared connections, capped, one 429 pause
            http_client = gate.http_client(endpoint)
        elif endpoint.transport is not None:
            http_client = CountingHttpxClient(transport=endpoint.transport)
        else:
            # Building a TLS context loads the CA bundle: ~20 ms per article, once is enough.
            http_client = CountingHttpxClient(verify=_tls_context())
        return openai.AsyncOpenAI(
            base_url=endpoint.base_url,
            # Local servers ignore the key but the client insists on one.
            api_key=endpoint.api_key or "no-key",
            max_retries=0 if self.settings.offline else self.settings.max_retries,
            timeout=self.settings.timeout,
            http_client=http_client,
        )

    async def _opened(self) -> openai.AsyncOpenAI:
        """The openai client, opening the real endpoint first if only its shape is known."""
        if self._client is not None:  # every call asks: no lock once it is open
            return self._client
        async with self._opening:
            if self._client is None:
                assert self._open_endpoint is not None
                self.endpoint = await self._open_endpoint()
                self._structured = self.endpoint.structured_output
                self._client = self._make_client(self.endpoint)
            return self._client

    async def close(self) -> None:
        if self._owns_http and self._client is not None:
            # A batch's shared connections outlive one article.
            await self._client.close()

    def _request(
        self, messages: list[dict[str, str]], schema: dict[str, Any], name: str, max_tokens: int
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature,
            **self.endpoint.params,
        }
        if self._structured:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": response_schema(schema)},
            }
        extra = dict(self.endpoint.extra_body)
        if self.settings.recording and "cache_prompt" in extra:
            # Recording wants byte-identical answers; llama.cpp's prompt cache breaks that.
            extra["cache_prompt"] = False
        if extra:
            request["extra_body"] = extra
        return request

    def _explain(self, exc: Exception, prompt: str) -> ModelError:
        where = self.endpoint.label
        if _is_not_recorded(exc):
            if self.explain_miss is not None:
                return self.explain_miss(prompt)
            return NotRecorded(
                f"the request for prompt {prompt!r} is not in the cassette",
                "re-record the cassette (see CONTRIBUTING.md) or drop --replay",
            )
        if isinstance(exc, openai.AuthenticationError):
            return ModelError(
                f"{where} refused the API key (HTTP 401)",
                "check OPENAI_API_KEY (or the variable named by api_key_env in the config)",
            )
        if isinstance(exc, openai.PermissionDeniedError):
            return ModelError(f"{where} denied access (HTTP 403)", "check the key's permissions")
        if isinstance(exc, openai.NotFoundError):
            return ModelError(
                f"{where} has no such model or path (HTTP 404) for model {self.endpoint.model!r}",
                "check --model and --base-url (it usually ends in /v1)",
            )
        if isinstance(exc, openai.RateLimitError):
            return ModelError(
                f"{where} kept rate limiting (HTTP 429) after {self.settings.max_retries} retries",
                "wait and run again, or raise max_retries in the config",
            )
        if isinstance(exc, openai.APITimeoutError):
            return ModelError(
                f"{where} did not answer within {self.settings.timeout:g} s "
                f"(after {self.settings.max_retries} retries)",
                "raise timeout in the config, or use a smaller model",
            )
        if isinstance(exc, openai.APIConnectionError):
            return ModelError(
                f"cannot reach {where}",
                "check --base-url / OPENAI_BASE_URL and that the server is running",
            )
        if isinstance(exc, openai.APIStatusError):
            return ModelError(
                f"{where} answered HTTP {exc.status_code}"
                + (f" after {self.settings.max_retries} retries" if exc.status_code >= 500 else ""),
                "the server failed; try again later" if exc.status_code >= 500 else str(exc)[:300],
            )
        return ModelError(f"model call to {where} failed: {exc}")

    async def ask_json(
        self,
        *,
        stage: str,
        prompt: str,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> tuple[Any, ModelCall]:
        call = ModelCall(
            id=self.log.new_id(prompt),
            stage=stage,
            prompt=prompt,
            model=self.endpoint.model,
            endpoint=self.endpoint.label,
            server=dict(self.endpoint.info),
            attempts=0,
        )
        conversation = list(messages)
        started = time.perf_counter()
        content: str | None = None
        errors: list[str] = []
        key = self._cache_key(messages, schema, prompt, max_tokens)
        hit = self._cached(key)
        if hit is None and self._client is None:
            # A miss with only the endpoint's shape: open it (the embedded model's server
            # starts now, not when every answer was in the cache) and, if the request or
            # the name it gives differs from its shape's, look again under its own key.
            await self._opened()
            call.model, call.endpoint = self.endpoint.model, self.endpoint.label
            call.server = dict(self.endpoint.info)
            real_key = self._cache_key(messages, schema, prompt, max_tokens)
            if real_key != key:
                key, hit = real_key, self._cached(real_key)
        if hit is not None:
            call.status, call.attempts, call.finish_reason = "cached", 0, "cached"
            call.seconds = round(time.perf_counter() - started, 3)
            self.log.add(call)
            return hit, call
        try:
            for _ in range(1 + self.settings.reasks):
                self._check_budget(prompt)
                call.attempts += 1
                self.log.requests += 1
                completion, retries = await self._create(conversation, schema, prompt, max_tokens)
                call.retries += retries
                usage = getattr(completion, "usage", None)
                if usage is not None:
                    self.log.tokens += (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
                self._count_usage(call, completion)
                choice = completion.choices[0] if completion.choices else None
                content = choice.message.content if choice else None
                call.finish_reason = choice.finish_reason if choice else None
                if call.finish_reason == "length":
                    errors = [
                        f"the answer was cut off at {max_tokens} tokens (finish_reason=length); "
                        "answer more briefly"
                    ]
                elif choice is not None and getattr(choice.message, "refusal", None):
                    errors = [f"the model refused: {choice.message.refusal}"]
                else:
                    data, errors = parse_and_validate(content, schema)
                    if not errors:
                        call.status = "ok"
                        if self.cache is not None and key is not None:
                            self.cache.put(key, data)
                        return data, call
                conversation = [
                    *messages,
                    {"role": "assistant", "content": (content or "")[:4000]},
                    {
                        "role": "user",
                        "content": "Your answer was not valid:\n- "
                        + "\n- ".join(errors)
                        + "\nAnswer again with only the JSON object the schema asks for.",
                    },
                ]
            call.status = "unparseable"
            call.error = "; ".join(errors)
            raise UnparseableOutput(
                f"{stage}: the model's answer to prompt {prompt!r} was still invalid after "
                f"{call.attempts} attempts: {call.error}",
                raw=content,
                errors=errors,
            )
        except BudgetExceeded as exc:
            call.status, call.error = "error", exc.message
            raise
        except Exception as exc:
            # vcrpy's "not in the cassette" may arrive bare or wrapped by the openai client.
            if not isinstance(exc, openai.OpenAIError) and not _is_not_recorded(exc):
                raise
            call.status = "error"
            err = self._explain(exc, prompt)
            call.error = err.message
            raise err from exc
        finally:
            call.seconds = round(time.perf_counter() - started, 3)
            self.log.add(call)

    def _cache_key(
        self, messages: list[dict[str, str]], schema: dict[str, Any], name: str, max_tokens: int
    ) -> str | None:
        if self.cache is None:
            return None
        # The cache holds only answers that validated against this very schema.
        return self.cache.key(
            self._request(messages, schema, name, max_tokens),
            endpoint_identity(self.endpoint),  # not the URL: ports change
        )

    def _cached(self, key: str | None) -> Any | None:
        return None if key is None or self.cache is None else self.cache.get(key)

    def _check_budget(self, prompt: str) -> None:
        """Stop before a request that would go past ``--max-calls`` or ``--max-tokens``."""
        limit_calls, limit_tokens = self.settings.max_calls, self.settings.max_tokens
        if limit_calls is not None and self.log.requests >= limit_calls:
            raise BudgetExceeded(
                f"the run reached its budget of {limit_calls} model requests (--max-calls) "
                f"before asking prompt {prompt!r}",
                "raise --max-calls, or check a shorter article",
            )
        if limit_tokens is not None and self.log.tokens >= limit_tokens:
            raise BudgetExceeded(
                f"the run spent {self.log.tokens:,} tokens, its budget is {limit_tokens:,} "
                f"(--max-tokens); prompt {prompt!r} was not asked",
                "raise --max-tokens, or check a shorter article",
            )

    async def _create(
        self, messages: list[dict[str, str]], schema: dict[str, Any], name: str, max_tokens: int
    ) -> tuple[Any, int]:
        """One completion (the openai client retrying 429s, 5xx and time-outs) and how many
        retries it took."""
        sends = [0]
        token = _sends.set(sends)
        try:
            try:
                completion = await self._post(self._request(messages, schema, name, max_tokens))
            except openai.BadRequestError as exc:
                # Some OpenAI-compatible servers reject json_schema response formats; fall
                # back to plain JSON output, which we validate ourselves all the same.
                if not self._structured or "response_format" not in str(exc):
                    raise
                self._structured = False
                sends[0] = 0
                completion = await self._post(self._request(messages, schema, name, max_tokens))
        finally:
            _sends.reset(token)
        return completion, max(0, sends[0] - 1)

    async def _post(self, request: dict[str, Any]) -> ChatCompletion:
        # The openai client's post(), not chat.completions.create(): create() first walks
        # every message and the whole schema through its typed-parameter transform (~0.3 ms
        # a call, measured: a tenth of copydesk's CPU per article in a batch), which for
        # these plain JSON parameters changes nothing. post() sends the same body with the
        # same retries, time-outs, errors and parsing into ChatCompletion.
        body = {k: v for k, v in request.items() if k != "extra_body"}
        body.update(request.get("extra_body") or {})
        client = await self._opened()
        return await client.post("/chat/completions", body=body, cast_to=ChatCompletion)

    @staticmethod
    def _count_usage(call: ModelCall, completion: Any) -> None:
        usage = getattr(completion, "usage", None)
        if usage is not None:
            call.prompt_tokens += usage.prompt_tokens or 0
            call.completion_tokens += usage.completion_tokens or 0
            details = getattr(usage, "prompt_tokens_details", None)
            cached = getattr(details, "cached_tokens", None) if details else None
            if not cached:
                # llama.cpp reports its prefix-cache hits in its own ``timings`` field.
                timings = (getattr(completion, "model_extra", None) or {}).get("timings") or {}
                cached = timings.get("cache_n")
            call.cached_tokens += int(cached or 0)
