"""Build the fictional demo park 江滨化工园区（虚构示例） from its readable source.

Run ``python -m geodata.samples.build_demo_park`` to rebuild ``geodata/samples/demo_park.gpkg``. The build is
deterministic (no randomness): the same source gives the same layer contents, and with the same GDAL/SQLite the same
bytes (the GeoPackage timestamps are pinned to :data:`BUILD_TIMESTAMP`). Local metres of
:mod:`geodata.samples.demo_park_source` are converted to WGS84 with pyproj through a transverse Mercator projection
centred on the park origin (scale factor 1, WGS84 datum), so distances in the source are true ground distances.

Derived quantities, each computed here rather than typed in by hand so that they stay consistent:

- tank positions from the spacing rule of GB 50160 (shell-to-shell gap = spacing x D);
- volumes: vertical tanks pi/4 D^2 H, spheres pi/6 D^3, horizontal (bullet) tanks pi/4 D^2 L (heads neglected);
- inventories: volume x fill x liquid density (source table ``DENSITY``);
- bunds: the rectangle around a tank group, at least 0.5 H from every shell, widened until its net area (gross minus
  tank footprints) times the bund height holds the required fraction of the largest tank (GB 50351-2014);
  ``bund_area_m2`` is the gross bund area.

The park's weather tables (:mod:`geodata.weather`) hold the **illustrative** demo rose of
``analysis/data/demo_wind_rose.csv`` (read as a data file; geodata does not import analysis), with station metadata
saying that it is illustrative and not station data.
"""

from __future__ import annotations

import argparse
import logging
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from geodata import Park
from geodata.samples import demo_park_source as src
from geodata.weather import ParkWeather, check_weather

__all__ = [
    "DEFAULT_PATH",
    "BUILD_TIMESTAMP",
    "local_crs",
    "tank_group_layout",
    "local_layers",
    "build_layers",
    "build_park",
    "write_demo_park",
    "main",
]

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).with_name("demo_park.gpkg")
#: Timestamp written into the GeoPackage metadata (the demo's reference date), so rebuilds are byte-identical.
BUILD_TIMESTAMP = f"{src.REFERENCE_DATE}T00:00:00.000Z"
_QUAD_SEGS = 16  # circle footprints: 64 vertices
_DECIMALS = 7  # WGS84 coordinates rounded to 1e-7 degree (about 1 cm)
#: The illustrative demo rose (analysis.weather.build_demo_wind_rose writes it), stored in the park file.
DEMO_ROSE_CSV = Path(__file__).resolve().parents[2] / "analysis" / "data" / "demo_wind_rose.csv"


def local_crs() -> pyproj.CRS:
    """The local metric CRS of the source: transverse Mercator at the park origin, WGS84 datum, k = 1."""
    lon0, lat0 = src.ORIGIN_LON_LAT
    return pyproj.CRS.from_proj4(
        f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def _to_wgs84(geoms: list) -> list:
    """Local-metre geometries -> WGS84 (lon, lat) geometries, coordinates rounded to :data:`_DECIMALS`."""
    tr = pyproj.Transformer.from_crs(local_crs(), "EPSG:4326", always_xy=True)

    def fn(xy: np.ndarray) -> np.ndarray:
        lon, lat = tr.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), _DECIMALS)

    return list(shapely.transform(np.asarray(geoms, dtype=object), fn))


def _rect(cx: float, cy: float, w: float, h: float) -> Polygon:
    return box(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)


def _shape(spec: tuple) -> Polygon:
    if spec[0] == "rect":
        return _rect(*spec[1:])
    if spec[0] == "circle":
        _, cx, cy, d = spec
        return Point(cx, cy).buffer(d / 2.0, quad_segs=_QUAD_SEGS)
    raise ValueError(f"shape kind {spec[0]!r} is not known; allowed: 'rect', 'circle'")


