"""The version of the program and the bundled data a stored result was computed with.

A stored result is out of date (已过期) not only when the park's layers, weather, population grid, F-N constants or
options changed (:func:`app.results.inputs_hash`) but also when the code or the bundled tables that computed it
changed. This module gives, per result kind:

- :func:`package_version`: the installed ``parkrisk`` version;
- :func:`code_digest`: a hash of the analysis code the kind runs — the modules of ``analysis`` reachable by imports
  (lazy imports inside functions included) from the kind's entry modules (:data:`KIND_CODE`), and the converter
  that turns the result into stored layers (``app/results_convert.py``). Each module enters as its syntax tree
  without docstrings (:func:`ast.dump`: no line numbers), so a comment, a docstring or a reformatting does not
  mark results out of date; any change of what the code does does;
- :func:`data_digests`: a hash of each bundled table (``analysis/data/*.csv``) whose file name appears in that
  code (the loss-of-containment frequencies, the ignition probabilities, the substances, the escalation
  thresholds, …).

Why a code hash and not a declared model version per kind: a declared version must be bumped by hand in the same
commit as the model change, and nothing can check that it was; a forgotten bump shows a result of the old model as
current. The hash cannot be forgotten. Its cost — a refactoring that leaves the numbers as they were also marks the
results 已过期 — errs on the safe side: the user is asked to recompute, never shown an old result as current.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import tempfile
from pathlib import Path

__all__ = ["KIND_CODE", "package_version", "code_files", "code_digest", "data_digests"]

_ROOT = Path(__file__).resolve().parents[1]
_DATA = _ROOT / "analysis" / "data"
#: The modules each kind's computation starts from (the page, command and background job call these).
KIND_CODE: dict[str, tuple[str, ...]] = {
    "risk": (
        "analysis.qra.individual",
        "analysis.qra.societal",
        "analysis.qra.contours",
        "analysis.qra.fn_settings",
        "analysis.regulation.siting_checks",
    ),
    "domino": ("analysis.domino",),
    "five_rooms": ("analysis.regulation.siting_checks",),
    "major_hazards": ("analysis.regulation.gb18218",),
    "hca": ("analysis.pipelines",),
    "emergency": ("analysis.emergency",),
}
#: Code outside ``analysis`` that decides what is stored (not followed further).
_CONVERTERS = ("app/results_convert.py",)


def package_version() -> str:
    """The installed version of ``parkrisk`` (``未安装`` when it runs from a checkout that is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("parkrisk")
    except PackageNotFoundError:
        return "未安装"


_FILES: dict[str, Path | None] = {}


def _module_file(name: str) -> Path | None:
    """The source file of module ``name`` (None for a name imported from a module that is not one itself)."""
    if name not in _FILES:
        base = _ROOT.joinpath(*name.split("."))
        _FILES[name] = next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)
    return _FILES[name]


