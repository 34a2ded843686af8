"""``--store`` of the parkrisk commands: results kept with the park, computed by 命令行 (app/results_cli.py)."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from app import results as ar
from app.cli import main
from geodata import load_park
from geodata import results as R


@pytest.fixture
def park_file(tmp_path, small_park_path, monkeypatch):
    path = tmp_path / "park.gpkg"
    shutil.copyfile(small_park_path, path)
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    return path


def test_commands_store_their_results_in_the_park_file(park_file, tmp_path, capsys):
    p = str(park_file)
    assert (
        main(["domino", p, "-o", str(tmp_path / "e.geojson"), "--samples", "200", "--levels", "2", "--store"])
        == 0
    )
    assert main(["major-hazards", p, "--store"]) == 0
    assert main(["pipelines", p, "--store"]) == 0
    assert (
        main(["risk", p, "-o", str(tmp_path / "ir.tif"), "--resolution", "50", "--margin", "300", "--store"])
        == 0
    )
    unit = str(load_park(park_file).installations["unit_id"].iloc[0])
    assert main(["evacuate", p, "--unit", unit, "--wind-from", "90", "--wind-speed", "2", "--store"]) == 0
    out = capsys.readouterr().out
    assert out.count("结果保存到园区") == 5 and "命令行" in out and "北京时间" in out
    kept = R.list_results(park_file)
    assert set(kept) == {"domino", "major_hazards", "hca", "risk", "emergency"}
    assert {m.computed_by for m in kept.values()} == {"命令行"}
    park = load_park(park_file)
    assert park.report.ok
    for kind in kept:
        stored = R.load_result(park_file, kind)
        assert not ar.is_stale(park, stored), kind
    assert R.load_result(park_file, "domino").summary["options"]["n_samples"] == 200
    assert R.load_result(park_file, "risk").summary["options"] == {"resolution_m": 50.0, "margin_m": 300.0}
    # a partial run is not kept as the park's result
    assert main(["pipelines", p, "--pipeline", "L1", "--store"]) == 1
    assert "去掉 --pipeline" in capsys.readouterr().err


def test_the_demo_park_is_never_written(tmp_path, monkeypatch, demo_park_path):
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    before = hashlib.sha256(demo_park_path.read_bytes()).hexdigest()
    assert main(["major-hazards", str(demo_park_path), "--store"]) == 0
    assert hashlib.sha256(demo_park_path.read_bytes()).hexdigest() == before
    sidecar = ar.results_target(demo_park_path)
    assert sidecar.parent == tmp_path and R.load_result(sidecar, "major_hazards").computed_by == "命令行"


@pytest.mark.postgis
def test_with_a_postgis_store_the_results_go_to_the_database(park_file, pg_server, monkeypatch, capsys):
    from geodata.store import PostgisStore

    dsn = pg_server.app_store("parkrisk")
    monkeypatch.setenv("PARKRISK_STORE", dsn)
    assert main(["major-hazards", str(park_file), "--store"]) == 0
    assert "PostGIS" in capsys.readouterr().out
    assert R.list_results(park_file) == {}  # the park file is not written
    store = PostgisStore(dsn)
    try:
        got = R.load_result(ar.results_target(park_file, store=store), "major_hazards")
        assert got is not None and got.computed_by == "命令行" and len(got.layers["units"])
    finally:
        store.close()
