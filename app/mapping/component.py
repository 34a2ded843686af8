"""A folium map drawn in Streamlit from arguments prepared once: what ``streamlit_folium.st_folium`` sends to its
front end, split into the part that depends on the map alone (:func:`component_args`, no Streamlit; cacheable) and
the component call (:func:`draw`).

``st_folium`` renders the whole map on every script run — the folium/branca templates of every layer, compiled
again each time, then the GeoJSON of every feature — about 0.3 s for the demo park's overview. A page that can say
when its map is the same (same park view, same results, same options) keeps the arguments and calls :func:`draw`
instead: same script, same component key, so the browser also keeps the map it has. The arguments are those of
streamlit-folium 0.2x (``st_folium`` with ``use_container_width=True``, no drawn feature groups, no dynamic layer
control, ``return_on_hover=False``); ``tests/app/test_map_component.py`` checks them against ``st_folium``'s own.

The functions that write them follow streamlit-folium 0.27 (``_get_html``, ``_get_header``, ``_get_map_string``,
``generate_leaflet_string``, ``generate_js_hash``; MIT licence) for one folium map, without importing the package:
its import (``folium.plugins`` and their ~40 templates) cost the server 0.2 s of CPU at start, before the first
map. The front end is the package's own build, declared under the package's component name
(``streamlit_folium.st_folium``), so the pages that call ``st_folium`` share it. :func:`component_args` renders the
map once with its scripts left out (:func:`app.mapping.literal.head_only`) and writes each element's script once,
where ``st_folium`` renders the whole map twice and then each script a third time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import re
from textwrap import dedent
from typing import Any

import folium

from app.mapping.literal import head_only

__all__ = ["COMPONENT_NAME", "component_args", "draw", "register"]

#: The name streamlit-folium declares its front end under (``<module>.<name>``): the URL path of the map's iframe.
COMPONENT_NAME = "streamlit_folium.st_folium"


def _links(m: folium.Map) -> tuple[list[str], list[str]]:
    """CSS and JavaScript links of the map's elements, in ``st_folium``'s order (deduplicated)."""
    import branca

    def walk(el):
        if isinstance(el, branca.colormap.ColorMap):
            yield el
        if isinstance(el, folium.elements.JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for el in walk(m):
        if isinstance(el, branca.colormap.ColorMap):  # st_folium adds d3 for colour maps (never used here)
            js[:0] = [
                "https://d3js.org/d3.v4.min.js",
                "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
            ]
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def _full_id(m: folium.Map) -> str:
    return f"{m._name.lower()}_{m._id}"


def _html(m: folium.Map) -> str:
    html = m.get_root().html.render()
    return re.sub(r'<div class="folium-map" id=".*" ></div>', "", html).strip()


def _header(m: folium.Map) -> str:
    header = m.get_root().header.render()
    header = re.sub(
        r'<script\b[^>]*\bsrc=["\'][^"\']*["\'][^>]*>.*?</script\b[^>]*>',
        "",
        header,
        flags=re.IGNORECASE | re.DOTALL,
    )
    header = re.sub(r'<link rel="stylesheet" href=".*?"/>', "", header)
    # streamlit-folium's fix of Leaflet's default marker icon path (its issue 275)
    header = re.sub(
        r'(L\.Icon\.Default\.imagePath\s*=\s*["\'])([^"\']*?/dist)(["\'])', r"\1\2/images/\3", header
    )
    return header.replace(_full_id(m), "map_div")


def _scripts(m: Any, base_id: str, mappings: dict[str, str]) -> str:
    """Each element's script macro, depth first, its id renamed to a position (``div``, ``div_0``, ``div_0_1``…)."""
    from jinja2 import UndefinedError

    mappings[m._id] = base_id
    with contextlib.suppress(AttributeError):  # ElementAddToElement: the ids of what it adds and where
        element_id = m.element_name.replace("map_", "").replace("tile_layer_", "")
        parent_id = m.element_parent_name.replace("map_", "").replace("tile_layer_", "")
        mappings.setdefault(element_id, m._parent._id)
        mappings.setdefault(parent_id, m._parent._parent._id)
    m._id = base_id
    try:
        leaflet = m._template.module.script(m)
    except UndefinedError:  # a template without a script macro (folium's Popup) renders as a whole
        leaflet = m._template.render(this=m, kwargs={})
    for idx, child in enumerate(m._children.values()):
        with contextlib.suppress(UndefinedError, AttributeError):
            leaflet += "\n" + _scripts(child, f"{base_id}_{idx}", mappings)
    return leaflet


