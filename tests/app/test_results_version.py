"""The version a stored result was computed with (app/results_version.py, app/results.py): the parkrisk version, a
hash of the analysis code of its kind and of the bundled tables that code reads enter the inputs hash, so a result
of older code, of other tables or of other weather is 已过期, with the reason in Chinese."""

from __future__ import annotations

import dataclasses

import pytest

from app import results as ar
from app import results_version as rv
from geodata import results as R


@pytest.fixture(scope="module")
def park(small_park_path):
    from geodata import load_park

    return load_park(small_park_path)


@pytest.fixture(scope="module")
def risk_result(park):
    from analysis.qra import individual as risk

    return risk.individual_risk(park, resolution=50.0, margin=300.0)


def test_the_code_of_each_kind_is_its_import_closure_and_its_tables():
    risk_files = {p.relative_to(rv._ROOT).as_posix() for p in rv.code_files("risk")}
    # the event tree and the loss-of-containment frequencies compute every risk grid (CPR 18E ch. 3 and 4)
    assert {
        "analysis/qra/event_tree.py",
        "analysis/qra/frequencies.py",
        "app/results_convert.py",
    } <= risk_files
    assert (
        "analysis/domino/propagation.py" not in risk_files
    )  # the domino model does not change the risk grid
    mh = {p.relative_to(rv._ROOT).as_posix() for p in rv.code_files("major_hazards")}
    assert "analysis/qra/individual.py" not in mh
    assert "purple_book_cpr18e_loc_frequencies.csv" in rv.data_digests("risk")
    assert "cozzani_2006_escalation_thresholds.csv" in rv.data_digests("domino")
    assert "gb32167_2015_table1_hca.csv" in rv.data_digests("hca")
    assert "gb32167_2015_table1_hca.csv" not in rv.data_digests("risk")
    assert rv.package_version() == __import__("importlib.metadata").metadata.version("parkrisk")


def test_a_code_change_changes_the_digest_a_comment_or_docstring_does_not(tmp_path):
    a, b, c = (tmp_path / f"{n}.py" for n in "abc")
    a.write_text('"""Doc."""\n\ndef f(x):\n    """Twice."""\n    return 2 * x\n', encoding="utf-8")
    b.write_text("# a comment\ndef f(x):  # reformatted\n    return 2*x\n", encoding="utf-8")
    c.write_text("def f(x):\n    return 3 * x\n", encoding="utf-8")
    da, db, dc = (rv._parsed(p)[0] for p in (a, b, c))
    assert da == db != dc


def test_a_result_of_other_weather_is_stale_with_the_reason(tmp_path, park, risk_result):
    from geodata.weather import check_weather

    stored = ar.to_stored("risk", risk_result, park, computed_by="张三", options={"resolution_m": 50.0})
    assert ar.stale_reasons(park, stored) == [] and not ar.is_stale(park, stored)
    rose = park.weather.rose.copy()
    for period in ("day", "night"):  # the same classes, the probabilities of each period in reverse order
        rows = rose["period"] == period
        rose.loc[rows, "probability"] = rose.loc[rows, "probability"].iloc[::-1].to_numpy()
    other = _with_weather(park, check_weather(rose, dict(park.weather.station)))
    reasons = ar.stale_reasons(other, stored)
    assert reasons == ["计算后气象数据（风玫瑰）已更改"]
    assert ar.is_stale(other, stored)
    line = ar.status_zh(stored, True, reasons)
    assert "计算后气象数据（风玫瑰）已更改" in line and line.endswith("结果已过期")


def _with_weather(park, weather):
    from geodata import Park

    return Park(dict(park.layers), source=park.source, weather=weather)


def test_a_result_of_older_code_or_tables_is_stale_with_the_reason(tmp_path, park, monkeypatch):
    from analysis.regulation import gb18218

    path = tmp_path / "p.gpkg"
    ar.store(path, "major_hazards", gb18218.enterprise_grades(park), park, computed_by="李四")
    stored = R.load_result(path, "major_hazards")
    assert stored.summary["inputs_version"]["package"] == rv.package_version()
    assert not ar.is_stale(park, stored)

    monkeypatch.setattr(rv, "code_digest", lambda kind: "0" * 16)  # the analysis code was edited since
    assert ar.stale_reasons(park, stored) == ["计算程序已更新（分析模型代码已修改）"]
    monkeypatch.setattr(rv, "package_version", lambda: "9.9.0")  # a new release
    was = stored.summary["inputs_version"]["package"]
    assert ar.stale_reasons(park, stored) == [f"计算程序已更新（parkrisk {was} → 9.9.0）"]
    monkeypatch.undo()
    tables = dict(rv.data_digests("major_hazards"))
    tables["gb18218_2018_table1.csv"] = "f" * 16  # GB 18218 table 1 replaced
    monkeypatch.setattr(rv, "data_digests", lambda kind: tables)
    assert ar.stale_reasons(park, stored) == ["计算所用的数据表已更新（gb18218_2018_table1.csv）"]


def test_a_result_stored_before_versions_were_kept_is_stale(park):
    from analysis.regulation import gb18218

    stored = ar.to_stored("major_hazards", gb18218.enterprise_grades(park), park, computed_by="x")
    summary = {k: v for k, v in stored.summary.items() if k != "inputs_version"}
    old = dataclasses.replace(stored, summary=summary, inputs_hash="0" * 64)
    assert ar.is_stale(park, old)
    assert ar.stale_reasons(park, old) == ["计算程序已更新：此结果由旧版程序计算，未记录计算程序和数据的版本"]


def test_an_input_layer_change_names_the_layer(park):
    from analysis.regulation import gb18218

    stored = ar.to_stored("major_hazards", gb18218.enterprise_grades(park), park, computed_by="x")
    inst = park.installations.copy()
    inst.loc[inst.index[0], "inventory_kg"] = float(inst["inventory_kg"].iloc[0]) * 2 + 1
    layers = dict(park.layers)
    layers["installations"] = inst
    from geodata import Park

    edited = Park(layers, source=park.source, weather=park.weather)
    reasons = ar.stale_reasons(edited, stored)
    assert len(reasons) == 1 and reasons[0].startswith("计算后图层「") and reasons[0].endswith("」已更改")
