"""Judgement heads: fitted on BABE dev, measured on BABE (held-out topics and outlets) and,
unchanged, on BASIL dev; the shipped head files and their NOTICE written from them.

    pip install -e '.[heads]'   # numpy, for fitting only; applying a head needs nothing
    python bench/heads.py --babe ../shared/eval/babe_dev.jsonl \\
        --basil ../shared/eval/basil_dev.jsonl [--basil-articles 0] [--threads 2] \\
        [--base-url URL --model NAME] [--cached-only] [--compare-sklearn] \\
        [--json OUT] [--write-heads plugins/heads]

Embeds every labelled BABE dev sentence and every sentence of ``--basil-articles`` evenly
spaced BASIL dev articles (0: all) through the embedded model (``--threads``) or any
OpenAI-compatible endpoint, caching them under ~/.cache/copydesk/heads (bench/heads_embed.py),
then per head (BABE ``label``: loaded_language; ``label_opinion``: opinion stated as fact):

- ``in_set``: 5 folds by topic (a topic's sentences all in one fold; BABE's two spellings
  of a topic are one). Each held-out fold is scored by a head whose L2 strength,
  calibration and threshold were chosen on the other folds only (by inner topic folds).
- ``by_outlet``: three outlet groups, each mixing left, right and centre: fit on two,
  judge the third. A head that learned outlets rather than wording falls here.
- ``stratified``: plain stratified 5-fold, the scheme of the earlier trial and of the
  issue's 0.77, to compare (it lets a topic be on both sides).
- ``cross_set`` (loaded_language): the head fitted on all of BABE dev, unchanged, on BASIL
  sentences (label: the sentence overlaps a ``lexical`` span) at its BABE threshold.
- ``baseline``: copydesk's lexicon detector (no model) on the same sentences, a sentence
  scored by its highest loaded_language confidence and flagged when it has a finding.

The data is read from the paths given and never copied into the project; a head file
holds weights only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from heads_data import Sentence, babe_sentences, basil_sentences, opinion_label
from heads_embed import Embedder, open_embedder

from copydesk.plugins.heads.fitting import (
    Fitted,
    cross_validate,
    fit_head,
    grouped_splits,
    stratified_splits,
)
from copydesk.plugins.heads.measures import at_threshold, reliability
from copydesk.plugins.loaded_language import _finding, find_loaded_words
from copydesk.types import Article

DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"
SEED = 14
#: Outlet groups for the by-outlet split: each mixes left, right and centre outlets and
#: holds about a third of BABE dev, so no group is one side's voice.
OUTLET_GROUPS = (
    ("Breitbart", "MSNBC", "Daily Beast", "New York Times"),
    ("Alternet", "Fox News", "USA Today", "Daily Stormer"),
    ("Reuters", "Federalist", "HuffPost"),
)


# the no-model baseline ---------------------------------------------------------------------


def lexicon_scores(sentences: list[Sentence]) -> np.ndarray:
    """Per sentence, its highest loaded_language confidence from the lexicon detector (0
    without a finding). BASIL sentences are scored within their article, as a check runs."""
    scores = np.zeros(len(sentences))
    by_article: dict[int, list[Any]] = {}
    for i, s in enumerate(sentences):
        article = s.article or Article(text=s.text)
        key = id(s.article) if s.article else -1
        hits = by_article.get(key) if key != -1 else None
        if hits is None:
            hits = find_loaded_words(article)
            if key != -1:
                by_article[key] = hits
        if s.span is not None:
            hits = [h for h in hits if h.phrase.start < s.span.end and s.span.start < h.phrase.end]
        scores[i] = max((float(_finding(article.text, h).confidence) for h in hits), default=0.0)
    return scores


def baseline(scores: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The lexicon as copydesk uses it: any finding flags the sentence."""
    out = at_threshold(y, scores, 1e-9)
    out["reliability"] = reliability(y[scores > 0], scores[scores > 0])
    return out


# the heads ---------------------------------------------------------------------------------


