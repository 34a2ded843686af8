"""Quantitative risk: individual (location-specific) risk on a grid, contours, societal risk (F-N) and PLL.

The individual risk at a place is the yearly probability that an unprotected person standing there outdoors all
year dies from an accident at the installations ([1]_ §1.4, ch. 4–6; [2]_):

.. math::

    IR(x, y) = \\sum_{u} \\sum_{o} \\sum_{w} \\sum_{d} f_o \\, p(d, w) \\, P_{death,o,w}(x, y \\mid d)

over installations u, their outcomes o (loss-of-containment events through the event trees, frequency f_o [1/a],
:mod:`analysis.qra.frequencies`), weather classes w (wind speed × stability) and wind directions d with the joint
probability p(d, w) of the wind rose (:mod:`analysis.weather`). P_death is the probability of death of the
consequence models and probits (:func:`analysis.scenarios.effect_field` →
:meth:`~analysis.scenarios.EffectField.probability_of_death`).

How it is computed (vectorised; no per-cell Python loop)
--------------------------------------------------------
The lethality of an outcome in one weather class does not depend on where the wind blows: only its orientation
does. For each installation, outcome and weather class the lethality is therefore evaluated ONCE on a table in
wind-aligned coordinates (s downwind, c crosswind; wind blowing towards +s), over a box found by probing where
P_death ≥ ``min_lethality``. For each of the rose's directions, the grid cells around the installation are
rotated into (s, c) and the tables — already weighted and summed over the installation's outcomes and weather
classes with f_o p(d, w) — are read by bilinear interpolation (``scipy.ndimage.map_coordinates``). Tables of
similar size (a factor 2) share one box, so a 20 m flash fire is tabulated at sub-metre steps even when the same
unit has a cloud kilometres long (half a grid cell at most; coarser only for boxes above 4×10⁵ points). Outcomes whose
lethality is axisymmetric in the consequence models (fireball, vertical jet fire, VCE and vessel burst centred on
the source) use a radial table and no rotation. Outcomes that do not depend on the weather (fireball, jet fire,
vessel burst) or only on the wind speed (pool fire) are evaluated once per weather they depend on. Direct and
delayed branches of the same loss of containment with the same outcome have the same consequences and are merged
(their frequencies add).

Conventions and simplifications (each a stated choice)
------------------------------------------------------
- Outdoors, unprotected, present 100 % of the time ([1]_ location-specific risk). Societal risk uses the same
  outdoor lethality for everybody (no indoor protection factor: conservative; [1]_ ch. 6 reduces the lethality
  indoors).
- Population of a sensitive target is spread evenly over its footprint; day population with the day rose, night
  population with the night rose. Building occupants: present by day; control rooms and shift rooms are manned by
  night as well (parkrisk assumption).
- Lethality below ``min_lethality`` (default 1×10⁻³) at the edge of an outcome's box is a numerical cut-off of
  parkrisk, not a rule of a source.
- Domino-added frequencies (``analysis.domino`` result ``frequencies``: f_secondary per target unit) are added to
  the target's catastrophic loss of containment (G.1, or the rupture of a pump / loading arm), which is then taken
  through the target's own event tree (parkrisk's reading of an escalated failure: total loss of the target).
- A pipelines contribution (a raster on the same grid, or a callable (transform, shape, crs) -> raster) [1/a] is
  added as given.

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), Sdu, The Hague: ch. 4 (meteorological classes, ignition), ch. 5 (vulnerability), ch. 6
       (calculation and presentation of the location-specific risk and the societal risk; F-N curve; PLL).
.. [2] GB 36894-2018 危险化学品生产装置和储存设施风险基准: individual risk (个人风险) and societal risk (社会风险)
       definitions and criteria.
.. [3] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed., AIChE: §4.4.2
       (individual risk, summation over outcome cases and weather), §4.4.3 (societal risk, F-N, PLL = Σ f_i N_i).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

__all__ = [
    "RADIAL_KINDS",
    "RiskOptions",
    "IndividualRisk",
    "individual_risk",
    "outcome_table",
    "risk_contours",
    "target_risk",
    "SocietalRisk",
    "societal_risk",
    "weather_classes",
]

#: Outcome kinds whose lethality is axisymmetric about the source in :mod:`analysis.scenarios` (fireball and
#: vertical jet fire: point-source radiation; VCE and vessel burst: TNT blast centred on the source).
RADIAL_KINDS: frozenset[str] = frozenset({"fireball", "jet_fire", "vce", "vessel_burst"})
# What the lethality of an outcome kind depends on: () nothing of the weather, ("speed",) the wind speed only
# (wind-tilted pool flame), ("speed", "stability") both (dispersion; VCE cloud size).
_WEATHER_DEPENDENCE: dict[str, tuple[str, ...]] = {
    "fireball": (),
    "jet_fire": (),
    "vessel_burst": (),
    "pool_fire": ("speed",),
    "vce": ("speed", "stability"),
    "flash_fire": ("speed", "stability"),
    "toxic": ("speed", "stability"),
}
_NIGHT_MANNED_USES = ("control_room", "shift_room")
_R_PROBE_MAX = 20_000.0  # [m] farthest distance probed for lethality
_TABLE_MAX_POINTS = 400_000  # largest wind-aligned table evaluated per outcome and weather class


# ----------------------------------------------------------------------------------------------------------------
# Options
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskOptions:
    """Options of :func:`individual_risk`.

    Attributes
    ----------
    resolution : float
        Grid cell size. [m]
    extent : tuple of float or None
        (xmin, ymin, xmax, ymax) in the park's metric CRS. [m] Default: the park boundary plus ``margin``.
    margin : float
        Distance added around the park boundary when ``extent`` is None. [m]
    wind_rose : WindRose or DayNightWindRose or None
        Default :func:`analysis.weather.demo_wind_rose` (illustrative; use the station's rose).
    frequency_options : FrequencyOptions or None
        Generic failure frequencies (source, loading hours …) of :mod:`analysis.qra.frequencies`.
    frequency_overrides : FrequencyOverrides, mapping {(unit_id, loc): frequency [1/a]} or None
        Per-unit overrides of LOC frequencies (merged into ``frequency_options``).
    event_tree : EventTreeOptions or None
    outcomes : DataFrame or None
        An explicit outcome table (columns of :class:`analysis.qra.frequencies.Outcome`) replacing the generic LOCs
        and event trees.
    domino_frequencies : DataFrame or None
        ``analysis.domino`` result ``.frequencies`` (``target``, ``f_secondary`` [1/a]).
    pipelines : ndarray, callable or None
        Individual risk of the pipelines [1/a] on the same grid (shape (ny, nx)), or a callable
        ``f(*, transform, shape, crs)`` returning it (e.g. ``functools.partial(analysis.pipelines.individual_risk_grid,
        segments, consequences)``).
    units : tuple of str or None
        Only these installations (default: all).
    min_lethality : float
        Numerical cut-off of an outcome's lethality table. [-]
    temperature_k, relative_humidity : float
        Air temperature [K] and relative humidity [-] of every weather class.
    scenario_options : tuple of (name, value)
        Extra :class:`analysis.scenarios.Scenario` keywords (probit models, yield factor …).
    progress : callable or None
        ``progress(fraction [0–1], message_zh)``.
    """

    resolution: float = 10.0
    extent: tuple[float, float, float, float] | None = None
    margin: float = 1000.0
    wind_rose: Any = field(default=None, compare=False)
    frequency_options: Any = None
    frequency_overrides: Any = field(default=None, compare=False)
    event_tree: Any = None
    outcomes: Any = field(default=None, compare=False)
    domino_frequencies: Any = field(default=None, compare=False)
    pipelines: Any = field(default=None, compare=False)
    units: tuple[str, ...] | None = None
    min_lethality: float = 1e-3
    temperature_k: float = 293.15
    relative_humidity: float = 0.7
    scenario_options: tuple[tuple[str, Any], ...] = ()
    progress: Callable[[float, str], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.resolution, (int, float)) and math.isfinite(self.resolution)):
            raise ValueError(f"resolution={self.resolution!r} must be a number of metres > 0 [m]")
        if not (0.5 <= self.resolution <= 1000.0):
            raise ValueError(f"resolution={self.resolution!r} must be in [0.5, 1000] m")
        if self.extent is not None:
            e = tuple(float(v) for v in self.extent)
            if len(e) != 4 or not all(map(math.isfinite, e)) or e[2] <= e[0] or e[3] <= e[1]:
                raise ValueError(
                    f"extent={self.extent!r} must be (xmin, ymin, xmax, ymax) with xmax > xmin, ymax > ymin [m]"
                )
            object.__setattr__(self, "extent", e)
        if not (math.isfinite(self.margin) and self.margin >= 0):
            raise ValueError(f"margin={self.margin!r} must be ≥ 0 [m]")
        if not (0.0 < self.min_lethality < 1.0):
            raise ValueError(f"min_lethality={self.min_lethality!r} must be in (0, 1) [-]")
        if self.units is not None:
            object.__setattr__(self, "units", tuple(str(u) for u in self.units))
        if isinstance(self.scenario_options, Mapping):
            object.__setattr__(self, "scenario_options", tuple(self.scenario_options.items()))
        if self.outcomes is not None and not isinstance(self.outcomes, pd.DataFrame):
            raise ValueError(
                f"outcomes must be a DataFrame of Outcome rows, not {type(self.outcomes).__name__}"
            )
        if self.domino_frequencies is not None:
            if not isinstance(self.domino_frequencies, pd.DataFrame) and hasattr(
                self.domino_frequencies, "frequencies"
            ):  # a DominoResult: take its frequency table
                object.__setattr__(self, "domino_frequencies", self.domino_frequencies.frequencies)
            df = self.domino_frequencies
            if not isinstance(df, pd.DataFrame) or not {"target", "f_secondary"} <= set(df.columns):
                raise ValueError(
                    "domino_frequencies must be the DataFrame `analysis.domino.analyze(...).frequencies` with "
                    "columns 'target' and 'f_secondary' [1/a]"
                )


def _options(options: RiskOptions | None, overrides: Mapping[str, Any]) -> RiskOptions:
    valid = set(RiskOptions.__dataclass_fields__)
    unknown = sorted(set(overrides) - valid)
    if unknown:
        raise ValueError(f"unknown risk options {unknown}; valid: {sorted(valid)}")
    if options is None:
        return RiskOptions(**overrides)
    if not isinstance(options, RiskOptions):
        raise ValueError(f"options must be a RiskOptions, not {type(options).__name__}")
    return replace(options, **overrides) if overrides else options


# ----------------------------------------------------------------------------------------------------------------
# Weather
# ----------------------------------------------------------------------------------------------------------------
def weather_classes(rose: Any) -> tuple[np.ndarray, list[tuple[float, str]], np.ndarray, np.ndarray, float]:
    """Directions, weather classes and the period-conditional probabilities of a rose.

    Returns
    -------
    directions_deg : ndarray
        Where the wind blows from, clockwise from north. [°]
    classes : list of (speed [m/s], stability)
    p_day, p_night : ndarray, shape (n_directions, n_classes)
        Joint probability of (direction, class) within the day / night period (each sums to 1). [-]
    day_fraction : float
        [-] (0.5 for a single all-year rose, which is then used for both periods.)
    """
    from analysis.weather import DayNightWindRose, WindRose

    if isinstance(rose, DayNightWindRose):
        roses, df = (rose.day, rose.night), float(rose.day_fraction)
    elif isinstance(rose, WindRose):
        roses, df = (rose, rose), 0.5
    else:
        raise ValueError(f"wind_rose must be a WindRose or DayNightWindRose, not {type(rose).__name__}")
    dirs = sorted(set(roses[0].directions_deg) | set(roses[1].directions_deg))
    classes = sorted({(s, k) for r in roses for s in r.speeds_m_s for k in r.stabilities})
    out = []
    for r in roses:
        p = np.zeros((len(dirs), len(classes)))
        for i, d in enumerate(r.directions_deg):
            for j, s in enumerate(r.speeds_m_s):
                for k, st in enumerate(r.stabilities):
                    p[dirs.index(d), classes.index((s, st))] += r.probability[i, j, k]
        out.append(p)
    return np.asarray(dirs, dtype=float), classes, out[0], out[1], df


# ----------------------------------------------------------------------------------------------------------------
# Outcomes
# ----------------------------------------------------------------------------------------------------------------
def _release_rate(temperature_k: float) -> Callable[[Any, Any], float]:
    """Outflow of a continuous LOC [kg/s] from the source-term model (for the direct-ignition class)."""
    from analysis import scenarios as sc

    w = sc.WeatherClass(wind_speed=5.0, stability="D", temperature_k=temperature_k)

    def rate(row: Any, loc: Any) -> float:
        if not math.isfinite(loc.hole_diameter_m):
            if math.isfinite(loc.duration_s) and loc.duration_s > 0:
                return loc.mass_kg / loc.duration_s  # G.2: whole inventory over the fixed duration
            return 0.0
        st = sc.source_term(row, sc.Scenario("jet_fire", hole_diameter=loc.hole_diameter_m), w)
        return float(st.rate)

    return rate


def _frequency_options(opts: RiskOptions, installations: pd.DataFrame) -> Any:
    """FrequencyOptions with the user's overrides and the domino-added frequencies merged in."""
    from analysis.qra import frequencies as fq

    base = opts.frequency_options or fq.FrequencyOptions()
    ov = opts.frequency_overrides
    if ov is None:
        ov = base.overrides
    elif isinstance(ov, Mapping):
        ov = fq.FrequencyOverrides(
            frequencies=base.overrides.frequencies + fq.FrequencyOverrides.from_dict(dict(ov)).frequencies,
            equipment=base.overrides.equipment,
        )
    elif not isinstance(ov, fq.FrequencyOverrides):
        raise ValueError(
            "frequency_overrides must be a FrequencyOverrides or a mapping {(unit_id, loc): frequency [1/a]}, "
            f"not {type(ov).__name__}"
        )
    opt = replace(base, overrides=ov)
    dom = opts.domino_frequencies
    if dom is None or len(dom) == 0:
        return opt, {}
    added = dom.groupby(dom["target"].astype(str))["f_secondary"].sum()
    extra: list[tuple[str, str, float]] = []
    applied: dict[str, float] = {}
    rows = {str(r["unit_id"]): r for _, r in installations.iterrows()}
    for unit, f_add in added.items():
        if unit not in rows or not (f_add > 0):
            continue
        locs = fq.loss_of_containment(rows[unit], options=opt)
        key = next((lc for lc in locs if lc.loc == "G.1"), None) or next(
            (lc for lc in locs if lc.loc == "rupture"), None
        )
        if key is None:
            log.info("domino-added frequency of %s not applied: no catastrophic LOC", unit)
            continue
        extra.append((unit, key.loc, key.frequency + float(f_add)))
        applied[unit] = float(f_add)
    keep = tuple(t for t in ov.frequencies if (t[0], t[1]) not in {(u, k) for u, k, _ in extra})
    return replace(opt, overrides=fq.FrequencyOverrides(keep + tuple(extra), ov.equipment)), applied


def outcome_table(park: Any, *, options: RiskOptions | None = None, **overrides: Any) -> pd.DataFrame:
    """The outcomes of every installation (generic LOC frequencies through the event trees) used by the risk.

    Returns
    -------
    DataFrame
        Columns of :class:`analysis.qra.frequencies.Outcome`, plus ``status`` ("ok" / "skipped") and ``reason_zh``
        for installations without outcomes (not covered by the frequency source, unknown substance …), and
        ``domino_added`` [1/a] (the frequency added to the unit's catastrophic LOC).
    """
    from analysis.qra import frequencies as fq

    opts = _options(options, overrides)
    inst = park.metric("installations")
    if opts.units is not None:
        unknown = sorted(set(opts.units) - set(inst["unit_id"].astype(str)))
        if unknown:
            raise ValueError(
                f"units {unknown} are not installations of the park; valid: {list(inst['unit_id'])}"
            )
        inst = inst[inst["unit_id"].astype(str).isin(opts.units)]
    cols = list(fq.Outcome.__dataclass_fields__)
    if opts.outcomes is not None:
        missing = [c for c in cols if c not in opts.outcomes.columns]
        if missing:
            raise ValueError(f"outcomes is missing columns {missing}; required: {cols}")
        df = opts.outcomes[cols].copy()
        df["status"], df["reason_zh"], df["domino_added"] = "ok", "", 0.0
        return df.reset_index(drop=True)
    fopt, applied = _frequency_options(opts, inst)
    rate = _release_rate(opts.temperature_k)
    recs: list[dict[str, Any]] = []
    for _, row in inst.iterrows():
        uid = str(row["unit_id"])
        try:
            outs = fq.outcomes(row, release_rate=rate, frequency_options=fopt, event_tree=opts.event_tree)
        except ValueError as exc:
            recs.append({"unit_id": uid, "status": "skipped", "reason_zh": f"无法生成事故场景：{exc}"})
            continue
        if not outs:
            recs.append(
                {
                    "unit_id": uid,
                    "status": "skipped",
                    "reason_zh": "通用泄漏频率来源（CPR 18E）未覆盖该类设施",
                }
            )
            continue
        for o in outs:
            recs.append(
                {**o.__dict__, "status": "ok", "reason_zh": "", "domino_added": applied.get(uid, 0.0)}
            )
    df = pd.DataFrame(recs)
    for c in [*cols, "status", "reason_zh", "domino_added"]:
        if c not in df.columns:
            df[c] = np.nan
    return df[[*cols, "status", "reason_zh", "domino_added"]]


# ----------------------------------------------------------------------------------------------------------------
# Lethality tables
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class _Table:
    """Lethality of one outcome group in one weather key: radial (r) or wind-aligned (s, c)."""

    kind: str
    frequency: float
    key: tuple
    radial: bool
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
    reach: float = 0.0  # [m] farthest probed distance with lethality >= cut-off
    box: tuple[float, float, float] | None = None  # (s_min, s_max, c_max) [m]
    r: np.ndarray | None = None
    values: np.ndarray | None = None


def _probe(fn: Callable, thr: float, radial: bool) -> tuple[float, tuple[float, float, float] | None]:
    """Where the lethality exceeds thr: reach [m] and (s_min, s_max, c_max) box [m] (None when nowhere)."""
    r = np.concatenate([[0.0], np.geomspace(0.25, _R_PROBE_MAX, 240)])
    if radial:
        p = np.asarray(fn(r, np.zeros_like(r)), dtype=float)
        hit = np.flatnonzero(p >= thr)
        if not hit.size:
            return 0.0, None
        i = hit[-1]
        reach = float(r[min(i + 1, r.size - 1)])
        return reach, (-reach, reach, reach)
    phi = np.radians(np.arange(0.0, 360.0, 3.0))
    s = r[:, None] * np.cos(phi)[None, :]
    c = r[:, None] * np.sin(phi)[None, :]
    p = np.asarray(fn(s, c), dtype=float)
    hit = p >= thr
    if not hit.any():
        return 0.0, None
    rr = np.broadcast_to(r[:, None], hit.shape)[hit]
    reach = float(rr.max())
    step = 1.04  # radial ratio between probes
    sh, ch = s[hit], c[hit]
    pad_c = reach * math.sin(math.radians(3.0))
    return reach * step, (
        float(sh.min()) * step - 2.0,
        float(sh.max()) * step + 2.0,
        float(np.abs(ch).max()) * step + pad_c + 2.0,
    )


def _grid_table(
    fn: Callable, box: tuple[float, float, float], h: float
) -> tuple[np.ndarray, np.ndarray, Any]:
    s = np.arange(box[0], box[1] + h, h)
    c = np.arange(-box[2], box[2] + h, h)
    vals = np.asarray(fn(s[None, :], c[:, None]), dtype=float)
    vals = np.broadcast_to(vals, (c.size, s.size))
    return s, c, np.nan_to_num(vals, nan=0.0)


# ----------------------------------------------------------------------------------------------------------------
# Result
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class IndividualRisk:
    """Individual (location-specific) risk on a grid, with what is needed for the checks built on it.

    Attributes
    ----------
    grid : ndarray, shape (ny, nx)
        Individual risk per cell centre; row 0 is the northernmost row. [1/a]
    transform : affine.Affine
        Cell (col, row) -> metric CRS (x, y) of the cell's upper-left corner. [m]
    crs : pyproj.CRS
        The park's metric CRS.
    resolution : float
        [m]
    outcomes : DataFrame
        The outcome table used (:func:`outcome_table`) with ``computed`` (bool) and ``reason_zh``.
    units : DataFrame
        Per installation: unit_id, enterprise_id, n_outcomes, frequency [1/a], reach_m [m] (farthest distance of a
        lethality ≥ the cut-off), and ``ir_distance_<level>`` [m]: the farthest distance from the installation's
        footprint of a cell where the installation's own risk is ≥ level (the risk-method external safety
        protection distance, GB/T 37243-2019).
    receptors : DataFrame
        Sample points of sensitive targets and buildings: layer, feature_id, x, y [m], w_day, w_night (people
        represented by the point) and ``ir`` [1/a] (the risk at the point, from all installations and pipelines).
    contributions : ndarray, shape (n_receptors, n_units)
        Risk at each receptor point from each installation (column order of ``units``). [1/a]
    events : DataFrame
        Societal-risk events: unit_id, loc, outcome, period, direction_deg, speed_m_s, stability, frequency [1/a],
        n_targets (people of the sensitive targets killed), n_buildings (building occupants killed).
    options : RiskOptions
    """

    grid: np.ndarray
    transform: Any
    crs: Any
    resolution: float
    outcomes: pd.DataFrame
    units: pd.DataFrame
    receptors: pd.DataFrame
    contributions: np.ndarray
    events: pd.DataFrame
    options: RiskOptions

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.grid.shape)  # type: ignore[return-value]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid. [m]"""
        ny, nx = self.grid.shape
        x0, y1 = self.transform.c, self.transform.f
        return (x0, y1 - ny * self.resolution, x0 + nx * self.resolution, y1)

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """1-D x (increasing) and y (decreasing, row order) of the cell centres. [m]"""
        ny, nx = self.grid.shape
        h = self.resolution
        return self.transform.c + (np.arange(nx) + 0.5) * h, self.transform.f - (np.arange(ny) + 0.5) * h

    def value_at(self, x: Any, y: Any) -> np.ndarray:
        """Risk of the cell containing each point (0 outside the grid). [1/a]"""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        col = np.floor((x - self.transform.c) / self.resolution).astype(int)
        row = np.floor((self.transform.f - y) / self.resolution).astype(int)
        ny, nx = self.grid.shape
        ok = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        out = np.zeros(np.broadcast(x, y).shape)
        out[ok] = self.grid[row[ok], col[ok]]
        return out

    def to_geotiff(self, path: Any) -> None:
        """Write the grid as a single-band float64 GeoTIFF (deflate-compressed) in the metric CRS. [1/a]"""
        import rasterio

        ny, nx = self.grid.shape
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            height=ny,
            width=nx,
            count=1,
            dtype="float64",
            crs=self.crs.to_wkt(),
            transform=self.transform,
            compress="deflate",
            nodata=None,
        ) as dst:
            dst.write(self.grid, 1)
            dst.update_tags(quantity="individual risk", unit="1/a", resolution_m=str(self.resolution))
            dst.set_band_description(1, "individual risk 个人风险 [1/a]")

    def contours(self, levels: Any = None) -> Any:
        """:func:`risk_contours` of this result."""
        return risk_contours(self, levels=levels)


