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


class Embedder:
    """Embeds one text per request (so each has its own token count) through an
    OpenAI-compatible client; the embedded server, if this started one, stops at close()."""

    def __init__(
        self,
        model: EmbeddingModel,
        start: Callable[[], tuple[Any, Any]] | None,
        request_model: str,
    ):
        self.model = model
        #: Starts the endpoint on the first text not in the cache: (client, server handle).
        #: ``None``: use the cache only.
        self._start = start
        self._client: Any = None
        self._request_model = request_model
        self._handle: Any = None  # the xllamacpp.Server: dropping it stops the server
        self.cache = EmbeddingCache(model)
        self.computed_tokens = 0
        self.computed_seconds = 0.0

    def client(self) -> Any:
        if self._client is None:
            if self._start is None:
                raise SystemExit("a text has no cached embedding and --cached-only was given")
            self._client, self._handle = self._start()
        return self._client

    def embed(self, texts: Sequence[str], progress: str | None = None) -> list[Embedded]:
        out: list[Embedded] = []
        todo = sum(1 for t in texts if self.cache.get(t) is None)
        done = 0
        for text in texts:
            hit = self.cache.get(text)
            if hit is None:
                started = time.perf_counter()
                resp = self.client().embeddings.create(
                    model=self._request_model, input=[self.model.prefix + text]
                )
                self.computed_seconds += time.perf_counter() - started
                tokens = int(resp.usage.prompt_tokens) if resp.usage else 0
                self.computed_tokens += tokens
                hit = Embedded([float(x) for x in resp.data[0].embedding], tokens)
                self.cache.put(text, hit)
                done += 1
                if progress and (done % 50 == 0 or done == todo):
                    rate = self.computed_tokens / max(self.computed_seconds, 1e-9)
                    print(
                        f"  {progress}: {done}/{todo} embedded, {rate:.1f} tok/s", file=sys.stderr
                    )
            out.append(hit)
        return out

    def close(self) -> None:
        self._handle = None


def embedded(
    model_name: str, threads: int, prefix: str = "", cached_only: bool = False
) -> Embedder:
    """The embedded model (a catalogue name), started for embeddings on the first text
    that is not in the cache."""
    try:  # the embedded model's modules moved into plugins/local with the model service
        from copydesk.plugins.local.catalogue import load_catalogue
        from copydesk.plugins.local.pull import present
    except ImportError:
        from copydesk.local.catalogue import load_catalogue
        from copydesk.local.pull import present

    entry = load_catalogue().models[model_name]

    def start() -> tuple[Any, Any]:
        import openai
        import xllamacpp

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
    return Embedder(model, None if cached_only else start, model_name)


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
