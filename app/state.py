"""Session state of the app: which park is open, loaded once per file version and shared by the pages.

The park comes from, in order of precedence: a GeoPackage uploaded in the sidebar (this session only), the path in
``PARKRISK_PARK`` (or ``park`` in ``.streamlit/secrets.toml``), or the bundled demo park. Loading is cached with
``st.cache_resource`` keyed by the file's version (:func:`app.cache.file_version`: path, coordinate system,
modification time and size), so every session shares one ``Park`` per file version and an edited file is reloaded.
Treat the returned ``Park`` as read-only; :func:`park_version` is the key pages give :mod:`app.cache`.

The session side of signing in lives here too: :func:`park_store` (the open park's rectification store, shared by
all sessions), :func:`current_user` (the user signed in in this browser session) and :func:`visible_park` (the
park as that user may see it), on the policy of :mod:`app.auth`.

Every bad input ends in a Chinese page-level error (the full validation report for bad data), never a traceback.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import shutil
import tempfile
import threading
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from app.auth import SESSION_TOKEN_KEY, may_read_sensitive, open_park_store, redact_park, resolve_session
from app.cache import ParkVersion, file_version
from app.settings import AppSettings, Basemap, load_settings
from app.substance_check import substance_lookup
from geodata import Park, ParkDataError, load_park
from geodata.store import RectificationStore, StoreError, User

__all__ = [
    "ParkSource",
    "get_settings",
    "current_source",
    "load_park_cached",
    "park_version",
    "try_get_park",
    "get_park",
    "save_upload",
    "clear_upload",
    "show_park_error",
    "UPLOAD_SUFFIXES",
    "park_store",
    "current_user",
    "visitor_view",
    "visible_park",
]

log = logging.getLogger(__name__)

#: File types accepted by the sidebar uploader: a GeoPackage, an Excel workbook (one sheet per layer) or a ZIP of a
#: folder of layer files (GeoJSON, Shapefile with its .shx/.dbf/.prj, CSV, XLSX), as :func:`geodata.load_park` reads.
UPLOAD_SUFFIXES: tuple[str, ...] = ("gpkg", "xlsx", "zip")
_UPLOAD_KEY = "parkrisk_upload"  # session_state: {"path": str, "name": str, "coords": str}
_UPLOAD_DIR = Path(tempfile.gettempdir()) / "parkrisk_uploads"
_MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # Streamlit's default server.maxUploadSize (200 MB)
_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024  # a ZIP may not expand beyond 2 GB …
_MAX_ZIP_MEMBERS = 2000  # … nor hold more files than this

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
    coords : str
        Coordinate system of the file's coordinates (a key of :data:`geodata.crs.COORD_SYSTEMS`).
    """

    path: Path
    kind: str
    label_zh: str
    coords: str = "WGS84"


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
        coords = upload.get("coords", "WGS84")
        label = f"上传文件：{upload['name']}" + ("" if coords == "WGS84" else f"（{coords} 坐标）")
        return ParkSource(Path(upload["path"]), "upload", label, coords)
    settings, _ = get_settings()
    if settings.park_from_env:
        coords = settings.park_coords
        label = f"环境变量 PARKRISK_PARK：{settings.park_path}" + (
            "" if coords == "WGS84" else f"（{coords} 坐标）"
        )
        return ParkSource(settings.park_path, "env", label, coords)
    return ParkSource(settings.park_path, "demo", "内置示例园区（虚构数据）")


@st.cache_resource(show_spinner="正在加载园区数据……", max_entries=16)
def _load_park_version(path: str, coords: str, mtime_ns: int, size: int) -> Park:
    """Load one version of a park file (the key includes mtime and size, so an edited file is reloaded)."""
    log.info("loading park %s (mtime_ns=%d, size=%d, coords=%s)", path, mtime_ns, size, coords)
    return load_park(path, coords=coords, known_substance=substance_lookup())


