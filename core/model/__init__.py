"""Model access: one :class:`ModelService` per desk, a :class:`Session` per article.

=====================  ============================================================
module                 what it holds
=====================  ============================================================
``question``           a :class:`Question` and the request it becomes; the call log
``validation``         whether an answer is valid JSON for the prompt's schema
``layers``             the response cache, the budget, ask-validate-re-ask
``endpoint``           the provider's endpoint, opened once and only when needed
``transport``          sending through the openai client (or a batch's gate)
``errors``             what a failure means: not in the cassette, or the endpoint's
``service``            the layers put together: :class:`ModelService`, :class:`Session`
=====================  ============================================================

Names are imported on first use, so that importing this package (``copydesk --help``
does, through the CLI) loads neither the openai client nor jsonschema.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .layers import ResponseCache, endpoint_identity
    from .question import DEFAULT_MAX_TOKENS, AnswerCheck, CallLog, Question
    from .service import Embeddings, ModelService, Session
    from .transport import RequestGate
    from .validation import parse_and_validate, response_schema

_WHERE = {
    "ResponseCache": "layers",
    "endpoint_identity": "layers",
    "DEFAULT_MAX_TOKENS": "question",
    "AnswerCheck": "question",
    "CallLog": "question",
    "Question": "question",
    "Embeddings": "service",
    "ModelService": "service",
    "Session": "service",
    "RequestGate": "transport",
    "parse_and_validate": "validation",
    "response_schema": "validation",
}

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "AnswerCheck",
    "CallLog",
    "Embeddings",
    "ModelService",
    "Question",
    "RequestGate",
    "ResponseCache",
    "Session",
    "endpoint_identity",
    "parse_and_validate",
    "response_schema",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
