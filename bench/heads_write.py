"""Writing fitted heads as the data files plugins/heads/ ships: weights only, never the
sentences, with the embedding model, the data fitted on and its licence, and the figures."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from heads_fit import Fitted

BABE = {
    "data": "BABE, dev half (babe_dev.jsonl)",
    "source": "Spinde et al. 2021, Neural Media Bias Detection Using Distant Supervision With "
    "BABE, Findings of EMNLP 2021; github.com/Media-Bias-Group/"
    "Neural-Media-Bias-Detection-Using-Distant-Supervision-With-BABE",
    "licence": "AGPL-3.0",
}
DESCRIPTIONS = {
    "loaded_language": (
        "loaded_language",
        "biased or loaded wording: BABE's expert label (label 1 = biased)",
        "label == 1 (biased) against label == 0",
    ),
    "opinion": (
        "unattributed_claim",
        "opinion stated as fact: BABE's label_opinion 'Expresses writer’s opinion'",
        "label_opinion == 'Expresses writer’s opinion' against 'Entirely factual' and "
        "'Somewhat factual but also opinionated' ('No agreement' left out)",
    ),
}
#: The recipe of the vector whose score each head file records, so a test can check the
#: file and the scoring code together without any embedding at hand.
SELF_CHECK = "sin(i + 1) for i in range(dimensions), L2-normalised"


def self_check_vector(dimensions: int) -> list[float]:
    v = [math.sin(i + 1) for i in range(dimensions)]
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


def _head_json(name: str, head: Fitted, report: dict[str, Any]) -> dict[str, Any]:
    category, description, label = DESCRIPTIONS[name]
    # float32 precision, as the embeddings come: more digits would only be noise.
    weights = [float(f"{float(np.float32(w)):.7g}") for w in head.weights]
    bias = float(f"{head.bias:.7g}")
    figures = report["heads"][name]
    check = self_check_vector(len(weights))
    z = float(np.dot(np.array(weights), np.array(check)) + bias)
    emb = report["embedding"]
    return {
        "format": 1,
        "name": name,
        "category": category,
        "description": description,
        "embedding": {
            "model": emb["model"],
            "sha256": emb["sha256"],
            "pooling": emb["pooling"],
            "normalised": "L2 (llama.cpp embd_normalize 2, the default)",
            "prefix": emb["prefix"],
            "input": "one sentence per /v1/embeddings input, as it stands in the article",
            "dimensions": len(weights),
        },
        "score": "sigmoid(weights . embedding + bias)",
        "weights": weights,
        "bias": bias,
        "threshold": round(head.threshold, 4),
        "threshold_chosen": "best macro-F1 on BABE 5-fold out-of-fold scores",
        "fitted_on": {
            **BABE,
            "label": label,
            "sentences": figures["sentences"],
            "positives": figures["positives"],
            "method": "L2 logistic regression on standardised embeddings (scikit-learn lbfgs), "
            f"C={head.c} chosen by 5-fold ROC-AUC; standardisation folded into the weights",
            "fitted": dt.date.today().isoformat(),
            "by": "bench/heads.py",
        },
        "figures": {k: v for k, v in figures.items() if k != "seconds"},
        "self_check": {"vector": SELF_CHECK, "logit": z, "score": 1 / (1 + math.exp(-z))},
    }


def write_heads(folder: Path, fitted: dict[str, Fitted], report: dict[str, Any]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, head in fitted.items():
        path = folder / f"{name}.head.json"
        body = _head_json(name, head, report)
        # The weights on one line: a refit is then a one-line change, not 1,536 of them.
        text = json.dumps({**body, "weights": "@weights@"}, indent=1, ensure_ascii=False)
        text = text.replace('"@weights@"', json.dumps(body["weights"]))
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _row(label: str, m: dict[str, Any] | None) -> str:
    if not m:
        return f"| {label} | – | – | – | – | – |"
    return (
        f"| {label} | {m['n']} ({m['positives']} positive) | {m['macro_f1']} | {m['auc']} | "
        f"{m['precision']} | {m['recall']} |"
    )


def write_notice(folder: Path, report: dict[str, Any]) -> Path:
    """NOTICE.md: what the shipped heads were fitted on, that data's licence, the figures."""
    emb, base, heads = report["embedding"], report["baseline"], report["heads"]
    ll, op = heads["loaded_language"], heads["opinion"]
    lines = [
        "# Judgement heads: provenance and licence",
        "",
        "The `*.head.json` files here are logistic-regression weights over sentence embeddings",
        f"of **{emb['model']}** (GGUF sha256 `{emb['sha256']}`), {emb['pooling']}-pooled and",
        "L2-normalised by llama.cpp (`/v1/embeddings`, one sentence per input, no prefix). They",
        "hold weights, a bias and a threshold only: no sentence of the data they were fitted on.",
        "",
        "## Fitted on",
        "",
        f"- {BABE['data']}: {report['babe']['sentences']} sentences. {BABE['source']}.",
        f"- **Licence of that data: {BABE['licence']}.** The weights are derived from AGPL-3.0",
        "  data; whoever redistributes them should keep this notice with them and treat them as",
        "  AGPL-3.0-derived. The data itself is not part of copydesk.",
        "- `loaded_language.head.json`: BABE `label` (biased wording, expert annotators).",
        '- `opinion.head.json`: BABE `label_opinion` = "Expresses writer’s opinion" against',
        '  "Entirely factual" and "Somewhat factual but also opinionated" ("No agreement"',
        "  left out). BASIL has no opinion label, so this head is measured on BABE alone.",
        "",
        "## Measured (dev halves; `python bench/heads.py`)",
        "",
        "BABE figures are 5-fold cross-validated, the L2 strength and the threshold chosen inside",
        'each fold\'s training part only. "By outlet": fit on two of three outlet groups, judge',
        "on the third. BASIL: the head fitted on all of BABE, unchanged, on "
        f"{report['basil']['sentences']} sentences of {report['basil']['articles']} evenly spaced",
        "BASIL dev articles (label: the sentence overlaps a `lexical` span), at the threshold",
        "chosen on BABE. The baseline is copydesk's lexicon detector (no model): a sentence is",
        "flagged when it has a loaded_language finding, ranked by its highest confidence.",
        "",
        "| figure | sentences | macro-F1 | ROC-AUC | precision | recall |",
        "|---|---|---|---|---|---|",
        _row("loaded_language head, BABE 5-fold", ll["babe_cv"]),
        _row("loaded_language head, BABE by outlet", ll["babe_by_outlet"]),
        _row("loaded_language head, BASIL (cross-data-set)", ll.get("basil")),
        _row("lexicon (no model), BABE", base["babe_label"]),
        _row(
            "(bound) loaded_language head, BASIL, threshold tuned on BASIL",
            ll.get("basil_tuned_on_basil"),
        ),
        _row("lexicon (no model), BASIL", base.get("basil")),
        _row("opinion head, BABE 5-fold", op["babe_cv"]),
        _row("opinion head, BABE by outlet", op["babe_by_outlet"]),
        _row("lexicon (no model), BABE opinion", base["babe_opinion"]),
        "",
        "BABE is half biased; a news article's sentences rarely are (BASIL: ~6% hold a lexical",
        "span), so at BABE's threshold the head flags about half of a news article's sentences.",
        'Use its score to rank, or a higher display threshold; the "(bound)" row is what a',
        "threshold tuned on BASIL itself reaches, an upper bound and not a measured claim.",
        "",
        f"Embeddings: {emb['source']}.",
        "",
    ]
    path = folder / "NOTICE.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