def _line(m: dict[str, Any]) -> str:
    return (
        f"macro-F1={m['macro_f1']:.3f} AUC={m['auc']:.3f} P={m['precision']:.3f} "
        f"R={m['recall']:.3f} flagged={m['flagged_share']:.3f} n={m['n']}"
    )


def evaluate(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    babe: list[Sentence],
    log: Callable[[str], None],
) -> tuple[Fitted, dict[str, Any]]:
    topics = np.array([s.topic for s in babe])
    group_of = {o: i for i, names in enumerate(OUTLET_GROUPS) for o in names}
    outlets = np.array([group_of.get(s.group, 0) for s in babe])
    figures: dict[str, Any] = {"sentences": len(y), "positives": int(y.sum())}
    started = time.perf_counter()
    figures["in_set"] = cross_validate(x, y, grouped_splits(topics, 5), topics, SEED)
    figures["in_set"]["scheme"] = (
        "BABE dev, 5 folds by topic; L2 strength, calibration and threshold chosen by "
        "inner topic folds of the training part only"
    )
    log(f"  {name}: BABE by topic   {_line(figures['in_set'])}")
    outlet_splits = [(np.flatnonzero(outlets != g), np.flatnonzero(outlets == g)) for g in range(3)]
    figures["by_outlet"] = cross_validate(x, y, outlet_splits, topics, SEED)
    figures["by_outlet"]["scheme"] = "leave one of three outlet groups out"
    figures["by_outlet"]["groups"] = [list(g) for g in OUTLET_GROUPS]
    log(f"  {name}: BABE by outlet  {_line(figures['by_outlet'])}")
    figures["stratified"] = cross_validate(x, y, stratified_splits(y, 5, SEED), None, SEED)
    figures["stratified"]["scheme"] = "stratified 5-fold (topics on both sides), for comparison"
    log(f"  {name}: BABE stratified {_line(figures['stratified'])}")
    fitted = fit_head(x, y, topics, SEED)
    assert fitted.oof_probability is not None
    figures["fitted_oof_reliability"] = reliability(y, fitted.oof_probability)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return fitted, figures


def compare_sklearn(x: np.ndarray, y: np.ndarray, c: float) -> dict[str, Any]:
    """The numpy regression against scikit-learn's on the same standardised data and C."""
    from sklearn.linear_model import LogisticRegression

    from copydesk.plugins.heads.fitting import fit_logistic

    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    xs = (x - mean) / sd
    ours = fit_logistic(xs, y, c)
    theirs = LogisticRegression(C=c, max_iter=5000, tol=1e-8).fit(xs, y)
    diff = np.abs(ours[:-1] - theirs.coef_[0])
    return {
        "c": c,
        "max_weight_difference": float(diff.max()),
        "largest_weight": float(np.abs(theirs.coef_[0]).max()),
        "bias": [float(ours[-1]), float(theirs.intercept_[0])],
    }


def embed_matrix(embedder: Embedder, sentences: list[Sentence], label: str) -> np.ndarray:
    rows = embedder.embed([s.text for s in sentences], progress=label)
    return np.array([r.vector for r in rows], dtype=np.float64)