# ----------------------------------------------------------------------------------------------------------------
# Engine
# ----------------------------------------------------------------------------------------------------------------
def _grid_geometry(park: Any, opts: RiskOptions) -> tuple[Any, int, int, float, float]:
    from affine import Affine

    h = float(opts.resolution)
    if opts.extent is not None:
        xmin, ymin, xmax, ymax = opts.extent
    else:
        parks = park.metric("parks")
        inst = park.metric("installations")
        b = np.vstack([parks.total_bounds, inst.total_bounds]) if len(inst) else parks.total_bounds[None, :]
        xmin, ymin = float(np.nanmin(b[:, 0])) - opts.margin, float(np.nanmin(b[:, 1])) - opts.margin
        xmax, ymax = float(np.nanmax(b[:, 2])) + opts.margin, float(np.nanmax(b[:, 3])) + opts.margin
    nx = max(1, int(math.ceil((xmax - xmin) / h)))
    ny = max(1, int(math.ceil((ymax - ymin) / h)))
    if nx * ny > 25_000_000:
        raise ValueError(
            f"resolution={h} m over extent {xmax - xmin:.0f} m × {ymax - ymin:.0f} m gives {nx * ny} cells; "
            "at most 25 000 000 allowed — use a coarser resolution or a smaller extent"
        )
    return Affine(h, 0.0, xmin, 0.0, -h, ymin + ny * h), nx, ny, xmin, ymin + ny * h


