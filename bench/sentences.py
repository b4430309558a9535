"""How well the checkers' sentence splitter agrees with BASIL's annotators, and how fast it is.

    python bench/sentences.py --basil ../shared/eval/basil_dev.jsonl [--splitter MODULE:FUNC]

BASIL's annotators marked spans that never run from one sentence into the next, so a span
that the splitter cuts in two is a boundary in the wrong place (lower is better). A splitter
that never splits would cut nothing, so the other figure is the boundaries it finds: of the
spans that end a sentence (their quote ends in ".", "!" or "?", perhaps with a closing
quote, and the text goes on with a space or ends), how many end where a sentence of the
splitter ends (higher is better). The splitting speed is the best of three passes over
every article, in milliseconds per article.

``--splitter`` measures another function with the signature of
``copydesk.plugins.text_helpers.split_sentences`` (default: that one), to compare a
candidate before it is swapped in. The data is read from the path given, never copied.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from copydesk.furniture import strip_furniture
from copydesk.plugins.text_helpers import split_sentences
from copydesk.types import Article, Span

Splitter = Callable[[str, int, "int | None"], list[Span]]

#: A quote that ends a sentence: terminal punctuation, then perhaps closing quotes/brackets.
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")


def sentences_of(article: Article, split: Splitter) -> list[Span]:
    """The article's sentences paragraph by paragraph, as ``article_sentences`` takes them."""
    out: list[Span] = []
    for para in article.paragraphs:
        out.extend(split(article.text, para.start, para.end))
    return out


def score(items: Sequence[dict[str, Any]], split: Splitter) -> dict[str, Any]:
    spans = cut = enders = ended = n_sentences = 0
    examples: list[str] = []
    for item in items:
        article = Article(text=item["text"], title=item.get("title"))
        strip_furniture(article)
        body = article.body_span
        sentences = sentences_of(article, split)
        n_sentences += len(sentences)
        ends = {s.end for s in sentences}
        for span in item["spans"]:
            start, end = span["start"], span["end"]
            if span.get("field", "text") != "text" or start < body.start or end > body.end:
                continue
            spans += 1
            touched = [s for s in sentences if s.start < end and start < s.end]
            if len(touched) > 1:
                cut += 1
                if len(examples) < 5:
                    examples.append(item["text"][touched[0].start : touched[1].end][:300])
            quote = item["text"][start:end].rstrip()
            after = item["text"][end : end + 1]
            if _ENDS_SENTENCE.search(quote) and (not after or after.isspace()):
                enders += 1
                ended += start + len(quote) in ends
    return {
        "articles": len(items),
        "sentences": n_sentences,
        "spans": spans,
        "spans_cut": cut,
        "sentence_final_spans": enders,
        "sentence_final_spans_ended": ended,
        "ended_share": round(ended / enders, 3) if enders else None,
        "cut_examples": examples,
    }


def speed(items: Sequence[dict[str, Any]], split: Splitter) -> float:
    """Milliseconds per article, the best of three passes."""
    articles = [Article(text=item["text"], title=item.get("title")) for item in items]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for article in articles:
            sentences_of(article, split)
        best = min(best, time.perf_counter() - started)
    return round(1000 * best / len(articles), 3)


def load_splitter(spec: str | None) -> Splitter:
    if not spec:
        return split_sentences
    module, _, name = spec.partition(":")
    found: Splitter = getattr(importlib.import_module(module), name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--basil", type=Path, required=True, help="BASIL jsonl (basil_dev.jsonl)")
    parser.add_argument("--splitter", default=None, help="MODULE:FUNC to measure instead")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    with args.basil.open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    split = load_splitter(args.splitter)
    report = score(items, split)
    report["ms_per_article"] = speed(items, split)
    print(
        f"BASIL n={report['articles']}  sentences={report['sentences']}  "
        f"spans cut by a boundary: {report['spans_cut']} of {report['spans']}  "
        f"sentence-final spans ended: {report['sentence_final_spans_ended']} of "
        f"{report['sentence_final_spans']} ({report['ended_share']})  "
        f"{report['ms_per_article']} ms/article"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
