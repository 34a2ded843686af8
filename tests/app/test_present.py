"""app.present: one table of colours and labels, used by maps, pages, CLI and reports."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest

from app import present

APP = Path(__file__).resolve().parents[2] / "app"


def test_emergency_colours_agree_with_the_analysis_export():
    # the KML/GeoJSON export of analysis.emergency keeps its own copy; the map and the PDF must show the same
    from analysis.emergency import ZONE_COLORS

    assert {k: present.EMERGENCY_COLORS[k] for k in ZONE_COLORS} == ZONE_COLORS


def test_every_colour_is_a_hex_colour():
    tables = [v for k, v in vars(present).items() if k.isupper() and isinstance(v, dict)]
    colours = [c for t in tables for c in t.values() if isinstance(c, str) and c.startswith("#")]
    colours += [c for rc in present.RATE_CLASSES.values() for c in (rc.color, rc.print_color)]
    colours += [c for _, c, _ in present.PROBABILITY_CLASSES] + list(present.THREAT_ZONE_COLORS)
    assert colours and all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)


@pytest.mark.parametrize(
    ("rate", "key"),
    [(math.nan, "none"), (0.0, "lt50"), (0.5, "50_80"), (0.8, "80_100"), (0.99, "80_100"), (1.0, "100")],
)
def test_rate_class_bounds(rate, key):
    assert present.rate_class(rate) == key


def test_labels():
    assert present.major_hazard_grade_zh(2) == "二级"
    assert present.major_hazard_grade_zh(None) == "—"
    assert present.major_hazard_grade_zh(float("nan"), missing=present.NOT_MAJOR_HAZARD_ZH) == "非重大危险源"
    assert present.contour_label_zh(3e-7) == "≥ 3×10⁻⁷/年"
    assert (
        list(present.threat_zone_colors(["a", "b", "c", "d", "e"]).values())[-1]
        == present.THREAT_ZONE_COLORS[-1]
    )


@pytest.mark.parametrize(
    "path",
    [
        "views/emergency.py",
        "reports/briefing.py",
        "reports/rectification_docx.py",
        "rectification_map.py",
        "views/risk.py",
        "views/pipelines.py",
        "views/consequence.py",
        "views/domino.py",
    ],
)
def test_pages_and_reports_define_no_colour_table_of_their_own(path):
    """No module-level dict/tuple of colours outside app/present (single colours for a drawing detail are fine)."""
    tree = ast.parse((APP / path).read_text(encoding="utf-8"))
    tables = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict | ast.Tuple):
            values = [n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant)]
            if (
                sum(isinstance(v, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", v) is not None for v in values)
                >= 2
            ):
                tables.append(ast.unparse(node)[:60])
    assert not tables, f"{path} 自带颜色表，请改用 app.present: {tables}"
