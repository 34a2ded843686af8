"""Session state of the app: which park is open, loaded once per file version and shared by the pages.

The park comes from, in order of precedence: a GeoPackage uploaded in the sidebar (this session only), the path in
``PARKRISK_PARK`` (or ``park`` in ``.streamlit/secrets.toml``), or the bundled demo park. Loading is cached with
``st.cache_resource`` keyed by path, modification time and size, so every session shares one ``Park`` per file
version and an edited file is reloaded. Treat the returned ``Park`` as read-only.

Every bad input ends in a Chinese page-level error (the full validation report for bad data), never a traceback.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from app.settings import AppSettings, Basemap, load_settings
from geodata import Park, ParkDataError, load_park

__all__ = [
    "ParkSource",
    "get_settings",
    "current_source",
    "load_park_cached",
    "try_get_park",
    "get_park",
    "save_upload",
    "clear_upload",
    "show_park_error",
    "UPLOAD_SUFFIXES",
]

log = logging.getLogger(__name__)

#: File types accepted by the sidebar uploader.
UPLOAD_SUFFIXES: tuple[str, ...] = ("gpkg",)
_UPLOAD_KEY = "parkrisk_upload"  # session_state: {"path": str, "name": str}
_UPLOAD_DIR = Path(tempfile.gettempdir()) / "parkrisk_uploads"
_MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # Streamlit's default server.maxUploadSize (200 MB)

_REPORT_COLUMNS_ZH = {
    "severity": "严重程度",
    "kind": "问题类型",
    "layer": "图层",
    "row_id": "要素编号",
    "column": "字段",
    "value": "取值",
    "message_zh": "问题",
    "fix_zh": "修改建议",
}


@dataclass(frozen=True)
class ParkSource:
    """Where the open park comes from.

    Attributes
    ----------
    path : Path
        File or folder to load.
    kind : str
        ``demo``, ``env`` or ``upload``.
    label_zh : str
        Data source as shown to the user.
    """

    path: Path
    kind: str
    label_zh: str


def _secrets() -> dict[str, object]:
    """Contents of ``.streamlit/secrets.toml`` as a plain dict (empty when there is none)."""
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def get_settings() -> tuple[AppSettings, str | None]:
    """The app settings and, when a setting was invalid, the Chinese warning to show (basemap falls back to none)."""
    secrets = _secrets()
    try:
        return load_settings(os.environ, secrets), None
    except ValueError as exc:
        env = dict(os.environ)
        env["PARKRISK_BASEMAP"] = "none"
        fallback = load_settings(env, {k: v for k, v in secrets.items() if k != "basemap"})
        return AppSettings(fallback.park_path, fallback.park_from_env, Basemap("none")), (
            f"{exc}。已改用无底图（离线）显示。"
        )


def current_source() -> ParkSource:
    """The park source of this session (upload > ``PARKRISK_PARK`` > demo park)."""
    upload = st.session_state.get(_UPLOAD_KEY)
    if upload:
        return ParkSource(Path(upload["path"]), "upload", f"上传文件：{upload['name']}")
    settings, _ = get_settings()
    if settings.park_from_env:
        return ParkSource(settings.park_path, "env", f"环境变量 PARKRISK_PARK：{settings.park_path}")
    return ParkSource(settings.park_path, "demo", "内置示例园区（虚构数据）")


@st.cache_resource(show_spinner="正在加载园区数据……", max_entries=16)
def _load_park_version(path: str, mtime_ns: int, size: int) -> Park:
    """Load one version of a park file (the key includes mtime and size, so an edited file is reloaded)."""
    log.info("loading park %s (mtime_ns=%d, size=%d)", path, mtime_ns, size)
    return load_park(path)


def _stat_key(path: Path) -> tuple[int, int]:
    """(mtime_ns, size) of a file, or of the newest file in a folder."""
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        return (max((p.stat().st_mtime_ns for p in files), default=0), sum(p.stat().st_size for p in files))
    st_ = path.stat()
    return st_.st_mtime_ns, st_.st_size


def load_park_cached(path: str | os.PathLike) -> Park:
    """Load a park through the shared cache.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ParkDataError
        The data are not usable (``err.report`` holds every problem).
    """
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(path)
    mtime_ns, size = _stat_key(path)
    return _load_park_version(str(path), mtime_ns, size)


def try_get_park() -> tuple[Park | None, ParkSource, Exception | None]:
    """Load the session's park; returns ``(park, source, None)`` or ``(None, source, error)``."""
    source = current_source()
    try:
        return load_park_cached(source.path), source, None
    except (FileNotFoundError, ParkDataError, OSError) as exc:
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        log.warning("park %s could not be loaded (%s): %s", source.path, type(exc).__name__, first_line)
        return None, source, exc


def get_park() -> Park:
    """The session's park; on failure shows the Chinese error on the page and stops the script run."""
    park, source, error = try_get_park()
    if park is None:
        show_park_error(error, source)
        st.stop()
    return park