def cached(embedder: Embedder, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences with a cached embedding; of BASIL's, only whole articles."""
    missing = {s.group for s in sentences if s.article and embedder.cache.get(s.text) is None}
    return [
        s
        for s in sentences
        if embedder.cache.get(s.text) is not None and not (s.article and s.group in missing)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--babe", type=Path, required=True, help="BABE jsonl (babe_dev.jsonl)")
    parser.add_argument("--basil", type=Path, required=True, help="BASIL jsonl (basil_dev.jsonl)")
    parser.add_argument("--basil-articles", type=int, default=0, help="evenly spaced (0: all)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="catalogue or endpoint model name")
    parser.add_argument("--base-url", default=None, help="an OpenAI-compatible endpoint's /v1 URL")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads (embedded)")
    parser.add_argument("--cached-only", action="store_true", help="compute no embedding")
    parser.add_argument("--compare-sklearn", action="store_true", help="check the regression")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    parser.add_argument("--write-heads", type=Path, default=None, help="write head files here")
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(line, flush=True)

    babe = babe_sentences(args.babe)
    basil = basil_sentences(args.basil, args.basil_articles)
    embedder = open_embedder(args.base_url, args.model, args.threads, cached_only=args.cached_only)
    if args.cached_only:
        babe, basil = cached(embedder, babe), cached(embedder, basil)
    try:
        bx = embed_matrix(embedder, babe, "babe")
        sx = embed_matrix(embedder, basil, "basil")
    finally:
        embedder.close()
    model = embedder.model
    log(
        f"embeddings: {model.name} ({model.pooling} pooling), {bx.shape[1]} dimensions; "
        f"{embedder.computed_tokens} tokens computed this run, the rest from {embedder.cache.path}"
    )
    sy = np.array([s.label for s in basil], dtype=int)
    report: dict[str, Any] = {
        "embedding": {
            "model": model.name,
            "sha256": model.sha256,
            "pooling": model.pooling,
            "prefix": model.prefix,
            "source": model.source,
            "dimensions": int(bx.shape[1]),
        },
        "babe": {"sentences": len(babe), "topics": len({s.topic for s in babe})},
        "basil": {
            "articles": len({s.group for s in basil}),
            "sentences": len(basil),
            "lexical_sentences": int(sy.sum()),
        },
        "heads": {},
    }
    y_label = np.array([s.label for s in babe], dtype=int)
    lex_babe, lex_basil = lexicon_scores(babe), lexicon_scores(basil)
    report["baseline"] = {
        "babe_label": baseline(lex_babe, y_label),
        "basil": baseline(lex_basil, sy),
    }
    log(f"  lexicon (no model): BABE label   {_line(report['baseline']['babe_label'])}")
    log(f"  lexicon (no model): BASIL        {_line(report['baseline']['basil'])}")

    fitted: dict[str, Fitted] = {}
    head, figures = evaluate("loaded_language (BABE label)", bx, y_label, babe, log)
    scores = head.probability(sx)
    figures["cross_set"] = at_threshold(sy, scores, head.threshold)
    figures["cross_set"]["scheme"] = (
        f"BASIL dev, {report['basil']['sentences']} sentences of {report['basil']['articles']} "
        "articles (label: overlaps a lexical span); the head fitted on all of BABE dev, unchanged"
    )
    figures["cross_set"]["reliability"] = reliability(sy, scores)
    log(f"  loaded_language: BASIL (cross-set) {_line(figures['cross_set'])}")
    fitted["loaded_language"], report["heads"]["loaded_language"] = head, figures

    # Opinion stated as fact: the writer's opinion (1) against every other sentence with an
    # agreed label, "somewhat factual but also opinionated" included as 0, since a check
    # sees all of an article's sentences, not only the clear-cut ones.
    op = [opinion_label(s.opinion, somewhat=0) for s in babe]
    keep = np.array([v is not None for v in op])
    y_op = np.array([v for v in op if v is not None], dtype=int)
    kept = [s for s, k in zip(babe, keep, strict=True) if k]
    report["baseline"]["babe_opinion"] = baseline(lex_babe[keep], y_op)
    log(f"  lexicon (no model): BABE opinion {_line(report['baseline']['babe_opinion'])}")
    fitted["opinion"], report["heads"]["opinion"] = evaluate(
        "opinion (BABE label_opinion)", bx[keep], y_op, kept, log
    )
    if args.compare_sklearn:
        report["sklearn"] = compare_sklearn(bx, y_label, fitted["loaded_language"].c)
        log(f"  numpy against scikit-learn: {report['sklearn']}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.write_heads:
        from heads_write import write_heads, write_notice

        for path in [
            *write_heads(args.write_heads, fitted, report),
            write_notice(args.write_heads, report),
        ]:
            log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
