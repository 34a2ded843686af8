"""Ways out of the zones of a release: the road network, assembly points and evacuation routes.

:func:`road_graph` builds a directed networkx graph of the park's ``roads`` layer; :func:`assembly_points` chooses
road nodes upwind of the source and outside every zone; :func:`evacuation_routes` routes every affected target or
building (:func:`analysis.emergency.people.affected_targets`) to the nearest assembly point by Dijkstra's
algorithm [1]_, avoiding the worst zone (:attr:`analysis.emergency.zones.EmergencyResult.worst_zone`). Coordinates
are metres in the park's metric CRS.

References
----------
.. [1] Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. Numerische Mathematik 1, 269–271
       (shortest paths; networkx ``multi_source_dijkstra``).
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import substring

from analysis.emergency.people import _feature_lookup
from analysis.emergency.zones import EmergencyResult

log = logging.getLogger(__name__)

__all__ = ["WORST_ZONE_PENALTY", "N_ACCESS_CANDIDATES", "road_graph", "assembly_points", "evacuation_routes"]

_SNAP_M = 0.5  # end points closer than this are the same node [m]


def _node_key(x: float, y: float) -> tuple[float, float]:
    return (round(x / _SNAP_M) * _SNAP_M, round(y / _SNAP_M) * _SNAP_M)


def _pieces(line: LineString, max_edge_m: float | None) -> list[LineString]:
    """The line cut into equal pieces no longer than ``max_edge_m`` [m] (the line itself when None)."""
    if max_edge_m is None or line.length <= max_edge_m:
        return [line]
    n = int(math.ceil(line.length / max_edge_m))
    cuts = np.linspace(0.0, line.length, n + 1)
    return [substring(line, float(a), float(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def road_graph(roads: gpd.GeoDataFrame, *, max_edge_m: float | None = None) -> nx.DiGraph:
    """Directed road graph from the ``roads`` layer in a metric CRS.

    Nodes are the end points of the road features (snapped to 0.5 m; the layer is drawn node to node, end points
    shared, as the schema asks); each feature is an edge both ways unless ``one_way`` (then in drawing direction).
    With ``max_edge_m`` each feature is cut into equal pieces no longer than that [m], with a node at every cut:
    routes can then turn back or stop short of a zone along a long road, and targets join the road nearby.
    Edge attributes: ``length`` [m], ``road_id``, ``name``, ``kind``, ``geometry`` (oriented u→v).

    Raises
    ------
    geodata.errors.CRSError
        A geographic CRS.
    """
    from geodata.crs import require_metric

    require_metric(roads, what="roads 道路图层")
    if max_edge_m is not None and not (math.isfinite(max_edge_m) and max_edge_m > 0):
        raise ValueError(f"max_edge_m 道路分段长度={max_edge_m!r} 必须为正的有限数 [m]")
    g = nx.DiGraph()
    for r in roads.itertuples():
        geom = r.geometry
        if geom is None or geom.is_empty:
            continue
        lines = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        for line in (piece for whole in lines for piece in _pieces(whole, max_edge_m)):
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


def _set_edge_costs(g: nx.DiGraph, worst) -> None:
    """Set ``inside`` (length of the edge inside the worst zone [m]) and ``cost`` (length plus
    :data:`WORST_ZONE_PENALTY` × ``inside``) on every edge of ``g``."""
    edges = list(g.edges(data=True))
    inside = shapely.intersection(np.array([d["geometry"] for _, _, d in edges], dtype=object), worst)
    inside_len = shapely.length(inside)
    for (_u, _v, d), li in zip(edges, inside_len, strict=True):
        d["inside"] = float(li)
        d["cost"] = d["length"] + WORST_ZONE_PENALTY * float(li)


def _access_node(
    p: Point, node_xy: np.ndarray, node_keys: list, dist: dict, worst
) -> tuple[tuple, float] | None:
    """Where a target at ``p`` joins the network: the best of its :data:`N_ACCESS_CANDIDATES` nearest reachable
    nodes by access line (penalised inside the worst zone like a road) plus the route cost ``dist`` from that
    node. Returns the node and the access line's length inside the worst zone [m], or None when none is
    reachable."""
    d2 = np.hypot(node_xy[:, 0] - p.x, node_xy[:, 1] - p.y)
    start, best, access_in = None, math.inf, 0.0
    for i in np.argsort(d2)[:N_ACCESS_CANDIDATES]:
        key = node_keys[i]
        if key not in dist:
            continue
        acc_in = float(shapely.length(shapely.intersection(LineString([(p.x, p.y), key]), worst)))
        c = float(d2[i]) + WORST_ZONE_PENALTY * acc_in + dist[key]
        if c < best:
            start, best, access_in = key, c, acc_in
    return None if start is None else (start, access_in)


def _route_line(g: nx.DiGraph, path: list, p: Point, access_in: float) -> tuple[LineString, float, list[str]]:
    """The route drawn from ``p`` along the road edges of ``path`` (target's node first), its length inside the
    worst zone [m] (access line included) and the road names along the way."""
    coords = [(p.x, p.y)]
    in_len, names = access_in, []
    for a, b in zip(path[:-1], path[1:], strict=True):
        d = g.edges[a, b]
        coords.extend(list(d["geometry"].coords))
        in_len += d["inside"]
        if not names or names[-1] != d["name"]:
            names.append(d["name"])
    if len(coords) < 2:
        coords.append(path[0])
    return LineString(coords), in_len, names


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
    _set_edge_costs(g, worst)
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
        access = _access_node(p, node_xy, node_keys, dist, worst)
        if access is None:
            continue
        start, access_in = access
        path = list(reversed(paths[start]))  # paths in rev run from the assembly point to start
        line, in_len, names = _route_line(g, path, p, access_in)
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
