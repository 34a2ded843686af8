"""``parkrisk app``: open the Streamlit app (on the bundled demo park unless a park is given)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from app.commands._common import add_coords_argument, fail

APP_DIR = Path(__file__).resolve().parents[1]
MAIN = APP_DIR / "main.py"


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
    return subprocess.call(cmd, env=env, cwd=str(APP_DIR.parent))
