"""What went wrong with a request, said so a person can act on it.

Two layers, each one question: was this a request a cassette being replayed does not
hold (:class:`NotRecordedErrors`), and what does the endpoint's failure mean
(:class:`EndpointErrors`)? Both look at exceptions only; neither sends anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai

from ..components import Endpoint
from ..errors import ModelError, NotRecorded
from ..settings import Settings


def _vcrpy_miss_type() -> type[BaseException] | None:
    try:  # vcrpy is there whenever a cassette is; without it nothing can be "not recorded"
        from vcr.errors import CannotOverwriteExistingCassetteException
    except ImportError:  # pragma: no cover - vcrpy is a dependency
        return None
    return CannotOverwriteExistingCassetteException


class NotRecordedErrors:
    """Replaying a cassette: a request it does not hold becomes a :class:`NotRecorded` that
    names the prompt (and, given ``explain``, which template changed and how to re-record)."""

    def __init__(self, explain: Callable[[str], NotRecorded] | None = None) -> None:
        self.explain = explain
        self._miss = _vcrpy_miss_type()

    def recognise(self, exc: BaseException, prompt: str) -> NotRecorded | None:
        """The error to report if ``exc`` (bare, or wrapped by the openai client) is vcrpy's
        "not in the cassette"; else ``None``."""
        seen: BaseException | None = exc
        walked: set[int] = set()  # a re-raised error can make the chain a loop
        while seen is not None and id(seen) not in walked:
            walked.add(id(seen))
            if self._miss is not None and isinstance(seen, self._miss):
                if self.explain is not None:
                    return self.explain(prompt)
                return NotRecorded(
                    f"the request for prompt {prompt!r} is not in the cassette",
                    "re-record the cassette (see CONTRIBUTING.md) or drop --replay",
                )
            seen = seen.__cause__ or seen.__context__
        return None


class EndpointErrors:
    """The openai client's exceptions as :class:`ModelError` s that say what to do."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def recognise(
        self, exc: BaseException, endpoint: Endpoint, *, embedding: bool = False
    ) -> ModelError | None:
        """The error to report for ``exc`` if it is the endpoint's failure; else ``None``."""
        if not isinstance(exc, openai.OpenAIError):
            return None
        if (
            embedding
            and isinstance(exc, openai.APIStatusError)
            and exc.status_code in (400, 404, 501)
        ):
            return ModelError(
                f"{endpoint.label} cannot compute embeddings for model {endpoint.model!r} "
                f"(HTTP {exc.status_code})",
                "use an endpoint that serves /v1/embeddings (the embedded model does), or "
                "leave out the checkers that need embeddings (--skip-checkers)",
            )
        return self._explain(exc, endpoint)

    def _explain(self, exc: Any, endpoint: Endpoint) -> ModelError:
        where, retries, timeout = (
            endpoint.label,
            self.settings.retries,
            self.settings.request_timeout,
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
                f"{where} has no such model or path (HTTP 404) for model {endpoint.model!r}",
                "check --model and --base-url (it usually ends in /v1)",
            )
        if isinstance(exc, openai.RateLimitError):
            return ModelError(
                f"{where} kept rate limiting (HTTP 429) after {retries} retries",
                "wait and run again, or raise max_retries in the config",
            )
        if isinstance(exc, openai.APITimeoutError):
            return ModelError(
                f"{where} did not answer within {timeout:g} s (after {retries} retries)",
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
                + (f" after {retries} retries" if exc.status_code >= 500 else ""),
                "the server failed; try again later" if exc.status_code >= 500 else str(exc)[:300],
            )
        return ModelError(f"model call to {where} failed: {exc}")
