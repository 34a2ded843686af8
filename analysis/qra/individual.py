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

Where each step lives
---------------------
:mod:`analysis.qra.options` (:class:`RiskOptions`, :func:`weather_classes`), :mod:`analysis.qra.outcome_table`
(LOCs through the event tree, domino-added frequencies), :mod:`analysis.qra.lethality` (the lethality tables),
:mod:`analysis.qra.receptors` (sample points, :func:`target_risk`), :mod:`analysis.qra.contours`
(:func:`risk_contours`, the GB 36894 levels), :mod:`analysis.qra.societal` (:func:`societal_risk`),
:mod:`analysis.qra.placing` (reading the tables on the grid and at the receptors) and
:mod:`analysis.qra.shared_fields` (one installation on the grid; the long reaches of identical installations
rasterised once and shifted to each one's grid cell — a displacement of at most h/√2, stated and tested there).
This module holds the grid, :class:`IndividualRisk` and :func:`individual_risk`, and re-exports the others' names.

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
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.qra import parallel
from analysis.qra.contours import contour_closure, distance_levels, risk_contours
from analysis.qra.event_tree import Outcome, to_scenario
from analysis.qra.extent import (
    LOWEST_LEVEL,
    MAX_GROWTH_M,
    auto_bounds,
    coarse_bounds,
    grow_bounds,
    level_reach,
    park_bounds,
)
from analysis.qra.lethality import (
    RADIAL_KINDS,
    DirGroup,
    LethalityTable,
    probe,
    probe_values,
    size_groups,
    tabulate_radial,
    weather_key,
)
from analysis.qra.options import RiskOptions, park_wind_rose, resolve_options, weather_classes
from analysis.qra.outcome_table import outcome_table
from analysis.qra.provenance import geotiff_tags, run_assumptions
from analysis.qra.receptors import receptor_points, target_risk
from analysis.qra.run_size import check_size, unit_message
from analysis.qra.shared_fields import FieldCache, place_unit
from analysis.qra.societal import SocietalRisk, societal_risk

log = logging.getLogger(__name__)

# RADIAL_KINDS, RiskOptions, weather_classes, outcome_table, risk_contours, target_risk, SocietalRisk and
# societal_risk live in the modules named above; they are re-exported here (and by analysis.risk) under their
# old path.
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
        The outcome table used (:func:`analysis.qra.outcome_table.outcome_table`) with ``computed`` (bool) and ``reason_zh``.
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
    assumptions : dict
        What the result rests on, for every output that shows it: at least ``weather_source`` (which wind rose:
        the park's station table with its station and period, a rose passed by the caller, or the generic
        illustrative rose picked explicitly).
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
    assumptions: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.grid.shape)  # type: ignore[return-value]

    @property
    def contour_check(self) -> dict[str, Any]:
        """:func:`contour_closure` of the lowest contour level (GB 36894's 3×10⁻⁷ /a) on this grid."""
        c = self.assumptions.get("contour")
        return dict(c) if c else contour_closure(self.grid, LOWEST_LEVEL)

    @property
    def contour_closed(self) -> bool:
        """True when the lowest contour level closes inside the grid (no border cell reaches it)."""
        return bool(self.contour_check["closed"])

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
            dst.update_tags(**geotiff_tags(self.assumptions, self.contour_check))
            dst.set_band_description(1, "individual risk 个人风险 [1/a]")

    def contours(self, levels: Any = None) -> Any:
        """:func:`risk_contours` of this result."""
        return risk_contours(self, levels=levels)


# ----------------------------------------------------------------------------------------------------------------
# Engine
# ----------------------------------------------------------------------------------------------------------------
def _grid_geometry(park: Any, opts: RiskOptions, bounds: Any = None) -> tuple[Any, int, int, float, float]:
    from affine import Affine

    h = float(opts.resolution)
    if bounds is not None:  # grown to close the lowest contour (analysis.qra.extent)
        xmin, ymin, xmax, ymax = bounds
    elif opts.extent is not None:
        xmin, ymin, xmax, ymax = opts.extent
    else:
        px0, py0, px1, py1 = park_bounds(park)
        xmin, ymin, xmax, ymax = px0 - opts.margin, py0 - opts.margin, px1 + opts.margin, py1 + opts.margin
    nx = max(1, int(math.ceil((xmax - xmin) / h)))
    ny = max(1, int(math.ceil((ymax - ymin) / h)))
    if nx * ny > 25_000_000:
        raise ValueError(
            f"resolution={h} m over extent {xmax - xmin:.0f} m × {ymax - ymin:.0f} m gives {nx * ny} cells; "
            "at most 25 000 000 allowed — use a coarser resolution or a smaller extent"
        )
    return Affine(h, 0.0, xmin, 0.0, -h, ymin + ny * h), nx, ny, xmin, ymin + ny * h


