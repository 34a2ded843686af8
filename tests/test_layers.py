"""The layers of the code, read from the source with ``ast``: no cycle, no upward import, no sideways import.

docs/architecture.md describes the layers. Every import counts, also one inside a function: a lazy import hides a
cycle from Python's loader but not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Rank of each part of analysis/: a module may import modules of its own rank (within the same package) or lower.
# regulation.gb18218 and regulation.gb36894 hold the standards' tables (GB 18218 substance classes, GB 36894 risk
# levels): lower layers read them, and they read only physics.
ANALYSIS_RANKS: dict[str, int] = {
    "analysis": 0,
    "analysis._data": 0,
    "analysis._checks": 0,
    "analysis._text": 0,  # numbers in the Chinese sentences the models write
    "analysis.constants": 0,
    "analysis.errors": 0,
    "analysis.physics": 1,
    "analysis.weather": 2,
    "analysis.regulation": 2,  # the package itself (a docstring)
    "analysis.regulation.gb18218": 2,
    "analysis.regulation.gb36894": 2,
    "analysis.scenarios": 3,
    "analysis.qra": 4,
    "analysis.domino": 5,
    "analysis.pipelines": 5,
    "analysis.emergency": 5,
    "analysis.regulation.siting_checks": 6,
    "analysis.regulation.findings": 6,
    "analysis.regulation.hazard_items": 6,  # findings citing the 20 major-hazard items
    "analysis.regulation.rectification": 6,
    "analysis.region": 7,
}
# Paths kept for callers outside the project (same names, same units); nothing inside analysis/ or app/ uses them.
COMPAT_MODULES = (
    "analysis.consequence",
    "analysis.vulnerability",
    "analysis.risk",
    "analysis.siting",
    "analysis.major_hazard",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules(package: str) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str:
    """The longest prefix of a dotted name that is a module of the tree (``a.b.func`` -> ``a.b``)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        cand = ".".join(parts[:i])
        if cand in known:
            return cand
    return name


def _imports(path: Path, module: str, known: dict[str, Path]) -> set[str]:
    """Every module imported anywhere in the file (module level or inside functions), resolved to files."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(_resolve(a.name, known) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                full = f"{mod}.{a.name}"
                out.add(full if full in known else _resolve(mod, known))
    out.discard(module)
    return out


def _graph(package: str) -> nx.DiGraph:
    known = {**_modules("analysis"), **_modules("app"), **_modules("geodata")}
    g = nx.DiGraph()
    for mod, path in _modules(package).items():
        g.add_node(mod)
        for dep in _imports(path, mod, known):
            g.add_edge(mod, dep)
    return g


def _rank(module: str) -> tuple[str, int] | None:
    best = None
    for prefix, rank in ANALYSIS_RANKS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, rank)
    return best


def _is_compat(module: str) -> bool:
    return any(module == c or module.startswith(c + ".") for c in COMPAT_MODULES)


@pytest.mark.parametrize("package", ["analysis", "app"])
def test_no_import_cycle(package):
    g = _graph(package)
    inner = g.subgraph([n for n in g if n.split(".")[0] == package])
    cycles = list(nx.simple_cycles(inner))
    assert not cycles, f"{package}/ 存在循环导入 (import cycles): {cycles[:10]}"


def test_every_analysis_module_has_a_layer():
    missing = [m for m in _modules("analysis") if _rank(m) is None and not _is_compat(m)]
    assert not missing, f"模块未归入任何层，请在 ANALYSIS_RANKS 与 docs/architecture.md 中登记: {missing}"


def test_analysis_imports_go_down_only():
    g = _graph("analysis")
    bad = []
    for a, b in g.edges:
        if not b.startswith("analysis"):
            if b.split(".")[0] in ("app", "streamlit", "folium", "matplotlib"):
                bad.append(f"{a} -> {b} (analysis 不得导入界面或绘图)")
            continue
        if _is_compat(a):
            continue
        if _is_compat(b):
            bad.append(f"{a} -> {b} (兼容路径仅供外部调用)")
            continue
        (_, ra), (_, rb) = _rank(a), _rank(b)
        if rb > ra:
            bad.append(f"{a} (层 {ra}) -> {b} (层 {rb}) 向上导入")
        elif rb == ra and a.split(".")[:2] != b.split(".")[:2] and ra > 0:
            bad.append(f"{a} -> {b} 同层横向导入")
    assert not bad, "analysis/ 分层违规:\n" + "\n".join(bad)


def test_geodata_imports_neither_analysis_nor_app():
    g = _graph("geodata")
    bad = [f"{a} -> {b}" for a, b in g.edges if b.split(".")[0] in ("analysis", "app")]
    assert not bad, "geodata/ 不得导入 analysis/app:\n" + "\n".join(bad)


def test_app_does_not_use_compatibility_paths():
    g = _graph("app")
    bad = [f"{a} -> {b}" for a, b in g.edges if _is_compat(b)]
    assert not bad, "app/ 应导入 analysis 的新路径:\n" + "\n".join(bad)


def test_the_graph_sees_lazy_imports(tmp_path):
    # The checker itself: an import inside a function is an edge.
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from analysis.qra import individual\n", encoding="utf-8")
    known = _modules("analysis")
    assert "analysis.qra.individual" in _imports(src, "analysis.physics.m", known)
