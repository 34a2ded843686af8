"""The road network of a park for evacuation routing.

:func:`road_graph` builds a directed networkx graph of the park's ``roads`` layer (two edges for a two-way road,
end points closer than 0.5 m joined, long roads optionally cut into pieces); routes and assembly points that never
enter the cloud are chosen on it by :mod:`analysis.emergency.egress` for :func:`analysis.emergency.plan`.
Coordinates are metres in the park's metric CRS.

References
----------
.. [1] Hagberg, A., Schult, D., Swart, P. (2008). Exploring network structure, dynamics, and function using
       NetworkX. Proc. SciPy 2008, 11–15.
"""

from __future__ import annotations

import logging
import math
import weakref

import geopandas as gpd
import networkx as nx
import numpy as np
from shapely.geometry import LineString
from shapely.ops import substring

log = logging.getLogger(__name__)

__all__ = ["road_graph"]

_SNAP_M = 0.5  # end points closer than this are the same node [m]
#: Graphs already built, per roads layer object (a park's metric layers are cached, read-only frames) and piece
#: length: id -> (weak reference to the frame, {max_edge_m: graph}); the few most recent frames only. The wind does
#: not change the roads: a recomputation of the same park reuses its graph.
_BUILT: dict[int, tuple[weakref.ref, dict]] = {}
_BUILT_MAX = 8


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
    hit = _BUILT.get(id(roads))
    if hit is None or hit[0]() is not roads:  # a new frame (or a dead one whose id was reused)
        while len(_BUILT) >= _BUILT_MAX:
            _BUILT.pop(next(iter(_BUILT)))
        hit = _BUILT[id(roads)] = (weakref.ref(roads), {})
    built = hit[1]
    if max_edge_m not in built:
        built[max_edge_m] = _build(roads, max_edge_m)
    # a copy with its own edge-attribute dicts: callers mark edges (egress.prepare_network) without touching the
    # cached graph; the geometries are shared (shapely geometries are immutable)
    return built[max_edge_m].copy()


def _build(roads: gpd.GeoDataFrame, max_edge_m: float | None) -> nx.DiGraph:
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
