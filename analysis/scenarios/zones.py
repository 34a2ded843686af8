"""Threat zones: the areas where an effect field reaches given levels, as polygons in the park's metric CRS.

A threat zone of level L is the set of points where an effect (heat flux, peak overpressure, concentration) is at
least L. :func:`threat_zones` evaluates the effect field of :mod:`analysis.scenarios` on an adaptive grid aligned
with the wind and contours it with ``contourpy`` (a maintained marching-squares implementation with linear
interpolation of the edge), so the polygon edge lies where the model's own point value equals the level, to within
the grid spacing reported with each zone. :func:`affected` lists the sensitive targets, buildings and other
installations inside each zone with their populations.

Default levels (:func:`default_levels`; the thermal and overpressure values and their sources are read from the
threshold tables of :mod:`analysis.physics.vulnerability`, so they are defined once):

- thermal radiation 37.5 / 12.5 / 4 kW/m² — the damage table of the World Bank (1985) manual [1]_ as reproduced in
  CCPS (2000) Table 2.29 [2]_: 37.5 kW/m² damages process equipment and is lethal within a minute, 12.5 kW/m²
  ignites wood with a flame and gives 1 % lethality in one minute, 4 kW/m² causes pain after 20 s (injury);
- peak side-on overpressure 55.2 / 24.1 / 6.9 kPa (8 / 3.5 / 1 psi) — the levels of concern of ALOHA [3]_
  (destruction of buildings / serious injury likely / glass shatters);
- toxic concentration AEGL-3 / AEGL-2 / AEGL-1 for 60 min (PAC-3/2/1 where no AEGL exists; the NIOSH IDLH alone
  where neither exists), from the substance record [4]_ [5]_; compared with the ground-level concentration of the
  plume, or the peak of a puff (as ALOHA does);
- flash fire LFL and 60 % LFL — the LFL envelope is lethal (Purple Book [6]_ ch. 5); 60 % LFL allows for
  concentration fluctuations about the time-averaged cloud (ALOHA [3]_).

References
----------
.. [1] World Bank (1985). Manual of Industrial Hazard Assessment Techniques. Office of Environmental and
       Scientific Affairs, Washington DC (thermal radiation effects: 37.5, 25, 12.5, 4, 1.6 kW/m²).
.. [2] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York,
       Table 2.29.
.. [3] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). ALOHA (Areal Locations of Hazardous
       Atmospheres) 5.4.4 Technical Documentation. NOAA Technical Memorandum NOS OR&R 43 (levels of concern for
       overpressure 8 / 3.5 / 1 psi and flammable area 60 % / 10 % LFL).
.. [4] US EPA, Acute Exposure Guideline Levels (AEGLs) for airborne chemicals, 60-minute values.
.. [5] US DOE, Protective Action Criteria (PAC) with AEGLs, ERPGs and TEELs.
.. [6] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), Sdu, The Hague, chapter 5
       (flash fire: 100 % lethality inside the LFL contour).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import contourpy
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely import affinity

from analysis._text import num_zh
from analysis.physics import vulnerability as _vul
from geodata.errors import CRSError

log = logging.getLogger(__name__)

__all__ = [
    "ZoneLevel",
    "THERMAL_LEVELS",
    "OVERPRESSURE_LEVELS",
    "FLASH_FIRE_FRACTIONS",
    "Region",
    "region_above",
    "default_levels",
    "threat_zones",
    "threat_zones_for_unit",
    "affected",
    "affected_summary",
]


@dataclass(frozen=True)
class ZoneLevel:
    """One level of a threat zone.

    Attributes
    ----------
    quantity : str
        The effect compared: "heat_flux" [W/m²], "overpressure" [Pa] or "concentration" [kg/m³].
    threshold : float
        The level, SI units of ``quantity``.
    name : str
        Short key ("37.5kW", "AEGL-3", "LFL" ...).
    label_zh : str
        What the level means, in Chinese.
    source : str
        Where the level comes from.
    """

    quantity: str
    threshold: float
    name: str
    label_zh: str
    source: str

    def __post_init__(self) -> None:
        if self.quantity not in QUANTITIES:
            raise ValueError(
                f"quantity 效应量={self.quantity!r} 无效，应为 {list(QUANTITIES)} 之一 (must be one of {list(QUANTITIES)})"
            )
        t = float(self.threshold)
        if not (math.isfinite(t) and t > 0):
            raise ValueError(f"threshold 阈值={self.threshold!r} 必须为正的有限数 (must be finite and > 0)")


#: Quantities a zone can be drawn for, with their SI unit and Chinese name.
QUANTITIES: dict[str, tuple[str, str]] = {
    "heat_flux": ("W/m²", "热辐射通量"),
    "overpressure": ("Pa", "冲击波超压"),
    "concentration": ("kg/m³", "浓度"),
}


def _levels_from(
    table, keys: tuple[str, ...], quantity: str, scale: float, unit: str
) -> tuple[ZoneLevel, ...]:
    """Zone levels from a threshold table of :mod:`analysis.physics.vulnerability` (the single source of the values)."""
    by_key = {t.key: t for t in table}
    return tuple(
        ZoneLevel(
            quantity,
            float(by_key[k].value),
            f"{by_key[k].value * scale:g} {unit}",
            f"{by_key[k].value * scale:g} {unit}：{by_key[k].label_zh}",
            by_key[k].source,
        )
        for k in keys
    )


#: Thermal radiation levels 37.5 / 12.5 / 4 kW/m² [1]_ [2]_ (values and sources from
#: :data:`analysis.physics.vulnerability.THERMAL_THRESHOLDS`).
THERMAL_LEVELS: tuple[ZoneLevel, ...] = _levels_from(
    _vul.THERMAL_THRESHOLDS, ("37.5kW", "12.5kW", "4kW"), "heat_flux", 1e-3, "kW/m²"
)
_ALOHA = "Jones et al. (2013) ALOHA 5.4.4 Technical Documentation, NOAA TM NOS OR&R 43 (60 % LFL)"
#: Peak side-on overpressure levels 55.2 / 24.1 / 6.9 kPa (8 / 3.5 / 1 psi) [3]_ (from
#: :data:`analysis.physics.vulnerability.OVERPRESSURE_THRESHOLDS`).
OVERPRESSURE_LEVELS: tuple[ZoneLevel, ...] = _levels_from(
    _vul.OVERPRESSURE_THRESHOLDS, ("55.2kPa", "24.1kPa", "6.9kPa"), "overpressure", 1e-3, "kPa"
)
#: Flash-fire levels as fractions of the LFL [3]_ [6]_.
FLASH_FIRE_FRACTIONS: tuple[tuple[float, str, str, str], ...] = (
    (1.0, "LFL", "爆炸下限 LFL 包络：闪火范围内人员死亡", "CPR 18E (1999) Purple Book, ch. 5"),
    (0.6, "60 % LFL", "60 % 爆炸下限：考虑浓度脉动的可燃区", _ALOHA),
)


#: Evaluate a field at most this many points per call, to bound the memory of one grid.
_CHUNK = 1_000_000


@dataclass(frozen=True)
class Region:
    """Where a field reaches a level: polygon relative to the field's origin and its reach.

    Attributes
    ----------
    geometry : shapely.Polygon or shapely.MultiPolygon
        The area with value >= level, coordinates relative to the origin (x east, y north). [m]
    max_distance : float
        Largest distance from the origin to the edge of the area; 0 when the level is never reached. [m]
    resolution : float
        Grid spacing used to draw the edge (the larger of the two axes); the edge is exact to about this. [m]
    truncated : bool
        True when the area reached the largest distance searched (``r_max``), so its real extent is larger.
    """

    geometry: shapely.Geometry
    max_distance: float
    resolution: float
    truncated: bool


def _evaluate(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Evaluate fn in chunks; NaN (undefined, e.g. at a point source) counts as below every level."""
    xf = x.ravel()
    yf = y.ravel()
    out = np.empty(xf.shape, dtype=float)
    for i in range(0, xf.size, _CHUNK):
        out[i : i + _CHUNK] = np.broadcast_to(
            fn(xf[i : i + _CHUNK], yf[i : i + _CHUNK]), xf[i : i + _CHUNK].shape
        )
    out = np.nan_to_num(out, nan=-np.inf, posinf=np.finfo(float).max)
    return out.reshape(x.shape)


