"""copydesk: a copy desk for one news article, with a language model behind it.

Plugin authors need little more than this module::

    import copydesk

    @copydesk.hookimpl
    def register_checkers(register):
        register(MyChecker())
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

from .types import Article, Claim, Finding, Span, StageStatus, Summary

try:
    __version__ = version("copydesk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

hookimpl = pluggy.HookimplMarker("copydesk")

__all__ = [
    "Article",
    "Claim",
    "Finding",
    "Span",
    "StageStatus",
    "Summary",
    "__version__",
    "hookimpl",
]
