"""Time from starting the app to the park map drawn in headless Chromium, and the page payload.

Usage::

    python bench/app_startup.py [PARK] [--runs N] [--results-park PATH] [--no-results] [--large]
                                [--compile-each-start]

Starts ``streamlit run app/main.py`` on a free localhost port with ``PARKRISK_PARK=PARK`` (default: the demo
park; ``--large``: :func:`geodata.samples.synthetic.generate_park` with seed 0, issue 19), drives Debian's
``/usr/bin/chromium`` with Playwright, opens the app's first page (园区一张图) as an anonymous visitor and waits
until the map is drawn, and prints:

- seconds from launching the server process (``subprocess.Popen``) to the map drawn (target ≤ 3 s), with the
  server's CPU time [s] by then and the load average of the machine,
- seconds from navigation to the map drawn (a warm server),
- the payload of a page load: the bytes the server sends on the wire, counted by a TCP proxy in front of it
  (HTTP as compressed, WebSocket frames as sent; target ≤ 2 MB), and as the browser counts them,
- any request that left localhost (must be none),

twice: for the park as it is, and for a copy of it with every analysis result stored in it (issue 17: risk contours,
domino edges, 五室, major hazards, HCAs and an emergency plan, computed with the pages' default settings and saved
with :func:`app.results.store`). ``--results-park`` keeps (or reuses) that copy; ``--no-results`` measures the park
alone.

The server runs as an installed app does, with its modules' bytecode kept between starts: in a fresh folder
(``PYTHONPYCACHEPREFIX``) written by one untimed start first, whatever ``PYTHONDONTWRITEBYTECODE`` says here;
``--compile-each-start`` measures a server that compiles the project's modules at every start instead.

"Map drawn" is the first moment (polled every 50 ms) when, inside the map's iframe (an ``srcdoc`` page,
:mod:`app.mapping.component`), the Leaflet map (folium's ``map_…``, or streamlit-folium's ``window.map``) holds at least as many drawn features as the park has features an anonymous visitor sees
(:func:`count_features`) and, with stored results, its layer switcher lists every result group. A feature counts
when its layer is on the map (a GeoJSON feature: ``layer.feature`` set) and drawn: on the SVG renderer its element is
in the page, on a canvas renderer (a large park, :data:`app.mapping.park.CANVAS_MIN_FEATURES`) the canvas has no
redraw pending. Until then the user does not see the whole park.

The same functions drive the browser tests (``tests/app/test_browser.py``, ``tests/app/test_one_map_browser.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
MAIN = REPO / "app" / "main.py"
DEMO_PARK = REPO / "geodata" / "samples" / "demo_park.gpkg"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine."""
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or (parsed.hostname or "") in LOCAL_HOSTS


@contextlib.contextmanager
def running_app(
    park: Path,
    *,
    port: int | None = None,
    log_path: Path | None = None,
    procs: list | None = None,
    bytecode_dir: Path | None = None,
) -> Iterator[tuple[str, float]]:
    """Run the app in a subprocess; yields (base URL, monotonic start time). Stops it on exit. The server's
    ``subprocess.Popen`` is appended to ``procs`` when given (for its CPU time). With ``bytecode_dir`` the server
    reads and writes its modules' bytecode there (``PYTHONPYCACHEPREFIX``, even when ``PYTHONDONTWRITEBYTECODE`` is
    set here), as an installed app keeps it between starts."""
    port = port or free_port()
    env = dict(os.environ, PARKRISK_PARK=str(park), PYTHONUNBUFFERED="1")
    env.pop("PARKRISK_BASEMAP", None)  # offline basemap
    if bytecode_dir is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_dir)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(MAIN),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.enableStaticServing", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    out = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    if procs is not None:
        procs.append(proc)
    try:
        yield f"http://127.0.0.1:{port}", t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if log_path:
            out.close()


