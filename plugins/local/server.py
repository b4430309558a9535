"""llama.cpp's OpenAI-compatible server, run inside this process through xllamacpp.

One server per process: :func:`ensure_started` starts it the first time and hands back the
same one afterwards (a different model or context size restarts it). It listens on
127.0.0.1 on a port the OS picks, and stops at :func:`stop`, which also runs at interpreter
exit, including after Ctrl-C.

llama.cpp logs to stderr from C++; it is silenced by default. ``$COPYDESK_LLAMA_LOG`` sets
its level when diagnosing: 0 nothing (default), 1 errors, 2 warnings, 3 info, 4 debug.

xllamacpp is an optional dependency (``pip install 'copydesk[local]'``), imported only when
a server is started.
"""

from __future__ import annotations

import atexit
import importlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from copydesk import interrupt
from copydesk.errors import ConfigError, ModelError
from copydesk.trace import trace

LOG_ENV = "COPYDESK_LLAMA_LOG"
INSTALL_HINT = "pip install 'copydesk[local]'"


@dataclass(frozen=True)
class ServerConfig:
    """What a server was started with; a request for a different one restarts it."""

    model_path: Path
    model_name: str
    model_sha256: str
    n_ctx: int
    seed: int
    threads: int


@dataclass(frozen=True)
class RunningServer:
    """A started server: where it listens, and what to record about it."""

    address: str
    config: ServerConfig
    info: dict[str, Any] = field(hash=False)

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API root, for ``openai.OpenAI(base_url=...)``."""
        return f"{self.address}/v1"


_lock = threading.Lock()
# The xllamacpp.Server lives only here: dropping this last reference is what stops it.
_handle: Any = None
_running: RunningServer | None = None


def available_threads() -> int:
    """The cores this process may run on (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def xllamacpp_version() -> str | None:
    """The installed xllamacpp version, without importing it; ``None`` if not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xllamacpp")
    except PackageNotFoundError:
        return None


def server_info(model_name: str, model_sha256: str) -> dict[str, Any]:
    """What a report records about the embedded server and its model."""
    return {
        "server": f"llama.cpp via xllamacpp {xllamacpp_version() or '(not installed)'}",
        "model_file": model_name,
        "model_sha256": model_sha256,
    }


def ensure_started(
    model_path: Path,
    *,
    model_name: str,
    model_sha256: str,
    n_ctx: int,
    seed: int,
    threads: int | None = None,
) -> RunningServer:
    """The running server for this model, starting it (or restarting it) if needed.

    Thread-safe. ``model_name`` is the name requests use (``model=``). Raises
    :class:`ModelError` if xllamacpp is missing or the model does not load.
    """
    global _handle, _running
    config = ServerConfig(
        model_path=Path(model_path),
        model_name=model_name,
        model_sha256=model_sha256,
        n_ctx=n_ctx,
        seed=seed,
        threads=threads or available_threads(),
    )
    with _lock:
        if _running is not None and _running.config == config:
            return _running
        _stop_locked()
        xllamacpp = require_xllamacpp()
        if not config.model_path.is_file():
            raise ModelError(
                f"the model file {config.model_path} does not exist",
                f"pull it: copydesk models pull {model_name}",
            )
        params = _params(xllamacpp, config)
        try:
            handle = xllamacpp.Server(params)
            address = str(handle.listening_address)
        except Exception as exc:  # whatever the C++ side raised, the user gets a ModelError
            raise ModelError(
                f"the embedded model server could not start with {config.model_path} "
                f"({str(exc) or type(exc).__name__})",
                f"the file may be damaged (copydesk models rm {model_name}, then pull it again) "
                f"or memory may be short; set {LOG_ENV}=1 to see llama.cpp's errors",
            ) from exc
        _handle = handle
        trace(f"embedded model server {model_name} listening at {address}")
        _running = RunningServer(
            address=address,
            config=config,
            info=server_info(model_name, model_sha256),
        )
        return _running


def running() -> RunningServer | None:
    """The server this process started, if it is running."""
    return _running


def stop() -> None:
    """Stop the server if one is running; returns once its threads have finished.

    After Ctrl-C it returns at once instead: joining the server's threads would wait
    for the request in flight to be generated to its end (a minute on a small CPU), and
    the process, which is ending, stops them anyway (see copydesk.interrupt)."""
    if interrupt.requested():
        return
    with _lock:
        _stop_locked()


def _stop_locked() -> None:
    global _handle, _running
    # The destructor joins the server's loop; keep no other reference so it runs here.
    _handle = None
    _running = None


def require_xllamacpp() -> ModuleType:
    """The xllamacpp module; a :class:`ModelError` saying how to install it if it is missing."""
    try:
        return importlib.import_module("xllamacpp")
    except ImportError as exc:
        raise ModelError(
            f"the embedded model needs xllamacpp, which is not installed ({exc})",
            f"{INSTALL_HINT}, or use another provider (--provider openai)",
        ) from exc


def _log_level() -> int:
    raw = os.environ.get(LOG_ENV, "0").strip() or "0"
    try:
        level = int(raw)
    except ValueError:
        level = -1
    if not 0 <= level <= 4:
        raise ConfigError(
            f"{LOG_ENV} must be a number from 0 to 4, not {raw!r}",
            "0 silent, 1 errors, 2 warnings, 3 info, 4 debug",
        )
    return level


def _params(xllamacpp: ModuleType, config: ServerConfig) -> Any:
    params = xllamacpp.CommonParams()
    params.model.path = str(config.model_path)
    params.model_alias = [config.model_name]
    params.n_ctx = config.n_ctx
    # One slot: requests queue, and each gets the whole context; on a few CPU cores,
    # parallel slots would only split the same compute.
    params.n_parallel = 1
    params.cpuparams.n_threads = config.threads
    params.cpuparams_batch.n_threads = config.threads
    # llama.cpp's worker threads busy-poll for work by default. With another process on
    # the same cores (a second copydesk, a test run, a browser) polling threads starve
    # each other: measured here, decoding fell from ~150 to 0.3 tok/s. Sleeping instead
    # costs little when the machine is quiet.
    params.cpuparams.poll = 0
    params.cpuparams_batch.poll = 0
    params.sampling.seed = config.seed
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the OS picks a free port, so two copydesk runs never collide
    params.ui = False  # only the API is wanted, not llama.cpp's web chat page
    # /v1/embeddings too (the judgement heads read the model's own representations): the
    # mean of the last layer over a text's tokens, normalised. Without the first llama.cpp
    # answers 501, without the second 400 "Pooling type 'none' is not OAI compatible".
    # Chat completions are served as before, with the same answers.
    params.embedding = True
    params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    # llama.cpp's own threshold: 1 errors, 2 warnings, 3 info; 0 drops even errors.
    params.verbosity = _log_level()
    _speculate(xllamacpp, params)
    return params


#: n-gram speculative decoding: when the last SPECULATE_N tokens occurred earlier in the
#: context, the SPECULATE_M tokens that followed them there are proposed as a draft and
#: checked in one batch. The answers copydesk asks for copy the article's words (claims,
#: quotes, names), so drafts are often right. No draft model. Verifying a draft computes
#: several tokens in one batch, whose numerics differ slightly from one at a time, so
#: where two tokens are nearly tied the answer can differ from the one without drafts;
#: it is the same from run to run (the drafts are). Measured by bench/speculative.py,
#: interleaved in one process on this 2-core machine: on the sample's recorded requests
#: the same bytes, decode time 0.59x and 0.67x, wall 0.84x and 0.80x of without; on the
#: example plugin's article two of three answers differed, decode 0.77x, wall 0.85x.
SPECULATE_N = 3
SPECULATE_M = 8


def _speculate(xllamacpp: ModuleType, params: Any) -> None:
    kinds = getattr(xllamacpp, "common_speculative_type", None)
    if kinds is None or not hasattr(kinds, "COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE"):
        return  # an xllamacpp from before n-gram drafts: decode one token at a time
    params.speculative.types = [kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    params.speculative.ngram_simple.size_n = SPECULATE_N
    params.speculative.ngram_simple.size_m = SPECULATE_M


atexit.register(stop)
