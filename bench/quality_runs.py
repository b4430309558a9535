"""Running copydesk's checkers on labelled items for bench/quality.py.

- The deterministic checkers and the model checker (``llm``) run through
  :class:`copydesk.runner.Copydesk`, as ``copydesk check`` runs them (grounded, merged).
- The ``judgement`` checker runs on a stand-in context whose ``embed`` answers from the
  embedding cache of bench/heads_embed.py (computing, through the embedded model, what it
  lacks): ``ctx.embed`` is the model-access API's and is not on every copydesk yet. Its
  findings are grounded as the host grounds them, then merged with the others by
  :func:`copydesk.merge.merge_findings`, as the host merges them.
- On BABE the heads are fitted in folds by topic (:func:`babe_fold_heads`): a sentence is
  judged by heads fitted on the other topics only, so BABE's figure is a held-out one; on
  BASIL the shipped heads (fitted on all of BABE dev) judge, unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from heads_data import OPINION, Sentence, opinion_label
from heads_embed import Embedder
from heads_write import BABE, HEADS

from copydesk.grounding import ground
from copydesk.host import Host
from copydesk.plugins.heads.fitting import fit_head, grouped_splits
from copydesk.plugins.heads.head_file import EmbeddingSpace, write_head
from copydesk.plugins.heads.making import head_body
from copydesk.plugins.judgement import judgement
from copydesk.runner import Copydesk
from copydesk.settings import Settings
from copydesk.types import Article, Finding

# the checkers through the desk ---------------------------------------------------------------


class DeskRun:
    """Some of the host's checkers through :class:`Copydesk`, with no summary or claims."""

    def __init__(self, host: Host, settings: Settings, checkers: list[str], use_model: bool):
        self.desk = Copydesk(
            settings, host, summariser=None, extractor=None, checkers=checkers, use_model=use_model
        )
        self.failures: dict[str, int] = {}

    def run(self, article: Article) -> list[Finding]:
        result = self.desk.check(article)
        for s in result.stages:
            if s.status != "ok":
                key = f"{s.plugin}:{s.status}"
                self.failures[key] = self.failures.get(key, 0) + 1
        return result.findings

    def close(self) -> None:
        self.desk.close()


class ModelCache:
    """The model checker's findings per item, in a file, so that changing a deterministic
    detector or a head does not mean waiting for the model again. Kept only while the
    check prompt and the model are the same."""

    def __init__(self, path: Path | None, model: str) -> None:
        self.path = path
        self.stamp = f"{model}|{_prompt_hash()}"
        self.items: dict[str, Any] = {}
        if path is not None and path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("stamp") == self.stamp:
                self.items = data.get("items", {})

    def get(self, key: str) -> list[Finding] | None:
        entry = self.items.get(key)
        return None if entry is None else [Finding(**f) for f in entry]

    def put(self, key: str, findings: list[Finding]) -> None:
        self.items[key] = [f.to_dict() for f in findings]
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            payload = {"stamp": self.stamp, "items": self.items}
            self.path.write_text(json.dumps(payload) + "\n", encoding="utf-8")


def _prompt_hash() -> str:
    from importlib.resources import files

    folder = files("copydesk.prompts")
    names = ("_base.j2", "check.j2", "check.schema.json")
    text = "".join(folder.joinpath(n).read_text(encoding="utf-8") for n in names)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def run_model(
    run: DeskRun,
    cache: ModelCache,
    items: Sequence[dict[str, Any]],
    make: Callable[[dict[str, Any]], Article],
    label: str,
) -> list[list[Finding]]:
    out = []
    started = time.perf_counter()
    for i, item in enumerate(items, 1):
        key = f"{label}:{item.get('id')}"
        found = cache.get(key)
        if found is None:
            found = run.run(make(item))
            cache.put(key, found)
        out.append(found)
        print(
            f"  model {label}: {i}/{len(items)} ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
    return out


# the judgement checker on the embedding cache ------------------------------------------------


@dataclass
class Embedded:
    vectors: list[list[float]]
    model: str
    model_sha256: str | None


@dataclass
class HeadsContext:
    """What the judgement checker uses of a context, with ``embed`` from the cache."""

    article: Article
    embedder: Embedder
    config: dict[str, Any] = field(default_factory=dict)

    async def embed(self, texts: Sequence[str]) -> Embedded:
        rows = self.embedder.embed(list(texts))
        model = self.embedder.model
        return Embedded([r.vector for r in rows], model.name, model.sha256)


def run_heads(
    article: Article, embedder: Embedder, heads: list[Path] | None = None
) -> list[Finding]:
    """The judgement checker's grounded findings (``heads``: head files or folders that
    take the place of the shipped heads of the same names)."""
    ctx = HeadsContext(article, embedder, {"heads": [str(p) for p in heads or []]})
    found = asyncio.run(judgement.check(ctx))  # type: ignore[arg-type]
    kept = []
    for f in found:
        span = ground(f, article)
        if span is None:  # the host would drop it; the checker quotes the article's words
            raise AssertionError(f"judgement finding not grounded: {f.quote!r}")
        f.start, f.end, f.quote = span.start, span.end, article.text[span.start : span.end]
        f.plugin, f.detectors = "judgement", ["judgement"]
        kept.append(f)
    return kept


def babe_fold_heads(
    babe: list[Sentence], x: np.ndarray, space: EmbeddingSpace, folder: Path, folds: int = 5
) -> list[int]:
    """Heads fitted on all but one topic fold, written to ``folder/foldK``; the fold of
    each BABE sentence, in order."""
    topics = np.array([s.topic for s in babe])
    y = np.array([s.label for s in babe], dtype=int)
    op = np.array([opinion_label(s.opinion, somewhat=0) for s in babe], dtype=object)
    fold_of = np.zeros(len(babe), dtype=int)
    for k, (train, test) in enumerate(grouped_splits(topics, folds)):
        fold_of[test] = k
        for name, labels in (("loaded_language", y), ("opinion", op)):
            keep = train[np.array([labels[i] is not None for i in train], dtype=bool)]
            fitted = fit_head(x[keep], labels[keep].astype(int), topics[keep])
            category, description, label = HEADS[name]
            body = head_body(
                fitted,
                name=name,
                category=category,
                description=f"{description} (fold {k}: BABE dev less one topic fold)",
                space=space,
                fitted_on={**BABE, "label": label, "sentences": len(keep)},
                figures={},
            )
            write_head(folder / f"fold{k}" / f"{name}.head.json", body)
        print(f"  fold heads: {k + 1}/{folds} fitted", file=sys.stderr)
    return fold_of.tolist()


__all__ = ["OPINION"]
