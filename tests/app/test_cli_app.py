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
