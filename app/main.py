"""parkrisk app: ``streamlit run app/main.py`` (or ``parkrisk app``).

Both listen on this machine only (127.0.0.1): ``parkrisk app`` passes ``--server.address`` (``--host`` changes it),
and ``streamlit run app/main.py`` reads ``app/.streamlit/config.toml`` beside this script, from any working folder.
To share the app on a network, ask for it: ``--server.address 0.0.0.0`` or ``STREAMLIT_SERVER_ADDRESS``.

Opens on the bundled demo park, the park named by ``PARKRISK_PARK``, or a GeoPackage uploaded in the sidebar.
Pages are the modules in ``app/views/``, found automatically: each sets module-level ``TITLE`` (Chinese),
``ICON`` (``":material/...:"``) and ``ORDER`` (int). They are read from the source with :mod:`ast` (the page is not
imported), so adding a page never needs an edit here. The folder is deliberately not called ``pages``: Streamlit
treats a ``pages/`` folder beside the main script as a legacy multipage app until ``st.navigation`` has run once in
the server, so a deep link (``/risk``) opened first after a restart would run that page alone, without this
navigation and sidebar.

This file is also the ASGI entry: ``streamlit run`` finds the module-level ``app = st.App(...)`` and serves this
same script through it, which adds what plain ``streamlit run`` lacks:

- gzip for the front end (Streamlit 1.67 sends its ~3 MB of JavaScript uncompressed; about 1 MB with gzip),
- two routes that set and clear the HttpOnly sign-in cookie (:mod:`app.session_cookie`: ``POST
  /api/parkrisk/session`` from a one-time code, ``POST /api/parkrisk/logout``), so a reload keeps the sign-in, and
- a warm-up at server start, in a background thread while the browser is still fetching the front end, so the
  first page run does not wait for it (started when ``streamlit run`` imports this script, before Streamlit starts
  its runtime, or else by the server's lifespan): it imports the map stack (pandas, geopandas, pyogrio, folium) and the first
  page's modules, and loads the configured park, its stored results and a visitor's overview map and header
  numbers into the shared caches. The module itself imports only Streamlit and
  :mod:`app.session_cookie` (the server answers its health check before the map stack is imported); the page run
  imports :mod:`app.state` and :mod:`app.mapping` in :func:`main`.
"""

from __future__ import annotations

import ast
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR.parent) not in sys.path:  # `streamlit run app/main.py` puts app/ (not the repo) on sys.path
    sys.path.insert(0, str(APP_DIR.parent))

import streamlit as st  # noqa: E402

log = logging.getLogger(__name__)

PAGES_DIR = APP_DIR / "views"
APP_TITLE = "化工园区风险一张图"


def _uploader_css() -> str:
    """Chinese for the file uploader's drop zone, which has no text parameter in Streamlit 1.67: its button
    ("Upload"), its limit ("200MB per file • CSV, JSON") and the text shown while a file is dragged over it ("Drag and
    drop a file here"). The English text is set to font size 0 and the Chinese written by ``::after`` at the size
    Streamlit uses (0.875 rem); selectors by data-testid and element only (no generated class names). The accepted
    types are not repeated: each uploader's label names them. Checked in Debian Chromium (tests/app/test_browser.py).
    """
    from streamlit import config

    limit = int(config.get_option("server.maxUploadSize"))  # [MB]
    zone = "[data-testid='stFileUploaderDropzone']"
    swap = "font-size: 0; line-height: 1.4rem"
    after = "font-size: 0.875rem; line-height: 1.4rem"
    return (
        f"{zone} button [data-testid='stMarkdownContainer'] p {{ {swap}; }}"
        f"{zone} button [data-testid='stMarkdownContainer'] p::after {{ content: '选择文件'; {after}; }}"
        f"[data-testid='stFileUploaderDropzoneInstructions'] span {{ {swap}; }}"
        f"[data-testid='stFileUploaderDropzoneInstructions'] span::after {{ content: '单个文件不超过 {limit} MB'; {after}; }}"
        f"{zone} > div:not([data-testid]) > span {{ {swap}; }}"
        f"{zone} > div:not([data-testid]) > span::after {{ content: '将文件拖放到此处'; {after}; }}"
    )


