"""``bench/run.py --engine ray``: the same 960-article batch on the same fake endpoint,
through the single-machine engine and then the Ray engine (a local Ray started here), in
one process; ``ray_vs_single`` is Ray's articles/s over the single engine's (on one
machine, Ray's overhead is what is measured). CPU per article is the whole machine's busy
CPU time during each batch (Ray's workers are not this process's children), so other
load on the machine counts in it too."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from copydesk.batch import DEFAULT_MAX_IN_FLIGHT
from copydesk.batch.ray_run import RayBatch
from copydesk.runner import DeskRecipe


def machine_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (Linux /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / 100.0


def ray_batch_run(setup: Any, jsonl: Path, n: int, concurrency: int) -> dict[str, Any]:
    output = setup.work / f"ray-{time.monotonic_ns()}.out.jsonl"
    desk = setup.desk(cache=True)
    batch = RayBatch(
        desk,
        DeskRecipe(desk.settings),
        concurrency=concurrency,
        max_in_flight=DEFAULT_MAX_IN_FLIGHT,
        progress=False,
    )
    busy = machine_busy_seconds()
    try:
        summary = batch.run([str(jsonl)], output)
    finally:
        desk.close()
    busy = machine_busy_seconds() - busy
    assert summary.counts["ok"] == n, summary.counts
    return {"seconds": summary.seconds, "workers": summary.processes,
            "cpu_ms_per_article": 1000 * busy / n}  # fmt: skip


def compare(setup: Any, n: int, concurrency: int, batch_run: Any, out: Path | None) -> int:
    """Single engine (as batch_run builds it), then Ray, on articles new to the cache."""
    import logging

    import ray

    busy = machine_busy_seconds()
    single = batch_run(setup, n, concurrency, "single", None)
    single["machine_cpu_ms_per_article"] = 1000 * (machine_busy_seconds() - busy) / n
    ray.init(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    try:
        jsonl = setup.work / "ray.jsonl"
        with jsonl.open("w", encoding="utf-8") as handle:
            for line in (setup.work / "single.jsonl").read_text().splitlines():
                record = json.loads(line)  # the same articles, under new ids: not cached
                handle.write(json.dumps({**record, "id": "r" + record["id"]}) + "\n")
        on_ray = ray_batch_run(setup, jsonl, n, concurrency)
    finally:
        ray.shutdown()
    ratio = (n / on_ray["seconds"]) / (n / single["seconds"])
    figures = {
        "ray_vs_single": round(ratio, 3),
        "single_articles_per_s": round(n / single["seconds"], 1),
        "ray_articles_per_s": round(n / on_ray["seconds"], 1),
        "single_processes": single["processes"],
        "ray_workers": on_ray["workers"],
        "single_cpu_ms_per_article": round(single["machine_cpu_ms_per_article"], 2),
        "ray_cpu_ms_per_article": round(on_ray["cpu_ms_per_article"], 2),
        "articles": n,
        "latency_s": setup.latency,
    }
    print(
        f"copydesk bench --engine ray: {n} articles, fake endpoint, "
        f"{DEFAULT_MAX_IN_FLIGHT} requests in flight\n"
        f"single engine: {figures['single_articles_per_s']} articles/s "
        f"({single['processes']} processes), {figures['single_cpu_ms_per_article']} ms CPU an article\n"
        f"ray engine:    {figures['ray_articles_per_s']} articles/s "
        f"({on_ray['workers']} workers), {figures['ray_cpu_ms_per_article']} ms CPU an article\n"
        f"ray_vs_single {figures['ray_vs_single']}  (target >= 0.8)"
    )
    if out:
        out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if ratio >= 0.8 else 1
