"""Pipelines: segments, potential impact radius, rupture consequences, high-consequence areas, risk along the line.

What is here
------------
- :func:`potential_impact_radius` — the natural-gas potential impact radius of GB 32167-2015 Eq. (1) (= ASME B31.8S
  §3.2 / 49 CFR 192.903) [1]_ [2]_ [3]_.
- :func:`segment_pipelines` — each line cut into segments of a set length (50 m default) in the metric CRS, keeping
  the line's attributes (vectorised with shapely 2).
- :func:`pipeline_consequences` — per line: the loss-of-containment events per metre (full-bore rupture and leak,
  generic frequencies of :func:`analysis.qra.frequencies.loss_of_containment` / :func:`analysis.qra.frequencies.pipe_frequencies`,
  CPR 18E §3.2.4 [4]_), their outcomes (event tree of :mod:`analysis.qra.frequencies`), the effects of each outcome
  through :func:`analysis.scenarios.effect_field` (jet fire, fireball, pool fire, flash fire, VCE, toxic cloud — the
  models of :mod:`analysis.consequence`), hazard distances and a risk kernel.
- :func:`identify_hca` — high-consequence areas (高后果区) by GB 32167-2015 clause 6.1 Table 1 [1]_ with the location
  class (地区等级) of GB 50251-2015 §4.2 [5]_: grade, the rule that made it, and the targets that caused it.
- :func:`risk_transect`, :func:`individual_risk_grid`, :func:`societal_risk_per_km` — individual risk against the
  distance from the line, the line's contribution to a park individual-risk raster, and the F-N curve of each
  (sliding) kilometre [4]_ [6]_.
- :func:`assess` — all of it for a park in one call (what the page, the CLI and the bench use).

Conventions
-----------
SI at every public boundary. The pipelines layer stores ``pressure_pa`` as ABSOLUTE pressure (MAOP); the formulas
of GB 32167 / ASME B31.8S use the MAOP as a GAUGE pressure: the layer-level code here subtracts the atmospheric
pressure (101 325 Pa) before calling :func:`potential_impact_radius`, which takes gauge pressure.

References
----------
.. [1] GB 32167-2015 油气输送管道完整性管理规范 (Oil and gas pipeline integrity management specification), clause 6.1
   高后果区识别, Table 1 and Eq. (1) r = 0.099 √(d² p) (r in m, d outside diameter in mm, p MAOP in MPa). The
   standard's own text was not reachable to us when this was written; the formula and the table follow public
   transcriptions (see ``data/gb32167_2015_table1_hca.csv`` for which grades they disagree on).
.. [2] ASME B31.8S-2004, Managing System Integrity of Gas Pipelines, §3.2 (r = 0.69 √(p d²), r in ft, p in psig,
   d in in.), from C-FER Technologies, M. J. Stephens (2000), A Model for Sizing High Consequence Areas Associated
   with Natural Gas Pipelines, GRI-00/0189.
.. [3] 49 CFR 192.903 (US DOT PHMSA), definition "Potential impact radius": PIR = 0.69 √(p d²), p = MAOP [psig],
   d = nominal diameter [in]; PHMSA gas IMP FAQ-16 and inspection protocol A.02.
.. [4] CPR 18E (1999), Guidelines for quantitative risk assessment ("Purple Book"), §3.2.4 (pipes), chapter 4
   (event trees), and the transport part: the societal risk of a transport route or pipeline is expressed per
   kilometre of route.
.. [5] GB 50251-2015 输气管道工程设计规范, §4.2 地区等级划分: 200 m each side of the centre line, any 2 km length
   holding the most households; class 1 ≤ 15 households, class 2 15–100, class 3 ≥ 100, class 4 where buildings
   of four or more storeys are prevalent; boundaries at least 200 m from the nearest building (recalled, not
   confirmed against the text).
.. [6] Besluit externe veiligheid buisleidingen (Bevb, NL, 2011) and its Regeling (Revb): group risk of a pipeline
   assessed for the kilometre with the highest group risk, found by sliding a 1 km window along the route
   (recalled, not confirmed against the text).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from analysis._data import DATA_DIR

logger = logging.getLogger(__name__)

HCA_TABLE_CSV = DATA_DIR / "gb32167_2015_table1_hca.csv"

#: Atmospheric pressure used to turn the layer's absolute pressure into MAOP (gauge). [Pa]
ATMOSPHERIC_PRESSURE = 101_325.0
#: GB 32167-2015 Eq. (1) coefficient (r [m], d [mm], p [MPa]). [1]
PIR_COEFFICIENT_GB32167 = 0.099
#: Chinese labels of the HCA grades (GB 32167-2015 clause 6.1).
HCA_GRADE_ZH: dict[int, str] = {0: "非高后果区", 1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级"}
#: GB 50251-2015 §4.2 location classes.
LOCATION_CLASS_ZH: dict[int, str] = {1: "一级地区", 2: "二级地区", 3: "三级地区", 4: "四级地区"}
#: Line types of GB 32167 Table 1.
LINE_TYPE_ZH: dict[str, str] = {"gas": "输气管道", "oil": "输油管道", "": "不适用（非油气管道）"}

#: Substance keys (analysis.physics.substances) that make a line a GB 32167 gas line / oil line.
GAS_LINE_SUBSTANCES = frozenset({"natural_gas", "methane"})
OIL_LINE_SUBSTANCES = frozenset({"crude_oil", "gasoline", "diesel", "naphtha"})

#: 特定场所Ⅰ (GB 32167-2015 6.1, note to Table 1): 医院、学校、托儿所、幼儿园、养老院、监狱、商场等人群疏散困难的建筑区域.
SPECIFIC_SITE_I = frozenset({"school", "kindergarten", "hospital", "nursing_home", "market"})
#: 特定场所Ⅱ: 一年之内至少有50天聚集30人或更多人的区域，如集贸市场、寺庙、运动场、广场、娱乐休闲地、剧院、露营地.
SPECIFIC_SITE_II = frozenset({"market", "religious", "stadium"})
SPECIFIC_SITE_II_MIN_PEOPLE = 30
#: Targets whose population counts as households for the location class (GB 50251 户数).
HOUSEHOLD_CATEGORIES = frozenset({"residential", "village"})
#: Average size of a family household in China, 2.62 persons (7th national census, 2020; National Bureau of
#: Statistics communiqué No. 2). Used to turn a residential target's night population into households. [人/户]
PERSONS_PER_HOUSEHOLD_CENSUS_2020 = 2.62
#: Installation kinds taken as 易燃易爆场所 (oil depots, filling / loading stations) when their substance burns.
FLAMMABLE_SITE_KINDS = frozenset({"storage_tank", "loading_bay", "warehouse"})

_LOCATION_WINDOW_M = 2000.0  # [5] 任意划分成长度为 2 km 的地段
_LOCATION_HALF_WIDTH_M = 200.0  # [5] 管道中心线两侧各 200 m
_LOCATION_BOUNDARY_M = 200.0  # [5] 边界线距最近一户建筑物外边缘不应小于 200 m; [1] 6.1 HCA boundary 200 m
_AIR_MOLAR_MASS = 0.02897  # [kg/mol]
_P_FLOOR = 1e-3  # probability of death below which a footprint is cut [-]


# ----------------------------------------------------------------------------------------------------------------
# Potential impact radius
# ----------------------------------------------------------------------------------------------------------------
def potential_impact_radius(diameter: Any, pressure: Any) -> Any:
    """Potential impact radius of a natural-gas pipeline (GB 32167-2015 Eq. (1); ASME B31.8S §3.2).

    r = 0.099 √(d² p) with d the outside diameter in mm and p the maximum allowable operating pressure (MAOP) in
    MPa [1]_; the same formula as ASME B31.8S / 49 CFR 192.903, r = 0.69 √(p d²) with r in ft, p in psig and d in
    inches [2]_ [3]_ (0.69 ft·psi^-½·in^-1 = 0.0997 m·MPa^-½·mm^-1, rounded to 0.099 by GB 32167).

    Parameters
    ----------
    diameter : numeric or array_like
        Outside diameter of the pipe, > 0. [m]
    pressure : numeric or array_like
        Maximum allowable operating pressure as a GAUGE pressure (MAOP above atmospheric), ≥ 0. The pipelines
        layer stores absolute pressure: subtract 101 325 Pa first (see :func:`maop_gauge`). [Pa]

    Returns
    -------
    radius : float or ndarray
        Potential impact radius (broadcast shape of the inputs). [m]

    Raises
    ------
    ValueError
        A diameter that is not finite and positive, or a pressure that is not finite and ≥ 0.

    References
    ----------
    .. [1] GB 32167-2015, clause 6.1, Eq. (1).
    .. [2] ASME B31.8S-2004, §3.2; C-FER / Stephens (2000), GRI-00/0189.
    .. [3] 49 CFR 192.903, "Potential impact radius".
    """
    d = np.asarray(diameter, dtype=float)
    p = np.asarray(pressure, dtype=float)
    if np.any(~np.isfinite(d) | (d <= 0)):
        raise ValueError(
            f"diameter 管道外径={diameter!r} 无效，应为有限正数 [m] (must be finite and > 0, in m)"
        )
    if np.any(~np.isfinite(p) | (p < 0)):
        raise ValueError(
            f"pressure 最大允许操作压力（表压）={pressure!r} 无效，应为有限且 ≥ 0 的表压 [Pa] "
            "(MAOP as gauge pressure, finite and >= 0, in Pa)"
        )
    d_mm = d * 1e3  # [1] Eq. (1): d in mm
    p_mpa = p * 1e-6  # [1] Eq. (1): p in MPa
    r = PIR_COEFFICIENT_GB32167 * np.sqrt(d_mm**2 * p_mpa)  # [1] Eq. (1)
    return float(r) if r.ndim == 0 else r


def maop_gauge(pressure_abs: Any, *, ambient_pressure: float = ATMOSPHERIC_PRESSURE) -> Any:
    """MAOP as gauge pressure from the layer's absolute ``pressure_pa``, clipped at 0.

    Parameters
    ----------
    pressure_abs : numeric or array_like
        Absolute pressure. [Pa]
    ambient_pressure : float
        [Pa]

    Returns
    -------
    float or ndarray
        [Pa]
    """
    p = np.asarray(pressure_abs, dtype=float)
    g = np.clip(p - ambient_pressure, 0.0, None)
    return float(g) if g.ndim == 0 else g


# ----------------------------------------------------------------------------------------------------------------
# Line properties
# ----------------------------------------------------------------------------------------------------------------
def _substance(name: Any):
    from analysis.physics import substances

    return substances.get(name if isinstance(name, substances.Substance) else str(name))


def pipeline_phase(substance: Any, *, temperature: float, pressure: float) -> str:
    """Phase of the contents of a line: ``"gas"``, ``"liquid"`` or ``"liquefied_gas"``.

    Gas above the critical temperature or below the vapour pressure; a liquid above its normal boiling point kept
    liquid by pressure is a liquefied gas; otherwise a liquid.

    Parameters
    ----------
    substance : str or Substance
    temperature : float
        [K]
    pressure : float
        Absolute pressure. [Pa]

    Returns
    -------
    str
    """
    sub = _substance(substance)
    t, p = float(temperature), float(pressure)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"temperature 介质温度={temperature!r} 无效，应为正数 [K]")
    if not (math.isfinite(p) and p > 0):
        raise ValueError(f"pressure 压力={pressure!r} 无效，应为正的绝对压力 [Pa]")
    if t >= sub.critical_temperature:
        return "gas"
    if p < float(sub.vapour_pressure(t)):
        return "gas"
    return "liquefied_gas" if t > sub.boiling_point else "liquid"


def line_type(substance: Any) -> str:
    """GB 32167 line type: ``"gas"`` (natural gas), ``"oil"`` (crude oil and products) or ``""`` (neither)."""
    try:
        key = _substance(substance).key
    except ValueError:
        return ""
    if key in GAS_LINE_SUBSTANCES:
        return "gas"
    if key in OIL_LINE_SUBSTANCES:
        return "oil"
    return ""


# ----------------------------------------------------------------------------------------------------------------
# Segments
# ----------------------------------------------------------------------------------------------------------------
def segment_pipelines(pipelines: gpd.GeoDataFrame, *, length: float = 50.0) -> gpd.GeoDataFrame:
    """Cut every line into segments of ``length`` metres (the last one of a line shorter), keeping its attributes.

    Vectorised: segment end points with :func:`shapely.line_interpolate_point`, the line's vertices in between taken
    by a sorted search on the cumulative distance, the segments built at once with :func:`shapely.linestrings`.
    MultiLineStrings are cut part by part.

    Parameters
    ----------
    pipelines : geopandas.GeoDataFrame
        Pipelines layer in a projected metric CRS.
    length : float
        Segment length, > 0. [m]

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, in the input's CRS: the line's columns, then ``segment_id`` ("<pipeline_id>-<part>-
        <index>"), ``part``, ``segment_index``, ``s_start_m`` / ``s_end_m`` (distance along the part) [m],
        ``length_m`` [m], and the segment geometry.

    Raises
    ------
    ValueError
        Non-positive length; CRSError (a ValueError) for a missing or geographic CRS.
    """
    from geodata.crs import require_metric

    if not (isinstance(length, (int, float)) and math.isfinite(length) and length > 0):
        raise ValueError(f"length 分段长度={length!r} 无效，应为正数 [m] (segment length must be > 0 m)")
    crs = require_metric(pipelines, what="管道图层 pipelines")
    src = pipelines[~pipelines.geometry.isna() & ~pipelines.geometry.is_empty]
    parts = src.explode(index_parts=True)
    part_no = parts.index.get_level_values(-1).to_numpy()
    parts = parts.reset_index(drop=True)
    geoms = np.asarray(parts.geometry.values, dtype=object)
    if len(geoms) == 0:
        cols = [c for c in pipelines.columns if c != "geometry"]
        extra = ["segment_id", "part", "segment_index", "s_start_m", "s_end_m", "length_m"]
        return gpd.GeoDataFrame(columns=cols + extra, geometry=[], crs=crs)
    geoms = shapely.force_2d(geoms)
    lengths = shapely.length(geoms)
    n_seg = np.maximum(1, np.ceil(lengths / length - 1e-9)).astype(int)
    line_idx = np.repeat(np.arange(len(geoms)), n_seg)
    first = np.repeat(np.cumsum(n_seg) - n_seg, n_seg)
    k = np.arange(n_seg.sum()) - first
    s0 = k * float(length)
    s1 = np.minimum(s0 + length, lengths[line_idx])
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(geoms[line_idx], s0))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(geoms[line_idx], s1))
    # vertices and their distance along their line
    coords, vidx = shapely.get_coordinates(geoms, return_index=True)
    step = np.r_[0.0, np.hypot(*np.diff(coords, axis=0).T)]
    step[np.r_[True, vidx[1:] != vidx[:-1]]] = 0.0
    cum = np.cumsum(step)
    line_start_cum = cum[np.searchsorted(vidx, np.arange(len(geoms)))]
    s_vertex = cum - line_start_cum[vidx]
    big = float(lengths.max()) * 2.0 + 10.0
    key = vidx * big + s_vertex  # sorted: vertices ordered by line, then by distance along it
    lo = np.searchsorted(key, line_idx * big + s0, side="right")
    hi = np.searchsorted(key, line_idx * big + s1, side="left")
    m = np.maximum(hi - lo, 0)
    n_pts = m + 2
    off = np.cumsum(n_pts) - n_pts
    out = np.empty((int(n_pts.sum()), 2))
    out[off] = p0
    out[off + n_pts - 1] = p1
    total_mid = int(m.sum())
    if total_mid:
        seg_of_mid = np.repeat(np.arange(len(m)), m)
        rank = np.arange(total_mid) - np.repeat(np.cumsum(m) - m, m)
        out[off[seg_of_mid] + 1 + rank] = coords[lo[seg_of_mid] + rank]
    seg_geoms = shapely.linestrings(out, indices=np.repeat(np.arange(len(n_pts)), n_pts))
    attrs = parts.drop(columns="geometry").iloc[line_idx].reset_index(drop=True)
    pid = (
        attrs["pipeline_id"].astype(str).to_numpy()
        if "pipeline_id" in attrs
        else np.arange(len(attrs)).astype(str)
    )
    attrs["segment_id"] = [f"{a}-{b}-{c:04d}" for a, b, c in zip(pid, part_no[line_idx], k, strict=True)]
    attrs["part"] = part_no[line_idx]
    attrs["segment_index"] = k
    attrs["s_start_m"] = s0
    attrs["s_end_m"] = s1
    attrs["length_m"] = s1 - s0
    return gpd.GeoDataFrame(attrs, geometry=seg_geoms, crs=crs)


# ----------------------------------------------------------------------------------------------------------------
# High-consequence areas (GB 32167-2015 clause 6.1)
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HCAOptions:
    """Options of :func:`identify_hca`.

    Attributes
    ----------
    kinds : tuple of str
        Pipeline kinds (``pipelines.kind``) assessed; GB 32167 covers cross-country transmission lines, so the
        default is ``("transmission",)``. A line with no kind is assessed.
    persons_per_household : float
        Persons per household, to turn a residential target's night population into households (GB 50251 counts
        households). Default: 2.62, the 2020 census average. [人/户]
    household_column : str
        Optional column of ``sensitive_targets`` with the number of households (used when present and not null).
    storeys_column : str
        Optional column of ``sensitive_targets`` with the number of storeys (for class 4: four or more storeys
        prevalent). Without it no stretch can be class 4.
    sample_spacing_m : float
        Spacing of the points that spread a target's households over its polygon. [m]
    """

    kinds: tuple[str, ...] = ("transmission",)
    persons_per_household: float = PERSONS_PER_HOUSEHOLD_CENSUS_2020
    household_column: str = "households"
    storeys_column: str = "storeys"
    sample_spacing_m: float = 20.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.persons_per_household) and self.persons_per_household > 0):
            raise ValueError(
                f"persons_per_household 户均人口={self.persons_per_household!r} 应为正数 [人/户]"
            )
        if not (math.isfinite(self.sample_spacing_m) and self.sample_spacing_m > 0):
            raise ValueError(f"sample_spacing_m 采样间距={self.sample_spacing_m!r} 应为正数 [m]")


@lru_cache(maxsize=1)
def hca_table() -> pd.DataFrame:
    """GB 32167-2015 Table 1 as read from ``data/gb32167_2015_table1_hca.csv`` (see its header for its status)."""
    t = pd.read_csv(HCA_TABLE_CSV, comment="#")
    if set(t["grade"]) - {1, 2, 3}:
        raise ValueError(f"{HCA_TABLE_CSV}: grade must be 1, 2 or 3")
    return t


@lru_cache(maxsize=1)
def _rules() -> dict[tuple[str, str], dict]:
    return {(r["line_type"], r["item"]): r for r in hca_table().to_dict("records")}


def _rule(line: str, item: str) -> dict:
    return _rules()[(line, item)]


def location_class(households: Any, *, high_rise: Any = False) -> Any:
    """GB 50251-2015 §4.2 location class from the households of a 2 km × 400 m stretch.

    Class 1 for ≤ 15 households, 2 for 15 < n < 100, 3 for ≥ 100, 4 where buildings of four or more storeys are
    prevalent (``high_rise``) [5]_.

    Parameters
    ----------
    households : numeric or array_like
        Households within 200 m of the centre line in the 2 km stretch. [户]
    high_rise : bool or array_like
        Four-storey-or-higher buildings prevalent in the stretch.

    Returns
    -------
    int or ndarray of int
    """
    h = np.asarray(households, dtype=float)
    if np.any(~np.isfinite(h) | (h < 0)):
        raise ValueError(f"households 户数={households!r} 应为有限且 ≥ 0 的数 [户]")
    cls = np.where(h >= 100, 3, np.where(h > 15, 2, 1))  # [5] §4.2: ≤15, 15–100, ≥100 households
    cls = np.where(np.asarray(high_rise, dtype=bool) & (h >= 100), 4, cls)
    return int(cls) if cls.ndim == 0 else cls


def _sample_targets(targets: gpd.GeoDataFrame, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample points (x, y), their target row and their weight (1 / points of that target)."""
    xs, ys, rows = [], [], []
    for i, g in enumerate(targets.geometry.values):
        if g is None or g.is_empty:
            continue
        if g.geom_type == "Point":
            xs.append(np.array([g.x]))
            ys.append(np.array([g.y]))
            rows.append(np.array([i]))
            continue
        x0, y0, x1, y1 = g.bounds
        sp = max(spacing, math.sqrt(max(g.area, 1.0) / 400.0))  # at most ~400 points a target
        gx, gy = np.meshgrid(np.arange(x0 + sp / 2, x1, sp), np.arange(y0 + sp / 2, y1, sp))
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.contains_xy(g, gx, gy)
        if not inside.any():
            rp = g.representative_point()
            gx, gy, inside = np.array([rp.x]), np.array([rp.y]), np.array([True])
        xs.append(gx[inside])
        ys.append(gy[inside])
        rows.append(np.full(int(inside.sum()), i))
    if not xs:
        return np.empty((0, 2)), np.empty(0, int), np.empty(0)
    x, y, r = np.concatenate(xs), np.concatenate(ys), np.concatenate(rows)
    counts = np.bincount(r, minlength=len(targets))
    return np.column_stack([x, y]), r, 1.0 / counts[r]


