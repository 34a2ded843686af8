"""Emergency response to one release: threat zones, who is inside, where to go and by which road.

An emergency team needs, within a minute of a call, the zones of a release on the map, the people inside them
with the time the cloud arrives, and the way out. This module assembles that from the models that exist
elsewhere — it holds no physical model of its own:

- the release (source term) and the effect fields come from :mod:`analysis.scenarios` (which calls the source,
  dispersion, fire and explosion models of :mod:`analysis.consequence` and the probits of
  :mod:`analysis.physics.vulnerability`); the footprints are contoured by :mod:`analysis.scenarios.zones`;
- :func:`toxic_zones` gives the AEGL-3/2/1 footprints of a release of a substance at any point (dense gas by
  Britter & McQuaid where the cloud is heavier than air, Gaussian otherwise, decided by :mod:`analysis.scenarios`);
- :func:`emergency_zones` gives, for an installation, a point or a point along a pipeline: the toxic zones, the
  wind-direction uncertainty band, the flammable (LFL, 60 % LFL) and fire/explosion zones where the substance
  burns, the initial isolation circle and the comparison with the Emergency Response Guidebook [1]_ [2]_;
- :func:`affected_targets` lists sensitive targets, buildings and installations inside the zones with their
  population at the given time, the cloud's arrival time, the concentration and dose there and a recommendation
  (evacuate or shelter in place, with the reason) [1]_ [5]_;
- :func:`road_graph`, :func:`assembly_points` and :func:`evacuation_routes` build the road network (networkx),
  choose assembly points upwind and outside the zones and route every affected target to the nearest one
  avoiding the worst zone;
- :func:`to_geojson` and :func:`to_kml` export the briefing's geometry for field devices.

Conventions
-----------
Wind direction is where the wind comes FROM, clockwise from north (a north-east wind, 45°, carries the cloud to
the south-west, 225°). Coordinates are metres in the park's metric CRS (or local metres around ``source_xy`` in
:func:`toxic_zones`). SI units at every boundary.

Wind-direction uncertainty
--------------------------
Response tools draw the uncertainty of the wind direction around the footprint: ALOHA draws "wind direction
confidence lines" that enclose the area the footprint would cover, with 95 % confidence, if the wind direction
shifted [3]_. parkrisk draws the band as the union of the footprint turned through ±θ about the source
(``uncertainty_half_angle_deg``; default 22.5°, one point of the 16-point compass in which wind directions are
observed and reported [4]_). ALOHA's own angle depends on the wind speed and is not reproduced here: the value of
θ is a choice of ours, shown with the result.

References
----------
.. [1] US DOT PHMSA, Transport Canada, SCT Mexico (2020). Emergency Response Guidebook 2020 (ERG 2020):
       Table 1 – Initial Isolation and Protective Action Distances (green pages) and the white pages on
       protective actions (evacuation, shelter in place; day = sunrise to sunset).
.. [2] US DOT RSPA, Transport Canada, SCT Mexico (2004). Emergency Response Guidebook 2004, Table of Initial
       Isolation and Protective Action Distances.
.. [3] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). ALOHA (Areal Locations of Hazardous
       Atmospheres) 5.4.4 Technical Documentation. NOAA Technical Memorandum NOS OR&R 43 (threat zones, levels of
       concern, wind direction confidence lines).
.. [4] WMO (2018). Guide to Instruments and Methods of Observation (WMO-No. 8), Vol. I, chapter 5 (surface wind:
       direction reported in degrees or on the 16-point compass).
.. [5] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1 (key to the
       Pasquill stability categories from wind speed, insolation and night-time cloud cover).
.. [6] Britter, R. E., McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE Contract Research
       Report 17/1988 (via :mod:`analysis.physics.dispersion`).
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point

from analysis._data import DATA_DIR

log = logging.getLogger(__name__)

__all__ = [
    "RELEASE_KINDS",
    "TOXIC_LEVEL_NAMES",
    "ERG_EDITIONS",
    "DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG",
    "DEFAULT_ISOLATION_M",
    "DEFAULT_EVACUATION_TIME_S",
    "Release",
    "EmergencyResult",
    "pasquill_stability",
    "is_daytime",
    "toxic_zones",
    "release_source",
    "emergency_zones",
    "wind_band",
    "erg_table",
    "erg_comparison",
    "affected_targets",
    "road_graph",
    "assembly_points",
    "evacuation_routes",
    "briefing_layers",
    "to_geojson",
    "to_kml",
]

_DATA = DATA_DIR
_R = 8.314462618  # [J/(mol·K)]
_P_ATM = 101325.0  # [Pa]

#: Release kinds: all at once (G.1), at a constant rate for a duration, through a hole from the unit's conditions.
RELEASE_KINDS: dict[str, str] = {
    "hole": "孔口泄漏（按设施压力、温度）",
    "continuous": "连续泄漏（给定速率）",
    "instantaneous": "瞬时泄漏（全部存量）",
}
#: Toxic level names accepted by :func:`toxic_zones` (60-min values from the substance record).
TOXIC_LEVEL_NAMES: tuple[str, ...] = ("AEGL-3", "AEGL-2", "AEGL-1", "PAC-3", "PAC-2", "PAC-1", "IDLH")
#: Default half-angle of the wind-direction uncertainty band: one 16-point compass sector [4]_. [°]
DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG = 22.5
#: Initial isolation radius when the ERG table has no entry for the material: "isolate spill or leak area for
#: at least 100 meters in all directions", the immediate precautionary measure of the ERG guides for toxic gases
#: (ERG 2020 [1]_, orange guides 123–125). [m]
DEFAULT_ISOLATION_M = 100.0
#: Time needed to warn and move people out of a target, used to choose between evacuation and shelter in place
#: (an assumption the user sets: ERG [1]_ gives no number). [s]
DEFAULT_EVACUATION_TIME_S = 1200.0
#: Spill-size limit of the ERG tables: a small spill is less than 208 litres (55 US gallons) [1]_. [m³]
ERG_SMALL_SPILL_M3 = 0.208
#: Daytime hours used when no sunrise/sunset is given ([start, end) local hours). ERG [1]_: day is sunrise to sunset.
DEFAULT_DAY_HOURS = (6.0, 18.0)


# ----------------------------------------------------------------------------------------------------------------
# Weather: Pasquill class from wind speed, day/night and cloud cover
# ----------------------------------------------------------------------------------------------------------------
#: Turner (1970) Table 1 [5]_: class by wind speed at 10 m [m/s] (upper bounds 2, 3, 5, 6, inf) and by daytime
#: insolation (strong/moderate/slight) or night cloud cover (>= 4/8 low cloud or thin overcast; <= 3/8). Where the
#: table gives two classes (A–B, B–C, C–D) the more stable one is taken (longer toxic distances). Turner leaves the
#: night cell below 2 m/s empty; F is taken there (calm, clear or cloudy night: the most stable class).
_TURNER_SPEED_BOUNDS = (2.0, 3.0, 5.0, 6.0, math.inf)
_TURNER_TABLE: dict[str, tuple[str, ...]] = {
    "strong": ("A", "B", "B", "C", "C"),  # A, A–B, B, C, C
    "moderate": ("B", "B", "C", "D", "D"),  # A–B, B, B–C, C–D, D
    "slight": ("B", "C", "C", "D", "D"),
    "night_cloudy": ("F", "E", "D", "D", "D"),  # >= 4/8 low cloud; below 2 m/s: empty in Turner -> F (ours)
    "night_clear": ("F", "F", "E", "D", "D"),  # <= 3/8 cloud
}
INSOLATION_KINDS: dict[str, str] = {"strong": "强日照", "moderate": "中等日照", "slight": "弱日照"}


def pasquill_stability(
    wind_speed: float,
    *,
    daytime: bool,
    insolation: str = "moderate",
    cloud_cover: float = 0.5,
    overcast: bool = False,
) -> str:
    """Pasquill stability class from wind speed, day or night, insolation and cloud cover (Turner 1970, Table 1).

    Parameters
    ----------
    wind_speed : float
        Wind speed at 10 m. [m/s]
    daytime : bool
        True between sunrise and sunset.
    insolation : str
        Daytime incoming solar radiation: "strong", "moderate" or "slight" (ignored at night).
    cloud_cover : float
        Night-time cloud cover as a fraction of the sky, 0..1 (>= 4/8 counts as cloudy). [-]
    overcast : bool
        Heavy overcast (full low cloud) by day or night: class D [5]_.

    Returns
    -------
    str
        "A" .. "F".

    References
    ----------
    .. [1] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1.
    """
    u = float(wind_speed)
    if not (math.isfinite(u) and u > 0):
        raise ValueError(f"wind_speed 风速={wind_speed!r} 必须为正的有限数 [m/s] (must be finite and > 0)")
    cc = float(cloud_cover)
    if not (0.0 <= cc <= 1.0):
        raise ValueError(f"cloud_cover 云量={cloud_cover!r} 应在 0–1 之间 (fraction of the sky, 0..1)")
    if overcast:
        return "D"  # [1] Table 1 note: heavy overcast, day or night -> D
    if daytime:
        if insolation not in _TURNER_TABLE or insolation.startswith("night"):
            raise ValueError(
                f"insolation 日照={insolation!r} 无效，应为 {list(INSOLATION_KINDS)} 之一 (must be one of {list(INSOLATION_KINDS)})"
            )
        row = _TURNER_TABLE[insolation]
    else:
        row = _TURNER_TABLE["night_cloudy" if cc >= 4.0 / 8.0 else "night_clear"]
    k = next(i for i, b in enumerate(_TURNER_SPEED_BOUNDS) if u < b)
    return row[k]


def is_daytime(when, *, day_hours: tuple[float, float] = DEFAULT_DAY_HOURS) -> bool:
    """Whether a local time lies in the day (ERG [1]_: sunrise to sunset; approximated by ``day_hours``).

    Parameters
    ----------
    when : datetime.time, datetime.datetime or str
        Local time, e.g. ``"22:00"``.
    day_hours : (float, float)
        Start and end of the day in local hours. [h]
    """
    t = _parse_time(when)
    h = t.hour + t.minute / 60.0
    return bool(day_hours[0] <= h < day_hours[1])


def _parse_time(when) -> _dt.time:
    if isinstance(when, _dt.datetime):
        return when.time()
    if isinstance(when, _dt.time):
        return when
    try:
        return _dt.time.fromisoformat(str(when).strip())
    except ValueError:
        raise ValueError(f"time 时间={when!r} 无法识别，应为 HH:MM，例如 22:00 (expected HH:MM)") from None


# ----------------------------------------------------------------------------------------------------------------
# Toxic zones of a release of a substance at a point (public API for the acceptance suite)
# ----------------------------------------------------------------------------------------------------------------
def _levels_for(sub, names) -> list:
    """ZoneLevels for level names; AEGL falls back to PAC where the substance record holds PAC values."""
    from analysis.scenarios.zones import ZoneLevel

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
        out.append(ZoneLevel("concentration", v, name, f"{label}（60 min，{v * 1e6:.3g} mg/m³）", src))
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
    temperature: float = 293.15,
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
    from analysis import scenarios as sc
    from analysis.physics import substances
    from analysis.scenarios.zones import region_above

    sub = substances.get(substance)
    if (release_rate is None) == (release_mass is None):
        raise ValueError(
            "release_rate 泄漏速率 [kg/s] 与 release_mass 泄漏质量 [kg] 必须且只能给出一个 "
            f"(give exactly one; got release_rate={release_rate!r}, release_mass={release_mass!r})"
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
        mass = float(release_rate) * dur
        scenario = sc.Scenario("toxic", release_duration=dur, max_duration=dur, release_height=release_height)
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
    row = {
        "unit_id": "release",
        "substance": sub.cas,
        "inventory_kg": mass,
        "phase": "gas",
        "pressure_pa": _P_ATM,
        "temperature_k": float(temperature),
        "geometry": Point(x0, y0),
    }
    f = sc.effect_field(row, scenario, weather)
    lv = _levels_for(sub, levels)
    rows = []
    for level in lv:
        reg = region_above(f.concentration, level.threshold, axis_bearing_deg=f.axis_bearing_deg)
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
    gdf = gpd.GeoDataFrame(rows, geometry="geometry")
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


# ----------------------------------------------------------------------------------------------------------------
# Releases at installations, points and pipelines
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Release:
    """How the material gets out.

    Parameters
    ----------
    kind : str
        A key of :data:`RELEASE_KINDS`: "hole" (default: through a hole at the unit's pressure and temperature,
        source models of :mod:`analysis.physics.source` via :func:`analysis.scenarios.source_term`),
        "continuous" (at ``rate``) or "instantaneous" (the whole releasable mass at once, CPR 18E G.1).
    hole_diameter : float
        Effective hole diameter for "hole" (default 25 mm, a medium leak). [m]
    rate : float or None
        Release rate for "continuous". [kg/s]
    duration : float
        Longest release considered (Purple Book: 1800 s; ERG distances cover the first 30 min). [s]
    release_fraction : float
        Fraction of the inventory that can escape. [-]
    release_height : float
        [m]
    """

    kind: str = "hole"
    hole_diameter: float = 0.025
    rate: float | None = None
    duration: float = 1800.0
    release_fraction: float = 1.0
    release_height: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in RELEASE_KINDS:
            raise ValueError(
                f"kind 泄漏方式={self.kind!r} 无效，应为 {list(RELEASE_KINDS)} 之一 (must be one of {list(RELEASE_KINDS)})"
            )
        if self.kind == "hole" and not (math.isfinite(self.hole_diameter) and 0 < self.hole_diameter <= 5.0):
            raise ValueError(f"hole_diameter 泄漏孔径={self.hole_diameter!r} 应在 (0, 5] m 之间")
        if self.kind == "continuous" and not (
            self.rate is not None and math.isfinite(self.rate) and self.rate > 0
        ):
            raise ValueError(f"rate 泄漏速率={self.rate!r} 连续泄漏必须给出正的速率 [kg/s]")
        if not (math.isfinite(self.duration) and self.duration > 0):
            raise ValueError(f"duration 泄漏持续时间={self.duration!r} 必须为正 [s]")

    def scenario(self, kind: str, row) -> object:
        """The :class:`analysis.scenarios.Scenario` of outcome ``kind`` for this release at ``row``."""
        from analysis import scenarios as sc

        common = dict(
            release_fraction=self.release_fraction,
            release_height=self.release_height,
            max_duration=self.duration,
        )
        if self.kind == "instantaneous":
            return sc.Scenario(kind, **common)
        if self.kind == "hole":
            return sc.Scenario(kind, hole_diameter=self.hole_diameter, **common)
        inv = float(row["inventory_kg"]) * self.release_fraction
        # A constant rate r empties the releasable mass in inv / r (CPR 18E G.2 convention of analysis.scenarios).
        return sc.Scenario(kind, release_duration=inv / float(self.rate), **common)

    def describe_zh(self) -> str:
        if self.kind == "hole":
            s = f"孔口泄漏，孔径 {self.hole_diameter * 1e3:g} mm"
        elif self.kind == "continuous":
            s = f"连续泄漏，速率 {self.rate:g} kg/s"
        else:
            s = "瞬时泄漏（容器整体破裂）"
        return s + f"，最长持续 {self.duration / 60:g} min，泄漏比例 {self.release_fraction:g}"


def release_source(
    park,
    *,
    unit_id: str | None = None,
    point: tuple[float, float] | None = None,
    pipeline_id: str | None = None,
    along: float = 0.5,
    substance: str | None = None,
    inventory_kg: float | None = None,
    phase: str | None = None,
    pressure_pa: float | None = None,
    temperature_k: float | None = None,
) -> pd.Series:
    """The installation-like record of the release source, in the park's metric CRS.

    Exactly one of ``unit_id`` (an installation: substance, inventory and conditions prefilled from its
    attributes; the keyword arguments override them), ``point`` (x, y in the park's metric CRS [m]; substance and
    inventory required) or ``pipeline_id`` (the point at fraction ``along`` of the pipeline's length; substance,
    pressure and diameter from the pipeline).

    For a pipeline: the phase is "gas" when the substance boils below the temperature (default 293.15 K) and
    the pressure is below its vapour pressure, "liquefied_gas" when it boils below the temperature but is held
    above its vapour pressure, else "liquid"; the inventory is the content of the whole line (π/4 D² L at the
    line's density) — an upper bound, since the release stops at the release duration anyway.

    Returns
    -------
    pandas.Series
        ``unit_id``, ``name``, ``substance``, ``inventory_kg`` [kg], ``phase``, ``pressure_pa`` [Pa abs],
        ``temperature_k`` [K], ``diameter_m``, ``height_m``, ``bund_area_m2``, ``geometry`` (metric CRS).

    Raises
    ------
    ValueError
        Not exactly one source given, unknown id, or missing substance/inventory for a point.
    """
    from analysis.physics import substances

    given = [x is not None for x in (unit_id, point, pipeline_id)]
    if sum(given) != 1:
        raise ValueError(
            "请给出且只给出一个泄漏源：unit_id（设施）、point（坐标）或 pipeline_id（管道） (give exactly one source)"
        )
    overrides = {
        "substance": substance,
        "inventory_kg": inventory_kg,
        "phase": phase,
        "pressure_pa": pressure_pa,
        "temperature_k": temperature_k,
    }
    if unit_id is not None:
        inst = park.metric("installations")
        hit = inst[inst["unit_id"].astype(str) == str(unit_id)]
        if hit.empty:
            known = inst["unit_id"].astype(str).tolist()
            raise ValueError(
                f"unit_id 设施编号={unit_id!r} 不存在；园区中的设施编号有：{', '.join(known[:20])} … (unknown unit id)"
            )
        row = hit.iloc[0].copy()
    elif point is not None:
        if substance is None or inventory_kg is None:
            raise ValueError(
                "point 坐标泄漏源需要给出 substance 物质 和 inventory_kg 泄漏量 [kg] (substance and inventory required)"
            )
        row = pd.Series(
            {
                "unit_id": f"P({point[0]:.0f},{point[1]:.0f})",
                "name": "指定地点",
                "substance": substance,
                "inventory_kg": float(inventory_kg),
                "phase": phase or "gas",
                "pressure_pa": pressure_pa or _P_ATM,
                "temperature_k": temperature_k or 293.15,
                "diameter_m": None,
                "height_m": None,
                "bund_area_m2": None,
                "geometry": Point(float(point[0]), float(point[1])),
            }
        )
    else:
        pipes = park.metric("pipelines")
        hit = pipes[pipes["pipeline_id"].astype(str) == str(pipeline_id)] if pipes is not None else pipes
        if hit is None or hit.empty:
            known = [] if pipes is None else pipes["pipeline_id"].astype(str).tolist()
            raise ValueError(
                f"pipeline_id 管道编号={pipeline_id!r} 不存在；园区中的管道有：{', '.join(known)} (unknown pipeline)"
            )
        if not (0.0 <= float(along) <= 1.0):
            raise ValueError(f"along 管道位置比例={along!r} 应在 0–1 之间 (fraction of the length)")
        p = hit.iloc[0]
        sub = substances.get(str(substance or p["substance"]))
        t = float(temperature_k or 293.15)
        pr = float(pressure_pa or p["pressure_pa"])
        if phase is None:
            if sub.boiling_point < t:
                phase = "liquefied_gas" if pr >= float(sub.vapour_pressure(t)) else "gas"
            else:
                phase = "liquid"
        d = float(p["diameter_m"])
        length = float(p.geometry.length)
        rho = (
            (pr * sub.molar_mass / (_R * t))
            if phase == "gas"
            else float(sub.liquid_density_at(min(t, sub.critical_temperature - 1)))
        )
        inv = inventory_kg if inventory_kg is not None else math.pi / 4.0 * d * d * length * rho
        row = pd.Series(
            {
                "unit_id": f"{pipeline_id}@{along:.2f}",
                "name": f"{p['name']}（{along * 100:.0f}% 处）",
                "substance": sub.cas,
                "inventory_kg": float(inv),
                "phase": phase,
                "pressure_pa": pr,
                "temperature_k": t,
                "diameter_m": None,
                "height_m": None,
                "bund_area_m2": None,
                "geometry": p.geometry.interpolate(float(along), normalized=True),
            }
        )
        overrides = {}
    for k, v in overrides.items():
        if v is not None:
            row[k] = v
    return row


# ----------------------------------------------------------------------------------------------------------------
# ERG table
# ----------------------------------------------------------------------------------------------------------------
#: ERG editions bundled: file name, citation.
ERG_EDITIONS: dict[str, tuple[str, str]] = {
    "erg2020": (
        "erg2020_table1.csv",
        "ERG 2020, Table 1 – Initial Isolation and Protective Action Distances",
    ),
    "erg2004": ("erg2004_table1.csv", "ERG 2004, Table of Initial Isolation and Protective Action Distances"),
}


@lru_cache(maxsize=4)
def _erg_cached(edition: str) -> pd.DataFrame:
    df = pd.read_csv(_DATA / ERG_EDITIONS[edition][0], comment="#", dtype={"un_number": str, "cas": str})
    df["verified"] = df["verified"].astype(str).str.lower().eq("true")
    df["edition"] = edition
    return df


def erg_table(edition: str = "erg2020") -> pd.DataFrame:
    """The bundled ERG initial isolation / protective action distances of one edition (a copy).

    Columns: ``un_number``, ``name_en``, ``name_zh``, ``cas``, ``guide``, ``spill_size`` ("small"/"large"),
    ``isolation_m`` [m], ``protect_day_km`` [km], ``protect_night_km`` [km] (as printed), ``source``,
    ``verified`` (confirmed in this project against a copy of the table), ``verification_note``, ``edition``.
    """
    if edition not in ERG_EDITIONS:
        raise ValueError(
            f"edition ERG 版本={edition!r} 无效，应为 {list(ERG_EDITIONS)} 之一 (must be one of {list(ERG_EDITIONS)})"
        )
    return _erg_cached(edition).copy()


def erg_comparison(
    substance, *, spill_size: str, daytime: bool, model_distances: dict[str, float]
) -> pd.DataFrame:
    """Side-by-side ERG distances and the model's zone distances for the same material and spill size.

    ERG protective action distances are the 90th percentile, over many modelled releases and weather records, of
    the downwind distance to the AEGL-2 (or ERPG-2) level in the first 30 min ([1]_ "Background on Table 1"), so
    the model's AEGL-2 distance is the one to compare with; the isolation distance compares with the AEGL-3 zone.

    Parameters
    ----------
    substance : str or Substance
    spill_size : str
        "small" (< 208 L) or "large".
    daytime : bool
    model_distances : dict
        ``{"AEGL-3": m, "AEGL-2": m, "AEGL-1": m}`` reach of the model's zones. [m]

    Returns
    -------
    pandas.DataFrame
        One row per bundled edition that lists the material and size: ``edition``, ``source``, ``verified``,
        ``isolation_m``, ``protective_action_m`` (day or night as asked) [m], ``model_aegl3_m``, ``model_aegl2_m``
        [m], ``ratio_aegl2_to_erg`` [-]. Empty when no edition lists it.
    """
    from analysis.physics import substances

    if spill_size not in ("small", "large"):
        raise ValueError(f"spill_size 泄漏规模={spill_size!r} 应为 'small' 或 'large'")
    sub = substances.get(substance)
    rows = []
    for ed in ERG_EDITIONS:
        t = _erg_cached(ed)
        hit = t[(t["cas"] == sub.cas) & (t["spill_size"] == spill_size)]
        for _, r in hit.iterrows():
            pad = float(r["protect_day_km" if daytime else "protect_night_km"]) * 1e3  # km -> m
            m2 = float(model_distances.get("AEGL-2", math.nan))
            rows.append(
                {
                    "edition": ed,
                    "source": r["source"],
                    "verified": bool(r["verified"]),
                    "verification_note": r["verification_note"],
                    "un_number": r["un_number"],
                    "spill_size": spill_size,
                    "period": "day" if daytime else "night",
                    "isolation_m": float(r["isolation_m"]),
                    "protective_action_m": pad,
                    "model_aegl3_m": float(model_distances.get("AEGL-3", math.nan)),
                    "model_aegl2_m": m2,
                    "ratio_aegl2_to_erg": m2 / pad if pad > 0 else math.nan,
                }
            )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------------------
# All the zones of one release
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmergencyResult:
    """Zones of one release (all GeoDataFrames in the park's metric CRS).

    Attributes
    ----------
    source : pandas.Series
        The source record (:func:`release_source`).
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

    source: pd.Series
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
        c = self.source.geometry.centroid
        return (float(c.x), float(c.y))

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


def emergency_zones(
    source: pd.Series,
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
    source : pandas.Series
        :func:`release_source` (metric CRS).
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
    from analysis import scenarios as sc
    from analysis.physics import substances
    from analysis.scenarios import zones as zn

    sub = substances.get(str(source["substance"]))
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
        scen = release.scenario("toxic", source)
        field_ = sc.effect_field(source, scen, weather)
        toxic = zn.threat_zones(source, scen, weather, crs=crs, field=field_)
        info = field_.model if isinstance(field_.model, dict) else {}
        dense = bool(info.get("dense", False))
        band = wind_band(toxic, field_.origin, uncertainty_half_angle_deg)
        assumptions.extend(field_.assumptions)
        spill_mass = field_.source.mass
    else:
        notes.append(f"{sub.name_zh} 不属于有毒物质或无 AEGL/PAC/IDLH 阈值：不绘制中毒区")
    fire_parts = []
    if include_fire and sub.flammable:
        kinds = [o.kind for o in sc.applicable_scenarios(source)]
        wanted = ["flash_fire"]
        if release.kind == "instantaneous":
            wanted += ["fireball", "vce", "pool_fire"]
        else:
            wanted += ["jet_fire", "vce", "pool_fire"]
        for kind in wanted:
            if kind not in kinds:
                continue
            try:
                scen = release.scenario(kind, source)
                z = zn.threat_zones(source, scen, weather, crs=crs)
            except ValueError as exc:
                notes.append(f"{sc.SCENARIO_LABELS_ZH[kind]}：不适用（{exc}）")
                continue
            z["scenario"] = kind
            fire_parts.append(z)
            if not math.isfinite(spill_mass):
                spill_mass = float(sc.source_term(source, scen, weather).mass)
    fire = (
        gpd.GeoDataFrame(pd.concat(fire_parts, ignore_index=True), geometry="geometry", crs=crs)
        if fire_parts
        else empty.assign(scenario=pd.Series(dtype=str))
    )
    # Spill size as the ERG defines it: small < 208 L of liquid (or its mass of gas).
    rho_l = float(sub.liquid_density_at(min(293.15, sub.critical_temperature - 1.0)))
    spill_size = (
        "small" if (math.isfinite(spill_mass) and spill_mass / rho_l < ERG_SMALL_SPILL_M3) else "large"
    )
    dist = {str(r.level): float(r.max_distance) for r in toxic.itertuples()} if len(toxic) else {}
    erg = erg_comparison(sub, spill_size=spill_size, daytime=daytime, model_distances=dist)
    if len(erg):
        r0 = erg.iloc[0]
        radius = float(r0["isolation_m"])
        iso_src = f"{r0['source']}（{'已核实' if r0['verified'] else '未能核实'}）"
    else:
        radius = DEFAULT_ISOLATION_M
        iso_src = "ERG 2020 橙色指南 123–125：至少 100 m（表中无该物质）"
    ox, oy = _centroid(source)
    isolation = gpd.GeoDataFrame(
        {"level": ["isolation"], "label_zh": ["初始隔离区"], "radius_m": [radius], "source": [iso_src]},
        geometry=[Point(ox, oy).buffer(radius, 64)],
        crs=crs,
    )
    assumptions.append(f"初始隔离半径 {radius:g} m：{iso_src}")
    assumptions.append(
        f"风向不确定带：足迹绕泄漏源旋转 ±{uncertainty_half_angle_deg:g}°（本软件的选择，相当于 16 方位的一个方位；"
        "参照 ALOHA 风向置信线的做法，角度未按 ALOHA 取值）"
    )
    assumptions.append(
        f"{'白天' if daytime else '夜间'}（{time_of_day}，白天按 {day_hours[0]:g}–{day_hours[1]:g} 时计）；"
        f"ERG 泄漏规模：{'小量（< 208 L）' if spill_size == 'small' else '大量（≥ 208 L）'}"
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


def _centroid(row) -> tuple[float, float]:
    c = row["geometry"].centroid
    return (float(c.x), float(c.y))


# ----------------------------------------------------------------------------------------------------------------
# Who is affected
# ----------------------------------------------------------------------------------------------------------------
_BASE_COLUMNS = [
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
_AFFECTED_EXTRA = [
    "protection_class",
    "population",
    "in_centre_zone",
    "nearest_m",
    "arrival_time_s",
    "concentration_kg_m3",
    "exposure_time_s",
    "toxic_load",
    "probability_of_death",
    "recommendation",
    "recommendation_zh",
    "reason_zh",
]
_NON_AMBULATORY = {"hospital", "nursing_home", "kindergarten"}
#: Recommendations and their Chinese labels.
RECOMMENDATIONS_ZH: dict[str, str] = {"evacuate": "撤离", "shelter": "就地避险", "none": "无人员，禁止进入"}


def _worst_point_values(result: EmergencyResult, geoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest distance from the source, and the concentration / probability of death at the worst point of each
    geometry when the wind may turn by up to the band's half-angle towards it (one vectorised field call)."""
    f = result.field
    ox, oy = f.origin
    b = math.radians(result.weather.downwind_bearing_deg)
    half = math.radians(result.uncertainty_half_angle_deg)
    src = Point(ox, oy)
    pts, owner = [], []
    for k, g in enumerate(geoms):
        near_pt = shapely.get_coordinates(shapely.shortest_line(src, g))[-1:]
        coords = shapely.get_coordinates(g.boundary if g.geom_type.endswith("Polygon") else g)
        if len(coords) > 64:
            coords = coords[:: int(math.ceil(len(coords) / 64))]
        p = np.vstack([near_pt, np.asarray(g.centroid.coords)[:, :2], coords[:, :2]])
        pts.append(p)
        owner.append(np.full(len(p), k))
    p = np.vstack(pts) - np.array([ox, oy])
    owner = np.concatenate(owner)
    r = np.hypot(p[:, 0], p[:, 1])
    phi = np.arctan2(p[:, 0], p[:, 1])  # bearing of the point from the source (clockwise from north)
    d = (phi - b + np.pi) % (2 * np.pi) - np.pi  # angle off the downwind axis
    d_eff = np.sign(d) * np.maximum(np.abs(d) - half, 0.0)  # the wind turned towards the point
    x = r * np.sin(b + d_eff)
    y = r * np.cos(b + d_eff)
    c = np.asarray(f.concentration(x, y), dtype=float)
    n = len(geoms)
    near = np.full(n, np.inf)
    np.minimum.at(near, owner, r)
    # index of the largest concentration of each geometry
    order = np.lexsort((c, owner))
    last = np.r_[np.flatnonzero(np.diff(owner[order])), len(order) - 1]
    best = order[last]
    conc = c[best]
    if f.substance.probit is not None:
        pdeath = np.asarray(f.probability_of_death(x[best], y[best]), dtype=float).ravel()
    else:
        pdeath = np.full(n, math.nan)
    return near, conc, pdeath


def _feature_lookup(park) -> dict[str, dict[str, object]]:
    """{layer: {feature id: row}} of the layers :func:`analysis.scenarios.zones.affected` reports (metric CRS)."""
    ids = {"sensitive_targets": "target_id", "buildings": "building_id", "installations": "unit_id"}
    out = {}
    for layer, col in ids.items():
        g = park.metric(layer)
        out[layer] = (
            {}
            if g is None
            else {str(k): r for k, (_, r) in zip(g[col].astype(str), g.iterrows(), strict=True)}
        )
    return out


def affected_targets(
    result: EmergencyResult,
    park,
    *,
    time_of_day="22:00",
    evacuation_time_s: float = DEFAULT_EVACUATION_TIME_S,
    day_hours: tuple[float, float] = DEFAULT_DAY_HOURS,
) -> pd.DataFrame:
    """Sensitive targets, buildings and installations inside the toxic zones (with the uncertainty band).

    Listing: :func:`analysis.scenarios.zones.affected` on the band polygons (each feature once, under the most severe zone
    it touches). Added here:

    - ``population`` [人]: ``population_day`` or ``population_night`` of a target by the time given (ERG [1]_:
      day = sunrise to sunset, approximated by ``day_hours``); ``occupants`` of a building;
    - ``in_centre_zone``: inside the zone for the reported wind direction (not only in the band);
    - ``arrival_time_s`` [s]: nearest distance from the source / wind speed — both the Gaussian and the
      Britter-McQuaid models carry the cloud at the 10 m wind speed (the models' own transport);
    - ``concentration_kg_m3`` [kg/m³]: largest concentration at the feature (nearest point, centroid and outline)
      with the wind turned towards it within the band; ``exposure_time_s`` [s] and ``toxic_load``
      (Cⁿ·t in the probit's units, ppmⁿ·min, when the substance has a probit); ``probability_of_death`` [-]
      outdoors, from :meth:`analysis.scenarios.EffectField.probability_of_death` (toxic probit);
    - ``recommendation`` ("evacuate" | "shelter" | "none") with ``reason_zh``, by these rules (ERG [1]_
      protective actions: shelter in place when evacuation cannot be completed before the cloud arrives or would
      expose people more, e.g. a short puff or people who cannot be moved quickly; evacuate when there is time and
      the exposure would be serious):

      0. nobody there at this time (population 0) → "none" (keep people out);
      1. arrival before ``evacuation_time_s`` → shelter (close windows and doors, stop ventilation);
      2. instantaneous release (a puff passing in minutes) → shelter;
      3. hospital, nursing home or kindergarten outside the AEGL-3 zone → shelter (moving them exposes them more);
      4. AEGL-3 or AEGL-2 zone with time to spare → evacuate;
      5. AEGL-1 zone → shelter (discomfort, reversible effects).

    Parameters
    ----------
    result : EmergencyResult
    park : geodata.Park
    time_of_day : str or datetime.time
    evacuation_time_s : float
        Time needed to warn and clear a target (assumption). [s]
    day_hours : (float, float)
        [h]

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`analysis.scenarios.zones.affected` plus those listed above, sorted by arrival time.
    """
    from analysis.scenarios import zones as zn

    if result.field is None or result.band.empty:
        return pd.DataFrame(columns=_BASE_COLUMNS + _AFFECTED_EXTRA)
    if not (math.isfinite(evacuation_time_s) and evacuation_time_s >= 0):
        raise ValueError(f"evacuation_time_s 疏散所需时间={evacuation_time_s!r} 应为非负数 [s]")
    daytime = is_daytime(time_of_day, day_hours=day_hours)
    band = result.band.copy()
    band["unit_id"] = str(result.source.get("unit_id", ""))
    band.attrs["unit_id"] = band["unit_id"].iloc[0]
    table = zn.affected(band, park)
    if table.empty:
        return pd.DataFrame(columns=_BASE_COLUMNS + _AFFECTED_EXTRA)
    lookup = _feature_lookup(park)
    feats = [lookup[r.layer][r.feature_id] for r in table.itertuples()]
    geoms = [f_.geometry for f_ in feats]
    pclass = [
        str(f_.get("protection_class", "")) if r.layer == "sensitive_targets" else ""
        for f_, r in zip(feats, table.itertuples(), strict=True)
    ]
    near, conc, pdeath = _worst_point_values(result, geoms)
    centre = {str(z.level): z.geometry for z in result.toxic.itertuples()}
    table["protection_class"] = pclass
    pop = np.where(
        daytime, table["population_day"].astype("Float64"), table["population_night"].astype("Float64")
    )
    table["population"] = (
        pd.array(
            np.where(table["layer"] == "buildings", table["occupants"].astype("Float64"), pop),
            dtype="Float64",
        )
        .round()
        .astype("Int64")
    )
    table["in_centre_zone"] = [
        bool(centre.get(lv) is not None and not centre[lv].is_empty and centre[lv].intersects(g))
        for lv, g in zip(table["level"], geoms, strict=True)
    ]
    table["distance_m"] = near
    table["nearest_m"] = near
    u = float(result.weather.wind_speed)
    table["arrival_time_s"] = near / u
    table["concentration_kg_m3"] = conc
    f = result.field
    t_exp = float(f.exposure_time) if math.isfinite(f.exposure_time) else math.nan
    table["exposure_time_s"] = t_exp
    probit = f.substance.probit
    if probit is not None and math.isfinite(t_exp):
        from analysis.physics import substances

        c_units = conc if probit.concentration_unit == "mg/m3" else None
        if c_units is None:
            c_units = conc / np.asarray(substances.ppm_to_kg_m3(1.0, f.substance.molar_mass))  # kg/m³ -> ppm
        else:
            c_units = conc * 1e6  # kg/m³ -> mg/m³
        t_units = t_exp / 60.0 if probit.time_unit == "min" else t_exp
        table["toxic_load"] = c_units**probit.n * t_units
    else:
        table["toxic_load"] = math.nan
    table["probability_of_death"] = pdeath
    recs = [_recommend(r, result, evacuation_time_s) for r in table.itertuples()]
    table["recommendation"] = [x[0] for x in recs]
    table["recommendation_zh"] = [RECOMMENDATIONS_ZH[x[0]] for x in recs]
    table["reason_zh"] = [x[1] for x in recs]
    return table.sort_values("arrival_time_s", kind="stable").reset_index(drop=True)


def _recommend(r, result: EmergencyResult, evacuation_time_s: float) -> tuple[str, str]:
    t_min = r.arrival_time_s / 60.0
    need = evacuation_time_s / 60.0
    cat = ""
    if r.layer == "sensitive_targets":
        cat = {v: k for k, v in _category_labels().items()}.get(r.category_zh, "")
    if r.layer != "installations" and not pd.isna(r.population) and int(r.population) == 0:
        return "none", "此时段无人（按昼夜人口为 0）：无需疏散；封闭出入口，禁止人员进入，直至解除警报"
    if r.arrival_time_s < evacuation_time_s:
        return "shelter", (
            f"烟云约 {t_min:.0f} min 后到达，早于完成疏散所需的约 {need:.0f} min：立即进入室内，关闭门窗、"
            "停止通风空调，待烟云过后再按指令撤离（ERG 2020 防护行动：来不及撤离时就地避险）"
        )
    if result.release.kind == "instantaneous":
        return "shelter", (
            "瞬时泄漏形成的烟团数分钟内通过：室内关闭门窗就地避险受到的剂量小于途中暴露"
            f"（烟云约 {t_min:.0f} min 后到达）"
        )
    if cat in _NON_AMBULATORY and r.level != "AEGL-3":
        return "shelter", (
            f"{r.category_zh}人员转移困难，且位于 {r.level} 区（非致死区）：就地避险，关闭门窗和通风，"
            f"做好转移准备（烟云约 {t_min:.0f} min 后到达）"
        )
    if r.level in ("AEGL-3", "AEGL-2", "PAC-3", "PAC-2", "IDLH"):
        what = "可能危及生命" if r.level in ("AEGL-3", "PAC-3", "IDLH") else "可能造成严重或不可逆健康影响"
        return "evacuate", (
            f"位于 {r.level} 区（{what}），烟云约 {t_min:.0f} min 后到达，有时间在到达前撤离："
            "沿推荐路线向上风向集合点撤离"
        )
    return (
        "shelter",
        f"位于 {r.level} 区（可逆的刺激与不适）：就地避险，关闭门窗和通风，关注通知（烟云约 {t_min:.0f} min 后到达）",
    )


@lru_cache(maxsize=1)
def _category_labels() -> dict[str, str]:
    from geodata import schema

    return dict(schema.ENUM_LABELS_ZH.get("target_category", {}))


# ----------------------------------------------------------------------------------------------------------------
# Roads, assembly points, routes
# ----------------------------------------------------------------------------------------------------------------
_SNAP_M = 0.5  # end points closer than this are the same node [m]


def _node_key(x: float, y: float) -> tuple[float, float]:
    return (round(x / _SNAP_M) * _SNAP_M, round(y / _SNAP_M) * _SNAP_M)


def road_graph(roads: gpd.GeoDataFrame) -> nx.DiGraph:
    """Directed road graph from the ``roads`` layer in a metric CRS.

    Nodes are the end points of the road features (snapped to 0.5 m; the layer is drawn node to node, end points
    shared, as the schema asks); each feature is an edge both ways unless ``one_way`` (then in drawing direction).
    Edge attributes: ``length`` [m], ``road_id``, ``name``, ``kind``, ``geometry`` (oriented u→v).

    Raises
    ------
    geodata.errors.CRSError
        A geographic CRS.
    """
    from geodata.crs import require_metric

    require_metric(roads, what="roads 道路图层")
    g = nx.DiGraph()
    for r in roads.itertuples():
        geom = r.geometry
        if geom is None or geom.is_empty:
            continue
        lines = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        for line in lines:
            c = np.asarray(line.coords)
            u, v = _node_key(*c[0][:2]), _node_key(*c[-1][:2])
            if u == v:
                continue
            attrs = dict(
                length=float(line.length),
                road_id=str(r.road_id),
                name=str(getattr(r, "name", "")),
                kind=str(getattr(r, "kind", "")),
            )
            g.add_node(u, x=u[0], y=u[1])
            g.add_node(v, x=v[0], y=v[1])
            g.add_edge(u, v, geometry=line, **attrs)
            if not bool(getattr(r, "one_way", False)):
                g.add_edge(v, u, geometry=LineString(c[::-1]), **attrs)
    return g


def assembly_points(
    result: EmergencyResult,
    graph: nx.DiGraph,
    *,
    n: int = 3,
    margin_m: float = 200.0,
    min_separation_m: float = 500.0,
    min_distance_m: float = 300.0,
) -> gpd.GeoDataFrame:
    """Assembly points: road nodes upwind of the source and outside every zone, nearest first.

    Candidates are graph nodes (reachable by road) outside all toxic zones with their uncertainty band, the fire
    zones and the isolation circle, buffered by ``margin_m``, at least ``min_distance_m`` from the source, in the
    upwind half-plane (bearing from the source within 90° of the direction the wind comes from). The nearest is
    taken first, then the next nearest at least ``min_separation_m`` from those chosen, up to ``n``. When no node
    lies upwind the crosswind ones (within 120°) are used, and the note says so.

    Returns
    -------
    geopandas.GeoDataFrame
        ``point_id`` ("A1".."An"), ``name``, ``distance_m`` [m] from the source, ``bearing_deg`` [°],
        ``upwind`` (bool), ``node`` (graph key), point geometry (metric CRS).
    """
    ox, oy = result.origin
    avoid = [result.isolation.geometry.iloc[0]]
    for gdf in (result.band, result.fire):
        avoid.extend([g for g in gdf.geometry if g is not None and not g.is_empty])
    zone = shapely.union_all(avoid).buffer(margin_m)
    nodes = list(graph.nodes)
    cols = ["point_id", "name", "distance_m", "bearing_deg", "upwind", "node"]
    if not nodes:
        return gpd.GeoDataFrame(columns=cols, geometry=gpd.GeoSeries([], crs=result.crs), crs=result.crs)
    xy = np.array(nodes, dtype=float)
    dx, dy = xy[:, 0] - ox, xy[:, 1] - oy
    dist = np.hypot(dx, dy)
    bearing = np.degrees(np.arctan2(dx, dy)) % 360.0
    off = np.abs((bearing - float(result.weather.wind_from_deg) + 180.0) % 360.0 - 180.0)
    outside = ~shapely.intersects(zone, shapely.points(xy))
    chosen: list[int] = []
    for limit in (90.0, 120.0):
        ok = outside & (dist >= min_distance_m) & (off <= limit)
        for i in np.argsort(np.where(ok, dist, np.inf)):
            if not ok[i] or len(chosen) >= n:
                break
            if all(math.hypot(xy[i, 0] - xy[j, 0], xy[i, 1] - xy[j, 1]) >= min_separation_m for j in chosen):
                chosen.append(int(i))
        if chosen:
            break
    rows = [
        {
            "point_id": f"A{k + 1}",
            "name": f"集合点 {k + 1}",
            "distance_m": float(dist[i]),
            "bearing_deg": float(bearing[i]),
            "upwind": bool(off[i] <= 90.0),
            "node": nodes[i],
            "geometry": Point(xy[i]),
        }
        for k, i in enumerate(chosen)
    ]
    if not rows:
        log.warning("assembly_points: no road node outside the zones")
        return gpd.GeoDataFrame(columns=cols, geometry=gpd.GeoSeries([], crs=result.crs), crs=result.crs)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=result.crs)


#: Cost factor of a metre of road inside the worst zone: routes leave it by the shortest way and never enter it
#: when a way round exists.
WORST_ZONE_PENALTY = 1000.0
#: Road nodes considered for joining the network from a target (the nearest ones).
N_ACCESS_CANDIDATES = 6


def evacuation_routes(
    result: EmergencyResult,
    park,
    affected: pd.DataFrame,
    *,
    graph: nx.DiGraph | None = None,
    assembly: gpd.GeoDataFrame | None = None,
    only_evacuate: bool = False,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Shortest road route from each affected target or building to the nearest assembly point.

    The cost of an edge is its length, plus :data:`WORST_ZONE_PENALTY` × the length inside the worst zone
    (:attr:`EmergencyResult.worst_zone`): a route never crosses the worst zone when any way round exists, and a
    target inside it leaves by the shortest way. Dijkstra from all assembly points at once on the reversed graph
    (networkx ``multi_source_dijkstra``). The target joins the network by a straight access line at the best of its
    :data:`N_ACCESS_CANDIDATES` nearest reachable nodes (access length, penalised in the worst zone, plus route cost).

    Parameters
    ----------
    result : EmergencyResult
    park : geodata.Park
    affected : pandas.DataFrame
        :func:`affected_targets`.
    graph : networkx.DiGraph, optional
        :func:`road_graph` of ``park.metric("roads")`` (built when omitted).
    assembly : geopandas.GeoDataFrame, optional
        :func:`assembly_points` (chosen when omitted).
    only_evacuate : bool
        Route only the features recommended to evacuate.

    Returns
    -------
    routes : geopandas.GeoDataFrame
        ``feature_id``, ``name``, ``layer``, ``recommendation``, ``assembly_id``, ``length_m`` [m],
        ``length_in_worst_zone_m`` [m], ``crosses_worst_zone`` (bool), ``roads`` (names along the way),
        ``walk_time_s`` [s] (at 1.2 m/s), line geometry (metric CRS).
    assembly : geopandas.GeoDataFrame
    """
    roads = park.metric("roads") if getattr(park, "roads", None) is not None else None
    cols = [
        "feature_id",
        "name",
        "layer",
        "recommendation",
        "assembly_id",
        "length_m",
        "length_in_worst_zone_m",
        "crosses_worst_zone",
        "roads",
        "walk_time_s",
    ]
    empty = gpd.GeoDataFrame(columns=cols, geometry=gpd.GeoSeries([], crs=result.crs), crs=result.crs)
    if roads is None or roads.empty:
        return empty, (assembly if assembly is not None else empty.iloc[:0])
    g = graph if graph is not None else road_graph(roads)
    ap = assembly if assembly is not None else assembly_points(result, g)
    if ap.empty or affected is None or affected.empty:
        return empty, ap
    worst = result.worst_zone
    edges = list(g.edges(data=True))
    inside = shapely.intersection(np.array([d["geometry"] for _, _, d in edges], dtype=object), worst)
    inside_len = shapely.length(inside)
    for (_u, _v, d), li in zip(edges, inside_len, strict=True):
        d["inside"] = float(li)
        d["cost"] = d["length"] + WORST_ZONE_PENALTY * float(li)
    rev = g.reverse(copy=False)
    dist, paths = nx.multi_source_dijkstra(rev, set(ap["node"]), weight="cost")
    node_xy = np.array(list(g.nodes), dtype=float)
    node_keys = list(g.nodes)
    ap_by_node = {n: pid for n, pid in zip(ap["node"], ap["point_id"], strict=True)}
    lookup = _feature_lookup(park)
    rows = []
    sel = affected[affected["layer"] != "installations"]
    if only_evacuate:
        sel = sel[sel["recommendation"] == "evacuate"]
    for r in sel.itertuples():
        geom = lookup[r.layer][r.feature_id].geometry
        p = geom.representative_point()
        # Join the network at the best of the nearest reachable nodes: access line (penalised inside the worst
        # zone like a road) plus the route cost from that node.
        d2 = np.hypot(node_xy[:, 0] - p.x, node_xy[:, 1] - p.y)
        start, best = None, math.inf
        for i in np.argsort(d2)[:N_ACCESS_CANDIDATES]:
            key = node_keys[i]
            if key not in dist:
                continue
            acc_in = float(shapely.length(shapely.intersection(LineString([(p.x, p.y), key]), worst)))
            c = float(d2[i]) + WORST_ZONE_PENALTY * acc_in + dist[key]
            if c < best:
                start, best, access_in = key, c, acc_in
        if start is None:
            continue
        path = list(reversed(paths[start]))  # paths in rev run from the assembly point to start
        coords = [(p.x, p.y)]
        in_len, names = access_in, []
        for a, b in zip(path[:-1], path[1:], strict=True):
            d = g.edges[a, b]
            coords.extend(list(d["geometry"].coords))
            in_len += d["inside"]
            if not names or names[-1] != d["name"]:
                names.append(d["name"])
        if len(coords) < 2:
            coords.append(start)
        line = LineString(coords)
        length = float(line.length)  # access line + road edges as drawn
        rows.append(
            {
                "feature_id": r.feature_id,
                "name": r.name,
                "layer": r.layer,
                "recommendation": r.recommendation,
                "assembly_id": ap_by_node[path[-1]],
                "length_m": length,
                "length_in_worst_zone_m": in_len,
                "crosses_worst_zone": bool(in_len > 1.0),
                "roads": "→".join(n for n in names if n),
                "walk_time_s": length / 1.2,
                "geometry": line,
            }
        )
    if not rows:
        return empty, ap
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=result.crs), ap


# ----------------------------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------------------------
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
            lambda r: f"{r.name} → {r.assembly_id}，{r.length_m:,.0f} m",
            lambda r: ZONE_COLORS["route"],
            lambda r: f"{r.recommendation}; {r.roads}",
        )
    if assembly is not None:
        add(assembly, "assembly", lambda r: f"{r.name}（{r.point_id}）", lambda r: ZONE_COLORS["assembly"])
    parts.append(
        {
            "layer": "source",
            "name": f"泄漏源 {result.source.get('unit_id', '')}",
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