# ----------------------------------------------------------------------------------------------------------------
# Engine: the steps of individual_risk
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Weather:
    """Directions, weather classes and their probabilities (:func:`weather_classes`) of the run's wind rose."""

    dirs: np.ndarray
    classes: list[tuple[float, str]]
    p_day: np.ndarray
    p_night: np.ndarray
    dfrac: float
    p_ann: np.ndarray
    p_any: np.ndarray  # per weather class: occurs at all
    source: str  # which rose, in words (IndividualRisk.assumptions["weather_source"])

    @classmethod
    def of(cls, opts: RiskOptions, park: Any) -> _Weather:
        rose, source = park_wind_rose(park, opts.weather)
        dirs, classes, p_day, p_night, dfrac = weather_classes(rose)
        p_ann = dfrac * p_day + (1.0 - dfrac) * p_night
        p_any = (p_day.sum(axis=0) + p_night.sum(axis=0)) > 0
        return cls(dirs, classes, p_day, p_night, dfrac, p_ann, p_any, source)

    def members(self, t: LethalityTable) -> list[int]:
        """Columns of the weather classes a table stands for."""
        return [ci for ci, cls in enumerate(self.classes) if weather_key(t.kind, cls) == t.key]


@dataclass
class _Grid:
    """The risk grid: geometry, cell centres and the summed risk [1/a]."""

    transform: Any
    nx: int
    ny: int
    x0: float
    y1: float
    h: float
    crs: Any
    xc: np.ndarray
    yc: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, park: Any, opts: RiskOptions, bounds: Any = None) -> _Grid:
        transform, nx, ny, x0, y1 = _grid_geometry(park, opts, bounds)
        h = float(opts.resolution)
        xc = x0 + (np.arange(nx) + 0.5) * h
        yc = y1 - (np.arange(ny) + 0.5) * h
        return cls(transform, nx, ny, x0, y1, h, park.metric_crs, xc, yc, np.zeros((ny, nx)))


@dataclass
class _Run:
    """What the installations' loop reads (outcomes, receptors) and fills (contributions, events, unit records)."""

    table: pd.DataFrame
    ok: pd.DataFrame
    rows: dict[str, Any]
    rec: pd.DataFrame
    unit_ids: list[str]
    contrib: np.ndarray
    levels: tuple[float, ...]
    computed: np.ndarray
    reasons: np.ndarray
    by_unit: dict[str, pd.DataFrame] = field(default_factory=dict)  # each installation's rows of ``ok``
    unit_recs: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)

    @classmethod
    def start(cls, park: Any, table: pd.DataFrame, h: float) -> _Run:
        ok = table[table["status"] == "ok"].copy()
        inst = park.metric("installations")
        rec = receptor_points(park, h)
        uids = ok["unit_id"].astype(str)
        unit_ids = list(dict.fromkeys(uids))
        return cls(
            table=table,
            ok=ok,
            rows={str(r["unit_id"]): r for _, r in inst.iterrows()},
            rec=rec,
            unit_ids=unit_ids,
            contrib=np.zeros((len(rec), len(unit_ids))),
            levels=distance_levels(),
            computed=np.zeros(len(table), dtype=bool),
            reasons=np.array(table["reason_zh"].astype(object).fillna("").tolist(), dtype=object),
            by_unit={str(k): g for k, g in ok.groupby(uids, sort=False)},
        )

    def positions(self, labels: Any) -> list[int]:
        """Row positions in the outcome table of index labels."""
        return [self.table.index.get_loc(i) for i in labels]


