"""Ctrl-C: the ``copydesk`` process stops within a moment, whatever is in flight.

What used to make Ctrl-C slow (a minute and more on the embedded model): stopping
llama.cpp's in-process server joins its threads, and the one working on the request in
flight goes on generating until the answer is complete; the event loop, closing, also
waits for the thread that is starting the server. Neither is needed once the user has
asked to stop: the process is ending, and its threads end with it.

So, under :func:`stop_on_interrupt` (the console script's whole run):

1. the first Ctrl-C raises :class:`KeyboardInterrupt` as usual: the task in flight is
   cancelled (its HTTP request abandoned), ``finally`` blocks run, and since every file
   copydesk writes is written whole or not at all (reports by rename, a cassette being
   recorded into a temporary file that is removed), nothing half-done is left;
2. :func:`requested` is true from then on, so the embedded server is not joined
   (``copydesk.plugins.local.server.stop``): the process's end stops it;
3. the process exits with 130 as soon as the unwinding is done, without the interpreter's
   exit handlers, or after :data:`GRACE` seconds at the latest if something still waits;
   a second Ctrl-C exits at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

#: Exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
#: Seconds the unwinding may take before the process exits regardless.
GRACE = 1.5

_requested = threading.Event()
_said = threading.Event()
_exit_with: list[Callable[[int], object]] = []


def requested() -> bool:
    """Whether Ctrl-C was pressed: what is still running is being abandoned."""
    return _requested.is_set()


def say_interrupted() -> None:
    """Tell the user, once, that the run was stopped."""
    if not _said.is_set():
        _said.set()
        with contextlib.suppress(Exception):
            print(
                "copydesk: interrupted; no half-done output was written",
                file=sys.stderr,
                flush=True,
            )


def exit_now() -> None:
    """After Ctrl-C, end the process now (as :func:`stop_on_interrupt` was told to)."""
    _exit_now(_exit_with[-1] if _exit_with else os._exit)


def _exit_now(exit: Callable[[int], object]) -> None:
    say_interrupted()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def stop_on_interrupt(
    grace: float = GRACE, exit: Callable[[int], object] = os._exit
) -> Iterator[None]:
    """Run the block so that Ctrl-C ends the process with 130 within ``grace`` seconds
    (``exit``: how the process ends; ``os._exit``, which runs no exit handlers, since
    those would stop the embedded server by waiting for its request in flight)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread: nothing to install
        return

    def watchdog() -> None:
        if not _finished.wait(grace):
            _exit_now(exit)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if _requested.is_set():  # a second Ctrl-C: at once
            _exit_now(exit)
        _requested.set()
        threading.Thread(target=watchdog, name="copydesk-interrupt", daemon=True).start()
        raise KeyboardInterrupt

    _finished = threading.Event()
    previous = signal.signal(signal.SIGINT, on_sigint)
    _exit_with.append(exit)
    try:
        yield
    except KeyboardInterrupt:
        _requested.set()
        _exit_now(exit)
    except SystemExit:
        if _requested.is_set():  # a command that turned Ctrl-C into an exit code
            _exit_now(exit)
        raise
    finally:
        _finished.set()
        _exit_with.pop()
        signal.signal(signal.SIGINT, previous)
