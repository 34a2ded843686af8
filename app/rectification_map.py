"""The 一园一策 map overlay (folium, offline): items as markers coloured by status with overdue ringed, popups with
the history, and enterprises shaded by their closure rate. Plain functions (no Streamlit) so tests can call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.regulation.rectification import closure_stats, days_overdue, overdue_mask
from app.mapping import add_layer_control, add_legend, add_zones, fit_to, html_text, new_map
from app.mapping.text import HtmlPopup, TextTooltip
from app.present import (
    OVERDUE_COLOR,
    PARK_BOUNDARY_COLOR,
    RATE_CLASSES,
    STATUS_COLORS,
    UNKNOWN_COLOR,
    rate_class,
)
from geodata import schema
from geodata.store.lifecycle import ACTION_LABELS_ZH

# HtmlPopup lives in app.mapping.text (the one escaping module) and is re-exported here for older callers.
__all__ = ["RATE_CLASSES", "rate_class", "rectification_map", "filter_items", "ItemFilter", "HtmlPopup"]


@dataclass(frozen=True)
class ItemFilter:
    """Filters of the map and tables; empty tuples mean "all"."""

    enterprise_ids: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    hazard_levels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    deadline_from: dt.date | None = None
    deadline_to: dt.date | None = None
    overdue_only: bool = False


def filter_items(items: gpd.GeoDataFrame, flt: ItemFilter, *, today: dt.date) -> gpd.GeoDataFrame:
    """The items passing ``flt`` (on ``today`` for the overdue filter)."""
    keep = np.ones(len(items), dtype=bool)
    if flt.enterprise_ids:
        keep &= items["enterprise_id"].isin(flt.enterprise_ids).to_numpy()
    if flt.categories:
        keep &= items["category"].isin(flt.categories).to_numpy()
    if flt.hazard_levels:
        keep &= items["hazard_level"].isin(flt.hazard_levels).to_numpy()
    if flt.statuses:
        keep &= items["status"].isin(flt.statuses).to_numpy()
    deadline = pd.to_datetime(items["deadline"])
    if flt.deadline_from is not None:
        keep &= (deadline >= pd.Timestamp(flt.deadline_from)).to_numpy()
    if flt.deadline_to is not None:
        keep &= (deadline <= pd.Timestamp(flt.deadline_to)).to_numpy()
    if flt.overdue_only:
        keep &= overdue_mask(items, today=today)
    return items[keep]


def _popup_html(
    row: pd.Series, history: pd.DataFrame | None, names: Mapping[str, str], overdue_days: int
) -> str:
    """The popup of one item: every text from the store (id, title, names, comments) escaped with html_text."""
    e = html_text
    ent = row["enterprise_id"]
    ent_txt = names.get(str(ent), str(ent)) if isinstance(ent, str) else "（园区级事项）"
    lines = [
        f"<b>{e(str(row['item_id']))}</b> {e(schema.label_zh('hazard_level', row['hazard_level']))}<br>",
        f"{e(str(row['title']))}<br>",
        f"责任企业：{e(ent_txt)}<br>",
        f"类别：{e(schema.label_zh('rectification_category', row['category']))}<br>",
        f"状态：<b>{e(schema.label_zh('rectification_status', row['status']))}</b><br>",
        f"整改期限：{pd.Timestamp(row['deadline']):%Y-%m-%d}"
        + (f" <span style='color:#c00'>（逾期 {overdue_days} 天）</span>" if overdue_days > 0 else "")
        + "<br>",
        f"责任人：{e(str(row['responsible']))}<br>",
    ]
    if history is not None and len(history):
        rows = "".join(
            f"<tr><td>{e(str(h['at'])[:10])}</td><td>{e(str(h['username']))}</td>"
            f"<td>{e(ACTION_LABELS_ZH.get(h['action'], h['action']))}</td>"
            f"<td>{e(str(h['comment'] or '')[:60])}"
            + (
                f"（期限 {e(str(h['old_deadline']))}→{e(str(h['new_deadline']))}）"
                if h["action"] == "extend"
                else ""
            )
            + "</td></tr>"
            for _, h in history.iterrows()
        )
        lines.append(
            "<details open><summary>处理记录</summary><table style='font-size:11px'>"
            "<tr><th>日期</th><th>人员</th><th>操作</th><th>说明</th></tr>" + rows + "</table></details>"
        )
    return "<div style='min-width:260px;max-width:380px'>" + "".join(lines) + "</div>"


def rectification_map(
    items: gpd.GeoDataFrame,
    *,
    enterprises: gpd.GeoDataFrame | None = None,
    parks: gpd.GeoDataFrame | None = None,
    history: pd.DataFrame | None = None,
    enterprise_names: Mapping[str, str] | None = None,
    today: dt.date,
    basemap=None,
    rate_items: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The overlay map.

    Parameters
    ----------
    items : GeoDataFrame
        Items to draw (already filtered and limited to what the user may see), EPSG:4326.
    enterprises : GeoDataFrame, optional
        Enterprise polygons, shaded by closure rate (of ``rate_items``, default ``items``). Pass only the
        enterprises the user may see.
    history : DataFrame, optional
        Store history (all items); each popup lists its item's records.
    today : date
        Date of the overdue test.
    """
    names = dict(enterprise_names or {})
    frames = [g for g in (parks, enterprises, items) if g is not None and len(g)]
    if frames:
        b = np.vstack([g.to_crs(4326).total_bounds for g in frames])
        center = ((b[:, 1].min() + b[:, 3].max()) / 2, (b[:, 0].min() + b[:, 2].max()) / 2)
    else:
        center = (30.0, 114.0)
    m = new_map(location=center, zoom_start=14, basemap=basemap)
    if parks is not None and len(parks):
        folium.GeoJson(
            parks[[parks.geometry.name]].to_crs(4326).__geo_interface__,
            name="园区边界",
            style_function=lambda _f: {
                "color": PARK_BOUNDARY_COLOR,
                "weight": 2,
                "dashArray": "6 4",
                "fillOpacity": 0,
            },
        ).add_to(m)
    if enterprises is not None and len(enterprises):
        stats = closure_stats(
            rate_items if rate_items is not None else items, by="enterprise_id", today=today
        )
        rate = stats.set_index("group")["closure_rate"]
        total = stats.set_index("group")["total"]
        ent = enterprises.copy()
        ent["rate_class"] = [rate_class(float(rate.get(e, np.nan))) for e in ent["enterprise_id"]]
        ent["rate_text"] = [
            f"{100 * rate[e]:.0f}%（{int(total[e])} 项）"
            if e in rate.index and rate[e] == rate[e]
            else "无事项"
            for e in ent["enterprise_id"]
        ]
        ent["label"] = [names.get(e, e) for e in ent["enterprise_id"]]
        add_zones(
            m,
            ent[["label", "rate_text", "rate_class", ent.geometry.name]],
            level_column="rate_class",
            name="企业整改率",
            colors={k: c.color for k, c in RATE_CLASSES.items()},
            labels={k: c.label for k, c in RATE_CLASSES.items()},
            legend_title="企业整改率",
            tooltip_columns={"label": "企业", "rate_text": "整改率"},
            fill_opacity=0.3,
            legend_position="bottomleft",
        )
    fg = folium.FeatureGroup(name=f"整改事项（{len(items)}）")
    od = overdue_mask(items, today=today)
    odd = days_overdue(items, today=today)
    hist_by_item = (
        {k: g for k, g in history.groupby("item_id")} if history is not None and len(history) else {}
    )
    pts = items.to_crs(4326)
    for (_, row), is_od, days in zip(pts.iterrows(), od, odd, strict=True):
        p = row.geometry.representative_point() if row.geometry.geom_type != "Point" else row.geometry
        folium.CircleMarker(
            location=(p.y, p.x),
            radius=9 if row["hazard_level"] == "major" else 6,
            color=OVERDUE_COLOR if is_od else "#ffffff",
            weight=3 if is_od else 1,
            fill=True,
            fill_color=STATUS_COLORS.get(row["status"], UNKNOWN_COLOR),
            fill_opacity=0.95,
            tooltip=TextTooltip.from_text(
                f"{row['item_id']} {schema.label_zh('rectification_status', row['status'])}"
                + ("（逾期）" if is_od else "")
            ),
            popup=HtmlPopup(_popup_html(row, hist_by_item.get(row["item_id"]), names, int(days))),
        ).add_to(fg)
    fg.add_to(m)
    add_legend(
        m,
        "整改事项",
        [(schema.label_zh("rectification_status", s), c, "circle") for s, c in STATUS_COLORS.items()]
        + [("逾期未销号（黑圈）", OVERDUE_COLOR, "outline"), ("重大隐患（大圆点）", "#777777", "circle")],
        position="bottomright",
    )
    if frames:
        geoms = pd.concat([g.to_crs(4326).geometry.reset_index(drop=True) for g in frames], ignore_index=True)
        fit_to(m, gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, crs=4326)))
    add_layer_control(m, collapsed=True)  # last, after every layer (see app.mapping.add_layer_control)
    return m
