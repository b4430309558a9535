"""The endpoint of a desk's provider, opened once, when an answer first needs it.

Opening may be slow (the embedded model starts llama.cpp, perhaps after pulling a model),
so it is done at most once per desk, in a worker thread, whichever article or stage asks
first; the others wait for that one opening. A provider that declares ``opens_slowly``
also gives the endpoint's *shape* (its offline ``open``: the model name and parameters,
nothing started), which is enough to look answers up in the response cache: a re-run
whose answers are all cached starts nothing.

A failed opening is remembered: every later question gets the same error at once instead
of starting (and failing to start) a server once per article.
"""

from __future__ import annotations

import asyncio
import threading

from ..components import Capabilities, Endpoint, Provider
from ..settings import Settings


class LazyEndpoint:
    """``provider``'s endpoint for ``settings``: its shape on demand, opened on demand."""

    def __init__(self, provider: Provider, settings: Settings, capabilities: Capabilities):
        self.provider = provider
        self.settings = settings
        self.capabilities = capabilities
        self._lock = threading.Lock()  # threads, not tasks: each article may run its own loop
        self._opened: Endpoint | None = None
        self._shape: Endpoint | None = None
        self._failure: BaseException | None = None

    @property
    def opened(self) -> Endpoint | None:
        """The real endpoint, once opened."""
        return self._opened

    @property
    def current(self) -> Endpoint | None:
        """What answers are looked up under so far: the real endpoint, else its shape."""
        return self._opened or self._shape

    async def for_lookup(self) -> Endpoint:
        """Enough of the endpoint to look an answer up in the response cache: its shape
        when the provider opens slowly, else the endpoint itself."""
        if self._opened is None and self.capabilities.opens_slowly:
            if self._shape is None:
                self._shape = self.provider.open(self.settings, offline=True)
            return self._shape
        return await self.open()

    async def open(self) -> Endpoint:
        """The real endpoint (replaying a cassette, the offline one), opened once."""
        if self._opened is not None:  # every question asks: no thread once it is open
            return self._opened
        return await asyncio.to_thread(self.open_now)

    def open_now(self) -> Endpoint:
        """:meth:`open`, from synchronous code (blocks while the provider opens)."""
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._opened is None:
                try:
                    self._opened = self.provider.open(self.settings, offline=self.settings.offline)
                except Exception as exc:
                    self._failure = exc
                    raise
            return self._opened

    def close(self) -> None:
        """Let the provider stop what it started (the embedded model's server)."""
        self.provider.close()
