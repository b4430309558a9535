"""What this machine gives copydesk: the CPUs this process may run on.

One answer for every part that sizes itself by CPUs (the batch's worker processes, the
embedded model's server threads), so that they never disagree."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity, which a container or ``taskset``
    narrows, not the machine's count; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux (no affinity to ask)
        return max(1, os.cpu_count() or 1)
