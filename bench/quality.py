"""How well the checkers find what human annotators marked: BABE and BASIL (dev halves).

    python bench/quality.py --babe ../shared/eval/babe_dev.jsonl \\
        --basil ../shared/eval/basil_dev.jsonl [--limit N] [--json OUT]

Prints, for the deterministic checkers alone (on all the data), and on an evenly spaced
sample of ``--limit`` BABE sentences and ``--basil-limit`` BASIL articles for the model
checker alone and for the two merged as copydesk merges them:

- BABE (Spinde et al. 2021), sentence level: precision, recall and macro-F1 of "the
  sentence has a loaded_language finding" against the expert label (null labels skipped),
  and the recall of the annotated biased words (a word counts when a loaded_language
  finding overlaps it);
- BASIL (Fan et al. 2019): recall of the ``lexical`` spans (by a loaded_language finding,
  and by any finding) and of the ``informational`` spans (by any finding), and findings
  per 1,000 words, the noise rate.

The data is read from the paths given and never copied into the project. The model runs
through copydesk's own provider (``--provider``, default the embedded ``local`` model),
one request at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copydesk.components import Checker
from copydesk.errors import ModelError
from copydesk.furniture import strip_furniture
from copydesk.host import Host, load_host
from copydesk.merge import merge_findings
from copydesk.model.providers import choose_provider
from copydesk.model.service import ModelService
from copydesk.pipeline import Pipeline
from copydesk.prompt_library import PromptLibrary
from copydesk.settings import Settings
from copydesk.types import Article, Finding, StageStatus

# running the checkers ---------------------------------------------------------------------


@dataclass
class Outcome:
    """The grounded, merged findings for one item, and how its checkers' stages ended."""

    findings: list[Finding]
    stages: list[StageStatus] = field(default_factory=list)


class Runner:
    """Runs a set of checkers on articles through copydesk's own pipeline (grounding and merge)."""

    def __init__(self, host: Host, checkers: list[Checker], settings: Settings) -> None:
        self.host = host
        self.checkers = checkers
        self.settings = settings
        self.prompts = PromptLibrary(settings.prompts_dirs, host.prompt_dirs)
        self.provider = choose_provider(settings, host.components["provider"])
        capabilities = self.provider.capabilities(settings)
        self.model = ModelService(self.provider, settings.for_provider(capabilities), capabilities)

    def run(self, article: Article) -> Outcome:
        return asyncio.run(self._run(article))

    async def _run(self, article: Article) -> Outcome:
        session = self.model.session()
        pipeline = Pipeline(
            summariser=None,
            extractor=None,
            checkers=self.checkers,
            prompts=self.prompts,
            session=session,
            plugin_of=self.host.owner,
        )
        try:
            result = await pipeline.run(article)
        finally:
            await session.close()
        return Outcome(result.findings, result.stages)

    def close(self) -> None:
        self.model.close()


def prepare(text: str, title: str | None = None) -> Article:
    article = Article(text=text, title=title)
    strip_furniture(article)
    return article


# metrics ---------------------------------------------------------------------------------


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def _f1(p: float | None, r: float | None) -> float:
    if not p or not r:
        return 0.0
    return 2 * p * r / (p + r)


def overlaps(findings: Iterable[Finding], start: int, end: int) -> bool:
    return any(f.target == "article" and f.start < end and start < f.end for f in findings)


def loaded(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.category == "loaded_language"]


