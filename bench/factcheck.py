"""How well copydesk tells faithful summaries from unfaithful ones: FRANK (dev half).

    nice -n 10 python bench/factcheck.py --frank ../shared/eval/frank_dev.jsonl \\
        [--limit N] [--model [--model-limit M]] [--json OUT] [--tune]

For each FRANK record (Pagnoni et al. 2021) the machine summary is checked against the
news article exactly as ``copydesk check ARTICLE --summary SUMMARY`` checks it: through
the desk (:class:`copydesk.runner.Copydesk`), the article its only evidence, with no
summariser and no claim extractor. The summary counts as unfaithful when the report has
a ``contradicted_claim``, ``misquote`` or ``unsupported_claim`` on it. The score is
balanced accuracy against FRANK's label (0: some sentence has a factual error), for
CNN/DM and XSum (``bbc``) apart, since pooled figures flatter, and by summariser ``era``.

Three runs of the desk, each with its own checkers:

- ``no_model``: ``quotations`` and ``claim-figures`` (numbers, dates, names and wording
  against the article; :mod:`copydesk.plugins.evidence.figure_check`);
- ``model_only``: ``claim-llm``, the model's verdicts (``verify_claims``);
- ``merged``: all three, their verdicts merged by the host as in any run. Its model calls
  are the model-only run's, answered again from the response cache.

``--model`` runs the model on a sample of ``--model-limit`` records per data set, half of
them faithful (:func:`balanced_sample`; the embedded model on 2 shared cores takes a
minute a summary), with each sentence's verdicts and each call in the JSON; the no-model
figures are printed for that sample too. Next to them, the issue's floor: the share of the
summary's content words absent from the article, flagged above a threshold tuned on each
data set apart. ``--tune`` prints the grid the model-free defaults were chosen from (dev
half only). The data is read from the path given and never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copydesk.host import Host, load_host
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.types import Article, GivenText

sys.path.insert(0, str(Path(__file__).resolve().parent))
from factcheck_tune import tune

CATEGORIES = {"contradicted_claim", "misquote", "unsupported_claim"}
CHECKERS = {
    "no_model": ["quotations", "claim-figures"],
    "model_only": ["claim-llm"],
    "merged": ["quotations", "claim-figures", "claim-llm"],
}


@dataclass
class Outcome:
    flagged: bool
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0
    #: seconds the model spent answering (cached answers cost none)
    model_seconds: float = 0.0
    failed: bool = False
    #: each sentence's verdict and each model call, for error analysis (``--json``)
    detail: dict[str, Any] = field(default_factory=dict)


def detokenise(text: str) -> str:
    """FRANK ships most summaries tokenised as the PTB tokeniser leaves them ("it 's",
    "-lrb-", " ,"): put the text back together so that words and figures read as prose.
    Two more marks of how FRANK stores them: XSum's sentences keep their quotes escaped
    (``scotland\\'s``), and CNN/DM's preprocessing wrote the pound sign as ``#``
    ("# 100,000", where the article has "£100,000")."""
    text = text.replace("\\'", "'").replace('\\"', '"')
    text = re.sub(r"#\s?(?=\d)", "£", text)
    for token, bracket in (("lrb", "("), ("rrb", ")"), ("lsb", "["), ("rsb", "]")):
        text = re.sub(rf"-{token}-", bracket, text, flags=re.I)
    text = re.sub(r" (['’](?:s|re|ve|ll|d|m)|n't)\b", r"\1", text)
    text = re.sub(r"``\s*|''", '"', text)
    return (
        re.sub(r" ([,.;:!?%)\]])", r"\1", text)
        .replace("( ", "(")
        .replace("[ ", "[")
        .replace("$ ", "$")
    )


def summary_text(record: dict[str, Any]) -> str:
    sentences = record.get("summary_sentences") or [record["summary"]]
    # one a paragraph: FRANK gives the boundaries, and a lower-cased sentence opens none
    return "\n\n".join(detokenise(s).strip() for s in sentences)


def make_desk(mode: str, host: Host | None = None, settings: Settings | None = None) -> Copydesk:
    """A desk that runs the checkers of ``mode`` on a given summary, nothing else."""
    from copydesk.cache import cache_for

    settings = settings or Settings.resolve()
    return Copydesk(
        settings,
        host or load_host(),
        summariser=None,
        extractor=None,
        checkers=CHECKERS[mode],
        use_model=mode != "no_model",
        cache=cache_for(settings),
    )


def check(desk: Copydesk, record: dict[str, Any]) -> Outcome:
    """The desk's verdict on one record's summary."""
    t0 = time.perf_counter()
    given = GivenText("given_summary", summary_text(record), "summary")
    result = desk.check(Article(text=record["article"]), [given])
    seconds = time.perf_counter() - t0
    flagged = any(f.target == "given_summary" and f.category in CATEGORIES for f in result.findings)
    asked = [c for c in result.calls if c.status != "cached"]
    statements = [s for g in result.given for s in g.statements]
    detail = {
        "flagged": flagged,
        "statements": [
            {
                "sentence": s.quote,
                "verdict": s.verification.verdict if s.verification else None,
                "detectors": s.verification.detectors if s.verification else [],
                "explanation": s.verification.explanation if s.verification else "",
            }
            for s in statements
        ],
        "findings": sorted(
            f.category for f in result.findings if f.target == "given_summary"
        ),
        "calls": [
            {
                k: getattr(c, k)
                for k in ("status", "attempts", "retries", "prompt_tokens",
                          "completion_tokens", "seconds", "finish_reason")
            }
            for c in result.calls
        ],
    }  # fmt: skip
    return Outcome(
        flagged,
        calls=len(asked),
        tokens=sum(c.prompt_tokens + c.completion_tokens for c in asked),
        seconds=seconds,
        model_seconds=sum(c.seconds for c in asked),
        failed=any(s.status != "ok" for s in result.stages if s.stage == "checker"),
        detail=detail,
    )


# the baseline ---------------------------------------------------------------------------


def content_words(text: str) -> list[str]:
    from copydesk.plugins.text_helpers import FUNCTION_WORDS, words

    return [w.lower for w in words(text) if w.lower not in FUNCTION_WORDS and not w.lower.isdigit()]


def absent_share(summary: str, article: str) -> float:
    """The issue's baseline: the share of the summary's content words the article lacks."""
    have = set(content_words(article))
    mine = content_words(summary)
    return sum(w not in have for w in mine) / len(mine) if mine else 0.0


# scoring --------------------------------------------------------------------------------


def balanced_accuracy(labels: Sequence[int], flags: Sequence[bool]) -> float | None:
    """Mean of the recall of unfaithful summaries (label 0, flagged) and of faithful ones
    (label 1, not flagged); ``None`` when one class is absent."""
    bad = [f for y, f in zip(labels, flags, strict=True) if y == 0]
    good = [not f for y, f in zip(labels, flags, strict=True) if y == 1]
    if not bad or not good:
        return None
    return (sum(bad) / len(bad) + sum(good) / len(good)) / 2


def best_threshold(labels: Sequence[int], scores: Sequence[float]) -> tuple[float, float]:
    """The threshold on ``scores`` (flag when above) with the best balanced accuracy."""
    best = (0.0, -1.0)
    for t in sorted({0.0, *scores}):
        ba = balanced_accuracy(labels, [s > t for s in scores])
        if ba is None:
            return best
        if ba > best[1]:
            best = (t, ba)
    return best


def groups(records: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    """Record indices by data set, and by data set and era ("cnndm/OLD")."""
    out: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        out.setdefault(r["dataset"], []).append(i)
        out.setdefault(f"{r['dataset']}/{r['era']}", []).append(i)
    return dict(sorted(out.items()))


def score(
    records: Sequence[dict[str, Any]], flag: Callable[[int], bool]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, idx in groups(records).items():
        labels = [records[i]["label"] for i in idx]
        flags = [flag(i) for i in idx]
        out[name] = {
            "balanced_accuracy": balanced_accuracy(labels, flags),
            "n": len(idx),
            "unfaithful": labels.count(0),
            "flagged": sum(flags),
            # the two recalls balanced accuracy averages
            "unfaithful_flagged": sum(f for y, f in zip(labels, flags, strict=True) if y == 0),
            "faithful_flagged": sum(f for y, f in zip(labels, flags, strict=True) if y == 1),
        }
    return out


def sample(records: list[dict[str, Any]], per_dataset: int | None) -> list[dict[str, Any]]:
    """An evenly spaced sample of ``per_dataset`` records of each data set, in file order."""
    if not per_dataset:
        return records
    keep: set[int] = set()
    for name, idx in groups(records).items():
        if "/" not in name and per_dataset < len(idx):
            step = len(idx) / per_dataset
            keep.update(idx[int(i * step)] for i in range(per_dataset))
        elif "/" not in name:
            keep.update(idx)
    return [r for i, r in enumerate(records) if i in keep]


def balanced_sample(records: list[dict[str, Any]], per_dataset: int | None) -> list[dict[str, Any]]:
    """As :func:`sample`, but half of each data set's ``per_dataset`` faithful and half
    unfaithful (where there are enough): XSum has 26 faithful summaries in 296, and an
    evenly spaced sample of a few dozen would hold two or three, too few to measure the
    recall balanced accuracy averages. Balanced accuracy does not depend on the classes'
    shares, so the figure estimates the same thing. Doubling ``per_dataset`` keeps every
    record of the smaller sample (its responses are cached)."""
    if not per_dataset:
        return records
    keep: set[int] = set()
    for dataset in {r["dataset"] for r in records}:
        for label in (0, 1):
            idx = [
                i for i, r in enumerate(records) if r["dataset"] == dataset and r["label"] == label
            ]
            want = min(len(idx), per_dataset // 2 + (label == 0 and per_dataset % 2))
            if want:
                step = len(idx) / want
                keep.update(idx[int(i * step)] for i in range(want))
    return [r for i, r in enumerate(records) if i in keep]


def costs(outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = max(1, len(outcomes))
    return {
        "summaries": len(outcomes),
        "model_calls_per_summary": sum(o.calls for o in outcomes) / n,
        "tokens_per_summary": sum(o.tokens for o in outcomes) / n,
        "seconds_per_summary": sum(o.seconds for o in outcomes) / n,
        "model_seconds_per_summary": sum(o.model_seconds for o in outcomes) / n,
        "failed_runs": sum(o.failed for o in outcomes),
    }


def run_mode(
    mode: str, records: Sequence[dict[str, Any]], desk_for: Callable[[str], Copydesk]
) -> list[Outcome]:
    desk = desk_for(mode)
    try:
        out = []
        for n, r in enumerate(records, 1):
            out.append(check(desk, r))
            if mode != "no_model":
                print(f"  {mode} {n}/{len(records)}", file=sys.stderr, flush=True)
        return out
    finally:
        desk.close()


def evaluate(
    records: list[dict[str, Any]],
    *,
    model_records: list[dict[str, Any]] | None = None,
    desk_for: Callable[[str], Copydesk] = make_desk,
) -> dict[str, Any]:
    """Every figure of the bench (see the module) as one JSON-ready dict."""
    report: dict[str, Any] = {"summaries": len(records)}
    outcomes = run_mode("no_model", records, desk_for)
    report["no_model"] = score(records, lambda i: outcomes[i].flagged)
    report["no_model_cost"] = costs(outcomes)
    report["baseline_absent_content_words"] = baseline(records)
    if model_records:
        report["model_sample"] = len(model_records)
        model_outcomes: dict[str, list[Outcome]] = {}
        for mode in ("model_only", "merged"):
            got = model_outcomes[mode] = run_mode(mode, model_records, desk_for)
            report[mode] = score(model_records, lambda i, got=got: got[i].flagged)
            report[f"{mode}_cost"] = costs(got)
        at = {id(r): i for i, r in enumerate(records)}
        report["no_model_on_sample"] = score(
            model_records, lambda i: outcomes[at[id(model_records[i])]].flagged
        )
        report["baseline_on_sample"] = baseline(model_records)
        report["records"] = [
            {
                "index": at[id(r)],
                **{k: r[k] for k in ("dataset", "era", "label", "model_name")},
                "no_model": outcomes[at[id(r)]].detail,
                "model_only": model_outcomes["model_only"][i].detail,
                "merged": model_outcomes["merged"][i].detail,
            }
            for i, r in enumerate(model_records)
        ]
    return report


def baseline(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The baseline, its threshold tuned on each data set and applied to its eras."""
    shares = [absent_share(r["summary"], r["article"]) for r in records]  # as FRANK ships it
    thresholds = {
        name: best_threshold([records[i]["label"] for i in idx], [shares[i] for i in idx])[0]
        for name, idx in groups(records).items()
        if "/" not in name
    }
    out = score(records, lambda i: shares[i] > thresholds[records[i]["dataset"]])
    for name, row in out.items():
        row["threshold"] = thresholds[name.split("/")[0]]
    return out


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def print_report(report: dict[str, Any]) -> None:
    cost = report["no_model_cost"]
    print(
        f"FRANK dev, {report['summaries']} summaries; no model: "
        f"{cost['seconds_per_summary']:.3f} s a summary"
    )
    print(f"{'':<16}{'n':>5}{'no_model':>10}{'baseline':>10}  (threshold)")
    for name, row in report["no_model"].items():
        base = report["baseline_absent_content_words"][name]
        print(
            f"{name:<16}{row['n']:>5}{_fmt(row['balanced_accuracy']):>10}"
            f"{_fmt(base['balanced_accuracy']):>10}  ({base['threshold']:.3f})"
        )
    if "model_only" not in report:
        return
    print(f"\nthe model's sample, {report['model_sample']} summaries:")
    print(f"{'':<16}{'n':>5}{'no_model':>10}{'model':>10}{'merged':>10}{'baseline':>10}")
    for name, row in report["merged"].items():
        print(
            f"{name:<16}{row['n']:>5}"
            f"{_fmt(report['no_model_on_sample'][name]['balanced_accuracy']):>10}"
            f"{_fmt(report['model_only'][name]['balanced_accuracy']):>10}"
            f"{_fmt(row['balanced_accuracy']):>10}"
            f"{_fmt(report['baseline_on_sample'][name]['balanced_accuracy']):>10}"
        )
    for mode in ("model_only", "merged"):
        c = report[f"{mode}_cost"]
        print(
            f"{mode}: {c['model_calls_per_summary']:.2f} model calls, "
            f"{c['tokens_per_summary']:.0f} tokens, {c['seconds_per_summary']:.1f} s "
            f"({c['model_seconds_per_summary']:.1f} s in the model) a summary; "
            f"{c['failed_runs']} runs with a failed checker"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frank", type=Path, required=True, help="frank_dev.jsonl")
    parser.add_argument("--limit", type=int, help="an evenly spaced sample of N per data set")
    parser.add_argument("--model", action="store_true", help="run the model too")
    parser.add_argument(
        "--model-limit",
        type=int,
        default=40,
        help="the model's sample, per data set, half faithful and half not",
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--tune", action="store_true", help="print the dev-half grid")
    args = parser.parse_args(argv)
    lines = args.frank.read_text(encoding="utf-8").splitlines()
    records = sample([json.loads(line) for line in lines if line.strip()], args.limit)
    if args.tune:
        tune(records, summary_text, balanced_accuracy)
    model_records = balanced_sample(records, args.model_limit) if args.model else None
    report = evaluate(records, model_records=model_records)
    report["data"] = args.frank.name
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
