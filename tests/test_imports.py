"""No import cycles in copydesk: every module of the installed package, core and plugins.

An import cycle hidden inside a function (``def f(): from .cli import x``) still ties two
modules together: neither can be read, tested or moved without the other. So this walks
every module's source with :mod:`ast` and collects every import — at module level, inside
functions and methods, relative ones resolved — builds the graph of which copydesk module
imports which, and fails on a cycle, printing it with the line of each import.

What is walked is found, not listed: the modules under ``copydesk`` and
``copydesk.plugins`` (the two halves of the distribution), and any other ``copydesk.*``
module an import names. Imports under ``if TYPE_CHECKING:`` are left out: they never run,
they only let annotations name a type.

Run it as a script to check a source tree that is not installed, e.g. before a change::

    python tests/test_imports.py core=copydesk plugins=copydesk.plugins
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

#: The packages whose modules are walked; anything else of copydesk is found by its imports.
ROOTS = ("copydesk", "copydesk.plugins")


@dataclass(frozen=True)
class Edge:
    """``importer`` imports ``imported`` at ``line`` of its file."""

    importer: str
    imported: str
    line: int


# finding the modules ------------------------------------------------------------------------


def installed_modules(roots: Iterable[str] = ROOTS) -> dict[str, Path]:
    """Every module (its dotted name and file) of the installed ``roots`` packages, and
    of any further ``copydesk.*`` package their imports reach."""
    files: dict[str, Path] = {}
    queue = list(roots)
    while queue:
        name = queue.pop()
        if name in files:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # a name inside a module (copydesk.types.Article)
            continue
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        files[name] = Path(spec.origin)
        if spec.submodule_search_locations is not None:  # a package: walk all of it
            package = importlib.import_module(name)
            queue.extend(m.name for m in pkgutil.walk_packages(package.__path__, name + "."))
        for edge in imports_of(name, files[name], is_package=name_is_package(spec)):
            for candidate in prefixes(edge.imported):
                if candidate.startswith("copydesk") and candidate not in files:
                    queue.append(candidate)
    return files


def name_is_package(spec: importlib.machinery.ModuleSpec) -> bool:
    return spec.submodule_search_locations is not None


def tree_modules(folders: Mapping[Path, str]) -> dict[str, Path]:
    """The modules of source folders not installed, each folder with its package name
    (``{Path("core"): "copydesk"}``): for checking a checkout, such as main's."""
    files: dict[str, Path] = {}
    for folder, package in folders.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join([package, *parts])] = path
    return files


def prefixes(dotted: str) -> Iterator[str]:
    """``a.b.c``, ``a.b``, ``a``: the longest first."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        yield ".".join(parts[:end])


# reading the imports ------------------------------------------------------------------------


def imports_of(module: str, path: Path, *, is_package: bool) -> Iterator[Edge]:
    """Every import statement of one module, wherever it is, as the name it imports
    (``from .x import y`` gives ``<package>.x.y``: a module if ``y`` is one, else a name
    in ``x``, which :func:`import_graph` resolves to ``x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, package)
            for alias in node.names:
                yield Edge(
                    module, f"{base}.{alias.name}" if alias.name != "*" else base, node.lineno
                )


def _resolve(name: str | None, level: int, package: str) -> str:
    if level == 0:
        return name or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - (level - 1)])
    return f"{base}.{name}" if name else base


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, function bodies included, less the bodies of ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


# the graph ----------------------------------------------------------------------------------


