"""Planted errors: does copydesk catch an error put by rule into a real article?

    python bench/planted.py --frank ../shared/eval/frank_dev.jsonl \\
        --basil ../shared/eval/basil_dev.jsonl --lexicons ../shared/lexicons \\
        [--limit N] [--seed 1] [--heads [--threads 2]] [--json OUT]

For each article (FRANK's unique ``article`` texts, BASIL's ``text`` with its ``title``;
``--limit N`` takes N evenly spaced from each set), one copy per error type, each with one
error planted by bench/planted_sites.py: a repeated count changed in a later mention, a
surname respelt or a title changed, an evaluative word put into the reporter's voice, a
figure made vague, an attributed assessment turned into the reporter's own assertion. An
article with no place for a type gets no copy of that type; the skips are counted.

A plant is caught when the copy gets a finding of the type's category (planted_sites.py's
``CATCHING``) that overlaps the planted words and that the original article does not get
(the same category and quote at the same place, mapped across the edit). Noise is every
finding on the original articles per 1,000 words. The checkers are the deterministic ones,
as ``copydesk check --no-model`` runs them, through :class:`copydesk.runner.Copydesk`;
``--heads`` adds the judgement heads on the embedded model's sentence embeddings (as
``copydesk check`` runs them by default; bench/quality_runs.py's stand-in for ``ctx.embed``,
cached by bench/heads_embed.py, so a copy costs only its changed sentence), merged with the
deterministic findings as the host merges them. The model checker (``llm``) is left out:
on 2 cores it would take a day over the copies.
The data and the word lists are read from the paths given and never copied.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from heads_embed import embedded
from planted_sites import CATCHING, KINDS, Plant, WordLists, load_word_lists, plant
from quality_runs import run_heads

from copydesk.cli import DEFAULT_MIN_CONFIDENCE
from copydesk.furniture import strip_furniture
from copydesk.host import load_host
from copydesk.merge import merge_findings
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.types import Article, Finding

#: The display formats' default threshold (``copydesk check --min-confidence``).
SHOWN_AT = DEFAULT_MIN_CONFIDENCE
#: Display thresholds the sweep reports recall and noise at (``sweep`` in the JSON), so a
#: default can be chosen by measurement over the whole curve rather than at one point.
SWEEP = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: With ``--heads``: the heads' own thresholds (a head's finding is kept at this
#: confidence or more) the head sweep reports recall and noise at, with the deterministic
#: findings unchanged: what each threshold a head file could carry would give.
HEAD_SWEEP = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
#: The embedding model the shipped heads were fitted on.
MODEL = "qwen2.5-coder-1.5b-instruct"


def read_articles(frank: Path | None, basil: Path | None, limit: int) -> list[dict[str, Any]]:
    """The unique articles of each set, ``limit`` evenly spaced from each (0: all)."""
    sets: list[list[dict[str, Any]]] = []
    if frank:
        seen: dict[str, dict[str, Any]] = {}
        for line in frank.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            seen.setdefault(r["hash"], {"id": f"frank-{r['hash']}", "text": r["article"]})
        sets.append(list(seen.values()))
    if basil:
        rows = [json.loads(line) for line in basil.read_text(encoding="utf-8").splitlines()]
        sets.append(
            [
                {"id": f"basil-{r.get('id', n)}", "text": r["text"], "title": r.get("title")}
                for n, r in enumerate(rows)
            ]
        )
    out: list[dict[str, Any]] = []
    for items in sets:
        if limit and limit < len(items):
            step = len(items) / limit
            items = [items[int(k * step)] for k in range(limit)]
        out.extend(items)
    return out


def _source(item: dict[str, Any]) -> str:
    return str(item["id"]).split("-", 1)[0]


def prepare(text: str, title: str | None = None) -> Article:
    article = Article(text=text, title=title)
    strip_furniture(article)
    return article


def new_findings(original: list[Finding], copy: list[Finding], p: Plant) -> list[Finding]:
    """The copy's findings the original does not have (mapped across the edit)."""
    before = set()
    for f in original:
        where = p.mapped(f.start, f.end)
        if where is not None:
            before.add((f.category, f.quote, where[0]))
    return [f for f in copy if (f.category, f.quote, f.start) not in before]


def caught(original: list[Finding], copy: list[Finding], p: Plant) -> Finding | None:
    for f in new_findings(original, copy, p):
        if f.category in CATCHING[p.kind] and f.start < p.planted.end and p.planted.start < f.end:
            return f
    return None


