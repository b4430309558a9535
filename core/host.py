"""The plugin host: loads the built-in plugins and installed ones, and collects what they register.

Built-in behaviour lives in ``copydesk.plugins`` and is loaded by module name, exactly
as third-party plugins are loaded from the ``copydesk`` entry-point group; ``core`` imports
no concrete plugin. ``COPYDESK_LOAD_PLUGINS`` (a comma list of entry-point or
distribution names; empty for none) restricts which installed plugins load.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, overload

import pluggy

from . import hookspecs
from .errors import ConfigError, PluginLoadError
from .registration import RegisteredChecker, register_checked
from .trace import enabled as tracing_enabled
from .trace import trace

BUILTIN_PLUGINS: tuple[str, ...] = (
    "copydesk.plugins.llm_summariser",
    "copydesk.plugins.llm_claims",
    "copydesk.plugins.llm_checker",
    "copydesk.plugins.loaded_language",
    "copydesk.plugins.missing_detail",
    "copydesk.plugins.unattributed_claims",
    "copydesk.plugins.internal_inconsistency",
    "copydesk.plugins.unfaithful_summary",
    "copydesk.plugins.judgement",
    "copydesk.plugins.fact_check",
    "copydesk.plugins.openai_provider",
    "copydesk.plugins.local.plugin",
    "copydesk.plugins.formats",
    "copydesk.plugins.html_report",
)

ENTRY_POINT_GROUP = "copydesk"

if TYPE_CHECKING:
    from .components import ClaimExtractor, EvidenceSource, Provider, ReportFormat, Summariser

#: The kinds of component, as ``Host.get`` and ``Host.components`` name them.
Kind = Literal["summariser", "claim_extractor", "checker", "evidence_source", "provider", "format"]

#: The kinds of component and the hook that registers each (what each must have is in
#: :mod:`copydesk.registration`).
KINDS: dict[Kind, str] = {
    "summariser": "register_summarisers",
    "claim_extractor": "register_claim_extractors",
    "checker": "register_checkers",
    "evidence_source": "register_evidence_sources",
    "provider": "register_providers",
    "format": "register_formats",
}


@dataclass
class PluginInfo:
    name: str
    version: str | None
    source: str  # "builtin", or "package <distribution>" for an entry point of that package
    module: str
    registered: dict[str, list[str]] = field(default_factory=dict)
    prompt_dirs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "module": self.module,
            "registered": self.registered,
            "prompt_dirs": self.prompt_dirs,
        }


def builtin_name(module_name: str) -> str:
    """The plugin name of built-in module ``copydesk.plugins.NAME`` (or of the module of
    package NAME that registers it, ``copydesk.plugins.NAME.plugin``): ``copydesk.NAME``."""
    return "copydesk." + module_name.removeprefix("copydesk.plugins.").split(".")[0]


class Host:
    """The loaded plugins and every component they registered, by kind and name."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("copydesk")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.components: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
        self._owner: dict[tuple[str, str], str] = {}
        self.prompt_dirs: list[Path] = []
        #: Set by load_host(): what it loaded, to tell whether anything was changed since.
        self._as_loaded: tuple[Any, ...] | None = None

    def _fingerprint(self) -> tuple[Any, ...]:
        return (
            tuple(sorted(self.plugins)),
            tuple(
                sorted(
                    (kind, name, id(obj))
                    for kind, d in self.components.items()
                    for name, obj in d.items()
                )
            ),
            tuple(self.prompt_dirs),
        )

    @property
    def reloadable(self) -> bool:
        """Whether another process's ``load_host()`` gives the same plugins: this host came
        from load_host() reading the environment, and nothing was registered since."""
        return self._as_loaded is not None and self._as_loaded == self._fingerprint()

    # loading ---------------------------------------------------------------

    def register_plugin(
        self, plugin: ModuleType | object, name: str, *, version: str | None, source: str
    ) -> None:
        """Register one plugin object (a module or any object with hookimpls)."""
        needed = getattr(plugin, "COPYDESK_PLUGIN_API", 1)
        if not isinstance(needed, int) or needed > hookspecs.PLUGIN_API:
            raise PluginLoadError(
                f"plugin {name!r} ({source}) needs copydesk plugin API {needed}; "
                f"this copydesk has API {hookspecs.PLUGIN_API}",
                "upgrade copydesk, or install an older version of the plugin",
            )
        if name in self.plugins:
            first = self.plugins[name]
            raise PluginLoadError(
                f"two plugins are named {name!r}: {first.module} ({first.source}) and "
                f"{getattr(plugin, '__name__', type(plugin).__name__)} ({source})",
                "uninstall one of them, or leave one out with COPYDESK_LOAD_PLUGINS",
            )
        try:
            self.pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginLoadError(
                f"plugin {name!r} ({source}) cannot be registered: {exc}"
            ) from exc
        self.plugins[name] = PluginInfo(
            name=name,
            version=version,
            source=source,
            module=getattr(plugin, "__name__", type(plugin).__name__),
        )

    def load_builtins(self) -> None:
        from importlib.metadata import version

        own = version("copydesk")
        for module_name in BUILTIN_PLUGINS:
            module = importlib.import_module(module_name)
            self.register_plugin(module, builtin_name(module_name), version=own, source="builtin")

    def load_entry_points(self, allow: str | None = None) -> None:
        wanted = None
        if allow is not None:
            wanted = {n.strip() for n in allow.split(",") if n.strip()}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else "unknown"
            if wanted is not None and ep.name not in wanted and dist not in wanted:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginLoadError(
                    f"plugin {ep.name!r} from {dist} failed to import: {exc!r}",
                    f"fix or uninstall {dist}, or leave it out with COPYDESK_LOAD_PLUGINS",
                ) from exc
            version = ep.dist.version if ep.dist else None
            self.register_plugin(plugin, ep.name, version=version, source=f"package {dist}")

    def collect(self) -> None:
        """Call every ``register_*`` hook, one plugin at a time so each component is
        attributed to the plugin that registered it."""
        for kind, hook_name in KINDS.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                self._call_register(impl, kind)
        for impl in self.pm.hook.register_prompt_dirs.get_hookimpls():
            info = self.plugins[impl.plugin_name]

            def add_dir(path: Path, info: PluginInfo = info) -> None:
                path = Path(path)
                if not path.is_dir():
                    raise PluginLoadError(
                        f"plugin {info.name!r} registered a prompt folder that does not exist: {path}"
                    )
                self.prompt_dirs.append(path)
                info.prompt_dirs.append(str(path))

            self._guarded(impl, functools.partial(impl.function, register=add_dir))

    def _call_register(self, impl: pluggy.HookImpl, kind: str) -> None:
        info = self.plugins[impl.plugin_name]

        def register(component: Any) -> None:
            name = getattr(component, "name", None)
            if kind == "checker" and name is None and inspect.isfunction(component):
                raise PluginLoadError(
                    f"plugin {info.name!r} registered the function {component.__name__!r} as a "
                    "checker: decorate it with @copydesk.checker(categories=(...)), which "
                    "gives it its name, the categories it reports and needs_model"
                )
            if not isinstance(name, str) or not name:
                raise PluginLoadError(
                    f"plugin {info.name!r} registered a {kind.replace('_', ' ')} with no name "
                    f"({component!r:.60})"
                )
            component = register_checked(kind, component, info.name)
            owner = self._owner.get((kind, name))
            if owner is not None:
                what = kind.replace("_", " ")
                raise PluginLoadError(
                    f"two plugins register {'an' if what[0] in 'aeiou' else 'a'} {what} named {name!r}: "
                    f"{owner!r} and {info.name!r}",
                    "uninstall one of them, or leave one out with COPYDESK_LOAD_PLUGINS",
                )
            self._owner[(kind, name)] = info.name
            self.components[kind][name] = component
            info.registered.setdefault(kind, []).append(name)

        self._guarded(impl, lambda: impl.function(register=register))

    def _guarded(self, impl: pluggy.HookImpl, call: Callable[[], Any]) -> None:
        trace(f"{impl.function.__name__} in plugin {impl.plugin_name!r}")
        try:
            call()
        except PluginLoadError:
            raise
        except Exception as exc:
            raise PluginLoadError(
                f"plugin {impl.plugin_name!r} failed while registering: {exc!r}",
                "fix or uninstall the plugin, or leave it out with COPYDESK_LOAD_PLUGINS",
            ) from exc

    # lookup ----------------------------------------------------------------

    @overload
    def get(self, kind: Literal["summariser"], name: str) -> Summariser: ...
    @overload
    def get(self, kind: Literal["claim_extractor"], name: str) -> ClaimExtractor: ...
    @overload
    def get(self, kind: Literal["checker"], name: str) -> RegisteredChecker: ...
    @overload
    def get(self, kind: Literal["evidence_source"], name: str) -> EvidenceSource: ...
    @overload
    def get(self, kind: Literal["provider"], name: str) -> Provider: ...
    @overload
    def get(self, kind: Literal["format"], name: str) -> ReportFormat: ...
    @overload
    def get(self, kind: str, name: str) -> Any: ...

    def get(self, kind: str, name: str) -> Any:
        """The component of ``kind`` registered as ``name``; a :class:`ConfigError` listing
        the known names if there is none. (A checker comes as the host holds it, a
        :class:`~copydesk.registration.RegisteredChecker`.)"""
        try:
            return self.components[kind][name]
        except KeyError:
            known = ", ".join(sorted(self.components[kind])) or "none"
            raise ConfigError(
                f"no {kind.replace('_', ' ')} named {name!r}", f"known: {known}"
            ) from None

    def owner(self, kind: str, name: str) -> str:
        return self._owner[(kind, name)]


def load_host(*, builtins: bool = True, entry_points_allowed: str | None = None) -> Host:
    """Load and collect every plugin. ``entry_points_allowed`` defaults to
    ``$COPYDESK_LOAD_PLUGINS`` (unset: every installed plugin loads)."""
    host = Host()
    if tracing_enabled():
        # pluggy's own tracer, for hooks called through pm.hook (register_commands).
        host.pm.trace.root.setwriter(lambda text: sys.stderr.write(f"copydesk trace: {text}"))
        host.pm.enable_tracing()
    if builtins:
        host.load_builtins()
    allow = entry_points_allowed
    if allow is None:
        allow = os.environ.get("COPYDESK_LOAD_PLUGINS")
    host.load_entry_points(allow)
    host.collect()
    if builtins and entry_points_allowed is None:
        host._as_loaded = host._fingerprint()
    return host
