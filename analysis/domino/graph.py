"""The escalation graph: units as nodes, the most probable escalation edge of each pair, chains and hub ranking.

The graph has one edge (i, j) per pair of installations, carrying the most probable of i's primary scenarios on
j, with weight −ln p so that the most probable chain of escalation (the max-product path, the "most probable
domino path" of Khakzad et al. [1]_) is a shortest path (Dijkstra). Units are ranked as hubs by the expected number
of units a primary event of theirs involves (all levels, Monte Carlo) and as exposed units by the probability that
at least one incoming edge escalates, 1 − Π(1 − p).

References
----------
.. [1] Khakzad N., Khan F., Amyotte P., Cozzani V. (2013). Domino effect analysis using Bayesian networks.
   Risk Anal. 33(2), 292–306 (multi-level propagation; most probable domino path).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.domino.units import _Units


def _escalation_graph(units: _Units, edges: Any, min_probability: float) -> tuple[Any, Any]:
    """Step 3: the unit-level graph (edge = most probable scenario of the source) and the edges it keeps.

    Parameters
    ----------
    units : _Units
    edges : GeoDataFrame
        :attr:`analysis.domino.DominoResult.edges`.
    min_probability : float
        Edges with a probability at or below it are dropped. [-]

    Returns
    -------
    graph : networkx.DiGraph
    kept : GeoDataFrame
        The edges above ``min_probability`` (every scenario, not only the most probable of a pair).
    """
    import networkx as nx

    g = nx.DiGraph()
    for k in range(len(units)):
        g.add_node(
            units.ids[k],
            name=units.names[k],
            enterprise_id=units.ent[k],
            kind=str(units.rows[k].get("kind", "")),
            equipment_class=units.classes[k],
            volume_m3=float(units.volumes[k]),
            x=float(units.origins[k, 0]),
            y=float(units.origins[k, 1]),
        )
    kept = edges[edges["probability"] > min_probability]
    if len(kept):
        best = kept.loc[kept.groupby(["source", "target"])["probability"].idxmax()]
        for rec in best.itertuples(index=False):
            p = float(rec.probability)
            g.add_edge(
                rec.source,
                rec.target,
                probability=p,
                scenario=rec.scenario,
                vector=rec.vector,
                load=float(rec.load),
                crosses_enterprise=bool(rec.crosses_enterprise),
                distance_m=float(rec.distance_m),
                weight=-math.log(max(p, 1e-300)),
            )
    return g, kept


def _chains_from(
    g: Any, src: str, kind: str, p1: pd.Series, max_level: int, cache: dict | None = None
) -> list[dict[str, Any]]:
    """Most probable chains of one primary event: max-product paths (Dijkstra on −ln p) whose first edge is the
    primary scenario's own (probability ``p1[target]``), at most ``max_level`` edges long, without cycles [1]_.
    ``cache`` (target -> Dijkstra result on ``g``) keeps the searches for the next primary events of the run."""
    import networkx as nx

    rows = []
    for t, p in p1.items():
        w0 = -math.log(max(p, 1e-300))
        found = cache.get(t) if cache is not None else None
        if found is None:
            found = nx.single_source_dijkstra(g, t, weight="weight")
            if cache is not None:
                cache[t] = found
        dist, paths = found
        for v, d in dist.items():
            if v == src:
                continue
            path = [src] + paths[v]
            if len(set(path)) != len(path) or len(path) - 1 > max_level:
                continue
            rows.append(
                {
                    "source": src,
                    "scenario": kind,
                    "target": v,
                    "path": " → ".join(path),
                    "length": len(path) - 1,
                    "probability": math.exp(-(w0 + d)),
                }
            )
    return rows


def _chain_table(chain_rows: list[dict[str, Any]], top_chains: int) -> pd.DataFrame:
    """:attr:`analysis.domino.DominoResult.chains`: the ``top_chains`` most probable chains per primary event."""
    chains = pd.DataFrame(
        chain_rows, columns=["source", "scenario", "target", "path", "length", "probability"]
    )
    if len(chains):
        chains = (
            chains.sort_values("probability", ascending=False)
            .drop_duplicates(["source", "scenario", "target"])
            .groupby(["source", "scenario"], sort=False)
            .head(top_chains)
            .reset_index(drop=True)
        )
    return chains


def _ranking(units: _Units, g: Any, primary_events: pd.DataFrame) -> pd.DataFrame:
    """Step 6: :attr:`analysis.domino.DominoResult.ranking`, hubs (expected units lost) and exposed units."""
    ids = units.ids
    out_strength = {u: sum(d["probability"] for _, _, d in g.out_edges(u, data=True)) for u in ids}
    exposure = {
        u: 1.0 - float(np.prod([1.0 - d["probability"] for _, _, d in g.in_edges(u, data=True)])) for u in ids
    }
    lost = (
        primary_events.groupby("source")["expected_total"].max()
        if len(primary_events)
        else pd.Series(dtype=float)
    )
    crossing = {u: sum(1 for _, _, d in g.out_edges(u, data=True) if d["crosses_enterprise"]) for u in ids}
    ranking = pd.DataFrame(
        {
            "unit_id": ids,
            "name": units.names,
            "enterprise_id": units.ent,
            "equipment_class": units.classes,
            "out_strength": [out_strength[u] for u in ids],
            "out_degree": [g.out_degree(u) for u in ids],
            "expected_units_lost": [float(lost.get(u, 0.0)) for u in ids],
            "exposure": [exposure[u] for u in ids],
            "in_degree": [g.in_degree(u) for u in ids],
            "crossing_edges": [crossing[u] for u in ids],
        }
    )
    ranking["hub_rank"] = ranking["expected_units_lost"].rank(ascending=False, method="min").astype(int)
    ranking["exposure_rank"] = ranking["exposure"].rank(ascending=False, method="min").astype(int)
    return ranking.sort_values(["hub_rank", "exposure_rank"]).reset_index(drop=True)
