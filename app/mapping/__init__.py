"""Folium maps of a park and of analysis results, drawn with no network at all.

Plain functions (no Streamlit) shared by the app pages, the ``parkrisk map`` command and the tests:

- :func:`park_map` draws every layer of a park with Chinese layer names, legends, tooltips and popups
  (:mod:`app.mapping.park`, one layer's symbols in :mod:`app.mapping.layers`).
- :func:`new_map` makes an empty map wired to the local Leaflet assets, for pages that draw their own results;
  :func:`fit_to`, :func:`add_layer_control` and :func:`finish_map` frame it and finish it (:mod:`app.mapping.base`).
- :func:`add_zones` (:mod:`app.mapping.zones`) and :func:`add_legend` / :func:`legend_html`
  (:mod:`app.mapping.legend`) are the building blocks other pages reuse (consequence zones, risk contours, domino
  arrows, rectification markers).
- :mod:`app.mapping.text` turns attribute values into Chinese text with units and is the one place where every
  string that came from the data is escaped for its context (:func:`html_text`, :func:`html_attr`,
  :func:`js_string`, :func:`css_color`); tooltips and popups are written as JavaScript strings
  (:class:`TextTooltip`, :class:`HtmlPopup`), and every map is :func:`seal`-ed when rendered, so no text reaches a
  template literal.
- :func:`standalone_html` / :func:`save_html` write a single HTML file with Leaflet inlined, which opens offline
  (:mod:`app.mapping.assets`).

Colours come from :mod:`app.present`; the colour tables are re-exported here under their old names.

Offline assets
--------------
folium pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default. The maps made here use only Leaflet
(vector layers, ``CircleMarker`` and ``DivIcon`` markers, no Bootstrap/awesome-marker icons), whose files are copied
from the ``xstatic-leaflet`` package (Leaflet 1.9.3, the version folium 0.20 pins) into ``app/static/vendor/leaflet``
by :func:`ensure_static_assets`; Streamlit serves that folder at ``/app/static/...`` (``server.enableStaticServing``).
Each map instance gets local ``default_js``/``default_css`` (folium's class attributes are left alone). Do not add
``folium.Icon`` markers or plugins to these maps: they would bring CDN links back (:func:`external_asset_urls` lists
any that slipped in).
"""

from __future__ import annotations

from app.mapping.assets import (
    LEAFLET_DIR,
    LOCAL_CSS,
    LOCAL_JS,
    STATIC_DIR,
    STATIC_URL,
    ensure_static_assets,
    external_asset_urls,
    save_html,
    standalone_html,
    use_local_assets,
)
from app.mapping.base import add_layer_control, finish_map, fit_to, new_map
from app.mapping.layers import add_layer
from app.mapping.legend import LegendItem, add_legend, legend_html
from app.mapping.park import park_legend_sections, park_map
from app.mapping.text import (
    FIVE_ROOMS,
    HtmlPopup,
    TextTooltip,
    css_color,
    format_distance,
    format_value,
    html_attr,
    html_text,
    js_string,
    overdue_mask,
    park_place_name,
    seal,
    short_name,
)
from app.mapping.zones import add_zones
from app.present import (
    BUILDING_COLOR,
    FIVE_ROOMS_COLOR,
    PHASE_COLORS,
    PIPELINE_COLORS,
    PROTECTION_COLORS,
    RISK_COLORS,
    ROAD_COLORS,
    STATUS_COLORS,
)

__all__ = [
    "STATIC_DIR",
    "LEAFLET_DIR",
    "STATIC_URL",
    "LOCAL_JS",
    "LOCAL_CSS",
    "RISK_COLORS",
    "PROTECTION_COLORS",
    "PHASE_COLORS",
    "STATUS_COLORS",
    "PIPELINE_COLORS",
    "ROAD_COLORS",
    "FIVE_ROOMS",
    "FIVE_ROOMS_COLOR",
    "BUILDING_COLOR",
    "LegendItem",
    "ensure_static_assets",
    "new_map",
    "use_local_assets",
    "park_map",
    "add_zones",
    "add_legend",
    "legend_html",
    "park_legend_sections",
    "add_layer",
    "fit_to",
    "add_layer_control",
    "finish_map",
    "external_asset_urls",
    "standalone_html",
    "save_html",
    "format_value",
    "format_distance",
    "html_text",
    "html_attr",
    "js_string",
    "css_color",
    "TextTooltip",
    "HtmlPopup",
    "seal",
    "short_name",
    "park_place_name",
    "overdue_mask",
]
