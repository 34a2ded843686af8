"""A synthetic large park, generated from a seed: for tests, benchmarks and synthetic regions.

``generate_park(path, seed=0)`` writes a valid park GeoPackage of the schema of :mod:`geodata.schema` (with the
weather tables of :mod:`geodata.weather`, roads and assembly points) of the size of a large Chinese chemical park:
by default 60 enterprises, 1,500 installations, 300 sensitive targets, 3,000 buildings, 80 km of pipelines and 2,000
rectification items. Every size is a parameter, so a region of parks of mixed sizes can be built with it.

Everything is **fictional**. The installations are copies of the demo park's (:mod:`geodata.samples.demo_park_source`)
tank groups and units, so their substances, phases, pressures, temperatures and inventories are the demo's
plausible ones (all in the project's substance table); each synthetic enterprise takes one demo enterprise as its
archetype (a tank farm, chlor-alkali, ammonia, LPG, methanol, aromatics, ethylene oxide, warehousing, polymer,
utilities, waste, fine chemicals) and repeats its tank groups and units, varying the number of tanks per group and
the unit inventories (x 0.6-1.4) with the seed. The same rules as the demo's builder hold:

- tank groups are laid out with the GB 50160 shell-to-shell spacing and drawn in a bund sized by GB 50351
  (:func:`geodata.samples.build_demo_park.tank_group_layout`); inventory = volume x fill x liquid density;
- enterprise fences are set back 15 m from the road centre lines; the road corridors hold the pipe racks;
- rectification dates follow the store's rules (deadline after finding, closing date exactly when closed).

The result is deterministic: the same arguments give the same layers. Files are written at test or bench time and
not committed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.affinity import translate
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import substring

from geodata import Park
from geodata.samples import demo_park_source as src
from geodata.samples.build_demo_park import demo_weather, tank_group_layout

__all__ = ["DEFAULT_CENTER", "REFERENCE_DATE", "ParkSize", "generate_layers", "generate_park"]

#: Default centre of a synthetic park [°] (WGS84 lon, lat): 12 km south-east of the demo park, fictional.
DEFAULT_CENTER = (113.80, 29.80)
#: Reference date of the rectification items (the demo's): deadlines before it and items not closed are overdue.
REFERENCE_DATE = date.fromisoformat(src.REFERENCE_DATE)
_ROAD = 30.0  # road corridor between fences [m]: fences 15 m from the centre line
_GAP = 18.0  # clear distance between a tank group's bund / a unit and the next [m]
_BLOCK_W = 520.0  # enterprise fence width [m]
_MAJOR_ITEMS_CSV = (
    Path(__file__).resolve().parents[2] / "analysis" / "data" / "mem_2017_121_major_hazard_items.csv"
)

_PREFIXES = (
    "临港", "沿江", "长兴", "华川", "东岳", "金桥", "瑞丰", "永盛", "中泰", "宏达", "恒源", "汇通", "三江", "鑫海",
    "天成", "广汇", "新阳", "联诚", "德润", "安泰", "明远", "泰和", "嘉禾", "万隆", "国信", "荣昌", "福瑞", "兴业",
    "龙腾", "博远",
)  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_GIVEN = (
    "建国",
    "志强",
    "海涛",
    "丽华",
    "伟",
    "敏",
    "军",
    "静",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
)


@dataclass(frozen=True)
class ParkSize:
    """How many of each feature a synthetic park has (the defaults: a large park)."""

    enterprises: int = 60
    installations: int = 1500
    targets: int = 300
    buildings: int = 3000
    pipeline_km: float = 80.0
    rectifications: int = 2000

    def check(self) -> None:
        """Raise ValueError naming the field when a size is not usable."""
        if self.enterprises < 1:
            raise ValueError(f"enterprises={self.enterprises!r}: 至少 1 家企业 / at least one enterprise")
        if self.installations < self.enterprises:
            raise ValueError(
                f"installations={self.installations!r}: 每家企业至少 1 套装置，应不少于 enterprises="
                f"{self.enterprises} / at least one installation per enterprise"
            )
        for name in ("targets", "buildings", "rectifications"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}={getattr(self, name)!r}: 不能为负 / must not be negative")
        if not (self.pipeline_km >= 0 and math.isfinite(self.pipeline_km)):
            raise ValueError(f"pipeline_km={self.pipeline_km!r}: 应为非负有限数 / must be finite and >= 0")


def _split(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal non-negative integers (the first ones one larger)."""
    q, r = divmod(total, parts)
    return [q + (1 if i < r else 0) for i in range(parts)]


