"""Session state of the app: which park is open, loaded once per file version and shared by the pages.

The park comes from, in order of precedence: a GeoPackage uploaded in the sidebar (this session only), the path in
``PARKRISK_PARK`` (or ``park`` in ``.streamlit/secrets.toml``), or the bundled demo park. Loading is cached with
``st.cache_resource`` keyed by the file's version (:func:`app.cache.file_version`: path, coordinate system,
modification time and size), so every session shares one ``Park`` per file version and an edited file is reloaded.
Treat the returned ``Park`` as read-only; :func:`park_version` is the key pages give :mod:`app.cache`.

The session side of signing in lives here too: :func:`park_store` (the open park's rectification store, shared by
all sessions), :func:`current_user` (the user signed in in this browser session — or in an earlier one of the same
browser, through the signed cookie of :mod:`app.session_cookie`, so a reload keeps the sign-in), :func:`remember_session`
and :func:`end_session` (after sign-in and at sign-out), :func:`session_scripts` (what the browser must do about the
cookie, and the Chinese notice when it was refused) and :func:`park_view` (the park as that user may see it), on the
policy of :mod:`app.auth`.

**Pages reach the park only through** :func:`park_view` (or :func:`get_park`, its ``.park``): the park as the
signed-in user may see it — inventories of major hazards hidden from viewers and anonymous users, rectification
items by the rules of the 一园一策 page. Models need the real inventories, so they run on the full park server-side
through :meth:`ParkView.run`, and what they return passes through :func:`app.auth.redact_result` before the page
can draw, tabulate or export it. No page names the loader of the full park (``tests/app/test_redaction.py``).

Every bad input ends in a Chinese page-level error (the full validation report for bad data), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app import session_cookie, uploads
from app.auth import (
    SESSION_TOKEN_KEY,
    Session,
    auth_config,
    may_read_sensitive,
    open_park_store,
    redact_park,
    redact_result,
    resolve_session,
    sign_out,
)
from app.cache import ParkVersion, file_version
from app.present.messages import message_zh
from app.settings import UPLOAD_ENV, AppSettings, load_settings, load_upload_limits
from app.substance_check import substance_lookup
from app.uploads import UPLOAD_SUFFIXES
from geodata import Park, ParkDataError, load_park
from geodata.store import RectificationStore, StoreError, User

__all__ = [
    "ParkSource",
    "get_settings",
    "current_source",
    "open_region_park",
    "home_source",
    "account_store",
    "close_region_park",
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
    "ParkView",
    "park_view",
    "remember_session",
    "end_session",
    "session_scripts",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

_UPLOAD_KEY = "parkrisk_upload"  # session_state: {"path": str, "name": str, "coords": str}
_REGION_PARK_KEY = "parkrisk_region_park"  # session_state: {"path": str, "name": str} (区域监管 drill-down)

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
    """The app settings and, when a setting was invalid, the Chinese warning to show (a bad basemap falls back to
    none, a bad upload limit to its default)."""
    secrets = _secrets()
    env = dict(os.environ)
    warnings: list[str] = []
    try:
        load_upload_limits(env)
    except ValueError as exc:
        warnings.append(f"{message_zh(exc)}。已改用默认上传限制。")
        env = {k: v for k, v in env.items() if k not in UPLOAD_ENV.values()}
    try:
        settings = load_settings(env, secrets)
    except ValueError as exc:
        env["PARKRISK_BASEMAP"] = "none"
        settings = load_settings(env, {k: v for k, v in secrets.items() if k != "basemap"})
        warnings.insert(0, f"{message_zh(exc)}。已改用无底图（离线）显示。")
    return settings, "".join(warnings) or None


def open_region_park(path: str | os.PathLike, name: str) -> None:
    """Open a park of the region (the drill-down of the 区域监管 page) in this session; an upload still comes first.
    The park's rectification items live in its own store (:func:`app.region.sources.live_store_target`, which the
    region run counts from); the sign-in stays in the account store of the app (:func:`account_store`)."""
    st.session_state[_REGION_PARK_KEY] = {"path": str(path), "name": str(name)}


def close_region_park() -> None:
    """Back from a region park to ``PARKRISK_PARK`` or the demo park."""
    st.session_state.pop(_REGION_PARK_KEY, None)


def home_source() -> ParkSource:
    """The park the app serves when no park of the region is open: the upload, ``PARKRISK_PARK`` or the demo park
    (:func:`current_source` without the 区域监管 drill-down). Its store holds the app's users and sessions."""
    upload = st.session_state.get(_UPLOAD_KEY) or _upload_from_cookie()
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