#: Less empty space above the page title (Streamlit's default is 6 rem), so the map fits on a laptop screen; the file
#: uploader's drop zone in Chinese.
_PAGE_CSS = (
    "<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }" + _uploader_css() + "</style>"
)


@dataclass(frozen=True)
class PageInfo:
    """A page found in ``app/views``."""

    path: Path
    title: str
    icon: str | None
    order: int


def _literal(node: ast.Module, name: str) -> object:
    for stmt in node.body:
        targets = []
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for t in targets:
            if isinstance(t, ast.Name) and t.id == name:
                return ast.literal_eval(value)
    return None


def discover_pages(pages_dir: Path = PAGES_DIR) -> list[PageInfo]:
    """Pages in ``pages_dir``, sorted by ``ORDER`` then file name.

    A module without a string ``TITLE`` is skipped (with a log warning); ``ICON`` is optional; ``ORDER`` defaults
    to 1000. Files starting with ``_`` are ignored. Read again only when a page file changed (every script run
    asks; the answer is shared by the server's sessions, :func:`app.cache.shared`).
    """
    from app.cache import shared

    paths = [p for p in sorted(pages_dir.glob("*.py")) if not p.name.startswith("_")]
    key = (str(pages_dir), *((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths))
    return list(shared("app_pages", max_entries=4).get_or_compute(key, lambda: _read_pages(paths)))


def _read_pages(paths: list[Path]) -> tuple[PageInfo, ...]:
    pages: list[PageInfo] = []
    for path in paths:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            title, icon, order = (_literal(tree, n) for n in ("TITLE", "ICON", "ORDER"))
        except (SyntaxError, ValueError) as exc:
            log.warning("page %s skipped: cannot read TITLE/ICON/ORDER (%s)", path.name, exc)
            continue
        if not isinstance(title, str) or not title.strip():
            log.warning("page %s skipped: no module-level TITLE string", path.name)
            continue
        pages.append(
            PageInfo(
                path=path,
                title=title,
                icon=icon if isinstance(icon, str) and icon else None,
                order=order if isinstance(order, int) else 1000,
            )
        )
    return tuple(sorted(pages, key=lambda p: (p.order, p.path.name)))


def _sidebar() -> None:
    from app import state
    from app.present.messages import message_zh

    with st.sidebar:
        park, source, error = state.try_get_park()
        if park is not None:
            st.markdown(f"### {park.name}")
        else:
            st.markdown("### 园区数据未加载")
        st.caption(f"数据来源：{source.label_zh}")
        if error is not None:
            st.error("当前园区数据无法打开，详见页面说明。", icon=":material/error:")
        settings, warning = state.get_settings()
        st.caption(f"底图：{settings.basemap.label_zh}")
        if warning:
            st.warning(warning, icon=":material/warning:")
        with st.expander("更换园区数据", expanded=source.kind == "upload" or error is not None):
            from geodata.crs import COORD_SYSTEMS

            # a radio, not a selectbox: the combo-box widget would add ~190 KB to every page's first load
            short = {
                "WGS84": "WGS84（GPS、天地图）",
                "GCJ-02": "GCJ-02（高德、腾讯）",
                "BD-09": "BD-09（百度）",
            }
            coords = st.radio(
                "文件中的坐标系",
                list(COORD_SYSTEMS),
                format_func=lambda k: short.get(k, k),
                key="park_upload_coords",
                help="；".join(f"{k}：{v}" for k, v in COORD_SYSTEMS.items()) + "。载入时统一转换为 WGS84。",
            )
            upload = st.file_uploader(
                "上传园区数据（.gpkg / .xlsx / .zip）",
                type=list(state.UPLOAD_SUFFIXES),
                key="park_upload",
                help="GeoPackage（每个图层一个表）、Excel 工作簿（每个图层一个工作表，点用经度/纬度列，线面用 WKT 列），"
                "或把按图层命名的 GeoJSON、Shapefile（含 .shx/.dbf/.prj）、CSV 文件放在一个文件夹中压缩成 ZIP。"
                "图层与字段见 README。",
            )
            if upload is not None:
                st.session_state["_park_upload_active"] = True
                try:
                    new_path = state.save_upload(upload.name, upload.getvalue(), coords)
                except ValueError as exc:
                    st.error(message_zh(exc), icon=":material/error:")
                else:
                    if source.kind != "upload" or source.path != new_path or source.coords != coords:
                        st.rerun()  # reload the sidebar and page on the uploaded park
            elif st.session_state.pop("_park_upload_active", False):
                # the user removed the file from the uploader: back to PARKRISK_PARK or the demo park
                state.clear_upload()
                st.rerun()
            elif source.kind == "upload" and st.button(
                "关闭上传的园区，回到默认园区", key="park_upload_close"
            ):
                # an upload reopened after a reload (the signed park cookie) is not in the uploader
                state.clear_upload()
                st.rerun()


def _import_page_modules(page: Path) -> None:
    """Import the modules ``page`` imports at its top level (read with :mod:`ast`: importing the page itself would
    run it), so its first run finds them loaded."""
    import importlib

    tree = ast.parse(page.read_text(encoding="utf-8"), filename=str(page))
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            names = [a.name for a in stmt.names]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            names = [stmt.module]
            names += [f"{stmt.module}.{a.name}" for a in stmt.names]  # a submodule imported by name
        else:
            continue
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:  # a name imported from a module, not a submodule
                continue


def _warm_up() -> None:
    """Before the first visitor's page run and off the request path: import what it needs (about a second of
    imports: pandas, geopandas, folium, the first page's modules), load the configured park, a visitor's view of it,
    its stored results, their out-of-date flags, a visitor's overview map and header numbers into the shared
    caches.

    While it runs, what it has built so far is kept out of the cyclic garbage collector's way (``gc.freeze`` after
    the imports, the park and the visitor's view; ``gc.unfreeze`` at the end, so nothing stays exempt): building
    the large park's map allocates enough to start a full collection, which walked every module and the whole park
    (0.1 of its 0.34 CPU-s).
    """
    import gc

    try:
        import streamlit.emojis  # noqa: F401  st.set_page_config's icon check compiles its pattern (0.1 s)

        from app import state as state_
        from app.mapping import ensure_static_assets

        ensure_static_assets()
        pages = discover_pages()
        # the configured park (PARKRISK_PARK or the demo park) into the shared st.cache_resource
        settings, _ = state_.get_settings()
        gc.freeze()
        park = state_.load_park_cached(settings.park_path)
        visitor = state_.visitor_view(park)  # a visitor's first page draws it (identifies the major hazards)
        if pages:
            _import_page_modules(pages[0].path)
        gc.freeze()
        # the park's stored results and a visitor's map for 园区一张图 (in PostGIS: read on first use)
        if not os.environ.get("PARKRISK_STORE"):
            from app.one_map import warm_up

            kind = "env" if settings.park_from_env else "demo"
            warm_up(
                settings.park_path, source_kind=kind, coords=settings.park_coords, full_park=park,
                visitor_park=visitor, basemap=settings.basemap,
            )  # fmt: skip
        from app.one_map import overview_numbers

        overview_numbers(state_.ParkView(visitor, None, park))  # a visitor's header numbers (两重点一重大 …)
    except Exception:  # the page run reports real problems (in Chinese); a failed warm-up only costs time
        log.info("warm-up incomplete", exc_info=True)
    finally:
        gc.unfreeze()


def _clean_uploads() -> None:
    """At start-up, delete old uploads and interrupted extractions (:func:`app.uploads.cleanup`): Streamlit tells
    a script nothing when a session ends, so what an earlier run left behind goes here."""
    from app import uploads
    from app.settings import UploadLimits, load_upload_limits

    try:
        limits = load_upload_limits(dict(os.environ))
    except ValueError:  # the page says so (app.state.get_settings) and uses the defaults, as here
        limits = UploadLimits()
    try:
        uploads.cleanup(limits)
    except OSError as exc:  # an unwritable temp folder must not keep the app from starting
        log.warning("upload folder clean-up failed: %s", exc)


_WARM_UP_LOCK = threading.Lock()
_WARM_UP_STARTED = threading.Event()


def _start_warm_up() -> None:
    """Start :func:`_warm_up` in a background thread, once per process."""
    with _WARM_UP_LOCK:
        if not _WARM_UP_STARTED.is_set():
            _WARM_UP_STARTED.set()
            threading.Thread(target=_warm_up, name="parkrisk-warm-up", daemon=True).start()


def _run_by_streamlit() -> bool:
    """True in the process of ``streamlit run app/main.py``, which imports this module to find :data:`app` before it
    starts its runtime and server (it has set ``sys.argv[0]`` to this script by then). False in a child process
    (a computation job of :mod:`app.jobs`, started by ``spawn``, imports this script again as ``__mp_main__`` with
    the server's ``sys.argv``, before ``parent_process()`` is set; or imports it later as a module): a warm-up there
    would import the park modules in a second thread while the child unpickles its job, and a module seen
    half-imported fails the job."""
    import multiprocessing

    if __name__ == "__mp_main__" or multiprocessing.parent_process() is not None:
        return False
    return bool(sys.argv and sys.argv[0]) and Path(sys.argv[0]).resolve() == Path(__file__).resolve()


@asynccontextmanager
async def _lifespan(_app: object) -> AsyncIterator[None]:
    _clean_uploads()
    _start_warm_up()  # started when `streamlit run` imported this module; here for other servers
    yield


def _middleware() -> list:
    """gzip on every response, the front end included (Streamlit keeps /static out of its own gzip; user
    middleware runs first). Responses under 1 kB are sent as they are."""
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    return [Middleware(GZipMiddleware, minimum_size=1024)]


def main() -> None:
    from app import state
    from app.mapping import ensure_static_assets
    from app.mapping.component import register as register_map_component
    from app.present.messages import message_zh

    st.set_page_config(page_title=APP_TITLE, page_icon="🏭", layout="wide")
    try:
        ensure_static_assets()
    except OSError as exc:  # read-only install: the map would miss Leaflet
        st.error(
            f"无法准备离线地图文件（Leaflet）：{message_zh(exc)}请确认 app/static 目录可写。",
            icon=":material/error:",
        )
    pages = discover_pages()
    if not pages:
        st.error("未找到任何页面：app/views/ 下没有定义 TITLE 的页面模块。", icon=":material/error:")
        st.stop()
    register_map_component()  # every page's maps, whichever thread imported streamlit-folium first
    nav = st.navigation([st.Page(p.path, title=p.title, icon=p.icon) for p in pages])
    st.html(_PAGE_CSS)
    _sidebar()
    state.session_scripts()  # the sign-in kept across a reload (signed cookie), its notice
    nav.run()


if __name__ == "__main__":  # a page run (streamlit executes the script as __main__)
    main()
else:  # imported by `streamlit run` / uvicorn: the ASGI app (found by name and form: keep `app = st.App(...)`)
    from app.session_cookie import routes as _session_routes

    app = st.App(__file__, lifespan=_lifespan, middleware=_middleware(), routes=_session_routes())
    if _run_by_streamlit():  # overlaps Streamlit's own start (its runtime: ~0.2 s before the lifespan)
        import streamlit.delta_generator as _dg

        from app import tcp_nodelay

        tcp_nodelay.install()  # before the server accepts: no 40 ms delayed ACK per kept-alive request
        # Streamlit's first element of the process checks whether it runs in a REPL (to print a "use streamlit
        # run" warning) with inspect.stack(), which resolves the real path of every loaded module's file: 0.4 s of
        # the first page run while the warm-up thread holds the interpreter. Run by `streamlit run`, it is not.
        _dg._use_warning_has_been_displayed = True
        _start_warm_up()
