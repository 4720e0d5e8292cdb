"""The package's layout: no import cycles, one not-emulated root, a small root, layers kept apart.

Imports are read with ``ast``, wherever they sit (module level or inside a function), so a lazy
import counts as much as an eager one. Each check is also run on a synthetic tree, to show it
can fail.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Container, Iterable, Iterator
from pathlib import Path

import pytest

import emulator

PACKAGE = Path(emulator.__file__).resolve().parent

#: Imports that never run: ``emulator/__init__.py`` imports ``create_app`` on first use only, so
#: ``import emulator`` stays light; ``if TYPE_CHECKING:`` blocks are for type checkers.
LAZY_ROOT = ("emulator", "__getattr__")

ROOT_MODULES = {"__init__", "__main__", "app", "assumptions", "clock", "config", "errors",
                "journal", "reset", "runtime", "tokens"}
#: Layers that know nothing of HTTP, the web app, the CLI or the test integration.
PURE_LAYERS = ("store", "script", "ampscript", "platform", "subscribers", "objects", "folders",
               "sends", "automations", "events", "outbound", "rest", "units", "salesforce",
               "content")
WEB_AND_ABOVE = ("flask", "requests", "werkzeug", "emulator.web", "emulator.cli",
                 "emulator.testing")
#: What ``emulator/tokens.py`` may import besides the standard library.
TOKENS_MAY_IMPORT = ("jwt", "emulator.errors", "emulator.script")


# --- Reading imports ---------------------------------------------------------------------------

def module_names(root: Path, package: str) -> dict[str, Path]:
    """Return every module of the package in ``root`` by dotted name (a package by its own)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST, module: str, top: bool = True) -> Iterator[ast.AST]:
    """Yield the import statements under ``node`` that can run, in any function or class."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from _import_nodes(ast.Module(body=child.orelse, type_ignores=[]), module, top)
        elif top and isinstance(child, ast.FunctionDef) and (module, child.name) == LAZY_ROOT:
            continue
        else:
            yield from _import_nodes(child, module, top=False)


def imported_names(path: Path, module: str, modules: Container[str]) -> set[str]:
    """Return the dotted names ``path`` imports.

    ``from a import b`` gives ``a.b`` when that is one of ``modules`` (a submodule), else ``a``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in _import_nodes(tree, module):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        assert isinstance(node, ast.ImportFrom)
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            if path.name != "__init__.py":
                anchor.pop()
            anchor = anchor[:len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        names.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                     for alias in node.names)
    return names


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Return, for each module of the package, the package's modules it imports."""
    modules = module_names(root, package)
    return {name: {target for target in imported_names(path, name, modules)
                   if target in modules and target != name}
            for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the import cycles of ``graph``: its strongly connected components of 2+ modules.

    Tarjan's algorithm, iterative so a deep chain of imports cannot exhaust the recursion.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def forbidden_imports(root: Path, package: str, folders: Iterable[str],
                      forbidden: Iterable[str]) -> dict[str, set[str]]:
    """Return, by module under ``folders``, the names it imports from ``forbidden``."""
    forbidden = tuple(forbidden)
    modules = module_names(root, package)
    found = {}
    for name, path in modules.items():
        if path.relative_to(root).parts[0] not in folders:
            continue
        bad = {target for target in imported_names(path, name, modules)
               if any(target == f or target.startswith(f + ".") for f in forbidden)}
        if bad:
            found[name] = bad
    return found


def outside_allowed(path: Path, module: str, allowed: Iterable[str]) -> set[str]:
    """Return what ``path`` imports beyond the standard library and ``allowed``."""
    allowed = tuple(allowed)
    return {name for name in imported_names(path, module, ())
            if name.split(".")[0] not in sys.stdlib_module_names
            and not any(name == a or name.startswith(a + ".") for a in allowed)}


def stray_root_modules(root: Path) -> set[str]:
    """Return the modules at the package root that are not in ROOT_MODULES."""
    return {path.stem for path in root.glob("*.py")} - ROOT_MODULES


def _tree(root: Path, files: dict[str, str]) -> Path:
    """Write a synthetic package ``pkg`` under ``root``; return its folder."""
    package = root / "pkg"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


# --- (a) no import cycles ----------------------------------------------------------------------