# ----------------------------------------------------------------------------------------------------------------
# one enterprise: the archetype's items packed in rows inside the fence
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class _Placed:
    rows: list[dict]  # installation rows with local geometries relative to the item's lower-left corner
    width: float
    height: float


def _tank_item(g: src.TankGroup, n: int, fill: float, eid: str, start: int) -> _Placed:
    columns = min(n, max(1, g.columns if n <= 4 else math.ceil(math.sqrt(n))))
    along = g.length_m if g.kind == "bullet_tank" else g.diameter_m
    while columns > 1 and columns * along * (1 + g.spacing) > _BLOCK_W - 2 * _GAP:
        columns -= 1
    ids = tuple(f"{eid}-T{start + k:03d}" for k in range(n))
    grp = g._replace(unit_ids=ids, first=(0.0, 0.0), columns=columns, fill=fill)
    feet, bund, volume = tank_group_layout(grp)
    outline = bund if bund is not None else shapely.union_all(feet).envelope
    x0, y0, x1, y1 = outline.bounds
    density = src.DENSITY[g.substance]
    rows = []
    for k, (uid, foot) in enumerate(zip(ids, feet, strict=True), start=1):
        rows.append(
            {
                "unit_id": uid,
                "name": f"{g.name}{k}",
                "kind": g.kind,
                "equipment_class": g.equipment_class,
                "substance": g.substance,
                "inventory_kg": float(round(volume * fill * density)),  # [kg] = m³ x - x kg/m³
                "phase": g.phase,
                "pressure_pa": float(g.pressure_pa),
                "temperature_k": float(g.temperature_k),
                "volume_m3": round(volume, 1),
                "diameter_m": float(g.diameter_m),
                "height_m": float(g.height_m),
                "bund_area_m2": None if bund is None else round(bund.area, 1),
                "hazardous_process": g.hazardous_process,
                "geometry": translate(foot, -x0, -y0),
            }
        )
    return _Placed(rows, x1 - x0, y1 - y0)


