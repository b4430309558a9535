"""What the judgement checker's embedding call costs on an article, and what it finds.

    python bench/heads_cost.py [samples/lavrov-pakistan-2021.txt] [--threads 2]

Starts the embedded model for embeddings (as bench/heads_embed.py does, never from a
cache: the cost is the point), and embeds in one request the sentences the checker
judges (those with at least three content words in the reporter's voice), as its one
``ctx.embed`` call does; then, for comparison, every sentence of the body. Prints the
model-computed tokens and seconds of each, the seconds of scoring with every installed
head in plain Python, and the checker's findings (with the installed heads).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heads_embed import embedded

from copydesk.furniture import strip_furniture
from copydesk.plugins.heads import installed_heads
from copydesk.plugins.heads.sentences import embedding_text, judged_sentences
from copydesk.plugins.judgement import judgement
from copydesk.plugins.text_helpers import article_sentences
from copydesk.types import Article

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "lavrov-pakistan-2021.txt"


@dataclass
class Embedded:
    vectors: list[list[float]]
    model: str
    model_sha256: str | None


@dataclass
class Context:
    """The checker's context, ``embed`` answering from the vectors computed here."""

    article: Article
    vectors: dict[str, list[float]]
    model: str
    sha256: str | None

    async def embed(self, texts: Sequence[str]) -> Embedded:
        return Embedded([self.vectors[t] for t in texts], self.model, self.sha256)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("article", type=Path, nargs="?", default=SAMPLE)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    article = Article(text=args.article.read_text(encoding="utf-8"))
    strip_furniture(article)
    judged = [s.text for s in judged_sentences(article)]
    every = [embedding_text(article.text[s.start : s.end]) for s in article_sentences(article)]
    embedder = embedded(args.model, args.threads)
    started = time.perf_counter()
    client = embedder.client()
    load = time.perf_counter() - started
    figures: dict[str, Any] = {}
    try:
        for name, texts in (("judged", judged), ("every", every)):
            started = time.perf_counter()
            answer = client.embeddings.create(model=args.model, input=texts)
            figures[name] = (
                len(texts),
                answer.usage.prompt_tokens,
                time.perf_counter() - started,
                {t: d.embedding for t, d in zip(texts, answer.data, strict=True)},
            )
    finally:
        embedder.close()
    n, tokens, seconds, vectors = figures["judged"]
    n_all, tokens_all, seconds_all, _ = figures["every"]
    print(f"{args.article.name}: {embedder.model.source}, model load {load:.1f} s")
    print(
        f"  the checker's one request: {n} of {n_all} sentences, {tokens} model-computed "
        f"tokens, {seconds:.1f} s ({tokens / seconds:.0f} tok/s)"
    )
    print(f"  every sentence instead: {tokens_all} tokens, {seconds_all:.1f} s")
    heads = [h for h in installed_heads() if h.applies_to(args.model, embedder.model.sha256)]
    started = time.perf_counter()
    for head in heads:
        for v in vectors.values():
            head.score(v)
    scoring = time.perf_counter() - started
    print(
        f"  scoring {n} sentences with {len(heads)} heads in plain Python: {1000 * scoring:.1f} ms"
    )
    ctx = Context(article, vectors, args.model, embedder.model.sha256)
    for f in asyncio.run(judgement.check(ctx)):  # type: ignore[arg-type]
        print(f"  {f.category:<18} {f.confidence:.2f}  {f.quote!r}")
    for head in heads:
        for text, v in vectors.items():
            p = head.score(v)
            mark = "*" if p >= head.threshold else " "
            print(f"    {head.name:<16} {p:.2f}{mark} {text[:80]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
