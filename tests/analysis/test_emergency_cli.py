"""The CLI `parkrisk evacuate` (app/commands/emergency.py) on the demo park: chlorine at T-3, NE wind, 22:00.

Kept under tests/analysis with the other emergency tests."""

from __future__ import annotations

import datetime as dt
import json

from app.cli import main


def test_evacuate_writes_pdf_kml_geojson(demo_park_path, tmp_path, capsys):
    pdf, kml, gj = tmp_path / "brief.pdf", tmp_path / "brief.kml", tmp_path / "brief.geojson"
    rc = main(
        [
            "evacuate",
            str(demo_park_path),
            "--unit",
            "T-3",
            "--wind-from",
            "45",
            "--wind-speed",
            "2",
            "--time",
            "22:00",
            "--stability",
            "F",
            "-o",
            str(pdf),
            "-o",
            str(kml),
            "-o",
            str(gj),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "AEGL-2" in out and "江滨村" in out and "重气" in out
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert kml.read_text(encoding="utf-8").startswith("<?xml")
    data = json.loads(gj.read_text(encoding="utf-8"))
    assert {f["properties"]["layer"] for f in data["features"]} >= {"toxic", "route", "assembly"}


def test_evacuate_bad_input_chinese_message(demo_park_path, tmp_path, capsys):
    assert main(["evacuate", str(demo_park_path), "--unit", "NOPE"]) == 1
    assert "设施编号" in capsys.readouterr().err
    assert main(["evacuate", str(demo_park_path), "--unit", "T-3", "-o", str(tmp_path / "x.docx")]) == 1
    assert main(["evacuate", str(demo_park_path), "--unit", "T-3", "--wind-speed", "0"]) == 1
    assert "风速" in capsys.readouterr().err


def _station_csv(path, minutes_ago: float, direction: float = 45.0, speed: float = 2.0, oktas: int = 6):
    from analysis.emergency.observations import BEIJING_TZ

    t = dt.datetime.now(BEIJING_TZ) - dt.timedelta(minutes=minutes_ago)
    path.write_text(
        f"time,direction,speed,cloud_cover\n{t:%Y-%m-%dT%H:%M:%S%z},{direction},{speed},{oktas}\n",
        encoding="utf-8",
    )
    return path


def test_evacuate_plan_output(demo_park_path, capsys):
    rc = main(
        ["evacuate", str(demo_park_path), "--unit", "T-3", "--time", "2026-12-07 22:00", "--stability", "F"]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "2026-12-07 22:00 北京时间" in out
    # ERG 2024 Table 3: chlorine, rail tank car (72.3 t), low wind (2 m/s = 7.2 km/h), night: 1000 m / 11 km
    assert "ERG 2024 表 3" in out and "隔离 1000 m，夜间防护距离 11 km" in out and "铁路罐车" in out
    assert "防护行动" in out and "理由：" in out and "集合点" in out
    assert "2947647" not in out  # concentrations with sensible digits


def test_evacuate_observations_file(demo_park_path, tmp_path, capsys):
    f = _station_csv(tmp_path / "station.csv", minutes_ago=5, direction=90.0, speed=3.0)
    rc = main(["evacuate", str(demo_park_path), "--unit", "T-3", "--observations", str(f), "--time", "22:00"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "已采用最新观测" in out and "风向 90°（来向），风速 3 m/s，云量 6/8" in out
    assert "风向 90°" in out and "风速 3 m/s" in out  # the weather used


def test_evacuate_stale_observations_refused(demo_park_path, tmp_path, capsys):
    f = _station_csv(tmp_path / "station.csv", minutes_ago=45)
    assert main(["evacuate", str(demo_park_path), "--unit", "T-3", "--observations", str(f)]) == 1
    err = capsys.readouterr().err
    assert "超过设定时效 30 min" in err and "未采用" in err
    # the user's own limit
    rc = main(
        ["evacuate", str(demo_park_path), "--unit", "T-3", "--observations", str(f), "--max-age-min", "60"]
    )
    assert rc == 0
    capsys.readouterr()


def test_evacuate_observations_url_and_errors(demo_park_path, tmp_path, capsys):
    import functools
    import http.server
    import threading

    _station_csv(tmp_path / "obs.csv", minutes_ago=2, direction=200.0, speed=4.0)
    (tmp_path / "bad.csv").write_text("time,direction,speed\nnow,45,2\n", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        rc = main(["evacuate", str(demo_park_path), "--unit", "T-3", "--observations", f"{base}/obs.csv"])
        out = capsys.readouterr().out
        assert rc == 0 and "风向 200°（来向），风速 4 m/s" in out
        assert (
            main(["evacuate", str(demo_park_path), "--unit", "T-3", "--observations", f"{base}/bad.csv"]) == 1
        )
        assert "第 2 行" in capsys.readouterr().err
    finally:
        srv.shutdown()
        srv.server_close()
        th.join(5)
    args = [
        "evacuate",
        str(demo_park_path),
        "--unit",
        "T-3",
        "--observations",
        f"{base}/obs.csv",
        "--wind-from",
        "0",
    ]
    assert main(args) == 1
    assert "不能同时给出" in capsys.readouterr().err
    assert main(["evacuate", str(demo_park_path), "--unit", "T-3", "--time", "25:99"]) == 1
    assert "事故时间" in capsys.readouterr().err