def error_text_zh(error: Exception | None, source: ParkSource) -> str:
    """One-paragraph Chinese explanation of why the park could not be opened."""
    where = source.label_zh
    if isinstance(error, FileNotFoundError):
        fix = {
            "env": "请检查环境变量 PARKRISK_PARK 的路径，或取消该变量以使用内置示例园区，或在侧边栏上传 GeoPackage。",
            "demo": "内置示例园区文件缺失：请重新安装 parkrisk（pip install -e .），或在侧边栏上传 GeoPackage。",
            "upload": "上传的临时文件已不存在：请重新上传。",
        }[source.kind]
        return f"找不到园区数据文件：{source.path}（{where}）。{fix}"
    if isinstance(error, ParkDataError):
        return f"园区数据未通过校验，无法打开（{where}）。请按下方报告逐项修改后重新加载。"
    return (
        f"无法读取园区数据文件（{where}）：{error}。请确认它是有效的 GeoPackage（.gpkg），"
        "可用 QGIS 打开检查，或运行 parkrisk validate 文件路径 查看详细报告。"
    )


def _show_text(text: str) -> None:
    """A long plain-text report, wrapped to the page width."""
    st.html(
        '<pre style="white-space:pre-wrap;word-break:break-all;font-size:0.85rem;background:#f6f6f8;'
        f'padding:0.8rem 1rem;border-radius:0.5rem;line-height:1.55">{html.escape(text)}</pre>'
    )


def show_park_error(error: Exception | None, source: ParkSource) -> None:
    """Show why the park could not be opened: a Chinese message and, for bad data, the full validation report."""
    st.error(error_text_zh(error, source), icon=":material/error:")
    report = getattr(error, "report", None)
    if isinstance(error, ParkDataError) and report is None:
        _show_text(str(error))
    if report is not None:
        _show_text(report.to_text_zh())
        frame = report.to_frame()
        if not frame.empty:
            frame = frame.rename(columns=_REPORT_COLUMNS_ZH).astype(object)
            frame = frame.where(frame.notna().to_numpy(), "—")
            frame["严重程度"] = frame["严重程度"].replace({"error": "错误", "warning": "警告"})
            with st.expander(f"问题明细表（{len(frame)} 条）"):
                st.dataframe(frame, hide_index=True, width="stretch")


def save_upload(name: str, data: bytes) -> Path:
    """Store an uploaded park file in a temporary folder and make it this session's park.

    Parameters
    ----------
    name : str
        The uploaded file name (only its suffix is used for the stored name).
    data : bytes
        File contents.

    Returns
    -------
    Path
        The stored file (named by content hash, so the same upload reuses the cached park).

    Raises
    ------
    ValueError
        Wrong file type or empty/too large file (Chinese message).
    """
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(
            f"上传文件 {name!r} 的类型 .{suffix} 不受支持；请上传 GeoPackage（.gpkg）文件 "
            f"(allowed: {', '.join('.' + s for s in UPLOAD_SUFFIXES)})"
        )
    if not data:
        raise ValueError(f"上传文件 {name!r} 为空（0 字节），请重新导出后上传")
    if len(data) > _MAX_UPLOAD_BYTES:
        raise ValueError(
            f"上传文件 {name!r} 过大（{len(data) / 1e6:.0f} MB），上限 {_MAX_UPLOAD_BYTES / 1e6:.0f} MB"
        )
    _UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:32]
    path = _UPLOAD_DIR / f"{digest}.{suffix}"
    if not path.exists():
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    st.session_state[_UPLOAD_KEY] = {"path": str(path), "name": name}
    return path


def clear_upload() -> None:
    """Forget this session's upload (the park falls back to ``PARKRISK_PARK`` or the demo park)."""
    st.session_state.pop(_UPLOAD_KEY, None)


def layer_counts(park: Park) -> pd.DataFrame:
    """Feature count of each layer with its Chinese name (for the sidebar/info views)."""
    from geodata import schema

    rows = [
        {"图层": schema.LAYERS[name].label_zh, "要素数": len(gdf)}
        for name, gdf in park.layers.items()
        if name in schema.LAYERS and gdf is not None
    ]
    return pd.DataFrame(rows)


_VISITOR_VIEWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_VISITOR_LOCK = threading.Lock()


def visitor_view(park: Park) -> Park:
    """The park as viewers and visitors see it (:func:`app.auth.redact_park` with no sensitive rights), computed
    once per loaded park: identifying the major hazards loads the substance database, which takes seconds."""
    with _VISITOR_LOCK:
        view = _VISITOR_VIEWS.get(park)
        if view is None:
            from app.auth import redact_park

            view = _VISITOR_VIEWS[park] = redact_park(None, park)
        return view


def visible_park(park: Park) -> Park:
    """The park as the signed-in user may see it, for drawing and tables (models compute with the full park).

    Inventories of major-hazard installations, and the volume, pressure and temperature that give them back, are
    hidden from viewers and from visitors who have not signed in (:func:`app.auth.redact_park`).
    """
    from app.auth import current_user, may_read_sensitive

    return park if may_read_sensitive(current_user()) else visitor_view(park)
