"""Errors copydesk reports to people: each says what went wrong and what to do about it.

The CLI maps them to exit codes (see ``EXIT_*``) and never shows a traceback for them.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_MODEL = 3


class CopydeskError(Exception):
    """Base class. ``hint`` tells the user what to do next."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(CopydeskError):
    """The article could not be read: missing, empty, binary, unreadable."""

    exit_code = EXIT_USAGE


class ConfigError(CopydeskError):
    """Settings that do not fit together, an unknown plugin or prompt name."""

    exit_code = EXIT_USAGE


class PluginLoadError(CopydeskError):
    """A plugin could not be loaded or registered (duplicate name, incompatible API)."""

    exit_code = EXIT_USAGE


class ModelError(CopydeskError):
    """The model endpoint failed: unreachable, refused the key, kept timing out or rate limiting."""

    exit_code = EXIT_MODEL


class BudgetExceeded(ModelError):
    """The run reached ``--max-calls`` or ``--max-tokens``: no more model requests."""


class NotRecorded(ModelError):
    """Replaying a cassette, copydesk made a request the cassette does not hold."""


class StageSkipped(CopydeskError):
    """Raised by a stage that cannot apply to this run and says why (a checker whose data
    is for another model, say): the stage is reported ``skipped`` with the message as its
    reason, and the run is not failed for it."""


class UnparseableOutput(CopydeskError):
    """The model never produced output that parsed and validated against the prompt's schema."""

    exit_code = EXIT_MODEL

    def __init__(self, message: str, raw: str | None, errors: list[str]) -> None:
        super().__init__(message, "try a larger model, or override the prompt (--prompts-dir)")
        self.raw = raw
        self.errors = errors
