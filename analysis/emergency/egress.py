"""Routes that leave the cloud and assembly points that are safe for the people who go there.

The rules (ERG and CAMEO/ALOHA practice [1]_ [2]_: leave the plume crosswind, then go upwind):

- **The route zone** is the level-2 toxic zone (AEGL-2, or PAC-2) together with its wind-direction band; the
  **blocked area** is the route zone, the initial isolation circle and any fire or explosion zone. A road edge that
  touches the blocked area is impassable — not penalised — whenever a way round exists.
- **Off-road access**: a target joins the road network at a road node at most ``access_max_m`` [m] from it, by
  the short straight access line from the target's nearest point; a target farther than that from every node is
  flagged "无道路连接" and gets no route (no straight lines across the park).
- **Targets inside the blocked area** leave crosswind first: the exit is a road node outside the blocked area on the
  target's side of the source axis (perpendicular to the wind, away from the axis), reached by the road path with
  the least length inside the blocked area (each metre inside costs :data:`IN_ZONE_PENALTY` metres), and from there
  by a clear road. The route reports that length inside the zone. A target outside the blocked area with no clear
  road to any safe point gets no route: it shelters in place.
- **Assembly points** come from the optional ``assembly_points`` layer (point, name, capacity) when the park has
  one, otherwise from road nodes thinned to ``min_separation_m``. A point qualifies only when it lies outside every
  zone and band (all levels), the isolation circle and fire zones grown by ``margin_m`` [m], joins a road node
  within ``access_max_m`` by an access line clear of the blocked area, and is not downwind: its bearing from the
  source is more than 90° − θ from the downwind direction (θ, the half-angle of the wind-direction band; a point
  between 90° − θ and 90° is crosswind, and the zone-and-margin test keeps it clear of the turned footprint).
- **No crossing of the plume's axis**: a target inside the blocked area leaves on its own side of the source axis
  only; when no safe point is reachable from that side without crossing the cloud, its route is the crosswind exit
  alone (it ends at the first road node outside the blocked area, without ``assembly_id``): people get out of the
  zone and shelter there until they can be moved.
- **Choice**: each target goes to the nearest qualifying point by road (Dijkstra [3]_, scipy ``csgraph``); where a
  point has a ``capacity``, points are filled greedily in order of urgency (most severe level first, then the
  earliest cloud arrival), a target going to the nearest point that still has room for its people.

Coordinates are metres in the park's metric CRS.

References
----------
.. [1] US DOT PHMSA, Transport Canada, SCT Mexico (2024). Emergency Response Guidebook 2024, protective actions
       ("move people crosswind, then upwind"; shelter in place when evacuation is not safe).
.. [2] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). ALOHA 5.4.4 Technical Documentation. NOAA
       Technical Memorandum NOS OR&R 43 (threat zones and wind direction confidence lines).
.. [3] Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. Numerische Mathematik 1, 269–271.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString, Point

from analysis.emergency.zones import EmergencyResult

__all__ = [
    "DEFAULT_ACCESS_MAX_M",
    "DEFAULT_ASSEMBLY_MARGIN_M",
    "DEFAULT_ASSEMBLY_SEPARATION_M",
    "IN_ZONE_PENALTY",
    "Hazard",
    "Network",
    "hazard_areas",
    "prepare_network",
    "assembly_candidates",
    "safe_routes",
]

#: Longest off-road access from a target to a road node. [m]
DEFAULT_ACCESS_MAX_M = 300.0
#: Margin between an assembly point and every zone and band. [m]
DEFAULT_ASSEMBLY_MARGIN_M = 200.0
#: Least distance between two assembly points generated from road nodes. [m]
DEFAULT_ASSEMBLY_SEPARATION_M = 500.0
#: Cost of a metre inside the blocked area on the way out of it, in metres of road.
IN_ZONE_PENALTY = 1000.0


@dataclass(frozen=True)
class Hazard:
    """The areas routes and assembly points must keep out of (metric CRS).

    Attributes
    ----------
    zone : shapely.Geometry
        Level-2 toxic zone and its band (the zone of ``length_in_zone_m``); the worst fire zone for a release
        without a toxic zone.
    blocked : shapely.Geometry
        ``zone`` plus the isolation circle and the fire/explosion zones: impassable.
    avoid : shapely.Geometry
        Every zone and band (all levels), the isolation circle and fire zones, grown by the margin.
    origin : (float, float)
    downwind_deg, half_angle_deg : float
        [°]
    margin_m : float
        [m]
    """

    zone: object
    blocked: object
    avoid: object
    origin: tuple[float, float]
    downwind_deg: float
    half_angle_deg: float
    margin_m: float

    def crosswind(self, xy: np.ndarray) -> np.ndarray:
        """Signed crosswind offset of points from the source axis (positive to the left of downwind). [m]"""
        b = math.radians(self.downwind_deg)
        d = np.atleast_2d(np.asarray(xy, dtype=float)) - np.asarray(self.origin)
        return -d[:, 0] * math.cos(b) + d[:, 1] * math.sin(b)

    def angle_from_downwind(self, xy: np.ndarray) -> np.ndarray:
        """Angle between the downwind direction and the bearing of points from the source, 0..180. [°]"""
        d = np.atleast_2d(np.asarray(xy, dtype=float)) - np.asarray(self.origin)
        bearing = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
        return np.abs((bearing - self.downwind_deg + 180.0) % 360.0 - 180.0)


def _nonempty(gdf) -> list:
    return [g for g in gdf.geometry if g is not None and not g.is_empty] if len(gdf) else []


def hazard_areas(result: EmergencyResult, *, margin_m: float = DEFAULT_ASSEMBLY_MARGIN_M) -> Hazard:
    """The route zone, the blocked area and the area assembly points avoid, of one release (see module)."""
    if not (math.isfinite(margin_m) and margin_m >= 0):
        raise ValueError(f"assembly_margin_m 集合点安全距离={margin_m!r} 应为非负数 [m]")
    iso = result.isolation.geometry.iloc[0]
    fire = _nonempty(result.fire)
    level2 = []
    for gdf in (result.toxic, result.band):
        if len(gdf):
            rows = gdf[gdf["level"].astype(str).str.endswith("-2")]
            level2.extend(_nonempty(rows if len(rows) else gdf.iloc[[0]]))
    if level2:
        zone = shapely.union_all(level2)
    elif fire:
        zone = shapely.union_all(fire)
    else:
        zone = iso
    blocked = shapely.union_all([zone, iso, *fire])
    every = shapely.union_all([*_nonempty(result.toxic), *_nonempty(result.band), iso, *fire])
    avoid = shapely.buffer(every, margin_m, quad_segs=4) if margin_m > 0 else every
    for g in (zone, blocked, avoid):
        shapely.prepare(g)
    return Hazard(
        zone=zone,
        blocked=blocked,
        avoid=avoid,
        origin=tuple(map(float, result.origin)),
        downwind_deg=float(result.weather.downwind_bearing_deg),
        half_angle_deg=float(result.uncertainty_half_angle_deg),
        margin_m=float(margin_m),
    )


@dataclass(frozen=True)
class Network:
    """A road graph prepared for one hazard: node arrays and two sparse cost matrices.

    Attributes
    ----------
    graph : networkx.DiGraph
        :func:`analysis.emergency.routes.road_graph`; every edge gains ``blocked`` (bool), ``in_zone`` and
        ``in_blocked`` (length inside the zone / blocked area [m]).
    nodes : list
        Graph node keys; ``xy`` their coordinates (n, 2) [m]; ``index`` key -> row.
    clear : scipy.sparse.csr_matrix
        Edge lengths of the passable edges [m].
    penalised : scipy.sparse.csr_matrix
        Every edge: length + :data:`IN_ZONE_PENALTY` × length inside the blocked area.
    penalised_side : dict
        ``{1: ..., -1: ...}``: the penalised edges that stay on one side of the source axis (both ends at a
        crosswind offset of that sign, or within 1 m of the axis): a way out that never crosses the plume's axis.
    node_clear : numpy.ndarray of bool
        Node outside the blocked area with at least one passable edge.
    node_out : numpy.ndarray of bool
        Node outside the blocked area.
    tree : shapely.STRtree
        Of the node points.
    """

    graph: nx.DiGraph
    nodes: list
    xy: np.ndarray
    index: dict
    clear: csr_matrix
    penalised: csr_matrix
    penalised_side: dict
    node_clear: np.ndarray
    node_out: np.ndarray
    tree: object


def prepare_network(graph: nx.DiGraph, hazard: Hazard) -> Network:
    """Mark the edges of ``graph`` against the hazard (see :class:`Network`) and build the cost matrices."""
    nodes = list(graph.nodes)
    index = {k: i for i, k in enumerate(nodes)}
    xy = np.array(nodes, dtype=float).reshape(-1, 2)
    edges = list(graph.edges(data=True))
    geoms = np.array([d["geometry"] for *_, d in edges], dtype=object)
    length = np.array([d["length"] for *_, d in edges], dtype=float)
    blocked = shapely.intersects(hazard.blocked, geoms) if len(edges) else np.zeros(0, bool)
    in_blocked = np.zeros(len(edges))
    in_zone = np.zeros(len(edges))
    if blocked.any():
        in_blocked[blocked] = shapely.length(shapely.intersection(geoms[blocked], hazard.blocked))
        in_zone[blocked] = shapely.length(shapely.intersection(geoms[blocked], hazard.zone))
    for (_u, _v, d), b, ib, iz in zip(edges, blocked, in_blocked, in_zone, strict=True):
        d["blocked"], d["in_blocked"], d["in_zone"] = bool(b), float(ib), float(iz)
    u = np.array([index[a] for a, _, _ in edges], dtype=int)
    v = np.array([index[b] for _, b, _ in edges], dtype=int)
    n = len(nodes)
    ok = ~blocked
    clear = csr_matrix((length[ok], (u[ok], v[ok])), shape=(n, n))
    cost = length + IN_ZONE_PENALTY * in_blocked
    pen = csr_matrix((cost, (u, v)), shape=(n, n))
    c = hazard.crosswind(xy) if n else np.zeros(0)
    sides = {}
    for sgn in (1, -1):
        keep = (sgn * c[u] >= -1.0) & (sgn * c[v] >= -1.0) if len(edges) else np.zeros(0, bool)
        sides[sgn] = csr_matrix((cost[keep], (u[keep], v[keep])), shape=(n, n))
    node_clear = np.zeros(n, dtype=bool)
    node_clear[u[ok]] = True
    node_clear[v[ok]] = True
    pts = shapely.points(xy) if n else np.array([], dtype=object)
    node_out = ~shapely.intersects(hazard.blocked, pts) if n else np.zeros(0, bool)
    node_clear &= node_out
    return Network(graph, nodes, xy, index, clear, pen, sides, node_clear, node_out, shapely.STRtree(pts))


def _layer_points(park) -> gpd.GeoDataFrame | None:
    """The park's ``assembly_points`` layer in the metric CRS, or None (read defensively: the layer is optional)."""
    layers = getattr(park, "layers", None)
    if not isinstance(layers, dict) or "assembly_points" not in layers:
        return None
    pts = park.metric("assembly_points")
    if pts is None or pts.empty:
        return None
    pts = pts[pts.geometry.notna() & ~pts.geometry.is_empty]
    return pts if len(pts) else None


