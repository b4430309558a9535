"""How well copydesk's findings match what human annotators marked: BABE and BASIL dev.

    pip install -e '.[heads]'
    python bench/quality.py --babe ../shared/eval/babe_dev.jsonl \\
        --basil ../shared/eval/basil_dev.jsonl [--babe-limit N] [--basil-limit N] \\
        [--no-llm-checker | --no-model-only] [--model-findings FILE] [--threads 2] [--json OUT]

Two configurations on the same evenly spaced samples (``--babe-limit`` BABE sentences,
``--basil-limit`` BASIL articles; 0: all):

- ``no_model``: what ``copydesk check --no-model`` runs, the deterministic checkers;
- ``default``: what ``copydesk check`` runs by default on the embedded model for these
  categories: the deterministic checkers, the judgement heads and the model checker
  (``llm``, without a summary: its loaded_language findings do not use one), merged as
  copydesk merges them. ``--no-llm-checker`` leaves the model checker out (the JSON says
  which checkers ran), for a run on all the data in minutes rather than a day.

The judgement checker gets its embeddings from bench/heads_embed.py's cache (computing
what is missing with the embedded model), through a stand-in for ``ctx.embed``, since the
model-access API that gives checkers ``ctx.embed`` is not on every copydesk yet; its
findings are grounded and merged exactly as the host does (bench/quality_runs.py). On BABE
the heads are fitted in topic folds, each sentence judged by heads that never saw its
topic: BABE is the in-set figure, held out. On BASIL the shipped heads, fitted on all of
BABE dev, judge unchanged: the cross-set figure.

Keys (``--json OUT``): ``default.babe.{macro_f1,auc,precision,recall}``,
``default.basil.{sentence_auc,sentence_macro_f1,lexical_recall,findings_per_1000_words}``,
the same under ``no_model``, and per-category reliability tables under
``*.reliability.{babe,basil}``; bench/quality_scores.py defines each. The data is read from
the paths given and never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from heads_data import babe_sentences, read_jsonl, spread
from heads_embed import embedded
from quality_runs import DeskRun, ModelCache, babe_fold_heads, run_heads, run_model
from quality_scores import (
    babe_reliability,
    babe_scores,
    basil_scores,
    by_category,
    pick_breakdown,
    prepare,
)

from copydesk.host import load_host
from copydesk.merge import merge_findings
from copydesk.plugins.heads.head_file import EmbeddingSpace
from copydesk.settings import Settings
from copydesk.types import Finding

MODEL = "qwen2.5-coder-1.5b-instruct"


def _fmt(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def print_row(title: str, babe: dict[str, Any], basil: dict[str, Any]) -> None:
    print(
        f"  {title:<10} BABE macro-F1 {_fmt(babe['macro_f1'])} AUC {_fmt(babe['auc'])} "
        f"P {_fmt(babe['precision'])} R {_fmt(babe['recall'])} | BASIL sentence AUC "
        f"{_fmt(basil['sentence_auc'])} macro-F1 {_fmt(basil['sentence_macro_f1'])} lexical "
        f"recall {_fmt(basil['lexical_recall'])} findings/1000w "
        f"{_fmt(basil['findings_per_1000_words'])}"
    )


def print_reliability(name: str, tables: dict[str, Any]) -> None:
    for data, per_category in tables.items():
        for category, t in per_category.items():
            if not t["findings"]:
                continue
            print(
                f"  {name} {data} {category}: {t['findings']} findings, right "
                f"{_fmt(t['share_right'])} ({t['right_when']}); ECE "
                f"{_fmt(t['expected_calibration_error'])}"
            )
            for row in t["rows"]:
                print(
                    f"      confidence {row['bin']}: n={row['n']:<5} mean "
                    f"{row['mean_confidence']:.3f}  right {row['share_right']:.3f}"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--babe", type=Path, required=True, help="BABE jsonl (babe_dev.jsonl)")
    parser.add_argument("--basil", type=Path, required=True, help="BASIL jsonl (basil_dev.jsonl)")
    parser.add_argument("--babe-limit", type=int, default=0, help="evenly spaced (0: all)")
    parser.add_argument("--basil-limit", type=int, default=0, help="evenly spaced (0: all)")
    parser.add_argument("--no-llm-checker", action="store_true", help="leave the model checker out")
    parser.add_argument(
        "--no-model-only",
        action="store_true",
        help="the no_model configuration alone (no embeddings, no model): its figures and tables",
    )
    parser.add_argument(
        "--model-findings", type=Path, default=None, help="keep model findings here"
    )
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads (embeddings)")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    args = parser.parse_args(argv)

    babe_all = [row for row in read_jsonl(args.babe) if row.get("label") is not None]
    babe, basil = (
        spread(babe_all, args.babe_limit),
        spread(read_jsonl(args.basil), args.basil_limit),
    )
    host = load_host()
    det = sorted(c.name for c in host.components["checker"].values() if not c.needs_model)
    settings = Settings(provider="local", timeout=900.0, max_retries=1)
    report: dict[str, Any] = {
        "samples": {"babe": len(babe), "babe_of": len(babe_all), "basil": len(basil)},
    }

    no_model = DeskRun(host, settings, det, use_model=False)
    det_babe = [no_model.run(prepare(r["text"])) for r in babe]
    det_basil = [no_model.run(prepare(r["text"], r.get("title"))) for r in basil]
    report["no_model"] = {
        "checkers": det,
        "babe": babe_scores(babe, det_babe),
        "basil": basil_scores(basil, det_basil),
        "reliability": {"babe": babe_reliability(babe, det_babe)},
    }
    report["no_model"]["reliability"]["basil"] = report["no_model"]["basil"].pop("reliability")
    if args.no_model_only:
        print(f"BABE: {len(babe)} of {len(babe_all)} sentences; BASIL: {len(basil)} articles")
        print_row("no_model", report["no_model"]["babe"], report["no_model"]["basil"])
        print_reliability("no_model", report["no_model"]["reliability"])
        write(args.json, report)
        return 0

    # The heads: on BABE, fold heads that never saw the sentence's topic.
    os.environ["COPYDESK_HEADS_DIR"] = tempfile.mkdtemp(prefix="no-user-heads-")
    embedder = embedded(MODEL, args.threads)
    started = time.perf_counter()
    sentences = babe_sentences(args.babe)
    x = np.array([r.vector for r in embedder.embed([s.text for s in sentences], "babe")])
    model = embedder.model
    space = EmbeddingSpace(model.name, model.sha256, model.pooling, x.shape[1])
    folds = Path(tempfile.mkdtemp(prefix="babe-fold-heads-"))
    fold_of_text = dict(
        zip((s.text for s in sentences), babe_fold_heads(sentences, x, space, folds), strict=True)
    )
    heads_babe = [
        run_heads(prepare(r["text"]), embedder, [folds / f"fold{fold_of_text[r['text']]}"])
        for r in babe
    ]
    heads_basil = [run_heads(prepare(r["text"], r.get("title")), embedder) for r in basil]
    embedder.close()
    report["heads_run"] = {
        "embedding_model": model.name,
        "embedding_sha256": model.sha256,
        "tokens_computed_this_run": embedder.computed_tokens,
        "seconds": round(time.perf_counter() - started, 1),
    }

    checkers = [*det, "judgement"]
    llm_babe: list[list[Finding]] = [[] for _ in babe]
    llm_basil: list[list[Finding]] = [[] for _ in basil]
    if not args.no_llm_checker:
        checkers.append("llm")
        run = DeskRun(host, settings, ["llm"], use_model=True)
        cache = ModelCache(
            args.model_findings, f"local:{run.desk.provider.name}:{run.desk.settings.model}"
        )
        try:
            llm_babe = run_model(run, cache, babe, lambda r: prepare(r["text"]), "babe")
            llm_basil = run_model(
                run, cache, basil, lambda r: prepare(r["text"], r.get("title")), "basil"
            )
        finally:
            run.close()
        report["model_stage_failures"] = run.failures

    def merged(*parts: list[list[Finding]]) -> list[list[Finding]]:
        return [merge_findings([f for p in item for f in p]) for item in zip(*parts, strict=True)]

    all_babe = merged(det_babe, heads_babe, llm_babe)
    all_basil = merged(det_basil, heads_basil, llm_basil)
    report["default"] = {
        "checkers": checkers,
        "babe": babe_scores(babe, all_babe),
        "basil": basil_scores(basil, all_basil),
        "reliability": {"babe": babe_reliability(babe, all_babe)},
        "findings_by_category": {"babe": by_category(all_babe), "basil": by_category(all_basil)},
        "judgement_picks": {
            "babe": pick_breakdown(babe, heads_babe, "babe"),
            "basil": pick_breakdown(basil, heads_basil, "basil"),
        },
    }
    report["default"]["reliability"]["basil"] = report["default"]["basil"].pop("reliability")

    print(
        f"BABE: {len(babe)} of {len(babe_all)} sentences (in-set: heads fitted on other topics); "
        f"BASIL: {len(basil)} articles (cross-set: heads fitted on all of BABE dev)"
    )
    print_row("no_model", report["no_model"]["babe"], report["no_model"]["basil"])
    print_row("default", report["default"]["babe"], report["default"]["basil"])
    print(f"  default checkers: {', '.join(checkers)}")
    for data, picks in report["default"]["judgement_picks"].items():
        for kind, row in picks.items():
            print(
                f"  judgement {data} {kind}: {row['findings']} findings, right {row['share_right']}"
            )
    print_reliability("no_model", report["no_model"]["reliability"])
    print_reliability("default", report["default"]["reliability"])
    write(args.json, report)
    return 0


def write(path: Path | None, report: dict[str, Any]) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
