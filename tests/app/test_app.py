"""Streamlit AppTest of app/main.py and the park-map page: they run, show the park, and bad input ends in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.main import discover_pages
from geodata import schema

APP = Path(__file__).resolve().parents[2] / "app" / "main.py"
TIMEOUT = 60  # [s] first run imports geopandas/folium


def _run(monkeypatch, park: Path | str | None) -> AppTest:
    monkeypatch.delenv("PARKRISK_BASEMAP", raising=False)
    if park is None:
        monkeypatch.delenv("PARKRISK_PARK", raising=False)
    else:
        monkeypatch.setenv("PARKRISK_PARK", str(park))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.error] + [h.value for h in at.html] + [m.value for m in at.markdown]
    parts += [c.value for c in at.caption] + [m.value for m in at.sidebar.markdown]
    return "\n".join(str(p) for p in parts)


def test_app_opens_on_the_demo_park_by_default(monkeypatch, demo_park_path, demo_park):
    at = _run(monkeypatch, None)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == f"园区一张图 · {demo_park.name}"
    assert "数据来源：内置示例园区（虚构数据）" in [c.value for c in at.sidebar.caption]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["企业"] == f"{len(demo_park.enterprises)} 家"
    assert metrics["装置设施"] == f"{len(demo_park.installations)} 处"


def test_park_map_page_with_park_from_env(monkeypatch, small_park_path, small_park):
    at = _run(monkeypatch, small_park_path)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "园区一张图 · 测试化工园区"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "企业": "4 家",
        "装置设施": "6 处",
        "管道": "2 条",
        "防护目标": "5 个",
        "整改事项": "0 项",  # not signed in: no items, as on the 一园一策 page (issue 13, finding 4)
    }
    assert f"数据来源：环境变量 PARKRISK_PARK：{small_park_path}" in [c.value for c in at.sidebar.caption]
    # the legend is shown beside the map, in Chinese
    (legend,) = [h for h in at.html if "pr-legend" in h.value]
    assert "企业安全风险等级" in legend.value and "防护目标（GB 36894）" in legend.value
    # the layer chooser lists every layer in Chinese and draws them all by default
    boxes = {c.label: c for c in at.sidebar.checkbox}
    shown = {n: g for n, g in small_park.layers.items() if n != "rectifications"}  # (none for a visitor)
    assert set(boxes) == {f"{schema.LAYERS[n].label_zh}（{len(g)}）" for n, g in shown.items()}
    assert all(c.value for c in boxes.values())
    at.checkbox(key="park_map_layer_roads").uncheck().run()
    assert not at.exception and not at.checkbox(key="park_map_layer_roads").value
    # the attribute tables are off by default and appear on request
    assert len(at.dataframe) == 0
    at.toggle(key="park_map_tables").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe) == len(shown)


def test_missing_park_file_shows_chinese_error(monkeypatch, tmp_path):
    at = _run(monkeypatch, tmp_path / "nope.gpkg")
    assert not at.exception
    assert at.error, "a page-level error is expected"
    text = _texts(at)
    assert "找不到园区数据文件" in text and "PARKRISK_PARK" in text
    assert not at.title  # the page stopped before drawing anything


def test_invalid_park_data_shows_the_validation_report(monkeypatch, tmp_path):
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"this is not a GeoPackage")
    at = _run(monkeypatch, bad)
    assert not at.exception
    text = _texts(at)
    assert "园区数据未通过校验" in text
    assert "园区数据校验报告" in text  # the full Chinese report from geodata
    assert "Traceback" not in text


def test_bad_upload_in_session_shows_chinese_error(monkeypatch, tmp_path, small_park_path):
    bad = tmp_path / "upload.gpkg"
    bad.write_bytes(b"\x00" * 64)
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["parkrisk_upload"] = {"path": str(bad), "name": "我的园区.gpkg"}
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "上传文件：我的园区.gpkg" in text
    assert "园区数据未通过校验" in text


def test_unknown_basemap_falls_back_with_a_chinese_warning(monkeypatch, small_park_path):
    monkeypatch.setenv("PARKRISK_BASEMAP", "google")
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("底图设置" in w.value and "无底图" in w.value for w in at.sidebar.warning)
    assert at.title[0].value == "园区一张图 · 测试化工园区"


def test_save_upload_rejects_wrong_type():
    from app import state

    with pytest.raises(ValueError, match=r"\.shp"):
        state.save_upload("park.shp", b"x")


def test_pages_are_discovered_from_module_constants(tmp_path):
    (tmp_path / "b.py").write_text('TITLE = "乙"\nICON = ":material/map:"\nORDER = 20\nraise SystemExit\n')
    (tmp_path / "a.py").write_text('TITLE: str = "甲"\nORDER = 30\n')
    (tmp_path / "c.py").write_text('ICON = ":material/map:"\n')  # no TITLE: skipped
    (tmp_path / "d.py").write_text("TITLE = (\n")  # syntax error: skipped, never imported
    (tmp_path / "_helper.py").write_text('TITLE = "x"\n')
    pages = discover_pages(tmp_path)
    assert [(p.title, p.icon, p.order) for p in pages] == [("乙", ":material/map:", 20), ("甲", None, 30)]


def test_the_park_map_page_is_first():
    pages = discover_pages()
    assert pages[0].title == "园区一张图" and pages[0].path.name == "park_map.py"
    assert all(p.icon is None or (p.icon.startswith(":material/") and p.icon.endswith(":")) for p in pages)


def test_main_is_served_as_an_asgi_app_with_gzip():
    # `streamlit run app/main.py` finds `app = st.App(...)` and serves the script through it (gzip, warm-up)
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(APP)
    assert found.is_asgi_app and found.import_string == "main:app"
    from app import main

    (gzip,) = main._middleware()
    assert gzip.cls.__name__ == "GZipMiddleware"


def test_park_map_hides_major_hazard_inventories_from_visitors(monkeypatch, demo_park_path):
    from app.auth import redact_park

    at = _run(monkeypatch, None)
    assert not at.exception
    assert any("仅对登录的管理、企业或检查人员显示" in c.value for c in at.caption)
    # what the page draws for a visitor: the inventories of major-hazard units are gone
    from geodata import load_park

    full = load_park(demo_park_path)
    shown = redact_park(None, full)
    hidden = shown.installations["inventory_kg"].isna() & full.installations["inventory_kg"].notna()
    assert hidden.sum() > 0
    assert shown.installations.loc[hidden, ["volume_m3", "pressure_pa", "temperature_k"]].isna().all().all()


def test_no_page_relies_on_streamlit_magic():
    """app/.streamlit/config.toml turns Streamlit's "magic" off (runner.magicEnabled: rewriting each page's syntax
    tree for it cost 0.1 s of every page's first run): a bare expression on a page would silently show nothing, so
    none may stand where magic would have written it (docstrings and calls are fine)."""
    import ast
    import tomllib
    from pathlib import Path

    app_dir = Path(__file__).resolve().parents[2] / "app"
    config = tomllib.loads((app_dir / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    kept = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)
    found = []
    for path in [app_dir / "main.py", *sorted((app_dir / "views").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Expr) or isinstance(node.value, kept):
                continue
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                continue  # a docstring (magic skips them too)
            found.append(f"{path.name}:{node.lineno}")
    assert not found, found