def _households(targets: pd.DataFrame, opt: HCAOptions) -> np.ndarray:
    cat = (
        targets["category"].astype(str).to_numpy() if "category" in targets else np.array([""] * len(targets))
    )
    night = pd.to_numeric(targets.get("population_night"), errors="coerce").fillna(0).to_numpy(float)
    h = np.where(np.isin(cat, list(HOUSEHOLD_CATEGORIES)), night / opt.persons_per_household, 0.0)
    if opt.household_column in targets:
        given = pd.to_numeric(targets[opt.household_column], errors="coerce").to_numpy(float)
        h = np.where(np.isfinite(given), given, h)
    return h


def _high_rise(targets: pd.DataFrame, opt: HCAOptions) -> np.ndarray:
    if opt.storeys_column not in targets:
        return np.zeros(len(targets), dtype=bool)
    st = pd.to_numeric(targets[opt.storeys_column], errors="coerce").to_numpy(float)
    return np.nan_to_num(st, nan=0.0) >= 4


def _window_intervals(
    s: np.ndarray, h: np.ndarray, hr: np.ndarray, rows: np.ndarray
) -> list[tuple[float, float, int, float, np.ndarray]]:
    """2 km windows along a line and their class: (from, to, class, households, target rows) for classes ≥ 2.

    Every window starts at a household point; its households are those within 2 km further along; a window of
    class ≥ 2 covers its first to last household ± 200 m ([5] boundary rule).
    """
    if len(s) == 0:
        return []
    o = np.argsort(s)
    s, h, hr, rows = s[o], h[o], hr[o], rows[o]
    ch = np.r_[0.0, np.cumsum(h)]
    chr_ = np.r_[0.0, np.cumsum(h * hr)]
    end = np.searchsorted(s, s + _LOCATION_WINDOW_M, side="right")
    start = np.arange(len(s))
    tot = ch[end] - ch[start]
    high = (chr_[end] - chr_[start]) > 0.5 * tot  # most households in ≥ 4-storey buildings
    cls = location_class(tot, high_rise=high)
    out = []
    for i in np.nonzero(cls >= 2)[0]:
        out.append(
            (
                s[i] - _LOCATION_BOUNDARY_M,
                s[end[i] - 1] + _LOCATION_BOUNDARY_M,
                int(cls[i]),
                float(tot[i]),
                np.unique(rows[i : end[i]]),
            )
        )
    return out


