"""``COPYDESK_TRACE_PLUGINS=1``: say on stderr which plugin hook or stage runs, and how it ends."""

from __future__ import annotations

import os
import sys


def enabled() -> bool:
    return os.environ.get("COPYDESK_TRACE_PLUGINS") == "1"


def trace(message: str) -> None:
    if enabled():
        print(f"copydesk trace: {message}", file=sys.stderr, flush=True)
