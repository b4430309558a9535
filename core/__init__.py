"""copydesk: a copy desk for one news article, with a language model behind it.

Plugin authors need little more than this module::

    import copydesk

    @copydesk.checker(categories=("exclamation",))
    def exclamations(ctx):
        return [copydesk.Finding("exclamation", m.group(), "...") for m in ...]

    @copydesk.hookimpl
    def register_checkers(register):
        register(exclamations)
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

from .components import checker
from .types import Article, Claim, Evidence, Finding, Passage, Span, StageStatus, Statement, Summary

try:
    __version__ = version("copydesk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

hookimpl = pluggy.HookimplMarker("copydesk")

__all__ = [
    "Article",
    "Claim",
    "Evidence",
    "Finding",
    "Passage",
    "Span",
    "StageStatus",
    "Statement",
    "Summary",
    "__version__",
    "checker",
    "hookimpl",
]