def region_above(
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    level: float,
    *,
    axis_bearing_deg: float = 0.0,
    r_min: float = 0.5,
    r_max: float = 50_000.0,
    n_rays: int = 72,
    n_radial: int = 400,
    n_along: int = 281,
    n_across: int = 201,
    max_iter: int = 8,
) -> Region:
    """Area where a 2-D field is at least ``level``, contoured on an adaptive grid aligned with an axis.

    The field is first sampled on ``n_rays`` rays from the origin (one of them along the axis, where a plume is
    narrowest and longest) at ``n_radial`` geometrically spaced distances between ``r_min`` and ``r_max``. The
    bounding box of the points above the level, in axis-aligned coordinates (s along the axis, c across it), seeds a
    rectangular grid of ``n_along`` x ``n_across`` nodes. The grid is widened while the area touches its border and
    then cropped to the area (so that the grid spacing is set by the area itself), and the field on the final grid is
    contoured with ``contourpy`` (filled contour between ``level`` and +inf, edges linearly interpolated).

    Why an adaptive grid by hand: contouring itself is delegated to contourpy; what no library does is choose a
    grid for a field whose extent is unknown beforehand and ranges from metres (a jet fire) to tens of kilometres
    (a toxic plume at night).

    Parameters
    ----------
    fn : callable
        ``fn(x, y) -> values`` on 1-D arrays of coordinates relative to the origin (x east, y north) [m]; NaN is
        treated as below every level.
    level : float
        The level, in the units of the field.
    axis_bearing_deg : float
        Bearing of the grid's long axis, clockwise from north (the downwind direction for a plume). [°]
    r_min, r_max : float
        Nearest and farthest distance searched. [m]
    n_rays, n_radial : int
        Rays and points per ray of the first search.
    n_along, n_across : int
        Grid nodes along and across the axis.
    max_iter : int
        Largest number of grid evaluations.

    Returns
    -------
    Region
        Polygon relative to the origin [m], its largest distance from the origin [m], the grid spacing [m] and
        whether it was cut at ``r_max``.
    """
    beta = math.radians(axis_bearing_deg)
    sb, cb = math.sin(beta), math.cos(beta)

    def to_xy(s: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # s along the bearing, c to its left: a rotation (determinant +1).
        return s * sb - c * cb, s * cb + c * sb

    # 1. Rays from the origin, the first one along the axis.
    theta = np.arange(n_rays) * (2.0 * math.pi / n_rays)
    r = np.concatenate([[0.0], np.geomspace(r_min, r_max, n_radial)])
    s_ray = np.cos(theta)[:, None] * r[None, :]
    c_ray = np.sin(theta)[:, None] * r[None, :]
    v = _evaluate(fn, *to_xy(s_ray, c_ray))
    above = v >= level
    if not above.any():
        return Region(shapely.Polygon(), 0.0, 0.0, False)
    truncated = bool(above[:, -1].any())
    # The area may extend up to the next sample on each ray: pad by one radial step.
    step = r_max / r[-2] if n_radial > 1 else 2.0
    s_lo, s_hi = float(s_ray[above].min()), float(s_ray[above].max())
    c_lo, c_hi = float(c_ray[above].min()), float(c_ray[above].max())
    span = max(s_hi - s_lo, c_hi - c_lo, r_min)
    pad = span * (step - 1.0) + 2.0 * r_min
    s_lo, s_hi, c_lo, c_hi = s_lo - pad, s_hi + pad, c_lo - pad, c_hi + pad
    # A narrow plume may sit between rays: start the crosswind range at a tenth of the length at least.
    half_min = 0.05 * span
    c_lo, c_hi = min(c_lo, -half_min), max(c_hi, half_min)

    cropped = False
    refined = 0
    for _ in range(max_iter):
        s = np.linspace(s_lo, s_hi, n_along)
        c = np.linspace(c_lo, c_hi, n_across)
        sg, cg = np.meshgrid(s, c)  # shape (n_across, n_along)
        z = _evaluate(fn, *to_xy(sg, cg))
        m = z >= level
        if not m.any():
            # The seed box missed the area (a feature thinner than the grid): refine the box, at most twice.
            if refined >= 2:
                log.warning(
                    "region_above: level %g reached on the rays but not on the grid; zone dropped", level
                )
                return Region(shapely.Polygon(), 0.0, 0.0, truncated)
            refined += 1
            n_along, n_across = 2 * n_along - 1, 2 * n_across - 1
            continue
        ds, dc = s[1] - s[0], c[1] - c[0]
        limit = r_max * 1.05
        grow = False
        # Widen every side the area touches, up to the search radius (beyond it the zone is truncated).
        span_s, span_c = s_hi - s_lo, c_hi - c_lo
        for touches, side in (
            (m[:, 0].any(), "s_lo"),
            (m[:, -1].any(), "s_hi"),
            (m[0, :].any(), "c_lo"),
            (m[-1, :].any(), "c_hi"),
        ):
            if not touches:
                continue
            step_ = 0.5 * span_s if side.startswith("s") else span_c
            if side == "s_lo" and s_lo > -limit:
                s_lo, grow = max(s_lo - step_, -limit), True
            elif side == "s_hi" and s_hi < limit:
                s_hi, grow = min(s_hi + step_, limit), True
            elif side == "c_lo" and c_lo > -limit:
                c_lo, grow = max(c_lo - step_, -limit), True
            elif side == "c_hi" and c_hi < limit:
                c_hi, grow = min(c_hi + step_, limit), True
            else:
                truncated = True
        if grow:
            continue
        if cropped:
            break
        # Crop to the area plus two cells, so that the spacing is set by the area itself.
        cols = np.flatnonzero(m.any(axis=0))
        rows = np.flatnonzero(m.any(axis=1))
        new = (
            s[cols[0]] - 2 * ds,
            s[cols[-1]] + 2 * ds,
            c[rows[0]] - 2 * dc,
            c[rows[-1]] + 2 * dc,
        )
        cropped = True
        if (new[1] - new[0]) > 0.8 * (s_hi - s_lo) and (new[3] - new[2]) > 0.8 * (c_hi - c_lo):
            break
        s_lo, s_hi, c_lo, c_hi = new
    else:
        log.warning("region_above: no stable grid after %d evaluations (level %g)", max_iter, level)

    gen = contourpy.contour_generator(s, c, z, fill_type=contourpy.FillType.OuterOffset)
    points, offsets = gen.filled(level, np.inf)
    polys = []
    for pts, off in zip(points, offsets, strict=True):
        rings = [pts[off[i] : off[i + 1]] for i in range(len(off) - 1)]
        polys.append(shapely.Polygon(rings[0], rings[1:]))
    geom = shapely.make_valid(shapely.union_all(polys)) if polys else shapely.Polygon()
    # Back to x (east), y (north): x = s sinβ - c cosβ, y = s cosβ + c sinβ.
    geom = affinity.affine_transform(geom, [sb, -cb, cb, sb, 0.0, 0.0])
    coords = shapely.get_coordinates(geom)
    reach = float(np.hypot(coords[:, 0], coords[:, 1]).max()) if len(coords) else 0.0
    return Region(geom, reach, float(max(s[1] - s[0], c[1] - c[0])), truncated)


def default_levels(field) -> tuple[ZoneLevel, ...]:
    """The default zone levels of an effect field, from its primary quantity and its substance.

    Parameters
    ----------
    field : analysis.scenarios.EffectField

    Returns
    -------
    tuple of ZoneLevel
        Thermal levels for fires, overpressure levels for explosions, AEGL-3/2/1 (PAC-3/2/1 where the substance
        record says so) for toxic clouds, LFL and 60 % LFL for flash fires; most severe first.

    Raises
    ------
    ValueError
        A toxic scenario for a substance without any AEGL/PAC or IDLH value.
    """
    kind = field.scenario.kind
    sub = field.substance
    if kind in ("pool_fire", "jet_fire", "fireball"):
        return THERMAL_LEVELS
    if kind in ("vce", "vessel_burst", "bleve_blast"):
        return OVERPRESSURE_LEVELS
    if kind == "flash_fire":
        lfl_kg_m3 = field.lfl_concentration
        return tuple(
            ZoneLevel(
                "concentration", f * lfl_kg_m3, name, f"{label}（{num_zh(f * lfl_kg_m3 * 1e3)} g/m³）", src
            )
            for f, name, label, src in FLASH_FIRE_FRACTIONS
        )
    # toxic
    tk = sub.threshold_kind or "AEGL"
    src = (
        "US EPA AEGL, 60-min values (substance record)"
        if tk == "AEGL"
        else "US DOE PAC Rev. 29, PAC-1/2/3 (substance record; no AEGL published)"
    )
    meaning = {
        3: "可能危及生命或导致死亡",
        2: "可能造成不可逆或其他严重、持久的健康影响，或影响逃生能力",
        1: "可能出现明显不适、刺激，但可逆",
    }
    out = []
    for k in (3, 2, 1):
        v = float(getattr(sub, f"aegl{k}"))
        if math.isfinite(v) and v > 0:
            out.append(
                ZoneLevel(
                    "concentration",
                    v,
                    f"{tk}-{k}",
                    f"{tk}-{k}（60 min，{num_zh(v * 1e6)} mg/m³）：{meaning[k]}",
                    src,
                )
            )
    if not out and math.isfinite(sub.idlh) and sub.idlh > 0:
        out.append(
            ZoneLevel(
                "concentration",
                float(sub.idlh),
                "IDLH",
                f"IDLH（{num_zh(sub.idlh * 1e6)} mg/m³）：立即威胁生命或健康的浓度（无 AEGL/PAC 时采用）",
                "NIOSH IDLH (substance record); used because no AEGL/PAC value exists",
            )
        )
    if not out:
        raise ValueError(
            f"substance 物质={sub.name_zh}（{sub.cas}）没有 AEGL/PAC 毒性阈值，无法绘制中毒区；请通过 levels 参数给出阈值 "
            "(no AEGL/PAC thresholds for this substance; pass levels=...)"
        )
    return tuple(out)


def _check_metric(crs) -> pyproj.CRS:
    try:
        c = pyproj.CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its own CRSError for unreadable input
        raise CRSError(f"crs 坐标系={crs!r} 无法识别 (not a CRS): {exc}") from None
    if not c.is_projected:
        raise CRSError(
            f"crs 坐标系={c.to_string()} 不是投影坐标系，无法量算距离；请使用园区的米制坐标系 park.metric_crs "
            "(a projected metric CRS is required, e.g. park.metric_crs)"
        )
    return c


def threat_zones(
    source,
    scenario,
    weather,
    *,
    crs,
    levels: tuple[ZoneLevel, ...] | None = None,
    field=None,
    r_max: float = 50_000.0,
) -> gpd.GeoDataFrame:
    """Threat zones of one scenario at one installation, one polygon per level.

    Parameters
    ----------
    source : analysis.scenarios.ReleaseSource or mapping
        The release source in the park's metric CRS, or a row of the installations layer **in the park's metric
        CRS** (``park.metric("installations")``) with its geometry; the zones are centred on the source's origin
        (the centroid of the geometry).
    scenario : analysis.scenarios.Scenario
    weather : analysis.scenarios.Weather
    crs : pyproj.CRS or str
        The metric CRS of the row's geometry (``park.metric_crs``); a geographic CRS raises :class:`CRSError`.
    levels : tuple of ZoneLevel, optional
        Default :func:`default_levels` of the scenario.
    field : analysis.scenarios.EffectField, optional
        A field already built for this source, scenario and weather (saves the source-term computation).
    r_max : float
        Largest distance searched. [m]

    Returns
    -------
    geopandas.GeoDataFrame
        In ``crs``; one row per level, most severe first: ``unit_id``, ``scenario`` (key), ``scenario_zh``,
        ``level`` (name), ``label_zh``, ``quantity``, ``threshold`` (SI), ``unit`` (of threshold), ``max_distance``
        [m] (largest distance of the zone edge from the centroid; 0 and an empty polygon when the level is not
        reached), ``area_m2`` [m²], ``resolution_m`` [m] (grid spacing of the edge), ``truncated`` (zone reaches
        ``r_max``), ``source`` (of the level), ``assumptions`` (all assumptions, Chinese, one per line) and
        ``geometry``. ``attrs["assumptions"]`` holds the same list, ``attrs["weather"]`` the weather in Chinese.

    Raises
    ------
    ValueError
        Bad scenario, weather, or installation data (see :func:`analysis.scenarios.effect_field`).
    CRSError
        A geographic or unreadable ``crs``.
    """
    from analysis import scenarios as _sc

    metric = _check_metric(crs)
    f = field if field is not None else _sc.effect_field(source, scenario, weather)
    lv = tuple(levels) if levels is not None else default_levels(f)
    x0, y0 = f.origin
    rows = []
    for level in lv:
        fn = f.function(level.quantity)
        reg = region_above(fn, level.threshold, axis_bearing_deg=f.axis_bearing_deg, r_max=r_max)
        geom = affinity.translate(reg.geometry, x0, y0) if not reg.geometry.is_empty else reg.geometry
        rows.append(
            {
                "unit_id": f.unit_id,
                "scenario": scenario.kind,
                "scenario_zh": scenario.label_zh,
                "level": level.name,
                "label_zh": level.label_zh,
                "quantity": level.quantity,
                "threshold": float(level.threshold),
                "unit": QUANTITIES[level.quantity][0],
                "max_distance": reg.max_distance,
                "area_m2": float(reg.geometry.area),
                "resolution_m": reg.resolution,
                "truncated": reg.truncated,
                "source": level.source,
                "assumptions": "\n".join(f.assumptions),
                "geometry": geom,
            }
        )
        if reg.truncated:
            log.warning("zone %s of %s truncated at r_max=%g m", level.name, f.unit_id, r_max)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=metric)
    gdf.attrs["assumptions"] = list(f.assumptions)
    gdf.attrs["weather"] = weather.describe_zh()
    gdf.attrs["unit_id"] = f.unit_id
    return gdf


