"""The protective-action plan of one release: zones, the targets with what each should do and why, the routes out
of the cloud and the assembly points — :func:`plan`, the one call an emergency team needs.

Steps (each in its own module):

1. the weather: Pasquill class from the time and the wind (:func:`analysis.weather.pasquill_stability`, Turner
   1970 [1]_) unless given; day = ``day_hours`` (Beijing time);
2. the zones (:func:`analysis.emergency.zones.emergency_zones`): AEGL-3/2/1 nested, the wind-direction band, fire
   zones where the substance burns, the isolation circle;
3. the targets (sensitive targets and buildings reached by the outermost band): the concentration at each one's
   worst point — sampled on its outline and nearest point with the wind turned towards it within the band — is
   computed **once**; the printed value is that concentration rounded to 3 significant digits, and the level is
   the most severe one whose threshold that printed value reaches, so the table always agrees with itself; a
   target whose printed value reaches no level is not listed;
4. cloud arrival and passage, indoor dose and the decision (:mod:`analysis.emergency.protect`);
5. safe assembly points and routes (:mod:`analysis.emergency.egress`): the exit time is the warning/mobilisation
   time plus the route length at the walking or bus speed (for a crosswind exit with no safe point reachable
   on the target's side, the length to the exit: the time to get out of the zone).

References
----------
.. [1] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1.
.. [2] US EPA, Acute Exposure Guideline Levels (60-min AEGL-1/2/3), via the substance record.
.. [3] US DOT PHMSA, Transport Canada, SCT Mexico, CIQUIME (2024). Emergency Response Guidebook 2024, white pages
       "Introduction to the Table of Initial Isolation and Protective Action Distances" (night-time distances are
       larger: the atmosphere is more stable at night).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field, fields
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from analysis._text import num_zh
from analysis.emergency import egress, protect
from analysis.emergency.release import Release, release_source
from analysis.emergency.routes import road_graph
from analysis.emergency.zones import DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG, EmergencyResult, emergency_zones
from analysis.physics import substances
from analysis.weather import DEFAULT_DAY_HOURS, INSOLATION_KINDS, Weather, is_daytime, pasquill_stability

__all__ = [
    "DEFAULT_NIGHT_CLOUD_COVER",
    "TRAVEL_MODES",
    "PlanOptions",
    "EmergencyPlan",
    "plan",
    "beijing_time",
    "worst_point_exposure",
]

#: Ways of leaving and their Chinese names.
TRAVEL_MODES: dict[str, str] = {"walk": "步行", "bus": "大客车"}
BEIJING = ZoneInfo("Asia/Shanghai")
#: Night-time cloud cover assumed when none is reported, the one default of :func:`plan`, the 应急疏散 page and
#: ``parkrisk emergency``: 0 (a clear night). In Turner's key [1]_ a night with ≤ 3/8 cloud gives class F below
#: 3 m/s and E at 3–5 m/s, one class more stable than a cloudy night (E, D), so the toxic zones reach further; the
#: ERG's protective-action distances are likewise longer at night because of the more stable air [3]_. A tool for
#: protective actions takes the longer distance when the sky is not known. [-]
DEFAULT_NIGHT_CLOUD_COVER = 0.0


@dataclass(frozen=True)
class PlanOptions:
    """Options of :func:`plan` (every one has a default; SI units).

    Parameters
    ----------
    release : Release
        How the material gets out (default: a 25 mm hole at the unit's conditions).
    travel_mode : str
        "walk" or "bus" (:data:`TRAVEL_MODES`).
    walking_speed_m_s, bus_speed_m_s : float
        Speeds on the road (defaults 1.2 m/s, a walking pace; 8 m/s, about 30 km/h for a bus in an emergency —
        our assumptions, set per case). [m/s]
    warning_time_s : float
        Warning and mobilisation time before people move (default 10 min, our assumption). [s]
    air_changes_per_hour : float
        λ of the indoor model (:data:`analysis.emergency.protect.DEFAULT_AIR_CHANGES_PER_HOUR`). [1/h]
    access_max_m : float
        Longest off-road access to a road node. [m]
    assembly_margin_m : float
        Margin of assembly points from every zone and band. [m]
    assembly_separation_m : float
        Least distance between assembly points generated from road nodes. [m]
    road_piece_m : float
        Road features are cut into pieces no longer than this (nodes along long roads). [m]
    uncertainty_half_angle_deg : float
        Half-angle θ of the wind-direction band. [°]
    stability : str or None
        Pasquill class; None: from the time and wind (Turner 1970).
    insolation : str
        Daytime insolation for the Pasquill key.
    cloud_cover : float
        Night-time cloud cover, 0..1 (default :data:`DEFAULT_NIGHT_CLOUD_COVER`, 0: a clear night, the more stable class of the key — the
        conservative choice when the sky is not reported). [-]
    day_hours : (float, float)
        Local (Beijing) hours of the day. [h]
    include_fire : bool
        Also compute fire and explosion zones where the substance burns.
    """

    release: Release = field(default_factory=Release)
    travel_mode: str = "walk"
    walking_speed_m_s: float = 1.2
    bus_speed_m_s: float = 8.0
    warning_time_s: float = 600.0
    air_changes_per_hour: float = protect.DEFAULT_AIR_CHANGES_PER_HOUR
    access_max_m: float = egress.DEFAULT_ACCESS_MAX_M
    assembly_margin_m: float = egress.DEFAULT_ASSEMBLY_MARGIN_M
    assembly_separation_m: float = egress.DEFAULT_ASSEMBLY_SEPARATION_M
    road_piece_m: float = 100.0
    uncertainty_half_angle_deg: float = DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG
    stability: str | None = None
    insolation: str = "moderate"
    cloud_cover: float = DEFAULT_NIGHT_CLOUD_COVER
    day_hours: tuple[float, float] = DEFAULT_DAY_HOURS
    include_fire: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.release, Release):
            raise ValueError(f"release 泄漏方式应为 Release 对象，收到 {type(self.release).__name__}")
        if self.travel_mode not in TRAVEL_MODES:
            raise ValueError(
                f"travel_mode 撤离方式={self.travel_mode!r} 无效，应为 {list(TRAVEL_MODES)} 之一"
            )
        positive = {
            "walking_speed_m_s 步行速度 [m/s]": self.walking_speed_m_s,
            "bus_speed_m_s 车速 [m/s]": self.bus_speed_m_s,
            "air_changes_per_hour 换气次数 [1/h]": self.air_changes_per_hour,
            "access_max_m 离路接入最大距离 [m]": self.access_max_m,
            "assembly_separation_m 集合点最小间距 [m]": self.assembly_separation_m,
            "road_piece_m 道路分段长度 [m]": self.road_piece_m,
        }
        non_negative = {
            "warning_time_s 预警动员时间 [s]": self.warning_time_s,
            "assembly_margin_m 集合点安全距离 [m]": self.assembly_margin_m,
        }
        for name, v in {**positive, **non_negative}.items():
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            if not ok or v < 0 or (name in positive and v == 0):
                raise ValueError(
                    f"{name.split()[0]} {name.split()[1]}={v!r} 必须为{'正' if name in positive else '非负'}的有限数 {name.split()[2]}"
                )
        a = self.uncertainty_half_angle_deg
        if not (isinstance(a, int | float) and math.isfinite(a) and 0 <= a < 90):
            raise ValueError(f"uncertainty_half_angle_deg 风向不确定半角={a!r} 应在 0–90° 之间")
        if self.stability is not None and self.stability not in ("A", "B", "C", "D", "E", "F"):
            raise ValueError(
                f"stability 大气稳定度={self.stability!r} 应为 A–F 之一或不填（按时间和风速确定）"
            )
        if self.insolation not in INSOLATION_KINDS:
            raise ValueError(f"insolation 日照={self.insolation!r} 应为 {list(INSOLATION_KINDS)} 之一")
        if not (isinstance(self.cloud_cover, int | float) and 0.0 <= self.cloud_cover <= 1.0):
            raise ValueError(f"cloud_cover 云量={self.cloud_cover!r} 应在 0–1 之间")

    @property
    def speed_m_s(self) -> float:
        """Speed of the chosen travel mode. [m/s]"""
        return self.walking_speed_m_s if self.travel_mode == "walk" else self.bus_speed_m_s


@dataclass(frozen=True)
class EmergencyPlan:
    """The plan of one release (all geometry in the park's metric CRS).

    Attributes
    ----------
    zones : geopandas.GeoDataFrame
        Toxic zones (``level``, ``threshold`` [kg/m³], ``max_distance`` [m], ...), strictly nested, most severe
        first; the fire zones for a release that is not toxic.
    band : geopandas.GeoDataFrame
        The zones swept through ±θ (wind-direction band).
    targets : pandas.DataFrame
        One row per listed target: ``target_id``, ``name``, ``layer``, ``category_zh``, ``level``,
        ``concentration_mg_m3`` and ``concentration_ppm`` (3 significant digits, the value the level is decided
        from), ``population`` [人], ``downwind_m`` [m], ``arrival_s`` and ``duration_s`` [s], ``outdoor_dose_mg_s_m3``,
        ``indoor_peak_mg_m3``, ``indoor_dose_mg_s_m3``, ``dose_threshold_mg_s_m3``, ``exit_time_s`` [s] (inf
        without a route), ``route_status``, ``assembly_id``, ``recommendation`` ("evacuate" | "shelter" | "none"),
        ``recommendation_zh``, ``priority`` (1 evacuate at once, 2 evacuate, 3 shelter), ``reason`` (Chinese, with
        the numbers); most urgent first.
    routes : geopandas.GeoDataFrame
        ``feature_id``, ``name``, ``layer``, ``assembly_id``, ``length_m``, ``length_in_zone_m`` (inside the
        level-2 zone and its band), ``exit_length_m`` [m], ``route_status``, ``recommendation``, ``priority``,
        ``roads``, ``travel_time_s`` [s], ``walk_time_s`` [s], line geometry.
    assembly : geopandas.GeoDataFrame
        The assembly points used (``assembly_id`` = ``point_id``, ``name``, ``capacity``, ``assigned`` [人],
        ``distance_m``, ``bearing_deg``, ``angle_from_downwind_deg``, ...), point geometry.
    result : EmergencyResult
    hazard : analysis.emergency.egress.Hazard
    options : PlanOptions
    time : datetime.datetime or datetime.time
        Beijing time of the release.
    stability : str
    assumptions : tuple of str
    """

    zones: gpd.GeoDataFrame
    band: gpd.GeoDataFrame
    targets: pd.DataFrame
    routes: gpd.GeoDataFrame
    assembly: gpd.GeoDataFrame
    result: EmergencyResult
    hazard: egress.Hazard
    options: PlanOptions
    time: object
    stability: str
    assumptions: tuple[str, ...]

    @property
    def route_zone(self):
        """The level-2 zone with its band, the zone of ``length_in_zone_m`` (metric CRS)."""
        return self.hazard.zone


def beijing_time(when) -> _dt.datetime | _dt.time:
    """``when`` as Beijing time: a ``datetime`` (an aware one converted to Asia/Shanghai, a naive one taken as
    Beijing time) or a ``time`` from "HH:MM"."""
    if isinstance(when, _dt.datetime):
        return when.astimezone(BEIJING) if when.tzinfo is not None else when.replace(tzinfo=BEIJING)
    if isinstance(when, _dt.time):
        return when
    try:
        return _dt.time.fromisoformat(str(when).strip())
    except ValueError:
        raise ValueError(f"time 时间={when!r} 无法识别，应为 HH:MM（北京时间）或 datetime") from None


def worst_point_exposure(result: EmergencyResult, geoms) -> tuple[np.ndarray, np.ndarray]:
    """Concentration at the worst point of each geometry and the downwind distance of its nearest point.

    Points sampled: the point nearest the source, a point inside, and the outline at 64 even steps. The wind may
    turn towards each point by up to the band's half-angle θ (the point is rotated towards the axis by up to θ).

    Returns
    -------
    concentration : numpy.ndarray
        Largest concentration over the samples. [kg/m³]
    downwind : numpy.ndarray
        Downwind distance of the nearest point with the wind turned towards it, at least 0. [m]
    """
    f = result.field
    ox, oy = f.origin
    b = math.radians(result.weather.downwind_bearing_deg)
    half = math.radians(result.uncertainty_half_angle_deg)
    src = Point(ox, oy)
    pts, owner = [], []
    for k, g in enumerate(geoms):
        near = shapely.get_coordinates(shapely.shortest_line(src, g))[-1:]
        ring = g.boundary if g.geom_type.endswith("Polygon") else g
        ring = shapely.segmentize(ring, max(ring.length / 64.0, 1.0)) if ring.length > 0 else ring
        p = np.vstack(
            [near, shapely.get_coordinates(g.representative_point()), shapely.get_coordinates(ring)]
        )
        pts.append(p)
        owner.append(np.full(len(p), k))
    p = np.vstack(pts) - np.array([ox, oy])
    owner = np.concatenate(owner)
    r = np.hypot(p[:, 0], p[:, 1])
    d = (np.arctan2(p[:, 0], p[:, 1]) - b + np.pi) % (2 * np.pi) - np.pi
    d_eff = np.sign(d) * np.maximum(np.abs(d) - half, 0.0)
    c = np.asarray(f.concentration(r * np.sin(b + d_eff), r * np.cos(b + d_eff)), dtype=float)
    c = np.where(np.isfinite(c), c, 0.0)
    conc = np.zeros(len(geoms))
    np.maximum.at(conc, owner, c)
    first = np.r_[0, np.cumsum([len(q) for q in pts])[:-1]]
    return conc, np.maximum(r[first] * np.cos(d_eff[first]), 0.0)


def _sig3(x: np.ndarray) -> np.ndarray:
    """Rounded to 3 significant digits (the printed value)."""
    return np.array([float(f"{v:.3g}") if np.isfinite(v) else v for v in np.asarray(x, dtype=float)])


def _candidates(result: EmergencyResult, park, daytime: bool) -> pd.DataFrame:
    """Sensitive targets and buildings that touch the outermost band (metric CRS)."""
    reach = [g for g in result.band.geometry if g is not None and not g.is_empty]
    cols = ["target_id", "name", "layer", "category_zh", "population", "geometry"]
    if not reach:
        return pd.DataFrame(columns=cols)
    from geodata import schema

    area = shapely.union_all(reach)
    spec = {
        "sensitive_targets": ("target_id", "category", "target_category"),
        "buildings": ("building_id", "use", "building_use"),
    }
    rows = []
    for layer, (id_col, cat_col, enum) in spec.items():
        g = park.metric(layer) if layer in park.layers else None
        if g is None or g.empty:
            continue
        for i in g.sindex.query(area, predicate="intersects"):
            f = g.iloc[int(i)]
            if layer == "sensitive_targets":
                pop = f.get("population_day" if daytime else "population_night")
            else:
                pop = f.get("occupants")
            rows.append(
                {
                    "target_id": str(f[id_col]),
                    "name": str(f.get("name", "") or ""),
                    "layer": layer,
                    "category_zh": schema.label_zh(enum, f.get(cat_col)),
                    "population": pd.NA if pop is None or pd.isna(pop) else int(round(float(pop))),
                    "geometry": f.geometry,
                }
            )
    df = pd.DataFrame(rows, columns=cols)
    df["population"] = df["population"].astype("Int64")
    return df


def _level_rows(result: EmergencyResult) -> list[tuple[str, float]]:
    """(level, threshold [mg/m³]) of the toxic zones, most severe first."""
    return [(str(r.level), float(r.threshold) * 1e6) for r in result.toxic.itertuples() if r.threshold > 0]


#: Numeric columns :func:`_exposures` adds to every listed target (present, empty, when no target is reached).
_EXPOSURE_COLUMNS = (
    "concentration_mg_m3",
    "downwind_m",
    "concentration_ppm",
    "arrival_s",
    "duration_s",
    "outdoor_dose_mg_s_m3",
    "indoor_peak_mg_m3",
    "indoor_dose_mg_s_m3",
    "dose_threshold_mg_s_m3",
)


def _exposures(result: EmergencyResult, cand: pd.DataFrame, opts: PlanOptions) -> pd.DataFrame:
    """The listed targets with level, printed concentration, cloud timing and doses (see module)."""
    levels = _level_rows(result)
    if cand.empty or not levels or result.field is None:
        empty = {c: pd.Series(dtype=float) for c in _EXPOSURE_COLUMNS}
        return cand.iloc[:0].assign(level=pd.Series(dtype=str), **empty, _rank=pd.Series(dtype=int))
    conc, downwind = worst_point_exposure(result, list(cand.geometry))
    mg = _sig3(conc * 1e6)
    level = [next((name for name, thr in levels if v >= thr), None) for v in mg]
    t = cand.assign(level=level, concentration_mg_m3=mg, downwind_m=downwind, _c=conc)
    t = t[t["level"].notna()].copy()
    sub = result.field.substance
    t["concentration_ppm"] = _sig3(t["_c"].to_numpy() / float(substances.ppm_to_kg_m3(1.0, sub.molar_mass)))
    w = result.weather
    f = result.field
    t_rel = float(f.exposure_time) if math.isfinite(f.exposure_time) else 0.0  # a puff: no release duration
    arrival, duration = protect.cloud_timing(t["downwind_m"].to_numpy(), w.wind_speed, t_rel, w.stability)
    c_mg = t["_c"].to_numpy() * 1e6
    t["arrival_s"], t["duration_s"] = arrival, duration
    t["outdoor_dose_mg_s_m3"] = c_mg * duration
    t["indoor_peak_mg_m3"] = protect.indoor_peak(c_mg, duration, opts.air_changes_per_hour)
    t["indoor_dose_mg_s_m3"] = protect.indoor_dose(c_mg, duration, opts.air_changes_per_hour)
    lv2 = next((thr for name, thr in levels if name.endswith("-2")), levels[0][1])
    t["dose_threshold_mg_s_m3"] = lv2 * protect.AEGL_DURATION_S
    t["_rank"] = [next(i for i, (name, _) in enumerate(levels) if name == lv) for lv in t["level"]]
    return t.sort_values(["_rank", "arrival_s"], kind="stable").drop(columns=["_c"]).reset_index(drop=True)


def _decide_all(t: pd.DataFrame, opts: PlanOptions) -> pd.DataFrame:
    """Exit times and the recommendation of every listed target (:func:`analysis.emergency.protect.decide`)."""
    speed = opts.speed_m_s
    t["exit_time_s"] = np.where(
        t["length_m"].notna(), opts.warning_time_s + t["length_m"].astype(float) / speed, np.inf
    )
    recs = []
    for r in t.itertuples():
        rec, prio, why = protect.decide(
            population=r.population,
            arrival_s=r.arrival_s,
            exit_time_s=r.exit_time_s,
            indoor_dose_mg_s_m3=r.indoor_dose_mg_s_m3,
            dose_threshold_mg_s_m3=r.dose_threshold_mg_s_m3,
            indoor_peak_mg_m3=r.indoor_peak_mg_m3,
            duration_s=r.duration_s,
            route_note=r.route_note if r.route_status in ("no_road", "no_route") else "",
        )
        head = f"室外最大浓度 {num_zh(r.concentration_mg_m3)} mg/m³（{num_zh(r.concentration_ppm)} ppm，{r.level}）；"
        if rec == "evacuate" and r.route_status == "crosswind_exit":
            head += f"位于危险区内，先横风向离开（区内路段 {r.length_in_zone_m:,.0f} m）；"
        if rec == "evacuate" and r.route_status in ("clear", "crosswind_exit") and r.route_note:
            why += f"；{r.route_note}"
        recs.append((rec, prio, head + why))
    t["recommendation"] = [x[0] for x in recs]
    t["recommendation_zh"] = [
        {"evacuate": "撤离", "shelter": "就地避险", "none": "无人员，禁止进入"}[x[0]] for x in recs
    ]
    t["priority"] = pd.array([x[1] for x in recs], dtype="Int64")
    t["reason"] = [x[2] for x in recs]
    return t


def _assembly_out(cand: gpd.GeoDataFrame, t: pd.DataFrame) -> gpd.GeoDataFrame:
    """The assembly points used, with the people assigned; the three nearest when no route uses any."""
    used = t.dropna(subset=["assembly_id"])
    people = used.groupby("assembly_id")["population"].sum(min_count=1)
    out = cand[cand["assembly_id"].isin(people.index)] if len(used) else cand.head(3)
    out = out.copy()
    out["assigned"] = out["assembly_id"].map(people).astype("Float64")
    out["n_targets"] = out["assembly_id"].map(used["assembly_id"].value_counts()).fillna(0).astype(int)
    out["point_id"] = out["assembly_id"]
    return out.reset_index(drop=True)


def plan(park, *, unit_id: str, wind_from: float, wind_speed: float, time, **options) -> EmergencyPlan:
    """Protective-action plan for a release at installation ``unit_id`` (see module).

    Parameters
    ----------
    park : geodata.Park
    unit_id : str
        The installation that leaks (substance, inventory and conditions from its attributes).
    wind_from : float
        Direction the wind comes FROM, clockwise from north. [°]
    wind_speed : float
        Wind speed at 10 m. [m/s]
    time : datetime.datetime or str
        Local (Beijing) time of the release, a ``datetime`` (an aware one is converted) or "HH:MM".
    **options
        Fields of :class:`PlanOptions`.

    Returns
    -------
    EmergencyPlan

    Raises
    ------
    ValueError
        An unknown option or a bad value (Chinese message naming it), an unknown unit, a bad time or wind.
    """
    known = {f_.name for f_ in fields(PlanOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"未知选项 options={unknown}；可用选项：{sorted(known)} (unknown options)")
    opts = PlanOptions(**options)
    when = beijing_time(time)
    hhmm = f"{when.hour:02d}:{when.minute:02d}"
    daytime = is_daytime(when, day_hours=opts.day_hours)
    stability = opts.stability or pasquill_stability(
        wind_speed, daytime=daytime, insolation=opts.insolation, cloud_cover=opts.cloud_cover
    )
    weather = Weather(wind_speed=wind_speed, wind_from_deg=wind_from, stability=stability)
    source = release_source(park, unit_id=unit_id)
    result = emergency_zones(
        source,
        opts.release,
        weather,
        crs=park.metric_crs,
        time_of_day=hhmm,
        uncertainty_half_angle_deg=opts.uncertainty_half_angle_deg,
        include_fire=opts.include_fire,
        day_hours=opts.day_hours,
    )
    hazard = egress.hazard_areas(result, margin_m=opts.assembly_margin_m)
    roads = park.roads
    if roads is not None and len(roads):
        graph = road_graph(park.metric("roads"), max_edge_m=opts.road_piece_m)
    else:
        graph = road_graph(gpd.GeoDataFrame({"road_id": []}, geometry=[], crs=park.metric_crs))
    net = egress.prepare_network(graph, hazard)
    cand = egress.assembly_candidates(
        park, net, hazard, access_max_m=opts.access_max_m, min_separation_m=opts.assembly_separation_m
    )
    t = _exposures(result, _candidates(result, park, daytime), opts)
    info = egress.safe_routes(t, net, hazard, cand, access_max_m=opts.access_max_m)
    t = _decide_all(pd.concat([t, info.drop(columns="geometry")], axis=1), opts)
    routes = _routes_out(t, info, opts, park.metric_crs)
    targets = t.drop(columns=["geometry", "_rank"]).sort_values(
        ["priority", "arrival_s"], kind="stable", na_position="last"
    )
    zones = result.toxic if len(result.toxic) else result.fire
    return EmergencyPlan(
        zones=zones,
        band=result.band,
        targets=targets.reset_index(drop=True),
        routes=routes,
        assembly=_assembly_out(cand, t),
        result=result,
        hazard=hazard,
        options=opts,
        time=when,
        stability=stability,
        assumptions=result.assumptions + _plan_assumptions(opts, stability, daytime, hhmm),
    )


def _routes_out(t: pd.DataFrame, info: pd.DataFrame, opts: PlanOptions, crs) -> gpd.GeoDataFrame:
    cols = [
        "feature_id",
        "name",
        "layer",
        "assembly_id",
        "length_m",
        "length_in_zone_m",
        "exit_length_m",
        "route_status",
        "recommendation",
        "priority",
        "roads",
        "travel_time_s",
        "walk_time_s",
    ]
    has = info["geometry"].notna().to_numpy()
    if not has.any():
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    r = t[has]
    return gpd.GeoDataFrame(
        {
            "feature_id": r["target_id"].to_numpy(),
            "name": r["name"].to_numpy(),
            "layer": r["layer"].to_numpy(),
            "assembly_id": r["assembly_id"].to_numpy(),
            "length_m": r["length_m"].to_numpy(dtype=float),
            "length_in_zone_m": r["length_in_zone_m"].to_numpy(dtype=float),
            "exit_length_m": r["exit_length_m"].to_numpy(dtype=float),
            "route_status": r["route_status"].to_numpy(),
            "recommendation": r["recommendation"].to_numpy(),
            "priority": r["priority"].to_numpy(),
            "roads": r["roads"].to_numpy(),
            "travel_time_s": r["length_m"].to_numpy(dtype=float) / opts.speed_m_s,
            "walk_time_s": r["length_m"].to_numpy(dtype=float) / opts.walking_speed_m_s,
        },
        geometry=list(info.loc[has, "geometry"]),
        crs=crs,
    )


def _plan_assumptions(opts: PlanOptions, stability: str, daytime: bool, hhmm: str) -> tuple[str, ...]:
    return (
        f"北京时间 {hhmm}（{'白天' if daytime else '夜间'}），大气稳定度 {stability}"
        + ("（用户给定）" if opts.stability else "（按 Turner 1970 表 1 由时间、风速和云量确定）"),
        f"撤离方式：{TRAVEL_MODES[opts.travel_mode]}，速度 {opts.speed_m_s:g} m/s；预警动员时间 "
        f"{opts.warning_time_s / 60:g} min；离路接入不超过 {opts.access_max_m:g} m",
        f"室内浓度：单区箱模型 dC_in/dt = λ(C_out − C_in)，λ = {opts.air_changes_per_hour:g} /h（门窗关闭、停止通风的"
        "现代建筑，本软件的取值；ALOHA 技术文档 NOAA NOS OR&R 43 的室内渗入模型）；剂量阈值 = AEGL-2 × 60 min",
        "烟云到达 = (下风距离 − σx)/风速，经过时长 = 泄漏持续时间 + 2σx/风速（σx 为 Pasquill-Gifford 烟团系数）",
        f"路线不进入 AEGL-2 区及其风向不确定带（不可通行）；集合点在所有区和带外 {opts.assembly_margin_m:g} m，"
        f"且与下风向夹角大于 90° − {opts.uncertainty_half_angle_deg:g}°",
    )
