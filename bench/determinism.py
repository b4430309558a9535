"""Are the model-free findings the same from one process to the next?

Checks the unique articles of a labelled data set with ``copydesk batch --no-model`` twice,
in two orders and under two string hash seeds, and compares the findings article by
article, byte for byte. The data stay where they are; pass their paths::

    python bench/determinism.py --frank ../shared/eval/frank_dev.jsonl [--basil ../shared/eval/basil_dev.jsonl]

Prints how many articles were compared and how many differ; exits 1 if any do.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: One process, no response cache: nothing but the detectors themselves can differ.
BATCH_OPTIONS = ("--no-model", "--no-cache", "--processes", "1")


def _articles(frank: Path | None, basil: Path | None) -> list[dict[str, str]]:
    out: dict[str, str] = {}
    if frank:
        for line in frank.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            out.setdefault(f"frank-{r['hash']}", r["article"])
    if basil:
        for n, line in enumerate(basil.read_text(encoding="utf-8").splitlines()):
            r = json.loads(line)
            out.setdefault(f"basil-{r.get('id', n)}", r["text"])
    return [{"id": k, "text": v} for k, v in out.items()]


def _batch(articles: list[dict[str, str]], seed: int, work: Path, name: str) -> dict[str, str]:
    src, dst = work / f"{name}.in.jsonl", work / f"{name}.out.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    subprocess.run(
        [sys.executable, "-m", "copydesk", "batch", str(src), "-o", str(dst), *BATCH_OPTIONS],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found: dict[str, str] = {}
    for line in dst.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        found[row["id"]] = json.dumps(row["report"]["findings"], sort_keys=True)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frank", type=Path, help="FRANK JSONL (its articles are checked)")
    parser.add_argument("--basil", type=Path, help="BASIL JSONL (its texts are checked)")
    parser.add_argument("--seeds", default="1,2", help="two PYTHONHASHSEED values")
    args = parser.parse_args()
    if not (args.frank or args.basil):
        parser.error("give --frank and/or --basil")
    first_seed, second_seed = (int(s) for s in args.seeds.split(","))
    articles = _articles(args.frank, args.basil)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        forward = _batch(articles, first_seed, work, "forward")
        backward = _batch(articles[::-1], second_seed, work, "backward")
    differ = sorted(k for k in forward if forward[k] != backward.get(k))
    findings = sum(len(json.loads(v)) for v in forward.values())
    print(f"articles compared: {len(forward)}  findings: {findings}  differing: {len(differ)}")
    for key in differ[:10]:
        print(f"  differs: {key}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
