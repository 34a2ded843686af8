"""High-consequence areas (高后果区) of oil and gas lines by GB 32167-2015 clause 6.1 Table 1, segment by segment.

:func:`identify_hca` grades every segment by Table 1 [1]_ with the location class (地区等级) of GB 50251-2015 §4.2
[2]_; :func:`hca_stretches` merges contiguous HCA segments of one grade into the HCA table.

References
----------
.. [1] GB 32167-2015 油气输送管道完整性管理规范 (Oil and gas pipeline integrity management specification), clause 6.1
   高后果区识别, Table 1 and Eq. (1). The standard's own text was not reachable to us when this was written; the
   table follows the two agreeing transcriptions of the project's reference notes (gas e) Ⅱ, f) Ⅲ; see
   ``data/gb32167_2015_table1_hca.csv`` for the transcriptions that disagree and for what is unverified).
.. [2] GB 50251-2015 输气管道工程设计规范, §4.2 地区等级划分: 200 m each side of the centre line, any 2 km length
   holding the most households; class 1 ≤ 15 households, class 2 15–100, class 3 ≥ 100, class 4 where buildings
   of four or more storeys are prevalent; boundaries at least 200 m from the nearest building (recalled, not
   confirmed against the text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis import _checks
from analysis._data import DATA_DIR
from analysis.physics import substances
from analysis.pipelines.segments import LINE_TYPE_ZH, line_type, maop_gauge, potential_impact_radius
from analysis.pipelines.targets import sample_targets
from geodata.crs import require_metric, require_same_crs

__all__ = [
    "FLAMMABLE_SITE_KINDS",
    "HCA_GRADE_ZH",
    "HCA_TABLE_CSV",
    "HOUSEHOLD_CATEGORIES",
    "LOCATION_CLASS_ZH",
    "PERSONS_PER_HOUSEHOLD_CENSUS_2020",
    "SPECIFIC_SITE_I",
    "SPECIFIC_SITE_II",
    "SPECIFIC_SITE_II_MIN_PEOPLE",
    "SPECIFIC_SITE_II_NOTE_ZH",
    "HCAOptions",
    "hca_stretches",
    "hca_table",
    "identify_hca",
    "location_class",
    "rule_text_zh",
]

HCA_TABLE_CSV = DATA_DIR / "gb32167_2015_table1_hca.csv"
#: Chinese labels of the HCA grades (GB 32167-2015 clause 6.1).
HCA_GRADE_ZH: dict[int, str] = {0: "非高后果区", 1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级"}
#: GB 50251-2015 §4.2 location classes.
LOCATION_CLASS_ZH: dict[int, str] = {1: "一级地区", 2: "二级地区", 3: "三级地区", 4: "四级地区"}
#: 特定场所Ⅰ (GB 32167-2015 6.1, note to Table 1): 医院、学校、托儿所、幼儿园、养老院、监狱、商场等人群疏散困难的建筑区域.
SPECIFIC_SITE_I = frozenset({"school", "kindergarten", "hospital", "nursing_home", "market"})
#: 特定场所Ⅱ: 一年之内至少有50天聚集30人或更多人的区域，如集贸市场、寺庙、运动场、广场、娱乐休闲地、剧院、露营地.
SPECIFIC_SITE_II = frozenset({"market", "religious", "stadium"})
SPECIFIC_SITE_II_MIN_PEOPLE = 30
#: The reference notes mark the wording of 特定场所Ⅱ unverified; every rule text that uses specific sites says so.
SPECIFIC_SITE_II_NOTE_ZH = "（特定场所Ⅱ“一年内至少 50 天聚集 30 人以上”的措辞未核对）"
_SPECIFIC_SITE_ITEMS = frozenset({("gas", "c"), ("gas", "d"), ("gas", "e")})
#: Targets whose population counts as households for the location class (GB 50251 户数).
HOUSEHOLD_CATEGORIES = frozenset({"residential", "village"})
#: Average size of a family household in China, 2.62 persons (7th national census, 2020; National Bureau of
#: Statistics communiqué No. 2). Used to turn a residential target's night population into households. [人/户]
PERSONS_PER_HOUSEHOLD_CENSUS_2020 = 2.62
#: Installation kinds taken as 易燃易爆场所 (oil depots, filling / loading stations) when their substance burns.
FLAMMABLE_SITE_KINDS = frozenset({"storage_tank", "loading_bay", "warehouse"})

_LOCATION_WINDOW_M = 2000.0  # [2] 任意划分成长度为 2 km 的地段
_LOCATION_HALF_WIDTH_M = 200.0  # [2] 管道中心线两侧各 200 m
_LOCATION_BOUNDARY_M = 200.0  # [2] 边界线距最近一户建筑物外边缘不应小于 200 m; [1] 6.1 HCA boundary 200 m


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
        _checks.finite_number("persons_per_household", self.persons_per_household, low=0.0, low_open=True)
        _checks.finite_number("sample_spacing_m", self.sample_spacing_m, low=0.0, low_open=True, unit="m")


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
    prevalent (``high_rise``) [2]_.

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
    h = _checks.nonneg("households", households)
    cls = np.where(h >= 100, 3, np.where(h > 15, 2, 1))  # [2] §4.2: ≤15, 15–100, ≥100 households
    cls = np.where(np.asarray(high_rise, dtype=bool) & (h >= 100), 4, cls)
    return int(cls) if cls.ndim == 0 else cls


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
    class ≥ 2 covers its first to last household ± 200 m ([2] boundary rule).
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


@dataclass(frozen=True)
class _Targets:
    """The sensitive targets prepared once for every line: sites, households and their sample points."""

    frame: gpd.GeoDataFrame
    site_mask: np.ndarray  # specific sites Ⅰ and Ⅱ [1]
    households: np.ndarray  # per target [户]
    high_rise: np.ndarray
    points: np.ndarray  # sample points (x, y) [m]
    point_rows: np.ndarray
    point_households: np.ndarray  # households of each sample point [户]
    ids: np.ndarray
    names: np.ndarray

    @classmethod
    def of(cls, targets: gpd.GeoDataFrame, opt: HCAOptions) -> _Targets:
        tg = targets.reset_index(drop=True)
        cat = tg["category"].astype(str).to_numpy() if len(tg) else np.array([], dtype=str)
        pop_day = pd.to_numeric(tg.get("population_day"), errors="coerce").fillna(0).to_numpy(float)
        site_mask = np.isin(cat, list(SPECIFIC_SITE_I)) | (
            np.isin(cat, list(SPECIFIC_SITE_II)) & (pop_day >= SPECIFIC_SITE_II_MIN_PEOPLE)
        )
        hh = _households(tg, opt) if len(tg) else np.empty(0)
        hr = _high_rise(tg, opt) if len(tg) else np.empty(0, bool)
        pts, prow, pw = (
            sample_targets(tg, opt.sample_spacing_m) if len(tg) else (np.empty((0, 2)), np.empty(0, int), [])
        )
        tid = tg["target_id"].astype(str).to_numpy() if "target_id" in tg else np.arange(len(tg)).astype(str)
        return cls(
            frame=tg,
            site_mask=site_mask,
            households=hh,
            high_rise=hr,
            points=pts,
            point_rows=prow,
            point_households=hh[prow] * pw if len(prow) else np.empty(0),
            ids=tid,
            names=tg["name"].astype(str).to_numpy() if "name" in tg else tid,
        )


class _Hits:
    """Per segment: the highest grade, the rules that gave a grade and the targets or sites that caused them."""

    def __init__(self, n: int) -> None:
        self.grade = np.zeros(n, dtype=int)
        self.rules: list[list[str]] = [[] for _ in range(n)]
        self.ids: list[list[str]] = [[] for _ in range(n)]
        self.names: list[list[str]] = [[] for _ in range(n)]

    def add(self, idx: np.ndarray, lt: str, item: str, ids=(), names=()) -> None:
        """Segments ``idx`` meet rule ``item`` of line type ``lt`` because of the targets ``ids``."""
        g, rule = int(_rule(lt, item)["grade"]), f"{lt}-{item}"
        for i in idx:
            self.grade[i] = max(self.grade[i], g)
            if rule not in self.rules[i]:
                self.rules[i].append(rule)
            for a, b in zip(ids, names, strict=True):
                if a not in self.ids[i]:
                    self.ids[i].append(a)
                    self.names[i].append(b)

    def sites(self, ii, line_geoms, sites, mask, ids, names, radius: float, lt: str, item: str) -> None:
        """Segments within ``radius`` of a masked site meet the rule; the sites are recorded."""
        if len(ii) == 0 or not np.any(mask):
            return
        sg = np.asarray(sites.geometry.values, dtype=object)
        tree = shapely.STRtree(line_geoms)
        sidx = np.nonzero(mask)[0]
        pairs = tree.query(sg[sidx], predicate="dwithin", distance=radius)
        for s_local, seg_local in zip(pairs[0], pairs[1], strict=True):
            j = sidx[s_local]
            self.add(np.array([ii[seg_local]]), lt, item, [ids[j]], [names[j]])


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
      the potential impact radius → I; e) other lines: specific site within 200 m → II; f) outside class 3/4: oil
      depots, filling/loading stations (flammable storage tanks, loading bays, warehouses) within 200 m → III;
    - oil lines (crude oil, gasoline, diesel, naphtha): a) class-4 stretch → III; b) ≥ 100 households in 2 km within
      200 m → II; c) a village or residential area of ≥ 50 households within 200 m → II; d) highway (roads of kind
      ``highway``) or flammable installation within 50 m → I; e) nature reserves and f) water sources, rivers,
      reservoirs need layers the park model does not have: not assessed (stated in ``hca_note``);
    - other substances (chlorine, ammonia, hydrogen, LPG …) and kinds not in ``options.kinds``: not assessed.

    Location class (GB 50251-2015 §4.2 [2]_): households of residential and village targets (night population /
    persons per household, or the ``households`` column) spread over sample points of each polygon; the points within
    200 m of the line, placed by their distance along it; every 2 km window from a household on is classed by its
    households; a class ≥ 2 window covers its first to last household ± 200 m; a segment takes the highest class of
    the windows over it (class 1 elsewhere).

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        From :func:`analysis.pipelines.segment_pipelines` (metric CRS).
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
    .. [2] GB 50251-2015, §4.2.
    """
    opt = options or HCAOptions()
    require_metric(segments, what="管道分段 segments")
    require_same_crs(segments, targets, what="管道分段与防护目标")
    if installations is not None and len(installations):
        require_same_crs(segments, installations, what="管道分段与装置设施")
    if roads is not None and len(roads):
        require_same_crs(segments, roads, what="管道分段与道路")
    seg = segments.copy()
    n = len(seg)
    hits = _Hits(n)
    cols: dict[str, Any] = {
        "line_type": np.array([""] * n, dtype=object),
        "pir_m": np.full(n, np.nan),
        "location_class": pd.array([pd.NA] * n, dtype="Int64"),
        "households_2km": np.full(n, np.nan),
        "hca_assessed": np.zeros(n, dtype=bool),
        "hca_note": np.array([""] * n, dtype=object),
    }
    td = _Targets.of(targets, opt)
    flam = _flammable_sites(installations)
    highways = None
    if roads is not None and len(roads) and "kind" in roads:
        highways = roads[roads["kind"].astype(str) == "highway"]
    seg_geoms = np.asarray(seg.geometry.values, dtype=object)
    group_cols = [c for c in ("pipeline_id", "part") if c in seg]
    for _, grp in seg.groupby(group_cols, sort=False) if group_cols else [(None, seg)]:
        ii = seg.index.get_indexer(grp.index)
        _identify_line(grp, ii, seg_geoms[ii], cols, hits, td, flam, highways, opt)
    seg["line_type"] = cols["line_type"]
    seg["pir_m"] = cols["pir_m"]
    seg["location_class"] = cols["location_class"]
    seg["households_2km"] = cols["households_2km"]
    seg["hca_grade"] = hits.grade
    seg["hca_grade_zh"] = [HCA_GRADE_ZH[g] for g in hits.grade]
    seg["hca_rules"] = [";".join(r) for r in hits.rules]
    seg["hca_rules_zh"] = [rule_text_zh(r) for r in hits.rules]
    seg["hca_targets"] = [";".join(x) for x in hits.ids]
    seg["hca_target_names"] = ["；".join(x) for x in hits.names]
    seg["hca_assessed"] = cols["hca_assessed"]
    seg["hca_note"] = cols["hca_note"]
    return seg