def _module_name(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(_ROOT).with_suffix("")
    except ValueError:  # a file outside the package: no relative imports to resolve
        return ""
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _scan(path: Path, tree: ast.AST) -> tuple[set[str], set[str]]:
    """In one walk: the ``analysis`` modules ``tree`` imports (``from a import b``: ``a.b`` too, when b is a
    module) and its string constants; docstrings are removed from ``tree`` on the way."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    imports: set[str] = set()
    strings: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1] if node.level > 1 else base
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            imports.add(mod)
            imports.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]  # the docstring: not part of what the code does
    return {m for m in imports if m == "analysis" or m.startswith("analysis.")}, strings


def _disk_cache() -> Path | None:
    try:
        from geodata.store import data_dir

        return data_dir() / "code-digests.json"
    except (ImportError, OSError, ValueError):
        return None


_CACHE: dict[str, list] | None = None
_DIRTY = False


def _load_cache() -> dict[str, list]:
    """The digests of earlier processes, by file path with its size and modification time (parsing the whole
    analysis package takes about half a second; the server start and each background job would pay it)."""
    global _CACHE
    if _CACHE is None:
        _CACHE = {}
        where = _disk_cache()
        try:
            if where is not None and where.is_file():
                _CACHE = json.loads(where.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _CACHE = {}
    return _CACHE


def _save_cache() -> None:
    global _DIRTY
    where = _disk_cache()
    if where is None or _CACHE is None or not _DIRTY:
        return
    _DIRTY = False
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=".code-digests-", suffix=".json")
    except OSError:  # a read-only data folder: computed again next time
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(_CACHE, f, ensure_ascii=False)
        os.replace(tmp, where)
    except OSError:  # a full disk: computed again next time, and no half-written file left behind
        Path(tmp).unlink(missing_ok=True)


_MEMO: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {}


def _parsed(path: Path) -> tuple[str, frozenset[str], frozenset[str]]:
    """(digest of the code without docstrings, analysis modules imported, names of bundled tables in its strings)
    of one file, as it is on disk now (remembered by its size and modification time)."""
    st = path.stat()
    key = f"{path}|{st.st_size}|{st.st_mtime_ns}"
    memo = _MEMO.get(key)
    if memo is not None:
        return memo
    hit = _load_cache().get(key)
    if hit is not None:
        _MEMO[key] = hit[0], frozenset(hit[1]), frozenset(hit[2])
        return _MEMO[key]
    tree = ast.parse(path.read_bytes(), filename=str(path))
    imports, strings = _scan(path, tree)
    digest = hashlib.sha256(ast.dump(tree).encode("utf-8")).hexdigest()
    names = sorted(s for s in strings if ".csv" in s)  # what may name a bundled table
    _load_cache()[key] = [digest, sorted(imports), names]
    global _DIRTY
    _DIRTY = True
    _MEMO[key] = digest, frozenset(imports), frozenset(names)
    return _MEMO[key]


def code_files(kind: str) -> tuple[Path, ...]:
    """The source files of ``kind``'s computation as they are on disk now: the analysis modules reachable from
    :data:`KIND_CODE` (each package's ``__init__`` on the way included) and the converter to stored layers.

    Not remembered per process: the background jobs run in fresh child processes, which import the code as it is on
    disk; the server's check must describe the same code (a file is parsed again only when its size or
    modification time changed)."""
    if kind not in KIND_CODE:
        raise ValueError(f"结果类型 kind={kind!r} 未知：应为 {list(KIND_CODE)} 之一")
    seen: set[Path] = set()
    todo = list(KIND_CODE[kind])
    names: set[str] = set()
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # the packages on the way
        path = _module_file(name)
        if path is None or path in seen:
            continue
        seen.add(path)
        todo.extend(_parsed(path)[1])
    _save_cache()
    return tuple(sorted(seen)) + tuple(_ROOT / c for c in _CONVERTERS)


def code_digest(kind: str) -> str:
    """sha256 (first 16 hex digits) of the code of ``kind`` (:func:`code_files`, without docstrings)."""
    h = hashlib.sha256()
    for path in code_files(kind):
        h.update(str(path.relative_to(_ROOT)).encode("utf-8"))
        h.update(_parsed(path)[0].encode())
    return h.hexdigest()[:16]


def data_digests(kind: str) -> dict[str, str]:
    """file name -> sha256 (first 16 hex digits) of every bundled table the code of ``kind`` names."""
    strings = "\n".join(s for p in code_files(kind) for s in _parsed(p)[2])
    out = {}
    for path in sorted(_DATA.glob("*.csv")):
        if path.name in strings:
            out[path.name] = _file_digest(path)
    return out


def _file_digest(path: Path) -> str:
    st = path.stat()
    key = f"{path}|{st.st_size}|{st.st_mtime_ns}|bytes"
    if key not in _MEMO:
        _MEMO[key] = (hashlib.sha256(path.read_bytes()).hexdigest()[:16], frozenset(), frozenset())
    return _MEMO[key][0]
