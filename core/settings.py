"""Settings for a run: command-line flags over environment over the config file.

The config file is TOML at ``$COPYDESK_CONFIG`` or, by default, ``config.toml`` in the user
config folder (``copydesk config path`` prints it; on Linux ``~/.config/copydesk/config.toml``)::

    provider = "openai"          # a provider's name (copydesk plugins lists them); unset:
                                 # the one for an endpoint if one is set, else the embedded model
    model = "gpt-4o-mini"
    base_url = "https://api.openai.com/v1"
    api_key_env = "OPENAI_API_KEY"   # the variable holding the key; keys never go in this file
    timeout = 120                # seconds per request (unset: the provider's default)
    max_retries = 3              # HTTP retries on 429/5xx/time-outs, with backoff
    reasks = 2                   # re-asks when the answer does not validate
    prompts_dir = ["~/my-prompts"]
    chunk_chars = 15000          # longer articles are read in overlapping parts

    [plugins.local]              # each plugin's own settings, in a table named after it
    model = "qwen2.5-coder-0.5b-instruct"

A plugin reads its table with ``settings.plugin_config(name)`` (``ctx.config`` in a stage).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .components import Capabilities

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

#: Seconds per request and HTTP retries when neither the user nor the provider says.
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_RETRIES = 3

_KEYS = {
    "provider": str,
    "model": str,
    "base_url": str,
    "api_key_env": str,
    "timeout": (int, float),
    "max_retries": int,
    "reasks": int,
    "prompts_dir": list,
    "chunk_chars": int,
    "plugins": dict,
}


def config_path() -> Path:
    env = os.environ.get("COPYDESK_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("copydesk")) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read config file {path}: {exc}", "fix or remove the file"
        ) from exc
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(
                f"unknown key {key!r} in config file {path}",
                f"known keys: {', '.join(sorted(_KEYS))}",
            )
        if not isinstance(value, _KEYS[key]):  # type: ignore[arg-type]
            raise ConfigError(f"config key {key!r} in {path} has the wrong type: {value!r}")
    for name, table in data.get("plugins", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"plugins.{name} in config file {path} is not a table",
                f"write it as [plugins.{name}] followed by its keys",
            )
    return data


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about where and how to call a model.

    Frozen: a run that needs other settings (replaying a cassette, say) makes them with
    :func:`dataclasses.replace`, so nothing changes them behind a desk's back."""

    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    #: Seconds per request and HTTP retries; ``None``: the provider's default
    #: (:meth:`for_provider`), else DEFAULT_TIMEOUT and DEFAULT_MAX_RETRIES.
    timeout: float | None = None
    max_retries: int | None = None
    reasks: int = 2
    temperature: float = 0.0
    seed: int = 42
    prompts_dirs: list[Path] = field(default_factory=list)
    recording: bool = False
    offline: bool = False
    plugin_timeout: float | None = None
    #: A run's budget: model requests and tokens (prompt + completion); None: no limit.
    max_calls: int | None = None
    max_tokens: int | None = None
    #: Articles longer than this are read in overlapping parts (None: by the provider).
    chunk_chars: int | None = None
    #: Each plugin's own table of the config file, ``[plugins.NAME]``.
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)

    def plugin_config(self, name: str) -> dict[str, Any]:
        """Plugin ``name``'s own settings: the config file's ``[plugins.NAME]`` table (a copy;
        empty when there is none)."""
        return dict(self.plugins.get(name, {}))

    @property
    def request_timeout(self) -> float:
        return DEFAULT_TIMEOUT if self.timeout is None else self.timeout

    @property
    def retries(self) -> int:
        return DEFAULT_MAX_RETRIES if self.max_retries is None else self.max_retries

    def for_provider(self, capabilities: Capabilities) -> Settings:
        """These settings with what the user left unset taken from the provider's
        capabilities: its time-out and retries."""
        return replace(
            self,
            timeout=self.timeout if self.timeout is not None else capabilities.timeout,
            max_retries=self.max_retries
            if self.max_retries is not None
            else capabilities.max_retries,
        )

    def part_chars(self, capabilities: Capabilities) -> int:
        """Characters of article per model call: what fits the model's context beside the
        prompt and the answer (about 3 characters a token in news English), or a generous
        default for hosted models."""
        if self.chunk_chars is not None:
            return self.chunk_chars
        if capabilities.context_tokens is not None:
            return max(2000, (capabilities.context_tokens - 3000) * 3)
        return 48_000

    @property
    def stage_timeout(self) -> float:
        """How long one plugin's stage may run (``plugin_timeout`` if set): by default every
        attempt of a model call and a minute of its own work. A plugin that hangs is
        stopped and reported; the run goes on."""
        if self.plugin_timeout is not None:
            return self.plugin_timeout
        return self.request_timeout * (1 + self.reasks) + 60.0

    @classmethod
    def resolve(
        cls,
        *,
        provider: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
        prompts_dirs: list[Path] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        reasks: int | None = None,
        config: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        **fields: Any,
    ) -> Settings:
        """Flags (the arguments) win over the environment, which wins over the config file.
        ``fields``: any other :class:`Settings` field, as given."""
        env = dict(os.environ if env is None else env)
        cfg = read_config() if config is None else config
        key_var = cfg.get("api_key_env", "OPENAI_API_KEY")
        dirs = [Path(p).expanduser() for p in cfg.get("prompts_dir", [])]
        if env.get("COPYDESK_PROMPTS_DIR"):
            dirs = [Path(p).expanduser() for p in env["COPYDESK_PROMPTS_DIR"].split(os.pathsep)]
        cfg_timeout = cfg.get("timeout")
        settings = cls(
            provider=provider or env.get("COPYDESK_PROVIDER") or cfg.get("provider"),
            model=model or env.get("COPYDESK_MODEL") or cfg.get("model"),
            base_url=base_url or env.get("OPENAI_BASE_URL") or cfg.get("base_url"),
            api_key=env.get(key_var) or None,
            timeout=float(timeout)
            if timeout is not None
            else (float(cfg_timeout) if cfg_timeout is not None else None),
            max_retries=max_retries if max_retries is not None else cfg.get("max_retries"),
            reasks=reasks if reasks is not None else cfg.get("reasks", 2),
            prompts_dirs=list(prompts_dirs or []) + dirs,
            chunk_chars=cfg.get("chunk_chars"),
            plugins={name: dict(table) for name, table in cfg.get("plugins", {}).items()},
            **fields,
        )
        if settings.reasks < 0 or (settings.max_retries or 0) < 0:
            raise ConfigError("reasks and max_retries must be 0 or more")
        return settings

    @property
    def endpoint_configured(self) -> bool:
        """Whether an endpoint URL or an API key is set: what picks the default provider."""
        return bool(self.base_url or self.api_key)
