"""AppTest of the page 后果分析 (app/views/consequence.py) on the small test park of tests/app/conftest.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "consequence.py"


@pytest.fixture()
def page(small_park_path, monkeypatch):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _select(at, key, value):
    at.selectbox(key=key).select(value).run()
    assert not at.exception, at.exception


def test_page_draws_fire_zones_and_lists_people(page):
    at = page
    assert at.title[0].value.startswith("后果分析")
    # Enterprise E1, LPG sphere U2, fireball.
    _select(at, "cq_enterprise", "E1")
    _select(at, "cq_unit", "U2")
    _select(at, "cq_kind", "fireball")
    assert not at.error, [e.value for e in at.error]
    zones = at.dataframe[1].value  # zones table (0 = Pasquill guide)
    assert list(zones["分区"]) == ["37.5 kW/m²", "12.5 kW/m²", "4 kW/m²"]
    d = [float(x.replace(",", "")) for x in zones["最远距离（m）"]]  # text: "1,234" or "未达到"
    assert d[0] < d[1] < d[2]
    summary = at.dataframe[2].value
    assert "防护目标白天人数（人）" in summary.columns
    # The 4 kW/m² zone of a 500 t propane fireball (~1.8 km) reaches the test park's school and hospital.
    assert summary["防护目标白天人数（人）"].iloc[-1] > 0
    assert any("火球" in m.value for m in at.markdown)


def test_page_vce_offers_the_chinese_practice_radii(page):
    at = page
    _select(at, "cq_enterprise", "E1")
    _select(at, "cq_unit", "U2")
    _select(at, "cq_kind", "vce")
    # both methods are offered, each with its source under the selector
    assert at.radio(key="cq_method").value == "probit"
    assert any("Kingery & Bulmash" in c.value for c in at.caption)
    at.radio(key="cq_method").set_value("cn_practice").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("1.8" in c.value and "13.6" in c.value for c in at.caption)
    zones = at.dataframe[1].value
    assert list(zones["分区"]) == ["死亡区", "重伤区", "轻伤区", "财产损失区"]
    # the four radii are those of one TNT mass (hidden from visitors): W from the death radius
    # R₀.₅ = 13.6 (W/1000)^0.37 (rounded to 1 m: W within ±1.5 %), then the serious-injury radius (ΔP = 44 kPa)
    # and the property radius (K = 4.6) of analysis.physics.explosion_cn for that W
    from analysis.physics import explosion_cn as cn

    d = [float(x.replace(",", "")) for x in zones["最远距离（m）"]]  # text: "1,234" or "未达到"
    w_tnt = 1000.0 * (d[0] / 13.6) ** (1.0 / 0.37)
    assert d[1] == pytest.approx(cn.serious_injury_radius_cn(w_tnt), rel=0.01)
    assert d[2] == pytest.approx(cn.light_injury_radius_cn(w_tnt), rel=0.01)
    assert d[3] == pytest.approx(cn.property_damage_radius_cn(w_tnt), rel=0.01)
    assert d[0] < d[1] < d[2]


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("cq_wind_speed", 0.0, "wind_speed"),
        ("cq_rh", 150.0, "relative_humidity"),
    ],
)
def test_page_bad_weather_gives_chinese_error(page, key, value, needle):
    at = page
    at.number_input(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert at.error, "expected an error message"
    msg = at.error[0].value
    assert "输入有误" in msg and needle in msg


def test_page_negative_hole_gives_chinese_error(page):
    at = page
    _select(at, "cq_enterprise", "E1")
    _select(at, "cq_unit", "U2")
    _select(at, "cq_kind", "jet_fire")
    at.radio(key="cq_mode").set_value("hole").run()
    at.number_input(key="cq_hole").set_value(-5.0).run()
    assert at.error and "hole_diameter" in at.error[0].value


# ------------------------------------------------------------------------------------------- CLI `parkrisk zones`
def test_cli_zones_writes_wgs84_geojson(small_park_path, tmp_path, capsys):
    import geopandas as gpd

    from app.cli import main

    out = tmp_path / "zones.geojson"
    code = main(
        [
            "zones",
            str(small_park_path),
            "--unit",
            "U3",
            "--scenario",
            "toxic",
            "--wind-from",
            "45",
            "--wind-speed",
            "2",
            "--stability",
            "D",
            "--hole-diameter",
            "0.02",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "AEGL-3" in text and "最远距离" in text and "假设与模型" in text
    z = gpd.read_file(out)
    assert z.crs.to_epsg() == 4326  # RFC 7946
    assert list(z["level"]) == ["AEGL-3", "AEGL-2", "AEGL-1"]
    # north-east wind: the footprint lies south-west of the source (lon/lat smaller)
    from geodata import load_park

    src = load_park(small_park_path).installations.set_index("unit_id").geometry["U3"]
    c = z.geometry.iloc[-1].centroid
    assert c.x < src.x and c.y < src.y


def test_cli_zones_lists_scenarios_without_scenario(small_park_path, capsys):
    from app.cli import main

    assert main(["zones", str(small_park_path), "--unit", "U2"]) == 0
    out = capsys.readouterr().out
    assert "fireball" in out and "火球" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--unit", "T-99", "--scenario", "toxic"], "T-99"),
        (["--unit", "U3", "--scenario", "toxic", "--stability", "G"], "stability"),
        (["--unit", "U3", "--scenario", "toxic", "--wind-speed", "0"], "wind_speed"),
        (["--unit", "U3", "--scenario", "pool_fire"], "不可燃"),
    ],
)
def test_cli_zones_bad_input_exits_1_with_chinese_message(small_park_path, capsys, args, needle):
    from app.cli import main

    assert main(["zones", str(small_park_path), *args]) == 1
    err = capsys.readouterr().err
    assert "错误：" in err and needle in err


def test_cli_zones_unknown_scenario_is_refused_by_argparse(small_park_path, capsys):
    from app.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["zones", str(small_park_path), "--unit", "U3", "--scenario", "explosion"])
    assert exc.value.code == 2
    assert "explosion" in capsys.readouterr().err


def test_zones_map_is_offline_and_draws_every_reached_level(small_park):
    import importlib.util

    from analysis.scenarios import Scenario, Weather
    from analysis.scenarios.zones import threat_zones_for_unit
    from app.mapping import external_asset_urls

    spec = importlib.util.spec_from_file_location("consequence_page", PAGE)
    page_mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(page_mod)  # the Streamlit part only runs as __main__
    zones = threat_zones_for_unit(small_park, "U2", Scenario("fireball"), Weather(2.0, 45.0, "D"))
    m = page_mod.zones_map(small_park, zones, unit_id="U2")
    assert external_asset_urls(m) == []
    html = m.get_root().render()

    def shown(text):  # folium writes non-ASCII text either raw or JSON-escaped (\uXXXX)
        return text in html or json.dumps(text)[1:-1] in html

    assert shown("伤害分区") and shown("事故源")
    # one layer switcher, created after the zone layer it lists (else Leaflet throws and the map stays blank)
    assert html.count("L.control.layers(") == 1
    assert html.index("L.control.layers(") > max(i.start() for i in re.finditer(r"L\.featureGroup\(", html))
    for level in zones["level"]:
        assert shown(level)
    table = page_mod.zone_table(zones)
    assert list(table.columns[:4]) == ["分区", "含义", "阈值（kW/m²）", "最远距离（m）"]
    assert table["阈值（kW/m²）"].tolist() == [37.5, 12.5, 4.0]


def test_visitor_does_not_see_major_hazard_inventory_in_the_caption(demo_park):
    from app.auth import redact_for
    from app.views.consequence import _installation_caption

    inst = demo_park.installations
    t3 = inst[inst["unit_id"] == "T-3"]
    assert "存量 —" in _installation_caption(redact_for(None, t3).iloc[0])
    assert "存量 —" not in _installation_caption(t3.iloc[0])


def test_a_level_not_reached_says_so_and_the_caption_has_no_nan(demo_park):
    """Issue 17, item 6: "未达到" instead of 0 m for a level the scenario does not reach; no "nan" in the header of
    an installation whose temperature or substance is unknown (or hidden from a visitor)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from app.views import consequence as page_mod

    zones = gpd.GeoDataFrame(
        {
            "level": ["37.5 kW/m²", "4 kW/m²"],
            "label_zh": ["a", "b"],
            "quantity": ["heat_flux", "heat_flux"],
            "threshold": [37.5e3, 4e3],
            "max_distance": [0.0, 1234.4],
            "area_m2": [0.0, 2.0e6],
            "resolution_m": [5.0, 5.0],
            "source": ["s", "s"],
            "truncated": [False, False],
        },
        geometry=[shapely.Polygon(), shapely.Point(0, 0).buffer(1234.4)],
        crs=32650,
    )
    table = page_mod.zone_table(zones)
    assert table["最远距离（m）"].tolist() == ["未达到", "1,234"]
    summary = page_mod.summary_table(
        pd.DataFrame({"level": zones["level"], "label_zh": ["a", "b"], "max_distance": [0.0, 1234.4]})
    )
    assert summary["最远距离（m）"].tolist() == ["未达到", "1,234"]
    row = demo_park.installations.iloc[0].copy()
    row["temperature_k"] = float("nan")
    row["substance"] = None
    caption = page_mod._installation_caption(row)
    assert "nan" not in caption.lower() and "None" not in caption
    assert "温度 —" in caption and "物质：—" in caption
