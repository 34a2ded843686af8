"""``parkrisk weather import|show`` and the refusal of ``parkrisk risk`` for a park without weather."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from app.cli import main
from geodata import load_park

DEMO = Path(__file__).resolve().parents[2] / "geodata" / "samples" / "demo_park.gpkg"


def _obs(path: Path) -> Path:
    # two days of hours: from the east at 3 m/s, clear sky
    t = pd.date_range("2024-06-01", periods=48, freq="h")
    pd.DataFrame({"时间": t.strftime("%Y-%m-%d %H:%M"), "风向": 90.0, "风速": 3.0, "总云量": 0}).to_csv(
        path, index=False, encoding="gb18030"
    )
    return path


def test_import_observations_into_the_park(tmp_path, capsys):
    park = tmp_path / "p.gpkg"
    park.write_bytes(DEMO.read_bytes())
    assert main(["weather", "import", str(park), str(_obs(tmp_path / "obs.csv")), "--station", "某站"]) == 0
    out = capsys.readouterr().out
    assert "48 个逐时观测" in out and "某站" in out
    w = load_park(park).weather
    assert w.station["name"] == "某站" and w.station["period_start"] == "2024-06-01"
    assert np.isclose(w.rose["probability"].sum(), 1.0)
    assert set(w.rose.loc[w.rose["probability"] > 0, "direction_deg"]) == {90.0}
    assert main(["weather", "show", str(park)]) == 0
    assert "某站" in capsys.readouterr().out


def test_import_refuses_bad_rows_and_leaves_the_park(tmp_path, capsys):
    park = tmp_path / "p.gpkg"
    park.write_bytes(DEMO.read_bytes())
    before = park.read_bytes()
    obs = pd.read_csv(_obs(tmp_path / "obs.csv"), encoding="gb18030")
    obs.loc[4, "总云量"] = 10
    obs.to_csv(tmp_path / "bad.csv", index=False)
    assert main(["weather", "import", str(park), str(tmp_path / "bad.csv"), "--station", "某站"]) == 1
    err = capsys.readouterr().err
    assert "cloud_cover_oktas" in err and "第 5 行" in err
    assert park.read_bytes() == before


def test_risk_refuses_a_park_without_weather_naming_the_fix(tmp_path, capsys):
    park = load_park(DEMO)
    park.weather = None
    park.save(tmp_path / "n.gpkg")
    assert main(["risk", str(tmp_path / "n.gpkg"), "-o", str(tmp_path / "r.tif")]) == 1
    err = capsys.readouterr().err
    assert "parkrisk weather import" in err and "--generic-weather" in err
    assert not (tmp_path / "r.tif").exists()
