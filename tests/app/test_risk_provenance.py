"""Issue 15, items 2 and 5: the lowest contour closes inside the risk grid, and every risk export says what it rests on.

The demo park's 3×10⁻⁷ /a contour (GB 36894-2018's lowest individual-risk limit) reached the border of the old
grid (park + 1,000 m): the GeoTIFF's top row had 89 cells ≥ 1×10⁻⁶ and 120 ≥ 3×10⁻⁷. These tests read the files
written by ``parkrisk risk`` and ``parkrisk siting`` back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.qra.contours import contour_closure
from app.cli import main

LOWEST = 3e-7  # [1/a] GB 36894-2018 lowest individual-risk limit (high-sensitive targets, new installations)


def _border(a: np.ndarray) -> np.ndarray:
    return np.concatenate([a[0, :], a[-1, :], a[:, 0], a[:, -1]])


@pytest.fixture(scope="module")
def default_run(demo_park_path, tmp_path_factory):
    """``parkrisk risk`` on the demo park with the default extent (25 m cells)."""
    import rasterio

    out = tmp_path_factory.mktemp("risk") / "ir.tif"
    assert main(["risk", str(demo_park_path), "-o", str(out), "--resolution", "25"]) == 0
    with rasterio.open(out) as src:
        return src.read(1), src.tags()


def test_lowest_contour_closes_inside_the_default_grid(default_run):
    grid, tags = default_run
    border = _border(grid)
    assert border.max() < LOWEST, f"border max {border.max():.2e} /a reaches {LOWEST:.0e} /a"
    assert grid.max() > 100 * LOWEST  # the contour exists: something to close
    assert tags["contour_closed"] == "True"
    assert tags["contour_level"] == "3e-07"
    assert "闭合" in tags["contour_statement"]


def test_geotiff_tags_carry_the_assumptions(default_run):
    _grid, tags = default_run
    for key in (
        "weather_source",
        "frequency_table",
        "ignition_model",
        "probits",
        "population_source",
        "grid",
    ):
        assert tags.get(f"assumption_{key}"), f"GeoTIFF tag assumption_{key} missing"
    assert "CPR 18E" in tags["assumption_frequency_table"]
    assert "25 m" in tags["assumption_grid"]
    assert "未核对" in tags["assumption_unverified"]


def test_forced_small_extent_reports_the_cut(demo_park_path, tmp_path, capsys):
    """A fixed extent around the park's core cuts the contours: the output says so, where and by how much."""
    import rasterio

    from geodata import load_park

    b = load_park(demo_park_path).metric("parks").total_bounds
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    ext = [cx - 800, cy - 800, cx + 800, cy + 800]
    out = tmp_path / "cut.xlsx"
    args = ["siting", str(demo_park_path), "-o", str(out), "--resolution", "50", "--extent", *map(str, ext)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "被计算范围截断" in printed
    sheet = pd.read_excel(out, sheet_name="假设与来源")
    rows = dict(zip(sheet["项目"], sheet["内容"], strict=True))
    assert "被计算范围截断" in rows["等值线闭合"]
    assert "用户指定范围" in rows["计算网格（范围与分辨率）"]
    assert rows["气象（风玫瑰）来源"]
    # the same cut in the GeoTIFF of `parkrisk risk`
    tif = tmp_path / "cut.tif"
    assert (
        main(["risk", str(demo_park_path), "-o", str(tif), "--resolution", "50", "--extent", *map(str, ext)])
        == 0
    )
    with rasterio.open(tif) as src:
        grid, tags = src.read(1), src.tags()
    assert tags["contour_closed"] == "False"
    assert float(tags["contour_border_max"]) == pytest.approx(_border(grid).max(), rel=1e-3)


def test_contour_closure_names_sides_and_fractions():
    """A 4 × 5 grid built by hand: the north row has 2 of 5 cells at the level, the east column 1 of 4."""
    g = np.zeros((4, 5))
    g[0, 1] = g[0, 2] = 5e-7
    g[2, 4] = 4e-7
    c = contour_closure(g, 3e-7)
    assert not c["closed"]
    assert set(c["sides"]) == {"north", "east"}
    assert c["sides"]["north"]["fraction"] == pytest.approx(0.4)
    assert c["sides"]["east"]["fraction"] == pytest.approx(0.25)
    assert c["border_max"] == pytest.approx(5e-7)
    assert "北边界" in c["statement_zh"] and "东边界" in c["statement_zh"]
    g[0, :] = 0.0
    g[2, 4] = 0.0
    g[1:3, 1:4] = 1e-5
    assert contour_closure(g, 3e-7)["closed"]
    with pytest.raises(ValueError, match="level"):
        contour_closure(g, 0.0)


def test_word_section_carries_the_assumptions(tmp_path):
    """The Word section "假设与来源" written for a (hand-built) result, read back with python-docx."""
    import docx
    import pandas as pd
    from affine import Affine
    from pyproj import CRS

    from analysis.qra.individual import IndividualRisk, RiskOptions
    from analysis.qra.provenance import run_assumptions
    from app.reports.risk_assumptions import add_assumptions_section

    grid = np.zeros((5, 5))
    grid[0, 2] = 1e-6  # reaches the north border: cut
    opts = RiskOptions(extent=(0.0, 0.0, 50.0, 50.0), resolution=10.0)
    notes = run_assumptions(
        opts,
        weather_source="气象站 A（2020–2024 逐时观测）",
        closure=contour_closure(grid, LOWEST),
        extent=(0.0, 0.0, 50.0, 50.0),
        resolution=10.0,
    )
    empty = pd.DataFrame()
    res = IndividualRisk(
        grid,
        Affine(10, 0, 0, 0, -10, 50),
        CRS.from_epsg(32650),
        10.0,
        empty,
        empty,
        empty,
        np.zeros((0, 0)),
        empty,
        opts,
        notes,
    )
    assert not res.contour_closed
    doc = docx.Document()
    add_assumptions_section(doc, res)
    path = tmp_path / "r.docx"
    doc.save(path)
    back = docx.Document(path)
    text = "\n".join(p.text for p in back.paragraphs)
    assert "假设与来源" in text and "北边界" in text
    cells = {row.cells[0].text: row.cells[1].text for row in back.tables[0].rows}
    assert cells["气象（风玫瑰）来源"] == "气象站 A（2020–2024 逐时观测）"
    assert "0.05 km × 0.05 km（用户指定范围），网格 10 m" == cells["计算网格（范围与分辨率）"]
    assert "未核对" in cells["社会风险判据线"]
