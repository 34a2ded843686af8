"""``parkrisk app``: open the Streamlit app (on the bundled demo park unless a park is given).

The Streamlit server runs as a child in its own process group; SIGTERM, SIGINT (Ctrl-C) and SIGHUP sent to
``parkrisk app`` are forwarded to that group, and the group is killed when it has not stopped
:data:`STOP_GRACE_S` seconds later, so stopping the launcher (a service manager, ``kill``) never leaves a server
listening on its port.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.commands._common import add_coords_argument, fail

APP_DIR = Path(__file__).resolve().parents[1]
MAIN = APP_DIR / "main.py"
#: How long the server may take to stop after a forwarded signal before its process group is killed. [s]
STOP_GRACE_S = 10.0
_FORWARDED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="打开园区风险一张图应用（默认加载内置示例园区）")
    p.add_argument("park", nargs="?", help="园区 GeoPackage 路径（省略则使用内置示例园区）")
    p.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="监听地址（默认 127.0.0.1，仅本机访问；局域网共享可设为 0.0.0.0）",
    )
    p.add_argument("--headless", action="store_true", help="不自动打开浏览器")
    add_coords_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.park:
        park = Path(args.park).expanduser().resolve()
        if not park.exists():
            return fail(f"找不到园区文件 {park}。请检查路径，或省略该参数以使用内置示例园区。")
        env["PARKRISK_PARK"] = str(park)
        env["PARKRISK_COORDS"] = args.coords
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN),
        "--server.port",
        str(args.port),
        # An explicit address also keeps Streamlit from looking up an external IP on the internet at start.
        "--server.address",
        args.host,
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    if args.headless:
        cmd += ["--server.headless", "true"]
    # Run from the folder holding the app so that .streamlit/config.toml beside it applies.
    return run_server(cmd, env=env, cwd=str(APP_DIR.parent))


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the child's process group (the child alone where there are no groups)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signum)
        else:  # Windows: no process groups
            proc.send_signal(signum)


def run_server(cmd: list[str], *, env: dict[str, str], cwd: str, grace_s: float = STOP_GRACE_S) -> int:
    """Run ``cmd`` (the Streamlit server) in its own process group until it exits; SIGTERM, SIGINT and SIGHUP
    received meanwhile are forwarded to the group, which is killed ``grace_s`` seconds later if still running.
    Returns the server's exit code (128 + the signal's number when it was stopped by a forwarded signal and
    exited with 0, as a shell reports a process ended by a signal)."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, start_new_session=hasattr(os, "killpg"))
    received: list[int] = []

    def forward(signum, _frame) -> None:
        received.append(signum)
        _signal_group(proc, signum)

    previous = {s: signal.signal(s, forward) for s in _FORWARDED}
    deadline = None
    try:
        while True:
            try:
                rc = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if received and deadline is None:
                    deadline = time.monotonic() + grace_s
                if deadline is not None and time.monotonic() > deadline:
                    _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:  # the launcher itself failed: do not leave the server behind
            _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
            proc.wait()
    return 128 + received[0] if received and rc == 0 else rc
