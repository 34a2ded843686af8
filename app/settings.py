"""Application settings: which park to open and which basemap to draw under the park layers.

Settings are an explicit frozen dataclass built from environment variables and, in the app, from
``.streamlit/secrets.toml`` (passed in as a plain mapping, so this module needs no Streamlit). Nothing here is a
module-level mutable setting: one Streamlit server serves many sessions from one process.

Environment variables
---------------------
``PARKRISK_PARK``
    Path of the park to open (GeoPackage, GeoJSON/Shapefile folder, ...). Default: the bundled demo park.
``PARKRISK_COORDS``
    Coordinate system of that park's coordinates: ``WGS84`` (default), ``CGCS2000``, ``GCJ-02`` or ``BD-09``
    (``parkrisk app --coords`` sets it).
``PARKRISK_BASEMAP``
    ``none`` (default; works with no network at all), ``tianditu`` (天地图, needs a token) or ``osm``
    (OpenStreetMap).
``PARKRISK_TIANDITU_TOKEN``
    The user's 天地图 key (申请: 天地图官网「开发资源 → 申请Key」), required for ``tianditu``.

Limits of the sidebar upload (:class:`UploadLimits`, enforced by :mod:`app.uploads`; 1 MB = 1024 × 1024 bytes):

``PARKRISK_UPLOAD_MAX_MB``
    Size an upload may take on disk once expanded (a ZIP's unpacked files, an XLSX's uncompressed parts, a
    GeoPackage itself). Default 200.
``PARKRISK_UPLOAD_MAX_FILES``
    Files in an uploaded ZIP. Default 2000.
``PARKRISK_UPLOAD_MAX_ROWS``
    Rows (features) of one sheet or layer file of an upload; reading stops past it. Default 200000.
``PARKRISK_UPLOAD_QUOTA_MB``
    Total size of the upload folder. Default 1024.
``PARKRISK_UPLOAD_MAX_AGE_HOURS``
    Uploads older than this are deleted at start-up and whenever the quota is checked. Default 24.
``PARKRISK_UPLOAD_DIR``
    The upload folder. Default ``<temp folder>/parkrisk_uploads``.

The same keys may be given in ``.streamlit/secrets.toml`` as ``basemap`` and ``tianditu_token``; environment
variables win.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BASEMAP_KINDS",
    "DEMO_PARK_PATH",
    "Basemap",
    "TileSource",
    "UploadLimits",
    "UPLOAD_ENV",
    "AppSettings",
    "load_settings",
    "load_upload_limits",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The bundled, fictional demo park.
DEMO_PARK_PATH = REPO_ROOT / "geodata" / "samples" / "demo_park.gpkg"

#: Basemap kinds with their Chinese description (display order).
BASEMAP_KINDS: dict[str, str] = {
    "none": "无底图（离线，仅显示园区图层）",
    "tianditu": "天地图矢量底图（需联网和天地图 Key）",
    "osm": "OpenStreetMap（需联网）",
}

# 天地图 WMTS in Web Mercator ("_w" services); CGCS2000 ≈ WGS84 at map scale, so no offset correction is needed
# (unlike Gaode/Baidu tiles, which are GCJ-02/BD-09 and are therefore not offered).
_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}"
)
_TIANDITU_ATTRIBUTION = '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a>'


@dataclass(frozen=True)
class TileSource:
    """One XYZ tile layer of a basemap."""

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18
    overlay: bool = False


@dataclass(frozen=True)
class Basemap:
    """A basemap choice.

    Parameters
    ----------
    kind : str
        One of :data:`BASEMAP_KINDS`.
    token : str or None
        天地图 key (required for ``tianditu``; ignored otherwise).
    """

    kind: str = "none"
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in BASEMAP_KINDS:
            raise ValueError(
                f"底图设置 basemap={self.kind!r} 无效；可选值：{', '.join(BASEMAP_KINDS)} "
                f"(unknown basemap {self.kind!r}; valid: {list(BASEMAP_KINDS)})"
            )
        if self.kind == "tianditu" and not (self.token and self.token.strip()):
            raise ValueError(
                "底图设置为天地图（basemap='tianditu'），但未提供天地图 Key：请设置环境变量 "
                "PARKRISK_TIANDITU_TOKEN 或在 .streamlit/secrets.toml 中填写 tianditu_token "
                "(tianditu basemap needs a token)"
            )

    @property
    def label_zh(self) -> str:
        return BASEMAP_KINDS[self.kind]

    @property
    def offline(self) -> bool:
        """True when drawing this basemap needs no network."""
        return self.kind == "none"

    def tile_sources(self) -> tuple[TileSource, ...]:
        """The tile layers to draw, bottom first (empty for ``none``)."""
        if self.kind == "osm":
            import xyzservices.providers as xyz

            osm = xyz.OpenStreetMap.Mapnik
            return (
                TileSource(
                    name="OpenStreetMap",
                    url=osm.build_url(),
                    attribution=osm.html_attribution,
                    max_zoom=int(osm.get("max_zoom", 19)),
                ),
            )
        if self.kind == "tianditu":
            token = (self.token or "").strip()
            return (
                TileSource(
                    name="天地图矢量",
                    url=_TIANDITU_URL.format(layer="vec", token=token),
                    attribution=_TIANDITU_ATTRIBUTION,
                    subdomains="01234567",
                ),
                TileSource(
                    name="天地图注记",
                    url=_TIANDITU_URL.format(layer="cva", token=token),
                    attribution=_TIANDITU_ATTRIBUTION,
                    subdomains="01234567",
                    overlay=True,
                ),
            )
        return ()


def default_upload_folder() -> Path:
    """``<temp folder>/parkrisk_uploads``."""
    return Path(tempfile.gettempdir()) / "parkrisk_uploads"


@dataclass(frozen=True)
class UploadLimits:
    """Limits of the sidebar upload (see the module docstring for the environment variables).

    Parameters
    ----------
    max_mb : float
        Size of one upload on disk once expanded [MB, 1 MB = 1024 × 1024 bytes].
    max_files : int
        Files in one uploaded ZIP.
    max_rows : int
        Rows (features) of one sheet or layer file.
    quota_mb : float
        Total size of the upload folder [MB].
    max_age_hours : float
        Age after which an upload is deleted [h].
    folder : Path
        The upload folder.
    """

    max_mb: float = 200.0
    max_files: int = 2000
    max_rows: int = 200_000
    quota_mb: float = 1024.0
    max_age_hours: float = 24.0
    folder: Path = field(default_factory=default_upload_folder)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    @property
    def quota_bytes(self) -> int:
        return int(self.quota_mb * 1024 * 1024)

    @property
    def max_age_s(self) -> float:
        return self.max_age_hours * 3600.0


#: Environment variable of each :class:`UploadLimits` field (the folder is ``PARKRISK_UPLOAD_DIR``).
UPLOAD_ENV: dict[str, str] = {
    "max_mb": "PARKRISK_UPLOAD_MAX_MB",
    "max_files": "PARKRISK_UPLOAD_MAX_FILES",
    "max_rows": "PARKRISK_UPLOAD_MAX_ROWS",
    "quota_mb": "PARKRISK_UPLOAD_QUOTA_MB",
    "max_age_hours": "PARKRISK_UPLOAD_MAX_AGE_HOURS",
    "folder": "PARKRISK_UPLOAD_DIR",
}


def load_upload_limits(env: Mapping[str, str] | None = None) -> UploadLimits:
    """The upload limits from the environment (defaults for unset or blank variables).

    Raises
    ------
    ValueError
        A variable that is not a positive number (whole number for counts), message in Chinese naming it.
    """
    env = os.environ if env is None else env
    default = UploadLimits()
    values: dict[str, object] = {}
    for name, key in UPLOAD_ENV.items():
        raw = str(env.get(key) or "").strip()
        if not raw:
            continue
        if name == "folder":
            values[name] = Path(raw).expanduser()
            continue
        whole = isinstance(getattr(default, name), int)
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            kind = "正整数" if whole else "正数"
            raise ValueError(
                f"环境变量 {key}={raw!r} 无效：应为{kind}，如 {getattr(default, name)}（默认值）"
                f" ({key} must be a positive {'integer' if whole else 'number'})"
            )
        values[name] = value
    return UploadLimits(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AppSettings:
    """Settings of one app session.

    Parameters
    ----------
    park_path : Path
        The park to open when the user has not uploaded one.
    park_from_env : bool
        True when ``park_path`` came from ``PARKRISK_PARK`` (shown as the data source).
    park_coords : str
        Coordinate system of ``park_path``'s coordinates (a key of :data:`geodata.crs.COORD_SYSTEMS`).
    basemap : Basemap
        Basemap drawn under the park layers.
    uploads : UploadLimits
        Limits of the sidebar upload.
    """

    park_path: Path = DEMO_PARK_PATH
    park_from_env: bool = False
    park_coords: str = "WGS84"
    basemap: Basemap = field(default_factory=Basemap)
    uploads: UploadLimits = field(default_factory=UploadLimits)


def load_settings(
    env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None
) -> AppSettings:
    """Build the settings from environment variables and secrets.

    Parameters
    ----------
    env : mapping, optional
        Environment variables (default ``os.environ``).
    secrets : mapping, optional
        Contents of ``.streamlit/secrets.toml`` (keys ``basemap``, ``tianditu_token``, ``park``).

    Returns
    -------
    AppSettings

    Raises
    ------
    ValueError
        Unknown basemap, 天地图 without a token, or an invalid upload limit (message in Chinese).
    """
    env = os.environ if env is None else env
    secrets = secrets or {}

    def pick(env_key: str, secret_key: str) -> str | None:
        value = env.get(env_key)
        if value is None or not str(value).strip():
            value = secrets.get(secret_key)  # type: ignore[assignment]
        return None if value is None or not str(value).strip() else str(value).strip()

    park = pick("PARKRISK_PARK", "park")
    coords = pick("PARKRISK_COORDS", "coords") or "WGS84"
    from geodata import COORD_SYSTEMS

    if coords not in COORD_SYSTEMS:
        raise ValueError(f"PARKRISK_COORDS={coords!r} 无效，应为 {'、'.join(COORD_SYSTEMS)} 之一。")
    kind = (pick("PARKRISK_BASEMAP", "basemap") or "none").lower()
    token = pick("PARKRISK_TIANDITU_TOKEN", "tianditu_token")
    return AppSettings(
        park_path=Path(park).expanduser() if park else DEMO_PARK_PATH,
        park_from_env=park is not None,
        park_coords=coords,
        basemap=Basemap(kind=kind, token=token),
        uploads=load_upload_limits(env),
    )