def _receptors(park: Any, h: float) -> pd.DataFrame:
    """Sample points of the sensitive targets (population) and buildings (occupants)."""
    import shapely

    recs: list[pd.DataFrame] = []
    for layer, id_col in (("sensitive_targets", "target_id"), ("buildings", "building_id")):
        try:
            gdf = park.metric(layer)
        except (KeyError, ValueError):
            continue
        if gdf is None or len(gdf) == 0:
            continue
        for _, r in gdf.iterrows():
            g = r.geometry
            if g is None or g.is_empty:
                continue
            if g.geom_type in ("Polygon", "MultiPolygon"):
                x0, y0, x1, y1 = g.bounds
                step = max(h, math.sqrt(max(g.area, 1.0) / 150.0))
                xs = np.arange(x0 + step / 2, x1, step)
                ys = np.arange(y0 + step / 2, y1, step)
                X, Y = np.meshgrid(xs, ys)
                inside = shapely.contains_xy(g, X, Y)
                px, py = X[inside], Y[inside]
                if px.size == 0:
                    p = g.representative_point()
                    px, py = np.array([p.x]), np.array([p.y])
            else:
                p = g.representative_point()
                px, py = np.array([p.x]), np.array([p.y])
            n = px.size
            if layer == "sensitive_targets":
                day = float(np.nan_to_num(r.get("population_day", 0.0) or 0.0))
                night = float(np.nan_to_num(r.get("population_night", 0.0) or 0.0))
            else:
                occ = float(np.nan_to_num(r.get("occupants", 0.0) or 0.0))
                day, night = occ, occ if str(r.get("use", "")) in _NIGHT_MANNED_USES else 0.0
            recs.append(
                pd.DataFrame(
                    {
                        "layer": layer,
                        "feature_id": str(r[id_col]),
                        "x": px,
                        "y": py,
                        "w_day": day / n,
                        "w_night": night / n,
                    }
                )
            )
    if not recs:
        return pd.DataFrame(columns=["layer", "feature_id", "x", "y", "w_day", "w_night"])
    return pd.concat(recs, ignore_index=True)


