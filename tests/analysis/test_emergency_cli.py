"""The CLI `parkrisk evacuate` (app/commands/emergency.py) on the demo park: chlorine at T-3, NE wind, 22:00.

Kept under tests/analysis with the other emergency tests."""

from __future__ import annotations

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
