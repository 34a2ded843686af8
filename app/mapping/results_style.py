"""What each stored result kind draws: its features with Chinese popup text, their symbols and its legend rows.

Used by :mod:`app.mapping.results`; colours come from :mod:`app.present`. Every text from the data is escaped here
with :func:`~app.mapping.text.html_text` (the popup writes the values into ``innerHTML``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from app.mapping.legend import LegendItem
from app.mapping.text import _is_null, _num, format_distance, html_text
from app.present import (
    CONTOUR_COLORS,
    CROSSING_COLOR,
    EMERGENCY_COLORS,
    HCA_COLORS,
    HCA_LEGEND_ZH,
    MAJOR_HAZARD_GRADE_COLORS,
    PROBABILITY_CLASSES,
    THREAT_ZONE_COLORS,
    UNKNOWN_COLOR,
)
from app.results_convert import level_label_zh

__all__ = [
    "Part",
    "KindStyle",
    "RESULT_STYLES",
    "result_legend",
    "FIVE_ROOMS_VERDICT_COLORS",
    "probability_color",
]

#: 五室 verdicts: colour and legend text (the stored ``verdict``: ok/warn/fail, or the check's own
#: ok/blast_proof/relocate), worst last in the legend order below.
FIVE_ROOMS_VERDICT_COLORS: dict[str, tuple[str, str]] = {
    "fail": ("#d7191c", "需搬迁"),
    "relocate": ("#d7191c", "需搬迁"),
    "warn": ("#fdae61", "需抗爆改造"),
    "blast_proof": ("#fdae61", "需抗爆改造"),
    "ok": ("#1a9641", "满足"),
}
_HUB_COLOR = "#4a1486"
#: Escalation hubs drawn by default (highest score first); all with all edges.
TOP_HUBS = 10


@dataclass
class Part:
    """Features of one geometry kind of a result group: Chinese text columns (escaped) and the geometry (any
    CRS), one style per row; ``points`` draws circle markers, ``arrows`` adds an arrow head to each line."""

    frame: gpd.GeoDataFrame
    styles: list[dict[str, Any]]
    points: bool = False
    arrows: bool = False
    simplify_m: float = 1.0  # [m] wide areas (contours, zones) drawn from a 10-50 m grid or model: 5 m
    label_column: str | None = None  # a text column also written on the map, at the top of each feature

    @property
    def count(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class KindStyle:
    """How one result kind is drawn: ``parts(layers, summary, sensitive=, all_edges=, top=)`` and a ``note``."""

    parts: Callable[..., list[Part]]
    note: Callable[..., str] = field(default=lambda layers, **_: "")


def _text(values: Sequence[Any], fmt: Callable[[Any], str] = str) -> list[str]:
    return [html_text("—" if _is_null(v) else fmt(v)) for v in values]


def _col(gdf: pd.DataFrame, name: str) -> list[Any]:
    return gdf[name].tolist() if name in gdf else [None] * len(gdf)


def _zh_or(gdf: pd.DataFrame, zh: str, raw: str) -> list[Any]:
    """The Chinese twin column ``zh`` where it has a value, else ``raw`` (the identifier)."""
    return [z if not _is_null(z) else r for z, r in zip(_col(gdf, zh), _col(gdf, raw), strict=True)]


def _frame(gdf: gpd.GeoDataFrame, columns: Mapping[str, list[str]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {k: v for k, v in columns.items()}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs
    ).reset_index(drop=True)


def per_year_zh(value: Any) -> str:
    """A frequency or individual risk [1/a] for people: ``1×10⁻⁵/年`` (:func:`app.results_convert.sci_zh`)."""
    if _is_null(value):
        return "—"
    return level_label_zh(float(value))


def probability_color(p: float) -> str:
    """Colour of an escalation probability [-] (:data:`app.present.PROBABILITY_CLASSES`)."""
    for low, color, _ in PROBABILITY_CLASSES:
        if float(p) >= low:
            return color
    return PROBABILITY_CLASSES[-1][1]


def load_text(load: Any, unit: Any) -> str:
    """A domino or 五室 load with its unit for people: Pa as kPa, W/m² as kW/m² (SI kept in the data)."""
    if _is_null(load):
        return "—"
    u = str(unit or "").strip()
    v = float(load)
    if u == "Pa":
        return f"{_num(v / 1e3)} kPa"  # 1 kPa = 1e3 Pa
    if u in ("W/m²", "W/m2", "W m-2"):
        return f"{_num(v / 1e3)} kW/m²"  # 1 kW/m² = 1e3 W/m²
    return f"{_num(v)} {u}".strip()


# --------------------------------------------------------------------------------------------------------------
# risk
# --------------------------------------------------------------------------------------------------------------
def _levels(contours: pd.DataFrame) -> list[float]:
    have = {float(v) for v in contours["level"].dropna()} if "level" in contours else set()
    return [lv for lv in CONTOUR_COLORS if any(np.isclose(lv, h, rtol=1e-6) for h in have)]


def _contour_color(level: Any) -> str:
    for lv, color in CONTOUR_COLORS.items():
        if not _is_null(level) and np.isclose(float(level), lv, rtol=1e-6):
            return color
    return UNKNOWN_COLOR


def _risk_parts(layers, summary, **_) -> list[Part]:
    c = layers.get("contours")
    if c is None:
        return []
    c = c[~(c.geometry.isna() | c.geometry.is_empty)]
    if "level" in c:  # widest (lowest level) first, so the higher levels lie on top
        c = c.sort_values("level")
    labels = c["label_zh"].tolist() if "label_zh" in c else [per_year_zh(v) for v in _col(c, "level")]
    cols = {
        "个人风险等值线": _text(labels),
        "最大个人风险": _text([summary.get("max_ir")] * len(c), per_year_zh),
    }
    if "max_ir_outside" in summary:
        cols["园区外最大个人风险"] = _text([summary.get("max_ir_outside")] * len(c), per_year_zh)
    if "contour_closed" in summary:
        closed = summary.get("contour_closed")
        cols["最低等值线闭合"] = _text([closed] * len(c), lambda v: "是" if v else "否（计算范围截断）")
    styles = [
        {"color": (col := _contour_color(lv)), "weight": 1.5, "fillColor": col, "fillOpacity": 0.18}
        for lv in _col(c, "level")
    ]
    return [Part(_frame(c, cols), styles, simplify_m=5.0, label_column="个人风险等值线")]


# --------------------------------------------------------------------------------------------------------------
# domino
# --------------------------------------------------------------------------------------------------------------
def _top_edges(edges: pd.DataFrame, *, all_edges: bool, top: int) -> pd.DataFrame:
    order = (
        edges.sort_values("rank") if "rank" in edges else edges.sort_values("probability", ascending=False)
    )
    return order if all_edges else order.head(max(int(top), 0))


def _domino_parts(layers, summary, *, all_edges=False, top=20, **_) -> list[Part]:
    parts: list[Part] = []
    e = layers.get("edges")
    if e is not None:
        shown = _top_edges(e, all_edges=all_edges, top=top)
        shown = shown.iloc[::-1]  # the most probable drawn last, on top
        across = [bool(v) if not _is_null(v) else False for v in _col(shown, "across_fence")]
        cols = {
            "升级边": _text(
                [
                    f"{s} → {t}"
                    for s, t in zip(_col(shown, "source_id"), _col(shown, "target_id"), strict=True)
                ]
            ),
            "升级概率": _text(_col(shown, "probability"), lambda v: f"{float(v):.3f}"),
            "升级矢量": _text(_col(shown, "vector_zh")),
            "荷载": _text(
                [load_text(v, u) for v, u in zip(_col(shown, "load"), _col(shown, "load_unit"), strict=True)]
            ),
            "跨企业（越过厂界）": _text(["是" if a else "否" for a in across]),
            "概率排名": _text(_col(shown, "rank"), lambda v: f"第 {int(v)} 位"),
            "初始事故": _text(_col(shown, "scenario_zh")),
            "间距": _text(_col(shown, "distance_m"), format_distance),
            "消除措施": _text(_col(shown, "measure_zh")),
        }
        styles = [
            {
                "color": probability_color(p if not _is_null(p) else 0.0),
                "weight": 3.5,
                "opacity": 0.95,
                "dashArray": "7 4" if a else None,
            }
            for p, a in zip(_col(shown, "probability"), across, strict=True)
        ]
        parts.append(Part(_frame(shown, cols), styles, arrows=True))
    h = layers.get("hubs")
    if h is not None:  # the strongest hubs only, as the edges
        h = h.nlargest(TOP_HUBS, "score") if "score" in h and not all_edges else h
        names = [
            n if not _is_null(n) else u for n, u in zip(_col(h, "name_zh"), _col(h, "unit_id"), strict=True)
        ]
        cols = {
            "升级枢纽设施": _text(names),
            "扩散得分": _text(_col(h, "score"), lambda v: _num(float(v))),
            "设施编号": _text(_col(h, "unit_id")),
        }
        styles = [
            {"radius": 7, "color": "#ffffff", "weight": 2, "fillColor": _HUB_COLOR, "fillOpacity": 0.95}
        ] * len(h)
        parts.append(Part(_frame(h, cols), styles, points=True))
    return parts


def _domino_note(layers, *, all_edges=False, top=20, **_) -> str:
    e = layers.get("edges")
    n = 0 if e is None else len(e)
    h = layers.get("hubs")
    hubs = (
        ""
        if h is None or all_edges or len(h) <= TOP_HUBS
        else f"；扩散得分最高的 {TOP_HUBS} 个枢纽（共 {len(h)} 个）"
    )
    if all_edges or n <= top:
        return f"显示全部 {n} 条升级边" + hubs
    return f"显示升级概率最高的 {int(top)} 条（共 {n} 条）" + hubs


# --------------------------------------------------------------------------------------------------------------
# 五室, major hazards, HCA, emergency
# --------------------------------------------------------------------------------------------------------------
def _five_rooms_parts(layers, summary, **_) -> list[Part]:
    b = layers.get("buildings")
    if b is None:
        return []
    verdict = [str(v) for v in _col(b, "verdict")]
    zh = [
        v_zh if not _is_null(v_zh) else FIVE_ROOMS_VERDICT_COLORS.get(v, (UNKNOWN_COLOR, "—"))[1]
        for v, v_zh in zip(verdict, _col(b, "verdict_zh"), strict=True)
    ]
    cols = {
        "建筑": _text(_col(b, "name")),
        "结论": _text(zh),
        "荷载": _text([load_text(v, u) for v, u in zip(_col(b, "load"), _col(b, "load_unit"), strict=True)]),
        "依据": _text(_col(b, "reason_zh")),
        "建筑编号": _text(_col(b, "building_id")),
    }
    styles = [
        {
            "color": (c := FIVE_ROOMS_VERDICT_COLORS.get(v, (UNKNOWN_COLOR, ""))[0]),
            "weight": 2.5,
            "fillColor": c,
            "fillOpacity": 0.7,
        }
        for v in verdict
    ]
    pts = b.geom_type.eq("Point").to_numpy()
    return [
        Part(_frame(b[~pts], _sub(cols, ~pts)), _pick(styles, ~pts)),
        Part(_frame(b[pts], _sub(cols, pts)), _pick(styles, pts), points=True),
    ]


def _sub(cols: Mapping[str, list[str]], mask: np.ndarray) -> dict[str, list[str]]:
    return {k: [v for v, keep in zip(vals, mask, strict=True) if keep] for k, vals in cols.items()}


def _pick(styles: list[dict[str, Any]], mask: np.ndarray) -> list[dict[str, Any]]:
    return [s for s, keep in zip(styles, mask, strict=True) if keep]


def _major_hazard_parts(layers, summary, *, sensitive=False, **_) -> list[Part]:
    u = layers.get("units")
    if u is None:
        return []
    grade = [str(g) if not _is_null(g) else "—" for g in _col(u, "grade")]
    cols = {
        "重大危险源": _text(_zh_or(u, "unit_zh", "unit_id")),
        "级别": _text(grade),
        "所属企业": _text(_zh_or(u, "enterprise_zh", "enterprise_id")),
    }
    if sensitive and "r_value" in u:  # GB 18218 R gives the inventory back: only for read_sensitive
        cols["R 值（-）"] = _text(_col(u, "r_value"), lambda v: _num(float(v)))
    styles = [
        {
            "color": (c := MAJOR_HAZARD_GRADE_COLORS.get(g, UNKNOWN_COLOR)),
            "weight": 3,
            "fillColor": c,
            "fillOpacity": 0.35,
            "radius": 8,
        }
        for g in grade
    ]
    pts = u.geom_type.eq("Point").to_numpy()
    return [
        Part(_frame(u[~pts], _sub(cols, ~pts)), _pick(styles, ~pts)),
        Part(_frame(u[pts], _sub(cols, pts)), _pick(styles, pts), points=True),
    ]


def _hca_color(class_zh: Any, grade: Any = None) -> str:
    """Colour of a high-consequence area: by its GB 32167 grade (1-3) when stored, else by its Chinese class
    (``Ⅲ级高后果区`` or ``Ⅲ级``)."""
    if not _is_null(grade) and int(grade) in HCA_COLORS:
        return HCA_COLORS[int(grade)]
    text = "" if _is_null(class_zh) else str(class_zh).strip()
    for g, label in HCA_LEGEND_ZH.items():
        if text and (text == label or label.startswith(text)):
            return HCA_COLORS[g]
    return UNKNOWN_COLOR


def _hca_parts(layers, summary, **_) -> list[Part]:
    a = layers.get("areas")
    if a is None:
        return []
    cols = {
        "高后果区": _text(_col(a, "class_zh")),
        "名称": _text(_col(a, "name")),
        "长度": _text(_col(a, "length_m"), format_distance),
        "管道": _text(_col(a, "pipeline_id")),
        "管段": _text(_col(a, "segment_id")),
    }
    styles = [
        {"color": (c := _hca_color(k, g)), "weight": 1.5, "fillColor": c, "fillOpacity": 0.3}
        for k, g in zip(_col(a, "class_zh"), _col(a, "grade"), strict=True)
    ]
    return [Part(_frame(a, cols), styles, simplify_m=5.0)]


def _zone_colors(zones: pd.DataFrame) -> dict[str, str]:
    """Colour of each emergency zone label: the level's own colour (AEGL/PAC/IDLH) when its label starts with it,
    else the threat ramp by concentration, most severe first."""
    order = zones.sort_values("concentration_ppm", ascending=False) if "concentration_ppm" in zones else zones
    labels = list(dict.fromkeys(str(v) for v in _col(order, "level_zh")))
    out = {}
    for i, lab in enumerate(labels):
        own = next((c for k, c in EMERGENCY_COLORS.items() if lab.upper().startswith(k.upper())), None)
        out[lab] = own or THREAT_ZONE_COLORS[min(i, len(THREAT_ZONE_COLORS) - 1)]
    return out


def _emergency_parts(layers, summary, **_) -> list[Part]:
    parts: list[Part] = []
    z = layers.get("zones")
    if z is not None:
        z = z.sort_values("distance_m", ascending=False) if "distance_m" in z else z  # largest under
        colors = _zone_colors(z)
        cols = {
            "应急区域": _text(_col(z, "level_zh")),
            "浓度阈值": _text(_col(z, "concentration_ppm"), lambda v: f"{_num(float(v))} ppm"),
            "影响距离": _text(_col(z, "distance_m"), format_distance),
            "物质": _text([summary.get("substance_zh")] * len(z)),
            "气象": _text([summary.get("computed_for")] * len(z)),
        }
        styles = [
            {
                "color": (c := colors.get(str(k), UNKNOWN_COLOR)),
                "weight": 1.5,
                "fillColor": c,
                "fillOpacity": 0.15,  # wide zones: the park stays readable under them
            }
            for k in _col(z, "level_zh")
        ]
        parts.append(Part(_frame(z, cols), styles, simplify_m=5.0))
    r = layers.get("routes")
    if r is not None:
        cols = {
            "疏散路线": _text(_col(r, "target_name")),
            "行动": _text(_col(r, "action_zh")),
            "长度": _text(_col(r, "length_m"), format_distance),
        }
        parts.append(
            Part(
                _frame(r, cols),
                [{"color": EMERGENCY_COLORS["route"], "weight": 3, "opacity": 0.9}] * len(r),
                arrows=True,
            )
        )
    p = layers.get("assembly_points")
    if p is not None:
        names = _col(p, "name_zh") if "name_zh" in p else _col(p, "name")
        cols = {
            "应急集合点": _text(names),
            "容量": _text(_col(p, "capacity"), lambda v: f"{int(float(v)):,d} 人"),
        }
        style = {
            "radius": 6,
            "color": "#ffffff",
            "weight": 2,
            "fillColor": EMERGENCY_COLORS["assembly"],
            "fillOpacity": 0.95,
        }
        parts.append(Part(_frame(p, cols), [style] * len(p), points=True))
    return parts


RESULT_STYLES: dict[str, KindStyle] = {
    "risk": KindStyle(_risk_parts),
    "domino": KindStyle(_domino_parts, _domino_note),
    "five_rooms": KindStyle(_five_rooms_parts),
    "major_hazards": KindStyle(_major_hazard_parts),
    "hca": KindStyle(_hca_parts),
    "emergency": KindStyle(_emergency_parts),
}


def result_legend(
    kind: str, layers: Mapping[str, gpd.GeoDataFrame], *, sensitive: bool = False
) -> list[LegendItem]:
    """Legend rows of a result kind, for the values present in its layers."""
    if kind == "risk":
        c = layers.get("contours")
        levels = _levels(c) if c is not None else []
        return [LegendItem(per_year_zh(lv), CONTOUR_COLORS[lv]) for lv in levels]
    if kind == "domino":
        e = layers.get("edges")
        items = []
        if e is not None and "probability" in e:
            have = {probability_color(p) for p in e["probability"].dropna()}
            items = [
                LegendItem(f"升级概率 {label}", color, "line")
                for _, color, label in PROBABILITY_CLASSES
                if color in have
            ]
            if "across_fence" in e and e["across_fence"].fillna(False).astype(bool).any():
                items.append(LegendItem("跨企业升级（虚线）", CROSSING_COLOR, "dashed"))
        if layers.get("hubs") is not None:
            items.append(LegendItem("升级枢纽设施", _HUB_COLOR, "circle"))
        return items
    if kind == "five_rooms":
        b = layers.get("buildings")
        have = set(_col(b, "verdict")) if b is not None else set()
        seen: dict[str, str] = {}
        for key, (color, label) in FIVE_ROOMS_VERDICT_COLORS.items():
            if key in have:
                seen.setdefault(label, color)
        return [LegendItem(label, color) for label, color in seen.items()]
    if kind == "major_hazards":
        u = layers.get("units")
        have = {str(g) for g in _col(u, "grade")} if u is not None else set()
        return [
            LegendItem(f"{g}重大危险源", c, "outline")
            for g, c in MAJOR_HAZARD_GRADE_COLORS.items()
            if g in have
        ]
    if kind == "hca":
        a = layers.get("areas")
        pairs = dict(zip(_col(a, "class_zh"), _col(a, "grade"), strict=True)) if a is not None else {}
        return [
            LegendItem(f"{lab}高后果区" if str(lab).endswith("级") else str(lab), _hca_color(lab, g))
            for lab, g in pairs.items()
        ]
    if kind == "emergency":
        items = []
        z = layers.get("zones")
        if z is not None:
            items += [LegendItem(lab, c) for lab, c in _zone_colors(z).items()]
        if layers.get("routes") is not None:
            items.append(LegendItem("疏散路线（箭头指向集合点）", EMERGENCY_COLORS["route"], "line"))
        if layers.get("assembly_points") is not None:
            items.append(LegendItem("应急集合点", EMERGENCY_COLORS["assembly"], "circle"))
        return items
    raise ValueError(f"结果类型 kind={kind!r} 未定义；可选：{', '.join(RESULT_STYLES)}")
