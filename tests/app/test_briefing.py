"""The one-page briefing (app/reports/briefing.py) of the demo park's T-3 chlorine plan (wind from 45° at 2 m/s,
22:00 Beijing time): rendered to PNG with pdftoppm, its text layer read with pdftotext (poppler-utils), the map's
labels, routes and frame checked on the figure."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from analysis import emergency as em
from app.reports import briefing

BEIJING = ZoneInfo("Asia/Shanghai")
RELEASE = dt.datetime(2026, 12, 7, 22, 0, tzinfo=BEIJING)
ISSUED = dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC)  # 22:05 in Beijing


@pytest.fixture(scope="module")
def plan(demo_park):
    return em.plan(demo_park, unit_id="T-3", wind_from=45.0, wind_speed=2.0, time=RELEASE)


@pytest.fixture(scope="module")
def pdf(plan, demo_park, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "brief.pdf"
    briefing.write_briefing_pdf(out, plan, demo_park, issued_at=ISSUED, weather_note="风向风速手动输入")
    return out


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} missing: install the Debian package poppler-utils (.ci/run does)"
    return path


def test_pdf_renders_to_one_a4_png(pdf, tmp_path):
    subprocess.run([_tool("pdftoppm"), "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1  # one page
    from PIL import Image

    img = np.asarray(Image.open(pages[0]).convert("L"))
    h, w = img.shape
    assert h / w == pytest.approx(297 / 210, rel=0.02)  # A4 portrait
    # the map (upper left) is drawn: a good share of its pixels is not white
    top = img[int(0.12 * h) : int(0.45 * h), int(0.05 * w) : int(0.55 * w)]
    assert (top < 240).mean() > 0.2


def _text(pdf) -> str:
    out = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def test_text_layer_names_targets_and_erg2024_distances(pdf, plan):
    text = _text(pdf)
    listed = plan.targets.head(14)
    for name in listed["name"]:
        assert name in text, name
    # ERG 2024 Table 3, chlorine, rail tank car (72.3 t bullet tank), low wind (7.2 km/h), night:
    # isolate 1000 m, protect 11.0 km downwind (REFERENCE.md)
    assert "ERG 2024 表 3" in text
    row = [ln for ln in text.splitlines() if "ERG 2024 表 3" in ln][0]
    assert "1,000" in row and "11.0" in row
    assert "铁路罐车" in text and "7.2 km/h" in text


def test_times_in_beijing_time(pdf):
    text = _text(pdf)
    assert "事故时间：2026-12-07 22:00 北京时间（夜间）" in text
    assert "签发时间：2026-12-07 22:05 北京时间" in text


def test_frame_holds_the_whole_aegl1_zone(plan, demo_park):
    (x0, y0, x1, y1), note = briefing.briefing_frame(plan, demo_park)
    aegl1 = plan.result.toxic.set_index("level").loc["AEGL-1", "geometry"]
    assert box(x0, y0, x1, y1).contains(aegl1)
    assert note == ""


def test_frame_cut_is_said_with_its_size(plan, demo_park):
    (x0, y0, x1, y1), note = briefing.briefing_frame(plan, demo_park, max_frame_m=3000.0)
    assert x1 - x0 == pytest.approx(3000.0) and y1 - y0 == pytest.approx(3000.0)
    aegl1 = plan.result.toxic.set_index("level").loc["AEGL-1"]
    share = 1.0 - shapely.intersection(aegl1.geometry, box(x0, y0, x1, y1)).area / aegl1.geometry.area
    assert 0.05 < share < 1.0
    assert "图框未包含整个 AEGL-1 区" in note
    assert f"{share * 100:.0f} %" in note
    assert f"最远 {aegl1.max_distance / 1e3:.1f} km" in note  # the zone's reach from the source


def test_map_names_listed_targets_and_shows_routes_and_assembly(plan, demo_park):
    labels = briefing.target_labels(plan, demo_park)
    assert [n for n, *_ in labels] == list(range(1, len(labels) + 1))
    assert {name for _, name, _, _ in labels} == set(plan.targets.head(14)["name"])
    fig = briefing.briefing_map_figure(plan, demo_park, labels=labels)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for num, name, _, _ in labels:
        assert any(t.startswith(f"{num} ") and name.split("（")[0][:8] in t for t in texts), (num, name)
    for aid in plan.assembly["assembly_id"]:
        assert any(t.startswith(f"{aid} ") for t in texts)
    # every route vertex of the plan is drawn as a line
    drawn = np.vstack([np.column_stack(ln.get_data()) for ln in ax.lines if len(ln.get_xdata()) >= 2])
    for geom in plan.routes.geometry:
        xy = shapely.get_coordinates(geom)
        drawn_set = {tuple(p) for p in np.round(drawn, 3)}
        assert all(tuple(p) in drawn_set for p in np.round(xy, 3))
    # the source is in the frame and labels are not outside it
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert all(x0 <= x <= x1 and y0 <= y <= y1 for _, _, x, y in labels)