def _volume(g: src.TankGroup) -> float:
    """Geometric volume of one tank of the group. [m³]"""
    if g.kind == "spherical_tank":
        return math.pi / 6.0 * g.diameter_m**3
    if g.kind == "bullet_tank":
        return math.pi / 4.0 * g.diameter_m**2 * g.length_m
    return math.pi / 4.0 * g.diameter_m**2 * g.height_m


def tank_group_layout(g: src.TankGroup) -> tuple[list[Polygon], Polygon | None, float]:
    """Footprints of the tanks of a group, its bund polygon and the tank volume, in local metres.

    Parameters
    ----------
    g : TankGroup
        One row of :data:`demo_park_source.TANK_GROUPS`.

    Returns
    -------
    footprints : list of Polygon
        Tank footprints: circles of the tank diameter, or D x L rectangles for horizontal tanks. [m]
    bund : Polygon or None
        The bund (None when the group has no bund height). [m]
    volume : float
        Geometric volume of one tank. [m³]
    """
    d = g.diameter_m
    along = g.length_m if g.kind == "bullet_tank" else d
    pitch_x = along + g.spacing * d  # GB 50160 spacing: shell-to-shell gap = spacing * D
    pitch_y = d + g.spacing * d
    feet = []
    for i, _ in enumerate(g.unit_ids):
        cx = g.first[0] + (i % g.columns) * pitch_x
        cy = g.first[1] + (i // g.columns) * pitch_y
        if g.kind == "bullet_tank":
            feet.append(_rect(cx, cy, g.length_m, d))
        else:
            feet.append(Point(cx, cy).buffer(d / 2.0, quad_segs=_QUAD_SEGS))
    volume = _volume(g)
    if g.bund_height_m is None:
        return feet, None, volume
    xmin, ymin, xmax, ymax = shapely.union_all(feet).bounds
    w, h = xmax - xmin, ymax - ymin
    footprint_area = sum(f.area for f in feet)
    need_net = g.bund_capacity_fraction * volume / g.bund_height_m  # GB 50351-2014: capacity / height
    # smallest margin m with (w + 2m)(h + 2m) - footprints >= need_net: 4 m² + 2 (w + h) m + (w h - A - need) >= 0
    c = w * h - footprint_area - need_net
    m_cap = (-2.0 * (w + h) + math.sqrt(4.0 * (w + h) ** 2 - 16.0 * c)) / 8.0 if c < 0 else 0.0
    margin = max(0.5 * g.height_m, 3.0, m_cap)  # at least half the tank height from every shell (GB 50351)
    margin = math.ceil(margin * 2.0) / 2.0  # round up to 0.5 m
    return feet, box(xmin - margin, ymin - margin, xmax + margin, ymax + margin), volume


def _installation_rows() -> tuple[list[dict], dict[str, Polygon]]:
    rows: list[dict] = []
    for g in src.TANK_GROUPS:
        feet, bund, volume = tank_group_layout(g)
        inventory = round(volume * g.fill * src.DENSITY[g.substance])  # [kg] = m³ x - x kg/m³
        for k, (uid, foot) in enumerate(zip(g.unit_ids, feet, strict=True), start=1):
            rows.append(
                {
                    "unit_id": uid,
                    "enterprise_id": g.enterprise_id,
                    "name": f"{g.name}{uid.split('-')[-1]}" if len(g.unit_ids) > 1 or k > 1 else g.name,
                    "kind": g.kind,
                    "equipment_class": g.equipment_class,
                    "substance": g.substance,
                    "inventory_kg": float(inventory),
                    "phase": g.phase,
                    "pressure_pa": float(g.pressure_pa),
                    "temperature_k": float(g.temperature_k),
                    "volume_m3": round(volume, 1),
                    "diameter_m": float(g.diameter_m),
                    "height_m": float(g.height_m),
                    "bund_area_m2": None if bund is None else round(bund.area, 1),
                    "hazardous_process": g.hazardous_process,
                    "geometry": foot,
                }
            )
    for u in src.UNITS:
        geom = _shape(u.shape)
        diameter = u.shape[3] if u.shape[0] == "circle" else u.diameter_m
        rows.append(
            {
                "unit_id": u.unit_id,
                "enterprise_id": u.enterprise_id,
                "name": u.name,
                "kind": u.kind,
                "equipment_class": u.equipment_class,
                "substance": u.substance,
                "inventory_kg": float(u.inventory_kg),
                "phase": u.phase,
                "pressure_pa": float(u.pressure_pa),
                "temperature_k": float(u.temperature_k),
                "volume_m3": u.volume_m3,
                "diameter_m": diameter,
                "height_m": u.height_m,
                "bund_area_m2": None,
                "hazardous_process": u.hazardous_process,
                "geometry": geom,
            }
        )
    return rows, {r["unit_id"]: r["geometry"] for r in rows}


def _road_rows() -> list[dict]:
    nodes, grid = src.park_road_grid()
    nodes = {**nodes, **{k: (float(x), float(y)) for k, (x, y) in src.ROAD_NODES.items()}}
    rows = []
    features = list(grid)
    for name, kind, one_way, path in src.PUBLIC_ROADS:
        for a, b in zip(path[:-1], path[1:], strict=True):
            features.append((name, kind, one_way, (a, b)))
    for i, (name, kind, one_way, (a, b)) in enumerate(features, start=1):
        rows.append(
            {
                "road_id": f"RD{i:03d}",
                "name": name,
                "kind": kind,
                "one_way": bool(one_way),
                "geometry": LineString([nodes[a], nodes[b]]),
            }
        )
    return rows


def local_layers() -> dict[str, gpd.GeoDataFrame]:
    """All layers in the local metric CRS (:func:`local_crs`) with plain values, before validation. [m]"""
    crs = local_crs()
    layers: dict[str, list[dict]] = {}
    p = src.PARK
    layers["parks"] = [
        {k: p[k] for k in ("park_id", "name", "level", "risk_grade")} | {"geometry": Polygon(p["outline"])}
    ]
    layers["enterprises"] = [
        {
            "enterprise_id": e.enterprise_id,
            "park_id": p["park_id"],
            "name": e.name,
            "industry": e.industry,
            "risk_color": e.risk_color,
            "major_hazard_grade": e.major_hazard_grade,
            "employees": e.employees,
            "geometry": box(*e.fence),
        }
        for e in src.ENTERPRISES
    ]
    inst, unit_geom = _installation_rows()
    layers["installations"] = inst
    layers["pipelines"] = [
        {
            "pipeline_id": q.pipeline_id,
            "name": q.name,
            "substance": q.substance,
            "diameter_m": q.diameter_m,
            "pressure_pa": float(q.pressure_pa),
            "buried": q.buried,
            "operator": q.operator,
            "kind": q.kind,
            "temperature_k": q.temperature_k,
            "geometry": LineString(q.path),
        }
        for q in src.PIPELINES
    ]
    layers["sensitive_targets"] = [
        {
            "target_id": t.target_id,
            "name": t.name,
            "category": t.category,
            "protection_class": t.protection_class,
            "population_day": t.population_day,
            "population_night": t.population_night,
            "geometry": _rect(*t.rect),
        }
        for t in src.TARGETS
    ]
    bld_geom = {b.building_id: _rect(*b.rect) for b in src.BUILDINGS}
    layers["buildings"] = [
        {
            "building_id": b.building_id,
            "enterprise_id": b.enterprise_id,
            "name": b.name,
            "use": b.use,
            "occupants": b.occupants,
            "blast_resistant": b.blast_resistant,
            "geometry": bld_geom[b.building_id],
        }
        for b in src.BUILDINGS
    ]
    anchors = {**unit_geom, **bld_geom}
    items = []
    for it in src.RECTIFICATIONS:
        if isinstance(it.at, str):
            c = anchors[it.at].centroid
            where = Point(round(c.x + 3.0, 3), round(c.y, 3))  # 3 m east of the unit's centre
        else:
            where = Point(*it.at)
        items.append(
            {
                "item_id": it.item_id,
                "park_id": p["park_id"],
                "enterprise_id": it.enterprise_id,
                "title": it.title,
                "category": it.category,
                "hazard_level": it.hazard_level,
                "source": it.source,
                "found_on": pd.Timestamp(it.found_on),
                "deadline": pd.Timestamp(it.deadline),
                "responsible": it.responsible,
                "status": it.status,
                "closed_on": pd.Timestamp(it.closed_on) if it.closed_on else pd.NaT,
                "geometry": where,
            }
        )
    layers["rectifications"] = items
    layers["roads"] = _road_rows()
    layers["assembly_points"] = [
        {"point_id": pid, "name": name, "capacity": cap, "geometry": Point(*src.ROAD_NODES[node])}
        for pid, name, node, cap in src.ASSEMBLY_POINTS
    ]
    return {name: gpd.GeoDataFrame(rows, geometry="geometry", crs=crs) for name, rows in layers.items()}


def build_layers() -> dict[str, gpd.GeoDataFrame]:
    """All layers in WGS84 (EPSG:4326), coordinates rounded to 1e-7 degree."""
    out = {}
    for name, gdf in local_layers().items():
        g = gdf.copy()
        g = gpd.GeoDataFrame(
            g.drop(columns="geometry"), geometry=_to_wgs84(list(gdf.geometry)), crs="EPSG:4326"
        )
        out[name] = g
    return out


def demo_weather(park: Park) -> ParkWeather:
    """The demo park's weather: the illustrative rose, its "station" at the park centre, marked illustrative."""
    lon, lat = park.center
    station = {
        "name": "示意气象站（虚构，非观测资料）",
        "latitude": f"{lat:.4f}",
        "longitude": f"{lon:.4f}",
        "anemometer_height_m": "10",
        "source": "示意风玫瑰（illustrative）",
        "note": "analysis/data/demo_wind_rose.csv 的示意风玫瑰，不是任何气象站的统计；实际评估须导入园区气象站资料",
    }
    return check_weather(pd.read_csv(DEMO_ROSE_CSV, comment="#"), station, source=str(DEMO_ROSE_CSV))


def build_park() -> Park:
    """The demo park as a validated :class:`geodata.Park` (raises ParkDataError if the source breaks the schema)."""
    park = Park.from_layers(build_layers(), source="江滨化工园区（虚构示例） demo_park_source.py")
    park.weather = demo_weather(park)
    return park


def write_demo_park(path: str | Path = DEFAULT_PATH) -> Park:
    """Build the demo park and save it as a GeoPackage (atomic write by :meth:`Park.save`).

    Parameters
    ----------
    path : path-like
        Output GeoPackage.

    Returns
    -------
    park : Park
    """
    park = build_park()
    # GeoPackage stores a last-change timestamp per layer; GDAL takes it from OGR_CURRENT_DATE when set, which makes
    # the file byte-for-byte reproducible. Set only for this write, then restored.
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": BUILD_TIMESTAMP})
    try:
        park.save(path)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    log.info("demo park written to %s", path)
    return park


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m geodata.samples.build_demo_park [-o PATH]``."""
    parser = argparse.ArgumentParser(
        description="重建虚构示例园区 demo_park.gpkg / rebuild the fictional demo park"
    )
    parser.add_argument("-o", "--output", default=str(DEFAULT_PATH), help="输出 GeoPackage 路径")
    args = parser.parse_args(argv)
    park = write_demo_park(args.output)
    counts = "，".join(f"{k} {len(v)}" for k, v in park.layers.items())
    print(f"已生成 {args.output}：{counts}")  # noqa: T201 - CLI output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