def _access(net: Network, geom, access_max_m: float, hazard: Hazard) -> list[tuple[int, LineString, bool]]:
    """Road nodes within ``access_max_m`` of ``geom``: (node row, access line from the geometry's nearest point,
    line clear of the blocked area), nearest first."""
    if not len(net.nodes):
        return []
    idx = net.tree.query(geom, predicate="dwithin", distance=access_max_m)
    if not len(idx):
        return []
    pts = shapely.points(net.xy[idx])
    lines = shapely.shortest_line(geom, pts)
    order = np.argsort(shapely.length(lines), kind="stable")
    clear = ~shapely.intersects(hazard.blocked, lines)
    return [(int(idx[k]), lines[k], bool(clear[k])) for k in order]


def assembly_candidates(
    park,
    net: Network,
    hazard: Hazard,
    *,
    access_max_m: float = DEFAULT_ACCESS_MAX_M,
    min_separation_m: float = DEFAULT_ASSEMBLY_SEPARATION_M,
) -> gpd.GeoDataFrame:
    """Qualifying assembly points (see module): from the ``assembly_points`` layer, else road nodes.

    Returns
    -------
    geopandas.GeoDataFrame
        ``assembly_id``, ``name``, ``capacity`` [人] (NaN when not given), ``origin`` ("图层" / "道路节点"),
        ``node`` (row of the network's node arrays), ``access_m`` [m], ``distance_m`` (from the source) [m],
        ``bearing_deg`` [°], ``angle_from_downwind_deg`` [°], point geometry (metric CRS); nearest to the source
        first.
    """
    min_angle = 90.0 - hazard.half_angle_deg
    layer = _layer_points(park)
    rows = []
    if layer is not None:
        id_col = next((c for c in ("assembly_id", "point_id", "id") if c in layer.columns), None)
        for k, r in enumerate(layer.itertuples()):
            p = r.geometry if r.geometry.geom_type == "Point" else r.geometry.representative_point()
            if (
                hazard.avoid.intersects(p)
                or hazard.angle_from_downwind(np.array([[p.x, p.y]]))[0] <= min_angle
            ):
                continue
            acc = [a for a in _access(net, p, access_max_m, hazard) if a[2] and net.node_clear[a[0]]]
            if not acc:
                continue
            cap = getattr(r, "capacity", math.nan)
            rows.append(
                {
                    "assembly_id": str(getattr(r, id_col)) if id_col else f"A{k + 1}",
                    "name": str(getattr(r, "name", "") or f"集合点 {k + 1}"),
                    "capacity": float(cap) if cap is not None and not pd.isna(cap) else math.nan,
                    "origin": "图层",
                    "node": acc[0][0],
                    "access_m": float(acc[0][1].length),
                    "geometry": p,
                }
            )
    else:
        xy = net.xy
        ok = net.node_clear.copy()
        if len(xy):
            ok &= ~shapely.intersects(hazard.avoid, shapely.points(xy))
            ok &= hazard.angle_from_downwind(xy) > min_angle
        dist = np.hypot(xy[:, 0] - hazard.origin[0], xy[:, 1] - hazard.origin[1]) if len(xy) else np.zeros(0)
        chosen: list[int] = []
        for i in np.argsort(np.where(ok, dist, np.inf), kind="stable"):
            if not ok[i]:
                break
            if chosen and np.hypot(*(xy[chosen] - xy[i]).T).min() < min_separation_m:
                continue
            chosen.append(int(i))
        for k, i in enumerate(chosen):
            rows.append(
                {
                    "assembly_id": f"A{k + 1}",
                    "name": f"集合点 {k + 1}（道路节点）",
                    "capacity": math.nan,
                    "origin": "道路节点",
                    "node": i,
                    "access_m": 0.0,
                    "geometry": Point(xy[i]),
                }
            )
    cols = ["assembly_id", "name", "capacity", "origin", "node", "access_m"]
    if not rows:
        return gpd.GeoDataFrame(
            {c: [] for c in cols}, geometry=gpd.GeoSeries([], crs=park.metric_crs), crs=park.metric_crs
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=park.metric_crs)
    pxy = np.column_stack([gdf.geometry.x, gdf.geometry.y])
    d = pxy - np.asarray(hazard.origin)
    gdf["distance_m"] = np.hypot(d[:, 0], d[:, 1])
    gdf["bearing_deg"] = np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0
    gdf["angle_from_downwind_deg"] = hazard.angle_from_downwind(pxy)
    return gdf.sort_values("distance_m", kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------------------------------------------------
_NO_PRED = -9999  # scipy.sparse.csgraph: no predecessor


class _Chooser:
    """Greedy choice of assembly points by road cost with capacities (NaN capacity = unlimited)."""

    def __init__(self, capacity: np.ndarray) -> None:
        self.left = np.asarray(capacity, dtype=float).copy()

    def choose(self, costs: np.ndarray, people: int) -> tuple[int | None, str]:
        order = [int(k) for k in np.argsort(costs, kind="stable") if np.isfinite(costs[k])]
        if not order:
            return None, ""
        note = ""
        pick = next((k for k in order if np.isnan(self.left[k]) or self.left[k] >= people), None)
        if pick is None:
            pick = next((k for k in order if self.left[k] > 0), order[0])
            note = "可到达的集合点容量不足，已安排到剩余容量最大的最近集合点，需另行安置"
        if not np.isnan(self.left[pick]):
            self.left[pick] -= people
        return pick, note


def _forward_clear(p_rev: np.ndarray, k: int, start: int, goal: int) -> list[int]:
    """Node rows from ``start`` to the assembly node ``goal`` along the clear tree of assembly point ``k``."""
    seq = [start]
    while seq[-1] != goal:
        nxt = int(p_rev[k, seq[-1]])
        if nxt == _NO_PRED:
            raise RuntimeError("predecessor chain broken")  # cannot happen for a finite distance
        seq.append(nxt)
    return seq


def _backtrack(pred: np.ndarray, row: int, source: int, end: int) -> list[int]:
    """Node rows from ``source`` to ``end`` along the shortest-path tree ``pred[row]``."""
    seq = [end]
    while seq[-1] != source:
        seq.append(int(pred[row, seq[-1]]))
    return seq[::-1]


def _route_geometry(net: Network, access: LineString, rows: list[int], tail: LineString | None):
    """The route line: access line, road edges along ``rows``, access to a layer assembly point; road names."""
    coords = list(access.coords)
    names: list[str] = []
    for a, b in zip(rows[:-1], rows[1:], strict=True):
        d = net.graph.edges[net.nodes[a], net.nodes[b]]
        coords.extend(list(d["geometry"].coords)[1:] if coords else d["geometry"].coords)
        if d["name"] and (not names or names[-1] != d["name"]):
            names.append(d["name"])
    if tail is not None and tail.length > 0:
        coords.extend(list(tail.coords)[1:])
    if len(coords) < 2:
        coords.append(coords[-1])
    return LineString(coords), names


def _crosswind_exit(net: Network, hazard: Hazard, geom, acc, d_tot: np.ndarray):
    """Leaving the blocked area crosswind (see module): penalised shortest paths from the target's access nodes,
    restricted to exits on the target's side of the source axis.

    Returns
    -------
    costs : numpy.ndarray
        (K,) cost of reaching each assembly point through an exit on the target's side (inf: none).
    exits : numpy.ndarray
        (K,) exit node per assembly point.
    outside : int or None
        The cheapest node outside the blocked area on the target's side (for an exit with no safe point beyond).
    paths : tuple
        (best access row per node, predecessors, access node rows) to rebuild a path.
    """
    rows = [i for i, _, _ in acc]
    acc_cost = np.array(
        [
            line.length + IN_ZONE_PENALTY * shapely.length(shapely.intersection(line, hazard.blocked))
            for _, line, _ in acc
        ]
    )
    c_t = float(hazard.crosswind(np.array(geom.representative_point().coords))[0])
    matrix = net.penalised_side[1 if c_t > 0 else -1] if abs(c_t) > 1.0 else net.penalised
    dp, pp = dijkstra(matrix, indices=rows, return_predecessors=True)
    tot = acc_cost[:, None] + dp
    a_best = np.argmin(tot, axis=0)
    to_node = tot[a_best, np.arange(tot.shape[1])]
    same = np.sign(hazard.crosswind(net.xy)) == np.sign(c_t) if abs(c_t) > 1.0 else np.ones(len(net.xy), bool)
    out_nodes = np.flatnonzero(same & net.node_out & np.isfinite(to_node))
    outside = int(out_nodes[np.argmin(to_node[out_nodes])]) if len(out_nodes) else None
    cand = np.flatnonzero(same & net.node_clear)
    if not len(cand) or not d_tot.shape[0]:
        return np.full(d_tot.shape[0], np.inf), np.zeros(d_tot.shape[0], int), outside, (a_best, pp, rows)
    total = to_node[cand][None, :] + d_tot[:, cand]  # (K, exits)
    j = np.argmin(total, axis=1)
    return total[np.arange(total.shape[0]), j], cand[j], outside, (a_best, pp, rows)


def _inside_route(net, hazard, geom, acc, d_tot, p_rev, ap_nodes, tails, chooser, people) -> dict | None:
    """The route of a target inside the blocked area: crosswind exit, then a clear road to the nearest safe
    point on its side; or, when no safe point is reachable on its side, the crosswind exit alone (no
    ``assembly_id``). None when no road leaves the blocked area on its side."""
    costs, exits, outside, (a_best, pp, rows) = _crosswind_exit(net, hazard, geom, acc, d_tot)
    if np.isfinite(costs).any():
        k, note = chooser.choose(costs, people)
        e = int(exits[k])
    elif outside is not None:
        k, e = None, outside
        note = "本侧没有不穿越烟云即可到达的安全集合点：横风向离开危险区后在区外就地避险，待风向稳定后转运"
    else:
        return None
    a = int(a_best[e])
    pen = _backtrack(pp, a, rows[a], e)
    side = np.sign(hazard.crosswind(net.xy[pen]))
    # Stop at the first node outside the blocked area (on this side) from which the rest of the way is clear.
    first = next(
        j
        for j, n in enumerate(pen)
        if side[j] == side[-1]
        and (net.node_clear[n] and np.isfinite(d_tot[k, n]) if k is not None else net.node_out[n])
    )
    pen = pen[: first + 1]
    exit_geom, names = _route_geometry(net, acc[a][1], pen, None)
    if k is None:
        return dict(k=None, geometry=exit_geom, names=names, exit_length_m=float(exit_geom.length), note=note)
    seq = pen + _forward_clear(p_rev, k, pen[-1], int(ap_nodes[k]))[1:]
    geom_r, names = _route_geometry(net, acc[a][1], seq, tails[k])
    return dict(k=k, geometry=geom_r, names=names, exit_length_m=float(exit_geom.length), note=note)


def _nearest_node_m(net: Network, geom) -> float:
    if not len(net.nodes):
        return math.inf
    _, dist = net.tree.query_nearest(geom, return_distance=True)
    return float(dist[0]) if len(dist) else math.inf


def safe_routes(
    targets: pd.DataFrame,
    net: Network,
    hazard: Hazard,
    assembly: gpd.GeoDataFrame,
    *,
    access_max_m: float = DEFAULT_ACCESS_MAX_M,
) -> pd.DataFrame:
    """The route of every target to its assembly point by the rules of the module.

    Parameters
    ----------
    targets : pandas.DataFrame
        ``target_id``, ``population`` (people to place; NA counts as 0) and ``geometry`` (metric CRS), in the
        order in which assembly points are filled (most urgent first).
    net : Network
    hazard : Hazard
    assembly : geopandas.GeoDataFrame
        :func:`assembly_candidates`.
    access_max_m : float
        [m]

    Returns
    -------
    pandas.DataFrame
        Indexed like ``targets``: ``route_status`` ("clear" | "crosswind_exit" | "no_road" | "no_route"),
        ``assembly_id``, ``length_m`` [m], ``length_in_zone_m`` [m] (inside :attr:`Hazard.zone`),
        ``exit_length_m`` [m] (along the route to the first node outside the blocked area; 0 for a clear route),
        ``roads`` (names along the way), ``route_note`` (Chinese), ``geometry`` (None without a route).
    """
    if not (math.isfinite(access_max_m) and access_max_m > 0):
        raise ValueError(f"access_max_m 离路接入最大距离={access_max_m!r} 必须为正 [m]")
    k_n = len(assembly)
    ap_nodes = assembly["node"].to_numpy(dtype=int) if k_n else np.zeros(0, int)
    if k_n:
        d_rev, p_rev = dijkstra(net.clear.T.tocsr(), indices=ap_nodes, return_predecessors=True)
        d_tot = d_rev + assembly["access_m"].to_numpy(dtype=float)[:, None]
    else:
        d_tot = p_rev = np.zeros((0, len(net.nodes)))
    tails = [
        LineString([net.xy[n], (p.x, p.y)]) if a > 0 else None
        for n, p, a in zip(ap_nodes, assembly.geometry, assembly["access_m"] if k_n else [], strict=False)
    ]
    chooser = _Chooser(assembly["capacity"].to_numpy(dtype=float) if k_n else np.zeros(0))
    out = []
    for r in targets.itertuples():
        geom, people = r.geometry, 0 if pd.isna(r.population) else int(r.population)
        row = dict(
            route_status="no_route",
            assembly_id=None,
            length_m=math.nan,
            length_in_zone_m=math.nan,
            exit_length_m=math.nan,
            roads="",
            route_note="",
            geometry=None,
        )
        acc = _access(net, geom, access_max_m, hazard)
        if not acc:
            near = _nearest_node_m(net, geom)
            row.update(
                route_status="no_road",
                route_note=f"无道路连接：{access_max_m:g} m 内没有道路节点（最近 {near:,.0f} m），不画穿越空地的直线",
            )
            out.append(row)
            continue
        clear_acc = [(i, line) for i, line, ok in acc if ok and net.node_clear[i]]
        costs = np.full(k_n, np.inf)
        best_acc = np.zeros(k_n, dtype=int)
        if clear_acc and k_n:
            c = (
                np.array([line.length for _, line in clear_acc])[None, :]
                + d_tot[:, [i for i, _ in clear_acc]]
            )
            best_acc = np.argmin(c, axis=1)
            costs = c[np.arange(k_n), best_acc]
        if np.isfinite(costs).any():
            k, note = chooser.choose(costs, people)
            i, line = clear_acc[best_acc[k]]
            seq = _forward_clear(p_rev, k, i, int(ap_nodes[k]))
            geom_r, names = _route_geometry(net, line, seq, tails[k])
            row.update(route_status="clear", exit_length_m=0.0, route_note=note)
        elif hazard.blocked.intersects(geom):
            res = _inside_route(net, hazard, geom, acc, d_tot, p_rev, ap_nodes, tails, chooser, people)
            if res is None:
                row["route_note"] = "位于危险区内且本侧没有离开危险区的道路：就地避险，等待救援"
                out.append(row)
                continue
            k, geom_r, names = res["k"], res["geometry"], res["names"]
            row.update(
                route_status="crosswind_exit", exit_length_m=res["exit_length_m"], route_note=res["note"]
            )
        else:
            row["route_note"] = (
                "没有可到达的安全集合点" if not k_n else "没有避开危险区的道路可到达安全集合点：就地避险"
            )
            out.append(row)
            continue
        row.update(
            assembly_id=None if k is None else str(assembly["assembly_id"].iloc[k]),
            length_m=float(geom_r.length),
            length_in_zone_m=float(shapely.length(shapely.intersection(geom_r, hazard.zone))),
            roads="→".join(names),
            geometry=geom_r,
        )
        out.append(row)
    cols = ["route_status", "assembly_id", "length_m", "length_in_zone_m", "exit_length_m", "roads"]
    return pd.DataFrame(out, index=targets.index, columns=[*cols, "route_note", "geometry"])
