"""Making a head file: the labelled data a user gives ``copydesk heads fit``, and the
file's body from a fitted head, its embedding space, provenance and figures.

Reading the data needs nothing beyond the standard library, so a bad file is reported
before any embedding is computed; building the body takes a fitted head from
:mod:`.fitting` (numpy).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .head_file import FORMAT, EmbeddingSpace, HeadError

if TYPE_CHECKING:
    from .fitting import Fitted

#: The vector each head file records its own score of, so that a test can check the file
#: and the scoring code together with no embedding at hand.
SELF_CHECK = "sin(i + 1) for i in range(dimensions), L2-normalised"
_TRUE = (1, True, "1", "true", "yes")
_FALSE = (0, False, "0", "false", "no")


def self_check_vector(dimensions: int) -> list[float]:
    v = [math.sin(i + 1) for i in range(dimensions)]
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[int]
    groups: list[str] | None
    #: Rows left out because their label was null or empty (BABE's "no agreement").
    unlabelled: int


def read_labelled(
    path: Path, label: str = "label", text: str = "text", group: str | None = None
) -> Labelled:
    """One JSON object a line with ``text`` and a 0/1 ``label`` (true/false, "1"/"0"
    too; null or missing: left out); ``group``, if named, keeps rows of the same value on
    one side of every cross-validation split. Any other malformed line is an error that
    names it, before anything is embedded."""
    texts: list[str] = []
    labels: list[int] = []
    groups: list[str] = []
    unlabelled = 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise HeadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise HeadError(f"{path} is not UTF-8 text: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise HeadError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise HeadError(f"{where}: each line must be a JSON object")
        value = row.get(label)
        if value is None or value == "":
            unlabelled += 1
            continue
        value = value.lower() if isinstance(value, str) else value
        if value not in _TRUE and value not in _FALSE:
            raise HeadError(f"{where}: {label!r} is {row.get(label)!r}, not 0/1 or true/false")
        sentence = row.get(text)
        if not isinstance(sentence, str) or not sentence.strip():
            raise HeadError(f"{where}: no {text!r} text")
        texts.append(sentence)
        labels.append(1 if value in _TRUE else 0)
        groups.append(str(row.get(group, "")) if group else "")
    if len(set(labels)) < 2:
        raise HeadError(
            f"{path}: {len(labels)} labelled rows, not both classes: a head needs examples "
            f"with {label} 1 and with {label} 0"
        )
    return Labelled(texts, labels, groups if group else None, unlabelled)


def head_body(
    fitted: Fitted,
    *,
    name: str,
    category: str,
    description: str,
    space: EmbeddingSpace,
    fitted_on: dict[str, Any],
    figures: dict[str, Any],
) -> dict[str, Any]:
    """The JSON of a head file (:func:`copydesk.plugins.heads.head_file.head_from_dict`)."""
    # float32 precision, as the embeddings come: more digits would only be noise.
    weights = [float(f"{w:.7g}") for w in fitted.linear.weights.tolist()]
    bias = float(f"{fitted.linear.bias:.7g}")
    check = self_check_vector(len(weights))
    z = math.fsum(w * x for w, x in zip(weights, check, strict=True)) + bias
    scale, shift = round(fitted.scale, 6), round(fitted.shift, 6)
    return {
        "format": FORMAT,
        "name": name,
        "category": category,
        "description": description,
        "embedding": {
            "model": space.model,
            "sha256": space.sha256,
            "pooling": space.pooling,
            "normalised": "L2",
            "prefix": space.prefix,
            "input": "one sentence per input, white space made single spaces",
            "dimensions": len(weights),
        },
        "score": "sigmoid(calibration.scale * (weights . embedding + bias) + calibration.shift)",
        "weights": weights,
        "bias": bias,
        "calibration": {
            "method": "Platt scaling on out-of-fold logits of the data fitted on",
            "scale": scale,
            "shift": shift,
        },
        "threshold": round(fitted.threshold, 4),
        "threshold_chosen": "best macro-F1 on out-of-fold calibrated scores of the data fitted on",
        "fitted_on": {
            **fitted_on,
            "method": "L2 logistic regression on standardised embeddings (Newton-CG, numpy), "
            f"C={fitted.c} chosen by out-of-fold ROC-AUC; standardisation folded into the weights",
            "fitted": dt.date.today().isoformat(),
        },
        "figures": figures,
        "self_check": {
            "vector": SELF_CHECK,
            "logit": z,
            "score": 1.0 / (1.0 + math.exp(-(scale * z + shift))),
        },
    }
