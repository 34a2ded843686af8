"""Threat zones of one release: toxic footprints, the wind-direction band, fire and explosion zones, the initial
isolation circle and the comparison with the Emergency Response Guidebook.

- :func:`toxic_zones` gives the AEGL-3/2/1 [5]_ footprints of a release of a substance at any point (dense gas by
  Britter & McQuaid [6]_ where the cloud is heavier than air, Gaussian otherwise, decided by
  :mod:`analysis.scenarios`);
- :func:`emergency_zones` gives, for a :func:`analysis.emergency.release.release_source`, the toxic zones, the
  wind-direction uncertainty band (:func:`wind_band`), the flammable (LFL, 60 % LFL) and fire/explosion zones where
  the substance burns, the initial isolation circle and the comparison with the ERG [1]_ [2]_
  (:func:`erg_comparison`).

The band is the footprint turned through ±θ about the source (see :mod:`analysis.emergency`, "Wind-direction
uncertainty" [3]_ [4]_). Wind direction is where the wind comes FROM, clockwise from north; coordinates are metres
in the park's metric CRS (or local metres around ``source_xy`` in :func:`toxic_zones`).

References
----------
.. [1] US DOT PHMSA, Transport Canada, SCT Mexico, CIQUIME (2024). Emergency Response Guidebook 2024 (ERG 2024):
       Tables 1 and 3 – Initial Isolation and Protective Action Distances (via :mod:`analysis.emergency.erg`).
.. [2] US DOT RSPA, Transport Canada, SCT Mexico (2004). Emergency Response Guidebook 2004, Table of Initial
       Isolation and Protective Action Distances.
.. [3] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). ALOHA (Areal Locations of Hazardous
       Atmospheres) 5.4.4 Technical Documentation. NOAA Technical Memorandum NOS OR&R 43 (threat zones, levels of
       concern, wind direction confidence lines).
.. [4] WMO (2018). Guide to Instruments and Methods of Observation (WMO-No. 8), Vol. I, chapter 5 (surface wind:
       direction reported in degrees or on the 16-point compass).
.. [5] US EPA, Acute Exposure Guideline Levels, 60-min values; US DOE PAC Rev. 29; NIOSH IDLH (substance record).
.. [6] Britter, R. E., McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE Contract Research
       Report 17/1988 (via :mod:`analysis.physics.dispersion`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import Point

from analysis import scenarios as sc
from analysis._text import num_zh
from analysis.constants import AMBIENT_TEMPERATURE, P_ATM
from analysis.emergency.erg import (
    DEFAULT_ISOLATION_M,
    ERG_EDITIONS,
    ERG_SMALL_SPILL_M3,
    _erg_spill_size,
    erg_comparison,
    erg_table,
)
from analysis.emergency.release import Release
from analysis.physics import substances
from analysis.scenarios import zones as zn
from analysis.weather import DEFAULT_DAY_HOURS, is_daytime

log = logging.getLogger(__name__)

__all__ = [
    "TOXIC_LEVEL_NAMES",
    "ERG_EDITIONS",
    "DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG",
    "DEFAULT_ISOLATION_M",
    "ERG_SMALL_SPILL_M3",
    "NEST_EPSILON_M",
    "EmergencyResult",
    "nest_levels",
    "toxic_zones",
    "erg_table",
    "erg_comparison",
    "wind_band",
    "emergency_zones",
]

#: Toxic level names accepted by :func:`toxic_zones` (60-min values from the substance record).
TOXIC_LEVEL_NAMES: tuple[str, ...] = ("AEGL-3", "AEGL-2", "AEGL-1", "PAC-3", "PAC-2", "PAC-1", "IDLH")
#: Default half-angle of the wind-direction uncertainty band: one 16-point compass sector [4]_. [°]
DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG = 22.5


# ----------------------------------------------------------------------------------------------------------------
# Toxic zones of a release of a substance at a point (public API for the acceptance suite)
# ----------------------------------------------------------------------------------------------------------------
def _levels_for(sub, names) -> list:
    """ZoneLevels for level names; AEGL falls back to PAC where the substance record holds PAC values."""
    out = []
    for name in names:
        if name not in TOXIC_LEVEL_NAMES:
            raise ValueError(
                f"levels 阈值名称={name!r} 无效，应为 {list(TOXIC_LEVEL_NAMES)} 之一 (unknown level)"
            )
        if name == "IDLH":
            v, kind = float(sub.idlh), "IDLH"
        else:
            family, k = name.split("-")
            v = float(getattr(sub, f"aegl{k}"))
            kind = sub.threshold_kind or "AEGL"
            if family != kind and math.isfinite(v):
                log.info("%s: %s requested, %s-%s used (substance record)", sub.key, name, kind, k)
        if not (math.isfinite(v) and v > 0):
            raise ValueError(
                f"substance 物质={sub.name_zh}（{sub.cas}）没有 {name} 阈值；可用的阈值：AEGL/PAC-1/2/3 或 IDLH（视物质记录） "
                f"(no {name} value for {sub.name_en})"
            )
        src = (
            "NIOSH IDLH (substance record)"
            if name == "IDLH"
            else (
                "US EPA AEGL 60-min (substance record)"
                if kind == "AEGL"
                else "US DOE PAC Rev. 29 (substance record)"
            )
        )
        label = name if name == "IDLH" else f"{kind}-{name.split('-')[1]}"
        out.append(zn.ZoneLevel("concentration", v, name, f"{label}（60 min，{num_zh(v * 1e6)} mg/m³）", src))
    return out


def toxic_zones(
    substance,
    *,
    release_rate: float | None = None,
    release_mass: float | None = None,
    duration: float | None = None,
    wind_speed: float,
    stability: str,
    wind_direction: float,
    source_xy: tuple[float, float] = (0.0, 0.0),
    levels: tuple[str, ...] = ("AEGL-3", "AEGL-2", "AEGL-1"),
    temperature: float = AMBIENT_TEMPERATURE,
    terrain: str = "rural",
    release_height: float = 0.0,
) -> gpd.GeoDataFrame:
    """Toxic threat zones of a release of a substance at a point, one footprint polygon per level.

    The release enters the air as pure vapour at the air temperature. A continuous release (``release_rate``)
    is a steady plume; an instantaneous one (``release_mass`` without ``duration``) a puff whose peak concentration
    is compared with the level; ``release_mass`` with ``duration`` is released at the constant rate mass/duration.
    Whether the cloud is dense (Britter & McQuaid [2]_ workbook) or passive (Gaussian plume/puff with
    Pasquill-Gifford/Briggs σ) is decided by :mod:`analysis.scenarios` from the cloud's density and the workbook's
    criteria; the footprint is contoured by :func:`analysis.scenarios.zones.region_above` where the model's own point value
    equals the level.

    Parameters
    ----------
    substance : str or analysis.physics.substances.Substance
        Name, alias or CAS number.
    release_rate : float, optional
        Continuous release rate. [kg/s]
    release_mass : float, optional
        Mass released (instantaneous, or over ``duration``). [kg]
    duration : float, optional
        Release duration; for a continuous release default 1800 s (the longest release considered). [s]
    wind_speed : float
        Wind speed at 10 m. [m/s]
    stability : str
        Pasquill class "A" .. "F".
    wind_direction : float
        Direction the wind comes FROM, clockwise from north (45 = north-east wind, cloud to the south-west). [°]
    source_xy : (float, float)
        Position of the source; the polygons are in the same metric coordinates. [m]
    levels : tuple of str
        Level names (:data:`TOXIC_LEVEL_NAMES`); AEGL-n falls back to PAC-n where the substance has no AEGL.
    temperature : float
        Air temperature. [K]
    terrain : str
        "rural" or "urban" (Briggs σ).
    release_height : float
        Height of the release. [m]

    Returns
    -------
    geopandas.GeoDataFrame
        No CRS (local metres). One row per level in the order given: ``level``, ``threshold`` [kg/m³],
        ``max_distance`` [m] (from ``source_xy``; 0 and an empty polygon when the level is not reached),
        ``label_zh``, ``area_m2`` [m²], ``resolution_m`` [m], ``truncated``, ``geometry``. ``attrs``: ``model``
        ("britter_mcquaid_1988_plume" | "britter_mcquaid_1988_puff" | "gaussian_plume" | "gaussian_puff"),
        ``dense_gas`` (bool), ``downwind_bearing_deg`` [°], ``assumptions`` (Chinese lines), ``weather``.

    Raises
    ------
    ValueError
        Neither or both of ``release_rate`` and ``release_mass``; non-positive values; unknown substance, level,
        stability; a substance that is not toxic or has no value for a level.

    References
    ----------
    .. [1] US EPA, Acute Exposure Guideline Levels, 60-min values; US DOE PAC Rev. 29 (substance record).
    .. [2] Britter, R. E., McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE CRR 17/1988.
    """
    sub = substances.get(substance)
    if (release_rate is None) == (release_mass is None):
        raise ValueError(
            "release_rate 泄漏速率 [kg/s] 与 release_mass 泄漏质量 [kg] 必须且只能给出一个，实际为 "
            f"release_rate={release_rate!r}、release_mass={release_mass!r} (give exactly one)"
        )
    for name, v in (
        ("release_rate 泄漏速率", release_rate),
        ("release_mass 泄漏质量", release_mass),
        ("duration 泄漏时间", duration),
    ):
        if v is not None and not (isinstance(v, int | float | np.floating) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}={v!r} 必须为正的有限数 (must be finite and > 0)")
    weather = sc.Weather(
        wind_speed=wind_speed,
        wind_from_deg=wind_direction,
        stability=stability.strip().upper() if isinstance(stability, str) else stability,
        temperature_k=temperature,
        terrain=terrain,
    )
    x0, y0 = float(source_xy[0]), float(source_xy[1])
    if release_rate is not None:
        dur = float(duration) if duration is not None else sc.MAX_RELEASE_DURATION_S
        mass = float(release_rate) * dur  # the mass that leaves at this rate within the duration
        scenario = sc.Scenario(
            "toxic", release_rate=float(release_rate), max_duration=dur, release_height=release_height
        )
    elif duration is not None:
        mass = float(release_mass)
        scenario = sc.Scenario(
            "toxic",
            release_duration=float(duration),
            max_duration=float(duration),
            release_height=release_height,
        )
    else:
        mass = float(release_mass)
        scenario = sc.Scenario("toxic", release_height=release_height)
    source = sc.ReleaseSource.at_point(
        x0,
        y0,
        substance=sub.cas,
        inventory_kg=mass,
        phase="gas",
        pressure_pa=P_ATM,
        temperature_k=float(temperature),
        source_id="release",
        name="泄漏点",
    )
    f = sc.effect_field(source, scenario, weather)
    lv = _levels_for(sub, levels)
    rows = []
    for level in lv:
        reg = zn.region_above(f.concentration, level.threshold, axis_bearing_deg=f.axis_bearing_deg)
        geom = affinity.translate(reg.geometry, x0, y0) if not reg.geometry.is_empty else reg.geometry
        rows.append(
            {
                "level": level.name,
                "threshold": float(level.threshold),
                "max_distance": float(reg.max_distance),
                "label_zh": level.label_zh,
                "area_m2": float(reg.geometry.area),
                "resolution_m": float(reg.resolution),
                "truncated": bool(reg.truncated),
                "geometry": geom,
            }
        )
    gdf = nest_levels(gpd.GeoDataFrame(rows, geometry="geometry"), (x0, y0))
    info = f.model if isinstance(f.model, dict) else {}
    dense = bool(info.get("dense", False))
    mode = info.get("mode", "plume")
    gdf.attrs["model"] = ("britter_mcquaid_1988_" if dense else "gaussian_") + mode
    gdf.attrs["dense_gas"] = dense
    gdf.attrs["downwind_bearing_deg"] = weather.downwind_bearing_deg
    gdf.attrs["assumptions"] = list(f.assumptions) + [
        "释放物以纯蒸气、气温状态进入大气（未计闪蒸低温和气溶胶对密度的影响）"
    ]
    gdf.attrs["weather"] = weather.describe_zh()
    return gdf


#: Growth of a more severe level before it is merged into the next one, so that containment holds exactly in
#: floating point (far below the contouring resolution of metres). [m]
NEST_EPSILON_M = 0.01


def nest_levels(zones: gpd.GeoDataFrame, origin: tuple[float, float]) -> gpd.GeoDataFrame:
    """Zones made strictly nested: the polygon of each level is the union of its own polygon and the polygon of
    the more severe level before it (rows ordered most severe first), that one grown by :data:`NEST_EPSILON_M`.

    Each level is traced on its own adaptive grid (:func:`analysis.scenarios.zones.region_above`), so without this
    a less severe zone could miss slivers of a more severe one by a fraction of a grid cell; with it, AEGL-1
    contains AEGL-2, which contains AEGL-3 (shapely ``contains`` holds). ``max_distance`` [m] (from ``origin``) and
    ``area_m2`` [m²] are those of the nested polygons.
    """
    out = zones.copy()
    geoms, reach, prev = [], [], None
    for g in zones.geometry:
        own = g if g is not None else shapely.Polygon()
        if prev is not None and not prev.is_empty:
            own = shapely.union(own, shapely.buffer(prev, NEST_EPSILON_M, quad_segs=2))
        geoms.append(own)
        xy = shapely.get_coordinates(own)
        reach.append(float(np.hypot(xy[:, 0] - origin[0], xy[:, 1] - origin[1]).max()) if len(xy) else 0.0)
        prev = own
    out["geometry"] = geoms
    if "max_distance" in out:
        out["max_distance"] = reach
    if "area_m2" in out:
        out["area_m2"] = [float(g.area) for g in geoms]
    out.attrs = dict(zones.attrs)
    return out


# ----------------------------------------------------------------------------------------------------------------
# All the zones of one release
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmergencyResult:
    """Zones of one release (all GeoDataFrames in the park's metric CRS).

    Attributes
    ----------
    source : analysis.scenarios.ReleaseSource
        The release source (:func:`release_source`).
    release : Release
    weather : analysis.scenarios.Weather
    crs : pyproj.CRS
    toxic : geopandas.GeoDataFrame
        AEGL-3/2/1 footprints (output of :func:`analysis.scenarios.zones.threat_zones`), empty if the substance is not toxic.
    band : geopandas.GeoDataFrame
        The same levels swept through ±``uncertainty_half_angle_deg`` (wind-direction uncertainty).
    fire : geopandas.GeoDataFrame
        Flammable (LFL, 60 % LFL) and fire/explosion zones with a ``scenario`` column; empty if it does not burn.
    isolation : geopandas.GeoDataFrame
        The initial isolation circle (one row: ``radius_m``, ``source``).
    erg : pandas.DataFrame
        :func:`erg_comparison` for the release.
    field : analysis.scenarios.EffectField or None
        The toxic effect field (concentration, probability of death at points).
    dense_gas : bool
    spill_size : str
    daytime : bool
    uncertainty_half_angle_deg : float
    assumptions : tuple of str
    notes : tuple of str
        Scenarios that did not apply, with the reason.
    """

    source: sc.ReleaseSource
    release: Release
    weather: object
    crs: object
    toxic: gpd.GeoDataFrame
    band: gpd.GeoDataFrame
    fire: gpd.GeoDataFrame
    isolation: gpd.GeoDataFrame
    erg: pd.DataFrame
    field: object
    dense_gas: bool
    spill_size: str
    daytime: bool
    uncertainty_half_angle_deg: float
    assumptions: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def origin(self) -> tuple[float, float]:
        """Source position in the metric CRS. [m]"""
        return self.source.origin

    @property
    def worst_zone(self):
        """The zone routes must not cross: the most severe non-empty toxic band (or fire zone) and the isolation
        circle, as one polygon in the metric CRS."""
        parts = [self.isolation.geometry.iloc[0]]
        for gdf in (self.band, self.fire):
            ne = gdf[~gdf.geometry.is_empty] if len(gdf) else gdf
            if len(ne):
                parts.append(ne.geometry.iloc[0])
                break
        return shapely.union_all(parts)

    def zone_distances(self) -> dict[str, float]:
        """Reach of each toxic zone from the source. [m]"""
        return {str(r.level): float(r.max_distance) for r in self.toxic.itertuples()}


def wind_band(
    zones: gpd.GeoDataFrame, origin: tuple[float, float], half_angle_deg: float, *, step_deg: float = 2.5
) -> gpd.GeoDataFrame:
    """Zones swept through ±``half_angle_deg`` about ``origin`` (the wind-direction uncertainty band, see module).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Footprints (any metric CRS), with ``level``.
    origin : (float, float)
        Centre of rotation (the source). [m]
    half_angle_deg : float
        Half-angle of the band, 0..180. [°]
    step_deg : float
        Angular step of the sweep. [°]

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns, swept geometry, ``max_distance`` unchanged, ``half_angle_deg`` added.
    """
    a = float(half_angle_deg)
    if not (math.isfinite(a) and 0.0 <= a <= 180.0):
        raise ValueError(f"half_angle_deg 风向不确定半角={half_angle_deg!r} 应在 0–180° 之间")
    n = max(1, int(math.ceil(a / step_deg)))
    angles = np.linspace(-a, a, 2 * n + 1)
    out = zones.copy()
    geoms = []
    for g in zones.geometry:
        if g is None or g.is_empty or a == 0.0:
            geoms.append(g)
            continue
        # Union of rotated copies plus their convex hull pieces between neighbours fills the swept arc.
        rots = [affinity.rotate(g, float(t), origin=origin) for t in angles]
        hulls = [
            shapely.convex_hull(shapely.union(r1, r2)) for r1, r2 in zip(rots[:-1], rots[1:], strict=True)
        ]
        # The hull of two neighbouring copies may bridge the concave side near the source; limit it to the disc
        # that the zone reaches (never adds area farther than the zone's reach).
        reach = float(np.hypot(*(shapely.get_coordinates(g) - np.asarray(origin)).T).max())
        disc = Point(origin).buffer(reach, 128)
        geoms.append(shapely.intersection(shapely.union_all(rots + hulls), disc))
    out["geometry"] = geoms
    out["half_angle_deg"] = a
    out.attrs = dict(zones.attrs)
    return out


def _fire_zones(
    source: sc.ReleaseSource, release: Release, weather, *, crs, notes: list[str], spill_mass: float
) -> tuple[list[gpd.GeoDataFrame], float]:
    """Flash-fire, fireball or jet-fire, VCE and pool-fire zones of the release (those that apply), each with a
    ``scenario`` column; a scenario that does not apply is added to ``notes`` with the reason. The spill mass
    [kg] is taken from the first fire scenario's source term when ``spill_mass`` is not finite (no toxic field)."""
    kinds = [o.kind for o in sc.applicable_scenarios(source)]
    wanted = ["flash_fire"]
    if release.kind == "instantaneous":
        wanted += ["fireball", "vce", "pool_fire"]
    else:
        wanted += ["jet_fire", "vce", "pool_fire"]
    parts = []
    for kind in wanted:
        if kind not in kinds:
            continue
        try:
            scen = release.scenario(kind)
            z = zn.threat_zones(source, scen, weather, crs=crs)
        except ValueError as exc:
            notes.append(f"{sc.SCENARIO_LABELS_ZH[kind]}：不适用（{exc}）")
            continue
        z["scenario"] = kind
        parts.append(z)
        if not math.isfinite(spill_mass):
            spill_mass = float(sc.source_term(source, scen, weather).mass)
    return parts, spill_mass


def _isolation_circle(erg: pd.DataFrame, origin: tuple[float, float], crs) -> gpd.GeoDataFrame:
    """The initial isolation circle: the ERG isolation distance of the first edition that lists the material, else
    :data:`DEFAULT_ISOLATION_M` [1]_. One row: ``level``, ``label_zh``, ``radius_m`` [m], ``source``."""
    if len(erg):
        r0 = erg.iloc[0]
        radius = float(r0["isolation_m"])
        iso_src = f"{r0['source']}（{'已核实' if r0['verified'] else '未能核实'}）"
    else:
        radius = DEFAULT_ISOLATION_M
        iso_src = "ERG 2024 橙色指南 123–125：至少 100 m（表中无该物质）"
    return gpd.GeoDataFrame(
        {"level": ["isolation"], "label_zh": ["初始隔离区"], "radius_m": [radius], "source": [iso_src]},
        geometry=[Point(*origin).buffer(radius, 64)],
        crs=crs,
    )


def emergency_zones(
    source: sc.ReleaseSource,
    release: Release,
    weather,
    *,
    crs,
    time_of_day="22:00",
    uncertainty_half_angle_deg: float = DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG,
    include_fire: bool = True,
    day_hours: tuple[float, float] = DEFAULT_DAY_HOURS,
) -> EmergencyResult:
    """All the zones of one release: toxic, uncertainty band, flammable/fire/explosion, isolation, ERG.

    Parameters
    ----------
    source : analysis.scenarios.ReleaseSource or pandas.Series
        :func:`release_source` (metric CRS), or an installations row in the metric CRS (converted by
        :meth:`analysis.scenarios.ReleaseSource.from_installation`).
    release : Release
    weather : analysis.scenarios.Weather
    crs : pyproj.CRS
        The park's metric CRS.
    time_of_day : str or datetime.time
        Local time of the release (day/night for the ERG column and populations).
    uncertainty_half_angle_deg : float
        Half-angle of the wind-direction band. [°]
    include_fire : bool
        Also compute flammable and fire/explosion zones where the substance burns.
    day_hours : (float, float)
        Local hours of the day. [h]

    Returns
    -------
    EmergencyResult
    """
    source = sc.as_release_source(source)
    sub = source.substance_record
    daytime = is_daytime(time_of_day, day_hours=day_hours)
    notes: list[str] = []
    assumptions: list[str] = [f"泄漏方式：{release.describe_zh()}"]
    field_ = None
    dense = False
    empty = gpd.GeoDataFrame(
        {"level": pd.Series(dtype=str), "max_distance": pd.Series(dtype=float)},
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )
    toxic, band = empty, empty
    spill_mass = math.nan
    if sub.toxic and math.isfinite(sub.aegl3 if math.isfinite(sub.aegl3) else sub.idlh):
        scen = release.scenario("toxic")
        field_ = sc.effect_field(source, scen, weather)
        toxic = nest_levels(zn.threat_zones(source, scen, weather, crs=crs, field=field_), field_.origin)
        info = field_.model if isinstance(field_.model, dict) else {}
        dense = bool(info.get("dense", False))
        band = nest_levels(wind_band(toxic, field_.origin, uncertainty_half_angle_deg), field_.origin)
        assumptions.extend(field_.assumptions)
        spill_mass = field_.source.mass
    else:
        notes.append(f"{sub.name_zh} 不属于有毒物质或无 AEGL/PAC/IDLH 阈值：不绘制中毒区")
    fire_parts: list[gpd.GeoDataFrame] = []
    if include_fire and sub.flammable:
        fire_parts, spill_mass = _fire_zones(
            source, release, weather, crs=crs, notes=notes, spill_mass=spill_mass
        )
    fire = (
        gpd.GeoDataFrame(pd.concat(fire_parts, ignore_index=True), geometry="geometry", crs=crs)
        if fire_parts
        else empty.assign(scenario=pd.Series(dtype=str))
    )
    spill_size = _erg_spill_size(sub, spill_mass)
    dist = {str(r.level): float(r.max_distance) for r in toxic.itertuples()} if len(toxic) else {}
    inv = float(source.inventory_kg) if source.inventory_kg is not None else math.nan
    erg = erg_comparison(
        sub,
        spill_size=spill_size,
        daytime=daytime,
        model_distances=dist,
        wind_speed=weather.wind_speed,
        inventory_kg=inv if math.isfinite(inv) else spill_mass,
        kind=source.kind,
    )
    isolation = _isolation_circle(erg, source.origin, crs)
    radius, iso_src = float(isolation["radius_m"].iloc[0]), str(isolation["source"].iloc[0])
    assumptions.append(f"初始隔离半径 {radius:g} m：{iso_src}")
    assumptions.append(
        f"风向不确定带：足迹绕泄漏源旋转 ±{uncertainty_half_angle_deg:g}°（本软件的选择，相当于 16 方位的一个方位；"
        "参照 ALOHA 风向置信线的做法，角度未按 ALOHA 取值）"
    )
    assumptions.append(
        f"{'白天' if daytime else '夜间'}（{time_of_day}，白天按 {day_hours[0]:g}–{day_hours[1]:g} 时计）；"
        f"ERG 泄漏规模：{'小量（< 208 L）' if spill_size == 'small' else '大量（≥ 208 L）'}"
        + (f"；{erg['note_zh'].iloc[0]}" if len(erg) and erg["note_zh"].iloc[0] else "")
    )
    return EmergencyResult(
        source=source,
        release=release,
        weather=weather,
        crs=crs,
        toxic=toxic,
        band=band,
        fire=fire,
        isolation=isolation,
        erg=erg,
        field=field_,
        dense_gas=dense,
        spill_size=spill_size,
        daytime=daytime,
        uncertainty_half_angle_deg=float(uncertainty_half_angle_deg),
        assumptions=tuple(assumptions),
        notes=tuple(notes),
    )
