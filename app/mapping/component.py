"""A folium map drawn in Streamlit from arguments prepared once: what ``streamlit_folium.st_folium`` sends to its
front end, split into the part that depends on the map alone (:func:`component_args`, no Streamlit; cacheable) and
the component call (:func:`draw`).

``st_folium`` renders the whole map on every script run — the folium/branca templates of every layer, compiled
again each time, then the GeoJSON of every feature — about 0.3 s for the demo park's overview. A page that can say
when its map is the same (same park view, same results, same options) keeps the arguments and calls :func:`draw`
instead: same script, same component key, so the browser also keeps the map it has. The arguments are those of
streamlit-folium 0.2x (``st_folium`` with ``use_container_width=True``, no drawn feature groups, no dynamic layer
control, ``return_on_hover=False``); ``tests/app/test_map_component.py`` checks them against ``st_folium``'s own.

The arguments are written by streamlit-folium's own functions (``_get_html``, ``_get_header``, ``_get_map_string``,
``generate_js_hash``) and drawn by its own front end: the app holds none of its code. :func:`component_args` renders
the map's header and body once with the scripts left out (:func:`app.mapping.literal.head_only`) before
``_get_map_string`` writes each element's script, where ``st_folium`` renders the whole map twice and then each
script a third time.
"""

from __future__ import annotations

from typing import Any

import folium

from app.mapping.literal import head_only

__all__ = ["component_args", "draw", "register"]


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


def component_args(m: folium.Map) -> dict[str, Any]:
    """What ``st_folium(m, use_container_width=True, returned_objects=[])`` sends to its front end, less the per-call
    options: the Leaflet script, the page header and body, the map's element id and the CSS/JS links.

    Renders ``m`` (and changes its element ids, as ``st_folium`` does): draw it through :func:`draw` only.
    """
    import streamlit_folium as sf

    with head_only():  # the header and body: _get_map_string writes every element's script below, once
        m.get_root().render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)  # changes the element ids: after the html and header, as in st_folium
    css, js = _links(m)
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": sf.get_full_id(m),
        "css_links": css,
        "js_links": js,
    }


def register() -> None:
    """Register streamlit-folium's front end with the running server (call it in a script run).

    streamlit-folium registers it only when first imported during a script run; the server's warm-up thread
    (:mod:`app.main`) imports it first, and the browser would then get 404 for every map. Registering the same
    component again changes nothing.
    """
    import streamlit_folium as sf
    from streamlit.runtime import Runtime

    if Runtime.exists():
        Runtime.instance().component_registry.register_component(sf._component_func)


def draw(args: dict[str, Any], *, key: str, height: int) -> None:
    """Show the map of :func:`component_args` across the container's width, ``height`` [px] high, as
    ``st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])`` would (the page gets
    nothing back from the map: no rerun on clicks)."""
    import streamlit as st
    import streamlit_folium as sf

    register()
    hash_key = sf.generate_js_hash(args["script"], key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    sf._component_func(
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
