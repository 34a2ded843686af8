"""Offline assets of the maps: the local Leaflet files, and a map as one self-contained HTML page.

folium pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default. The maps made here use only Leaflet,
whose files are copied from the ``xstatic-leaflet`` package into ``app/static/vendor/leaflet`` by
:func:`ensure_static_assets`; Streamlit serves that folder at ``/app/static/...``. :func:`external_asset_urls`
lists any CDN link that slipped in; :func:`standalone_html` inlines Leaflet so a saved map opens with no network.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium

__all__ = [
    "STATIC_DIR",
    "LEAFLET_DIR",
    "STATIC_URL",
    "LOCAL_JS",
    "LOCAL_CSS",
    "ensure_static_assets",
    "use_local_assets",
    "external_asset_urls",
    "standalone_html",
    "save_html",
]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
#: URL prefix under which Streamlit serves ``app/static`` (``server.enableStaticServing = true``).
STATIC_URL = "/app/static"
LOCAL_JS: tuple[tuple[str, str], ...] = (("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js"),)
LOCAL_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css"),)
_LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)


def _leaflet_source_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
        raise RuntimeError(
            "缺少依赖 xstatic-leaflet（离线地图所需的 Leaflet 文件）：请运行 pip install -e . 重新安装 "
            "(missing dependency xstatic-leaflet)"
        ) from exc
    return Path(xleaflet.BASE_DIR)


def ensure_static_assets(target: Path | None = None) -> Path:
    """Copy the Leaflet files into ``app/static/vendor/leaflet`` (or ``target``) when missing or outdated.

    Parameters
    ----------
    target : Path, optional
        Destination folder (default :data:`LEAFLET_DIR`).

    Returns
    -------
    Path
        The folder holding ``leaflet.js``, ``leaflet.css`` and ``images/``.
    """
    target = LEAFLET_DIR if target is None else Path(target)
    source = _leaflet_source_dir()
    for rel in _LEAFLET_FILES:
        src, dst = source / rel, target / rel
        if dst.exists() and dst.stat().st_size == src.stat().st_size:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)  # atomic: a concurrent reader never sees half a file
        log.info("copied %s -> %s", src, dst)
    return target


def use_local_assets(m: folium.Map) -> folium.Map:
    """Point this map instance's Leaflet JS/CSS at the local copies (no jQuery/Bootstrap/Font Awesome)."""
    m.default_js = list(LOCAL_JS)
    m.default_css = list(LOCAL_CSS)
    return m


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def external_asset_urls(m: folium.Map) -> list[str]:
    """JS/CSS URLs of the map (and its children) that point off this machine (CDN links). Empty = offline-ready."""
    urls: list[str] = []
    for el in _walk(m):
        urls += [u for _, u in getattr(el, "default_js", [])] + [u for _, u in getattr(el, "default_css", [])]
    return [u for u in dict.fromkeys(urls) if re.match(r"^(https?:)?//", u)]


_CSS_URL = re.compile(r"url\((['\"]?)(images/[^'\")]+)\1\)")


def _inline_css(css: str, base: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        data = base64.b64encode((base / match.group(2)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return _CSS_URL.sub(repl, css)


def standalone_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page: Leaflet JS and CSS (with its images) inlined, no network needed.

    Raises
    ------
    ValueError
        If the map holds elements that load assets from the internet (see :func:`external_asset_urls`).
    """
    external = external_asset_urls(m)
    if external:
        raise ValueError(f"地图含有需要联网加载的脚本/样式，无法离线：{external}")
    source = _leaflet_source_dir()
    page = m.get_root().render()
    js = source.joinpath("leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = _inline_css(source.joinpath("leaflet.css").read_text(encoding="utf-8"), source)
    for _, url in LOCAL_JS:
        page = page.replace(f'<script src="{url}"></script>', f"<script>{js}</script>")
    for _, url in LOCAL_CSS:
        page = page.replace(f'<link rel="stylesheet" href="{url}"/>', f"<style>{css}</style>")
    if STATIC_URL in page:
        raise RuntimeError(f"standalone_html: a local asset link was left in the page ({STATIC_URL})")
    return page


def save_html(m: folium.Map, path: str | Path) -> Path:
    """Write :func:`standalone_html` to ``path`` atomically (temporary file, then replace); returns the path."""
    path = Path(path)
    text = standalone_html(m)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
