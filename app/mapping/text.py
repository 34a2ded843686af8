"""What a map says in words, and the one place where text from the data is escaped before it reaches a map.

Attribute values with units, names for labels, the tooltip/popup tables — and the escaping of every string that
came from the data (a name, a title, an item id read from an enterprise's Excel list) for the context it goes into:

- :func:`html_text` — HTML text (Leaflet puts tooltips, popups, labels, legend rows and layer names into
  ``innerHTML``). Besides ``& < > " '`` it also encodes `````, ``$`` and ``\\`` as character references, so the
  escaped text stays inert even inside a JavaScript template literal; the browser shows each character as written
  (``A&B`` shows ``A&B``, never ``A&amp;B``). Escape once: callers pass plain text.
- :func:`html_attr` — the value of a quoted HTML attribute.
- :func:`js_string` — a JavaScript string literal inside a ``<script>`` (quotes included; ``</script>``, ``<!--``,
  quotes and line separators cannot end it).
- :func:`css_color` — a colour written into a ``style`` attribute (refused unless it is a plain colour).

No text is ever put into a JavaScript template literal. folium's :class:`folium.Tooltip` and :class:`folium.Popup`
do that (`` `<div>{{ text }}</div>` ``, where ``${…}`` runs on page load), so every map made by
:func:`app.mapping.new_map` passes through :func:`seal` when it is rendered: each folium ``Tooltip`` or ``Popup``
is swapped for a :class:`TextTooltip` or :class:`HtmlPopup`, whose content is written with :func:`js_string`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template

from analysis.regulation.rectification import overdue_mask as _overdue_mask
from analysis.regulation.siting_checks import FIVE_ROOM_USES
from app.present.numbers import is_null as _is_null
from geodata import schema

__all__ = [
    "FIVE_ROOMS",
    "html_text",
    "html_attr",
    "js_string",
    "css_color",
    "TextTooltip",
    "HtmlPopup",
    "seal",
    "format_value",
    "format_distance",
    "short_name",
    "park_place_name",
    "overdue_mask",
]

#: Building uses that are "五室" (control, cabinet, lab, office, shift/rest rooms).
FIVE_ROOMS: tuple[str, ...] = FIVE_ROOM_USES

#: Column labels of the extra display fields.
_OVERDUE_ZH = "是否逾期"
_FIVE_ROOMS_ZH = "五室"

# Fields shown in the hover tooltip, per layer (the popup shows every column).
_TOOLTIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "parks": ("name", "level", "risk_grade"),
    "enterprises": ("name", "industry", "risk_color", "major_hazard_grade"),
    "installations": ("name", "enterprise_id", "kind", "substance", "inventory_kg", "hazardous_process"),
    "pipelines": ("name", "substance", "diameter_m", "pressure_pa"),
    "sensitive_targets": ("name", "category", "protection_class", "population_day", "population_night"),
    "buildings": ("name", "enterprise_id", "use", "occupants", "blast_resistant"),
    "rectifications": ("title", "enterprise_id", "hazard_level", "status", "deadline"),
    "roads": ("name", "kind"),
    "assembly_points": ("name", "capacity"),
}


# Characters that end HTML text or a quoted attribute, plus those a JavaScript template literal would act on.
_HTML_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
    }
)
# In a <script>: what could end the script element or the string literal, or start an HTML comment.
_JS_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_CSS_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]{1,60}\))$")


def html_text(value: Any) -> str:
    """``value`` as HTML text (for Leaflet's ``innerHTML``): ``& < > " '`` escaped, and `````, ``$``, ``\\`` as
    character references, so the text shows as written and is never markup — not even inside a JavaScript
    template literal. Pass plain text, once: ``html_text("A&B")`` shows ``A&B``."""
    return str(value).translate(_HTML_ESCAPES)


def html_attr(value: Any) -> str:
    """``value`` for a quoted HTML attribute (``title="…"``, ``class='…'``): no quote, ``&`` or ``<`` can end it
    (the same escapes as :func:`html_text`; always quote the attribute)."""
    return html_text(value)


def js_string(value: Any) -> str:
    """``value`` as a JavaScript string literal, quotes included, safe inside an inline ``<script>``: ``<``, ``>``,
    ``&``, ``'`` and the line separators U+2028/U+2029 are written as ``\\uXXXX``, so nothing can end the
    string, the script element or start an HTML comment. The string's value is ``str(value)`` unchanged."""
    return json.dumps(str(value), ensure_ascii=False).translate(_JS_ESCAPES)


def css_color(value: Any) -> str:
    """``value`` if it is a plain CSS colour (``#rgb``/``#rrggbb[aa]``, a colour name, ``rgb()/rgba()/hsl()``);
    raises ``ValueError`` otherwise, so a colour never carries more CSS or markup into a ``style`` attribute."""
    text = str(value).strip()
    if not _CSS_COLOR.match(text):
        raise ValueError(
            f"颜色 {text!r} 无效：应为 #RRGGBB、颜色名或 rgb()/rgba()/hsl() (not a plain CSS colour)"
        )
    return text


class TextTooltip(folium.Tooltip):
    """A tooltip whose HTML is written as a JavaScript string (:func:`js_string`), not into folium's template
    literal, where ``${…}`` in the data would run. ``html`` is markup whose text was escaped with
    :func:`html_text`; :meth:`from_text` takes plain text."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.content_js }}, {{ this.options|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, style: str | None = None, sticky: bool = True, **kwargs: Any) -> None:
        super().__init__(str(html), style=style, sticky=sticky, **kwargs)
        attr = f' style="{html_attr(style)}"' if style else ""
        self.content_js = js_string(f"<div{attr}>{self.text}</div>")

    @classmethod
    def from_text(cls, text: Any, **kwargs: Any) -> TextTooltip:
        """A tooltip showing plain ``text`` as written."""
        return cls(html_text(text), **kwargs)


class HtmlPopup(folium.Popup):
    """A popup whose content, an HTML string (data in it escaped with :func:`html_text`), is set with
    ``setContent`` from a JavaScript string (:func:`js_string`) — no template literal, and no jQuery (folium's own
    Popup wraps the content in ``$(`…`)``, which would need jQuery from a CDN and breaks the offline map)."""

    # folium.Popup.render renders this template as a whole (not a "script" macro).
    _template = Template(
        """
        var {{ this.get_name() }} = L.popup({{ this.options|tojavascript }});
        {{ this.get_name() }}.setContent({{ this.content_js }});
        {{ this._parent.get_name() }}.bindPopup({{ this.get_name() }});
        """
    )

    def __init__(self, html_text: str, *, max_width: int | str = 400, **kwargs: Any) -> None:
        super().__init__(max_width=max_width, **kwargs)
        self.html_text = str(html_text)
        self.content_js = js_string(self.html_text)


def _safe_replacement(element: Any) -> Any | None:
    """The :class:`TextTooltip`/:class:`HtmlPopup` that replaces a folium ``Tooltip``/``Popup``, else ``None``."""
    if type(element) is folium.Tooltip:
        return TextTooltip(element.text, style=getattr(element, "style", None), **element.options)
    if type(element) is folium.Popup:
        # folium put a backslash before each backtick of the content for its template literal: take it out again
        content = "".join(re.sub(r"\\`", "`", child.render()) for child in element.html._children.values())
        return HtmlPopup(content, **element.options)
    return None


def _elements(element: Any) -> Iterable[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _elements(child)


def seal(m: folium.Map) -> folium.Map:
    """Swap every folium ``Tooltip``/``Popup`` of ``m`` (e.g. made by folium from ``tooltip="…"``) for a
    :class:`TextTooltip`/:class:`HtmlPopup` with the same HTML and options, so no text reaches a JavaScript
    template literal. The HTML is kept as it is (folium's contract: tooltip text is HTML), nothing is escaped
    again. Idempotent; :func:`app.mapping.new_map` maps do it when they are rendered."""
    for parent in list(_elements(m)):
        children = getattr(parent, "_children", None)
        if not children:
            continue
        swaps = {key: new for key, child in children.items() if (new := _safe_replacement(child)) is not None}
        for key, new in swaps.items():
            new._parent = parent
            children[key] = new  # same key, same place: the drawing order is kept
    return m


def _num(value: float, digits: int = 3) -> str:
    """A readable number: thousands separators for large values, ``digits`` significant figures otherwise."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def format_distance(metres: float) -> str:
    """A distance for people: ``850 m`` below 1 km, ``1.49 km`` / ``10.6 km`` / ``52 km`` above (3 significant
    figures at most); ``—`` for NaN. [m] in."""
    if _is_null(metres):
        return "—"
    v = float(metres)
    if abs(v) < 1000:
        return f"{v:,.0f} m"
    km = v / 1000.0  # 1 km = 1000 m
    return f"{km:.3g} km" if abs(km) < 100 else f"{km:,.0f} km"


def format_value(column: schema.Column, value: Any) -> str:
    """Chinese display text of one attribute value, with its unit.

    Enumerations show their Chinese label, booleans 是/否, dates ``YYYY-MM-DD``, numbers their unit (pressures also
    in MPa, temperatures also in ℃, inventories also in t). Null is shown as ``—``.
    """
    if _is_null(value):
        return "—"
    if column.enum:
        return schema.label_zh(column.enum, value)
    if column.dtype == "bool":
        return "是" if bool(value) else "否"
    if column.dtype == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if column.dtype in ("int", "float"):
        v = float(value)
        name = column.name
        if name == "major_hazard_grade":
            return f"{int(v)} 级"
        if name.endswith("pressure_pa"):
            return f"{_num(v)} Pa（{v / 1e6:.3g} MPa）"  # 1 MPa = 1e6 Pa
        if name.endswith("temperature_k"):
            return f"{v:.1f} K（{v - 273.15:.1f} ℃）"  # ℃ = K - 273.15
        if name == "inventory_kg":
            return f"{_num(v)} kg（{_num(v / 1000)} t）" if v >= 1000 else f"{_num(v)} kg"  # 1 t = 1000 kg
        if column.dtype == "int" or (column.unit == "人"):
            return f"{int(round(v)):,d} {column.unit}" if column.unit else f"{int(round(v)):,d}"
        return f"{_num(v)} {column.unit}" if column.unit else _num(v)
    return str(value)


def _names_by_id(layers: Mapping[str, gpd.GeoDataFrame], layer: str) -> dict[str, str]:
    gdf = layers.get(layer)
    if gdf is None or gdf.empty:
        return {}
    spec = schema.LAYERS[layer]
    if spec.id_column not in gdf or "name" not in gdf:
        return {}
    return {str(k): str(v) for k, v in zip(gdf[spec.id_column], gdf["name"], strict=False)}


def overdue_mask(gdf: gpd.GeoDataFrame, today: date) -> np.ndarray:
    """Boolean mask of rectification items past their deadline on ``today`` and not closed (销号), by the rule of
    :func:`analysis.regulation.rectification.overdue_mask`; all False for a layer without deadline or status."""
    if "deadline" not in gdf or "status" not in gdf:
        return np.zeros(len(gdf), dtype=bool)
    return _overdue_mask(gdf, today=today)


def _display_frame(
    layer: str, gdf: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame], *, today: date
) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Geometry plus Chinese-labelled text columns; returns (frame, tooltip fields, popup fields)."""
    spec = schema.LAYERS[layer]
    refs = {
        "enterprise_id": _names_by_id(layers, "enterprises"),
        "park_id": _names_by_id(layers, "parks"),
    }
    out: dict[str, Any] = {}
    popup: list[str] = []
    for col in spec.columns:
        if col.name not in gdf:
            continue
        values = gdf[col.name].tolist()
        if col.name in refs and col.name != spec.id_column:  # a reference: show the name it points to
            names = refs[col.name]
            text = [
                "—" if _is_null(v) else (f"{names[str(v)]}（{v}）" if str(v) in names else str(v))
                for v in values
            ]
        else:
            text = [format_value(col, v) for v in values]
        out[col.label_zh] = [html_text(t) for t in text]
        popup.append(col.label_zh)
    tooltip = [schema.LAYERS[layer].column(c).label_zh for c in _TOOLTIP_COLUMNS.get(layer, ()) if c in gdf]
    if layer == "rectifications":
        overdue = overdue_mask(gdf, today)
        out[_OVERDUE_ZH] = np.where(overdue, f"是（截至 {today:%Y-%m-%d}）", "否").tolist()
        popup.append(_OVERDUE_ZH)
        tooltip.append(_OVERDUE_ZH)
    if layer == "buildings" and "use" in gdf:
        five = gdf["use"].isin(FIVE_ROOMS).to_numpy()
        out[_FIVE_ROOMS_ZH] = np.where(five, "是（控制室/机柜间/化验室/办公室/交接班室）", "否").tolist()
        popup.append(_FIVE_ROOMS_ZH)
        tooltip.append(_FIVE_ROOMS_ZH)
    frame = gpd.GeoDataFrame(out, geometry=gdf.geometry.to_crs(4326).to_numpy(), crs=4326)
    return frame, tooltip, popup


# folium's GeoJsonTooltip/GeoJsonPopup put the aliases and the property values into innerHTML: the values are
# escaped with html_text when the display frame is built (_display_frame, add_zones), the aliases here.
def _tooltip(fields: Sequence[str], names: Sequence[str] | None = None) -> folium.GeoJsonTooltip:
    """The tooltip of the properties ``fields``, each labelled by its name in ``names`` (default: the field)."""
    return folium.GeoJsonTooltip(
        fields=list(fields), aliases=[html_text(f"{f}：") for f in (names or fields)], sticky=True
    )


def _popup(fields: Sequence[str], names: Sequence[str] | None = None) -> folium.GeoJsonPopup:
    """The popup of the properties ``fields``, each labelled by its name in ``names`` (default: the field)."""
    return folium.GeoJsonPopup(
        fields=list(fields),
        aliases=[html_text(f"{f}：") for f in (names or fields)],
        class_name="pr-popup",
        max_width=420,
    )


#: Legal-form suffixes left out of the names written on the map (the popup shows the full name).
_NAME_SUFFIXES: tuple[str, ...] = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司")


_PARK_KINDS = re.compile(
    r"^(.{2,}?)(?:化学工业园区|化工园区|化工集中区|工业园区|经济技术开发区|经济开发区|高新区|开发区|园区)"
)


def park_place_name(park_layers: Mapping[str, gpd.GeoDataFrame]) -> str:
    """The place name leading the park's name (``江滨化工园区`` -> ``江滨``), or ``""`` when there is none."""
    parks = park_layers.get("parks")
    if parks is None or parks.empty or "name" not in parks:
        return ""
    match = _PARK_KINDS.match(str(parks["name"].iloc[0]).strip())
    return match.group(1) if match else ""


def short_name(name: str, *, place: str = "") -> str:
    """An enterprise name for a map label: without its legal form and without the park's place name, which most
    enterprises of a park repeat (``江滨氯碱化工有限公司`` with ``place="江滨"`` -> ``氯碱化工``)."""
    text = str(name).strip()
    for suffix in _NAME_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    if place and text.startswith(place) and len(text) >= len(place) + 2:
        text = text[len(place) :]
    return text
