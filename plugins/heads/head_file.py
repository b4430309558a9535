"""A judgement head: the file format, reading and checking it, and scoring with it.

A head is a logistic regression over sentence embeddings, stored as JSON: weights, a
bias, a calibration and a threshold, with what it was fitted on (never the sentences) and
what it measured. Scoring is plain Python: one dot product and two sigmoids a sentence,
so applying a head needs no numpy.

A head's weights mean something only in the embedding space they were fitted in, so a
head names its embedding model (and the model file's sha256 when known) and its pooling,
and :meth:`Head.require_model` refuses embeddings of any other model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copydesk.errors import ConfigError, StageSkipped

#: The version of the head file format this module reads and writes.
FORMAT = 1
#: The suffix of a head file: what ``copydesk heads list`` and the checker look for.
SUFFIX = ".head.json"
_REQUIRED = ("name", "category", "embedding", "weights", "bias", "calibration", "threshold")


class HeadError(ConfigError):
    """A head file that cannot be used: unreadable or malformed."""


class OtherModel(StageSkipped):
    """Embeddings of a model no installed head was fitted on: the heads do not apply, and
    a check reports the judgement stage skipped with this as its reason."""


@dataclass(frozen=True)
class EmbeddingSpace:
    """What a head's weights are relative to: the model, its pooling and its input."""

    model: str
    sha256: str | None
    pooling: str
    dimensions: int
    prefix: str = ""

    def describe(self) -> str:
        sha = f", sha256 {self.sha256[:12]}…" if self.sha256 else ", sha256 not recorded"
        return f"{self.model} ({self.pooling} pooling, {self.dimensions} dimensions{sha})"


@dataclass(frozen=True)
class Head:
    """One fitted head. ``score(vector)`` is the calibrated probability that a sentence
    with this embedding has the head's label; ``threshold`` is the probability at and above
    which the head flags it (chosen on the data it was fitted on)."""

    name: str
    category: str
    description: str
    space: EmbeddingSpace
    weights: tuple[float, ...]
    bias: float
    #: Platt scaling of the raw logit: p = sigmoid(scale * logit + shift).
    scale: float
    shift: float
    threshold: float
    provenance: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def logit(self, vector: Sequence[float]) -> float:
        if len(vector) != len(self.weights):
            raise HeadError(
                f"head {self.name!r} has {len(self.weights)} weights but the embedding has "
                f"{len(vector)} dimensions",
                "the embeddings are not of the model this head was fitted on",
            )
        return math.fsum(w * x for w, x in zip(self.weights, vector, strict=True)) + self.bias

    def score(self, vector: Sequence[float]) -> float:
        return sigmoid(self.scale * self.logit(vector) + self.shift)

    def applies_to(self, model: str, sha256: str | None) -> bool:
        """Whether embeddings from ``model`` (file ``sha256``) are in this head's space.

        The name must match; so must the sha256 when both sides know it (the same name
        may be another quantisation or another build of the weights)."""
        if model != self.space.model:
            return False
        return sha256 is None or self.space.sha256 is None or sha256 == self.space.sha256

    def require_model(self, model: str, sha256: str | None) -> None:
        if not self.applies_to(model, sha256):
            got = f"{model} (sha256 {sha256[:12]}…)" if sha256 else model
            raise OtherModel(
                f"head {self.name!r} was fitted on embeddings of {self.space.describe()}, "
                f"not of {got}: its scores would mean nothing",
                "use the model it was fitted on, or fit a head for this one with "
                "`copydesk heads fit --data labelled.jsonl -o head.json`",
            )


def sigmoid(z: float) -> float:
    # Written for both signs so that a large |z| neither overflows nor loses the tail.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def read_head(path: Path) -> Head:
    """Read and check a head file; a clear :class:`HeadError` for anything wrong in it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HeadError(f"cannot read head file {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise HeadError(f"head file {path} is not JSON: {exc}") from exc
    return head_from_dict(data, path)


def head_from_dict(data: Any, path: Path | None = None) -> Head:
    where = str(path) if path else "head"
    if not isinstance(data, dict):
        raise HeadError(f"{where}: a head file holds one JSON object")
    if data.get("format") != FORMAT:
        raise HeadError(
            f"{where}: head format {data.get('format')!r}, this copydesk reads format {FORMAT}",
            "fit the head again with this version's `copydesk heads fit`",
        )
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise HeadError(f"{where}: missing {', '.join(missing)}")
    emb = data["embedding"]
    weights = data["weights"]
    if not isinstance(weights, list) or not weights:
        raise HeadError(f"{where}: weights must be a non-empty list of numbers")
    try:
        space = EmbeddingSpace(
            model=str(emb["model"]),
            sha256=emb.get("sha256"),
            pooling=str(emb["pooling"]),
            dimensions=int(emb["dimensions"]),
            prefix=str(emb.get("prefix", "")),
        )
        values = tuple(float(w) for w in weights)
        calibration = data["calibration"]
        head = Head(
            name=str(data["name"]),
            category=str(data["category"]),
            description=str(data.get("description", "")),
            space=space,
            weights=values,
            bias=float(data["bias"]),
            scale=float(calibration["scale"]),
            shift=float(calibration["shift"]),
            threshold=float(data["threshold"]),
            provenance=dict(data.get("fitted_on", {})),
            figures=dict(data.get("figures", {})),
            path=path,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise HeadError(f"{where}: malformed ({type(exc).__name__}: {exc})") from exc
    if space.dimensions != len(values):
        raise HeadError(
            f"{where}: {len(values)} weights for an embedding of {space.dimensions} dimensions"
        )
    if not all(math.isfinite(w) for w in values) or not 0.0 < head.threshold < 1.0:
        raise HeadError(f"{where}: weights must be finite and the threshold inside (0, 1)")
    return head


def write_head(path: Path, body: dict[str, Any]) -> Path:
    """Write a head file (``body`` as :func:`head_from_dict` reads it), checked first.

    The weights go on one line, so that a refitted head is a one-line change in a diff
    rather than one line per dimension."""
    head_from_dict(body, path)  # never write a file that would not read back
    text = json.dumps({**body, "weights": "@weights@"}, indent=1, ensure_ascii=False)
    text = text.replace('"@weights@"', json.dumps(body["weights"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path
