"""Testing copydesk plugins: a fake model for unit tests, and fixtures that replay cassettes.

Installed as a pytest plugin (the ``pytest11`` entry point), so a plugin author's tests
get these fixtures with no import:

``fake_model``
    A :class:`FakeModel`: script its answers (``fake_model.answer("claims", {...})``),
    then ``run_copydesk(text, fake_model=fake_model)``. Requests go through the real
    openai client and copydesk's validation, in-process, with no network.

``run_copydesk``
    ``run_copydesk(text_or_path, *, cassette=None, record=False, fake_model=None,
    checkers=None, **settings) -> dict`` runs the whole pipeline with every installed
    plugin and returns the JSON report. With ``cassette=PATH`` it replays recorded
    answers (record them once with ``record=True`` against a real endpoint, or with
    ``copydesk check ARTICLE --record PATH``).

The fake model is for *unit* tests of how a plugin handles answers; a cassette is for
what a real model said. Never save a fake answer into a cassette.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .components import Capabilities, Endpoint
from .settings import Settings


@dataclass
class FakeReply:
    """One scripted reply: JSON ``content`` (or raw text), or an HTTP error ``status``."""

    content: Any = None
    finish_reason: str = "stop"
    refusal: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def text(self) -> str | None:
        if self.content is None or isinstance(self.content, str):
            return self.content
        return json.dumps(self.content)


Script = (
    FakeReply
    | dict[str, Any]
    | str
    | Callable[[dict[str, Any]], "FakeReply | dict[str, Any] | str"]
)


class FakeModel:
    """An in-process stand-in for an OpenAI-compatible endpoint.

    Replies are scripted per prompt name (the name copydesk puts in the request's
    response schema). A list of replies is used in order, the last one repeating, so
    ``[broken, valid]`` scripts a re-ask. Every request is kept in ``requests``.
    """

    model = "fake-model"

    def __init__(self) -> None:
        self.scripts: dict[str, list[Script]] = {}
        #: What ``/embeddings`` answers for one text; :meth:`embed_with` replaces it.
        self.embedder: Callable[[str], list[float]] = _hashed_vector
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def answer(self, prompt: str, *replies: Script) -> FakeModel:
        """Script the replies to ``prompt``; a dict is sent as JSON content."""
        self.scripts[prompt] = list(replies)
        return self

    def embed_with(self, embedder: Callable[[str], list[float]]) -> FakeModel:
        """Answer embeddings requests with ``embedder(text)`` for each text."""
        self.embedder = embedder
        return self

    def prompts_asked(self) -> list[str]:
        return [self._prompt(r) for r in self.requests]

    @staticmethod
    def _prompt(request: dict[str, Any]) -> str:
        if "input" in request and "messages" not in request:
            return "embeddings"
        fmt = request.get("response_format") or {}
        return str((fmt.get("json_schema") or {}).get("name", ""))

    def _next(self, request: dict[str, Any]) -> FakeReply:
        prompt = self._prompt(request)
        if prompt not in self.scripts:
            return FakeReply(
                status=500,
                content={"error": {"message": f"fake model: no script for prompt {prompt!r}"}},
            )
        queue = self.scripts[prompt]
        script = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(script):
            script = script(request)
        if isinstance(script, FakeReply):
            return script
        return FakeReply(content=script)

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any], float]:
        """Status, headers, JSON payload and delay for one chat-completions (or embeddings)
        request."""
        self.requests.append(body)
        if "input" in body and "messages" not in body:
            return 200, {}, self._embeddings(body), 0.0
        reply = self._next(body)
        if reply.status != 200:
            payload = (
                reply.content
                if isinstance(reply.content, dict)
                else {"error": {"message": str(reply.content)}}
            )
            return reply.status, reply.headers, payload, reply.delay
        content = reply.text()
        prompt_chars = sum(len(m.get("content", "")) for m in body.get("messages", []))
        return (
            200,
            reply.headers,
            {
                "id": f"fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", self.model),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": reply.finish_reason,
                        "message": {
                            "role": "assistant",
                            "content": content,
                            "refusal": reply.refusal,
                        },
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_chars // 4,
                    "completion_tokens": len(content or "") // 4,
                    "total_tokens": (prompt_chars + len(content or "")) // 4,
                },
            },
            reply.delay,
        )

    def _embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return {
            "object": "list",
            "model": body.get("model", self.model),
            "data": [
                {"object": "embedding", "index": i, "embedding": self.embedder(str(text))}
                for i, text in enumerate(texts)
            ],
            "usage": {
                "prompt_tokens": sum(len(str(t)) for t in texts) // 4,
                "total_tokens": sum(len(str(t)) for t in texts) // 4,
            },
        }

    def transport(self) -> Any:
        """An httpx transport that answers in-process (no socket at all)."""
        import httpx2

        async def handle(request: httpx2.Request) -> httpx2.Response:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                status, headers, payload, delay = self.respond(json.loads(request.content or b"{}"))
                if delay:
                    await asyncio.sleep(delay)
            finally:
                self.in_flight -= 1
            return httpx2.Response(status, json=payload, headers=headers)

        return httpx2.MockTransport(handle)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve this fake over real HTTP on 127.0.0.1; yields the base URL (``.../v1``)."""
        fake = self
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    status, headers, payload, delay = fake.respond(body)
                try:
                    if delay:
                        time.sleep(delay)
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up first (a time-out test, Ctrl-C): nobody is left to
                    # answer, and socketserver would print a traceback into the test's
                    # captured output.
                    pass
                finally:
                    with lock:
                        fake.in_flight -= 1

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read the requests from ``FakeModel.requests``."""

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/v1"
        finally:
            server.shutdown()
            server.server_close()


def _hashed_vector(text: str, dimensions: int = 8) -> list[float]:
    """A stand-in embedding: the same text always gets the same vector, others another."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [(byte - 127.5) / 127.5 for byte in digest[:dimensions]]


