"""A folium map drawn in Streamlit as one HTML page prepared once: :func:`component_args` renders the map (no
Streamlit; cacheable), :func:`draw` shows it in the page (``st.iframe``: an ``<iframe srcdoc>``).

The overview (园区一张图, the app's first page) draws its map this way rather than through streamlit-folium's
``st_folium``, which the other pages keep (the siting page reads the clicked point back from it):

- the map page goes to the browser as one UTF-8 string, where ``st_folium`` sends its script inside JSON arguments
  with every Chinese character written as a six-character ``\\u`` escape (5.5 MB instead of 2.7 MB for the synthetic large park);
- the browser draws the page in the iframe at once, where streamlit-folium's front end is first fetched and started
  and then sent the map by message;
- the server does not import streamlit-folium (0.2 s) before the first map.

The page gets nothing back from the map (the overview never reruns on a click). A page that can say when its map
is the same (same park view, same results, same options) keeps the page (:func:`app.one_map.overview_map`): the
browser then keeps the map it has across reruns, as the element is unchanged. Links from popups to other pages are
relative (the page's name, :func:`app.mapping.links.page_link_html`): an ``srcdoc`` document resolves them against the app page's
address.
"""

from __future__ import annotations

import sys
from typing import Any

import folium

__all__ = ["component_args", "draw", "register"]


def component_args(m: folium.Map) -> dict[str, Any]:
    """The map ``m`` as one HTML page (``{"html": ...}``), with the app's local Leaflet files
    (:func:`app.mapping.assets.use_local_assets`, done by :func:`app.mapping.new_map`). Draw it through
    :func:`draw`."""
    return {"html": m.get_root().render()}


def register() -> None:
    """Register streamlit-folium's front end with the running server when something imported the package outside
    a script run (call it in a script run).

    streamlit-folium registers its front end only when first imported during a script run; imported first by
    another thread (a warm-up), the browser would get 404 for every ``st_folium`` map. A page that imports it first
    during its run registers it itself, so nothing is imported here. Registering the same component again changes
    nothing.
    """
    sf = sys.modules.get("streamlit_folium")
    if sf is None:
        return
    from streamlit.runtime import Runtime

    if Runtime.exists():
        Runtime.instance().component_registry.register_component(sf._component_func)


def draw(args: dict[str, Any], *, key: str, height: int) -> None:
    """Show the map page of :func:`component_args` across the container's width, ``height`` [px] high. ``key``
    names the map for tests and callers; Streamlit keys this element by its place and content."""
    import streamlit as st

    del key  # st.iframe takes no key: the same page in the same place is the same element
    st.iframe(args["html"], width="stretch", height=height)