@dataclass
class _DirGroup:
    """Directional tables sharing one wind-aligned box: s in [s_min, s_max], c in [-c_max, c_max], step ht [m]."""

    tables: list[_Table]
    s_min: float
    s_max: float
    c_max: float
    ht: float


def _dir_group(members: list[_Table], h: float, thr: float) -> _DirGroup:
    """Tabulate the members on their common box, growing it while the border still has lethality ≥ thr."""
    s_min = min(t.box[0] for t in members)
    s_max = max(t.box[1] for t in members)
    c_max = max(t.box[2] for t in members)
    ht = h / 2.0
    for _ in range(4):
        area = (s_max - s_min) * 2 * c_max
        size = max(s_max - s_min, 2 * c_max)
        # half a grid cell, finer for small boxes (≥ 100 steps across, ≥ 0.5 m), coarser when the box is huge
        ht = max(min(h / 2.0, max(size / 100.0, 0.5)), math.sqrt(area / _TABLE_MAX_POINTS))
        box = (s_min, s_max, c_max)
        grow = False
        for t in members:
            with np.errstate(all="ignore"):
                _, _, t.values = _grid_table(t.fn, box, ht)
            v = t.values
            if v[:, 0].max() >= thr and s_min > -_R_PROBE_MAX:
                s_min, grow = s_min - 0.5 * (s_max - s_min), True
            if v[:, -1].max() >= thr and s_max < _R_PROBE_MAX:
                s_max, grow = s_max + 0.5 * (s_max - s_min), True
            if max(v[0].max(), v[-1].max()) >= thr and c_max < _R_PROBE_MAX:
                c_max, grow = c_max * 1.5, True
        if not grow:
            break
    return _DirGroup(members, s_min, s_max, c_max, ht)