def current_source() -> ParkSource:
    """The park source of this session (upload > a park opened from the region page > ``PARKRISK_PARK`` > demo
    park). After a reload the upload comes back from the signed park cookie (:mod:`app.session_cookie`)."""
    home = home_source()
    region = st.session_state.get(_REGION_PARK_KEY)
    if region and home.kind != "upload":
        label = f"区域监管：{region['name']}（{Path(region['path']).name}）"
        return ParkSource(Path(region["path"]), "region", label)
    return home


@st.cache_resource(show_spinner="正在加载园区数据……", max_entries=16)
def _load_park_version(path: str, coords: str, mtime_ns: int, size: int, max_rows: int | None = None) -> Park:
    """Load one version of a park file (the key includes mtime and size, so an edited file is reloaded)."""
    log.info("loading park %s (mtime_ns=%d, size=%d, coords=%s)", path, mtime_ns, size, coords)
    return load_park(path, coords=coords, known_substance=substance_lookup(), max_rows=max_rows)


def load_park_cached(path: str | os.PathLike, coords: str = "WGS84", max_rows: int | None = None) -> Park:
    """Load a park through the shared cache (``coords``: the coordinate system of the file, see
    :data:`geodata.crs.COORD_SYSTEMS`; ``max_rows``: the most rows read from one sheet or layer file, set for
    uploads, :func:`geodata.io.read_layers`).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ParkDataError
        The data are not usable (``err.report`` holds every problem).
    """
    return _load_park_version(*file_version(path, coords), max_rows)


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
    max_rows = get_settings()[0].uploads.max_rows if source.kind == "upload" else None
    try:
        return load_park_cached(source.path, source.coords, max_rows), source, None
    except (FileNotFoundError, ParkDataError, OSError) as exc:
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        log.warning("park %s could not be loaded (%s): %s", source.path, type(exc).__name__, first_line)
        return None, source, exc


def get_park() -> Park:
    """The session's park as the signed-in user may see it (:attr:`ParkView.park`); on failure shows the Chinese
    error on the page and stops the script run."""
    return park_view().park


