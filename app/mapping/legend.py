"""Map legends: rows of symbols and Chinese labels, on the map (a Leaflet control) or beside it (HTML)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import branca.element
import folium

from app.mapping.text import css_color, html_attr, html_text

__all__ = ["LegendItem", "LegendRows", "add_legend", "legend_html", "LEGEND_CSS"]


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a symbol of ``color`` and ``shape`` followed by ``label``.

    ``shape`` is one of ``square`` (filled area), ``circle`` (point), ``line``, ``dashed`` (dashed line),
    ``diamond`` (marker) or ``outline`` (unfilled area).
    """

    label: str
    color: str
    shape: str = "square"


_SHAPES = ("square", "circle", "line", "dashed", "diamond", "outline")


#: Rows of a legend: LegendItem, (label, colour) or (label, colour, shape).
LegendRows = Iterable[LegendItem | tuple[str, str] | tuple[str, str, str]]

#: Style of the legend box (on the map and beside it).
LEGEND_CSS = """
.pr-legend { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); line-height: 18px; font-size: 12px; color: #222; max-width: 480px; }
.pr-legend .pr-legend-title { font-weight: 600; margin-bottom: 3px; cursor: default; }
.pr-legend summary.pr-legend-title { cursor: pointer; }
.pr-legend .pr-legend-body { column-gap: 14px; }
.pr-legend .pr-legend-section { break-inside: avoid; margin-bottom: 4px; }
.pr-legend .pr-legend-subtitle { font-weight: 600; color: #444; }
.pr-legend .pr-sym { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: -1px; box-sizing: border-box; }
.pr-legend .pr-sym-square { opacity: 0.85; border: 1px solid rgba(0,0,0,0.45); }
.pr-legend .pr-sym-outline { background: transparent !important; border: 2px solid; }
.pr-legend .pr-sym-circle { width: 12px; border-radius: 50%; border: 1.5px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,0.5); }
.pr-legend .pr-sym-line { height: 0; border-top: 3px solid; vertical-align: 3px; }
.pr-legend .pr-sym-dashed { height: 0; border-top: 3px dashed; vertical-align: 3px; }
.pr-legend .pr-sym-diamond { width: 10px; height: 10px; transform: rotate(45deg); margin: 0 8px 0 2px;
  border: 1px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,0.6); }
"""


def _legend_rows(items: LegendRows) -> str:
    rows = []
    for item in items:
        it = item if isinstance(item, LegendItem) else LegendItem(*item)
        if it.shape not in _SHAPES:
            raise ValueError(f"图例符号 shape={it.shape!r} 无效；可选：{', '.join(_SHAPES)}")
        color = css_color(it.color)
        style = (
            f"border-color:{color}" if it.shape in ("line", "dashed", "outline") else f"background:{color}"
        )
        rows.append(
            f'<div><span class="pr-sym pr-sym-{it.shape}" style="{html_attr(style)}"></span>'
            f"{html_text(it.label)}</div>"
        )
    return "".join(rows)


def add_legend(
    m: folium.Map,
    title: str,
    items: LegendRows | Mapping[str, LegendRows],
    *,
    position: str = "bottomright",
    columns: int = 1,
    collapsible: bool = False,
    folded: bool = False,
) -> branca.element.MacroElement:
    """Add an HTML legend box (a Leaflet control) to the map.

    Parameters
    ----------
    m : folium.Map
    title : str
        Legend title (Chinese).
    items : iterable of LegendItem / (label, color) / (label, color, shape), or mapping section -> such rows
        Rows, top first; ``shape`` as in :class:`LegendItem`. A mapping draws one titled section per key.
    position : str
        ``topleft``, ``topright``, ``bottomleft`` or ``bottomright``.
    columns : int
        Number of columns the sections flow into.
    collapsible : bool
        Let the user fold the legend by clicking its title.
    folded : bool
        Start folded (implies ``collapsible``).

    Returns
    -------
    branca.element.MacroElement
        The legend element (already added to ``m``).
    """
    if position not in ("topleft", "topright", "bottomleft", "bottomright"):
        raise ValueError(f"position={position!r} 无效；可选 topleft/topright/bottomleft/bottomright")
    body = legend_html(title, items, columns=columns, collapsible=collapsible, folded=folded)
    legend = _Legend(body, position=position)
    legend.add_to(m)
    return legend


def legend_html(
    title: str,
    items: LegendRows | Mapping[str, LegendRows],
    *,
    columns: int = 1,
    collapsible: bool = False,
    standalone: bool = False,
    folded: bool = False,
) -> str:
    """HTML of a legend (the markup :func:`add_legend` puts on the map).

    With ``standalone=True`` the markup is wrapped in its box with its CSS, to show it outside a map
    (e.g. ``st.html`` beside the map in the app). ``folded=True`` starts a collapsible legend closed.
    """
    if isinstance(items, Mapping):
        inner = "".join(
            f'<div class="pr-legend-section"><div class="pr-legend-subtitle">{html_text(sec)}</div>'
            f"{_legend_rows(rows)}</div>"
            for sec, rows in items.items()
        )
    else:
        inner = _legend_rows(items)
    cols = f' style="column-count:{int(columns)}"' if columns > 1 else ""
    inner = f'<div class="pr-legend-body"{cols}>{inner}</div>'
    if collapsible or folded:
        state = "" if folded else " open"
        body = (
            f'<details{state}><summary class="pr-legend-title">{html_text(title)}</summary>{inner}</details>'
        )
    else:
        body = f'<div class="pr-legend-title">{html_text(title)}</div>{inner}'
    if standalone:
        return f'<style>{LEGEND_CSS}</style><div class="pr-legend" style="max-width:none;box-shadow:none">{body}</div>'
    return body


class _Legend(branca.element.MacroElement):
    """A Leaflet control holding an HTML legend (works in standalone HTML and inside streamlit-folium)."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', 'pr-legend leaflet-control');
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, *, position: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position
