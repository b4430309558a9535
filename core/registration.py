"""Components checked against their protocols when a plugin registers them.

A component that lacks an attribute or a method, or whose method cannot take the
arguments copydesk will pass, is refused at start-up with a :class:`PluginLoadError`
naming the plugin, the component and what is missing, rather than failing mid-run with
an ``AttributeError``. Checkers are also brought to one shape, :class:`RegisteredChecker`,
whatever form they were registered in, so the pipeline runs every one the same way.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .components import Capabilities
from .errors import PluginLoadError
from .evidence import ARTICLE_SOURCE

if TYPE_CHECKING:
    from .context import CheckContext
    from .types import Finding

#: A category is a lower_snake_case name (it is also a CSS class and a filter value).
CATEGORY_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


@dataclass(frozen=True)
class RegisteredChecker:
    """A checker as the host holds it: ``await check(ctx)``, whether the plugin's ``check``
    is ``async`` or plain (run in a worker thread) or takes the plugin API 1 arguments.
    ``component`` is what the plugin registered."""

    name: str
    categories: tuple[str, ...]
    needs_model: bool
    component: object
    run: Callable[[CheckContext], Awaitable[list[Finding]]]

    async def check(self, ctx: CheckContext) -> list[Finding]:
        return await self.run(ctx)


class _Refused(Exception):
    """What is wrong with a component; the host adds whose it is."""


def _validate(kind: str, component: Any, plugin: str) -> Any:
    """``component`` as the host keeps it, or :class:`_Refused` saying what is missing.
    The component already has a ``name``."""
    if kind == "summariser":
        _method(component, "summarise", "article, ctx", 2, coroutine=True)
    elif kind == "claim_extractor":
        _method(component, "extract", "article, ctx", 2, coroutine=True)
    elif kind == "checker":
        return _checker(component, plugin)
    elif kind == "evidence_source":
        _evidence_source(component)
    elif kind == "provider":
        _attribute(component, "description", str)
        _method(component, "open", "settings, *, offline=False", 1, keywords=("offline",))
        _method(component, "close", "", 0)
        if not hasattr(component, "capabilities"):
            return _provider_api_1(component, plugin)
        _method(component, "capabilities", "settings", 1)
    elif kind == "format":
        _attribute(component, "extension", str)
        _method(component, "render", "report, *, min_confidence=0.0", 1, ("min_confidence",))
    return component


@dataclass(frozen=True)
class _ProviderAPI1:
    """A provider written before providers declared capabilities: copydesk's defaults, and
    its ``opens_slowly`` if it has one (PLUGIN_API 3 stops accepting it)."""

    provider: Any
    name: str
    description: str

    def capabilities(self, settings: Any) -> Capabilities:
        return Capabilities(opens_slowly=bool(getattr(self.provider, "opens_slowly", False)))

    def open(self, settings: Any, *, offline: bool = False) -> Any:
        return self.provider.open(settings, offline=offline)

    def close(self) -> None:
        self.provider.close()


def _provider_api_1(component: Any, plugin: str) -> _ProviderAPI1:
    warnings.warn(
        f"provider {component.name!r} of plugin {plugin!r} has no capabilities(settings) "
        "method, which plugin API 3 requires: return a copydesk.components.Capabilities "
        "(requests in flight, context size, time-out...); copydesk's defaults are used",
        DeprecationWarning,
        stacklevel=2,
    )
    return _ProviderAPI1(component, component.name, component.description)


def register_checked(kind: str, component: Any, plugin: str) -> Any:
    """``component`` as the host keeps it (a checker as a :class:`RegisteredChecker`), or a
    :class:`PluginLoadError` naming ``plugin``, the component and what it lacks."""
    try:
        return _validate(kind, component, plugin)
    except _Refused as exc:
        raise PluginLoadError(
            f"plugin {plugin!r} registered {kind.replace('_', ' ')} {component.name!r} {exc}",
            "fix the plugin, or leave it out with COPYDESK_LOAD_PLUGINS",
        ) from None


def _attribute(component: Any, attr: str, kind: type) -> None:
    value = getattr(component, attr, None)
    if not isinstance(value, kind):
        got = "none" if value is None else f"{type(value).__name__} {value!r:.40}"
        raise _Refused(f"without a {kind.__name__} {attr} (it has {got})")


def _method(
    component: Any,
    method: str,
    spelled: str,
    positional: int,
    keywords: tuple[str, ...] = (),
    *,
    coroutine: bool = False,
) -> inspect.Signature | None:
    """Check ``component.method`` exists and takes ``positional`` arguments (and the
    ``keywords``); return its signature, or ``None`` where Python cannot tell it."""
    found = getattr(component, method, None)
    if not callable(found):
        raise _Refused(f"without a {method}() method")
    if coroutine and not inspect.iscoroutinefunction(found):
        raise _Refused(f"whose {method}() is not async: copydesk awaits it (async def {method})")
    try:
        signature = inspect.signature(found)
    except (TypeError, ValueError):  # some builtins and C callables have none to read
        return None
    try:
        signature.bind(*[None] * positional, **dict.fromkeys(keywords))
    except TypeError:
        raise _Refused(
            f"whose {method}() cannot be called as {method}({spelled}): it is {method}{signature}"
        ) from None
    return signature


def _evidence_source(component: Any) -> None:
    if component.name == ARTICLE_SOURCE:
        raise _Refused(f"named {ARTICLE_SOURCE!r}: that name is the article's own evidence")
    _method(component, "search", "query, ctx, k", 3, coroutine=True)
    # Optional: present, they must take what the host passes.
    for optional in ("prepare", "release"):
        if getattr(component, optional, None) is not None:
            _method(component, optional, "inputs", 1)
    if getattr(component, "close", None) is not None:
        _method(component, "close", "", 0)


def _checker(component: Any, plugin: str) -> RegisteredChecker:
    name = component.name
    categories = getattr(component, "categories", None)
    if isinstance(categories, str) or not isinstance(categories, (tuple, list, frozenset, set)):
        raise _Refused(
            f"without categories: give the tuple of finding categories it reports "
            f"(got {categories!r:.40})"
        )
    if not categories:
        raise _Refused("with no categories: a checker reports at least one")
    bad = [c for c in categories if not isinstance(c, str) or not CATEGORY_NAME.fullmatch(c)]
    if bad:
        raise _Refused(f"with categories that are not lower_snake_case names: {bad!r}")
    needs_model = getattr(component, "needs_model", None)
    if not isinstance(needs_model, bool):
        raise _Refused(
            "without needs_model: set it True if it calls ctx.ask, False if it runs with no "
            "model (copydesk check --no-model runs only those)"
        )
    found = getattr(component, "check", None)
    if not callable(found):
        raise _Refused("without a check() method")
    run = _runner(f"{name!r} of plugin {plugin!r}", found)
    declared = tuple(dict.fromkeys(categories))
    return RegisteredChecker(name, declared, needs_model, component, run)


def _runner(who: str, check: Callable[..., Any]) -> Callable[[CheckContext], Awaitable[Any]]:
    """``await run(ctx)`` for a ``check`` of any of the accepted forms."""
    try:
        signature: inspect.Signature | None = inspect.signature(check)
    except (TypeError, ValueError):
        signature = None
    legacy = signature is not None and _takes(signature, 4) and not _takes(signature, 1)
    if signature is not None and not legacy and not _takes(signature, 1):
        raise _Refused(f"whose check() cannot be called as check(ctx): it is check{signature}")
    call: Callable[[CheckContext], Any] = check
    if legacy:
        # Plugin API 1: check(article, summary, claims, ctx). Kept working for one plugin
        # API; PLUGIN_API 3 drops it.
        # Reported at the plugin's check(), which is what has to change.
        code = getattr(check, "__code__", None)
        warnings.warn_explicit(
            f"checker {who} takes check(article, summary, claims, ctx), which copydesk "
            "stops calling in plugin API 3: take check(ctx) and read ctx.article, "
            "ctx.summary and ctx.claims",
            DeprecationWarning,
            filename=code.co_filename if code else "<plugin>",
            lineno=code.co_firstlineno if code else 0,
        )

        def call(ctx: CheckContext) -> Any:
            return check(ctx.article, ctx.summary, ctx.claims, ctx)

    if inspect.iscoroutinefunction(check):

        async def run_async(ctx: CheckContext) -> Any:
            return await call(ctx)

        return run_async

    async def run_in_thread(ctx: CheckContext) -> Any:
        # A plain function must not hold up the event loop, where the other stages'
        # model calls are waiting; it may still return an awaitable (a lambda around a
        # coroutine function), which is awaited here, on the loop.
        found = await asyncio.to_thread(call, ctx)
        return await found if inspect.isawaitable(found) else found

    return run_in_thread


def _takes(signature: inspect.Signature, positional: int) -> bool:
    try:
        signature.bind(*[None] * positional)
    except TypeError:
        return False
    return True