def load_park_cached(path: str | os.PathLike, coords: str = "WGS84") -> Park:
    """Load a park through the shared cache (``coords``: the coordinate system of the file, see
    :data:`geodata.crs.COORD_SYSTEMS`).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ParkDataError
        The data are not usable (``err.report`` holds every problem).
    """
    return _load_park_version(*file_version(path, coords))


def park_version() -> ParkVersion:
    """Version of this session's park file (:func:`app.cache.file_version`), the first part of every
    :mod:`app.cache` key.

    Raises
    ------
    FileNotFoundError
        The park file does not exist (any more).
    """
    source = current_source()
    return file_version(source.path, source.coords)


def try_get_park() -> tuple[Park | None, ParkSource, Exception | None]:
    """Load the session's park; returns ``(park, source, None)`` or ``(None, source, error)``."""
    source = current_source()
    try:
        return load_park_cached(source.path, source.coords), source, None
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


def save_upload(name: str, data: bytes, coords: str = "WGS84") -> Path:
    """Store an uploaded park file in a temporary folder and make it this session's park.

    Parameters
    ----------
    name : str
        The uploaded file name (its suffix selects the format; the stored name is the content hash).
    data : bytes
        File contents: a GeoPackage, an XLSX workbook, or a ZIP of a folder of layer files (unpacked here).
    coords : str
        Coordinate system of the coordinates in the file (WGS84, CGCS2000, GCJ-02, BD-09).

    Returns
    -------
    Path
        The stored file or unpacked folder (named by content hash, so the same upload reuses the cached park).

    Raises
    ------
    ValueError
        Wrong file type, empty/too large file, unknown coordinate system, or a ZIP that is damaged, unsafe (paths
        leaving its folder, too large when unpacked) or holds no layer file (Chinese message).
    """
    from geodata.crs import COORD_SYSTEMS

    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(
            f"上传文件 {name!r} 的类型 .{suffix} 不受支持；请上传 GeoPackage（.gpkg）、Excel 工作簿（.xlsx，每个图层"
            f"一个工作表）或包含各图层文件的 ZIP 压缩包 (allowed: {', '.join('.' + s for s in UPLOAD_SUFFIXES)})"
        )
    if coords not in COORD_SYSTEMS:
        raise ValueError(f"坐标系 {coords!r} 不受支持，应为 {list(COORD_SYSTEMS)} 之一")
    if not data:
        raise ValueError(f"上传文件 {name!r} 为空（0 字节），请重新导出后上传")
    if len(data) > _MAX_UPLOAD_BYTES:
        raise ValueError(
            f"上传文件 {name!r} 过大（{len(data) / 1e6:.0f} MB），上限 {_MAX_UPLOAD_BYTES / 1e6:.0f} MB"
        )
    _UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:32]
    if suffix == "zip":
        path = _unpack_zip(name, data, _UPLOAD_DIR / digest)
    else:
        path = _UPLOAD_DIR / f"{digest}.{suffix}"
        if not path.exists():
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
    st.session_state[_UPLOAD_KEY] = {"path": str(path), "name": name, "coords": coords}
    return path


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name; ZIPs made on Chinese Windows store names in GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _unpack_zip(name: str, data: bytes, target: Path) -> Path:
    """Unpack an uploaded ZIP into ``target`` (atomically) and return the park inside it.

    The park is the single GeoPackage/XLSX in the archive, or else the folder holding the layer files (the archive's
    root, or its only top-level folder). Members with absolute paths or ``..`` are refused, as are archives that
    would expand beyond 2 GB or hold more than 2 000 files.
    """
    import io

    from geodata import schema

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"上传文件 {name!r} 不是有效的 ZIP 压缩包（{exc}），请重新压缩后上传") from None
    with zf:
        members = [(i, _member_name(i)) for i in zf.infolist() if not i.is_dir()]
        members = [
            (i, n) for i, n in members if not n.startswith("__MACOSX/") and not Path(n).name.startswith(".")
        ]
        if len(members) > _MAX_ZIP_MEMBERS:
            raise ValueError(f"压缩包 {name!r} 含 {len(members)} 个文件，超过上限 {_MAX_ZIP_MEMBERS} 个")
        total = sum(i.file_size for i, _ in members)
        if total > _MAX_UNZIPPED_BYTES:
            raise ValueError(
                f"压缩包 {name!r} 解压后 {total / 1e9:.1f} GB，超过上限 {_MAX_UNZIPPED_BYTES / 1e9:.0f} GB"
            )
        safe: list[tuple[zipfile.ZipInfo, str, tuple[str, ...]]] = []
        for info, n in members:
            parts = Path(n.replace("\\", "/")).parts
            if n.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ValueError(f"压缩包 {name!r} 中的路径 {n!r} 不安全（绝对路径或含 ..），已拒绝")
            safe.append((info, n, parts))
        if not target.exists():
            tmp = target.with_name(target.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.mkdir(parents=True, exist_ok=False)
            try:
                for info, n, parts in safe:
                    out = tmp.joinpath(*parts)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(out, "wb") as dst:
                        written = 0
                        while chunk := src.read(1 << 20):
                            written += len(chunk)
                            if written > info.file_size:  # more than the archive declared: refuse (zip bomb)
                                raise ValueError(f"压缩包 {name!r} 中的 {n!r} 大小与声明不符，已拒绝")
                            dst.write(chunk)
                tmp.replace(target)
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                shutil.rmtree(tmp, ignore_errors=True)
                if not target.exists():  # (else another session unpacked the same archive first)
                    if isinstance(exc, ValueError):
                        raise
                    raise ValueError(f"压缩包 {name!r} 无法解压：{exc}") from None
    files = [p for p in target.rglob("*") if p.is_file()]
    singles = [p for p in files if p.suffix.lower() in (".gpkg", ".xlsx")]
    layer_files = [p for p in files if p.stem in schema.LAYERS]
    if len(singles) == 1 and not [p for p in layer_files if p.suffix.lower() not in (".gpkg", ".xlsx")]:
        return singles[0]
    folders = {p.parent for p in layer_files}
    if len(folders) == 1:
        return folders.pop()
    if not folders:
        names = "、".join(sorted(schema.LAYERS))
        raise ValueError(
            f"压缩包 {name!r} 中没有找到图层文件：文件应按图层命名（{names}），如 installations.geojson、"
            "installations.shp（含 .shx/.dbf/.prj）或 installations.csv"
        )
    raise ValueError(
        f"压缩包 {name!r} 中的图层文件分散在多个文件夹（{', '.join(sorted(str(f.relative_to(target)) for f in folders))}），"
        "请把同一园区的图层文件放在同一文件夹后重新压缩"
    )


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
            view = _VISITOR_VIEWS[park] = redact_park(None, park)
        return view


def visible_park(park: Park) -> Park:
    """The park as the signed-in user may see it, for drawing and tables (models compute with the full park).

    Inventories of major-hazard installations, and the volume, pressure and temperature that give them back, are
    hidden from viewers and from visitors who have not signed in (:func:`app.auth.redact_park`).
    """
    return park if may_read_sensitive(current_user()) else visitor_view(park)


def park_store() -> RectificationStore:
    """The rectification store of the park open in this session (one per park file and store target, shared by
    all sessions; the stores are thread-safe).

    Raises
    ------
    StoreError, ValueError, OSError
        When the store cannot be opened (the caller shows the message).
    """
    from geodata.store import default_store_path

    park = get_park()
    source = current_source()
    target = os.environ.get("PARKRISK_STORE") or str(default_store_path(source.path))
    return _shared_store(str(source.path), target, source.kind == "demo", park)


@st.cache_resource(show_spinner="正在打开整改台账……", max_entries=8)
def _shared_store(park_path: str, store_target: str, demo: bool, _park: Park) -> RectificationStore:
    return open_park_store(park_path, store_target, demo, _park)


def current_user() -> User | None:
    """The user signed in in this browser session (any page), or None (not signed in, expired, or no store)."""
    token = st.session_state.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    try:
        return resolve_session(park_store(), token)
    except (StoreError, ValueError, OSError) as exc:  # no store: nobody is signed in, not a crash
        log.warning("current_user: store unavailable: %s", exc)
        return None