def _unit_tables(
    run: _Run, uid: str, wx: _Weather, opts: RiskOptions
) -> tuple[list[LethalityTable], int, float]:
    """Lethality functions of one installation's outcome groups in each weather key they depend on.

    Direct and delayed branches of one LOC with the same outcome share their consequences and are merged (their
    frequencies add). Outcomes whose scenario or consequence model does not apply are marked with the reason.

    Returns
    -------
    tables : list of LethalityTable
    n_outcomes : int
    frequency : float
        Sum of the computed outcomes' frequencies. [1/a]
    """
    from analysis import scenarios as sc

    row = run.rows[uid]
    src = None  # the release source, made once (its errors are marked on each group, as before)
    sub = run.by_unit[uid]
    grp_cols = ["loc", "outcome", "instantaneous", "hole_diameter_m", "duration_s", "mass_kg"]
    sc_kw = dict(opts.scenario_options)
    tables: list[LethalityTable] = []
    n_out, f_unit = 0, 0.0
    for _gkey, g in sub.groupby(grp_cols, dropna=False, sort=False):
        first = g.iloc[0]
        oc = Outcome(**{k: first[k] for k in Outcome.__dataclass_fields__})
        f_g = float(g["frequency"].sum())
        try:
            scen = to_scenario(oc, **sc_kw)
        except ValueError as exc:
            run.reasons[run.positions(g.index)] = f"情景无效：{_short(exc)}"
            continue
        kind = scen.kind
        keys: dict[tuple, tuple[float, str]] = {}
        for ci, cls in enumerate(wx.classes):
            if wx.p_any[ci]:  # weather classes that never occur need no consequence field
                keys.setdefault(weather_key(kind, cls), cls)
        try:
            src = sc.as_release_source(row) if src is None else src
            made = [
                LethalityTable(kind, f_g, k, kind in RADIAL_KINDS, _lethality(src, scen, cls, opts))
                for k, cls in keys.items()
            ]
        except (ValueError, ZeroDivisionError) as exc:
            run.reasons[run.positions(g.index)] = f"后果模型不适用：{_short(exc)}"
            log.info("unit %s %s %s skipped: %s", uid, oc.loc, kind, exc)
            continue
        run.computed[run.positions(g.index)] = True
        tables += made
        n_out += len(g)
        f_unit += f_g
    return tables, n_out, f_unit


def _lethality(src: Any, scen: Any, cls: tuple[float, str], opts: RiskOptions) -> Callable:
    """P_death(s, c) of a scenario at a release source (or an installations row) in one weather class, in the wind
    frame (s downwind, c crosswind [m])."""
    from analysis import scenarios as sc

    spd, stab = cls
    w = sc.WeatherClass(
        wind_speed=spd,
        stability=stab,
        temperature_k=opts.temperature_k,
        relative_humidity=opts.relative_humidity,
    )
    ef = sc.effect_field(src, scen, w)

    def lethality(s, c, ef=ef):  # wind frame: s downwind, c crosswind [m]
        return ef.along_wind("probability_of_death", s, c)

    with np.errstate(all="ignore"):  # fails early; probe() reads these values again
        probe_values(lethality, scen.kind in RADIAL_KINDS)
    return lethality


@dataclass
class _Prepared:
    """One installation's tables, ready to be placed on any grid: its record, reach [m] and reach of the level [m]."""

    uid: str
    row: Any
    rec_unit: dict[str, Any]
    live: list[LethalityTable]
    dgroups: list[DirGroup]
    reach: float
    level_reach: float
    ox: float
    oy: float
    rep: str = ""  # the installation whose tables these are (itself, or an identical one prepared instead)
    shared: int = 1  # how many installations share these tables


def _prepare_unit(run: _Run, uid: str, wx: _Weather, h: float, opts: RiskOptions) -> _Prepared:
    """One installation's lethality tables, their extents and how far its risk can reach the lowest level."""
    row = run.rows[uid]
    thr = float(opts.min_lethality)
    tables, n_out, f_unit = _unit_tables(run, uid, wx, opts)
    live: list[LethalityTable] = []
    for t in tables:
        with np.errstate(all="ignore"):
            t.reach, t.box = probe(t.fn, thr, t.radial)
        if t.box is not None:
            live.append(t)
    reach = max((t.reach for t in live), default=0.0)
    rec_unit: dict[str, Any] = {
        "unit_id": uid,
        "enterprise_id": str(row.get("enterprise_id", "")),
        "n_outcomes": n_out,
        "frequency": f_unit,
        "reach_m": reach,
    }
    weights = [t.frequency * float(wx.p_ann[:, wx.members(t)].sum()) for t in live]
    # the reach of the lowest level sizes the grid; a fixed extent needs none
    lvl_reach = level_reach(live, weights, thr, LOWEST_LEVEL) if opts.extent is None else reach
    ox, oy = (float(row.geometry.centroid.x), float(row.geometry.centroid.y))
    for t in live:
        if t.radial:
            tabulate_radial(t, h)
    dgroups = size_groups([t for t in live if not t.radial], h, thr) if live else []
    for g_ in dgroups:
        reach = max(reach, math.hypot(max(abs(g_.s_min), abs(g_.s_max)), g_.c_max))
    return _Prepared(uid, row, rec_unit, live, dgroups, reach, min(lvl_reach, reach), ox, oy, rep=uid)