_VAR_SUFFIX = re.compile("_[a-z0-9]+(?!_)")
_ELEMENT_REF = re.compile(r"\{\{\s*'([A-Za-z_$][A-Za-z0-9_$]*)'\s*\}\}")


def _map_string(m: folium.Map) -> str:
    mappings: dict[str, str] = {}
    leaflet = _scripts(m, "div", mappings)

    def rename(match: re.Match) -> str:
        text = match.group()
        replacement = mappings.get(text.strip("_"))
        return text.replace(text.strip("_"), replacement) if replacement else text

    leaflet = _ELEMENT_REF.sub(r"\1", _VAR_SUFFIX.sub(rename, leaflet))
    leaflet = leaflet.replace("alert(coords);", "")
    leaflet = dedent(re.sub(r"drawnItems_draw_control_div_\d+", "drawnItems", leaflet))
    if "drawnItems" not in leaflet:
        leaflet += "\nvar drawnItems = [];"
    return leaflet


def component_args(m: folium.Map) -> dict[str, Any]:
    """What ``st_folium(m, use_container_width=True, returned_objects=[])`` sends to its front end, less the per-call
    options: the Leaflet script, the page header and body, the map's element id and the CSS/JS links.

    Renders ``m`` (and changes its element ids, as ``st_folium`` does): draw it through :func:`draw` only.
    """
    with head_only():  # the header and body: every element's scripts are written below, once
        m.get_root().render()
    html = _html(m)
    header = _header(m)
    script = _map_string(m)  # changes the element ids: after the html and header, as in st_folium
    css, js = _links(m)
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": _full_id(m),
        "css_links": css,
        "js_links": js,
    }


def _js_hash(script: str, key: str) -> str:
    """streamlit-folium's component key of a map script (``generate_js_hash`` with ``return_on_hover=False``)."""
    text = re.sub(r"(_[a-z0-9]+)", "", script) + key
    text = re.sub(r"(maps\/[-a-z0-9]+\/)", "", text) + key + "False"
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _component() -> Any:
    """The map's front end: streamlit-folium's build, declared as the package declares it (same name, path and
    module, so registering either one replaces nothing)."""
    from streamlit.components.v1.custom_component import CustomComponent

    spec = importlib.util.find_spec("streamlit_folium")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("未安装 streamlit-folium，地图无法显示：请安装 streamlit-folium (not installed)")
    build = os.path.join(list(spec.submodule_search_locations)[0], "frontend/build")
    return CustomComponent(name=COMPONENT_NAME, path=build, module_name="streamlit_folium")


def register() -> None:
    """Register the map's front end with the running server (call it in a script run; again changes nothing).

    A component is registered only when declared during a script run; declared outside one (the server's warm-up
    thread, :mod:`app.main`, or an import of streamlit-folium there), the browser would get 404 for every map.
    """
    from streamlit.runtime import Runtime

    if Runtime.exists():
        Runtime.instance().component_registry.register_component(_component())


def draw(args: dict[str, Any], *, key: str, height: int) -> None:
    """Show the map of :func:`component_args` across the container's width, ``height`` [px] high, as
    ``st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])`` would (the page gets
    nothing back from the map: no rerun on clicks)."""
    import streamlit as st

    register()
    hash_key = _js_hash(args["script"], key)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    _component()(
        script=args["script"],
        header=args["header"],
        html=args["html"],
        id=args["id"],
        key=hash_key,
        height=height,
        width=None,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=args["css_links"],
        js_links=args["js_links"],
        on_change=on_change,
        wrap_longitude=False,
    )