def _unit_item(u: src.Unit, scale: float, uid: str) -> _Placed:
    if u.shape[0] == "circle":
        d = float(u.shape[3])
        geom, w, h, diameter = Point(d / 2, d / 2).buffer(d / 2, quad_segs=16), d, d, d
    else:
        w, h = float(u.shape[3]), float(u.shape[4])
        geom, diameter = box(0.0, 0.0, w, h), u.diameter_m
    row = {
        "unit_id": uid,
        "name": u.name,
        "kind": u.kind,
        "equipment_class": u.equipment_class,
        "substance": u.substance,
        "inventory_kg": float(max(1.0, round(u.inventory_kg * scale))),
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
    return _Placed([row], w, h)


def _archetype_items(template: str, quota: int, eid: str, rng: np.random.Generator) -> list[_Placed]:
    """Items of one enterprise: the archetype's tank groups and units repeated until ``quota`` installations."""
    groups = [g for g in src.TANK_GROUPS if g.enterprise_id == template]
    units = [u for u in src.UNITS if u.enterprise_id == template]
    items: list[_Placed] = []
    count, n_tank, n_unit, cycle = 0, 1, 1, 0
    while count < quota:
        for g in groups:
            if count >= quota:
                break
            n = min(quota - count, len(g.unit_ids) * int(rng.integers(1, 4)))
            fill = float(min(g.fill, round(g.fill * rng.uniform(0.85, 1.0), 3)))
            items.append(_tank_item(g, n, fill, eid, n_tank))
            n_tank += n
            count += n
        for u in units:
            if count >= quota:
                break
            if cycle > 0 and u.kind in ("electrolyser",):
                continue  # one cell room per plant
            prefix = u.unit_id.split("-")[-1][0]
            items.append(_unit_item(u, float(rng.uniform(0.6, 1.4)), f"{eid}-{prefix}{n_unit:03d}"))
            n_unit += 1
            count += 1
        cycle += 1
    return items


def _pack(items: list[_Placed], width: float) -> tuple[list[dict], float]:
    """Shelf packing of the items into rows of the given width; returns rows with placed geometry and the height."""
    x, y, row_h, rows = _GAP, _GAP, 0.0, []
    for it in items:
        if x > _GAP and x + it.width + _GAP > width:
            x, y, row_h = _GAP, y + row_h + _GAP, 0.0
        for r in it.rows:
            rows.append(r | {"geometry": translate(r["geometry"], x, y)})
        x += it.width + _GAP
        row_h = max(row_h, it.height)
    return rows, y + row_h + _GAP


_BUILDING_TYPES = (
    # use, name, (w, h) [m], occupants, blast resistant, weight
    ("control_room", "中央控制室", (30, 20), 14, True, 1),
    ("cabinet_room", "现场机柜间", (12, 10), 2, True, 2),
    ("lab", "化验室", (25, 12), 8, False, 1),
    ("office", "办公楼", (40, 18), 60, False, 1),
    ("shift_room", "交接班室", (12, 8), 12, False, 2),
    ("substation", "变配电所", (25, 15), 2, False, 2),
    ("warehouse", "备品备件库", (30, 15), 2, False, 2),
    ("workshop", "维修车间", (30, 18), 10, False, 1),
    ("canteen", "食堂", (25, 15), 20, False, 1),
    ("guard_house", "门卫", (8, 6), 2, False, 1),
    ("other", "消防泵房", (15, 10), 1, False, 1),
)


def _building_rows(eid: str, n: int, width: float, rng: np.random.Generator) -> tuple[list[dict], float]:
    """``n`` buildings of an enterprise in a strip along its south fence; returns rows and the strip height."""
    weights = np.array([t[5] for t in _BUILDING_TYPES], dtype=float)
    picks = rng.choice(len(_BUILDING_TYPES), size=n, p=weights / weights.sum())
    rows, x, y, row_h, seen = [], 10.0, 10.0, 0.0, {}
    for k, i in enumerate(picks, start=1):
        use, name, (w, h), occ, blast, _ = _BUILDING_TYPES[i]
        if x > 10.0 and x + w + 10.0 > width:
            x, y, row_h = 10.0, y + row_h + 10.0, 0.0
        seen[use] = seen.get(use, 0) + 1
        rows.append(
            {
                "building_id": f"B-{eid}-{k:03d}",
                "enterprise_id": eid,
                "name": f"{name}{seen[use]}" if seen[use] > 1 else name,
                "use": use,
                "occupants": int(max(0, round(occ * rng.uniform(0.5, 1.5)))),
                "blast_resistant": bool(blast and rng.random() < 0.85),
                "geometry": box(x, y, x + w, y + h),
            }
        )
        x += w + 10.0
        row_h = max(row_h, h)
    return rows, (y + row_h + 10.0) if rows else 0.0


# ----------------------------------------------------------------------------------------------------------------
# the park
# ----------------------------------------------------------------------------------------------------------------
def _enterprise_plans(size: ParkSize, rng: np.random.Generator):
    templates = [e for e in src.ENTERPRISES]
    plans = []
    for i, (quota, n_bld) in enumerate(
        zip(
            _split(size.installations, size.enterprises),
            _split(size.buildings, size.enterprises),
            strict=True,
        )
    ):
        t = templates[int(rng.integers(len(templates)))] if i >= len(templates) else templates[i]
        eid = f"E{i + 1:03d}"
        items, h_units = _pack(_archetype_items(t.enterprise_id, quota, eid, rng), _BLOCK_W)
        blds, h_blds = _building_rows(eid, n_bld, _BLOCK_W, rng)
        plans.append((eid, t, items, h_units, blds, h_blds))
    return plans


def _grid_shape(n: int) -> tuple[int, int]:
    cols = max(1, math.ceil(math.sqrt(n * 1.6)))
    return cols, math.ceil(n / cols)


def _enterprise_layers(size: ParkSize, park_id: str, rng: np.random.Generator):
    plans = _enterprise_plans(size, rng)
    cols, nrows = _grid_shape(size.enterprises)
    block_h = max(h_u + h_b for _, _, _, h_u, _, h_b in plans)
    pitch_x, pitch_y = _BLOCK_W + _ROAD, block_h + _ROAD
    ents, inst, blds = [], [], []
    for i, (eid, t, items, _, b_rows, h_b) in enumerate(plans):
        cx, cy = i % cols, i // cols
        x0, y0 = cx * pitch_x + _ROAD / 2, cy * pitch_y + _ROAD / 2
        prefix = _PREFIXES[i % len(_PREFIXES)]
        suffix = "" if i < len(_PREFIXES) else f"（{i // len(_PREFIXES) + 1}期）"
        ents.append(
            {
                "enterprise_id": eid,
                "park_id": park_id,
                "name": f"{prefix}{t.name[2:]}{suffix}",
                "industry": t.industry,
                "risk_color": t.risk_color,
                "major_hazard_grade": t.major_hazard_grade,
                "employees": int(round(t.employees * rng.uniform(0.7, 1.3))),
                "geometry": box(x0, y0, x0 + _BLOCK_W, y0 + block_h),
            }
        )
        for r in b_rows:
            blds.append(r | {"geometry": translate(r["geometry"], x0, y0)})
        for r in items:
            inst.append(r | {"enterprise_id": eid, "geometry": translate(r["geometry"], x0, y0 + h_b)})
    return ents, inst, blds, (cols, nrows, pitch_x, pitch_y)


_CN_NUM = "一二三四五六七八九十"


def _cn(k: int) -> str:
    return _CN_NUM[k - 1] if k <= 10 else f"{k}"


def _road_rows(grid) -> tuple[list[dict], list[dict], dict[str, tuple[float, float]]]:
    cols, nrows, px, py = grid
    xs, ys = [k * px for k in range(cols + 1)], [j * py for j in range(nrows + 1)]
    rows = []
    for k, x in enumerate(xs, start=1):
        for j in range(nrows):
            rows.append((f"经{_cn(k)}路", "park", LineString([(x, ys[j]), (x, ys[j + 1])])))
    for j, y in enumerate(ys, start=1):
        for k in range(cols):
            rows.append((f"纬{_cn(j)}路", "park", LineString([(xs[k], y), (xs[k + 1], y)])))
    # a public ring road 800 m outside the park, joined to the park's corner roads, and the assembly points on it
    r = 800.0
    ring = {
        "SW": (-r, -r), "SE": (xs[-1] + r, -r), "NE": (xs[-1] + r, ys[-1] + r), "NW": (-r, ys[-1] + r)
    }  # fmt: skip
    corners = {"SW": (xs[0], ys[0]), "SE": (xs[-1], ys[0]), "NE": (xs[-1], ys[-1]), "NW": (xs[0], ys[-1])}
    order = ["SW", "SE", "NE", "NW", "SW"]
    for a, b in zip(order[:-1], order[1:], strict=True):
        rows.append(("环园公路", "public", LineString([ring[a], ring[b]])))
    for c in ("SW", "SE", "NE", "NW"):
        rows.append(("园区连接线", "public", LineString([corners[c], ring[c]])))
    roads = [
        {"road_id": f"RD{i:04d}", "name": n, "kind": kind, "one_way": False, "geometry": g}
        for i, (n, kind, g) in enumerate(rows, start=1)
    ]
    names = {"SW": "西南", "SE": "东南", "NE": "东北", "NW": "西北"}
    points = [
        {
            "point_id": f"AP{i:02d}",
            "name": f"环园公路{names[c]}集合点",
            "capacity": 2000,
            "geometry": Point(ring[c]),
        }
        for i, c in enumerate(("SW", "SE", "NE", "NW"), start=1)
    ]
    return roads, points, {"xmax": (xs[-1], ys[-1])}


def _pipeline_rows(grid, km: float, rng: np.random.Generator) -> list[dict]:
    """Process pipelines on the pipe racks of the road corridors (offset 5-11 m from the centre line) until ``km``
    kilometres, plus a transmission gas line from the west. Media, diameters and pressures are the demo's."""
    cols, nrows, px, py = grid
    xmax, ymax = cols * px, nrows * py
    target = km * 1000.0
    rows: list[dict] = []
    length = 0.0
    gp = src.PIPELINES[0]
    if target > 0:
        line = LineString([(-3000.0, ymax / 2 + 7.0), (0.0, ymax / 2 + 7.0)])
        rows.append((gp, line, "园区天然气支线（长输管道）"))
        length += line.length
    corridors = [LineString([(x, 0.0), (x, ymax)]) for x in (k * px for k in range(cols + 1))]
    corridors += [LineString([(0.0, y), (xmax, y)]) for y in (j * py for j in range(nrows + 1))]
    process = [p for p in src.PIPELINES if p.kind == "process"]
    offsets = (7.0, -7.0, 9.0, -9.0, 11.0, -11.0, 5.0, -5.0)
    k = 0
    while length < target - 1e-6:
        corridor = corridors[k % len(corridors)]
        off = offsets[(k // len(corridors)) % len(offsets)]
        line = corridor.offset_curve(off)
        if length + line.length > target:
            line = substring(line, 0.0, target - length)
        p = process[int(rng.integers(len(process)))]
        rows.append((p, line, f"{p.substance}管道（管廊 {k + 1}）"))
        length += line.length
        k += 1
        if k > 10 * len(corridors) * len(offsets):
            break  # the racks are full; the park is too small for this length
    return [
        {
            "pipeline_id": f"PL-{i:04d}",
            "name": name,
            "substance": p.substance,
            "diameter_m": p.diameter_m,
            "pressure_pa": float(p.pressure_pa),
            "buried": bool(p.buried),
            "operator": "园区管廊运营有限公司（虚构）" if p.kind == "process" else p.operator,
            "kind": p.kind,
            "temperature_k": p.temperature_k,
            "geometry": line,
        }
        for i, (p, line, name) in enumerate(rows, start=1)
    ]


_TARGET_TYPES = (
    # category, GB 36894 class, name, (w range) [m], (day range), (night range) [people], weight
    ("village", "general_1", "村", (160, 320), (100, 320), (300, 800), 30),
    ("residential", "general_1", "住宅小区", (120, 240), (400, 1000), (1200, 3000), 14),
    ("school", "high_sensitive", "小学", (90, 200), (400, 1800), (0, 0), 6),
    ("school", "high_sensitive", "寄宿制中学", (120, 200), (800, 1800), (600, 1200), 2),
    ("kindergarten", "high_sensitive", "幼儿园", (30, 60), (60, 220), (0, 0), 5),
    ("hospital", "high_sensitive", "卫生院", (20, 80), (15, 300), (2, 90), 3),
    ("nursing_home", "high_sensitive", "敬老院", (40, 70), (40, 80), (35, 75), 2),
    ("government", "important", "镇（街道）办事处", (50, 90), (80, 180), (5, 15), 3),
    ("market", "general_1", "农贸市场", (60, 100), (300, 900), (10, 30), 4),
    ("office", "general_2", "办公楼", (30, 100), (50, 350), (4, 20), 6),
    ("hotel", "general_1", "宾馆", (40, 70), (60, 150), (100, 260), 3),
    ("stadium", "important", "体育中心", (120, 180), (200, 500), (20, 60), 1),
    ("transport_hub", "general_1", "客运站", (60, 90), (150, 300), (20, 40), 1),
    ("religious", "important", "庙宇", (30, 50), (10, 40), (1, 3), 1),
    ("cultural", "important", "文物保护单位", (40, 120), (2, 10), (0, 0), 1),
    ("industrial", "general_2", "其他工业企业", (80, 160), (60, 200), (10, 40), 10),
)


def _target_rows(n: int, extent: tuple[float, float], rng: np.random.Generator) -> list[dict]:
    """``n`` sensitive targets 250 m to 3 km around the park, not overlapping it nor each other."""
    xmax, ymax = extent
    weights = np.array([t[6] for t in _TARGET_TYPES], dtype=float)
    picks = rng.choice(len(_TARGET_TYPES), size=n, p=weights / weights.sum())
    placed: list[tuple[float, float, float, float]] = []
    rows = []
    for k, i in enumerate(picks, start=1):
        cat, cls, name, (w0, w1), (d0, d1), (n0, n1), _ = _TARGET_TYPES[i]
        w = float(rng.uniform(w0, w1))
        h = round(w * float(rng.uniform(0.6, 0.9)), 1)
        w = round(w, 1)
        for attempt in range(200):
            reach = 250.0 + 2750.0 * float(rng.random()) ** (1.5 if attempt < 100 else 1.0)
            ang = float(rng.uniform(0.0, 2.0 * math.pi))
            # a point at `reach` outside the park rectangle, in the direction `ang` from its centre
            cx = xmax / 2 + math.cos(ang) * (xmax / 2 + reach)
            cy = ymax / 2 + math.sin(ang) * (ymax / 2 + reach)
            b = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            inside_park = b[2] > -250 and b[0] < xmax + 250 and b[3] > -250 and b[1] < ymax + 250
            if inside_park or any(b[0] < q[2] + 20 and q[0] < b[2] + 20 and b[1] < q[3] + 20 and q[1] < b[3] + 20
                                  for q in placed):  # fmt: skip
                continue
            break
        else:
            continue  # no room left: fewer targets rather than overlapping ones
        placed.append(b)
        rows.append(
            {
                "target_id": f"S{k:04d}",
                "name": f"{_PREFIXES[k % len(_PREFIXES)]}{name}{k}",
                "category": cat,
                "protection_class": cls,
                "population_day": int(rng.integers(d0, d1 + 1)),
                "population_night": int(rng.integers(n0, n1 + 1)),
                "geometry": box(*b),
            }
        )
    return rows


def _major_items() -> list[tuple[int, str, str]]:
    table = pd.read_csv(_MAJOR_ITEMS_CSV)
    return [(int(r.item), str(r.short_zh), str(r.category)) for r in table.itertuples()]


def _status_and_closing(found: date, deadline: date, rng: np.random.Generator) -> tuple[str, date | None]:
    """A realistic status mix: long-past deadlines mostly closed, items not yet due mostly still open."""
    if deadline < REFERENCE_DATE - timedelta(days=60):
        p = (0.02, 0.04, 0.03, 0.91)
    elif deadline < REFERENCE_DATE:
        p = (0.10, 0.15, 0.15, 0.60)
    else:
        p = (0.25, 0.30, 0.15, 0.30)
    status = ("open", "in_progress", "awaiting_acceptance", "closed")[int(rng.choice(4, p=p))]
    if status != "closed":
        return status, None
    period = (deadline - found).days
    closed = found + timedelta(days=int(period * rng.uniform(0.3, 1.25)))  # about one in five closed late
    return status, min(closed, REFERENCE_DATE)


def _rectification_rows(n: int, park_id: str, ents, inst, rng: np.random.Generator) -> list[dict]:
    by_template: dict[str | None, list] = {}
    for it in src.RECTIFICATIONS:
        by_template.setdefault(it.enterprise_id, []).append(it)
    units_of: dict[str, list[Polygon]] = {}
    for r in inst:
        units_of.setdefault(r["enterprise_id"], []).append(r["geometry"])
    majors = [m for m in _major_items() if m[2] in {"management", "external_distance", "instrumentation",
                                                     "process_safety", "equipment", "layout_spacing", "major_hazard",
                                                     "fire_protection", "emergency", "electrical", "five_rooms"}]  # fmt: skip
    rows = []
    for k in range(1, n + 1):
        ent = ents[int(rng.integers(len(ents)))] if rng.random() > 0.05 else None
        tmpl_key = ent["_template"] if ent is not None else None
        tmpl = by_template.get(tmpl_key) or by_template[None]
        t = tmpl[int(rng.integers(len(tmpl)))]
        level = "major" if (t.hazard_level == "major" and rng.random() < 0.15) else "general"
        title, category, cited = t.title, t.category, None
        if level == "major" and ent is not None and rng.random() < 0.3:
            cited, title, category = majors[int(rng.integers(len(majors)))]
        found = REFERENCE_DATE - timedelta(days=int(rng.integers(0, 730)))
        period = int(rng.integers(60, 241)) if level == "major" else int(rng.integers(15, 121))
        deadline = found + timedelta(days=period)
        status, closed = _status_and_closing(found, deadline, rng)
        if ent is not None and units_of.get(ent["enterprise_id"]):
            feats = units_of[ent["enterprise_id"]]
            c = feats[int(rng.integers(len(feats)))].centroid
            where = Point(round(c.x + 3.0, 3), round(c.y, 3))  # 3 m east of the unit's centre, as in the demo
        else:
            where = Point(float(rng.uniform(0, 1)), float(rng.uniform(0, 1)))
        person = f"{_SURNAMES[int(rng.integers(len(_SURNAMES)))]}{_GIVEN[int(rng.integers(len(_GIVEN)))]}"
        who = ent["name"][:4] if ent is not None else "园区管委会"
        rows.append(
            {
                "item_id": f"R-{found.year}-{k:05d}",
                "park_id": park_id,
                "enterprise_id": ent["enterprise_id"] if ent is not None else None,
                "title": title,
                "category": category,
                "hazard_level": level,
                "source": t.source,
                "found_on": pd.Timestamp(found),
                "deadline": pd.Timestamp(deadline),
                "responsible": f"{who} 安全环保部 {person}",
                "status": status,
                "closed_on": pd.Timestamp(closed) if closed else pd.NaT,
                "major_hazard_item": cited,
                "geometry": where,
            }
        )
    return rows


def generate_layers(
    *,
    seed: int = 0,
    size: ParkSize = ParkSize(),
    center: tuple[float, float] = DEFAULT_CENTER,
    park_id: str | None = None,
    name: str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers of a synthetic park in its local metric CRS, before validation (see :func:`generate_park`).

    Returns
    -------
    layers : dict of str to GeoDataFrame
        The seven standard layers plus ``roads`` and ``assembly_points`` in a transverse Mercator CRS centred on
        ``center`` (WGS84 datum, scale 1), so lengths and areas are true ground ones. [m]
    """
    size.check()
    rng = np.random.default_rng(seed)
    pid = park_id or f"SYN{seed:04d}"
    ents, inst, blds, grid = _enterprise_layers(size, pid, rng)
    cols, nrows, px, py = grid
    xmax, ymax = cols * px, nrows * py
    templates = {e.name[2:]: e.enterprise_id for e in src.ENTERPRISES}
    for e in ents:
        e["_template"] = templates[e["name"][2:].split("（")[0]]
    roads, points, _ = _road_rows(grid)
    recs = _rectification_rows(size.rectifications, pid, ents, inst, rng)
    for r in recs:  # park-level items: at a random road crossing
        if r["enterprise_id"] is None:
            u, v = r["geometry"].x, r["geometry"].y
            r["geometry"] = Point(round(u * cols) * px, round(v * nrows) * py)
    park = {
        "park_id": pid,
        "name": name or f"合成化工园区{seed}（虚构）",
        "level": ("national", "provincial", "municipal")[seed % 3] if size.enterprises >= 20 else "municipal",
        "risk_grade": "ABCD"[int(rng.integers(4))],
        "geometry": box(-20.0, -20.0, xmax + 20.0, ymax + 20.0),
    }
    layers = {
        "parks": [park],
        "enterprises": [{k: v for k, v in e.items() if k != "_template"} for e in ents],
        "installations": inst,
        "pipelines": _pipeline_rows(grid, size.pipeline_km, rng),
        "sensitive_targets": _target_rows(size.targets, (xmax, ymax), rng),
        "buildings": blds,
        "rectifications": recs,
        "roads": roads,
        "assembly_points": points,
    }
    lon, lat = (float(v) for v in center)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"center={center!r}: 应为 (经度, 纬度)，单位 ° / must be (lon, lat) in degrees")
    crs = pyproj.CRS.from_proj4(
        f"+proj=tmerc +lat_0={lat} +lon_0={lon} +k=1 +x_0={xmax / 2} +y_0={ymax / 2} +datum=WGS84 +units=m"
    )
    out = {}
    for key, rows in layers.items():
        df = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
        if key == "installations":
            df = df[
                [
                    "unit_id",
                    "enterprise_id",
                    *[c for c in df.columns if c not in ("unit_id", "enterprise_id")],
                ]
            ]
        out[key] = df
    return out


def generate_park(
    path: str | Path,
    *,
    seed: int = 0,
    enterprises: int = 60,
    installations: int = 1500,
    targets: int = 300,
    buildings: int = 3000,
    pipeline_km: float = 80.0,
    rectifications: int = 2000,
    center: tuple[float, float] = DEFAULT_CENTER,
    name: str | None = None,
    park_id: str | None = None,
) -> Path:
    """Generate a synthetic park and write it as a GeoPackage with its weather tables.

    Parameters
    ----------
    path : path-like
        Output GeoPackage (overwritten).
    seed : int
        Random seed; the same arguments give the same park.
    enterprises, installations, targets, buildings, rectifications : int
        How many of each (targets may fall short when the ring around a tiny park is full).
    pipeline_km : float
        Total length of pipelines. [km]
    center : (float, float)
        WGS84 longitude and latitude of the park centre. [°]
    name : str, optional
        Park name (default ``合成化工园区{seed}（虚构）``).
    park_id : str, optional
        Park id (default ``SYN{seed:04d}``).

    Returns
    -------
    path : Path
        The written file.

    Raises
    ------
    ValueError
        A size that cannot be built (named in the message).
    geodata.errors.ParkDataError
        If the generated layers break the schema (a bug: the generator's test validates its output).
    """
    size = ParkSize(enterprises, installations, targets, buildings, float(pipeline_km), rectifications)
    layers = generate_layers(seed=seed, size=size, center=center, park_id=park_id, name=name)
    wgs = {k: v.to_crs(4326) for k, v in layers.items()}
    park = Park.from_layers(wgs, source=f"synthetic park seed={seed} ({size})")
    park.weather = demo_weather(park)
    out = Path(path)
    park.save(out)
    return out
