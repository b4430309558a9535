"""Sending one request to the endpoint through the official openai client.

HTTP-level retries on 429/5xx/time-outs, with backoff that honours ``Retry-After``, are the
openai client's own; each answer comes back with the number of retries it took (the
client's raw response carries it). In a batch the requests go through the batch's
:class:`RequestGate` (one connection pool, a cap on requests in flight, one shared 429
pause); otherwise the transport opens and closes its own connections.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, TypeVar

import openai
from openai._constants import RAW_RESPONSE_HEADER

from ..components import Endpoint
from ..settings import Settings

T = TypeVar("T")


class RequestGate(Protocol):
    """What every article of a batch sends its requests through (``copydesk.batch.gate``)."""

    def http_client(self, endpoint: Endpoint) -> Any:
        """The shared ``httpx`` client for ``endpoint``; the gate closes it, not the caller."""
        ...


@functools.cache
def _tls_context() -> Any:
    import httpx2

    return httpx2.create_ssl_context()


class OpenAITransport:
    """Posts request bodies to one endpoint and parses the answers."""

    def __init__(self, endpoint: Endpoint, settings: Settings, gate: RequestGate | None = None):
        self.endpoint = endpoint
        if gate is not None:  # a batch: shared connections, capped, one 429 pause
            http_client = gate.http_client(endpoint)
        elif endpoint.transport is not None:
            http_client = openai.DefaultAsyncHttpxClient(transport=endpoint.transport)
        else:
            # Building a TLS context loads the CA bundle: ~20 ms per article, once is enough.
            http_client = openai.DefaultAsyncHttpxClient(verify=_tls_context())
        self._owns_http = gate is None  # a batch's shared connections outlive one article
        self._client = openai.AsyncOpenAI(
            base_url=endpoint.base_url,
            # Local servers ignore the key but the client insists on one.
            api_key=endpoint.api_key or "no-key",
            max_retries=0 if settings.offline else settings.retries,
            timeout=settings.request_timeout,
            http_client=http_client,
        )

    async def post(self, path: str, body: dict[str, Any], cast_to: type[T]) -> tuple[T, int]:
        """The parsed answer to ``body`` posted at ``path``, and the retries it took.

        ``post()``, not ``chat.completions.create()``: create() first walks every message and
        the whole schema through its typed-parameter transform (~0.3 ms a call, measured: a
        tenth of copydesk's CPU per article in a batch), which for these plain JSON bodies
        changes nothing. post() sends the same body with the same retries, time-outs and
        errors; asked for the raw response, it also says how many retries it took."""
        raw: Any = await self._client.post(
            path,
            body=body,
            cast_to=cast_to,
            options={"headers": {RAW_RESPONSE_HEADER: "true"}},
        )
        return raw.parse(), int(raw.retries_taken)

    async def close(self) -> None:
        if self._owns_http:
            await self._client.close()