def threat_zones_for_unit(park, unit_id: str, scenario, weather, **kwargs) -> gpd.GeoDataFrame:
    """:func:`threat_zones` for the installation ``unit_id`` of a :class:`geodata.Park` (metric CRS).

    Raises
    ------
    ValueError
        Unknown ``unit_id`` (the message lists known ids).
    """
    inst = park.metric("installations")
    hit = inst[inst["unit_id"].astype(str) == str(unit_id)]
    if hit.empty:
        known = inst["unit_id"].astype(str).tolist()
        shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
        raise ValueError(
            f"unit_id 设施编号={unit_id!r} 不存在；园区中的设施编号有：{shown} (unknown unit id)"
        )
    return threat_zones(hit.iloc[0], scenario, weather, crs=park.metric_crs, **kwargs)


#: Columns of :func:`affected` (also the first columns of :func:`analysis.emergency.affected_targets`).
AFFECTED_COLUMNS = [
    "level",
    "label_zh",
    "layer",
    "layer_zh",
    "feature_id",
    "name",
    "category_zh",
    "population_day",
    "population_night",
    "occupants",
    "distance_m",
]


def affected(zones: gpd.GeoDataFrame, park) -> pd.DataFrame:
    """Sensitive targets, buildings and other installations inside the threat zones.

    Each feature is listed once, under the most severe zone it touches (zones are nested, the most severe first as
    :func:`threat_zones` returns them).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Output of :func:`threat_zones` (metric CRS).
    park : geodata.Park

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``label_zh``, ``layer`` (sensitive_targets / buildings / installations), ``layer_zh``,
        ``feature_id``, ``name``, ``category_zh`` (category / use / kind in Chinese), ``population_day`` and
        ``population_night`` [人] (targets), ``occupants`` [人] (buildings), ``distance_m`` (from the zone's source
        centroid to the feature) [m].

    Raises
    ------
    CRSError
        When the zones' CRS differs from the park's metric CRS.
    """
    from geodata import schema
    from geodata.crs import require_same_crs

    if zones.empty:
        return pd.DataFrame(columns=AFFECTED_COLUMNS)
    source_unit = zones.attrs.get("unit_id", zones["unit_id"].iloc[0] if "unit_id" in zones else None)
    layers = {
        "sensitive_targets": ("target_id", "category", "target_category"),
        "buildings": ("building_id", "use", "building_use"),
        "installations": ("unit_id", "kind", "installation_kind"),
    }
    inst = park.metric("installations")
    src = inst[inst["unit_id"].astype(str) == str(source_unit)]
    origin = src.geometry.iloc[0].centroid if not src.empty else None
    out = []
    for layer, (id_col, cat_col, enum) in layers.items():
        g = park.metric(layer)
        if g is None or g.empty:
            continue
        require_same_crs(zones, g, what=f"threat zones vs {layer}")
        if layer == "installations":
            g = g[g["unit_id"].astype(str) != str(source_unit)]
        seen: set = set()
        for _, z in zones.iterrows():
            if z.geometry is None or z.geometry.is_empty:
                continue
            idx = g.sindex.query(z.geometry, predicate="intersects")
            for i in idx:
                feat = g.iloc[int(i)]
                fid = str(feat[id_col])
                if fid in seen:
                    continue
                seen.add(fid)
                out.append(
                    {
                        "level": z["level"],
                        "label_zh": z["label_zh"],
                        "layer": layer,
                        "layer_zh": schema.LAYERS[layer].label_zh,
                        "feature_id": fid,
                        "name": str(feat.get("name", "")),
                        "category_zh": schema.label_zh(enum, feat.get(cat_col)),
                        "population_day": _int_or_na(feat.get("population_day"))
                        if layer == "sensitive_targets"
                        else pd.NA,
                        "population_night": _int_or_na(feat.get("population_night"))
                        if layer == "sensitive_targets"
                        else pd.NA,
                        "occupants": _int_or_na(feat.get("occupants")) if layer == "buildings" else pd.NA,
                        "distance_m": float(origin.distance(feat.geometry))
                        if origin is not None
                        else float("nan"),
                    }
                )
    df = pd.DataFrame(out, columns=AFFECTED_COLUMNS)
    for c in ("population_day", "population_night", "occupants"):
        df[c] = df[c].astype("Int64")
    return df


def _int_or_na(v):
    try:
        return pd.NA if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return pd.NA


def affected_summary(zones: gpd.GeoDataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """People and features inside each zone (cumulative: a zone includes the more severe zones inside it).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Output of :func:`threat_zones`.
    table : pandas.DataFrame
        Output of :func:`affected`.

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level``, ``label_zh``, ``max_distance`` [m], ``targets``, ``buildings``,
        ``installations`` (counts), ``population_day``, ``population_night`` (sensitive targets) [人] and
        ``occupants`` (buildings) [人].
    """
    rows = []
    order = list(zones["level"])
    for k, z in enumerate(zones.itertuples()):
        inside = table[table["level"].isin(order[: k + 1])]
        rows.append(
            {
                "level": z.level,
                "label_zh": z.label_zh,
                "max_distance": z.max_distance,
                "targets": int((inside["layer"] == "sensitive_targets").sum()),
                "buildings": int((inside["layer"] == "buildings").sum()),
                "installations": int((inside["layer"] == "installations").sum()),
                "population_day": int(inside["population_day"].fillna(0).sum()),
                "population_night": int(inside["population_night"].fillna(0).sum()),
                "occupants": int(inside["occupants"].fillna(0).sum()),
            }
        )
    return pd.DataFrame(rows)