def import_graph(files: Mapping[str, Path]) -> dict[str, dict[str, Edge]]:
    """Which of ``files``' modules each one imports (one edge per pair: the first import).

    An imported name resolves to the longest of its prefixes that is a module here
    (``copydesk.batch.Batch`` → ``copydesk.batch``); names outside ``files`` are dropped.
    A module importing its own package's ``__init__`` implicitly (``from . import x``
    where ``x`` is a submodule) is an edge to ``x`` alone, as Python runs it."""
    graph: dict[str, dict[str, Edge]] = {name: {} for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for edge in imports_of(name, path, is_package=is_package):
            target = next((p for p in prefixes(edge.imported) if p in files), None)
            if target is None or target == name:
                continue
            graph[name].setdefault(target, Edge(name, target, edge.line))
    return graph


def find_cycles(graph: Mapping[str, Mapping[str, Edge]]) -> list[list[Edge]]:
    """The shortest cycle through each module of every strongly connected group of
    modules (Tarjan's algorithm), as the imports that close it; none when acyclic."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # recursion is fine: a few hundred modules at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles: list[list[Edge]] = []
    for group in groups:
        for start in sorted(group):
            cycle = _cycle_through(graph, start, set(group))
            if not any(set(cycle) == set(seen) for seen in cycles):
                cycles.append(cycle)
    return cycles


def _cycle_through(
    graph: Mapping[str, Mapping[str, Edge]], start: str, members: set[str]
) -> list[Edge]:
    """A shortest cycle through ``start`` (breadth first, inside its group)."""
    came_by: dict[str, Edge] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target, edge in sorted(graph[node].items()):
                if target not in members:
                    continue
                if target == start:
                    path = [edge]
                    while path[0].importer != start:
                        path.insert(0, came_by[path[0].importer])
                    return path
                if target not in came_by:
                    came_by[target] = edge
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start} in its strongly connected group")


def describe(cycle: list[Edge], files: Mapping[str, Path]) -> str:
    hops = [f"  {e.importer} imports {e.imported} ({files[e.importer]}:{e.line})" for e in cycle]
    return " -> ".join([*(e.importer for e in cycle), cycle[0].importer]) + "\n" + "\n".join(hops)


# the tests -----------------------------------------------------------------------------------


def test_copydesk_has_no_import_cycle() -> None:
    files = installed_modules()
    assert "copydesk.cli" in files and any(m.startswith("copydesk.plugins.") for m in files)
    cycles = find_cycles(import_graph(files))
    assert not cycles, "import cycles:\n" + "\n".join(describe(c, files) for c in cycles)


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    """The walker itself: a cycle hidden in a function, with a relative import, is one."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "command.py").write_text("from ..run import go\n")
    (package / "run.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from .types import T  # never runs: not an edge\n"
        "def go():\n"
        "    from .sub import command\n"
        "    return command\n"
    )
    (package / "types.py").write_text("from .run import go\n")
    files = tree_modules({package: "pkg"})

    cycles = find_cycles(import_graph(files))

    assert [[(e.importer, e.imported, e.line) for e in c] for c in cycles] == [
        [("pkg.run", "pkg.sub.command", 5), ("pkg.sub.command", "pkg.run", 1)]
    ]
    assert describe(cycles[0], files).startswith("pkg.run -> pkg.sub.command -> pkg.run\n")


def test_a_package_importing_its_own_modules_is_no_cycle(tmp_path: Path) -> None:
    """``__init__`` re-exporting its modules, which import each other downwards, is fine."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import A\nfrom .b import B\n")
    (package / "a.py").write_text("A = 1\n")
    (package / "b.py").write_text("from .a import A\nfrom . import a\nB = A\n")

    graph = import_graph(tree_modules({package: "pkg"}))

    assert {m: sorted(t) for m, t in graph.items()} == {
        "pkg": ["pkg.a", "pkg.b"],
        "pkg.a": [],
        "pkg.b": ["pkg.a"],
    }
    assert find_cycles(graph) == []


if __name__ == "__main__":
    folders = {Path(arg.partition("=")[0]): arg.partition("=")[2] for arg in sys.argv[1:]}
    found = tree_modules(folders) if folders else installed_modules()
    cycles = find_cycles(import_graph(found))
    for cycle in cycles:
        print(describe(cycle, found))
    print(f"{len(found)} modules, {len(cycles)} import cycle(s)")
    sys.exit(1 if cycles else 0)