def identify_hca(
    segments: gpd.GeoDataFrame,
    *,
    targets: gpd.GeoDataFrame,
    installations: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    options: HCAOptions | None = None,
) -> gpd.GeoDataFrame:
    """High-consequence areas by GB 32167-2015 clause 6.1 Table 1, segment by segment.

    Rules applied (grades from ``data/gb32167_2015_table1_hca.csv``; the corridor of a site rule is measured from
    the segment to the site's outer edge, which is the standard's 200 m HCA boundary [1]_):

    - gas lines (natural gas): a) location class 4 → III; b) class 3 → II; c) d > 762 mm and MAOP > 6.9 MPa:
      specific site within the potential impact radius → II; d) d < 273 mm and MAOP < 1.6 MPa: specific site within
      the potential impact radius → I; e) other lines: specific site within 200 m → I; f) outside class 3/4: oil
      depots, filling/loading stations (flammable storage tanks, loading bays, warehouses) within 200 m → II;
    - oil lines (crude oil, gasoline, diesel, naphtha): a) class-4 stretch → III; b) ≥ 100 households in 2 km within
      200 m → II; c) a village or residential area of ≥ 50 households within 200 m → II; d) highway (roads of kind
      ``highway``) or flammable installation within 50 m → I; e) nature reserves and f) water sources, rivers,
      reservoirs need layers the park model does not have: not assessed (stated in ``hca_note``);
    - other substances (chlorine, ammonia, hydrogen, LPG …) and kinds not in ``options.kinds``: not assessed.

    Location class (GB 50251-2015 §4.2 [5]_): households of residential and village targets (night population /
    persons per household, or the ``households`` column) spread over sample points of each polygon; the points within
    200 m of the line, placed by their distance along it; every 2 km window from a household on is classed by its
    households; a class ≥ 2 window covers its first to last household ± 200 m; a segment takes the highest class of
    the windows over it (class 1 elsewhere).

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        From :func:`segment_pipelines` (metric CRS).
    targets : geopandas.GeoDataFrame
        Sensitive targets, same CRS.
    installations, roads : geopandas.GeoDataFrame, optional
        Same CRS; for the flammable-site and road rules.
    options : HCAOptions, optional

    Returns
    -------
    geopandas.GeoDataFrame
        ``segments`` with: ``line_type``, ``pir_m`` [m] (gas lines), ``location_class`` (Int64, NA when not
        assessed), ``households_2km`` [户], ``hca_grade`` (0 = not an HCA, 1..3), ``hca_grade_zh``, ``hca_rules``
        (e.g. "gas-e;gas-b"), ``hca_rules_zh``, ``hca_targets`` (ids joined by ";"), ``hca_target_names``,
        ``hca_assessed`` (bool), ``hca_note``.

    References
    ----------
    .. [1] GB 32167-2015, clause 6.1, Table 1, Eq. (1).
    .. [5] GB 50251-2015, §4.2.
    """
    from geodata.crs import require_metric, require_same_crs

    opt = options or HCAOptions()
    require_metric(segments, what="管道分段 segments")
    require_same_crs(segments, targets, what="管道分段与防护目标")
    if installations is not None and len(installations):
        require_same_crs(segments, installations, what="管道分段与装置设施")
    if roads is not None and len(roads):
        require_same_crs(segments, roads, what="管道分段与道路")
    seg = segments.copy()
    n = len(seg)
    grade = np.zeros(n, dtype=int)
    rules: list[list[str]] = [[] for _ in range(n)]
    hit_ids: list[list[str]] = [[] for _ in range(n)]
    hit_names: list[list[str]] = [[] for _ in range(n)]
    loc_cls = pd.array([pd.NA] * n, dtype="Int64")
    hh_2km = np.full(n, np.nan)
    ltype = np.array([""] * n, dtype=object)
    pir = np.full(n, np.nan)
    assessed = np.zeros(n, dtype=bool)
    notes = np.array([""] * n, dtype=object)

    tg = targets.reset_index(drop=True)
    cat = tg["category"].astype(str).to_numpy() if len(tg) else np.array([], dtype=str)
    pop_day = pd.to_numeric(tg.get("population_day"), errors="coerce").fillna(0).to_numpy(float)
    site_mask = np.isin(cat, list(SPECIFIC_SITE_I)) | (
        np.isin(cat, list(SPECIFIC_SITE_II)) & (pop_day >= SPECIFIC_SITE_II_MIN_PEOPLE)
    )
    tgt_hh = _households(tg, opt) if len(tg) else np.empty(0)
    tgt_hr = _high_rise(tg, opt) if len(tg) else np.empty(0, bool)
    pts, prow, pw = _sample_targets(tg, opt.sample_spacing_m) if len(tg) else (np.empty((0, 2)), [], [])
    pts_hh = tgt_hh[prow] * pw if len(prow) else np.empty(0)
    tid = tg["target_id"].astype(str).to_numpy() if "target_id" in tg else np.arange(len(tg)).astype(str)
    tname = tg["name"].astype(str).to_numpy() if "name" in tg else tid

    flam = _flammable_sites(installations)
    highways = None
    if roads is not None and len(roads) and "kind" in roads:
        highways = roads[roads["kind"].astype(str) == "highway"]

    def add(idx: np.ndarray, g: int, rule: str, ids=(), names=()) -> None:
        for i in idx:
            grade[i] = max(grade[i], g)
            if rule not in rules[i]:
                rules[i].append(rule)
            for a, b in zip(ids, names, strict=True):
                if a not in hit_ids[i]:
                    hit_ids[i].append(a)
                    hit_names[i].append(b)

    seg_geoms = np.asarray(seg.geometry.values, dtype=object)
    group_cols = [c for c in ("pipeline_id", "part") if c in seg]
    for _, grp in seg.groupby(group_cols, sort=False) if group_cols else [(None, seg)]:
        ii = seg.index.get_indexer(grp.index)
        first = grp.iloc[0]
        kind = first.get("kind")
        kind_ok = (
            kind is None
            or (isinstance(kind, float) and math.isnan(kind))
            or pd.isna(kind)
            or (str(kind) in opt.kinds)
        )
        lt = line_type(first.get("substance", ""))
        ltype[ii] = lt
        if not lt:
            notes[ii] = "非天然气或原油/成品油管道，GB 32167 高后果区识别表不适用"
            continue
        if not kind_ok:
            notes[ii] = f"管道类别 {kind} 不在识别范围 {list(opt.kinds)} 内（GB 32167 适用于油气输送管道）"
            continue
        assessed[ii] = True
        d = float(first["diameter_m"])
        p_g = maop_gauge(
            float(first["pressure_pa"])
        )  # layer stores absolute pressure; Eq. (1) uses MAOP gauge
        if lt == "gas":
            pir[ii] = potential_impact_radius(d, p_g)
        # --- location class along the line
        line_geoms = seg_geoms[ii]
        line = shapely.line_merge(shapely.union_all(line_geoms))
        if len(pts):
            near = shapely.dwithin(line, shapely.points(pts), _LOCATION_HALF_WIDTH_M)
            sel = np.nonzero(near & (pts_hh > 0))[0]
        else:
            sel = np.empty(0, int)
        if line.geom_type == "LineString" and len(sel):
            s_pts = shapely.line_locate_point(line, shapely.points(pts[sel]))
            # segments are numbered from the start of their part; make s comparable when the merged line is
            # reversed relative to the segments
            if shapely.line_locate_point(line, shapely.get_point(line_geoms[0], 0)) > line.length / 2:
                s_pts = line.length - s_pts
            intervals = _window_intervals(s_pts, pts_hh[sel], tgt_hr[prow[sel]], prow[sel])
        else:
            intervals = []
        cls = np.ones(len(ii), dtype=int)
        hh = np.zeros(len(ii))
        s0g, s1g = grp["s_start_m"].to_numpy(), grp["s_end_m"].to_numpy()
        for a, b, c, tot, _ in intervals:
            over = (s1g >= a) & (s0g <= b)
            cls = np.where(over, np.maximum(cls, c), cls)
            hh = np.where(over, np.maximum(hh, tot), hh)
        loc_cls[ii] = cls
        hh_2km[ii] = hh
        for a, b, c, _, trows in intervals:  # the residential targets that make a class-3/4 stretch
            if c < 3:
                continue
            over = (s1g >= a) & (s0g <= b) & (cls == c)
            item = "a" if c == 4 else "b"
            add(ii[over], int(_rule(lt, item)["grade"]), f"{lt}-{item}", tid[trows], tname[trows])
        # --- site rules
        if lt == "gas":
            if d > 0.762 and p_g > 6.9e6:  # [1] Table 1 c)
                item, radius = "c", float(potential_impact_radius(d, p_g))
            elif d < 0.273 and p_g < 1.6e6:  # [1] Table 1 d)
                item, radius = "d", float(potential_impact_radius(d, p_g))
            else:  # [1] Table 1 e)
                item, radius = "e", float(_rule("gas", "e")["corridor_m"])
            _site_rule(add, ii, line_geoms, tg, site_mask, tid, tname, radius, "gas", item)
            if flam is not None and len(flam):
                outside_34 = cls <= 2  # [1] Table 1 f): 除三级、四级地区外
                r_f = float(_rule("gas", "f")["corridor_m"])
                _site_rule(
                    add,
                    ii[outside_34],
                    line_geoms[outside_34],
                    flam,
                    np.ones(len(flam), bool),
                    flam["_id"].to_numpy(),
                    flam["_name"].to_numpy(),
                    r_f,
                    "gas",
                    "f",
                )
        else:
            vill = tgt_hh >= 50  # [1] Table 1 oil c): 聚居户数在 50 户或以上的村庄、乡镇
            _site_rule(
                add, ii, line_geoms, tg, vill, tid, tname, float(_rule("oil", "c")["corridor_m"]), "oil", "c"
            )
            r_d = float(_rule("oil", "d")["corridor_m"])
            if highways is not None and len(highways):
                hw = highways.reset_index(drop=True)
                hid = (
                    hw["road_id"].astype(str).to_numpy()
                    if "road_id" in hw
                    else np.arange(len(hw)).astype(str)
                )
                hnm = hw["name"].astype(str).to_numpy() if "name" in hw else hid
                _site_rule(add, ii, line_geoms, hw, np.ones(len(hw), bool), hid, hnm, r_d, "oil", "d")
            if flam is not None and len(flam):
                _site_rule(
                    add,
                    ii,
                    line_geoms,
                    flam,
                    np.ones(len(flam), bool),
                    flam["_id"].to_numpy(),
                    flam["_name"].to_numpy(),
                    r_d,
                    "oil",
                    "d",
                )
            notes[ii] = "输油管道 e)（自然保护地）、f)（水源、河流、水库）缺少相应图层，未识别"
    seg["line_type"] = ltype
    seg["pir_m"] = pir
    seg["location_class"] = loc_cls
    seg["households_2km"] = hh_2km
    seg["hca_grade"] = grade
    seg["hca_grade_zh"] = [HCA_GRADE_ZH[g] for g in grade]
    seg["hca_rules"] = [";".join(r) for r in rules]
    seg["hca_rules_zh"] = [rule_text_zh(r) for r in rules]
    seg["hca_targets"] = [";".join(x) for x in hit_ids]
    seg["hca_target_names"] = ["；".join(x) for x in hit_names]
    seg["hca_assessed"] = assessed
    seg["hca_note"] = notes
    return seg


