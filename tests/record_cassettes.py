"""Re-record every cassette in cassettes/ from the embedded model, over real HTTP.

    python tests/record_cassettes.py            # all of them
    python tests/record_cassettes.py --list     # what would be recorded
    python tests/record_cassettes.py cli/lavrov-pakistan-2021   # just one

Each recording is a real ``copydesk check --record`` run with no key and no endpoint,
so the local provider serves the model named below (pulled first if needed). On this
project's 2-core machines the whole set takes about 3 minutes with Qwen 1.5B.
Review the diff of cassettes/ before committing: answers change when prompts do.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: name -> (article, embedded model, extra arguments to `copydesk check`)
RECORDINGS: dict[str, tuple[str, str, list[str]]] = {
    "cli/lavrov-pakistan-2021": (
        "samples/lavrov-pakistan-2021.txt",
        "qwen2.5-coder-1.5b-instruct",
        [],
    ),
    # the fact-check: an article, the council minutes it was written from, a summary and
    # a headline to check against it (tests/test_evidence_cassette.py replays it)
    "factcheck/harbour-council": (
        "tests/data/factcheck/harbour-article.txt",
        "qwen2.5-coder-1.5b-instruct",
        [
            "--source",
            "tests/data/factcheck/harbour-minutes.txt",
            "--summary",
            "tests/data/factcheck/harbour-summary.txt",
            "--headline",
            "Council approves 24m ferry terminal",
        ],
    ),
}


def record(name: str) -> float:
    article, model, extra = RECORDINGS[name]
    cassette = ROOT / "cassettes" / f"{name}.yaml"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env["COPYDESK_LOCAL_MODEL"] = model
    env["COPYDESK_LOAD_PLUGINS"] = ""  # the built-ins only: no installed plugin's calls
    env.pop("COPYDESK_PROVIDER", None)
    command = [
        sys.executable, "-m", "copydesk", "check", article, "--provider", "local",
        "--record", str(cassette.relative_to(ROOT)), "--format", "json", "--output", os.devnull, *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"recording {name} failed (exit {done.returncode})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="cassettes to record (default: all)")
    parser.add_argument("--list", action="store_true", help="list the cassettes and stop")
    args = parser.parse_args()
    if args.list:
        for name, (article, model, _) in RECORDINGS.items():
            print(f"cassettes/{name}.yaml\t{article}\t{model}")
        return
    for name in args.names or RECORDINGS:
        if name not in RECORDINGS:
            sys.exit(f"no recording named {name!r}; see --list")
        print(f"recording cassettes/{name}.yaml ...", flush=True)
        print(f"  done in {record(name):.0f} s", flush=True)


if __name__ == "__main__":
    main()