def test_the_emulator_has_no_import_cycles() -> None:
    graph = import_graph(PACKAGE, "emulator")
    assert len(graph) > 100  # every module was read
    assert strongly_connected(graph) == []


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "def __getattr__(name):\n    from pkg.a import A\n    return A\n",
        "a.py": "from pkg.b import helper\nA = 1\n",
        "b.py": "def helper():\n    from . import c\n    return c\n",
        "c.py": "import pkg.a\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
        "sub/__init__.py": "from .x import y\n",
        "sub/x.py": "from .. import d\ny = 1\n",
    })
    graph = import_graph(root, "pkg")
    assert graph["pkg.b"] == {"pkg.c"} and graph["pkg.sub"] == {"pkg.sub.x"}
    assert graph["pkg.sub.x"] == {"pkg.d"} and graph["pkg.d"] == set()  # types only: no edge
    assert strongly_connected(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert graph["pkg"] == {"pkg.a"}  # only the real package root's lazy import is excepted


def test_tarjan_finds_every_component_of_a_synthetic_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"},
             "g": set()}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["d", "e"]]
    chain = {str(n): {str(n + 1)} for n in range(5000)} | {"5000": {"0"}}
    assert len(strongly_connected(chain)[0]) == 5001  # no recursion limit


# --- (b) one not-emulated root -----------------------------------------------------------------

def not_under(root: type, classes: Iterable[type]) -> list[type]:
    """Return the classes that do not derive from ``root``."""
    return [cls for cls in classes if not issubclass(cls, root)]


def test_every_not_emulated_error_derives_from_the_one_root() -> None:
    import requests

    import emulator.testing
    from emulator.errors import EmulatorError, NotEmulatedError
    from emulator.script.errors import FeatureNotEmulated
    from emulator.testing.errors import URLNotEmulated

    assert not_under(NotEmulatedError, [FeatureNotEmulated, URLNotEmulated]) == []
    assert issubclass(NotEmulatedError, EmulatorError)
    assert issubclass(URLNotEmulated, requests.ConnectionError)
    assert emulator.testing.NotEmulatedError is NotEmulatedError
    assert not_under(NotEmulatedError, [LookupError]) == [LookupError]  # the check can fail


# --- (c) a small package root ------------------------------------------------------------------

def test_the_package_root_holds_only_the_known_modules() -> None:
    assert stray_root_modules(PACKAGE) == set()


def test_a_stray_root_module_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"__init__.py": "", "app.py": "", "helpers.py": "",
                            "web/__init__.py": ""})
    assert stray_root_modules(root) == {"helpers"}


# --- (d) layers --------------------------------------------------------------------------------

def test_the_pure_layers_import_nothing_of_the_web_the_cli_or_the_tests() -> None:
    assert forbidden_imports(PACKAGE, "emulator", PURE_LAYERS, WEB_AND_ABOVE) == {}


def test_tokens_imports_only_the_standard_library_jwt_errors_and_script() -> None:
    assert outside_allowed(PACKAGE / "tokens.py", "emulator.tokens", TOKENS_MAY_IMPORT) == set()


def test_a_layer_breach_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "",
        "store/__init__.py": "",
        "store/rows.py": "import json\n\ndef late():\n    from werkzeug.http import dump_header\n",
        "store/ok.py": "from pkg.errors import E\n",
        "script/x.py": "from pkg.web.admin import routes\n",
        "web/admin.py": "import flask\n",
        "tokens.py": "import json, hmac\nimport jwt\nfrom pkg.script import x\nimport requests\n",
    })
    found = forbidden_imports(root, "pkg", ("store", "script"), ("werkzeug", "pkg.web"))
    assert found == {"pkg.store.rows": {"werkzeug.http"},
                     "pkg.script.x": {"pkg.web.admin"}}
    assert outside_allowed(root / "tokens.py", "pkg.tokens", ("jwt", "pkg.script")) == {
        "requests"}


@pytest.mark.parametrize("name", ["emulator.errors", "emulator.store.store", "emulator.cli"])
def test_the_graph_reads_known_edges(name: str) -> None:
    graph = import_graph(PACKAGE, "emulator")
    expected = {"emulator.errors": "emulator.assumptions",
                "emulator.store.store": "emulator.store.schema",
                "emulator.cli": "emulator.cli.group"}[name]
    assert expected in graph[name]
