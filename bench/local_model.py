"""The embedded model on one article: load time, prefill and decode speed, seconds per
stage and per article, model calls and tokens (cached and not), and peak memory; and the
two bounds issue 14 sets on the sample's check: its wall seconds (``article_seconds``) and
the model-computed tokens (prompt tokens not from the prefix cache plus completion tokens,
the judgement heads' embeddings among them).

    python bench/local_model.py [ARTICLE] [--model NAME] [--runs N] [--json OUT]

It runs a real ``copydesk check`` (cold: the response cache is off) on the article —
by default the sample — through the same provider users get with no key. Figures are for
the machine it runs on; the README gives them for the project's 2-core machines.
Run it on a quiet machine: llama.cpp shares the cores with everything else.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux: the model's weights are mapped into this process.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_speeds(endpoint: Any, text: str) -> dict[str, float]:
    """llama.cpp's own prefill and decode rates, from one plain request (no grammar)."""
    import openai

    client = openai.OpenAI(base_url=endpoint.base_url, api_key="none", timeout=600, max_retries=0)
    answer = client.chat.completions.create(
        model=endpoint.model,
        messages=[{"role": "user", "content": f"Summarise this article in detail:\n\n{text}"}],
        max_tokens=128,
        temperature=0,
        extra_body={"cache_prompt": False},
    )
    timings = (answer.model_extra or {}).get("timings") or {}
    return {
        "prefill": round(timings.get("prompt_per_second", 0.0), 1),
        "decode": round(timings.get("predicted_per_second", 0.0), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "article", nargs="?", default=str(ROOT / "samples" / "lavrov-pakistan-2021.txt")
    )
    parser.add_argument("--model", default=None, help="catalogue name (default: the default model)")
    parser.add_argument(
        "--runs", type=int, default=1, help="articles checked after the first (warm server)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    from copydesk.host import load_host
    from copydesk.inputs import read_article
    from copydesk.plugins.local import server
    from copydesk.runner import Copydesk
    from copydesk.settings import Settings

    settings = Settings.resolve(provider="local", model=args.model)
    desk = Copydesk(settings, load_host())

    started = time.perf_counter()
    endpoint = desk.open_endpoint()  # pull if needed, then start the server: the load time
    load_seconds = time.perf_counter() - started

    speeds = raw_speeds(endpoint, read_article(args.article).text)
    runs: list[dict[str, Any]] = []
    for _ in range(max(1, args.runs)):
        article = read_article(args.article)
        t0 = time.perf_counter()
        report = desk.check(article).to_dict()
        runs.append({"seconds": time.perf_counter() - t0, "report": report})
    server.stop()

    report = runs[0]["report"]
    calls = report["calls"]
    prompt_tokens = sum(c["prompt_tokens"] for c in calls)
    cached = sum(c.get("cached_tokens", 0) for c in calls)
    completion = sum(c["completion_tokens"] for c in calls)
    model_seconds = sum(c["seconds"] for c in calls)
    # What issue 14 bounds: the tokens the model computed for this check (prompt tokens the
    # prefix cache did not serve, and completion tokens), the judgement heads' embedding
    # call included (its calls are the judgement stage's: prompt tokens, no completion).
    embed_tokens = sum(
        c["prompt_tokens"] - c.get("cached_tokens", 0) for c in calls if c["stage"] == "judgement"
    )
    figures = {
        "model": report["model"].get("name"),
        "model_sha256": report["model"].get("model_sha256"),
        "load_seconds": round(load_seconds, 2),
        "article_seconds": round(runs[0]["seconds"], 1),
        "article_seconds_median": round(statistics.median(r["seconds"] for r in runs), 1),
        "calls": len(calls),
        "prompt_tokens": prompt_tokens,
        "prompt_tokens_cached": cached,
        "prompt_tokens_uncached": prompt_tokens - cached,
        "completion_tokens": completion,
        "model_computed_tokens": prompt_tokens - cached + completion,
        "model_computed_tokens_embedding": embed_tokens,
        "prefill_tokens_per_second": speeds["prefill"],
        "decode_tokens_per_second": speeds["decode"],
        "completion_tokens_per_model_second": round(completion / model_seconds, 1)
        if model_seconds
        else None,
        "stage_seconds": {f"{s['stage']}:{s['plugin']}": s["seconds"] for s in report["stages"]},
        "stage_status": {f"{s['stage']}:{s['plugin']}": s["status"] for s in report["stages"]},
        "peak_rss_mb": round(peak_rss_mb()),
    }
    if len(runs) > 1:
        # Issue 14's determinism: every later run of the same article, model and settings
        # gives the first run's summary, claims and findings (the calls' timings may differ).
        first = report_content(runs[0]["report"])
        figures["identical"] = all(report_content(r["report"]) == first for r in runs[1:])
    # Prefill speed from llama.cpp's own timings, which the server returns with each answer.
    prefill = [c for c in calls if c["prompt_tokens"] > c.get("cached_tokens", 0)]
    if prefill:
        figures["uncached_prompt_tokens_per_call"] = round(
            statistics.mean(c["prompt_tokens"] - c.get("cached_tokens", 0) for c in prefill)
        )

    width = max(len(k) for k in figures)
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k:<{width}} {v}")
        else:
            print(f"{key:<{width}} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def report_content(report: dict[str, Any]) -> dict[str, Any]:
    """What an editor reads in a report: its summary, claims and findings, not its timings."""
    return {key: report.get(key) for key in ("summary", "claims", "findings")}


if __name__ == "__main__":
    sys.exit(main())
