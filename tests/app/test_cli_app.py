"""``parkrisk app``: the launcher's command line (the server itself is exercised by tests/app/test_browser.py)."""

from __future__ import annotations

import subprocess

from app import cli
from app.commands import serve


def test_app_command_binds_to_localhost_by_default(monkeypatch):
    seen = {}

    def fake_call(cmd, env, cwd):
        seen["cmd"], seen["env"] = cmd, env
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    assert cli.main(["app", "--headless", "--port", "8765"]) == 0
    cmd = seen["cmd"]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert str(serve.MAIN) in cmd


def test_app_command_with_missing_park_says_so_in_chinese(tmp_path, capsys):
    assert cli.main(["app", str(tmp_path / "无此文件.gpkg")]) == 1
    assert "找不到园区文件" in capsys.readouterr().err


def test_app_command_passes_coords_to_the_app(monkeypatch, demo_park_path):
    """Issue 13, finding 10: ``parkrisk app park.csv-folder --coords GCJ-02`` must load the park as GCJ-02."""
    seen = {}

    def fake_call(cmd, env, cwd):
        seen["env"] = env
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    assert cli.main(["app", str(demo_park_path), "--headless", "--coords", "GCJ-02"]) == 0
    assert seen["env"]["PARKRISK_COORDS"] == "GCJ-02"


def test_app_settings_and_session_source_take_the_coords(monkeypatch, demo_park_path):
    import pytest

    from app import settings as app_settings
    from app import state

    s = app_settings.load_settings(env={"PARKRISK_PARK": str(demo_park_path), "PARKRISK_COORDS": "BD-09"})
    assert s.park_coords == "BD-09"
    assert app_settings.load_settings(env={}).park_coords == "WGS84"
    with pytest.raises(ValueError, match="PARKRISK_COORDS"):
        app_settings.load_settings(env={"PARKRISK_COORDS": "UTM"})
    monkeypatch.setattr(state, "get_settings", lambda: (s, None))
    source = state.current_source()
    assert source.coords == "BD-09" and "BD-09" in source.label_zh
