"""The small layers one model answer passes through, each with one job:

- :class:`CachedAnswers`: an answer already validated for this very request, from earlier runs;
- :class:`Budget`: no request past ``--max-calls`` or ``--max-tokens``;
- :class:`ValidatedAnswers`: ask, validate, and re-ask with the problems fed back.

:mod:`copydesk.model.service` composes them with the endpoint, the transport and the error
layers; none of them knows about the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from ..components import Endpoint
from ..errors import BudgetExceeded, UnparseableOutput
from ..settings import Settings
from ..types import ModelCall
from .question import CallLog, Question
from .validation import parse_and_validate


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


class CachedAnswers:
    """The response cache, keyed by the request and who answers it (never the port)."""

    def __init__(self, cache: ResponseCache | None) -> None:
        self.cache = cache

    def key(self, request: dict[str, Any], endpoint: Endpoint) -> str | None:
        if self.cache is None:
            return None
        return self.cache.key(request, endpoint_identity(endpoint))

    def get(self, key: str | None) -> Any | None:
        return None if key is None or self.cache is None else self.cache.get(key)

    def put(self, key: str | None, value: Any) -> None:
        if key is not None and self.cache is not None:
            self.cache.put(key, value)


class Budget:
    """The run's limits on requests and tokens (``None``: no limit)."""

    def __init__(self, settings: Settings) -> None:
        self.max_calls, self.max_tokens = settings.max_calls, settings.max_tokens

    def check(self, log: CallLog, prompt: str) -> None:
        """Refuse a request that would go past ``--max-calls`` or ``--max-tokens``."""
        if self.max_calls is not None and log.requests >= self.max_calls:
            raise BudgetExceeded(
                f"the run reached its budget of {self.max_calls} model requests (--max-calls) "
                f"before asking prompt {prompt!r}",
                "raise --max-calls, or check a shorter article",
            )
        if self.max_tokens is not None and log.tokens >= self.max_tokens:
            raise BudgetExceeded(
                f"the run spent {log.tokens:,} tokens, its budget is {self.max_tokens:,} "
                f"(--max-tokens); prompt {prompt!r} was not asked",
                "raise --max-tokens, or check a shorter article",
            )


#: Sends one conversation and gives back the completion (the chat-completions object).
Send = Callable[[list[dict[str, str]]], Awaitable[Any]]


class ValidatedAnswers:
    """Asks until the answer validates: at most ``1 + reasks`` times, each failure fed
    back. A ``finish_reason == "length"`` cut is invalid; so is what the question's own
    ``check`` objects to. Invalid data is never returned."""

    def __init__(self, reasks: int) -> None:
        self.reasks = reasks

    async def ask(self, question: Question, call: ModelCall, send: Send) -> Any:
        conversation = list(question.messages)
        content: str | None = None
        errors: list[str] = []
        for _ in range(1 + self.reasks):
            completion = await send(conversation)  # counts the attempt in ``call``
            choice = completion.choices[0] if completion.choices else None
            content = choice.message.content if choice else None
            call.finish_reason = choice.finish_reason if choice else None
            data, errors = self._judge(question, choice, content)
            if not errors:
                return data
            conversation = [
                *question.messages,
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
            f"{question.stage}: the model's answer to prompt {question.prompt!r} was still "
            f"invalid after {call.attempts} attempts: {call.error}",
            raw=content,
            errors=errors,
        )

    @staticmethod
    def _judge(question: Question, choice: Any, content: str | None) -> tuple[Any, list[str]]:
        if choice is not None and choice.finish_reason == "length":
            return None, [
                f"the answer was cut off at {question.max_tokens} tokens (finish_reason=length); "
                "answer more briefly"
            ]
        if choice is not None and getattr(choice.message, "refusal", None):
            return None, [f"the model refused: {choice.message.refusal}"]
        data, errors = parse_and_validate(content, question.schema)
        if not errors and question.check is not None:
            errors = [str(problem) for problem in question.check(data)]
        return data, errors
