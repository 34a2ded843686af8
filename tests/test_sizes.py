"""Sizes a reader can hold in mind: no module of analysis/ or app/ over 800 lines, no function body over 120."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120


def _files():
    return sorted(p for pkg in ("analysis", "app") for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("limit", [MAX_MODULE_LINES])
def test_modules_are_small(limit):
    big = {
        str(p.relative_to(ROOT)): n
        for p in _files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit
    }
    assert not big, f"模块超过 {limit} 行，请按职责拆分: {big}"


def test_functions_are_short():
    long = []
    for p in _files():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                # the docstring is documentation, not body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    body = body[1:] or body
                n = body[-1].end_lineno - body[0].lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.name} ({n} 行)")
    assert not long, f"函数体超过 {MAX_FUNCTION_LINES} 行，请拆分为有名字的步骤:\n" + "\n".join(long)