def wait_healthy(base: str, *, timeout: float = 30.0) -> None:
    """Poll the server's health endpoint until it answers ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:  # noqa: S310 (localhost)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the app at {base} did not become healthy within {timeout} s")


@contextlib.contextmanager
def counting_proxy(base: str) -> Iterator[tuple[str, list[int]]]:
    """A TCP proxy on a free localhost port in front of the app at ``base``; yields (the proxy's base URL, a one-item
    list holding the bytes the server has sent through it). Those are the bytes on the wire: HTTP headers and bodies
    as the server compressed them and WebSocket frames as sent (permessage-deflate when the server negotiated it;
    the browser's WebSocket API and Playwright only see the frames inflated)."""
    target = urlparse(base)
    listener = socket.create_server(("127.0.0.1", 0))
    sent = [0]
    lock = threading.Lock()
    sockets: list[socket.socket] = []

    def pipe(src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while data := src.recv(65536):
                if count:
                    with lock:
                        sent[0] += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection((target.hostname, target.port))
            sockets.extend((client, upstream))
            threading.Thread(target=pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client, True), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", sent
    finally:
        listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()


@dataclass
class PageRecord:
    """What the browser fetched while loading the page."""

    urls: list[str] = field(default_factory=list)
    http_bytes: int = 0
    ws_bytes: int = 0
    responses: list = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    # first time [monotonic s] of: ws, iframe (the first request of a frame other than the page's), leaflet
    marks: dict[str, float] = field(default_factory=dict)

    @property
    def external(self) -> list[str]:
        return [u for u in self.urls if not is_local(u)]


def launch_browser(playwright):
    """Debian's Chromium (never a downloaded browser)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: the browser test needs Debian's Chromium — run `apt-get install chromium`"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def attach_recorder(page) -> PageRecord:
    """Record every request (all frames), transferred bytes and WebSocket frames of ``page``."""
    rec = PageRecord()

    def on_finished(request) -> None:
        with contextlib.suppress(Exception):
            sizes = request.sizes()
            rec.http_bytes += max(sizes.get("responseBodySize", 0), 0) + max(
                sizes.get("responseHeadersSize", 0), 0
            )

    def on_ws(ws) -> None:
        rec.urls.append(ws.url)
        rec.marks.setdefault("ws", time.monotonic())

        def on_frame(payload) -> None:
            rec.ws_bytes += len(payload)

        ws.on("framereceived", on_frame)

    def on_request(request) -> None:
        rec.urls.append(request.url)
        with contextlib.suppress(Exception):  # a request of a frame other than the page's: the map's iframe
            if request.frame != request.frame.page.main_frame:
                rec.marks.setdefault("iframe", time.monotonic())
        if "/vendor/leaflet/leaflet.js" in request.url:
            rec.marks.setdefault("leaflet", time.monotonic())

    page.on("request", on_request)
    page.on("response", lambda r: rec.responses.append(r))
    page.on("requestfinished", on_finished)
    page.on("websocket", on_ws)
    page.on("console", lambda msg: rec.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: rec.console_errors.append(str(exc)))
    return rec


def gzip_equivalent(rec: PageRecord) -> int:
    """Bytes of the HTTP response bodies gzip-compressed at level 6 (bodies as decoded by the browser), whatever
    the server sent: the size behind any compressing server or proxy."""
    total = 0
    for response in rec.responses:
        with contextlib.suppress(Exception):
            total += len(gzip.compress(response.body(), compresslevel=6))
    return total


def decoded_bytes(rec: PageRecord) -> int:
    """Bytes of the HTTP response bodies after decoding (what the browser parses)."""
    total = 0
    for response in rec.responses:
        with contextlib.suppress(Exception):
            total += len(response.body())
    return total


def map_frame(page):
    """The frame holding the Leaflet map, or None."""
    for frame in page.frames:
        with contextlib.suppress(Exception):
            if frame.query_selector(".leaflet-container") is not None:
                return frame
    return None


#: Features drawn on the map of a frame (``window.map``, streamlit-folium's, or the ``map_…`` of a saved page): the
#: layers of GeoJSON features on the map whose SVG element is in the page or, on a canvas, whose canvas has no redraw
#: pending (a canvas with one pending counts none of its features). -1 while no map exists.
DRAWN_FEATURES_JS = """
() => {
  if (typeof L === "undefined") return -1;
  let map = window.map instanceof L.Map ? window.map : null;
  if (!map) {
    const k = Object.keys(window).find((k) => k.startsWith("map_") && window[k] instanceof L.Map);
    map = k ? window[k] : null;
  }
  if (!map) return -1;
  let n = 0;
  map.eachLayer((l) => {
    if (!l.feature || l instanceof L.LayerGroup) return;
    if (l instanceof L.Marker) { if (l._icon && l._icon.isConnected) n++; return; }
    const r = l._renderer;
    if (r instanceof L.Canvas) { if (!r._redrawRequest && r._container.isConnected) n++; return; }
    if (l._path && l._path.isConnected) n++;
  });
  return n;
}
"""


def drawn_features(frame) -> int:
    """Features drawn on the Leaflet map of ``frame`` (:data:`DRAWN_FEATURES_JS`; -1: no map yet)."""
    return int(frame.evaluate(DRAWN_FEATURES_JS))


def wait_map_drawn(page, n_features: int, *, timeout: float = 30.0):
    """Wait until the map frame shows ``n_features`` drawn features (:func:`drawn_features`); returns
    (frame, count)."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        frame = map_frame(page)
        if frame is not None:
            with contextlib.suppress(Exception):
                count = drawn_features(frame)
                if count >= n_features:
                    return frame, count
        time.sleep(0.05)
    raise TimeoutError(f"map not drawn within {timeout} s: {count} of {n_features} features visible")


def result_group_titles() -> dict[str, str]:
    """Result kind -> its group's name in the overview's layer switcher (:data:`app.mapping.results.RESULT_TITLES`)."""
    from app.mapping.results import RESULT_TITLES

    return dict(RESULT_TITLES)


def compute_results(park) -> dict[str, object]:
    """Every analysis stored with a park, run on ``park`` with the pages' default settings (the emergency plan for
    the first liquid-chlorine or else the first installation, wind from the east at 2 m/s, 14:00)."""
    from analysis import domino, emergency, pipelines
    from analysis.qra import individual as risk
    from analysis.regulation import gb18218, siting_checks

    inst = park.installations
    chlorine = inst[inst["substance"].astype(str).str.contains("氯")]
    unit = str((chlorine if len(chlorine) else inst)["unit_id"].iloc[0])
    return {
        "risk": risk.individual_risk(park),
        "domino": domino.analyze(park),
        "five_rooms": siting_checks.five_rooms_check(park),
        "major_hazards": gb18218.enterprise_grades(park),
        "hca": pipelines.assess(park),
        "emergency": emergency.plan(park, unit_id=unit, wind_from=90.0, wind_speed=2.0, time="14:00"),
    }


def park_with_results(park_path: Path, copy_path: Path) -> Path:
    """``copy_path``: a copy of the park GeoPackage with every result of :func:`compute_results` stored in it
    (reused when it already holds them all)."""
    from app import results as app_results
    from geodata import load_park
    from geodata.results import list_results

    copy_path = Path(copy_path)
    if copy_path.exists() and set(list_results(copy_path)) >= set(result_group_titles()):
        return copy_path
    copy_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(park_path, copy_path)
    park = load_park(copy_path)
    target = app_results.results_target(copy_path, source_kind="env")
    if Path(target) != copy_path:
        raise RuntimeError(f"the results of {copy_path} would go to {target}: the copy must be writable")
    for kind, result in compute_results(park).items():
        app_results.store(target, kind, result, park, computed_by="命令行")
    return copy_path


def wait_groups_listed(frame, titles, *, timeout: float = 30.0) -> None:
    """Wait until the map's layer switcher lists every title in ``titles`` (result groups with their legends)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            text = frame.locator(".leaflet-control-layers-overlays").inner_text()
            if all(t in text for t in titles):
                return
        time.sleep(0.05)
    missing = [t for t in titles if t not in text]
    raise TimeoutError(f"layer switcher did not list {missing} within {timeout} s")


def server_cpu_s(proc) -> float:
    """CPU time (user + system) [s] the server process has used so far (Linux: ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), in clock ticks
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def count_features(park_path: Path) -> int:
    """Features the park map draws for an anonymous visitor: every non-empty layer but the rectification items
    (shown, as on the 一园一策 page, only to signed-in users)."""
    from geodata import load_park

    park = load_park(park_path)
    return sum(len(gdf) for name, gdf in park.layers.items() if gdf is not None and name != "rectifications")


def measure(
    park: Path,
    *,
    screenshot: Path | None = None,
    groups: tuple[str, ...] = (),
    bytecode_dir: Path | None = None,
) -> dict[str, object]:
    """Start the app (its bytecode in ``bytecode_dir``, :func:`running_app`), open it in headless Chromium, wait for
    the map (and the layer switcher listing ``groups``); returns the figures."""
    from playwright.sync_api import sync_playwright

    n = count_features(park)
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            rec = attach_recorder(page)
            procs: list = []
            with running_app(park, procs=procs, bytecode_dir=bytecode_dir) as (base, t0):
                wait_healthy(base)
                t_ready = time.monotonic()
                page.goto(base, wait_until="commit")
                frame, count = wait_map_drawn(page, n)
                wait_groups_listed(frame, groups)
                t_drawn = time.monotonic()
                cpu = server_cpu_s(procs[0])
                page.close()
                cold = {"start_to_map_s": t_drawn - t0, "server_ready_s": t_ready - t0, "server_cpu_s": cpu}
                cold.update({f"{k}_s": v - t0 for k, v in rec.marks.items()})
                # a second, warm load of the same page
                page2 = browser.new_page(viewport={"width": 1400, "height": 1000})
                rec2 = attach_recorder(page2)
                t1 = time.monotonic()
                page2.goto(base, wait_until="commit")
                frame2, _ = wait_map_drawn(page2, n)
                wait_groups_listed(frame2, groups)
                warm_s = time.monotonic() - t1
                page2.wait_for_timeout(300)
                gzip_bytes = gzip_equivalent(rec2)
                raw_bytes = decoded_bytes(rec2)
                if screenshot is not None:
                    screenshot.parent.mkdir(parents=True, exist_ok=True)
                    page2.screenshot(path=str(screenshot), full_page=False)
                page2.close()
                # a third load through a byte-counting proxy: the payload as sent on the wire
                with counting_proxy(base) as (proxied, sent):
                    page3 = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page3.goto(proxied, wait_until="commit")
                    frame3, _ = wait_map_drawn(page3, n)
                    wait_groups_listed(frame3, groups)
                    page3.wait_for_timeout(300)
                    wire_bytes = sent[0]
                    page3.close()
        finally:
            browser.close()
    return {
        **cold,
        "load_average": os.getloadavg(),
        "warm_load_to_map_s": warm_s,
        "features": n,
        "drawn": count,
        "wire_bytes": wire_bytes,
        "http_bytes": rec2.http_bytes,
        "http_gzip_bytes": gzip_bytes,
        "http_decoded_bytes": raw_bytes,
        "ws_bytes": rec2.ws_bytes,
        "requests": len(rec.urls) + len(rec2.urls),
        "external": rec.external + rec2.external,
        "console_errors": rec.console_errors + rec2.console_errors,
    }


def _report(label: str, park: Path, results: list[dict[str, object]]) -> None:
    cold = sorted(r["start_to_map_s"] for r in results)
    warm = sorted(r["warm_load_to_map_s"] for r in results)
    r0 = results[0]
    wire = sorted(r["wire_bytes"] for r in results)
    print(f"== {label}: {park} ({r0['features']} park features, {r0['drawn']} drawn; {len(results)} runs)")
    cpu = sorted(r["server_cpu_s"] for r in results)
    loads = sorted(r["load_average"][0] for r in results)
    print(
        f"start app -> map drawn:  median {cold[len(cold) // 2]:.2f} s  (min {cold[0]:.2f}, max {cold[-1]:.2f})"
        f"  [target ≤ 3 s]; server CPU by then median {cpu[len(cpu) // 2]:.2f} s; "
        f"load average (1 min) {loads[0]:.1f}–{loads[-1]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        "  first run, seconds after launch: server healthy {server_ready_s:.2f}, page WebSocket open {ws_s:.2f}, "
        "map frame's first request {iframe_s:.2f}, Leaflet requested {leaflet_s:.2f}, "
        "map drawn {start_to_map_s:.2f}".format(**r0)
    )
    print(f"warm page load -> map:   median {warm[len(warm) // 2]:.2f} s")
    print(
        f"first-load payload: median {wire[len(wire) // 2] / 1e6:.2f} MB sent by the server on the wire  "
        f"[target ≤ 2 MB]"
    )
    print(
        f"  as the browser counts it: HTTP {r0['http_bytes'] / 1e6:.2f} MB (as transferred) + WebSocket "
        f"{r0['ws_bytes'] / 1e6:.2f} MB (frames inflated)"
    )
    print(
        f"  HTTP bodies decoded {r0['http_decoded_bytes'] / 1e6:.2f} MB; all gzip-compressed (level 6) "
        f"{r0['http_gzip_bytes'] / 1e6:.2f} MB"
    )
    print(f"requests leaving localhost: {len(r0['external'])}")
    for url in r0["external"]:
        print(f"  EXTERNAL {url}")
    for msg in r0["console_errors"]:
        print(f"  console error: {msg}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("park", nargs="?", type=Path, default=DEMO_PARK)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--screenshot", type=Path, default=None)
    ap.add_argument(
        "--results-park", type=Path, default=None, help="copy of the park with stored results (kept)"
    )
    ap.add_argument("--no-results", action="store_true", help="measure the park without stored results only")
    ap.add_argument(
        "--compile-each-start",
        action="store_true",
        help="let the server compile the project's modules at every start (PYTHONDONTWRITEBYTECODE=1)",
    )
    ap.add_argument(
        "--large",
        action="store_true",
        help="the large synthetic park (generate_park, seed 0) instead of PARK",
    )
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    import tempfile

    if args.large:
        from geodata.samples.synthetic import generate_park

        large_dir = tempfile.TemporaryDirectory(prefix="parkrisk-bench-large-")
        t0 = time.monotonic()
        args.park = Path(large_dir.name) / "large.gpkg"
        generate_park(args.park, seed=0)
        print(f"(large park generated in {time.monotonic() - t0:.1f} s: {args.park})")
    bytecode = None
    if not args.compile_each_start:
        # an installed app has its bytecode from its first start (or pip's install) on; with PYTHONDONTWRITEBYTECODE
        # set (as in some shells and CI) every start would compile the ~90 modules of app/, geodata/ and analysis/
        # the first page needs again (about 0.1 CPU-s)
        bytecode_tmp = tempfile.TemporaryDirectory(prefix="parkrisk-bench-pycache-")
        bytecode = Path(bytecode_tmp.name)
        measure(args.park, bytecode_dir=bytecode)
        print(
            f"(server bytecode cached in {bytecode}, written by one untimed start; --compile-each-start: without)"
        )
    else:
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # inherited by the server
        print("(the server compiles its modules at every start: PYTHONDONTWRITEBYTECODE=1)")
    plain = [
        measure(args.park, screenshot=args.screenshot if i == 0 else None, bytecode_dir=bytecode)
        for i in range(args.runs)
    ]
    _report("without stored results", args.park, plain)
    if args.no_results:
        return 0
    with tempfile.TemporaryDirectory(prefix="parkrisk-bench-") as tmp:
        target = args.results_park or Path(tmp) / f"{args.park.stem}-with-results.gpkg"
        t0 = time.monotonic()
        copy = park_with_results(args.park, target)
        print(f"(results computed and stored in {time.monotonic() - t0:.1f} s: {copy})")
        titles = tuple(result_group_titles().values())
        with_results = [measure(copy, groups=titles, bytecode_dir=bytecode) for _ in range(args.runs)]
        _report("with every stored result", copy, with_results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