def _kind_assessed(kind: Any, kinds: tuple[str, ...]) -> bool:
    return (
        kind is None
        or (isinstance(kind, float) and math.isnan(kind))
        or pd.isna(kind)
        or (str(kind) in kinds)
    )


def _identify_line(
    grp, ii, line_geoms, cols, hits: _Hits, td: _Targets, flam, highways, opt: HCAOptions
) -> None:
    """Table 1 for the segments ``ii`` of one line (part): fills ``cols`` and ``hits`` in place."""
    first = grp.iloc[0]
    kind = first.get("kind")
    lt = line_type(first.get("substance", ""))
    cols["line_type"][ii] = lt
    if not lt:
        cols["hca_note"][ii] = "非天然气或原油/成品油管道，GB 32167 高后果区识别表不适用"
        return
    if not _kind_assessed(kind, opt.kinds):
        cols["hca_note"][ii] = (
            f"管道类别 {kind} 不在识别范围 {list(opt.kinds)} 内（GB 32167 适用于油气输送管道）"
        )
        return
    cols["hca_assessed"][ii] = True
    d = float(first["diameter_m"])
    p_g = maop_gauge(float(first["pressure_pa"]))  # layer stores absolute pressure; Eq. (1) uses MAOP gauge
    if lt == "gas":
        cols["pir_m"][ii] = potential_impact_radius(d, p_g)
    cls = _location_classes(grp, ii, line_geoms, cols, hits, td, lt)
    if lt == "gas":
        _gas_site_rules(ii, line_geoms, cls, hits, td, flam, d, p_g)
    else:
        _oil_site_rules(ii, line_geoms, hits, td, flam, highways)
        cols["hca_note"][ii] = "输油管道 e)（自然保护地）、f)（水源、河流、水库）缺少相应图层，未识别"