#: Installation columns that do not enter its consequences (its name, owner and position: tables are relative to
#: the origin, the centroid of the geometry).
_NOT_CONSEQUENCE = ("unit_id", "enterprise_id", "name", "geometry")


def _unit_key(run: _Run, uid: str) -> str:
    """What an installation's lethality tables depend on: its other attributes and its outcome rows (frequencies,
    holes, masses, statuses), as text (``repr`` of floats is exact). Equal keys give equal tables."""
    row = run.rows[uid]
    attrs = [(k, row[k]) for k in row.index if k not in _NOT_CONSEQUENCE]
    sub = run.by_unit[uid]
    return repr((attrs, sub.drop(columns=["unit_id"]).to_numpy().tolist()))


def _prepare_one(state: tuple, uid: str) -> tuple[str, _Prepared, np.ndarray, np.ndarray]:
    """Worker step (:func:`analysis.qra.parallel.process_map`): one installation's prepared tables, without their
    lethality functions (closures are not sent between processes; placing reads only the tables), and what it
    marked in the outcome table (computed, reason) for its rows."""
    run, wx, h, opts = state
    prep = _prepare_unit(run, uid, wx, h, opts)
    for t in prep.live:
        t.fn = None
    pos = run.positions(run.by_unit[uid].index)
    return uid, prep, run.computed[pos].copy(), run.reasons[pos].copy()


def _prepare_all(run: _Run, wx: _Weather, h: float, opts: RiskOptions, progress: Callable) -> list[_Prepared]:
    """Every installation's tables: one preparation per set of identical installations (same :func:`_unit_key`,
    e.g. the tanks of one tank group), in worker processes when there are enough (:mod:`analysis.qra.parallel`)."""
    n = len(run.unit_ids)
    first: dict[str, str] = {}
    rep_of = {uid: first.setdefault(_unit_key(run, uid), uid) for uid in run.unit_ids}
    reps = list(first.values())
    started = time.monotonic()
    done: dict[str, tuple] = {}
    workers = parallel.process_workers(len(reps))
    covers: dict[str, list[str]] = {}
    for uid in run.unit_ids:
        covers.setdefault(rep_of[uid], []).append(uid)
    k = 0
    for uid, prep, computed, reasons in parallel.process_map(
        _prepare_one, reps, (run, wx, h, opts), workers=workers
    ):
        done[uid] = (prep, computed, reasons)
        for each in covers[uid]:  # one line per installation, as before (identical ones are done at once)
            progress(0.02 + 0.93 * k / max(n, 1), unit_message(each, k, n, started))
            k += 1
    preps = []
    for uid in run.unit_ids:
        prep, computed, reasons = done[rep_of[uid]]
        pos = run.positions(run.by_unit[uid].index)
        run.computed[pos], run.reasons[pos] = computed, reasons
        prep = replace(prep, shared=len(covers[prep.uid]))
        if uid != prep.uid:
            row = run.rows[uid]
            rec_unit = dict(prep.rec_unit, unit_id=uid, enterprise_id=str(row.get("enterprise_id", "")))
            c = row.geometry.centroid
            prep = replace(prep, uid=uid, row=row, rec_unit=rec_unit, ox=float(c.x), oy=float(c.y))
        preps.append(prep)
    log.debug("risk: %d installations, %d distinct, %d worker processes", n, len(reps), workers)
    return preps


@dataclass
class _Part:
    """What placing a part of the installations adds: grid values [1/a], events and unit records (one per thread)."""

    values: np.ndarray
    events: list[tuple] = field(default_factory=list)
    unit_recs: list[dict[str, Any]] = field(default_factory=list)
    spans: list[tuple[int, int, int, int, int]] = field(
        default_factory=list
    )  # per unit: ui, its events, records