class FakeProvider:
    """A provider whose endpoint is a :class:`FakeModel`, in-process."""

    name = "fake"
    description = "an in-process scripted model, for tests"

    def __init__(self, model: FakeModel) -> None:
        self.fake = model

    def capabilities(self, settings: Settings) -> Capabilities:
        return Capabilities()

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint:
        return Endpoint(
            base_url="http://fake.invalid/v1",
            model=FakeModel.model,
            transport=self.fake.transport(),
            info={"server": "copydesk.testing.FakeModel"},
        )

    def close(self) -> None:
        """Nothing to stop."""


def run(
    text_or_path: str | Path,
    *,
    fake_model: FakeModel | None = None,
    cassette: Path | None = None,
    record: bool = False,
    checkers: list[str] | None = None,
    summariser: str | None = "llm",
    extractor: str | None = "llm",
    use_model: bool = True,
    prompts_dirs: list[Path] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Run the pipeline on one article and return the JSON report (validated and grounded).

    ``summariser=None`` or ``extractor=None`` leaves that stage out, so a checker's tests
    need script (or record) only the calls the checker makes."""
    from .checking import cassette_for, for_cassette
    from .host import load_host
    from .inputs import article_from_bytes
    from .report import report_problems
    from .runner import Copydesk

    if isinstance(text_or_path, Path):
        data, where = text_or_path.read_bytes(), str(text_or_path)
    else:
        data, where = text_or_path.encode("utf-8"), "test article"
    article = article_from_bytes(data, where)
    host = load_host()
    if fake_model is not None:
        provider = FakeProvider(fake_model)
        host.components["provider"]["fake"] = provider
        settings.setdefault("provider", "fake")
    config = for_cassette(
        Settings(prompts_dirs=list(prompts_dirs or []), **settings),
        record=cassette if record else None,
        replay=None if record else cassette,
        provider=settings.get("provider"),
        model=settings.get("model"),
    )
    desk = Copydesk(
        config,
        host,
        checkers=checkers,
        summariser=summariser,
        extractor=extractor,
        use_model=use_model,
    )
    with cassette_for(
        desk,
        record=cassette if record else None,
        replay=None if record else cassette,
        command="copydesk.testing.run",
        rerecord="copydesk.testing.run(record=True)"
        if record
        else "re-run the test with record=True",
    ):
        report = desk.check(article).to_dict()
    problems = report_problems(report)
    assert not problems, problems
    return report


@pytest.fixture
def fake_model() -> FakeModel:
    """A scripted in-process model: ``fake_model.answer("summarise", {"summary": "..."})``."""
    return FakeModel()


@pytest.fixture
def run_copydesk() -> Iterator[Callable[..., dict[str, Any]]]:
    """Run copydesk on an article and get the JSON report; see :func:`run`."""
    yield run