def _location_classes(grp, ii, line_geoms, cols, hits: _Hits, td: _Targets, lt: str) -> np.ndarray:
    """Location class of each segment of a line [2]; class 3/4 stretches meet rules a)/b) of Table 1 [1]."""
    line = shapely.line_merge(shapely.union_all(line_geoms))
    pts = td.points
    if len(pts):
        near = shapely.dwithin(line, shapely.points(pts), _LOCATION_HALF_WIDTH_M)
        sel = np.nonzero(near & (td.point_households > 0))[0]
    else:
        sel = np.empty(0, int)
    if line.geom_type == "LineString" and len(sel):
        s_pts = shapely.line_locate_point(line, shapely.points(pts[sel]))
        # segments are numbered from the start of their part; make s comparable when the merged line is
        # reversed relative to the segments
        if shapely.line_locate_point(line, shapely.get_point(line_geoms[0], 0)) > line.length / 2:
            s_pts = line.length - s_pts
        prow = td.point_rows[sel]
        intervals = _window_intervals(s_pts, td.point_households[sel], td.high_rise[prow], prow)
    else:
        intervals = []
    cls = np.ones(len(ii), dtype=int)
    hh = np.zeros(len(ii))
    s0g, s1g = grp["s_start_m"].to_numpy(), grp["s_end_m"].to_numpy()
    for a, b, c, tot, _ in intervals:
        over = (s1g >= a) & (s0g <= b)
        cls = np.where(over, np.maximum(cls, c), cls)
        hh = np.where(over, np.maximum(hh, tot), hh)
    cols["location_class"][ii] = cls
    cols["households_2km"][ii] = hh
    for a, b, c, _, trows in intervals:  # the residential targets that make a class-3/4 stretch
        if c < 3:
            continue
        over = (s1g >= a) & (s0g <= b) & (cls == c)
        hits.add(ii[over], lt, "a" if c == 4 else "b", td.ids[trows], td.names[trows])
    return cls