def _place_all(
    park: Any, run: _Run, preps: list[_Prepared], wx: _Weather, opts: RiskOptions, progress: Callable
) -> tuple[_Grid, np.ndarray | None, dict[str, Any]]:
    """Place every installation on the grid; without a fixed extent, grow the grid until the lowest contour closes.

    Returns the grid, the pipelines raster (or None) and :func:`contour_closure` of the lowest level, with
    ``grown`` (the grid was grown beyond the park plus ``margin``) and ``capped`` (growth stopped at the cap).
    """

    cache = FieldCache()  # long reaches of identical installations, rasterised once per pass
    passes: list[bool] = []  # receptors and events are done in the first full pass (they need no grid)

    def place(bounds: Any, o: RiskOptions, coarse: bool = False) -> tuple[_Grid, np.ndarray | None]:
        g = _Grid.of(park, o, bounds)
        cache.plan(g, preps)
        points = not coarse and not passes
        if points:
            run.contrib[:] = 0.0

        def part(units: range) -> _Part:  # one thread's installations, on its own copy of the grid
            out = _Part(g.values if threads == 1 else np.zeros_like(g.values))
            later: list[int] = []  # installations whose shared field another thread is computing: placed last
            for wait, todo in ((False, units), (True, later)):
                for ui in todo:
                    e0, r0 = len(out.events), len(out.unit_recs)
                    if place_unit(
                        run, ui, preps[ui], wx, g, out, cache, coarse=coarse, receptors=points, wait=wait
                    ):
                        out.spans.append((ui, e0, len(out.events), r0, len(out.unit_recs)))
                    else:
                        later.append(ui)
            return out

        # every threads-th installation to each thread: a long tank group is shared out, not left to one thread
        parts = parallel.thread_map(part, parallel.interleave(len(preps), threads), workers=threads)
        spans = sorted(
            (sp, p) for p in parts for sp in p.spans
        )  # events and records in the installations' order
        if points:
            run.events[:] = [e for (_, e0, e1, _, _), p in spans for e in p.events[e0:e1]]
            passes.append(True)
        run.unit_recs[:] = [r for (_, _, _, r0, r1), p in spans for r in p.unit_recs[r0:r1]]
        for p in parts:
            if p.values is not g.values:
                g.values += p.values
        pipe = _pipelines_raster(o, g)
        if pipe is not None:
            g.values += pipe
        return g, pipe

    threads = parallel.cpu_workers() if len(preps) >= 8 else 1  # numpy releases the GIL while placing
    progress(0.95, "在网格上叠加各设施的个人风险，检查最低等值线是否闭合…")
    bounds, capped = None, False
    if opts.extent is None:
        pbox = park_bounds(park)
        sources = [(p.ox, p.oy, p.level_reach) for p in preps if p.live]
        bounds, capped = auto_bounds(pbox, opts.margin, sources, float(opts.resolution))
        # a coarse pass (4 × the cell size) over the bound finds where the lowest level is reached
        coarse, _ = place(bounds, replace(opts, resolution=4.0 * float(opts.resolution)), coarse=True)
        bounds = coarse_bounds(coarse.values, coarse.xc, coarse.yc, coarse.h, pbox, opts.margin, bounds)
    while True:
        g, pipe = place(bounds, opts)
        closure = contour_closure(g.values, LOWEST_LEVEL)
        if closure["closed"] or bounds is None:
            break
        progress(0.96, "最低等值线被计算范围截断，扩大计算范围后重算…")
        bounds, grew = grow_bounds(bounds, closure["sides"], pbox, opts.margin)
        if not grew:
            capped = True
            break
    ext = g.transform.c, g.transform.f - g.ny * g.h, g.transform.c + g.nx * g.h, g.transform.f
    closure.update(grown=bounds is not None, capped=capped, extent=tuple(float(v) for v in ext))
    if capped and not closure["closed"]:
        closure["statement_zh"] += f"（计算范围已扩展至园区外 {MAX_GROWTH_M:,.0f} m 上限）"
    return g, pipe, closure