def _rotate(dx: np.ndarray, dy: np.ndarray, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """(downwind s, crosswind c) of offsets east/north for a wind blowing FROM wind_from_deg. [m]"""
    b = math.radians(wind_from_deg + 180.0)  # downwind bearing
    sb, cb = math.sin(b), math.cos(b)
    return dx * sb + dy * cb, -dx * cb + dy * sb


def individual_risk(park: Any, *, options: RiskOptions | None = None, **overrides: Any) -> IndividualRisk:
    """Individual (location-specific) risk of the park's installations on a grid.

    Parameters
    ----------
    park : geodata.Park
    options : RiskOptions, optional
        All options; keywords (``resolution=10``, ``wind_rose=...``, ``extent=...``, ``domino_frequencies=...``,
        ``pipelines=...``, ``frequency_overrides=...``, ``progress=...`` — the fields of :class:`RiskOptions`)
        override them.

    Returns
    -------
    IndividualRisk
        ``.grid`` [1/a], ``.transform`` (affine), ``.crs`` (the park's metric CRS), ``.to_geotiff(path)``.

    Raises
    ------
    ValueError
        Bad options (naming the option, its value and what is allowed).

    References
    ----------
    .. [1] CPR 18E (1999), ch. 4–6 (location-specific risk summed over LOCs, outcomes, weather classes and wind
           directions).
    .. [2] CCPS (2000), §4.4.2 Eq. 4.4.1–4.4.4 (individual risk).
    """
    from scipy.ndimage import map_coordinates

    from analysis import scenarios as sc
    from analysis.qra import frequencies as fq
    from analysis.weather import demo_wind_rose

    opts = _options(options, overrides)
    progress = opts.progress or (lambda frac, msg: None)
    rose = opts.wind_rose if opts.wind_rose is not None else demo_wind_rose()
    dirs, classes, p_day, p_night, dfrac = weather_classes(rose)
    p_ann = dfrac * p_day + (1.0 - dfrac) * p_night
    transform, nx, ny, x0, y1 = _grid_geometry(park, opts)
    h = float(opts.resolution)
    crs = park.metric_crs
    grid = np.zeros((ny, nx))
    xc = x0 + (np.arange(nx) + 0.5) * h
    yc = y1 - (np.arange(ny) + 0.5) * h

    progress(0.0, "生成事故场景与频率…")
    table = outcome_table(park, options=opts)
    ok = table[table["status"] == "ok"].copy()
    inst = park.metric("installations")
    rows = {str(r["unit_id"]): r for _, r in inst.iterrows()}
    rec = _receptors(park, h)
    rx, ry = rec["x"].to_numpy(float), rec["y"].to_numpy(float)
    wd, wn = rec["w_day"].to_numpy(float), rec["w_night"].to_numpy(float)
    is_target = (rec["layer"] == "sensitive_targets").to_numpy()
    unit_ids = list(dict.fromkeys(ok["unit_id"].astype(str)))
    contrib = np.zeros((len(rec), len(unit_ids)))
    levels = _distance_levels()
    unit_recs: list[dict[str, Any]] = []
    events: list[tuple] = []
    computed = np.zeros(len(table), dtype=bool)
    reasons = np.array(table["reason_zh"].astype(object).fillna("").tolist(), dtype=object)
    sc_kw = dict(opts.scenario_options)
    thr = float(opts.min_lethality)
    p_any = (p_day.sum(axis=0) + p_night.sum(axis=0)) > 0  # per weather class

    # one representative weather per key
    def key_of(kind: str, cls: tuple[float, str]) -> tuple:
        dep = _WEATHER_DEPENDENCE[kind]
        return tuple(cls[0] if d == "speed" else cls[1] for d in dep)

    for ui, uid in enumerate(unit_ids):
        progress(
            0.02 + 0.93 * ui / max(len(unit_ids), 1),
            f"计算设施 {uid} 的个人风险（{ui + 1}/{len(unit_ids)}）…",
        )
        row = rows[uid]
        sub = ok[ok["unit_id"].astype(str) == uid]
        grp_cols = ["loc", "outcome", "instantaneous", "hole_diameter_m", "duration_s", "mass_kg"]
        # Direct and delayed branches of one LOC with the same outcome share their consequences: merge them.
        groups = sub.groupby(grp_cols, dropna=False, sort=False)
        tables: list[_Table] = []
        n_out, f_unit = 0, 0.0
        for _gkey, g in groups:
            first = g.iloc[0]
            oc = fq.Outcome(**{k: first[k] for k in fq.Outcome.__dataclass_fields__})
            f_g = float(g["frequency"].sum())
            try:
                scen = fq.to_scenario(oc, **sc_kw)
            except ValueError as exc:
                reasons[[table.index.get_loc(i) for i in g.index]] = f"情景无效：{_short(exc)}"
                continue
            kind = scen.kind
            keys: dict[tuple, tuple[float, str]] = {}
            for ci, cls in enumerate(classes):
                if p_any[ci]:  # weather classes that never occur need no consequence field
                    keys.setdefault(key_of(kind, cls), cls)
            made = []
            try:
                for k, (spd, stab) in keys.items():
                    w = sc.WeatherClass(
                        wind_speed=spd,
                        stability=stab,
                        temperature_k=opts.temperature_k,
                        relative_humidity=opts.relative_humidity,
                    )
                    ef = sc.effect_field(row, scen, w)

                    def lethality(s, c, ef=ef):  # wind frame: s downwind, c crosswind [m]
                        return ef.along_wind("probability_of_death", s, c)

                    with np.errstate(all="ignore"):
                        lethality(np.array([1.0, 50.0]), np.array([0.0, 0.0]))  # fails early
                    made.append(_Table(kind, f_g, k, kind in RADIAL_KINDS, lethality))
            except (ValueError, ZeroDivisionError) as exc:
                reasons[[table.index.get_loc(i) for i in g.index]] = f"后果模型不适用：{_short(exc)}"
                log.info("unit %s %s %s skipped: %s", uid, oc.loc, kind, exc)
                continue
            computed[[table.index.get_loc(i) for i in g.index]] = True
            tables += made
            n_out += len(g)
            f_unit += f_g
        # probe extents
        live: list[_Table] = []
        for t in tables:
            with np.errstate(all="ignore"):
                t.reach, t.box = _probe(t.fn, thr, t.radial)
            if t.box is not None:
                live.append(t)
        u_contrib = np.zeros(len(rec))
        reach = max((t.reach for t in live), default=0.0)
        rec_unit: dict[str, Any] = {
            "unit_id": uid,
            "enterprise_id": str(row.get("enterprise_id", "")),
            "n_outcomes": n_out,
            "frequency": f_unit,
            "reach_m": reach,
        }
        if not live:
            for lv in levels:
                rec_unit[f"ir_distance_{lv:.0e}"] = 0.0
            unit_recs.append(rec_unit)
            continue
        ox, oy = (float(row.geometry.centroid.x), float(row.geometry.centroid.y))
        # radial tables: r from 0 to reach at ≤ h/4 (≤ 1 m)
        for t in live:
            if t.radial:
                step = min(h / 4.0, 1.0)
                t.r = np.arange(0.0, t.reach + step, step)
                with np.errstate(all="ignore"):
                    t.values = np.nan_to_num(np.asarray(t.fn(t.r, np.zeros_like(t.r)), dtype=float))
        dir_t = [t for t in live if not t.radial]
        # Tables of similar size share one wind-aligned box (size classes of a factor 2), so that a small flame or
        # cloud is tabulated finely even when the same unit also has a cloud kilometres long.
        size_class: dict[int, list[_Table]] = {}
        for t in dir_t:
            size = max(t.box[1] - t.box[0], 2.0 * t.box[2], 1.0)
            size_class.setdefault(int(math.ceil(math.log2(size))), []).append(t)
        dgroups: list[_DirGroup] = []
        for members in size_class.values():
            g_ = _dir_group(members, h, thr)
            dgroups.append(g_)
            reach = max(reach, math.hypot(max(abs(g_.s_min), abs(g_.s_max)), g_.c_max))
        rec_unit["reach_m"] = max(t.reach for t in live)
        # window of the grid around the unit
        j0 = max(0, int(math.floor((ox - reach - x0) / h)))
        j1 = min(nx, int(math.ceil((ox + reach - x0) / h)) + 1)
        i0 = max(0, int(math.floor((y1 - (oy + reach)) / h)))
        i1 = min(ny, int(math.ceil((y1 - (oy - reach)) / h)) + 1)
        win = None
        if j1 > j0 and i1 > i0:
            DX, DY = np.meshgrid(xc[j0:j1] - ox, yc[i0:i1] - oy)
            win = np.zeros(DX.shape)
            R = np.hypot(DX, DY)
        pdx, pdy = rx - ox, ry - oy
        pr = np.hypot(pdx, pdy)
        near = pr <= reach
        # radial: weather-weighted sum of tables, direction-independent
        for t in (t for t in live if t.radial):
            members = [ci for ci, cls in enumerate(classes) if key_of(t.kind, cls) == t.key]
            pk_day = p_day[:, members].sum(axis=1)  # per direction
            pk_night = p_night[:, members].sum(axis=1)
            pk = float(p_ann[:, members].sum())
            if win is not None:
                win += t.frequency * pk * np.interp(R, t.r, t.values, right=0.0)
            lp = np.interp(pr[near], t.r, t.values, right=0.0)
            u_contrib[near] += t.frequency * pk * lp
            nd_t = float(np.sum((wd[near] * lp)[is_target[near]]))
            nd_b = float(np.sum((wd[near] * lp)[~is_target[near]]))
            nn_t = float(np.sum((wn[near] * lp)[is_target[near]]))
            nn_b = float(np.sum((wn[near] * lp)[~is_target[near]]))
            if nd_t + nd_b + nn_t + nn_b > 0:
                for di, dd in enumerate(dirs):
                    for period, pk_p, frac, nt, nb in (
                        ("day", pk_day[di], dfrac, nd_t, nd_b),
                        ("night", pk_night[di], 1.0 - dfrac, nn_t, nn_b),
                    ):
                        f_e = t.frequency * pk_p * frac
                        if f_e > 0 and nt + nb > 0:
                            events.append((uid, t.kind, period, dd, t.key, f_e, nt, nb))
        # directional: per size group, one combined table per direction, rotated onto the window
        for grp in dgroups:
            members, ht, s_min, c_max = grp.tables, grp.ht, grp.s_min, grp.c_max
            stack = np.stack([t.values for t in members])  # (K, nc, ns)
            coef_day = np.zeros((len(members), len(dirs)))
            coef_night = np.zeros((len(members), len(dirs)))
            for k, t in enumerate(members):
                cols = [ci for ci, cls in enumerate(classes) if key_of(t.kind, cls) == t.key]
                coef_day[k] = t.frequency * p_day[:, cols].sum(axis=1)
                coef_night[k] = t.frequency * p_night[:, cols].sum(axis=1)
            coef = dfrac * coef_day + (1.0 - dfrac) * coef_night
            g_reach = math.hypot(max(abs(grp.s_min), abs(grp.s_max)), grp.c_max)
            if win is not None:
                in_g = R <= g_reach
                gx, gy = DX[in_g], DY[in_g]
            near_g = near & (pr <= g_reach)
            for di, dd in enumerate(dirs):
                if not np.any(coef[:, di] > 0):
                    continue
                comb = np.tensordot(coef[:, di], stack, axes=1)
                if win is not None and gx.size:
                    S, C = _rotate(gx, gy, dd)
                    win[in_g] += map_coordinates(
                        comb, [(C + c_max) / ht, (S - s_min) / ht], order=1, mode="constant", cval=0.0
                    )
                if near_g.any():
                    ps, pc = _rotate(pdx[near_g], pdy[near_g], dd)
                    idx = [(pc + c_max) / ht, (ps - s_min) / ht]
                    u_contrib[near_g] += map_coordinates(comb, idx, order=1, mode="constant", cval=0.0)
                    wdn, wnn, tg = wd[near_g], wn[near_g], is_target[near_g]
                    for k, t in enumerate(members):
                        if coef[k, di] <= 0:
                            continue
                        lp = map_coordinates(t.values, idx, order=1, mode="constant", cval=0.0)
                        if not lp.any():
                            continue
                        for period, cf, nt, nb in (
                            ("day", coef_day[k, di] * dfrac, (wdn * lp)[tg].sum(), (wdn * lp)[~tg].sum()),
                            (
                                "night",
                                coef_night[k, di] * (1 - dfrac),
                                (wnn * lp)[tg].sum(),
                                (wnn * lp)[~tg].sum(),
                            ),
                        ):
                            if cf > 0 and nt + nb > 0:
                                events.append((uid, t.kind, period, dd, t.key, cf, float(nt), float(nb)))
        contrib[:, ui] = u_contrib
        if win is not None:
            grid[i0:i1, j0:j1] += win
            rec_unit.update(_unit_distances(row.geometry, xc[j0:j1], yc[i0:i1], win, levels))
        else:
            for lv in levels:
                rec_unit[f"ir_distance_{lv:.0e}"] = 0.0
        unit_recs.append(rec_unit)

    if opts.pipelines is not None:
        pipe = (
            opts.pipelines(transform=transform, shape=(ny, nx), crs=crs)
            if callable(opts.pipelines)
            else opts.pipelines
        )
        pipe = np.asarray(pipe, dtype=float)
        if pipe.shape != (ny, nx):
            raise ValueError(f"pipelines raster has shape {pipe.shape}; expected the grid's shape {(ny, nx)}")
        if np.any(~np.isfinite(pipe) | (pipe < 0)):
            raise ValueError("pipelines raster has negative or non-finite values; must be risks ≥ 0 [1/a]")
        grid += pipe
    table = table.assign(computed=computed, reason_zh=reasons)
    rec = rec.assign(ir=contrib.sum(axis=1))
    if opts.pipelines is not None and len(rec):
        tmp = IndividualRisk(
            pipe, transform, crs, h, table, pd.DataFrame(), rec, contrib, pd.DataFrame(), opts
        )
        rec["ir"] = rec["ir"] + tmp.value_at(rec["x"].to_numpy(), rec["y"].to_numpy())
    ev = pd.DataFrame(
        events,
        columns=[
            "unit_id",
            "outcome",
            "period",
            "direction_deg",
            "weather_key",
            "frequency",
            "n_targets",
            "n_buildings",
        ],
    )
    units_df = pd.DataFrame(unit_recs)
    progress(1.0, "个人风险计算完成")
    return IndividualRisk(grid, transform, crs, h, table, units_df, rec, contrib, ev, opts)


def _short(exc: Exception, n: int = 160) -> str:
    text = str(exc)
    if "Substance(" in text:  # drop the repr of a substance record from a message
        head, _, tail = text.partition("Substance(")
        text = head + tail[tail.find(")))") + 3 :] if ")))" in tail else head
    return text if len(text) <= n else text[: n - 1] + "…"


def _distance_levels() -> tuple[float, ...]:
    """Distinct GB 36894-2018 individual-risk limits (new and existing) [1/a], highest first."""
    from analysis.regulation.gb36894 import INDIVIDUAL_RISK_LIMITS

    return tuple(sorted({v for pair in INDIVIDUAL_RISK_LIMITS.values() for v in pair}, reverse=True))


def _unit_distances(
    geom: Any, xs: np.ndarray, ys: np.ndarray, win: np.ndarray, levels: tuple
) -> dict[str, float]:
    """Farthest distance from the footprint of a cell whose risk from this unit is ≥ each level. [m]"""
    import shapely

    out: dict[str, float] = {}
    for lv in levels:
        ii, jj = np.nonzero(win >= lv)
        if ii.size == 0:
            out[f"ir_distance_{lv:.0e}"] = 0.0
            continue
        d = shapely.distance(geom, shapely.points(xs[jj], ys[ii]))
        out[f"ir_distance_{lv:.0e}"] = float(np.max(d))
    return out


# ----------------------------------------------------------------------------------------------------------------
# Contours
# ----------------------------------------------------------------------------------------------------------------
def risk_contours(result: IndividualRisk, *, levels: Any = None) -> Any:
    """Polygons where the individual risk is at least each level (filled contours, contourpy).

    Parameters
    ----------
    result : IndividualRisk
    levels : sequence of float, optional
        [1/a]; default :data:`analysis.regulation.gb36894.IR_CONTOUR_LEVELS` (1×10⁻⁵, 3×10⁻⁶, 1×10⁻⁶, 3×10⁻⁷).

    Returns
    -------
    GeoDataFrame
        One row per level, highest first: level [1/a], label_zh, area_m2 [m²], geometry (metric CRS; empty when
        the level is not reached). Edges are interpolated linearly in log10(risk) between cell centres.
    """
    import contourpy
    import geopandas as gpd
    import shapely

    from analysis.regulation.gb36894 import IR_CONTOUR_LEVELS

    lv = sorted((float(v) for v in (levels if levels is not None else IR_CONTOUR_LEVELS)), reverse=True)
    if any(not (v > 0 and math.isfinite(v)) for v in lv):
        raise ValueError(f"levels={levels!r} must be risks > 0 [1/a]")
    xs, ys = result.cell_centres()
    z = np.log10(np.maximum(result.grid[::-1], 1e-300))  # rows south -> north
    # pad with a ring of very low values so that contours close at the grid edge
    zp = np.pad(z, 1, constant_values=-300.0)
    h = result.resolution
    xp = np.concatenate([[xs[0] - h / 2], xs, [xs[-1] + h / 2]])
    yr = ys[::-1]
    yp = np.concatenate([[yr[0] - h / 2], yr, [yr[-1] + h / 2]])
    gen = contourpy.contour_generator(xp, yp, zp, fill_type=contourpy.FillType.OuterOffset)
    geoms = []
    for v in lv:
        polys = []
        pts_list, offs_list = gen.filled(math.log10(v), 1e300)
        for pts, offs in zip(pts_list, offs_list, strict=True):
            rings = [pts[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
            if len(rings[0]) >= 4:
                polys.append(shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4]))
        geoms.append(shapely.make_valid(shapely.union_all(polys)) if polys else shapely.Polygon())
    return gpd.GeoDataFrame(
        {
            "level": lv,
            "label_zh": [f"个人风险 ≥ {v:.0e} /年" for v in lv],
            "area_m2": [float(g.area) for g in geoms],
        },
        geometry=geoms,
        crs=result.crs,
    )


# ----------------------------------------------------------------------------------------------------------------
# Targets
# ----------------------------------------------------------------------------------------------------------------
def target_risk(result: IndividualRisk, park: Any, *, top: int = 3) -> pd.DataFrame:
    """The individual risk each sensitive target sees and who causes it.

    The risk of a target is the highest risk over its sample points (cell-centre lattice inside its footprint).

    Returns
    -------
    DataFrame
        target_id, name, protection_class, individual_risk [1/a], x, y [m] (the worst point), and
        ``contributors_zh`` (the ``top`` installations with their share), ``top_units`` (list of unit_id),
        ``top_enterprises`` (list of enterprise_id).
    """
    tg = park.sensitive_targets
    rec = result.receptors
    units = result.units
    ent = dict(zip(units["unit_id"], units["enterprise_id"], strict=False)) if len(units) else {}
    out = []
    for _, t in tg.iterrows():
        tid = str(t["target_id"])
        m = np.flatnonzero(((rec["layer"] == "sensitive_targets") & (rec["feature_id"] == tid)).to_numpy())
        if m.size == 0:
            out.append(
                {
                    "target_id": tid,
                    "individual_risk": 0.0,
                    "x": np.nan,
                    "y": np.nan,
                    "top_units": [],
                    "top_enterprises": [],
                    "contributors_zh": "",
                }
            )
            continue
        ir = rec["ir"].to_numpy()[m]
        k = m[int(np.argmax(ir))]
        c = result.contributions[k] if result.contributions.size else np.zeros(0)
        order = np.argsort(c)[::-1][:top]
        tot = float(rec["ir"].iloc[k])
        names = [units["unit_id"].iloc[j] for j in order if c[j] > 0]
        txt = "、".join(
            f"{units['unit_id'].iloc[j]}（{c[j] / tot * 100:.0f}%）" for j in order if c[j] > 0 and tot > 0
        )
        out.append(
            {
                "target_id": tid,
                "individual_risk": tot,
                "x": float(rec["x"].iloc[k]),
                "y": float(rec["y"].iloc[k]),
                "top_units": names,
                "top_enterprises": list(dict.fromkeys(ent.get(u, "") for u in names)),
                "contributors_zh": txt,
            }
        )
    df = pd.DataFrame(out)
    df.insert(1, "name", tg["name"].astype(str).to_numpy())
    df.insert(2, "protection_class", tg["protection_class"].astype(str).to_numpy())
    return df


# ----------------------------------------------------------------------------------------------------------------
# Societal risk
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SocietalRisk:
    """F-N curves and PLL from the events of an :class:`IndividualRisk` run.

    Attributes
    ----------
    curve : FNCurve
        All year (day and night events together). F [1/a] of N or more fatalities.
    curve_day, curve_night : FNCurve
        Day and night events only (frequencies are annual, so the two add up to ``curve``).
    pll : float
        Potential loss of life Σ f N. [persons/a]
    classification : DataFrame
        :func:`analysis.qra.societal.classify_fn` of ``curve`` against the criterion.
    events : DataFrame
        frequency [1/a], n (fatalities), period, unit_id, outcome, direction_deg.
    include_buildings : bool
    criterion : str
    """

    curve: Any
    curve_day: Any
    curve_night: Any
    pll: float
    classification: pd.DataFrame
    events: pd.DataFrame
    include_buildings: bool
    criterion: str

    @property
    def overall(self) -> str:
        """Overall region of the curve (unacceptable / alarp / acceptable / not_assessed)."""
        return str(self.classification.attrs.get("overall", ""))


def societal_risk(
    result: IndividualRisk, *, include_buildings: bool = True, criterion: str = "gb36894_2018"
) -> SocietalRisk:
    """Societal risk (F-N curve, PLL) of the population of the sensitive targets (and building occupants).

    Each event is one outcome in one weather class, wind direction and period (day / night) with its annual
    frequency; its number of fatalities is N = Σ people × P_death over the sample points of the targets (outdoor
    lethality, see the module notes). F(N) is the frequency of events with N or more fatalities
    (:func:`analysis.qra.societal.fn_curve`).

    Parameters
    ----------
    result : IndividualRisk
    include_buildings : bool
        Count the occupants of buildings (the park's own workers) as well as the targets' populations.
    criterion : str
        Key of :data:`analysis.qra.societal.SOCIETAL_CRITERIA`.

    References
    ----------
    .. [1] CPR 18E (1999), ch. 6 (societal risk, F-N curve).
    .. [2] CCPS (2000), §4.4.3 (F-N curve; PLL = Σ f_i N_i).
    """
    from analysis.qra import societal as soc

    ev = result.events
    n = ev["n_targets"].to_numpy(float) + (ev["n_buildings"].to_numpy(float) if include_buildings else 0.0)
    f = ev["frequency"].to_numpy(float)
    keep = n > 0
    ev2 = ev.loc[keep, ["unit_id", "outcome", "period", "direction_deg", "frequency"]].assign(n=n[keep])
    curve = soc.fn_curve(f[keep], n[keep])
    day = (ev2["period"] == "day").to_numpy()
    curve_day = soc.fn_curve(ev2["frequency"].to_numpy()[day], ev2["n"].to_numpy()[day])
    curve_night = soc.fn_curve(ev2["frequency"].to_numpy()[~day], ev2["n"].to_numpy()[~day])
    pll = float(soc.pll(f[keep], n[keep])) if keep.any() else 0.0
    cls = soc.classify_fn(curve, criterion=criterion)
    return SocietalRisk(
        curve, curve_day, curve_night, pll, cls, ev2.reset_index(drop=True), include_buildings, criterion
    )
