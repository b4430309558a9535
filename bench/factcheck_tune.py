"""``bench/factcheck.py --tune``: the grid the model-free fact-check's defaults were chosen
from, on FRANK's dev half only.

Each summary's sentences are assessed once, as the ``claim-figures`` checker assesses
them (:func:`copydesk.plugins.evidence.figure_check.assess`: particulars against the
article's best passages and the whole article, wording against the article), and then
decided under every :class:`~copydesk.plugins.evidence.figure_check.Rules` of the grid,
so that the grid costs one pass. A summary is flagged when a sentence is contradicted or
not found, or a quotation in it is not the article's.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from copydesk.evidence import ARTICLE_SOURCE
from copydesk.plugins.evidence.figure_check import DEFAULT_RULES, Assessment, Rules, assess, decide
from copydesk.plugins.evidence.quotes import check_article
from copydesk.plugins.evidence.statements import ToVerify, article_passages
from copydesk.plugins.evidence.together import Document
from copydesk.plugins.evidence.wording import Vocabulary, WordRules
from copydesk.plugins.text_helpers import split_sentences
from copydesk.types import Article, Statement

PASSAGES = 3


def assessments(article: str, summary: str) -> tuple[list[Assessment], bool]:
    """Each sentence of ``summary`` assessed against ``article``, and whether a quotation in
    the summary is not the article's."""
    spans = split_sentences(summary)
    statements = [
        Statement("given_summary", summary[s.start : s.end], s.start, s.end) for s in spans
    ]
    found = article_passages(
        Article(text=article), ARTICLE_SOURCE, [s.quote for s in statements], PASSAGES
    )
    vocabulary, document = Vocabulary(article), Document(article)
    out = [
        assess(
            ToVerify(s, None, s.quote, passages, article), summary, article, vocabulary, document
        )
        for s, passages in zip(statements, found, strict=True)
    ]
    misquoted = any(q.status != "verbatim" for q in check_article(summary, [("article", article)]))
    return out, misquoted


def grid() -> list[Rules]:
    words = [WordRules(absent=99, absent_copied=99)] + [
        WordRules(a, c, b)
        for a, c, b in itertools.product((2, 3, 4), (1, 2), (0.3, 0.4, 0.5))
        if c <= a
    ]
    return [
        Rules(passages=k, missing_in=m, strict=s, words=w)
        for k, m, s, w in itertools.product(
            (1, 3), ("passages", "document", "never"), (True, False), words
        )
    ]


def tune(
    records: Sequence[dict[str, Any]],
    summary_text: Callable[[dict[str, Any]], str],
    balanced_accuracy: Callable[[list[int], list[bool]], float | None],
) -> None:
    assessed = [assessments(r["article"], summary_text(r)) for r in records]
    by_set = {d: [i for i, r in enumerate(records) if r["dataset"] == d] for d in ("cnndm", "bbc")}
    rows = []
    for rules in grid():
        flags = [
            misquoted or any(decide(a, rules)[0] in ("contradicted", "not_found") for a in items)
            for items, misquoted in assessed
        ]
        scores = [
            balanced_accuracy([records[i]["label"] for i in idx], [flags[i] for i in idx]) or 0.0
            for idx in by_set.values()
        ]
        rows.append((min(scores), scores, rules))
    rows.sort(key=lambda r: r[0], reverse=True)
    print("tuning (dev half): the best rules by the lower of CNN/DM and XSum")
    for _low, (cnndm, bbc), rules in rows[:12]:
        mark = "  (default)" if rules == DEFAULT_RULES else ""
        print(f"  cnndm {cnndm:.3f}  bbc {bbc:.3f}  {_describe(rules)}{mark}")
    for _low, (cnndm, bbc), rules in rows:
        if rules == DEFAULT_RULES:
            print(f"  default: cnndm {cnndm:.3f}  bbc {bbc:.3f}  {_describe(rules)}")
        if rules == dataclasses.replace(DEFAULT_RULES, words=WordRules(99, 99)):
            print(f"  no wording rule: cnndm {cnndm:.3f}  bbc {bbc:.3f}")


def _describe(rules: Rules) -> str:
    w = rules.words
    words = (
        "no wording rule"
        if w.absent >= 99
        else (f"absent>={w.absent}, or >={w.absent_copied} when new pairs<{w.copied_below}")
    )
    return f"k={rules.passages} missing in {rules.missing_in} strict={rules.strict} {words}"
