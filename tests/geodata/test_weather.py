"""The park's weather tables in its GeoPackage: round trip, checks naming table/row/field/value/fix, atomic writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from geodata import ParkDataError, load_park
from geodata.samples.build_demo_park import DEFAULT_PATH, DEMO_ROSE_CSV
from geodata.weather import (
    WEATHER_ROSE_TABLE,
    ParkWeather,
    check_weather,
    read_weather,
    save_weather,
    weather_problems,
)

STATION = {
    "name": "某站",
    "latitude": "30.5",
    "longitude": "114.2",
    "source": "风玫瑰表",
    "anemometer_height_m": "10",
}


def _rose() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["day", "day", "night", "night"],
            "direction_deg": [0.0, 180.0, 0.0, 180.0],
            "speed_m_s": [3.0, 5.0, 1.5, 5.0],
            "stability": ["B", "D", "F", "E"],
            "probability": [0.2, 0.3, 0.4, 0.1],
        }
    )


def test_demo_park_ships_the_illustrative_rose():
    park = load_park(DEFAULT_PATH)
    assert park.weather is not None
    assert "示意" in park.weather.station["name"] and "示意" in park.weather.station["source"]
    ref = pd.read_csv(DEMO_ROSE_CSV, comment="#")
    pd.testing.assert_frame_equal(park.weather.rose, ref[park.weather.rose.columns], check_dtype=False)
    assert DEFAULT_PATH.stat().st_size < 5_000_000


def test_round_trip_and_save_park_keeps_weather(tmp_path):
    src = tmp_path / "p.gpkg"
    load_park(DEFAULT_PATH).save(src)  # a re-saved park keeps its rose
    w = check_weather(_rose(), STATION)
    save_weather(src, w)
    back = read_weather(src)
    pd.testing.assert_frame_equal(back.rose, w.rose)
    assert back.station["name"] == "某站"
    park = load_park(src)
    assert park.weather.station["name"] == "某站"
    out = tmp_path / "q.gpkg"
    park.save(out)
    pd.testing.assert_frame_equal(load_park(out).weather.rose, w.rose)
    assert set(load_park(out).layers) == set(park.layers)  # the tables are not read as layers
    with sqlite3.connect(out) as con:  # registered as GeoPackage attribute tables
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert kinds[WEATHER_ROSE_TABLE] == "attributes"


def test_save_weather_is_atomic_on_failure(tmp_path, monkeypatch):
    src = tmp_path / "p.gpkg"
    src.write_bytes(DEFAULT_PATH.read_bytes())
    before = src.read_bytes()

    def boom(path, weather, **kw):
        raise OSError("disk full")

    monkeypatch.setattr("geodata.weather.write_weather", boom)
    with pytest.raises(OSError):
        save_weather(src, check_weather(_rose(), STATION))
    assert src.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.gpkg"]  # no temporary file left


@pytest.mark.parametrize(
    ("edit", "row", "field", "kind"),
    [
        (lambda r: r.assign(stability=["B", "G", "F", "E"]), "第2行", "stability", "unknown_enum"),
        (lambda r: r.assign(direction_deg=[0.0, 360.0, 0.0, 180.0]), "第2行", "direction_deg", "bad_type"),
        (lambda r: r.assign(probability=[20.0, 30.0, 40.0, 10.0]), "第1行", "probability", "bad_type"),
        (lambda r: r.assign(probability=[0.2, 0.3, 0.4, 0.2]), None, "probability", "implausible"),
        (lambda r: r.assign(period=["day", "day", "夜间", "晚上"]), "第4行", "period", "unknown_enum"),
        (lambda r: r.drop(columns="speed_m_s"), None, "speed_m_s", "missing_column"),
    ],
)
def test_rose_problems_name_table_row_field_value_fix(edit, row, field, kind):
    probs = weather_problems(edit(_rose()), STATION)
    p = next(p for p in probs if p.kind == kind)
    assert (p.layer, p.row_id, p.column) == (WEATHER_ROSE_TABLE, row, field)
    assert p.fix_zh
    with pytest.raises(ParkDataError, match=field):
        check_weather(edit(_rose()), STATION)


def test_station_problems_and_chinese_columns():
    probs = weather_problems(_rose(), {**STATION, "latitude": "北纬30", "name": ""})
    assert {(p.column, p.kind) for p in probs} == {("latitude", "bad_type"), ("name", "missing_value")}
    zh = _rose().rename(
        columns={
            "period": "时段",
            "direction_deg": "风向",
            "speed_m_s": "风速",
            "stability": "稳定度",
            "probability": "频率",
        }
    )
    zh["时段"] = ["白天", "白天", "夜间", "夜间"]
    w = check_weather(zh, STATION)
    assert list(w.rose["period"]) == ["day", "day", "night", "night"]


def test_park_without_weather_reads_none(tmp_path):
    park = load_park(DEFAULT_PATH)
    park.weather = None
    park.save(tmp_path / "n.gpkg")
    assert load_park(tmp_path / "n.gpkg").weather is None
    assert isinstance(ParkWeather(_rose()).describe_zh(), str)
    assert Path(tmp_path / "n.gpkg").stat().st_size > 0


def test_a_stored_rose_accepts_the_stability_classes_the_models_know():
    from analysis.weather import STABILITY_CLASSES
    from geodata.weather import STABILITY

    assert STABILITY == STABILITY_CLASSES
