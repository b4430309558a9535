"""Record tests/cassettes/harbour-bridge.yaml: real answers of copydesk's embedded model.

    python tests/record.py

Run it from examples/copydesk-anonymous-sources, with copydesk's embedded model available
(``pip install 'copydesk[local]'``; the model is pulled into ``$COPYDESK_MODELS_DIR``, or
the user cache folder, on first use: about 1.1 GB). On 2 cores it takes a few minutes.

It runs the whole pipeline once on tests/data/harbour-bridge.txt with this plugin's two
checkers, through ``copydesk.testing.run(..., record=True)``: every model call (the
built-in summary and claims, and this plugin's ``anonymous_sources`` prompt) goes over
real HTTP to llama.cpp's server and is written to the cassette with its provenance.
tests/test_replay.py replays it with no model and no network.

The plugin need not be installed: the script lets copydesk load it from this folder, for
this process only, so recording never changes a shared environment. Re-record whenever
the prompt template or its schema changes (tests/test_replay.py says when), and read the
cassette's diff before committing: the answers are the model's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # copydesk itself depends on tomli there
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ARTICLE = HERE / "data" / "harbour-bridge.txt"
CASSETTE = HERE / "cassettes" / "harbour-bridge.yaml"
CHECKERS = ["anonymous-sources", "anonymous-sources-llm"]
#: copydesk's default embedded model: small enough for CI's 2 cores.
MODEL = "qwen2.5-coder-1.5b-instruct"


def make_plugin_loadable(folder: Path) -> None:
    """Let copydesk load this plugin from its entry point, installed or not: a dist-info
    as pip would write it, first on ``sys.path``, with the package's ``src/`` after it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = folder / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    entries = project["entry-points"]["copydesk"]
    (info / "entry_points.txt").write_text(
        "[copydesk]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items())
    )
    sys.path[:0] = [str(folder), str(ROOT / "src")]
    # Only this plugin and the built-ins: the cassette holds no other plugin's calls.
    os.environ["COPYDESK_LOAD_PLUGINS"] = project["name"]


def main() -> None:
    from copydesk.testing import run

    with tempfile.TemporaryDirectory() as folder:
        make_plugin_loadable(Path(folder))
        print(f"recording {CASSETTE.relative_to(ROOT)} from {MODEL} ...", flush=True)
        started = time.perf_counter()
        report = run(
            ARTICLE,
            cassette=CASSETTE,
            record=True,
            checkers=CHECKERS,
            provider="local",
            model=MODEL,  # the embedded provider sets its own long time-out and no retries
        )
    print(f"done in {time.perf_counter() - started:.0f} s", flush=True)
    for stage in report["stages"]:
        print(f"  {stage['stage']} {stage['plugin']}: {stage['status']} {stage['reason']}")
    for finding in report["findings"]:
        if finding["category"] == "anonymous_source":
            print(f"  {finding['confidence']:.2f} {finding['detectors']} {finding['quote']!r}")
    failed = [s for s in report["stages"] if s["status"] in ("failed", "unparseable")]
    if failed:
        sys.exit("a stage failed: the cassette was written, but check it before committing it")


if __name__ == "__main__":
    main()
