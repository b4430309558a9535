"""Settings for a run: command-line flags over environment over the config file.

The config file is TOML at ``$COPYDESK_CONFIG`` or, by default, ``config.toml`` in the user
config folder (``copydesk config path`` prints it; on Linux ``~/.config/copydesk/config.toml``)::

    provider = "openai"          # or "local"; unset: local unless an endpoint or key is set
    model = "gpt-4o-mini"
    base_url = "https://api.openai.com/v1"
    api_key_env = "OPENAI_API_KEY"   # the variable holding the key; keys never go in this file
    timeout = 120                # seconds per request
    max_retries = 3              # HTTP retries on 429/5xx/time-outs, with backoff
    reasks = 2                   # re-asks when the answer does not validate
    prompts_dir = ["~/my-prompts"]
    local_model = "qwen2.5-coder-1.5b-instruct"
    chunk_chars = 15000          # longer articles are read in overlapping parts
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b-instruct"
#: Seconds per request to the embedded model (see Settings.resolve).
LOCAL_TIMEOUT = 900.0

_KEYS = {
    "provider": str,
    "model": str,
    "base_url": str,
    "api_key_env": str,
    "timeout": (int, float),
    "max_retries": int,
    "reasks": int,
    "prompts_dir": list,
    "local_model": str,
    "local_ctx": int,
    "chunk_chars": int,
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
    return data


@dataclass
class Settings:
    """Everything a run needs to know about where and how to call a model."""

    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0
    max_retries: int = 3
    reasks: int = 2
    temperature: float = 0.0
    seed: int = 42
    prompts_dirs: list[Path] = field(default_factory=list)
    local_model: str = DEFAULT_LOCAL_MODEL
    local_ctx: int = 8192
    recording: bool = False
    offline: bool = False
    plugin_timeout: float | None = None
    #: A run's budget: model requests and tokens (prompt + completion); None: no limit.
    max_calls: int | None = None
    max_tokens: int | None = None
    #: Articles longer than this are read in overlapping parts (None: by the provider).
    chunk_chars: int | None = None

    @property
    def part_chars(self) -> int:
        """Characters of article per model call: what fits the embedded model's context
        beside the prompt and the answer (about 3 characters a token in news English),
        or a generous default for hosted models."""
        if self.chunk_chars is not None:
            return self.chunk_chars
        if self.provider_name == "local":
            return max(2000, (self.local_ctx - 3000) * 3)
        return 48_000

    @property
    def stage_timeout(self) -> float:
        """How long one plugin's stage may run (``plugin_timeout`` if set): by default every
        attempt of a model call and a minute of its own work. A plugin that hangs is
        stopped and reported; the run goes on."""
        if self.plugin_timeout is not None:
            return self.plugin_timeout
        return self.timeout * (1 + self.reasks) + 60.0

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
    ) -> Settings:
        """Flags (the arguments) win over the environment, which wins over the config file."""
        env = dict(os.environ if env is None else env)
        cfg = read_config() if config is None else config
        key_var = cfg.get("api_key_env", "OPENAI_API_KEY")
        dirs = [Path(p).expanduser() for p in cfg.get("prompts_dir", [])]
        if env.get("COPYDESK_PROMPTS_DIR"):
            dirs = [Path(p).expanduser() for p in env["COPYDESK_PROMPTS_DIR"].split(os.pathsep)]
        settings = cls(
            provider=provider or env.get("COPYDESK_PROVIDER") or cfg.get("provider"),
            model=model or env.get("COPYDESK_MODEL") or cfg.get("model"),
            base_url=base_url or env.get("OPENAI_BASE_URL") or cfg.get("base_url"),
            api_key=env.get(key_var) or None,
            timeout=float(timeout if timeout is not None else cfg.get("timeout", 120.0)),
            max_retries=max_retries if max_retries is not None else cfg.get("max_retries", 3),
            reasks=reasks if reasks is not None else cfg.get("reasks", 2),
            prompts_dirs=list(prompts_dirs or []) + dirs,
            local_model=env.get("COPYDESK_LOCAL_MODEL")
            or cfg.get("local_model", DEFAULT_LOCAL_MODEL),
            local_ctx=int(cfg.get("local_ctx", 8192)),
            chunk_chars=cfg.get("chunk_chars"),
        )
        if timeout is None and "timeout" not in cfg and settings.provider_name == "local":
            # The embedded server runs one request at a time on the CPU: a stage's request
            # may wait behind the others, and a client-side time-out would only queue a
            # retry behind the request the server is still working on.
            settings.timeout = LOCAL_TIMEOUT
            settings.max_retries = (
                max_retries if max_retries is not None else cfg.get("max_retries", 0)
            )
        if settings.reasks < 0 or settings.max_retries < 0:
            raise ConfigError("reasks and max_retries must be 0 or more")
        return settings

    @property
    def provider_name(self) -> str:
        """The provider to use: as set, else ``openai`` when an endpoint or key is configured,
        else the embedded ``local`` model."""
        if self.provider:
            return self.provider
        return "openai" if (self.base_url or self.api_key) else "local"
