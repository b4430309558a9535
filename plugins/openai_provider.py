"""The ``openai`` provider: any OpenAI-compatible chat-completions endpoint.

OpenAI itself, Azure OpenAI's v1 API (``https://RESOURCE.openai.azure.com/openai/v1/``),
vLLM, Ollama (``http://localhost:11434/v1``), llama.cpp's server, LM Studio...: set
``--base-url`` (or ``OPENAI_BASE_URL``), ``--model`` and, where the server wants one,
``OPENAI_API_KEY``.
"""

from __future__ import annotations

from collections.abc import Callable

import copydesk
from copydesk.components import Capabilities, Endpoint, Provider
from copydesk.errors import ConfigError
from copydesk.settings import Settings

OPENAI_URL = "https://api.openai.com/v1"


class OpenAICompatible:
    name = "openai"
    description = "any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp)"

    def capabilities(self, settings: Settings) -> Capabilities:
        # Someone else's server: copydesk's defaults for requests in flight and time-outs;
        # the one used whenever an endpoint URL or a key is configured.
        return Capabilities(default_for="endpoint")

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint:
        base_url = settings.base_url or OPENAI_URL
        if not settings.model:
            raise ConfigError(
                f"no model named for the endpoint {base_url}",
                "pass --model NAME (or set COPYDESK_MODEL, or model in the config file)",
            )
        if not offline and base_url.startswith(OPENAI_URL) and not settings.api_key:
            raise ConfigError(
                "OpenAI's endpoint needs an API key and OPENAI_API_KEY is not set",
                "export OPENAI_API_KEY=..., or point --base-url at another server",
            )
        return Endpoint(
            base_url=base_url,
            model=settings.model,
            api_key=settings.api_key or "",
            params={"seed": settings.seed},
        )

    def close(self) -> None:
        """Nothing to stop: the endpoint is someone else's server."""


@copydesk.hookimpl
def register_providers(register: Callable[[Provider], None]) -> None:
    register(OpenAICompatible())