def _pipelines_raster(opts: RiskOptions, g: _Grid) -> np.ndarray | None:
    """The pipelines' individual risk on the grid [1/a] (``opts.pipelines``), checked; None without pipelines."""
    if opts.pipelines is None:
        return None
    ny, nx = g.ny, g.nx
    pipe = (
        opts.pipelines(transform=g.transform, shape=(ny, nx), crs=g.crs)
        if callable(opts.pipelines)
        else opts.pipelines
    )
    pipe = np.asarray(pipe, dtype=float)
    if pipe.shape != (ny, nx):
        raise ValueError(f"pipelines raster has shape {pipe.shape}; expected the grid's shape {(ny, nx)}")
    if np.any(~np.isfinite(pipe) | (pipe < 0)):
        raise ValueError("pipelines raster has negative or non-finite values; must be risks ≥ 0 [1/a]")
    return pipe


def _result(
    run: _Run, g: _Grid, pipe: np.ndarray | None, opts: RiskOptions, assumptions: dict
) -> IndividualRisk:
    """Assemble the result: outcome table with what was computed, receptor risks (with the pipelines), events."""
    table = run.table.assign(computed=run.computed, reason_zh=run.reasons)
    rec = run.rec.assign(ir=run.contrib.sum(axis=1))
    if pipe is not None and len(rec):
        tmp = IndividualRisk(
            pipe, g.transform, g.crs, g.h, table, pd.DataFrame(), rec, run.contrib, pd.DataFrame(), opts
        )
        rec["ir"] = rec["ir"] + tmp.value_at(rec["x"].to_numpy(), rec["y"].to_numpy())
    ev = pd.DataFrame(run.events, columns=_EVENT_COLUMNS)
    units_df = pd.DataFrame(run.unit_recs)
    return IndividualRisk(
        g.values, g.transform, g.crs, g.h, table, units_df, rec, run.contrib, ev, opts, dict(assumptions)
    )


_EVENT_COLUMNS = [
    "unit_id",
    "outcome",
    "period",
    "direction_deg",
    "weather_key",
    "frequency",
    "n_targets",
    "n_buildings",
]


def _short(exc: Exception, n: int = 160) -> str:
    text = str(exc)
    if "Substance(" in text:  # drop the repr of a substance record from a message
        head, _, tail = text.partition("Substance(")
        text = head + tail[tail.find(")))") + 3 :] if ")))" in tail else head
    return text if len(text) <= n else text[: n - 1] + "…"


def individual_risk(park: Any, *, options: RiskOptions | None = None, **overrides: Any) -> IndividualRisk:
    """Individual (location-specific) risk of the park's installations on a grid.

    Parameters
    ----------
    park : geodata.Park
    options : RiskOptions, optional
        All options; keywords (``resolution=10``, ``weather=...``, ``extent=...``, ``domino_frequencies=...``,
        ``pipelines=...``, ``frequency_overrides=...``, ``progress=...``, ``max_installations=...`` — the fields
        of :class:`RiskOptions`) override them. ``progress(fraction [0–1], message_zh)`` is called once per
        installation, with an estimate of the time left.

    Returns
    -------
    IndividualRisk
        ``.grid`` [1/a], ``.transform`` (affine), ``.crs`` (the park's metric CRS), ``.to_geotiff(path)``.

    Raises
    ------
    ValueError
        Bad options (naming the option, its value and what is allowed).
    analysis.errors.AnalysisInputError
        More installations than ``max_installations`` (default 2,000), raised before any work.
    analysis.errors.MissingWeatherError
        The park has no wind rose (``park.weather``) and ``weather`` is not given (a rose, or ``"generic"`` for the
        illustrative generic rose); the message names how to import one.

    References
    ----------
    .. [1] CPR 18E (1999), ch. 4–6 (location-specific risk summed over LOCs, outcomes, weather classes and wind
           directions).
    .. [2] CCPS (2000), §4.4.2 Eq. 4.4.1–4.4.4 (individual risk).
    """
    opts = resolve_options(options, overrides)
    check_size(park, opts)
    progress = opts.progress or (lambda frac, msg: None)
    wx = _Weather.of(opts, park)
    h = float(opts.resolution)
    progress(0.0, "生成事故场景与频率…")
    run = _Run.start(park, outcome_table(park, options=opts), h)
    preps = _prepare_all(run, wx, h, opts, progress)
    g, pipe, closure = _place_all(park, run, preps, wx, opts, progress)
    ext = closure["extent"]
    layers = run.rec["layer"].unique() if len(run.rec) else ()
    notes = run_assumptions(
        opts, weather_source=wx.source, closure=closure, extent=ext, resolution=g.h, population_layers=layers
    )
    result = _result(run, g, pipe, opts, notes)
    progress(1.0, "个人风险计算完成")
    return result
