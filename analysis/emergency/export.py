"""Export of an emergency briefing for field devices: every zone, route and assembly point in one WGS84 layer
(:func:`briefing_layers`), written as GeoJSON [1]_ (:func:`to_geojson`) or KML 2.2 [2]_ (:func:`to_kml`).

References
----------
.. [1] Butler, H. et al. (2016). The GeoJSON Format. IETF RFC 7946 (WGS84 longitude, latitude).
.. [2] Open Geospatial Consortium (2008). OGC KML 2.2, OGC 07-147r2 (colours written aabbggrr).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from analysis.emergency.people import RECOMMENDATIONS_ZH
from analysis.emergency.zones import EmergencyResult

__all__ = ["ZONE_COLORS", "briefing_layers", "to_geojson", "to_kml"]

ZONE_COLORS: dict[str, str] = {
    "AEGL-3": "#d7191c",
    "AEGL-2": "#fdae61",
    "AEGL-1": "#ffd92f",
    "PAC-3": "#d7191c",
    "PAC-2": "#fdae61",
    "PAC-1": "#ffd92f",
    "IDLH": "#d7191c",
    "isolation": "#7b3294",
    "band": "#636363",
    "route": "#1a9641",
    "assembly": "#2b83ba",
    "fire": "#e66101",
    "source": "#000000",
}


def _route_end(r) -> str:
    """Where a route ends: its assembly point, or out of the zone crosswind (no assembly point on that side)."""
    a = getattr(r, "assembly_id", None)
    return str(a) if isinstance(a, str) and a else "横风向撤出危险区"


def briefing_layers(
    result: EmergencyResult, routes: gpd.GeoDataFrame | None = None, assembly: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Every briefing feature in one GeoDataFrame in WGS84: ``layer`` (toxic / band / fire / isolation / route /
    assembly / source), ``name`` (Chinese), ``level``, ``max_distance_m``, ``color``, ``description``, geometry."""
    parts = []

    def add(gdf, layer, name_fn, color_fn, desc_fn=lambda r: ""):
        for r in gdf.itertuples():
            if r.geometry is None or r.geometry.is_empty:
                continue
            parts.append(
                {
                    "layer": layer,
                    "name": name_fn(r),
                    "level": str(getattr(r, "level", "")),
                    "max_distance_m": float(getattr(r, "max_distance", math.nan)),
                    "color": color_fn(r),
                    "description": desc_fn(r),
                    "geometry": r.geometry,
                }
            )

    add(
        result.band,
        "band",
        lambda r: f"风向不确定带 {r.level}（±{result.uncertainty_half_angle_deg:g}°）",
        lambda r: ZONE_COLORS["band"],
    )
    add(
        result.toxic,
        "toxic",
        lambda r: f"中毒区 {r.level}，{r.max_distance:,.0f} m",
        lambda r: ZONE_COLORS.get(str(r.level), "#d7191c"),
        lambda r: str(getattr(r, "label_zh", "")),
    )
    add(
        result.fire,
        "fire",
        lambda r: f"{r.scenario_zh} {r.level}，{r.max_distance:,.0f} m",
        lambda r: ZONE_COLORS["fire"],
        lambda r: str(getattr(r, "label_zh", "")),
    )
    add(
        result.isolation,
        "isolation",
        lambda r: f"初始隔离区 半径 {r.radius_m:g} m",
        lambda r: ZONE_COLORS["isolation"],
        lambda r: str(r.source),
    )
    if routes is not None:
        add(
            routes,
            "route",
            lambda r: f"{r.name} → {_route_end(r)}，{r.length_m:,.0f} m",
            lambda r: ZONE_COLORS["route"],
            lambda r: f"{RECOMMENDATIONS_ZH.get(str(r.recommendation), str(r.recommendation))}；{r.roads}",
        )
    if assembly is not None:
        add(assembly, "assembly", lambda r: f"{r.name}（{r.point_id}）", lambda r: ZONE_COLORS["assembly"])
    parts.append(
        {
            "layer": "source",
            "name": f"泄漏源 {result.source.source_id}",
            "level": "",
            "max_distance_m": math.nan,
            "color": ZONE_COLORS["source"],
            "description": "",
            "geometry": Point(result.origin),
        }
    )
    gdf = gpd.GeoDataFrame(parts, geometry="geometry", crs=result.crs)
    return gdf.to_crs(4326)


