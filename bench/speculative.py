"""n-gram speculative decoding on the embedded model: is it faster, and are the answers the same?

    python bench/speculative.py [CASSETTE] [--rounds 2] [--json OUT]

Two llama.cpp servers in this process, the embedded model's settings as copydesk starts
it (plugins/local/server.py ``_params``), one with n-gram drafts and one without, get the
chat requests recorded in a cassette (by default the sample's check,
cassettes/cli/lavrov-pakistan-2021.yaml), interleaved request by request and round by round,
so both see the same machine load. It prints each answer's wall seconds, decode rate,
drafts accepted and a hash of the answer, then the totals and their ratios to the baseline
(without drafts). The prompt cache is off, so every round computes the whole prompt.
Needs the model pulled (copydesk models pull) and a quiet machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx  # what the openai client is built on here
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASSETTE = ROOT / "cassettes" / "cli" / "lavrov-pakistan-2021.yaml"


def recorded_requests(cassette: Path) -> list[dict[str, Any]]:
    """The chat-completion request bodies a cassette holds, in order."""
    data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    bodies = []
    for item in data["interactions"]:
        request = item["request"]
        if not request["uri"].endswith("/chat/completions"):
            continue
        body = request["body"]
        body = body if isinstance(body, str) else body["string"]
        bodies.append(json.loads(body))
    return bodies


def start(model_name: str, speculate: bool) -> tuple[Any, str]:
    """A server as copydesk starts it, with or without n-gram drafts; (handle, chat URL)."""
    from copydesk.plugins.local.catalogue import load_catalogue
    from copydesk.plugins.local.pull import model_path
    from copydesk.plugins.local.server import (
        ServerConfig,
        _params,
        available_threads,
        require_xllamacpp,
    )

    entry = load_catalogue().get(model_name)
    xllamacpp = require_xllamacpp()
    config = ServerConfig(
        model_path=model_path(entry),
        model_name=model_name,
        model_sha256=entry.sha256,
        n_ctx=8192,
        seed=42,
        threads=available_threads(),
    )
    params = _params(xllamacpp, config)
    if not speculate:
        params.speculative.types = [xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NONE]
    handle = xllamacpp.Server(params)
    return handle, f"{handle.listening_address}/v1/chat/completions"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cassette", nargs="?", type=Path, default=DEFAULT_CASSETTE)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    bodies = recorded_requests(args.cassette)
    if not bodies:
        print(f"{args.cassette} holds no chat request", file=sys.stderr)
        return 2
    model = bodies[0]["model"]
    modes = {"without": False, "ngram": True}
    servers = {name: start(model, on) for name, on in modes.items()}
    rows: list[dict[str, Any]] = []
    for round_no in range(args.rounds):
        for k, body in enumerate(bodies):
            for name in modes:
                request = dict(body, cache_prompt=False)
                began = time.perf_counter()
                answer = httpx.post(servers[name][1], json=request, timeout=1800).json()
                wall = time.perf_counter() - began
                timings = answer.get("timings", {})
                content = answer["choices"][0]["message"]["content"]
                row = {
                    "round": round_no,
                    "request": k,
                    "mode": name,
                    "wall_s": round(wall, 2),
                    "decode_s": round(timings.get("predicted_ms", 0.0) / 1000, 2),
                    "tokens": timings.get("predicted_n"),
                    "drafted": timings.get("draft_n"),
                    "accepted": timings.get("draft_n_accepted"),
                    "answer_sha1": hashlib.sha1(content.encode()).hexdigest()[:12],
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    totals = {}
    for name in modes:
        mine = [r for r in rows if r["mode"] == name]
        totals[name] = {
            "wall_s": round(sum(r["wall_s"] for r in mine), 1),
            "decode_s": round(sum(r["decode_s"] for r in mine), 1),
        }
    base = totals["without"]
    same = all(
        len({r["answer_sha1"] for r in rows if r["request"] == k}) == 1 for k in range(len(bodies))
    )
    figures = {
        "cassette": str(args.cassette),
        "rounds": args.rounds,
        "totals": totals,
        "wall_ratio": round(totals["ngram"]["wall_s"] / base["wall_s"], 3),
        "decode_ratio": round(totals["ngram"]["decode_s"] / base["decode_s"], 3),
        "answers_identical": same,
        "rows": rows,
    }
    print(
        f"ngram vs without: wall {figures['wall_ratio']}x, decode {figures['decode_ratio']}x; "
        f"answers identical: {same}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
