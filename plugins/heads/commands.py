"""``copydesk heads``: the judgement heads installed, and fitting one for any model.

``copydesk heads list`` shows each installed head with its embedding model, what it was
fitted on (and that data's licence) and what it measured. ``copydesk heads fit --data
labelled.jsonl -o head.json`` embeds the labelled sentences through the desk (the embedded
model, or ``--base-url``/``--model`` of any OpenAI-compatible server that embeds: Ollama,
vLLM, OpenAI), cross-validates, and writes a head for that model. Fitting needs the
``heads`` extra (numpy); applying a head needs nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from copydesk.errors import ConfigError
from copydesk.settings import Settings

from . import Installed, find_heads, user_dir
from .head_file import EmbeddingSpace, read_head, write_head
from .making import Labelled, read_labelled

#: Texts per embeddings request while fitting: progress is printed between requests.
BATCH = 64
CATEGORIES = ("loaded_language", "unattributed_claim")


@click.group("heads")
def heads_group() -> None:
    """Judgement heads: scores from the model's own sentence embeddings.

    A head applies only to the embedding model it was fitted on. The shipped heads are
    for the default embedded model; fit one for another model with `copydesk heads fit`.
    """


# copydesk heads list -----------------------------------------------------------------------


def describe(item: Installed) -> dict[str, Any]:
    """One installed head as ``heads list --format json`` gives it."""
    if item.head is None:
        return {"path": str(item.path), "origin": item.origin, "error": item.error}
    h = item.head
    return {
        "name": h.name,
        "category": h.category,
        "path": str(item.path),
        "origin": item.origin,
        "embedding": {
            "model": h.space.model,
            "sha256": h.space.sha256,
            "pooling": h.space.pooling,
            "dimensions": h.space.dimensions,
        },
        "threshold": h.threshold,
        "fitted_on": {k: v for k, v in h.provenance.items() if k != "method"},
        "figures": {
            k: {m: v.get(m) for m in ("n", "macro_f1", "auc", "precision", "recall")}
            for k, v in h.figures.items()
            if isinstance(v, dict) and "auc" in v
        },
    }


@heads_group.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or JSON (with every figure) for scripts.",
)
def list_cmd(fmt: str) -> None:
    """List the installed heads: model, data and licence, figures, threshold.

    In-set figures are cross-validated on the data fitted on (grouped by topic where the
    data has one); cross-set figures are the head, unchanged, on another data set.
    """
    found = find_heads()
    if fmt == "json":
        click.echo(json.dumps([describe(i) for i in found], indent=2))
        return
    if not found:
        click.echo(f"no heads installed (the user heads folder is {user_dir()})")
        return
    for item in found:
        click.echo("\n".join([*_block(item), ""]))


def _block(item: Installed) -> list[str]:
    """One head as a block of lines: a table of this many columns would not fit."""
    h = item.head
    if h is None:
        return [
            f"{item.path.name} ({item.origin}): unreadable",
            f"  {item.error}",
            f"  file       {item.path}",
        ]
    p = h.provenance
    lines = [
        f"{h.name} ({h.category}, {item.origin})",
        f"  model      {h.space.describe()}",
        f"  fitted on  {p.get('data', '?')}: {p.get('sentences', '?')} sentences, "
        f"{p.get('label', '?')} (licence {p.get('licence', '?')})",
    ]
    for key, title in (
        ("in_set", "in-set"),
        ("by_outlet", "by outlet"),
        ("cross_set", "cross-set"),
    ):
        m = h.figures.get(key)
        if isinstance(m, dict) and "auc" in m:
            lines.append(f"  {title:<10} macro-F1 {m['macro_f1']}, ROC-AUC {m['auc']} (n={m['n']})")
    lines += [f"  threshold  {h.threshold:.4f}", f"  file       {item.path}"]
    return lines


# copydesk heads fit ------------------------------------------------------------------------


def open_desk(settings: Settings) -> Any:
    """The desk whose ``embed_async(texts)`` gives the embeddings (the model service's:
    L2-normalised, mean-pooled, with the model's name and sha256)."""
    from copydesk.runner import Copydesk

    return Copydesk(settings)


async def _embed_all(
    desk: Any, texts: Sequence[str], err: Console
) -> tuple[list[list[float]], Any]:
    vectors: list[list[float]] = []
    answer: Any = None
    for i in range(0, len(texts), BATCH):
        batch = list(texts[i : i + BATCH])
        answer = await desk.embed_async(batch)
        if len(answer.vectors) != len(batch):
            raise ConfigError("the endpoint gave a different number of embeddings than asked")
        vectors.extend(answer.vectors)
        err.print(f"embedded {len(vectors)}/{len(texts)}")
    return vectors, answer


def embed_all(desk: Any, texts: Sequence[str], err: Console) -> tuple[list[list[float]], Any]:
    """Every text's vector, ``BATCH`` a request (in one event loop), and the last answer,
    which names the model."""
    return asyncio.run(_embed_all(desk, texts, err))


def _require_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:
        raise ConfigError(
            "fitting a head needs numpy, which the default install leaves out",
            "pip install 'copydesk[heads]'",
        ) from None


@heads_group.command("fit")
@click.option("--data", "data_path", type=Path, required=True, help="Labelled JSONL.")
@click.option("--label", default="label", show_default=True, help="The 0/1 field to fit.")
@click.option("--text-field", default="text", show_default=True, help="The sentence field.")
@click.option("--group", default=None, help="Field kept whole in CV folds (e.g. topic).")
@click.option("-o", "--output", type=Path, required=True, help="The head file to write.")
@click.option("--name", default=None, help="The head's name (default: the output's stem).")
@click.option(
    "--category",
    type=click.Choice(CATEGORIES),
    default="loaded_language",
    show_default=True,
    help="The finding category the head's findings get.",
)
@click.option("--licence", default="not stated", help="The licence of the data, recorded.")
@click.option("--source", default="", help="Where the data comes from, recorded.")
@click.option(
    "--test",
    "test_path",
    type=Path,
    default=None,
    help="A labelled JSONL of other data to measure the head on, unchanged (a cross-set figure).",
)
@click.option("--provider", default=None, help="Model provider (default: as for check).")
@click.option("--model", default=None, help="The embedding model's name.")
@click.option("--base-url", default=None, help="An OpenAI-compatible endpoint's /v1 URL.")
def fit_cmd(
    data_path: Path,
    label: str,
    text_field: str,
    group: str | None,
    output: Path,
    name: str | None,
    category: str,
    licence: str,
    source: str,
    test_path: Path | None,
    provider: str | None,
    model: str | None,
    base_url: str | None,
) -> None:
    """Fit a head on labelled sentences, for the model that embeds them.

    DATA has one JSON object a line: the sentence (--text-field) and a 0/1 label
    (--label; null rows are left out). The head file records the embedding model, the
    data's name and licence, the cross-validated figures and the threshold chosen.
    Put it in the user heads folder ($COPYDESK_HEADS_DIR) or name it in the config
    ([plugins.judgement] heads = [...]) for `copydesk check` to use it.
    """
    _require_numpy()  # before any embedding: a missing extra is not worth an hour's wait
    data = read_labelled(data_path, label, text_field, group)
    test = read_labelled(test_path, label, text_field) if test_path else None
    err = Console(stderr=True, highlight=False)
    err.print(
        f"{data_path.name}: {len(data.texts)} labelled ({sum(data.labels)} positive), "
        f"{data.unlabelled} without a label left out"
    )
    settings = Settings.resolve(provider=provider, model=model, base_url=base_url)
    desk = open_desk(settings)
    try:
        vectors, answer = embed_all(desk, data.texts, err)
        test_vectors = embed_all(desk, test.texts, err)[0] if test else None
    finally:
        desk.close()
    space = EmbeddingSpace(
        model=answer.model,
        sha256=answer.model_sha256,
        pooling="mean",
        dimensions=len(vectors[0]),
    )
    fitted_on = {"data": data_path.name, "source": source, "licence": licence, "label": label}
    head_name = name or output.name.split(".")[0]
    path = fit_and_write(
        data, vectors, space, output, head_name, category, fitted_on, test, test_vectors
    )
    head = read_head(path)
    for key, m in head.figures.items():
        if isinstance(m, dict) and "auc" in m:
            err.print(f"{key}: macro-F1 {m['macro_f1']}  ROC-AUC {m['auc']}  n={m['n']}")
    click.echo(str(path))


def fit_and_write(
    data: Labelled,
    vectors: list[list[float]],
    space: EmbeddingSpace,
    output: Path,
    name: str,
    category: str,
    fitted_on: dict[str, Any],
    test: Labelled | None = None,
    test_vectors: list[list[float]] | None = None,
) -> Path:
    """Cross-validate, fit on all of ``data``, and write the head file."""
    import numpy as np

    from .fitting import cross_validate, fit_head, splits_for
    from .making import head_body
    from .measures import at_threshold

    x, y = np.array(vectors, dtype=np.float64), np.array(data.labels)
    groups = np.array(data.groups) if data.groups else None
    splits = splits_for(y, groups, 5, seed=14)
    scheme = "5-fold, each group in one fold" if groups is not None else "stratified 5-fold"
    figures: dict[str, Any] = {"in_set": {**cross_validate(x, y, splits, groups), "scheme": scheme}}
    fitted = fit_head(x, y, groups)
    if test is not None and test_vectors is not None:
        tx = np.array(test_vectors, dtype=np.float64)
        figures["cross_set"] = at_threshold(
            np.array(test.labels), fitted.probability(tx), fitted.threshold
        )
    body = head_body(
        fitted,
        name=name,
        category=category,
        description=f"{fitted_on['label']} of {fitted_on['data']}",
        space=space,
        fitted_on={
            **fitted_on,
            "sentences": len(y),
            "positives": int(y.sum()),
            "by": "copydesk heads fit",
        },
        figures=figures,
    )
    return write_head(output, body)