def babe_scores(items: Sequence[dict[str, Any]], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    words_total = words_found = 0
    for item, outcome in zip(items, outcomes, strict=True):
        flagged = loaded(outcome.findings)
        biased = item["label"] == 1
        if flagged and biased:
            tp += 1
        elif flagged:
            fp += 1
        elif biased:
            fn += 1
        else:
            tn += 1
        if biased:
            for word in item.get("biased_words") or []:
                spots = [
                    m.span()
                    for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", item["text"], re.I)
                ]
                if not spots:
                    continue
                words_total += 1
                words_found += any(overlaps(flagged, s, e) for s, e in spots)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    precision0, recall0 = _ratio(tn, tn + fn), _ratio(tn, tn + fp)
    macro = (_f1(precision, recall) + _f1(precision0, recall0)) / 2
    return {
        "sentences": len(items),
        "precision": precision,
        "recall": recall,
        "macro_f1": round(macro, 3),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "biased_word_recall": _ratio(words_found, words_total),
        "biased_words": words_total,
    }


def babe_calibration(
    items: Sequence[dict[str, Any]], outcomes: Sequence[Outcome]
) -> dict[str, Any]:
    """Per detector and confidence: how often a sentence so flagged was labelled biased."""
    table: dict[str, list[int]] = {}
    for item, outcome in zip(items, outcomes, strict=True):
        seen: set[str] = set()
        for f in loaded(outcome.findings):
            for detector in f.detectors:
                key = f"{detector}@{f.confidence:.2f}"
                if key not in seen:
                    seen.add(key)
                    row = table.setdefault(key, [0, 0])
                    row[0] += 1
                    row[1] += item["label"] == 1
    return {
        k: {"sentences": n, "labelled_biased": _ratio(b, n)} for k, (n, b) in sorted(table.items())
    }


def basil_scores(items: Sequence[dict[str, Any]], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    lexical = lex_loaded = lex_any = informational = info_any = 0
    n_words = n_findings = n_loaded = 0
    by_category: dict[str, int] = {}
    for item, outcome in zip(items, outcomes, strict=True):
        found = outcome.findings
        n_words += len(item["text"].split())
        n_findings += len(found)
        n_loaded += len(loaded(found))
        for f in found:
            by_category[f.category] = by_category.get(f.category, 0) + 1
        for span in item["spans"]:
            if span.get("field", "text") != "text":
                continue
            start, end = span["start"], span["end"]
            if span["bias_type"] == "lexical":
                lexical += 1
                lex_loaded += overlaps(loaded(found), start, end)
                lex_any += overlaps(found, start, end)
            elif span["bias_type"] == "informational":
                informational += 1
                info_any += overlaps(found, start, end)
    per_k = round(1000 * n_findings / n_words, 2) if n_words else None
    return {
        "articles": len(items),
        "lexical_spans": lexical,
        "lexical_recall_loaded_language": _ratio(lex_loaded, lexical),
        "lexical_recall_any": _ratio(lex_any, lexical),
        "informational_spans": informational,
        "informational_recall_any": _ratio(info_any, informational),
        "findings_per_1000_words": per_k,
        "loaded_language_per_1000_words": round(1000 * n_loaded / n_words, 2) if n_words else None,
        "findings_by_category": dict(sorted(by_category.items())),
    }


# the data --------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def spread(items: Sequence[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` items evenly spaced through ``items``: every topic and outlet gets a share."""
    if n <= 0 or n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


class ModelCache:
    """The model's grounded findings per item, kept in a file so that changing a
    deterministic detector does not mean waiting for the model again. Entries are keyed by
    the data set and item id, and kept only while the check prompt and model are the same."""

    def __init__(self, path: Path | None, model: str) -> None:
        self.path = path
        self.stamp = f"{model}|{_prompt_hash()}"
        self.items: dict[str, Any] = {}
        if path is not None and path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("stamp") == self.stamp:
                self.items = data.get("items", {})

    def get(self, key: str) -> Outcome | None:
        entry = self.items.get(key)
        if entry is None:
            return None
        return Outcome(
            [Finding(**f) for f in entry["findings"]],
            [StageStatus(**s) for s in entry["stages"]],
        )

    def put(self, key: str, outcome: Outcome) -> None:
        self.items[key] = {
            "findings": [f.to_dict() for f in outcome.findings],
            "stages": [s.to_dict() for s in outcome.stages],
        }
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            payload = {"stamp": self.stamp, "items": self.items}
            self.path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def _prompt_hash() -> str:
    from importlib.resources import files

    folder = files("copydesk.prompts")
    text = "".join(folder.joinpath(n).read_text(encoding="utf-8") for n in _PROMPT_FILES)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_PROMPT_FILES = ("_base.j2", "check.j2", "check.schema.json")


def run_all(
    runner: Runner,
    items: Sequence[dict[str, Any]],
    make: Callable[[dict[str, Any]], Article],
    label: str,
    progress: bool,
    cache: ModelCache | None = None,
) -> list[Outcome]:
    out: list[Outcome] = []
    started = time.perf_counter()
    for i, item in enumerate(items, 1):
        key = f"{label}:{item.get('id')}"
        cached = cache.get(key) if cache else None
        outcome = cached or runner.run(make(item))
        if cache and cached is None:
            cache.put(key, outcome)
        out.append(outcome)
        if progress:
            elapsed = time.perf_counter() - started
            note = " (kept from an earlier run)" if cached else ""
            print(
                f"  {label}: {i}/{len(items)} ({elapsed:.0f} s){note}", file=sys.stderr, flush=True
            )
    return out


def merged(a: Sequence[Outcome], b: Sequence[Outcome]) -> list[Outcome]:
    return [
        Outcome(merge_findings([*x.findings, *y.findings]), [*x.stages, *y.stages])
        for x, y in zip(a, b, strict=True)
    ]


def stage_failures(outcomes: Sequence[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        for status in outcome.stages:
            if status.status != "ok":
                key = f"{status.plugin}:{status.status}"
                counts[key] = counts.get(key, 0) + 1
    return counts


# printing --------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def print_babe(title: str, scores: dict[str, Any]) -> None:
    print(
        f"  BABE  {title:<34} n={scores['sentences']:<5} P={_fmt(scores['precision'])}  "
        f"R={_fmt(scores['recall'])}  macro-F1={_fmt(scores['macro_f1'])}  "
        f"biased-word recall={_fmt(scores['biased_word_recall'])} (of {scores['biased_words']})"
    )


def print_basil(title: str, scores: dict[str, Any]) -> None:
    print(
        f"  BASIL {title:<34} n={scores['articles']:<5} "
        f"lexical recall={_fmt(scores['lexical_recall_loaded_language'])} "
        f"(any finding {_fmt(scores['lexical_recall_any'])}, of {scores['lexical_spans']})  "
        f"informational recall={_fmt(scores['informational_recall_any'])} "
        f"(of {scores['informational_spans']})  "
        f"findings/1000 words={_fmt(scores['findings_per_1000_words'])} "
        f"(loaded_language {_fmt(scores['loaded_language_per_1000_words'])})"
    )


# main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--babe", type=Path, required=True, help="BABE jsonl (e.g. babe_dev.jsonl)")
    parser.add_argument("--basil", type=Path, required=True, help="BASIL jsonl (basil_dev.jsonl)")
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="BABE sentences for the model checker and the merge (0: do not run the model)",
    )
    parser.add_argument(
        "--basil-limit", type=int, default=3, help="BASIL articles for the model (with --limit)"
    )
    parser.add_argument("--provider", default="local", help="model provider (default: local)")
    parser.add_argument("--model", default=None, help="model name for the provider")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    parser.add_argument(
        "--model-findings",
        type=Path,
        default=None,
        help="keep the model's findings per item in this file and reuse them on the next run "
        "(while the check prompt and the model are unchanged)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)

    babe = [row for row in read_jsonl(args.babe) if row.get("label") is not None]
    basil = read_jsonl(args.basil)
    host = load_host()
    deterministic = [c for c in host.components["checker"].values() if not c.needs_model]
    # A small model on two cores can take minutes over a long article: wait for it rather
    # than time out and ask again.
    settings = Settings(provider=args.provider, model=args.model, timeout=900.0, max_retries=1)
    det = Runner(host, deterministic, settings)

    def babe_article(row: dict[str, Any]) -> Article:
        return prepare(row["text"])

    def basil_article(row: dict[str, Any]) -> Article:
        return prepare(row["text"], row.get("title"))

    progress = not args.quiet
    report: dict[str, Any] = {"detectors": sorted(c.name for c in deterministic)}
    print(f"deterministic detectors: {', '.join(report['detectors'])}")
    det_babe = run_all(det, babe, babe_article, "deterministic BABE", False)
    det_basil = run_all(det, basil, basil_article, "deterministic BASIL", False)
    report["deterministic"] = {
        "babe": babe_scores(babe, det_babe),
        "babe_calibration": babe_calibration(babe, det_babe),
        "basil": basil_scores(basil, det_basil),
    }
    print("deterministic, all the data:")
    print_babe("deterministic", report["deterministic"]["babe"])
    print_basil("deterministic", report["deterministic"]["basil"])
    print("  BABE  share labelled biased, by detector@confidence of its flags:")
    for key, row in report["deterministic"]["babe_calibration"].items():
        print(f"        {key:<30} {row['labelled_biased']} of {row['sentences']} sentences")

    if args.limit > 0:
        babe_n, basil_n = spread(babe, args.limit), spread(basil, args.basil_limit)
        babe_idx = {id(r): i for i, r in enumerate(babe)}
        basil_idx = {id(r): i for i, r in enumerate(basil)}
        det_babe_n = [det_babe[babe_idx[id(r)]] for r in babe_n]
        det_basil_n = [det_basil[basil_idx[id(r)]] for r in basil_n]
        llm = Runner(host, [host.get("checker", "llm")], settings)
        model_name = args.model or "(the provider's default)"
        try:
            started = time.perf_counter()
            cache = ModelCache(args.model_findings, f"{args.provider}:{model_name}")
            llm_babe = run_all(llm, babe_n, babe_article, "babe", progress, cache)
            llm_basil = run_all(llm, basil_n, basil_article, "basil", progress, cache)
            seconds = round(time.perf_counter() - started, 1)
        except ModelError as exc:
            print(f"the model could not be run: {exc}", file=sys.stderr)
            return 2
        finally:
            llm.close()
        model = llm._endpoint.model if llm._endpoint else model_name
        both_babe, both_basil = merged(det_babe_n, llm_babe), merged(det_basil_n, llm_basil)
        report["sample"] = {
            "model": model,
            "provider": llm.provider.name,
            "model_seconds": seconds,
            "babe_ids": [r.get("id") for r in babe_n],
            "basil_ids": [r.get("id") for r in basil_n],
            "model_stage_failures": stage_failures([*llm_babe, *llm_basil]),
            "deterministic": {
                "babe": babe_scores(babe_n, det_babe_n),
                "basil": basil_scores(basil_n, det_basil_n),
            },
            "llm": {
                "babe": babe_scores(babe_n, llm_babe),
                "basil": basil_scores(basil_n, llm_basil),
            },
            "merged": {
                "babe": babe_scores(babe_n, both_babe),
                "basil": basil_scores(basil_n, both_basil),
            },
        }
        sample = report["sample"]
        print(
            f"sample of {len(babe_n)} BABE sentences and {len(basil_n)} BASIL articles, "
            f"model {model} ({llm.provider.name}), {seconds} s of model time:"
        )
        for name in ("deterministic", "llm", "merged"):
            print_babe(name if name != "llm" else f"model ({model})", sample[name]["babe"])
        for name in ("deterministic", "llm", "merged"):
            print_basil(name if name != "llm" else f"model ({model})", sample[name]["basil"])
        if sample["model_stage_failures"]:
            print(f"  model stages that did not end ok: {sample['model_stage_failures']}")
    else:
        print("model checker: not run (give --limit N to run it on N BABE sentences)")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
