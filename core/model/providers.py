"""Which provider a run uses, decided from what providers say of themselves.

Named (``--provider``, ``COPYDESK_PROVIDER``, ``provider`` in the config), it is that one.
Otherwise it is the provider whose capabilities claim the default for what is configured:
``default_for="endpoint"`` when an endpoint URL or API key is set, ``"no_endpoint"`` when
neither is (the embedded model, if its plugin is installed). Core names none of them.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..components import Provider
from ..errors import ConfigError
from ..settings import Settings


def choose_provider(settings: Settings, providers: Mapping[str, Provider]) -> Provider:
    """The provider for ``settings`` among the installed ``providers`` (by name)."""
    if settings.provider:
        found = providers.get(settings.provider)
        if found is None:
            raise ConfigError(
                f"no provider named {settings.provider!r}",
                f"installed providers: {', '.join(sorted(providers)) or 'none'}",
            )
        return found
    wanted = "endpoint" if settings.endpoint_configured else "no_endpoint"
    for name in sorted(providers):  # sorted: the same choice whatever order plugins load in
        if providers[name].capabilities(settings).default_for == wanted:
            return providers[name]
    situation = (
        "an endpoint or API key is set" if wanted == "endpoint" else "no endpoint or key is set"
    )
    raise ConfigError(
        f"{situation} and no installed provider is the default for that",
        f"name one with --provider ({', '.join(sorted(providers)) or 'none installed'})",
    )