def run(
    articles: list[dict[str, Any]],
    lists: WordLists,
    seed: int,
    kinds: tuple[str, ...] = KINDS,
    checkers: list[str] | None = None,
    embedder: Any = None,
    shown_at: float = SHOWN_AT,
) -> dict[str, Any]:
    """``embedder`` (bench/heads_embed.py's): the judgement heads judge too. Recall and
    noise are counted twice: over every finding (the JSON report's) and over those at
    confidence ``shown_at`` or more (what the display formats show by default)."""

    def shown(found: list[Finding]) -> list[Finding]:
        return [f for f in found if f.confidence >= shown_at]

    host = load_host()
    det = checkers or sorted(
        c.name for c in host.components["checker"].values() if not c.needs_model
    )
    desk = Copydesk(
        Settings(), host, summariser=None, extractor=None, checkers=det, use_model=False
    )

    def variants(article: Article) -> dict[float | None, list[Finding]]:
        """The merged findings with the heads as shipped (key None) and, with heads, with
        only the head findings at each HEAD_SWEEP confidence or more."""
        found = desk.check(article).findings
        if embedder is None:
            return {None: found}
        judged = run_heads(article, embedder)
        out: dict[float | None, list[Finding]] = {None: merge_findings([*found, *judged])}
        for t in HEAD_SWEEP:
            out[t] = merge_findings([*found, *(f for f in judged if f.confidence >= t)])
        return out

    heads_at = HEAD_SWEEP if embedder is not None else ()
    head_noise: Counter[tuple[float, bool]] = Counter()
    head_caught: dict[str, Counter[tuple[float, bool]]] = {k: Counter() for k in kinds}

    per: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    by_category: Counter[str] = Counter()
    n_words = n_findings = n_shown = 0
    swept_noise: Counter[float] = Counter()
    swept_caught: dict[str, Counter[float]] = {k: Counter() for k in kinds}
    examples: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    try:
        for n, item in enumerate(articles):
            text, title = item["text"], item.get("title")
            article = prepare(text, title)
            original_by = variants(article)
            original = original_by[None]
            for t in heads_at:
                head_noise[(t, False)] += len(original_by[t])
                head_noise[(t, True)] += len(shown(original_by[t]))
            n_words += len(article.body_text.split())
            n_findings += len(original)
            n_shown += len(shown(original))
            swept_noise.update(t for t in SWEEP for f in original if f.confidence >= t)
            by_category.update(f.category for f in original)
            for kind in kinds:
                p = plant(kind, article, seed + n, lists)
                if p is None:
                    per[kind]["skipped"] += 1
                    continue
                mutated = p.apply(text)
                if mutated == text:
                    raise AssertionError(f"{item['id']}: a {kind} plant left the text unchanged")
                per[kind]["planted"] += 1
                per[kind][f"planted:{_source(item)}"] += 1
                copy_by = variants(prepare(mutated, title))
                copy = copy_by[None]
                for t in heads_at:
                    a, b = original_by[t], copy_by[t]
                    head_caught[kind][(t, False)] += caught(a, b, p) is not None
                    head_caught[kind][(t, True)] += caught(shown(a), shown(b), p) is not None
                hit = caught(original, copy, p)
                per[kind]["caught"] += hit is not None
                per[kind][f"caught:{_source(item)}"] += hit is not None
                per[kind]["caught_shown"] += caught(shown(original), shown(copy), p) is not None
                for t in SWEEP:
                    above = [f for f in original if f.confidence >= t]
                    kept = [f for f in copy if f.confidence >= t]
                    swept_caught[kind][t] += caught(above, kept, p) is not None
                if len(examples[kind]) < 60 and (hit is None or len(examples[kind]) < 10):
                    examples[kind].append(
                        {
                            "id": item["id"],
                            "note": p.note,
                            "planted": mutated[p.planted.start : p.planted.end],
                            "caught_by": hit.plugin if hit else None,
                        }
                    )
    finally:
        desk.close()
        if embedder is not None:
            embedder.close()
    types = {
        k: {
            "planted": c["planted"],
            "skipped": c["skipped"],
            "caught": c["caught"],
            "recall": round(c["caught"] / c["planted"], 3) if c["planted"] else None,
            "recall_shown": round(c["caught_shown"] / c["planted"], 3) if c["planted"] else None,
            "by_set": {
                src: {
                    "planted": c[f"planted:{src}"],
                    "caught": c[f"caught:{src}"],
                    "recall": round(c[f"caught:{src}"] / c[f"planted:{src}"], 3)
                    if c[f"planted:{src}"]
                    else None,
                }
                for src in ("frank", "basil")
            },
        }
        for k, c in per.items()
    }
    planted = sum(t["planted"] for t in types.values())
    found = sum(t["caught"] for t in types.values())
    return {
        "articles": len(articles),
        "checkers": [*det, "judgement"] if embedder is not None else det,
        "seed": seed,
        "types": types,
        "recall": round(found / planted, 3) if planted else None,
        "macro_recall": round(sum(rs) / len(rs), 3)
        if (rs := [t["recall"] for t in types.values() if t["recall"] is not None])
        else None,
        "shown": {
            "min_confidence": shown_at,
            "recall": round(sum(t["caught_shown"] for t in per.values()) / planted, 3)
            if planted
            else None,
            "macro_recall": round(sum(shown_rs) / len(shown_rs), 3)
            if (
                shown_rs := [
                    float(t["recall_shown"])
                    for t in types.values()
                    if t["recall_shown"] is not None
                ]
            )
            else None,
            "findings_per_1000_words": round(1000 * n_shown / n_words, 2) if n_words else None,
        },
        "sweep": [
            {
                "min_confidence": t,
                "recall": round(sum(c[t] for c in swept_caught.values()) / planted, 3)
                if planted
                else None,
                "recall_by_type": {
                    k: round(swept_caught[k][t] / per[k]["planted"], 3)
                    if per[k]["planted"]
                    else None
                    for k in kinds
                },
                "findings_per_1000_words": round(1000 * swept_noise[t] / n_words, 2)
                if n_words
                else None,
            }
            for t in SWEEP
        ],
        "head_sweep": [
            {
                "head_min_confidence": t,
                **{
                    name: {
                        "recall": round(sum(c[(t, on)] for c in head_caught.values()) / planted, 3)
                        if planted
                        else None,
                        "recall_by_type": {
                            k: round(head_caught[k][(t, on)] / per[k]["planted"], 3)
                            if per[k]["planted"]
                            else None
                            for k in kinds
                        },
                        "findings_per_1000_words": round(1000 * head_noise[(t, on)] / n_words, 2)
                        if n_words
                        else None,
                    }
                    for name, on in (("all", False), ("shown", True))
                },
            }
            for t in heads_at
        ],
        "noise": {
            "words": n_words,
            "findings": n_findings,
            "findings_per_1000_words": round(1000 * n_findings / n_words, 2) if n_words else None,
            "per_1000_words_by_category": {
                c: round(1000 * v / n_words, 2) for c, v in sorted(by_category.items())
            },
        },
        "examples": examples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frank", type=Path, help="FRANK jsonl (its articles)")
    parser.add_argument("--basil", type=Path, help="BASIL jsonl (its texts)")
    parser.add_argument(
        "--lexicons", type=Path, default=Path("../shared/lexicons"), help="the shared word lists"
    )
    parser.add_argument("--limit", type=int, default=0, help="articles per set, evenly spaced")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--types", default=",".join(KINDS), help="the types to plant")
    parser.add_argument(
        "--heads", action="store_true", help="the judgement heads too (embedded model)"
    )
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads (embeddings)")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    args = parser.parse_args(argv)
    if not (args.frank or args.basil):
        parser.error("give --frank and/or --basil")
    if not (args.lexicons / "SOURCES.md").exists():
        parser.error(f"{args.lexicons} is not the shared lexicons folder (no SOURCES.md)")
    kinds = tuple(k for k in args.types.split(",") if k)
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown types {sorted(unknown)}: choose from {', '.join(KINDS)}")
    report = run(
        read_articles(args.frank, args.basil, args.limit),
        load_word_lists(args.lexicons),
        args.seed,
        kinds,
        embedder=embedded(MODEL, args.threads) if args.heads else None,
    )
    print(f"articles: {report['articles']}  (checkers: {', '.join(report['checkers'])})")
    for kind, t in report["types"].items():
        print(
            f"  {kind:<12} planted {t['planted']:>4}  skipped {t['skipped']:>4}  caught "
            f"{t['caught']:>4}  recall {t['recall']}  (FRANK {t['by_set']['frank']['recall']}, "
            f"BASIL {t['by_set']['basil']['recall']})"
        )
    noise = report["noise"]
    print(
        f"  all types recall {report['recall']} (mean of the types {report['macro_recall']}); noise {noise['findings_per_1000_words']} "
        f"findings per 1,000 words on the originals ({noise['findings']} in {noise['words']} words)"
    )
    for category, rate in noise["per_1000_words_by_category"].items():
        print(f"    {category}: {rate}")
    sh = report["shown"]
    print(
        f"  shown (confidence >= {sh['min_confidence']}): recall {sh['recall']} (mean of the "
        f"types {sh['macro_recall']}); noise {sh['findings_per_1000_words']} per 1,000 words"
    )
    print("  by display threshold: min_confidence  recall  noise/1,000 words  recall by type")
    for row in report["sweep"]:
        by_type = "  ".join(f"{k} {v}" for k, v in row["recall_by_type"].items())
        print(
            f"    {row['min_confidence']:.1f}  {row['recall']}  "
            f"{row['findings_per_1000_words']}  {by_type}"
        )
    if report["head_sweep"]:
        print("  by the heads' own threshold (all findings | shown):")
    for row in report["head_sweep"]:
        a, sh = row["all"], row["shown"]
        print(
            f"    heads >= {row['head_min_confidence']:.2f}: recall {a['recall']} noise "
            f"{a['findings_per_1000_words']} | recall {sh['recall']} noise "
            f"{sh['findings_per_1000_words']}; evaluative {a['recall_by_type'].get('evaluative')}"
            f" | {sh['recall_by_type'].get('evaluative')}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
