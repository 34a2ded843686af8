"""``parkrisk app``: the launcher's command line (the server itself is exercised by tests/app/test_browser.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import cli
from app.commands import serve


def test_app_command_binds_to_localhost_by_default(monkeypatch):
    seen = {}

    def fake_call(cmd, env, cwd):
        seen["cmd"], seen["env"] = cmd, env
        return 0

    monkeypatch.setattr(serve, "run_server", fake_call)
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

    monkeypatch.setattr(serve, "run_server", fake_call)
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


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_parkrisk_app_stops_its_server(sig, demo_park_path, tmp_path):
    """Issue 17, item 6: SIGTERM (or Ctrl-C) to ``parkrisk app`` used to leave the Streamlit server listening."""
    port = _free_port()
    env = dict(os.environ, PARKRISK_DATA_DIR=str(tmp_path), PARKRISK_BASEMAP="none")
    code = "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code, "app", str(demo_park_path), "--headless", "--port", str(port)]
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            assert proc.poll() is None, "parkrisk app exited before its server listened"
            assert time.monotonic() < deadline, f"the server did not listen on port {port} within 60 s"
            time.sleep(0.2)
        proc.send_signal(sig)
        t0 = time.monotonic()
        proc.wait(timeout=serve.STOP_GRACE_S + 5)
        while _listening(port) and time.monotonic() - t0 < 5:
            time.sleep(0.1)
        assert not _listening(port), f"port {port} still listening after parkrisk app stopped"
        assert time.monotonic() - t0 < 5, "the server took longer than 5 s to stop"
        assert proc.returncode != 0  # stopped by a signal, not a clean exit
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