def to_geojson(layers: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write :func:`briefing_layers` as one GeoJSON FeatureCollection (WGS84, RFC 7946)."""
    path = Path(path)
    gdf = layers.to_crs(4326)
    path.write_text(gdf.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")
    return path


def _kml_color(hex_rgb: str, alpha: int) -> str:
    h = hex_rgb.lstrip("#")
    return f"{alpha:02x}{h[4:6]}{h[2:4]}{h[0:2]}"  # KML colours are aabbggrr


def _kml_coords(coords) -> str:
    return " ".join(f"{x:.7f},{y:.7f},0" for x, y in np.asarray(coords)[:, :2])


def to_kml(layers: gpd.GeoDataFrame, path: str | Path, *, document_name: str = "应急疏散简报") -> Path:
    """Write :func:`briefing_layers` as KML 2.2 (standard library ``xml.etree``; no maintained KML writer is
    installed): one Placemark per feature with its colour, polygons/lines/points in WGS84 lon,lat."""
    ns = "http://www.opengis.net/kml/2.2"
    ET.register_namespace("", ns)
    kml = ET.Element(f"{{{ns}}}kml")
    doc = ET.SubElement(kml, f"{{{ns}}}Document")
    ET.SubElement(doc, f"{{{ns}}}name").text = document_name
    gdf = layers.to_crs(4326)
    for i, r in enumerate(gdf.itertuples()):
        sid = f"s{i}"
        style = ET.SubElement(doc, f"{{{ns}}}Style", id=sid)
        ls = ET.SubElement(style, f"{{{ns}}}LineStyle")
        ET.SubElement(ls, f"{{{ns}}}color").text = _kml_color(r.color, 0xFF)
        ET.SubElement(ls, f"{{{ns}}}width").text = "3" if r.layer == "route" else "2"
        ps = ET.SubElement(style, f"{{{ns}}}PolyStyle")
        ET.SubElement(ps, f"{{{ns}}}color").text = _kml_color(r.color, 0x40 if r.layer == "band" else 0x66)
        pm = ET.SubElement(doc, f"{{{ns}}}Placemark")
        ET.SubElement(pm, f"{{{ns}}}name").text = str(r.name)
        ET.SubElement(pm, f"{{{ns}}}description").text = f"[{r.layer}] {r.description}"
        ET.SubElement(pm, f"{{{ns}}}styleUrl").text = f"#{sid}"
        geoms = list(getattr(r.geometry, "geoms", [r.geometry]))
        parent = ET.SubElement(pm, f"{{{ns}}}MultiGeometry") if len(geoms) > 1 else pm
        for g in geoms:
            if g.geom_type == "Polygon":
                poly = ET.SubElement(parent, f"{{{ns}}}Polygon")
                ob = ET.SubElement(ET.SubElement(poly, f"{{{ns}}}outerBoundaryIs"), f"{{{ns}}}LinearRing")
                ET.SubElement(ob, f"{{{ns}}}coordinates").text = _kml_coords(g.exterior.coords)
                for hole in g.interiors:
                    ib = ET.SubElement(ET.SubElement(poly, f"{{{ns}}}innerBoundaryIs"), f"{{{ns}}}LinearRing")
                    ET.SubElement(ib, f"{{{ns}}}coordinates").text = _kml_coords(hole.coords)
            elif g.geom_type == "LineString":
                ET.SubElement(
                    ET.SubElement(parent, f"{{{ns}}}LineString"), f"{{{ns}}}coordinates"
                ).text = _kml_coords(g.coords)
            elif g.geom_type == "Point":
                ET.SubElement(
                    ET.SubElement(parent, f"{{{ns}}}Point"), f"{{{ns}}}coordinates"
                ).text = _kml_coords(g.coords)
    path = Path(path)
    ET.ElementTree(kml).write(path, encoding="utf-8", xml_declaration=True)
    return path
