"""Inside a Ray worker of ``copydesk batch --engine ray``: one async actor that builds the
desk once (from the same :class:`~copydesk.runner.DeskRecipe` as a worker process of the
single-machine engine) and checks the articles it is sent, many at once on its event loop,
each with :func:`~copydesk.batch.article.check_one`, so that a line here is the line the
single-machine engine writes.

Its gate is :class:`~copydesk.batch.ray_limiter.ClusterRequests` (every request's slot from
the cluster's limiter) when the workers share an endpoint; when the provider runs a server
on each machine (the embedded model), the worker owns that node's server — the desk
opens it in this process, with this machine's cores — and its gate is the plain
:class:`~copydesk.batch.gate.SharedRequests` of that server's cap.

No Ray here: :mod:`.ray_cluster` wraps :class:`DeskWorker` as an actor.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import dataclass
from typing import Any

from ..errors import CopydeskError
from ..runner import Copydesk, DeskRecipe
from .article import check_one, tally
from .gate import GateStats, SharedRequests
from .ray_limiter import ClusterRequests
from .sources import Source
from .summary import Tally
from .tuning import long_run_gc

#: The variables of the batch's process a worker takes (the endpoint, its key, copydesk's).
ENV_PREFIXES = ("COPYDESK_", "OPENAI_")


@dataclass(frozen=True)
class WorkerPlan:
    """What one Ray worker is given: its number, the desk to build, the environment to
    build it in (``COPYDESK_*``/``OPENAI_*`` of the batch's process), its request slots,
    and the limiter to ask (``None``: its own server, its own cap)."""

    index: int
    recipe: DeskRecipe
    env: dict[str, str]
    slots: int
    min_confidence: float
    limiter: Any = None


class DeskWorker:
    """Checks articles into output lines; see the module."""

    def __init__(self, plan: WorkerPlan) -> None:
        self.plan = plan
        self.desk: Copydesk | None = None
        self.gate: SharedRequests | None = None
        self._gc = long_run_gc()

    async def start(self) -> dict[str, Any]:
        """Build the desk and open its endpoint (the node's server, for the embedded
        model); where this worker runs. A desk that cannot be built raises, and the batch
        stops with its reason."""
        # The batch's environment, not the one this worker process was started with (a
        # worker process can outlive a batch, and a cluster's nodes have their own).
        for name in [n for n in os.environ if n.startswith(ENV_PREFIXES)]:
            del os.environ[name]
        os.environ.update(self.plan.env)
        self.desk = await asyncio.to_thread(self.plan.recipe.build)
        if self.plan.limiter is not None:
            self.gate = ClusterRequests(self.plan.limiter, self.plan.index, self.plan.slots)
        else:
            self.gate = SharedRequests(self.plan.slots)
        await self.desk.prepare_endpoint()
        self._gc.__enter__()  # for the worker's life: it is ended, never put back
        return {"pid": os.getpid(), "host": socket.gethostname()}

    async def check(self, source: Source) -> tuple[str, Tally]:
        """One article's output line (JSON) and its tally; never raises for the article's
        own faults."""
        if self.desk is None:
            raise CopydeskError("a worker was sent an article before it started")
        record = await check_one(self.desk, source, self.gate)
        return json.dumps(record, ensure_ascii=False), tally(record, self.plan.min_confidence)

    async def stop(self) -> GateStats:
        """Close the endpoint's connections (and the node's server); this worker's figures."""
        stats = self.gate.stats if self.gate is not None else GateStats()
        if self.gate is not None:
            await self.gate.aclose()
        if self.desk is not None:
            await asyncio.to_thread(self.desk.close)
        return stats
