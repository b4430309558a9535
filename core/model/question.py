"""What one model call asks, and the run's record of every call made.

A :class:`Question` is a rendered prompt with the schema its answer must validate against;
:func:`chat_request` turns it into the body of a chat-completions request for an endpoint.
The same body is the response cache's key, so anything that changes the answer is in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..components import Endpoint
from ..settings import Settings
from ..types import ModelCall
from .validation import response_schema

DEFAULT_MAX_TOKENS = 1024

#: A plugin's own test of an answer that already validates against the schema: the
#: problems it finds (empty: none). A problem is fed back and the model asked again.
AnswerCheck = Callable[[Any], list[str]]


@dataclass(frozen=True)
class Question:
    """One question to the model: the rendered ``messages`` of prompt ``prompt``, asked by
    stage ``stage``, whose answer must validate against ``schema`` (and pass ``check``)."""

    stage: str
    prompt: str
    messages: list[dict[str, str]]
    schema: dict[str, Any]
    max_tokens: int = DEFAULT_MAX_TOKENS
    check: AnswerCheck | None = None


def chat_request(
    question: Question,
    endpoint: Endpoint,
    settings: Settings,
    *,
    structured: bool,
    messages: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The chat-completions request for ``question`` (``messages`` instead of its own when
    it is re-asked with the problems of its answer)."""
    request: dict[str, Any] = {
        "model": endpoint.model,
        "messages": question.messages if messages is None else messages,
        "max_tokens": question.max_tokens,
        "temperature": settings.temperature,
        **endpoint.params,
    }
    if structured:
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": question.prompt,
                "strict": True,
                "schema": response_schema(question.schema),
            },
        }
    extra = dict(endpoint.extra_body)
    if settings.recording and "cache_prompt" in extra:
        # Recording wants byte-identical answers; llama.cpp's prompt cache breaks that.
        extra["cache_prompt"] = False
    if extra:
        request["extra_body"] = extra
    return request


def embeddings_request(texts: list[str], endpoint: Endpoint) -> dict[str, Any]:
    """The ``/embeddings`` request for ``texts``, one vector each."""
    return {"model": endpoint.model, "input": texts, "encoding_format": "float"}


def wire_body(request: dict[str, Any]) -> dict[str, Any]:
    """The JSON body sent: ``extra_body``'s keys merged in, as the openai client does."""
    body = {k: v for k, v in request.items() if k != "extra_body"}
    body.update(request.get("extra_body") or {})
    return body


@dataclass
class CallLog:
    """Every model call of a run, in the order they finished, and what they cost."""

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