def _gas_site_rules(ii, line_geoms, cls, hits: _Hits, td: _Targets, flam, d: float, p_g: float) -> None:
    """Gas lines, Table 1 c)–f) [1]: specific sites within the PIR or 200 m; flammable sites outside class 3/4."""
    if d > 0.762 and p_g > 6.9e6:  # [1] Table 1 c)
        item, radius = "c", float(potential_impact_radius(d, p_g))
    elif d < 0.273 and p_g < 1.6e6:  # [1] Table 1 d)
        item, radius = "d", float(potential_impact_radius(d, p_g))
    else:  # [1] Table 1 e)
        item, radius = "e", float(_rule("gas", "e")["corridor_m"])
    hits.sites(ii, line_geoms, td.frame, td.site_mask, td.ids, td.names, radius, "gas", item)
    if flam is not None and len(flam):
        outside_34 = cls <= 2  # [1] Table 1 f): 除三级、四级地区外
        r_f = float(_rule("gas", "f")["corridor_m"])
        hits.sites(
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


def _oil_site_rules(ii, line_geoms, hits: _Hits, td: _Targets, flam, highways) -> None:
    """Oil lines, Table 1 c) and d) [1]: villages of ≥ 50 households; highways and flammable sites within 50 m."""
    vill = td.households >= 50  # [1] Table 1 oil c): 聚居户数在 50 户或以上的村庄、乡镇
    r_c = float(_rule("oil", "c")["corridor_m"])
    hits.sites(ii, line_geoms, td.frame, vill, td.ids, td.names, r_c, "oil", "c")
    r_d = float(_rule("oil", "d")["corridor_m"])
    if highways is not None and len(highways):
        hw = highways.reset_index(drop=True)
        hid = hw["road_id"].astype(str).to_numpy() if "road_id" in hw else np.arange(len(hw)).astype(str)
        hnm = hw["name"].astype(str).to_numpy() if "name" in hw else hid
        hits.sites(ii, line_geoms, hw, np.ones(len(hw), bool), hid, hnm, r_d, "oil", "d")
    if flam is not None and len(flam):
        ids, names = flam["_id"].to_numpy(), flam["_name"].to_numpy()
        hits.sites(ii, line_geoms, flam, np.ones(len(flam), bool), ids, names, r_d, "oil", "d")


def rule_text_zh(rules: list[str] | str) -> str:
    """Chinese text of rule keys such as ``["gas-e", "gas-b"]`` (GB 32167-2015 Table 1 items)."""
    keys = rules.split(";") if isinstance(rules, str) else list(rules)
    out = []
    for k in keys:
        if not k:
            continue
        lt, item = k.split("-")
        r = _rule(lt, item)
        note = SPECIFIC_SITE_II_NOTE_ZH if (lt, item) in _SPECIFIC_SITE_ITEMS else ""
        out.append(
            f"GB 32167-2015 表1 {LINE_TYPE_ZH[lt]} {item}）{r['text_zh']}（{HCA_GRADE_ZH[int(r['grade'])]}）{note}"
        )
    return "\n".join(out)


def _flammable_sites(installations: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if installations is None or len(installations) == 0:
        return None
    inst = installations.reset_index(drop=True)
    kinds = inst["kind"].astype(str).to_numpy() if "kind" in inst else np.array([""] * len(inst))

    def burns(name: Any) -> bool:
        try:
            return bool(substances.get(str(name)).flammable)
        except substances.UnknownSubstanceError:
            return False

    ok = np.isin(kinds, list(FLAMMABLE_SITE_KINDS)) & np.array([burns(s) for s in inst.get("substance", [])])
    out = inst[ok].copy()
    out["_id"] = out["unit_id"].astype(str) if "unit_id" in out else out.index.astype(str)
    out["_name"] = out["name"].astype(str) if "name" in out else out["_id"]
    return out.reset_index(drop=True)


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
        recs += [_stretch(grp[run == r]) for r in np.unique(run)]
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


def _stretch(g: gpd.GeoDataFrame) -> dict:
    """One HCA stretch from its contiguous segments of one grade."""
    ids = list(dict.fromkeys(x for s in g["hca_targets"] for x in s.split(";") if x))
    nms = list(dict.fromkeys(x for s in g["hca_target_names"] for x in s.split("；") if x))
    rls = list(dict.fromkeys(x for s in g["hca_rules"] for x in s.split(";") if x))
    lc = pd.to_numeric(g["location_class"], errors="coerce")
    return {
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