def rule_text_zh(rules: list[str] | str) -> str:
    """Chinese text of rule keys such as ``["gas-e", "gas-b"]`` (GB 32167-2015 Table 1 items)."""
    keys = rules.split(";") if isinstance(rules, str) else list(rules)
    out = []
    for k in keys:
        if not k:
            continue
        lt, item = k.split("-")
        r = _rule(lt, item)
        out.append(
            f"GB 32167-2015 表1 {LINE_TYPE_ZH[lt]} {item}）{r['text_zh']}（{HCA_GRADE_ZH[int(r['grade'])]}）"
        )
    return "\n".join(out)


def _flammable_sites(installations: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if installations is None or len(installations) == 0:
        return None
    from analysis.physics import substances

    inst = installations.reset_index(drop=True)
    kinds = inst["kind"].astype(str).to_numpy() if "kind" in inst else np.array([""] * len(inst))

    def burns(name: Any) -> bool:
        try:
            return bool(substances.get(str(name)).flammable)
        except ValueError:
            return False

    ok = np.isin(kinds, list(FLAMMABLE_SITE_KINDS)) & np.array([burns(s) for s in inst.get("substance", [])])
    out = inst[ok].copy()
    out["_id"] = out["unit_id"].astype(str) if "unit_id" in out else out.index.astype(str)
    out["_name"] = out["name"].astype(str) if "name" in out else out["_id"]
    return out.reset_index(drop=True)


def _site_rule(add, ii, line_geoms, sites, mask, ids, names, radius, lt, item) -> None:
    """Segments within ``radius`` of a masked site get the rule's grade; the sites are recorded."""
    if len(ii) == 0 or not np.any(mask):
        return
    sg = np.asarray(sites.geometry.values, dtype=object)
    tree = shapely.STRtree(line_geoms)
    sidx = np.nonzero(mask)[0]
    pairs = tree.query(sg[sidx], predicate="dwithin", distance=radius)
    g = int(_rule(lt, item)["grade"])
    for s_local, seg_local in zip(pairs[0], pairs[1], strict=True):
        j = sidx[s_local]
        add(np.array([ii[seg_local]]), g, f"{lt}-{item}", [ids[j]], [names[j]])


def hca_stretches(segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Contiguous runs of HCA segments of one line with the same grade, merged: the HCA table.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        Output of :func:`identify_hca`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per stretch: ``hca_id``, ``pipeline_id``, ``name``, ``hca_grade``, ``hca_grade_zh``,
        ``s_start_m``, ``s_end_m``, ``length_m`` [m], ``location_class``, ``hca_rules``, ``hca_rules_zh``,
        ``hca_targets``, ``hca_target_names``, ``pir_m`` [m], geometry (merged line).
    """
    recs = []
    seg = segments[segments["hca_grade"] > 0]
    group_cols = [c for c in ("pipeline_id", "part") if c in seg]
    for _, grp in seg.groupby(group_cols, sort=True) if len(seg) else []:
        grp = grp.sort_values("segment_index")
        brk = (grp["segment_index"].diff() != 1) | (grp["hca_grade"].diff() != 0)
        run = brk.cumsum().to_numpy()
        for r in np.unique(run):
            g = grp[run == r]
            ids = list(dict.fromkeys(x for s in g["hca_targets"] for x in s.split(";") if x))
            nms = list(dict.fromkeys(x for s in g["hca_target_names"] for x in s.split("；") if x))
            rls = list(dict.fromkeys(x for s in g["hca_rules"] for x in s.split(";") if x))
            lc = pd.to_numeric(g["location_class"], errors="coerce")
            recs.append(
                {
                    "pipeline_id": g["pipeline_id"].iloc[0] if "pipeline_id" in g else "",
                    "name": g["name"].iloc[0] if "name" in g else "",
                    "hca_grade": int(g["hca_grade"].iloc[0]),
                    "hca_grade_zh": HCA_GRADE_ZH[int(g["hca_grade"].iloc[0])],
                    "s_start_m": float(g["s_start_m"].min()),
                    "s_end_m": float(g["s_end_m"].max()),
                    "length_m": float(g["length_m"].sum()),
                    "location_class": int(lc.max()) if lc.notna().any() else pd.NA,
                    "hca_rules": ";".join(rls),
                    "hca_rules_zh": rule_text_zh(rls),
                    "hca_targets": ";".join(ids),
                    "hca_target_names": "；".join(nms),
                    "pir_m": float(g["pir_m"].iloc[0]),
                    "geometry": shapely.line_merge(shapely.union_all(np.asarray(g.geometry.values))),
                }
            )
    cols = [
        "hca_id",
        "pipeline_id",
        "name",
        "hca_grade",
        "hca_grade_zh",
        "s_start_m",
        "s_end_m",
        "length_m",
        "location_class",
        "hca_rules",
        "hca_rules_zh",
        "hca_targets",
        "hca_target_names",
        "pir_m",
        "geometry",
    ]
    if not recs:
        return gpd.GeoDataFrame(columns=cols, geometry=[], crs=segments.crs)
    out = gpd.GeoDataFrame(recs, geometry="geometry", crs=segments.crs)
    out.insert(0, "hca_id", [f"HCA-{i + 1:03d}" for i in range(len(out))])
    out["location_class"] = out["location_class"].astype("Int64")
    return out[cols]


# ----------------------------------------------------------------------------------------------------------------
# Consequences and the risk kernel of a line
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskOptions:
    """Options of :func:`pipeline_consequences` and the risk functions.

    Attributes
    ----------
    frequency_source : str
        Key of :data:`analysis.qra.frequencies.FREQUENCY_SOURCES` (generic pipe LOC frequencies, CPR 18E §3.2.4).
    rupture_frequency_per_m_year, leak_frequency_per_m_year : float, optional
        Replace the generic frequencies (e.g. with operator or EGIG/UKOPA statistics for buried transmission
        lines, which the generic process-pipe values of the Purple Book do not describe). [1/(m·a)]
    isolation_length_m : float, optional
        Length of line between isolation valves that empties into a release (its line pack is the inventory);
        the line's own length when not given. [m]
    weather : tuple of (Weather, probability), optional
        Weather classes (speed, stability, direction) and their probabilities (sum 1); see
        :func:`weather_classes_from_rose`. Default: Pasquill D, 2 m/s, 12 equally likely directions (an
        assumption for when no wind rose is given).
    event_tree : analysis.qra.frequencies.EventTreeOptions, optional
    max_range_m : float
        Farthest distance at which effects are looked for. [m]
    kernel_points : int
        Points per side of the risk kernel grid.
    population : str
        "max", "day" or "night": which population of the targets counts in the societal risk.
    buoyant_gas_delayed_ignition : bool
        Model flash fire / VCE of a delayed-ignited cloud for gases lighter than air (natural gas, hydrogen). Off by
        default: the ground-level Gaussian plume of the dispersion models ignores the buoyancy and momentum of a
        high-pressure jet of a light gas and would spread a flammable cloud kilometres along the ground (an
        assumption of this module, stated in the assumptions; switch on for the conservative house event tree).
    """

    frequency_source: str = "purple_book_1999"
    rupture_frequency_per_m_year: float | None = None
    leak_frequency_per_m_year: float | None = None
    isolation_length_m: float | None = None
    weather: tuple | None = None
    event_tree: Any = None
    max_range_m: float = 5000.0
    kernel_points: int = 201
    population: str = "max"
    buoyant_gas_delayed_ignition: bool = False

    def __post_init__(self) -> None:
        for name in ("rupture_frequency_per_m_year", "leak_frequency_per_m_year"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name}={v!r} 应为 ≥ 0 的频率 [1/(m·a)]")
        if self.isolation_length_m is not None and not (
            math.isfinite(self.isolation_length_m) and self.isolation_length_m > 0
        ):
            raise ValueError(f"isolation_length_m 隔断段长度={self.isolation_length_m!r} 应为正数 [m]")
        if not (math.isfinite(self.max_range_m) and self.max_range_m > 0):
            raise ValueError(f"max_range_m={self.max_range_m!r} 应为正数 [m]")
        if not (isinstance(self.kernel_points, int) and self.kernel_points >= 21):
            raise ValueError(f"kernel_points={self.kernel_points!r} 应为 ≥ 21 的整数")
        if self.population not in ("max", "day", "night"):
            raise ValueError(f"population={self.population!r} 无效，应为 ['max', 'day', 'night'] 之一")
        if self.weather is not None:
            p = sum(float(pw) for _, pw in self.weather)
            if not math.isclose(p, 1.0, abs_tol=1e-6):
                raise ValueError(f"weather 气象类别概率之和={p!r} 应为 1")


def default_weather_classes() -> tuple:
    """Pasquill D, 2 m/s at 10 m, from 12 equally likely directions (the assumption when no wind rose is given)."""
    from analysis.scenarios import Weather

    return tuple(
        (Weather(wind_speed=2.0, wind_from_deg=30.0 * i, stability="D"), 1.0 / 12.0) for i in range(12)
    )


def weather_classes_from_rose(rose, *, min_probability: float = 0.0) -> tuple:
    """Weather classes ``((Weather, probability), ...)`` from an :class:`analysis.weather.WindRose` (or a day/night
    rose, combined), renormalised after dropping classes below ``min_probability``."""
    from analysis.scenarios import Weather

    if hasattr(rose, "combined"):
        rose = rose.combined()
    cls = [(d, s, st, p) for d, s, st, p in rose.classes(min_probability=min_probability)]
    total = sum(p for *_, p in cls)
    if not total > 0:
        raise ValueError("风玫瑰中没有概率大于 min_probability 的气象类别 (no weather class left)")
    return tuple(
        (Weather(wind_speed=float(s), wind_from_deg=float(d), stability=str(st)), p / total)
        for d, s, st, p in cls
    )


@dataclass(frozen=True)
class PipelineConsequences:
    """Consequences and risk kernel of one line (all its segments share them).

    Attributes
    ----------
    pipeline_id, name, substance, phase, line_type : str
    diameter_m : float
        [m]
    maop_gauge_pa : float
        [Pa]
    pir_m : float
        GB 32167 potential impact radius (natural-gas lines; NaN otherwise). [m]
    inventory_kg : float
        Line pack of the isolatable length. [kg]
    outcomes : pandas.DataFrame
        One row per LOC × outcome: loc (rupture/leak), loc_zh, outcome, outcome_zh, branch, probability,
        frequency_per_m_year [1/(m·a)], hole_diameter_m [m], rate_kg_s [kg/s], lethal_1pct_m (farthest downwind
        distance with probability of death ≥ 1 %, first weather class) [m], and the distances to the zone levels
        (``zone_levels`` text).
    zones : pandas.DataFrame
        Deterministic zone distances: loc, outcome, level, label_zh, threshold, unit, distance_m [m].
    kernel : ndarray
        Individual-risk kernel K(dx, dy) [1/(m·a)]: the risk at offset (dx east, dy north) from a release point, per
        metre of line (frequency per metre × probability of death, summed over outcomes and weather classes). Row i
        is dy = −R + i·h, column j is dx = −R + j·h (h = :attr:`kernel_spacing`).
    kernel_half_width : float
        R, the kernel covers [-R, R]². [m]
    footprints : tuple
        Per (outcome row, weather class): probability of death on the kernel grid in the wind frame (x downwind,
        y crosswind), used for the societal risk.
    assumptions : tuple of str
        Chinese lines.
    """

    pipeline_id: str
    name: str
    substance: str
    phase: str
    line_type: str
    diameter_m: float
    maop_gauge_pa: float
    pir_m: float
    inventory_kg: float
    outcomes: pd.DataFrame
    zones: pd.DataFrame
    kernel: np.ndarray = field(repr=False)
    kernel_half_width: float = 0.0
    footprints: tuple = field(default=(), repr=False)
    weather: tuple = field(default=(), repr=False)
    assumptions: tuple = ()

    @property
    def kernel_spacing(self) -> float:
        """Grid spacing of the kernel. [m]"""
        return 2.0 * self.kernel_half_width / (self.kernel.shape[0] - 1)

    def kernel_at(self, dx: Any, dy: Any) -> np.ndarray:
        """Risk kernel at offsets (dx east, dy north) from a release point, bilinear, 0 outside. [1/(m·a)]"""
        return _grid_sample(self.kernel, self.kernel_half_width, np.asarray(dx, float), np.asarray(dy, float))


_LOC_ZH = {"rupture": "全管径断裂", "leak": "泄漏（10 % 管径孔，最大 50 mm）"}
_OUTCOME_ZH = {
    "jet_fire": "喷射火",
    "fireball": "火球",
    "pool_fire": "池火",
    "flash_fire": "闪火",
    "vce": "蒸气云爆炸",
    "toxic_cloud": "有毒气云扩散",
}


def _grid_sample(grid: np.ndarray, half: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n = grid.shape[0]
    h = 2.0 * half / (n - 1)
    col = (x + half) / h
    row = (y + half) / h
    out = ndimage.map_coordinates(grid, [row.ravel(), col.ravel()], order=1, mode="constant", cval=0.0)
    return out.reshape(np.broadcast(x, y).shape)


def _source_row(pl: pd.Series, phase: str, inventory: float) -> dict:
    return {
        "unit_id": str(pl.get("pipeline_id", "?")),
        "kind": "pipe",
        "substance": str(pl["substance"]),
        "phase": phase,
        "pressure_pa": float(pl["pressure_pa"]),
        "temperature_k": float(pl.get("temperature_k") if pd.notna(pl.get("temperature_k")) else 293.15),
        "inventory_kg": float(inventory),
        "diameter_m": float(pl["diameter_m"]),
        "geometry": shapely.Point(0.0, 0.0),
    }


def _row_for_source(row: dict) -> dict:
    # the scenario glue reads diameter_m as a vessel diameter (liquid head): a pipe has none
    r = dict(row)
    r.pop("diameter_m", None)
    return r


def pipeline_consequences(
    pipeline: pd.Series, *, length_m: float, options: RiskOptions | None = None
) -> PipelineConsequences:
    """Loss-of-containment events, outcomes, effects and the risk kernel of one line.

    - LOCs per metre: full-bore rupture (hole = outside diameter) and leak (10 % of the diameter, at most 50 mm), with
      the generic pipe frequencies of :func:`analysis.qra.frequencies.loss_of_containment` (CPR 18E §3.2.4 [4]_) unless
      overridden in ``options``.
    - Outcomes: the event tree of :mod:`analysis.qra.frequencies` (direct ignition probability by release rate, CPR 18E
      ch. 4) — continuous releases: direct ignition → jet fire (gas, liquefied gas) or pool fire (liquid); delayed
      ignition → flash fire / VCE (0.6 / 0.4); toxic substances unignited → toxic cloud.
    - Effects: :func:`analysis.scenarios.effect_field` for each outcome (the source, fire, explosion, dispersion and
      vulnerability models of :mod:`analysis`), the release at the initial rate from the line pack of the isolatable
      length. A gas line's rupture also gets a fireball of the whole isolatable line pack, reported in ``zones``
      as an upper bound (not in the risk: a continuous release is a jet fire in the event tree).

    Parameters
    ----------
    pipeline : pandas.Series
        One row of the pipelines layer (``substance``, ``diameter_m`` [m], ``pressure_pa`` [Pa abs],
        ``temperature_k`` [K] …).
    length_m : float
        Length of the line. [m]
    options : RiskOptions, optional

    Returns
    -------
    PipelineConsequences
    """
    from analysis import scenarios as sc
    from analysis.qra import frequencies as fq
    from analysis.scenarios import zones as zn

    opt = options or RiskOptions()
    weather = opt.weather or default_weather_classes()
    sub = _substance(pl_sub := pipeline["substance"])
    t = float(pipeline.get("temperature_k")) if pd.notna(pipeline.get("temperature_k")) else 293.15
    p_abs = float(pipeline["pressure_pa"])
    d = float(pipeline["diameter_m"])
    if not (math.isfinite(d) and d > 0):
        raise ValueError(f"管道 {pipeline.get('pipeline_id')} 的 diameter_m 外径={d!r} 无效，应为正数 [m]")
    phase = pipeline_phase(sub, temperature=t, pressure=p_abs)
    lt = line_type(pl_sub)
    p_g = maop_gauge(p_abs)  # layer stores absolute pressure; Eq. (1) uses MAOP (gauge)
    pir = potential_impact_radius(d, p_g) if lt == "gas" else math.nan
    iso = opt.isolation_length_m or float(length_m)
    area = math.pi * d**2 / 4.0
    rho = float(sub.gas_density(t, p_abs)) if phase == "gas" else float(sub.liquid_density_at(t))
    inventory = rho * area * iso
    pid = str(pipeline.get("pipeline_id", "?"))
    buoyant = phase == "gas" and sub.molar_mass < _AIR_MOLAR_MASS
    row = _source_row(pipeline, phase, inventory)

    def fb_mass(rate: float) -> float:
        from analysis.physics.fire import fireball_duration

        m = min(rate * 10.0, inventory)
        for _ in range(60):  # fixed point of m = rate · t(m); t ∝ m^(1/6) or m^(1/3): contracts
            m = min(rate * float(fireball_duration(m, model="ccps1994")), inventory)
        return m

    src_row = _row_for_source(row)
    notes = [
        f"管道 {pid}：{sub.name_zh}，{ {'gas': '气相', 'liquid': '液相', 'liquefied_gas': '加压液化'}[phase] }，"
        f"外径 {d * 1e3:.0f} mm，最大允许操作压力 {p_g / 1e6:.2f} MPa（表压）",
        f"泄漏存量 = 隔断段 {iso:,.0f} m 的管存 {inventory:,.0f} kg（密度 {rho:.3g} kg/m³）",
        "泄漏按初始速率恒定计（不计管内降压），偏保守；全管径断裂按单端全截面孔口计（未计双端流出）",
    ]
    freq_opt = fq.FrequencyOptions(
        source=opt.frequency_source,
        overrides=fq.FrequencyOverrides.from_dict(
            {
                k: v
                for k, v in {
                    (pid, "rupture"): opt.rupture_frequency_per_m_year,
                    (pid, "leak"): opt.leak_frequency_per_m_year,
                }.items()
                if v is not None
            },
            {pid: "pipe"},
        ),
    )
    locs = fq.loss_of_containment(row, options=freq_opt, pipe_length_m=1.0)  # per metre of line
    hz = fq.substance_hazard(str(pl_sub))
    et = opt.event_tree or fq.EventTreeOptions()
    wf0 = weather[0][0]
    # deterministic distances along the downwind axis: wind blowing to +x (east), i.e. from 270°
    w0 = sc.Weather(
        wind_speed=wf0.wind_speed,
        wind_from_deg=270.0,
        stability=wf0.stability,
        temperature_k=wf0.temperature_k,
        relative_humidity=wf0.relative_humidity,
        terrain=wf0.terrain,
    )
    recs, zone_recs = [], []
    fields: list[tuple[int, Any]] = []
    for loc in locs:
        rate = float(
            sc.source_term(src_row, sc.Scenario("jet_fire", hole_diameter=loc.hole_diameter_m), w0).rate
        )
        outs: list[tuple[str, str, float, float]] = []
        if hz is None or (not hz.flammable and not hz.toxic):
            continue
        if not hz.flammable:
            outs.append(("toxic_cloud", "none", 1.0, 0.0))
        else:
            if phase == "liquid":
                cat, amount = "k1_liquid", {"rate_kg_s": 0.0}
            else:
                cat = "gas_low_reactive" if hz.reactivity == "low" else "gas_average_high_reactive"
                amount = {"rate_kg_s": rate}
            pd_ = float(
                fq.direct_ignition_probability(substance_category=cat, model=et.ignition_model, **amount)
            )
            # same branches as analysis.qra.frequencies.outcomes (CPR 18E ch. 4)
            p_delay_given = 0.0 if (hz.toxic and phase != "liquid") else et.p_delayed_ignition
            p_del = (1.0 - pd_) * p_delay_given
            p_none = (1.0 - pd_) * (1.0 - p_delay_given)
            if buoyant and not opt.buoyant_gas_delayed_ignition:
                p_del = 0.0  # light-gas jet: no ground-level flash fire / VCE modelled (RiskOptions)
            direct = "fireball" if (lt == "gas" and loc.loc == "rupture") else "jet_fire"
            if phase == "liquid":
                outs += [("pool_fire", "direct", pd_, pd_), ("pool_fire", "delayed", p_del, pd_)]
            else:
                outs += [
                    (direct, "direct", pd_, pd_),
                    ("flash_fire", "delayed", p_del * (1.0 - et.p_explosion_given_delayed), pd_),
                    ("vce", "delayed", p_del * et.p_explosion_given_delayed, pd_),
                ]
            if hz.toxic:
                outs.append(("toxic_cloud", "none", p_none, pd_))
        for kind, branch, p, p_direct in outs:
            if p <= 0:
                continue
            o = fq.Outcome(
                unit_id=pid,
                loc=loc.loc,
                loc_class=loc.loc_class,
                outcome=kind,
                branch=branch,
                frequency=loc.frequency * p,
                probability=p,
                instantaneous=False,
                hole_diameter_m=loc.hole_diameter_m,
                duration_s=math.nan,
                mass_kg=loc.mass_kg,
                p_direct=p_direct,
            )
            if kind == "fireball":
                # rupture of a gas line, direct ignition: fireball fed at the initial outflow for its own duration
                # (m = rate · t_fb(m), CCPS 1994 duration), then the crater fire; see the assumptions
                scen, srow = sc.Scenario("fireball"), dict(src_row, inventory_kg=fb_mass(rate))
            else:
                scen, srow = fq.to_scenario(o), src_row
            f0 = sc.effect_field(srow, scen, w0)
            x = np.geomspace(0.5, opt.max_range_m, 600)
            pdeath = np.asarray(f0.probability_of_death(x, np.zeros_like(x)))
            lethal = float(x[pdeath >= 0.01].max()) if np.any(pdeath >= 0.01) else 0.0
            recs.append(
                {
                    "loc": loc.loc,
                    "loc_zh": _LOC_ZH.get(loc.loc, loc.loc),
                    "outcome": kind,
                    "outcome_zh": _OUTCOME_ZH[kind],
                    "branch": branch,
                    "probability": p,
                    "frequency_per_m_year": loc.frequency * p,
                    "hole_diameter_m": loc.hole_diameter_m,
                    "rate_kg_s": rate,
                    "lethal_1pct_m": lethal,
                    "frequency_source": loc.source,
                }
            )
            fields.append((len(recs) - 1, scen, srow))
            if branch in ("direct", "none") or kind in ("flash_fire", "vce"):
                zone_recs += _zone_distances(f0, zn.default_levels(f0), loc.loc, kind, x)
    if lt == "gas" and hz is not None and hz.flammable:
        rr = float(recs[0]["rate_kg_s"]) if recs else math.nan
        notes.append(
            f"天然气管道全管径断裂立即点火按火球计：火球质量 m 满足 m = 初始泄放速率 {rr:,.0f} kg/s × 火球持续时间 t(m)"
            f"（CCPS 1994 火球持续时间公式），得 m = {fb_mass(rr):,.0f} kg；其后的坑内火不另计"
        )
    if buoyant and not opt.buoyant_gas_delayed_ignition:
        notes.append(
            "轻于空气的气体（摩尔质量 < 29 g/mol）高压射流迅速上升，地面高斯扩散模型会夸大地面可燃云范围：默认不计"
            "延迟点火的闪火/蒸气云爆炸（RiskOptions.buoyant_gas_delayed_ignition 可开启）"
        )
    outcomes = pd.DataFrame(recs)
    kernel, half, footprints = _kernel(src_row, fields, outcomes, weather, opt)
    return PipelineConsequences(
        pipeline_id=pid,
        name=str(pipeline.get("name", "")),
        substance=str(pl_sub),
        phase=phase,
        line_type=lt,
        diameter_m=d,
        maop_gauge_pa=float(p_g),
        pir_m=float(pir),
        inventory_kg=float(inventory),
        outcomes=outcomes,
        zones=pd.DataFrame(zone_recs),
        kernel=kernel,
        kernel_half_width=half,
        footprints=footprints,
        weather=tuple(weather),
        assumptions=tuple(notes),
    )


def _zone_distances(f, levels, loc: str, kind: str, x: np.ndarray) -> list[dict]:
    fn = f.function(f.quantity)
    v = np.asarray(fn(x, np.zeros_like(x)))
    out = []
    for lv in levels:
        if lv.quantity != f.quantity:
            continue
        hit = v >= lv.threshold
        out.append(
            {
                "loc": loc,
                "loc_zh": _LOC_ZH.get(loc, loc),
                "outcome": kind,
                "outcome_zh": _OUTCOME_ZH[kind],
                "level": lv.name,
                "label_zh": lv.label_zh,
                "quantity": lv.quantity,
                "threshold": lv.threshold,
                "distance_m": float(x[hit].max()) if hit.any() else 0.0,
            }
        )
    return out


def _kernel(src_row: dict, fields, outcomes: pd.DataFrame, weather, opt: RiskOptions):
    """Risk kernel over [-R, R]² (east/north) and per-outcome wind-frame footprints."""
    from analysis import scenarios as sc

    n = opt.kernel_points
    if not fields:
        return np.zeros((n, n)), 10.0, ()
    # one footprint per (outcome, speed/stability group); computed with the wind blowing to +x (from 270°)
    groups: dict[tuple, list[int]] = {}
    for j, (w, _) in enumerate(weather):
        groups.setdefault(
            (w.wind_speed, w.stability, w.temperature_k, w.relative_humidity, w.terrain), []
        ).append(j)
    wf = {}
    reach = 10.0
    r_axis = np.geomspace(0.5, opt.max_range_m, 400)
    for key in groups:
        w = weather[groups[key][0]][0]
        wx = sc.Weather(
            wind_speed=w.wind_speed,
            wind_from_deg=270.0,
            stability=w.stability,
            temperature_k=w.temperature_k,
            relative_humidity=w.relative_humidity,
            terrain=w.terrain,
        )
        for i, scen, srow in fields:
            f = sc.effect_field(srow, scen, wx)
            wf[(i, key)] = f
            for ax, ay in ((r_axis, 0 * r_axis), (-r_axis, 0 * r_axis), (0 * r_axis, r_axis)):
                pdth = np.asarray(f.probability_of_death(ax, ay))
                if np.any(pdth >= _P_FLOOR):
                    reach = max(reach, float(r_axis[pdth >= _P_FLOOR].max()))
    half = min(reach * 1.1, opt.max_range_m)
    g = np.linspace(-half, half, n)
    gx, gy = np.meshgrid(g, g)  # rows: y increasing; columns: x increasing
    kernel = np.zeros((n, n))
    footprints = []
    for (i, key), f in wf.items():
        fp = np.asarray(f.probability_of_death(gx, gy), dtype=float)  # wind frame: x downwind, y crosswind
        fp = np.where(np.isfinite(fp), fp, 0.0)
        footprints.append((i, key, fp))
        fo = float(outcomes.loc[i, "frequency_per_m_year"])
        for j in groups[key]:
            w, pw = weather[j]
            beta = math.radians(w.downwind_bearing_deg)
            along = gx * math.sin(beta) + gy * math.cos(beta)  # offset (east, north) -> wind frame
            across = -gx * math.cos(beta) + gy * math.sin(beta)
            kernel += fo * pw * _grid_sample(fp, half, along, across)
    return kernel, half, tuple(footprints)


# ----------------------------------------------------------------------------------------------------------------
# Individual risk: transect and raster; societal risk per km
# ----------------------------------------------------------------------------------------------------------------
def risk_transect(
    consequences: PipelineConsequences, distances: Any, *, line_bearing_deg: float = 90.0
) -> np.ndarray:
    """Individual risk against the perpendicular distance from a long straight line.

    IR(y) = ∫ K(y·n − s·t) ds over the line (t its direction, n the normal to its left), with K the line's risk
    kernel [1/(m·a)] (frequency per metre × probability of death, summed over outcomes and weather classes) — the
    risk transect of a pipeline, as for a transport route in CPR 18E [4]_.

    Parameters
    ----------
    consequences : PipelineConsequences
    distances : array_like
        Signed distance from the centre line (positive to the left of the line direction). [m]
    line_bearing_deg : float
        Direction of the line, clockwise from north (matters only with a non-uniform wind rose). [°]

    Returns
    -------
    ndarray
        Individual risk. [1/a]
    """
    y = np.asarray(distances, dtype=float)
    if np.any(~np.isfinite(y)):
        raise ValueError(f"distances 距离={distances!r} 应为有限数 [m]")
    half = consequences.kernel_half_width
    ds = consequences.kernel_spacing / 2.0
    s = np.arange(-half, half + ds, ds)
    b = math.radians(line_bearing_deg)
    t = np.array([math.sin(b), math.cos(b)])  # east, north
    nrm = np.array([-t[1], t[0]])  # left normal
    px = y[..., None] * nrm[0] - s * t[0]
    py = y[..., None] * nrm[1] - s * t[1]
    return consequences.kernel_at(px, py).sum(axis=-1) * ds


def individual_risk_grid(
    segments: gpd.GeoDataFrame,
    consequences: dict[str, PipelineConsequences],
    *,
    transform: Any,
    shape: tuple[int, int],
    crs: Any,
    release_spacing_m: float | None = None,
) -> np.ndarray:
    """The pipelines' contribution to an individual-risk raster (to be added to the installations' risk).

    Every segment is divided into release points at most ``release_spacing_m`` apart (default: the raster cell
    size), each standing for its length of line; each adds the line's risk kernel × that length to the cells
    within the kernel's reach.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        From :func:`segment_pipelines` (metric CRS), with ``pipeline_id``.
    consequences : dict
        pipeline_id -> :class:`PipelineConsequences`; lines without an entry add nothing.
    transform : affine.Affine
        Raster transform (north-up, no rotation), in ``crs``. [m]
    shape : (int, int)
        (rows, columns).
    crs : pyproj.CRS or str
        The raster's CRS; must equal the segments' CRS.
    release_spacing_m : float, optional
        [m]

    Returns
    -------
    ndarray of shape ``shape``
        Individual risk. [1/a]
    """
    import pyproj

    if transform.b != 0 or transform.d != 0:
        raise ValueError(f"transform 栅格仿射变换={transform!r} 含旋转，仅支持正北朝上的栅格 (north-up only)")
    if pyproj.CRS.from_user_input(crs) != pyproj.CRS.from_user_input(segments.crs):
        raise ValueError(
            f"crs 栅格坐标系 {pyproj.CRS.from_user_input(crs).to_string()} 与管道分段坐标系 "
            f"{pyproj.CRS.from_user_input(segments.crs).to_string()} 不同，请先投影到同一坐标系"
        )
    rows, cols = int(shape[0]), int(shape[1])
    out = np.zeros((rows, cols))
    cell = min(abs(transform.a), abs(transform.e))
    spacing = float(release_spacing_m or cell)
    xc = transform.c + (np.arange(cols) + 0.5) * transform.a
    yc = transform.f + (np.arange(rows) + 0.5) * transform.e
    for pid, grp in segments.groupby("pipeline_id", sort=False):
        c = consequences.get(str(pid))
        if c is None or not np.any(c.kernel > 0):
            continue
        pts, w = _release_points(grp, spacing)
        r = c.kernel_half_width
        for (px, py), wt in zip(pts, w, strict=True):
            c0, c1 = np.searchsorted(xc, [px - r, px + r]) if transform.a > 0 else (0, cols)
            r0, r1 = np.sort(np.searchsorted(-yc, [-(py + r), -(py - r)])) if transform.e < 0 else (0, rows)
            if c1 <= c0 or r1 <= r0:
                continue
            gx, gy = np.meshgrid(xc[c0:c1] - px, yc[r0:r1] - py)
            out[r0:r1, c0:c1] += c.kernel_at(gx, gy) * wt
    return out


def _release_points(grp: gpd.GeoDataFrame, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    geoms = np.asarray(grp.geometry.values, dtype=object)
    lengths = shapely.length(geoms)
    n = np.maximum(1, np.ceil(lengths / spacing)).astype(int)
    gi = np.repeat(np.arange(len(geoms)), n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    frac = (k + 0.5) / n[gi]
    pts = shapely.get_coordinates(shapely.line_interpolate_point(geoms[gi], frac, normalized=True))
    return pts, lengths[gi] / n[gi]


def _population(targets: gpd.GeoDataFrame, how: str) -> np.ndarray:
    day = pd.to_numeric(targets.get("population_day"), errors="coerce").fillna(0).to_numpy(float)
    night = pd.to_numeric(targets.get("population_night"), errors="coerce").fillna(0).to_numpy(float)
    return {"day": day, "night": night, "max": np.maximum(day, night)}[how]


def societal_risk_per_km(
    segments: gpd.GeoDataFrame,
    consequences: dict[str, PipelineConsequences],
    *,
    targets: gpd.GeoDataFrame,
    window_m: float = 1000.0,
    options: RiskOptions | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Societal risk of each kilometre of line: F-N curves of a sliding 1 km window [4]_ [6]_.

    Release points are the segment midpoints (frequency = per-metre frequency × segment length); for each outcome,
    weather class and direction the number of fatalities N is the population of the sensitive targets (spread
    over sample points of each polygon) times the probability of death at each point. The window slides along each
    line by one segment; the F-N curve of each window is :func:`analysis.qra.societal.fn_curve` of its outcomes.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
    consequences : dict
        pipeline_id -> :class:`PipelineConsequences`.
    targets : geopandas.GeoDataFrame
        Sensitive targets (``population_day`` / ``population_night``), same CRS.
    window_m : float
        Window length. [m]
    options : RiskOptions, optional
        ``population`` chooses day / night / max.

    Returns
    -------
    windows : pandas.DataFrame
        pipeline_id, km_start_m, km_end_m [m], pll [人/a], n_max [人], max_fn (max over the curve of F·N, the
        distance to a slope −1 criterion line) [人/a], worst (bool: the window with the highest max_fn of its line).
    curves : dict
        pipeline_id -> FNCurve of its worst window.
    """
    from analysis.qra.societal import fn_curve

    opt = options or RiskOptions()
    if not (math.isfinite(window_m) and window_m > 0):
        raise ValueError(f"window_m 滑动窗口长度={window_m!r} 应为正数 [m]")
    tg = targets.reset_index(drop=True)
    pts, prow, pw = (
        _sample_targets(tg, 20.0) if len(tg) else (np.empty((0, 2)), np.empty(0, int), np.empty(0))
    )
    ppop = _population(tg, opt.population)[prow] * pw if len(prow) else np.empty(0)
    recs, curves = [], {}
    for pid, grp in segments.groupby("pipeline_id", sort=False):
        c = consequences.get(str(pid))
        if c is None or not c.footprints or len(pts) == 0:
            continue
        grp = grp.sort_values(["part", "s_start_m"]) if "part" in grp else grp.sort_values("s_start_m")
        mid = shapely.get_coordinates(
            shapely.line_interpolate_point(np.asarray(grp.geometry.values), 0.5, normalized=True)
        )
        s_mid = (grp["s_start_m"].to_numpy() + grp["s_end_m"].to_numpy()) / 2.0
        seg_len = grp["length_m"].to_numpy()
        half = c.kernel_half_width
        weather = c.weather
        groups: dict[tuple, list[int]] = {}
        for j, (w, _) in enumerate(weather):
            groups.setdefault(
                (w.wind_speed, w.stability, w.temperature_k, w.relative_humidity, w.terrain), []
            ).append(j)
        f_list, n_list, seg_of = [], [], []
        for k, (mx, my) in enumerate(mid):
            dx, dy = pts[:, 0] - mx, pts[:, 1] - my
            near = (np.abs(dx) <= half) & (np.abs(dy) <= half)
            if not near.any():
                continue
            dx, dy, pop = dx[near], dy[near], ppop[near]
            for i, key, fp in c.footprints:
                fo = float(c.outcomes.loc[i, "frequency_per_m_year"]) * seg_len[k]
                for j in groups[key]:
                    w, pwt = weather[j]
                    beta = math.radians(w.downwind_bearing_deg)
                    along = dx * math.sin(beta) + dy * math.cos(beta)
                    across = -dx * math.cos(beta) + dy * math.sin(beta)
                    n_dead = float((_grid_sample(fp, half, along, across) * pop).sum())
                    f_list.append(fo * pwt)
                    n_list.append(n_dead)
                    seg_of.append(k)
        f_arr, n_arr, seg_arr = np.array(f_list), np.array(n_list), np.array(seg_of, dtype=int)
        best, best_val = None, -1.0
        starts = grp["s_start_m"].to_numpy()
        total = float(grp["s_end_m"].max())
        for a in starts:
            if a > max(total - window_m, 0.0) + 1e-9:
                break
            in_w = (s_mid >= a) & (s_mid < a + window_m)
            sel = np.isin(seg_arr, np.nonzero(in_w)[0]) if len(seg_arr) else np.zeros(0, bool)
            f, nn = f_arr[sel], n_arr[sel]
            curve = fn_curve(f, nn) if len(f) else None
            max_fn = float(np.max(curve.n * curve.f)) if curve is not None and len(curve.n) else 0.0
            recs.append(
                {
                    "pipeline_id": str(pid),
                    "km_start_m": float(a),
                    "km_end_m": float(min(a + window_m, total)),
                    "pll": float((f * nn).sum()),
                    "n_max": float(nn.max()) if len(nn) else 0.0,
                    "max_fn": max_fn,
                    "worst": False,
                }
            )
            if max_fn > best_val:
                best_val, best = max_fn, (len(recs) - 1, curve)
        if best is not None:
            recs[best[0]]["worst"] = True
            if best[1] is not None:
                curves[str(pid)] = best[1]
    cols = ["pipeline_id", "km_start_m", "km_end_m", "pll", "n_max", "max_fn", "worst"]
    return pd.DataFrame(recs, columns=cols), curves


# ----------------------------------------------------------------------------------------------------------------
# One call for a park
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineAssessment:
    """Everything :func:`assess` computes for a park's pipelines (metric CRS)."""

    segments: gpd.GeoDataFrame
    hca: gpd.GeoDataFrame
    consequences: dict
    summary: pd.DataFrame

    def risk_raster(self, transform: Any, shape: tuple[int, int], crs: Any) -> np.ndarray:
        """Individual risk of the pipelines on a raster grid, [1/a] — the callable ``f(transform, shape, crs)``
        that :mod:`analysis.qra.individual` accepts as its ``pipelines`` contribution (see :func:`individual_risk_grid`)."""
        return individual_risk_grid(
            self.segments, self.consequences, transform=transform, shape=shape, crs=crs
        )


def assess(
    park,
    *,
    segment_length: float = 50.0,
    hca_options: HCAOptions | None = None,
    risk_options: RiskOptions | None = None,
    pipeline_ids: tuple[str, ...] | None = None,
) -> PipelineAssessment:
    """Segments, HCA identification and consequences of all (or some) pipelines of a park.

    Parameters
    ----------
    park : geodata.Park
    segment_length : float
        [m]
    hca_options : HCAOptions, optional
    risk_options : RiskOptions, optional
    pipeline_ids : tuple of str, optional
        Only these lines.

    Returns
    -------
    PipelineAssessment
        ``segments`` (with the HCA columns and, per segment, ``rupture_frequency`` / ``leak_frequency`` [1/a] and
        ``lethal_1pct_m`` [m]), ``hca`` (:func:`hca_stretches`), ``consequences`` (pipeline_id ->
        :class:`PipelineConsequences`), ``summary`` (one row per line).
    """
    pl = park.metric("pipelines")
    if pipeline_ids is not None:
        unknown = set(pipeline_ids) - set(pl["pipeline_id"].astype(str))
        if unknown:
            raise ValueError(
                f"pipeline_ids 管道编号 {sorted(unknown)} 不存在；园区中的管道有 {sorted(pl['pipeline_id'].astype(str))}"
            )
        pl = pl[pl["pipeline_id"].astype(str).isin(pipeline_ids)]
    seg = segment_pipelines(pl, length=segment_length)
    roads = park.roads
    seg = identify_hca(
        seg,
        targets=park.metric("sensitive_targets"),
        installations=park.metric("installations"),
        roads=park.metric("roads") if roads is not None else None,
        options=hca_options,
    )
    cons: dict[str, PipelineConsequences] = {}
    cache: dict[tuple, PipelineConsequences] = {}
    rows = []
    for _, r in pl.iterrows():
        pid = str(r["pipeline_id"])
        length = float(r.geometry.length)
        key = (
            str(r["substance"]),
            float(r["diameter_m"]),
            float(r["pressure_pa"]),
            float(r.get("temperature_k") or 0),
            round(length, 3) if (risk_options is None or risk_options.isolation_length_m is None) else 0.0,
        )
        try:
            c = cache.get(key)
            if c is None:
                c = pipeline_consequences(r, length_m=length, options=risk_options)
                cache[key] = c
            c = c if c.pipeline_id == pid else _renamed(c, pid, str(r.get("name", "")))
            cons[pid] = c
        except ValueError as exc:
            logger.warning("pipeline %s: consequences not computed: %s", pid, exc)
            rows.append({"pipeline_id": pid, "name": r.get("name", ""), "error": str(exc)})
            continue
        oc = c.outcomes
        rows.append(
            {
                "pipeline_id": pid,
                "name": r.get("name", ""),
                "substance": r["substance"],
                "phase": c.phase,
                "line_type": c.line_type,
                "length_m": length,
                "diameter_m": c.diameter_m,
                "maop_gauge_pa": c.maop_gauge_pa,
                "pir_m": c.pir_m,
                "rupture_outcome_frequency_per_m_year": float(
                    oc.loc[oc["loc"] == "rupture", "frequency_per_m_year"].sum()
                )
                if len(oc)
                else 0.0,
                "lethal_1pct_m": float(oc["lethal_1pct_m"].max()) if len(oc) else 0.0,
                "error": "",
            }
        )
    seg["lethal_1pct_m"] = (
        seg["pipeline_id"]
        .astype(str)
        .map(
            {k: float(v.outcomes["lethal_1pct_m"].max()) if len(v.outcomes) else 0.0 for k, v in cons.items()}
        )
    )
    for loc in ("rupture", "leak"):
        per_m = {
            k: float(v.outcomes.loc[v.outcomes["loc"] == loc, "frequency_per_m_year"].sum())
            for k, v in cons.items()
        }
        seg[f"{loc}_outcome_frequency"] = seg["pipeline_id"].astype(str).map(per_m) * seg["length_m"]
    return PipelineAssessment(
        segments=seg, hca=hca_stretches(seg), consequences=cons, summary=pd.DataFrame(rows)
    )


def _renamed(c: PipelineConsequences, pid: str, name: str) -> PipelineConsequences:
    from dataclasses import replace

    return replace(c, pipeline_id=pid, name=name)
