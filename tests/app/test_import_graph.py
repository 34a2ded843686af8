"""app/ has no import cycle: the graph of its modules, read from the source with ``ast``.

Every import counts, also one inside a function: a lazy import hides a cycle from Python's loader, not from a
reader (app.auth ↔ app.state once imported each other that way).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _app_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of the tree a dotted name lives in (``app.mapping.park_map`` -> ``app.mapping``), or None."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in known:
            return candidate
    return None


def _imports(path: Path, module: str, known: dict[str, Path]) -> set[str]:
    """App modules imported anywhere in the file: module level, inside functions, relative or absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_resolve(a.name, known) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                found.add(_resolve(f"{source}.{alias.name}", known))
    found.discard(None)
    found.discard(module)
    return {m for m in found if m is not None}


def _graph() -> dict[str, set[str]]:
    known = _app_modules()
    return {mod: _imports(path, mod, known) for mod, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component with more than one module (Tarjan), or a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_app_has_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, f"app/ 存在循环导入（含函数内导入）/ import cycles in app/: {cycles}"


def test_the_graph_sees_function_level_and_package_imports():
    graph = _graph()
    # function-level import (app.views.pipelines imports app.cache inside render)
    assert "app.cache" in graph["app.views.pipelines"]
    # a package __init__ re-exporting its submodules
    assert {"app.mapping.park", "app.mapping.zones"} <= graph["app.mapping"]
    # the inverted dependency: state builds on auth, auth imports nothing of the app
    assert "app.auth" in graph["app.state"]
    assert not graph["app.auth"]


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
