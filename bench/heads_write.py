"""The head files plugins/heads/ ships, written from bench/heads.py's fits, and their NOTICE:
weights only, never the sentences, with the embedding model, the data and its licence,
and the figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from copydesk.plugins.heads.fitting import Fitted
from copydesk.plugins.heads.head_file import EmbeddingSpace, write_head
from copydesk.plugins.heads.making import head_body
from copydesk.plugins.heads.measures import expected_calibration_error

BABE = {
    "data": "BABE, dev half",
    "source": "Spinde et al. 2021, Neural Media Bias Detection Using Distant Supervision With "
    "BABE, Findings of EMNLP 2021; github.com/Media-Bias-Group/"
    "Neural-Media-Bias-Detection-Using-Distant-Supervision-With-BABE",
    "licence": "AGPL-3.0",
    "by": "bench/heads.py",
}
HEADS = {
    "loaded_language": (
        "loaded_language",
        "biased or loaded wording: BABE's expert label",
        "label 1 (biased) against 0",
    ),
    "opinion": (
        "unattributed_claim",
        "opinion stated as fact: BABE's label_opinion",
        "label_opinion 'Expresses writer’s opinion' against 'Entirely factual' and "
        "'Somewhat factual but also opinionated' ('No agreement' left out)",
    ),
}
#: What a head file keeps of bench/heads.py's figures (fold lists and timings stay out).
KEPT = ("in_set", "by_outlet", "stratified", "cross_set")


def _kept(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {k: v for k, v in figures[key].items() if k != "folds"}
        for key in KEPT
        if key in figures
    }


def write_heads(folder: Path, fitted: dict[str, Fitted], report: dict[str, Any]) -> list[Path]:
    emb = report["embedding"]
    space = EmbeddingSpace(
        emb["model"], emb["sha256"], emb["pooling"], emb["dimensions"], emb["prefix"]
    )
    paths = []
    for name, head in fitted.items():
        category, description, label = HEADS[name]
        figures = report["heads"][name]
        body = head_body(
            head,
            name=name,
            category=category,
            description=description,
            space=space,
            fitted_on={
                **BABE,
                "label": label,
                "sentences": figures["sentences"],
                "positives": figures["positives"],
            },
            figures=_kept(figures),
        )
        paths.append(write_head(folder / f"{name}.head.json", body))
    return paths


def _row(label: str, m: dict[str, Any] | None) -> str:
    if not m:
        return f"| {label} | – | – | – | – | – |"
    return (
        f"| {label} | {m['n']} ({m['positives']} positive) | {m['macro_f1']} | {m['auc']} | "
        f"{m['precision']} | {m['recall']} |"
    )


def write_notice(folder: Path, report: dict[str, Any]) -> Path:
    """NOTICE: what the shipped heads were fitted on, that data's licence, the figures."""
    emb, base, heads = report["embedding"], report["baseline"], report["heads"]
    ll, op = heads["loaded_language"], heads["opinion"]
    ece = expected_calibration_error(ll["in_set"]["reliability"])
    ece_basil = expected_calibration_error(ll["cross_set"]["reliability"])
    lines = [
        "Judgement heads: provenance and licence",
        "=======================================",
        "",
        "The *.head.json files here are logistic-regression weights over sentence embeddings",
        f"of {emb['model']} (GGUF sha256 {emb['sha256']}),",
        f"{emb['pooling']}-pooled and L2-normalised by llama.cpp (/v1/embeddings, one sentence",
        "per input, no prefix). They hold weights, a bias, a calibration and a threshold only:",
        "no sentence of the data they were fitted on.",
        "",
        "Fitted on",
        "---------",
        "",
        f"- {BABE['data']} ({report['babe']['sentences']} sentences, {report['babe']['topics']} "
        f"topics). {BABE['source']}.",
        f"- LICENCE OF THAT DATA: {BABE['licence']}. The weights are derived from AGPL-3.0 data;",
        "  whoever redistributes them keeps this notice with them and treats them as",
        "  AGPL-3.0-derived. The data itself is not part of copydesk.",
        "- loaded_language.head.json: BABE `label` (biased wording, expert annotators).",
        '- opinion.head.json: BABE `label_opinion` "Expresses writer’s opinion" against',
        '  "Entirely factual" and "Somewhat factual but also opinionated" ("No agreement"',
        "  left out). BASIL has no opinion label, so this head is measured on BABE alone.",
        "",
        "Measured (dev halves: python bench/heads.py)",
        "--------------------------------------------",
        "",
        "In-set: BABE dev in 5 folds by topic, each held-out fold scored by a head whose L2",
        "strength, calibration and threshold were chosen on the other folds alone. By outlet:",
        "fit on two of three outlet groups, judge the third. Cross-set: the head fitted on all",
        f"of BABE dev, unchanged, on {report['basil']['sentences']} sentences of "
        f"{report['basil']['articles']} BASIL dev articles",
        "(label: the sentence overlaps a `lexical` span), at the threshold chosen on BABE. The",
        "baseline is copydesk's lexicon detector with no model: a sentence is flagged when it",
        "has a loaded_language finding, ranked by its highest confidence.",
        "",
        "| figure | sentences | macro-F1 | ROC-AUC | precision | recall |",
        "|---|---|---|---|---|---|",
        _row("loaded_language head, BABE by topic (in-set)", ll["in_set"]),
        _row("loaded_language head, BABE by outlet", ll["by_outlet"]),
        _row("loaded_language head, BABE stratified 5-fold", ll["stratified"]),
        _row("lexicon (no model), BABE", base["babe_label"]),
        _row("loaded_language head, BASIL (cross-set)", ll["cross_set"]),
        _row("lexicon (no model), BASIL", base["basil"]),
        _row("opinion head, BABE by topic (in-set)", op["in_set"]),
        _row("opinion head, BABE by outlet", op["by_outlet"]),
        _row("lexicon (no model), BABE opinion", base["babe_opinion"]),
        "",
        "Calibration: a head's score is Platt-scaled on out-of-fold scores of BABE dev, so on",
        f"held-out BABE topics a score of p is right about p of the time (expected calibration error {ece});",
        "BABE is half biased, a news article is not (BASIL: "
        f"{report['basil']['lexical_sentences'] / max(report['basil']['sentences'], 1):.0%} of sentences hold a lexical span), so",
        f"on BASIL the same scores run high (expected calibration error {ece_basil}).",
        "",
        f"Embeddings: {emb['source']}.",
        "",
    ]
    path = folder / "NOTICE"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
