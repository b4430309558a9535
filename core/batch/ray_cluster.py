"""Ray itself, for ``copydesk batch --engine ray``: joining or starting a cluster, the
limiter actor and the worker actors, placed on the cluster's nodes.

Where the workers go follows what the provider says of itself
(:class:`~copydesk.components.Capabilities`), never which provider it is: one that suits
only so many processes on a machine (``max_processes``: a server on the machine, as the
embedded model's) gets that many workers on each node, each owning that node's server;
any other (an endpoint every worker reaches) gets workers spread over the cluster's CPUs,
all asking one limiter.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .ray_limiter import ClusterLimiter
from .ray_worker import ENV_PREFIXES, DeskWorker, WorkerPlan

#: What a worker may wait in the limiter's queue: every request of every worker at once.
LIMITER_CONCURRENCY = 100_000


#: Ray's own keyword for ``ray.init(address=...)``: start a new Ray on this machine (not a
#: provider's name; tests/test_layout.py allows this one line).
RAY_START_HERE = "local"


def import_ray() -> Any:
    """Ray, or the install it needs."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "--engine ray needs Ray, which is not installed",
            "pip install 'copydesk[ray]'",
        ) from exc
    return ray


@contextlib.contextmanager
def connected(address: str | None) -> Iterator[Any]:
    """Ray, connected: a Ray already started in this process as it is (a test's, a
    notebook's); else the cluster at ``address`` (``auto``: the one ``ray start`` runs on
    this machine), or a Ray started here for this batch alone, shut down at the end."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(
            address=address or RAY_START_HERE,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,  # the workers' logs stay in Ray's session folder
        )
    except ConnectionError as exc:
        raise ConfigError(
            f"--ray-address {address}: no Ray cluster there ({exc})",
            "start one with `ray start --head`, or leave --ray-address out for a local Ray",
        ) from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def worker_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)}


def cluster_cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def alive_nodes(ray: Any) -> list[str]:
    """The ids of the cluster's live nodes that have CPUs."""
    return [
        n["NodeID"] for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU")
    ]


def start_limiter(ray: Any, max_in_flight: int, requests_per_second: float | None) -> Any:
    actor = ray.remote(num_cpus=0, max_concurrency=LIMITER_CONCURRENCY)(ClusterLimiter)
    return actor.remote(max_in_flight, requests_per_second)


@dataclass
class WorkerHandle:
    """One worker actor as the batch sees it."""

    plan: WorkerPlan
    actor: Any
    capacity: int  # articles it is sent at once
    node: str | None = None  # pinned to this node (a server per node), else anywhere
    pid: int | None = None
    host: str | None = None
    lost: bool = False


def start_worker(
    ray: Any, plan: WorkerPlan, capacity: int, node: str | None, cpus: float = 1.0
) -> WorkerHandle:
    """A worker actor (not waited for: its ``start`` is the batch's to wait on), holding
    ``cpus`` of Ray's CPUs (less than one when more workers are asked for than CPUs)."""
    if node is not None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        strategy: Any = NodeAffinitySchedulingStrategy(node, soft=True)
    else:
        strategy = "SPREAD"
    actor = ray.remote(num_cpus=cpus, max_concurrency=capacity, max_restarts=0)(DeskWorker)
    handle = actor.options(scheduling_strategy=strategy).remote(plan)
    return WorkerHandle(plan, handle, capacity, node)


def place(ray: Any, *, per_node: int | None, wanted: int | None, limit: int) -> list[str | None]:
    """A node for each worker to start (``None``: Ray chooses): ``per_node`` on every live
    node when the provider runs a server per machine; else ``wanted`` (or one per CPU of
    the cluster), at most ``limit``."""
    if per_node is not None:
        nodes: list[str | None] = list(alive_nodes(ray))
        return [node for node in nodes for _ in range(per_node)][: max(limit, len(nodes))]
    count = wanted if wanted is not None else cluster_cpus(ray)
    return [None] * max(1, min(count, limit))
