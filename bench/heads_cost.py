"""What scoring every sentence of an article with the shipped heads costs on this machine.

    python bench/heads_cost.py [samples/lavrov-pakistan-2021.txt] [--threads 1]

Starts the embedded model for embeddings (as bench/heads_embed.py does), splits the article
as copydesk does, embeds each sentence (never from a cache: the cost is the point), then
scores it with every installed head in plain Python. Prints the model-computed tokens, the
seconds of embedding (one request per sentence, then all sentences in one request), the
seconds of scoring, and each sentence's scores.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from heads_embed import embedded

from copydesk.furniture import strip_furniture
from copydesk.plugins.heads import installed_heads
from copydesk.plugins.text_helpers import article_sentences
from copydesk.types import Article

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "lavrov-pakistan-2021.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("article", type=Path, nargs="?", default=SAMPLE)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    article = Article(text=args.article.read_text(encoding="utf-8"))
    strip_furniture(article)
    sentences = [
        re.sub(r"\s+", " ", article.text[s.start : s.end]).strip()
        for s in article_sentences(article)
    ]
    started = time.perf_counter()
    embedder = embedded(args.model, args.threads)
    load = time.perf_counter() - started
    client, name = embedder._client, embedder._request_model
    try:
        started = time.perf_counter()
        vectors, tokens = [], 0
        for text in sentences:
            resp = client.embeddings.create(model=name, input=[text])
            vectors.append(resp.data[0].embedding)
            tokens += resp.usage.prompt_tokens
        one_by_one = time.perf_counter() - started
        started = time.perf_counter()
        batch = client.embeddings.create(model=name, input=sentences)
        in_one = time.perf_counter() - started
    finally:
        embedder.close()
    heads = installed_heads()
    started = time.perf_counter()
    scores = {h: [head.score(v) for v in vectors] for h, head in heads.items()}
    scoring = time.perf_counter() - started
    print(
        f"{args.article.name}: {len(sentences)} sentences, {tokens} model-computed tokens "
        f"({batch.usage.prompt_tokens} in one request); {embedder.model.source}"
    )
    print(
        f"  model load {load:.1f} s; embedding one request per sentence {one_by_one:.1f} s "
        f"({tokens / one_by_one:.1f} tok/s), all in one request {in_one:.1f} s"
    )
    print(
        f"  scoring {len(sentences)} sentences with {len(heads)} heads in plain Python: "
        f"{1000 * scoring:.2f} ms"
    )
    for i, text in enumerate(sentences):
        marks = "  ".join(
            f"{h}={scores[h][i]:.2f}{'*' if scores[h][i] >= heads[h].threshold else ' '}"
            for h in heads
        )
        print(f"  {marks}  {text[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
