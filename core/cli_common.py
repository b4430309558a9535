"""What every ``copydesk`` command shares: copydesk's own errors turned into a message and
an exit code, never a traceback.

A module of its own so that a command defined elsewhere (``copydesk batch``, in
:mod:`copydesk.batch.command`) uses it without importing :mod:`copydesk.cli`, which
imports that command: no import cycle."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click

from . import interrupt
from .errors import CopydeskError


def fail(exc: CopydeskError) -> None:
    click.echo(f"copydesk: error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


@contextlib.contextmanager
def errors_handled() -> Iterator[None]:
    """Turn copydesk's own errors into a message and an exit code: never a traceback."""
    try:
        yield
    except CopydeskError as exc:
        fail(exc)
    except KeyboardInterrupt:
        if interrupt.requested():  # under the console script's stop_on_interrupt
            interrupt.exit_now()
        click.echo("copydesk: interrupted", err=True)
        sys.exit(interrupt.EXIT_INTERRUPTED)