def _full_park() -> Park:
    """The session's park as loaded (for the store and :class:`ParkView`; never given to a page)."""
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
            "region": "该园区文件已不在区域文件夹中：请回到“区域监管”页重新选择园区。",
        }[source.kind]
        return f"找不到园区数据文件：{source.path}（{where}）。{fix}"
    if isinstance(error, ParkDataError):
        return f"园区数据未通过校验，无法打开（{where}）。请按下方报告逐项修改后重新加载。"
    return (
        f"无法读取园区数据文件（{where}）：{message_zh(error)}。请确认它是有效的 GeoPackage（.gpkg），"
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


def _session_owner() -> str:
    """This browser session's id (the owner of its upload); ``"bare"`` outside a Streamlit server."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else "bare"


def save_upload(name: str, data: bytes, coords: str = "WGS84") -> Path:
    """Store an uploaded park file (:func:`app.uploads.save_upload`, within the limits of the settings) and make it
    this session's park; the session's previous upload is deleted.

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
        Unknown coordinate system, or an upload :func:`app.uploads.save_upload` refuses (Chinese message).
    """
    from geodata.crs import COORD_SYSTEMS

    if coords not in COORD_SYSTEMS:
        raise ValueError(f"坐标系 {coords!r} 不受支持，应为 {list(COORD_SYSTEMS)} 之一")
    settings, _ = get_settings()
    path = uploads.save_upload(name, data, limits=settings.uploads, owner=_session_owner())
    st.session_state[_UPLOAD_KEY] = {"path": str(path), "name": name, "coords": coords}
    _remember_upload(st.session_state[_UPLOAD_KEY], settings.uploads.max_age_hours * 3600.0)
    return path


_PARK_COOKIE_FOR_KEY = "_park_cookie_for"  # the upload the browser was last asked to remember


def _remember_upload(upload: dict, max_age_s: float) -> None:
    """Have the browser keep this session's upload in the signed park cookie (:mod:`app.session_cookie`), so a
    reload reopens it; once per upload (the sidebar saves the uploader's file on every run)."""
    if st.session_state.get(_PARK_COOKIE_FOR_KEY) == upload:
        return
    from geodata.store.base import utcnow

    now = utcnow()
    try:
        value = session_cookie.sign_park_cookie(
            upload["path"],
            upload["name"],
            upload["coords"],
            key=session_cookie.signing_key(None),
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=max_age_s),
        )
    except (ValueError, OSError) as exc:  # no key: the upload lasts until the reload only
        log.warning("park cookie not issued: %s", exc)
        return
    code = session_cookie.issue_handoff(value, max_age_s, name=session_cookie.PARK_COOKIE_NAME)
    _post_next_run(session_cookie.SESSION_PATH, {"code": code})
    st.session_state[_PARK_COOKIE_FOR_KEY] = dict(upload)


def _upload_from_cookie() -> dict | None:
    """The upload an earlier browser session of this browser kept in the park cookie (a reload), when its file is
    still an upload of this server; a cookie that no longer fits is cleared."""
    cookie = _browser_cookie(session_cookie.PARK_COOKIE_NAME)
    if cookie is None or cookie == st.session_state.get(_DEAD_PARK_COOKIE_KEY):
        return None
    from geodata.store.base import utcnow

    folder = get_settings()[0].uploads.folder
    try:
        upload = session_cookie.verify_park_cookie(cookie, key=session_cookie.signing_key(None), now=utcnow())
        path = Path(upload["path"]).resolve()
        if not path.exists() or not path.is_relative_to(Path(folder).resolve()):
            raise FileNotFoundError(path)
    except (session_cookie.CookieError, ValueError, OSError) as exc:
        log.info("park cookie dropped: %s", exc)
        st.session_state[_DEAD_PARK_COOKIE_KEY] = cookie
        _clear_cookie_next_run(session_cookie.PARK_COOKIE_NAME)
        return None
    upload["path"] = str(path)
    st.session_state[_UPLOAD_KEY] = upload
    st.session_state[_PARK_COOKIE_FOR_KEY] = dict(upload)
    return upload


def clear_upload() -> None:
    """Forget this session's upload and delete it (unless another session uses the same file); the park falls
    back to ``PARKRISK_PARK`` or the demo park."""
    st.session_state.pop(_UPLOAD_KEY, None)
    st.session_state.pop(_PARK_COOKIE_FOR_KEY, None)
    cookie = _browser_cookie(session_cookie.PARK_COOKIE_NAME)
    if cookie:  # the cookie this browser session started with must not bring the upload back
        st.session_state[_DEAD_PARK_COOKIE_KEY] = cookie
    _clear_cookie_next_run(session_cookie.PARK_COOKIE_NAME)
    settings, _ = get_settings()
    uploads.release(_session_owner(), settings.uploads)


def layer_counts(park: Park) -> pd.DataFrame:
    """Feature count of each layer with its Chinese name (for the sidebar/info views)."""
    from geodata import schema

    rows = [
        {"图层": schema.LAYERS[name].label_zh, "要素数": len(gdf)}
        for name, gdf in park.layers.items()
        if name in schema.LAYERS and gdf is not None
    ]
    return pd.DataFrame(rows)


_VIEWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # park -> {view key: redacted park}
_VIEWS_LOCK = threading.Lock()


def _view_key(user: User | None) -> tuple[str, str | None]:
    """Users with the same key see the same park (role, and the enterprise of an enterprise user)."""
    if user is None:
        return ("anonymous", None)
    return (user.role, user.enterprise_id if user.role == "enterprise" else None)


def _view_for(user: User | None, park: Park) -> Park:
    """:func:`app.auth.redact_park` computed once per loaded park and kind of user: identifying the major hazards
    loads the substance database, which takes seconds."""
    key = _view_key(user)
    with _VIEWS_LOCK:
        views = _VIEWS.setdefault(park, {})
        view = views.get(key)
        if view is None:
            view = views[key] = redact_park(user, park)
            if view is not park:  # the station's wind rose and the population grid are not sensitive
                view.weather = getattr(park, "weather", None)
                view.population_raster = getattr(park, "population_raster", None)
        return view


def visitor_view(park: Park) -> Park:
    """The park as a visitor who has not signed in sees it (:func:`app.auth.redact_park` with no user)."""
    return _view_for(None, park)


def visible_park(park: Park) -> Park:
    """``park`` as the user signed in in this session may see it (:func:`app.auth.redact_park`)."""
    return _view_for(current_user(), park)


@dataclass(frozen=True)
class ParkView:
    """The open park as one user may see it — the only way a page reaches the park.

    Attributes
    ----------
    park : Park
        What the page draws, tabulates and exports: for viewers and anonymous users the inventories of
        major-hazard installations (and the volume, pressure and temperature that give them back) are blank; the
        rectifications layer holds only the items the user may see on the 一园一策 page (none when not signed in,
        its own enterprise's for an enterprise user).
    user : User or None
        The signed-in user (None: not signed in).
    """

    park: Park
    user: User | None
    _full: Park = field(repr=False, compare=False)

    @property
    def redacted(self) -> bool:
        """Whether sensitive figures are hidden from this user (viewers and anonymous users)."""
        return not may_read_sensitive(self.user)

    def run(self, model: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``model(full park, *args, **kwargs)`` — models compute with the real inventories — returned as the user
        may see it (:func:`app.auth.redact_result`: texts, tables and attributes with inventories, release masses
        and the GB 18218 ratios S and R hidden from viewers and anonymous users; a park returned as the user's
        view). Wrap other argument orders in a lambda: ``view.run(lambda p: affected(zones, p))``."""
        return redact_result(self.user, model(self._full, *args, **kwargs))


def park_view() -> ParkView:
    """The session's park for the signed-in user (see :class:`ParkView`); on failure shows the Chinese error on the
    page and stops the script run."""
    full = _full_park()
    user = current_user()
    return ParkView(_view_for(user, full), user, full)


def park_store() -> RectificationStore:
    """The rectification store of the park open in this session (one per park file and store target, shared by
    all sessions; the stores are thread-safe).

    Raises
    ------
    StoreError, ValueError, OSError
        When the store cannot be opened (the caller shows the message).
    """
    park = _full_park()
    source = current_source()
    return _shared_store(str(source.path), _store_target(), source.kind == "demo", park)


def _store_target() -> str:
    """The store of this session's park: a park of the region has its own (:func:`app.region.sources.
    live_store_target`: the store the region run counts its items from); any other park ``PARKRISK_STORE`` or the
    default store file of the park."""
    source = current_source()
    if source.kind == "region":
        from app.region.sources import live_store_target

        return str(live_store_target(source.path, create=True))
    return _account_target()


def _account_target() -> str:
    """The store of the app's users and sessions: ``PARKRISK_STORE`` or the default store file of the home park
    (:func:`home_source`) — the same whichever park of the region is open, so the sign-in survives the
    drill-down from 区域监管."""
    from geodata.store import default_store_path

    return os.environ.get("PARKRISK_STORE") or str(default_store_path(home_source().path))


def account_store() -> RectificationStore:
    """The store that holds the app's users, sessions and region scopes (:func:`_account_target`): the store of
    the home park, also while a park of the region is open (whose items live in :func:`park_store`).

    Raises
    ------
    StoreError, ValueError, OSError
        When the store cannot be opened (the caller shows the message).
    """
    source = current_source()
    if source.kind != "region":
        return park_store()
    home = home_source()
    try:
        park = load_park_cached(home.path, home.coords)
    except (FileNotFoundError, ParkDataError) as exc:
        raise ValueError(f"无法打开用户台账所属的园区（{home.label_zh}）：{exc}") from exc
    return _shared_store(str(home.path), _account_target(), home.kind == "demo", park)


@st.cache_resource(show_spinner="正在打开整改台账……", max_entries=8)
def _shared_store(park_path: str, store_target: str, demo: bool, _park: Park) -> RectificationStore:
    return open_park_store(park_path, store_target, demo, _park)


_DEAD_COOKIE_KEY = "_session_cookie_refused"  # the cookie value this browser session already refused or ended
_NOTICE_KEY = "_session_notice"  # Chinese notice to show once
_SCRIPT_KEY = "_session_cookie_scripts"  # [(route path, JSON body)] the browser posts on the next run
_DEAD_PARK_COOKIE_KEY = (
    "_park_cookie_refused"  # the park cookie value this browser session refused or dropped
)


def _post_next_run(path: str, body: dict) -> None:
    """Have the browser post ``body`` to ``path`` (a cookie route of :mod:`app.session_cookie`) on the next run."""
    st.session_state.setdefault(_SCRIPT_KEY, []).append((path, body))


def _clear_cookie_next_run(name: str = session_cookie.COOKIE_NAME) -> None:
    _post_next_run(session_cookie.LOGOUT_PATH, {"name": name})


def _browser_cookie(name: str = session_cookie.COOKIE_NAME) -> str | None:
    """The cookie ``name`` the browser sent when this browser session opened, or None."""
    try:
        value = st.context.cookies.get(name)
    except (AttributeError, RuntimeError):  # outside a server run
        return None
    return value if isinstance(value, str) and value else None


def _refuse_cookie(cookie: str | None) -> None:
    """Ignore ``cookie`` from now on in this browser session, have the browser clear it, and say why."""
    st.session_state[_DEAD_COOKIE_KEY] = cookie
    _clear_cookie_next_run()
    st.session_state[_NOTICE_KEY] = session_cookie.EXPIRED_ZH


def _user_from_cookie(store: RectificationStore) -> User | None:
    """The user of the sign-in cookie an earlier browser session left (a reload), or None; a refused cookie is
    cleared, with the notice :data:`app.session_cookie.EXPIRED_ZH` (one signed for another store is only ignored)."""
    cookie = _browser_cookie()
    if cookie is None or cookie == st.session_state.get(_DEAD_COOKIE_KEY):
        return None
    from geodata.store.base import utcnow

    target = _account_target()
    try:
        token = session_cookie.verify_cookie(
            cookie, key=session_cookie.signing_key(target), store=target, now=utcnow()
        )
    except session_cookie.CookieError as exc:
        log.info("session cookie refused: %s", exc.kind)
        if exc.kind == "other_store":  # signed in on another park: kept for it, ignored here
            st.session_state[_DEAD_COOKIE_KEY] = cookie
        else:
            _refuse_cookie(cookie)
        return None
    user = resolve_session(store, token, config=auth_config())
    if user is None:  # idle too long, signed out elsewhere, password changed
        _refuse_cookie(cookie)
        return None
    st.session_state[SESSION_TOKEN_KEY] = token
    st.session_state[_DEAD_COOKIE_KEY] = None
    return user


def current_user() -> User | None:
    """The user signed in in this browser session (any page), or None (not signed in, expired, or no store).

    Without a token in this session, the signed cookie of an earlier session of the same browser is tried (a
    reload keeps the sign-in); a session that ended meanwhile gives None and the notice "登录已过期，请重新登录"
    (shown by :func:`session_scripts`)."""
    token = st.session_state.get(SESSION_TOKEN_KEY)
    if not token:
        cookie = _browser_cookie()
        if cookie is None or cookie == st.session_state.get(_DEAD_COOKIE_KEY):
            return None  # nobody signed in: the store is not opened for a visitor
    try:
        store = account_store()
        if not token:
            return _user_from_cookie(store)
        user = resolve_session(store, token, config=auth_config())
    except (StoreError, ValueError, OSError) as exc:  # no store: nobody is signed in, not a crash
        log.warning("current_user: store unavailable: %s", exc)
        return None
    if user is None:
        st.session_state.pop(SESSION_TOKEN_KEY, None)
        _refuse_cookie(_browser_cookie())
    return user


def remember_session(session: Session) -> None:
    """After :func:`app.auth.sign_in`: keep the token in this browser session and have the browser store the signed
    cookie (:mod:`app.session_cookie`) on the next run, so a reload keeps the sign-in.

    Raises
    ------
    ValueError, OSError
        The signing key cannot be read or created (the sign-in then lasts until the reload only).
    """
    st.session_state[SESSION_TOKEN_KEY] = session.token
    st.session_state.pop(_NOTICE_KEY, None)
    target = _account_target()
    from geodata.store.base import utcnow

    now = utcnow()
    absolute = now + dt.timedelta(seconds=auth_config().session_ttl_s)
    value = session_cookie.sign_cookie(
        session.token,
        key=session_cookie.signing_key(target),
        store=target,
        issued_at=now,
        expires_at=absolute,
    )
    code = session_cookie.issue_handoff(value, (absolute - now).total_seconds())
    _post_next_run(session_cookie.SESSION_PATH, {"code": code})


def end_session(store: RectificationStore, *, notice: str | None = None) -> None:
    """Sign out of this browser session: the session ends in the store (so its cookie is refused everywhere), the
    token is forgotten and the browser clears the cookie on the next run; ``notice`` is shown once."""
    sign_out(store, st.session_state.pop(SESSION_TOKEN_KEY, None))
    cookie = _browser_cookie()
    if cookie is not None:
        st.session_state[_DEAD_COOKIE_KEY] = cookie
    _clear_cookie_next_run()
    st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.session_state[_NOTICE_KEY] = notice


def session_scripts() -> None:
    """Once per run, before the page: resolve the sign-in (the cookie after a reload), show the pending notice in
    the sidebar and run what the browser must do about the cookie (set it from a one-time code, or clear it)."""
    if try_get_park()[0] is not None:
        current_user()
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.sidebar.warning(notice, icon=":material/lock_clock:")
    actions = st.session_state.pop(_SCRIPT_KEY, None)
    if not actions:
        return
    calls = "".join(
        f"await fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(json.dumps(body))}}});"
        for path, body in actions
    )  # in order: a clear queued before a set must not remove the new cookie
    with st.sidebar:
        st.html(f"<script>(async () => {{{calls}}})();</script>", unsafe_allow_javascript=True)
