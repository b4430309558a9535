"""Write docs/hooks.md, the reference of every plugin hook, from ``core/hookspecs.py``.

    python docs/generate_hooks.py           # rewrite docs/hooks.md
    python docs/generate_hooks.py --check   # exit 1 if docs/hooks.md is out of date

The hookspecs are the single source: each hook's signature and docstring, and for each
``register_*`` hook the protocol (``core/components.py``) of what it registers, are copied
from the code, so the reference cannot drift from it. ``tests/test_docs.py`` fails when
regenerating would change the file.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType

HOOKS_MD = Path(__file__).resolve().parent / "hooks.md"
REGENERATE = "python docs/generate_hooks.py"

_ROLE = re.compile(r":(?:mod|class|func|meth|attr|data|exc|obj):`~?([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")


def rst_to_markdown(docstring: str) -> str:
    """The little reStructuredText the docstrings use, as Markdown: ``code`` and
    :class:`roles` become `code`, and a ``::`` paragraph's indented block a fenced one."""
    lines = inspect.cleandoc(docstring).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            head = line.rstrip()[:-2].rstrip()
            if head:
                out.append(_inline(head) + ":")
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            code = inspect.cleandoc("\n".join(block))
            language = "toml" if re.search(r"^\[", code, re.M) else "python"
            out += ["", f"```{language}", code, "```", ""]
            continue
        out.append(_inline(line))
        i += 1
    return "\n".join(out).strip()


def _inline(text: str) -> str:
    return _LITERAL.sub(r"`\1`", _ROLE.sub(r"`\1`", text))


def _source(module: ModuleType) -> tuple[ast.Module, list[str]]:
    source = inspect.getsource(module)
    return ast.parse(source), source.splitlines()


def hook_names(hookspecs: ModuleType) -> list[str]:
    """Every hook, in the order the hookspecs define them."""
    marker = f"{hookspecs.hookspec.project_name}_spec"
    tree, _ = _source(hookspecs)
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and hasattr(getattr(hookspecs, node.name), marker)
    ]


# Signatures and protocols are copied as the source spells them (not re-printed from the
# syntax tree, whose printing differs between Python versions).


def _stub(node: ast.FunctionDef, lines: list[str]) -> str:
    """The hook as a plugin implements it: its signature, with a body of ``...``."""
    signature = lines[node.lineno - 1 : node.body[0].lineno - 1]
    signature[-1] += " ..."  # as ruff formats a stub (it formats the docs' code blocks too)
    return "\n".join(["@copydesk.hookimpl", *signature])


def _protocol(node: ast.ClassDef, lines: list[str]) -> str:
    """A protocol's source: its members (attributes and methods), without its docstring."""
    first = node.body[0]
    skip = set()
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        skip = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
        if not lines[first.end_lineno or first.lineno].strip():
            skip.add((first.end_lineno or first.lineno) + 1)  # the blank line after it
    assert node.end_lineno is not None
    return "\n".join(lines[n - 1] for n in range(node.lineno, node.end_lineno + 1) if n not in skip)


def _registered(node: ast.FunctionDef) -> str | None:
    """The component type a ``register_*`` hook's ``register(obj)`` takes, if any."""
    for arg in node.args.args:
        if arg.arg == "register" and arg.annotation is not None:
            found = re.fullmatch(r"Callable\[\[(\w+)\], None\]", ast.unparse(arg.annotation))
            if found:
                return found.group(1)
    return None


def render() -> str:
    """The whole of docs/hooks.md."""
    from copydesk import components, hookspecs

    spec_tree, spec_lines = _source(hookspecs)
    component_tree, component_lines = _source(components)
    specs = {n.name: n for n in spec_tree.body if isinstance(n, ast.FunctionDef)}
    protocols = {n.name: n for n in component_tree.body if isinstance(n, ast.ClassDef)}
    names = hook_names(hookspecs)

    out = [
        f"<!-- Generated from core/hookspecs.py by docs/generate_hooks.py. Do not edit: change "
        f"the hookspecs' docstrings and run `{REGENERATE}`. -->",
        "",
        "# Hook reference",
        "",
        rst_to_markdown(hookspecs.__doc__ or ""),
        "",
        "Below, each hook's signature (copy it into your plugin) and docstring, from "
        "`core/hookspecs.py`, and for each `register_*` hook the protocol of what `register` "
        "takes, from `core/components.py`. [plugins.md](plugins.md), the plugin author's "
        "guide, shows them at work.",
        "",
        f"Plugin API version: **{hookspecs.PLUGIN_API}** (`copydesk.hookspecs.PLUGIN_API`). "
        "A plugin that needs a newer one sets `COPYDESK_PLUGIN_API = N` in its module.",
        "",
        "| hook | registers |",
        "|---|---|",
    ]
    for name in names:
        kind = _registered(specs[name])
        out.append(f"| [`{name}`](#{name}) | {f'`{kind}`' if kind else '—'} |")
    for name in names:
        node = specs[name]
        out += [
            "",
            f"## {name}",
            "",
            "```python",
            _stub(node, spec_lines),
            "```",
            "",
            rst_to_markdown(ast.get_docstring(node) or "(undocumented)"),
        ]
        kind = _registered(node)
        if kind in protocols:
            protocol = protocols[kind]
            out += [
                "",
                f"### What `register` takes: `{kind}`",
                "",
                rst_to_markdown(ast.get_docstring(protocol) or ""),
                "",
                "```python",
                _protocol(protocol, component_lines),
                "```",
            ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if docs/hooks.md is out of date"
    )
    args = parser.parse_args()
    text = render()
    if args.check:
        current = HOOKS_MD.read_text(encoding="utf-8") if HOOKS_MD.exists() else ""
        if current != text:
            sys.exit(f"{HOOKS_MD} is out of date with core/hookspecs.py: run {REGENERATE}")
        return
    HOOKS_MD.write_text(text, encoding="utf-8")
    print(f"wrote {HOOKS_MD}")


if __name__ == "__main__":
    main()
