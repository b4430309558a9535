"""Sentence embeddings for bench/heads.py: from the embedded model or any OpenAI-compatible
``/v1/embeddings`` endpoint, kept in a cache file outside the repository so re-runs are free.

The embedded model is started here rather than through copydesk's own server module because
that one starts llama.cpp for chat only: embeddings need ``params.embedding = True`` and a
pooling type (llama.cpp answers ``/v1/embeddings`` with HTTP 501 without the first, and with
400 "Pooling type 'none' is not OAI compatible" without the second). A server started so
still serves ``/v1/chat/completions``, with the same answers, so the product needs one server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The pooling every head in plugins/heads/ was fitted with: the mean of the last hidden
#: layer over the sentence's tokens, L2-normalised by llama.cpp (``embd_normalize`` 2).
POOLING = "mean"
CACHE_DIR_ENV = "COPYDESK_HEADS_CACHE"


def cache_dir() -> Path:
    """Where embeddings are cached: ``$COPYDESK_HEADS_CACHE`` or ~/.cache/copydesk/heads."""
    env = os.environ.get(CACHE_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "copydesk" / "heads"


@dataclass(frozen=True)
class EmbeddingModel:
    """What identifies an embedding space: a head fitted in one applies only there."""

    name: str
    sha256: str | None
    pooling: str
    prefix: str
    source: str  # "embedded (xllamacpp, N threads)" or the endpoint's URL

    @property
    def key(self) -> str:
        ident = f"{self.name}|{self.sha256}|{self.pooling}|{self.prefix}"
        return hashlib.sha256(ident.encode()).hexdigest()[:16]


@dataclass
class Embedded:
    vector: list[float]
    tokens: int


class EmbeddingCache:
    """One JSON line per sentence: the sha256 of the text, its token count and its vector
    (float32, base64). Only hashes of the sentences are stored, never the sentences."""

    def __init__(self, model: EmbeddingModel, folder: Path | None = None) -> None:
        self.path = (folder or cache_dir()) / f"embeddings-{model.key}.jsonl"
        self._rows: dict[str, Embedded] = {}
        self.unreadable = 0
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    raw = base64.b64decode(row["v"])
                except (ValueError, KeyError):
                    self.unreadable += 1  # a line cut short: that text is embedded again
                    continue
                vec = list(struct.unpack(f"<{len(raw) // 4}f", raw))
                self._rows[row["h"]] = Embedded(vec, int(row["n"]))

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def get(self, text: str) -> Embedded | None:
        return self._rows.get(self.digest(text))

    def put(self, text: str, item: Embedded) -> None:
        h = self.digest(text)
        self._rows[h] = item
        self.path.parent.mkdir(parents=True, exist_ok=True)
        blob = base64.b64encode(struct.pack(f"<{len(item.vector)}f", *item.vector)).decode()
        line = (json.dumps({"h": h, "n": item.tokens, "v": blob}) + "\n").encode("utf-8")
        # One write() on an O_APPEND descriptor: two bench runs may add to the same cache,
        # and a buffered file could split a line of ~8 KB into two writes that interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


#: Texts per request to the embedded server. Its one slot runs a request's inputs one
#: after another, each in its own context, so the vectors are those of single-input
#: requests (checked: ``python bench/heads_embed.py --agree N``); what batching saves is the
#: per-request cost of HTTP, the task queue and the OpenAI client. Measured 2026-12-03
#: (``--agree 48 --single 12``, 2 threads, on a loaded 2-core machine): all 48 vectors equal
#: to the cached single-input ones (largest component difference 0.0), all 48 /tokenize
#: counts equal to the single requests' usage; 6.9 tok/s batched against 4.0 one per
#: request in the same process (1.73x).
BATCH = 16


class Embedder:
    """Embeds texts through an OpenAI-compatible client, ``batch`` per request; the
    embedded server, if this started one, stops at close().

    A text's token count is what the endpoint reports for it: with one text per request,
    the request's ``usage.prompt_tokens``; with several, ``count_tokens`` gives each its own
    (the embedded server's ``/tokenize``), and the request's usage must equal their sum, or
    the request is refused. An endpoint without a per-text count is asked one text at a time.
    """

    def __init__(
        self,
        model: EmbeddingModel,
        start: Callable[[], tuple[Any, Any]] | None,
        request_model: str,
        batch: int = 1,
        count_tokens: Callable[[Any, str], int] | None = None,
    ):
        self.model = model
        #: Starts the endpoint on the first text not in the cache: (client, server handle).
        #: ``None``: use the cache only.
        self._start = start
        self._client: Any = None
        self._request_model = request_model
        self._handle: Any = None  # the xllamacpp.Server: dropping it stops the server
        self._count = count_tokens
        self.batch = batch if count_tokens is not None else 1
        self.cache = EmbeddingCache(model)
        self.computed_tokens = 0
        self.computed_seconds = 0.0
        self.requests = 0

    def client(self) -> Any:
        if self._client is None:
            if self._start is None:
                raise SystemExit("a text has no cached embedding and --cached-only was given")
            self._client, self._handle = self._start()
        return self._client

    def compute(self, texts: Sequence[str]) -> list[Embedded]:
        """Embeddings of ``texts`` from the endpoint, in one request, not cached."""
        inputs = [self.model.prefix + t for t in texts]
        started = time.perf_counter()
        resp = self.client().embeddings.create(model=self._request_model, input=inputs)
        self.computed_seconds += time.perf_counter() - started
        self.requests += 1
        total = int(resp.usage.prompt_tokens) if resp.usage else 0
        if len(inputs) == 1:
            counts = [total]
        else:
            assert self._count is not None
            counts = [self._count(self._handle, t) for t in inputs]
            if sum(counts) != total:
                raise RuntimeError(
                    f"per-text token counts sum to {sum(counts)}, the request used {total}"
                )
        self.computed_tokens += total
        rows = sorted(resp.data, key=lambda d: d.index)
        if len(rows) != len(inputs):
            raise RuntimeError(f"asked for {len(inputs)} embeddings, got {len(rows)}")
        return [
            Embedded([float(x) for x in row.embedding], n)
            for row, n in zip(rows, counts, strict=True)
        ]

    def embed(self, texts: Sequence[str], progress: str | None = None) -> list[Embedded]:
        todo = list(dict.fromkeys(t for t in texts if self.cache.get(t) is None))
        done = 0
        for i in range(0, len(todo), self.batch):
            chunk = todo[i : i + self.batch]
            for text, item in zip(chunk, self.compute(chunk), strict=True):
                self.cache.put(text, item)
            done += len(chunk)
            if progress and (done // 50 > (done - len(chunk)) // 50 or done == len(todo)):
                rate = self.computed_tokens / max(self.computed_seconds, 1e-9)
                print(
                    f"  {progress}: {done}/{len(todo)} embedded, {rate:.1f} tok/s", file=sys.stderr
                )
        out = []
        for text in texts:
            hit = self.cache.get(text)
            assert hit is not None
            out.append(hit)
        return out

    def close(self) -> None:
        self._handle = None


def server_token_count(handle: Any, text: str) -> int:
    """The tokens llama.cpp's server embeds for ``text`` (its ``/tokenize``, with the special
    tokens an embedding input gets), so a multi-input request's texts keep their own counts."""
    import urllib.request

    body = json.dumps({"content": text, "add_special": True}).encode("utf-8")
    request = urllib.request.Request(
        f"{handle.listening_address}/tokenize",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as resp:
        return len(json.loads(resp.read())["tokens"])


def embedded(
    model_name: str,
    threads: int,
    prefix: str = "",
    cached_only: bool = False,
    batch: int = BATCH,
) -> Embedder:
    """The embedded model (a catalogue name), started for embeddings on the first text
    that is not in the cache."""
    from copydesk.plugins.local.catalogue import load_catalogue

    entry = load_catalogue().models[model_name]

    def start() -> tuple[Any, Any]:
        import openai
        import xllamacpp

        from copydesk.plugins.local.pull import present

        path = present(entry)
        if path is None:
            raise SystemExit(f"{model_name} is not pulled: copydesk models pull {model_name}")
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = [model_name]
        params.n_ctx = 2048
        # One slot: with several, llama.cpp 0.2's embeddings of a multi-input request
        # came out different from the same sentences embedded alone (cosine down to
        # 0.45, measured); with one they agree to 1e-7.
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.cpuparams.poll = 0
        params.cpuparams_batch.poll = 0
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.ui = False
        params.verbosity = 0
        # What /v1/embeddings needs; chat completions keep working on the same server.
        params.embedding = True
        params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
        handle = xllamacpp.Server(params)
        client = openai.OpenAI(base_url=f"{handle.listening_address}/v1", api_key="none")
        return client, handle

    model = EmbeddingModel(
        name=model_name,
        sha256=entry.sha256,
        pooling=POOLING,
        prefix=prefix,
        source=f"embedded (llama.cpp via xllamacpp, {threads} thread{'s' * (threads != 1)})",
    )
    return Embedder(model, None if cached_only else start, model_name, batch, server_token_count)


def endpoint(
    base_url: str, model_name: str, prefix: str = "", pooling: str = "endpoint"
) -> Embedder:
    """Any OpenAI-compatible embeddings endpoint (Ollama, vLLM, OpenAI); the key from
    $OPENAI_API_KEY if set. Its model file's sha256 is unknown here, so it is recorded as None."""
    import openai

    def start() -> tuple[Any, Any]:
        key = os.environ.get("OPENAI_API_KEY", "none")
        return openai.OpenAI(base_url=base_url, api_key=key), None

    model = EmbeddingModel(model_name, None, pooling, prefix, base_url)
    return Embedder(model, start, model_name)


def open_embedder(
    base_url: str | None, model_name: str, threads: int, prefix: str = "", cached_only: bool = False
) -> Embedder:
    if base_url:
        embedder = endpoint(base_url, model_name, prefix)
        if cached_only:
            embedder._start = None
        return embedder
    return embedded(model_name, threads, prefix, cached_only)


def agreement(embedder: Embedder, texts: Sequence[str], single: int) -> dict[str, Any]:
    """``texts`` (already cached, embedded one per request) embedded again: the first
    ``single`` one per request (the speed baseline), then all ``embedder.batch`` per request.
    The largest difference of any vector component from the cached ones, how many token
    counts differ from theirs, and the speed of each way, in the same process."""
    import numpy as np

    cached = [embedder.cache.get(t) for t in texts]
    if any(c is None for c in cached):
        raise SystemExit("--agree needs texts that are cached already")
    out: dict[str, Any] = {"texts": len(texts), "batch": embedder.batch}
    for label, size, n in (("single", 1, single), ("batched", embedder.batch, len(texts))):
        tokens0, seconds0 = embedder.computed_tokens, embedder.computed_seconds
        got: list[Embedded] = []
        for i in range(0, n, size):
            got += embedder.compute(texts[i : min(i + size, n)])
        diffs = [
            float(np.max(np.abs(np.array(g.vector) - np.array(c.vector))))
            for g, c in zip(got, cached[:n], strict=True)
            if c is not None
        ]
        seconds = embedder.computed_seconds - seconds0
        tokens = embedder.computed_tokens - tokens0
        out[label] = {
            "texts": n,
            "max_abs_diff": max(diffs),
            "token_counts_differing": sum(
                g.tokens != c.tokens for g, c in zip(got, cached[:n], strict=True) if c is not None
            ),
            "tokens": tokens,
            "seconds": round(seconds, 2),
            "tok_per_s": round(tokens / max(seconds, 1e-9), 1),
        }
    out["speedup"] = round(out["batched"]["tok_per_s"] / max(out["single"]["tok_per_s"], 1e-9), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    from heads_data import babe_sentences

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agree", type=int, default=40, help="cached BABE sentences to check")
    parser.add_argument("--babe", type=Path, required=True, help="babe_dev.jsonl")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single", type=int, default=12, help="of them, one per request too")
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args(argv)
    embedder = embedded(args.model, args.threads, batch=args.batch)
    texts = [s.text for s in babe_sentences(args.babe) if embedder.cache.get(s.text)]
    print(json.dumps(agreement(embedder, texts[: args.agree], args.single), indent=2))
    embedder.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
