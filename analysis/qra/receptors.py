"""Receptors of a risk run: sample points of the people of a park, and the risk each target sees.

People come from four sources, each person counted once:

- sensitive targets (``population_day``/``population_night``) and residential areas (the optional layer
  ``population_areas``, same columns): spread evenly over the footprint (a cell-centre lattice of at most ~150
  points inside it, no finer than the grid); day population with the day rose, night population with the night
  rose;
- buildings (``occupants``): present by day; control rooms and shift rooms are manned by night as well (parkrisk
  assumption);
- the optional population raster (``park.population_raster``, :mod:`geodata.population`: persons per cell, night
  band and optional day band): one receptor at each populated cell centre, placed in the park's metric CRS. A cell
  whose centre lies inside a target, building or residential-area polygon is dropped (those people are the
  feature's count); a point target standing in a cell has its population subtracted from the cell (not below 0).
  The raster therefore adds the people the park's own layers do not list.

Receptor layers other than ``buildings`` are the public (``n_targets`` of the risk events); buildings are the park's
workers (``n_buildings``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["receptor_points", "raster_receptors", "target_risk"]

_NIGHT_MANNED_USES = ("control_room", "shift_room")
#: Layers whose features carry people: (layer, id column).
_RECEPTOR_LAYERS = (
    ("sensitive_targets", "target_id"),
    ("buildings", "building_id"),
    ("population_areas", "area_id"),
)


def _receptor_features(park: Any):
    """(layer, id column, row, geometry) of every feature with a geometry in the receptor layers (metric CRS)."""
    for layer, id_col in _RECEPTOR_LAYERS:
        try:
            gdf = park.metric(layer)
        except (KeyError, ValueError):
            continue
        if gdf is None or len(gdf) == 0:
            continue
        # rows as plain Series (a GeoDataFrame row costs a GeoSeries each: thousands of buildings in a large park)
        plain = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        for (_, r), g in zip(plain.iterrows(), gdf.geometry.to_numpy(), strict=True):
            if g is not None and not g.is_empty:
                yield layer, id_col, r, g


def receptor_points(park: Any, h: float) -> pd.DataFrame:
    """Sample points of the sensitive targets and residential areas (population), buildings (occupants) and the
    population raster (people no layer counts); h is the grid cell [m]. See the module notes."""
    import shapely

    cols: dict[str, list] = {k: [] for k in ("layer", "feature_id", "x", "y", "w_day", "w_night")}
    for layer, id_col, r, g in _receptor_features(park):
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
        if layer != "buildings":
            day = float(np.nan_to_num(r.get("population_day", 0.0) or 0.0))
            night = float(np.nan_to_num(r.get("population_night", 0.0) or 0.0))
        else:
            occ = float(np.nan_to_num(r.get("occupants", 0.0) or 0.0))
            day, night = occ, occ if str(r.get("use", "")) in _NIGHT_MANNED_USES else 0.0
        # one frame at the end, not one per feature (thousands of buildings in a large park)
        for k, v in (
            ("layer", layer),
            ("feature_id", str(r[id_col])),
            ("w_day", day / n),
            ("w_night", night / n),
        ):
            cols[k].append(np.full(n, v, dtype=object if isinstance(v, str) else float))
        cols["x"].append(px)
        cols["y"].append(py)
    recs: list[pd.DataFrame] = []
    if cols["x"]:
        recs.append(pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()}))
    raster = getattr(park, "population_raster", None)
    if raster is not None:
        recs.append(raster_receptors(park, raster))
    recs = [r for r in recs if len(r)]
    if not recs:
        return pd.DataFrame(columns=["layer", "feature_id", "x", "y", "w_day", "w_night"])
    return pd.concat(recs, ignore_index=True)


def raster_receptors(park: Any, raster: Any) -> pd.DataFrame:
    """Receptors of a population raster: its populated cells less the people the park's layers count already.

    Parameters
    ----------
    park : geodata.Park
    raster : geodata.population.PopulationRaster
        Persons per cell (night band, day band) in any CRS.

    Returns
    -------
    DataFrame
        layer = "population_raster", feature_id = "row,col", x, y (cell centre in the park's metric CRS) [m],
        w_day, w_night [persons].

    Notes
    -----
    A cell whose centre lies inside a sensitive-target, building or ``population_areas`` polygon is dropped: its
    people are that feature's. A point target lying in a cell has its day and night population subtracted from
    the cell's (floored at 0). So a person is counted by the raster only where no layer of the park counts them.
    """
    import pyproj
    import shapely

    xs, ys = raster.cell_centres()
    to_metric = pyproj.Transformer.from_crs(raster.crs, park.metric_crs, always_xy=True)
    mx, my = to_metric.transform(xs, ys)
    day, night = np.array(raster.day, dtype=float), np.array(raster.night, dtype=float)
    covered = np.zeros(day.shape, dtype=bool)
    a, b, c, d, e, f = raster.transform
    det = a * e - b * d
    for layer, _, r, g in _receptor_features(park):
        if g.geom_type in ("Polygon", "MultiPolygon"):
            covered |= shapely.contains_xy(g, mx, my)
        elif layer != "buildings":  # a point target: take its people out of the cell it stands in
            p = g.representative_point()
            rx, ry = to_metric.transform(p.x, p.y, direction="INVERSE")
            col = int(np.floor((e * (rx - c) - b * (ry - f)) / det))
            row = int(np.floor((a * (ry - f) - d * (rx - c)) / det))
            if 0 <= row < day.shape[0] and 0 <= col < day.shape[1]:
                day[row, col] -= float(np.nan_to_num(r.get("population_day", 0.0) or 0.0))
                night[row, col] -= float(np.nan_to_num(r.get("population_night", 0.0) or 0.0))
    day, night = np.maximum(day, 0.0), np.maximum(night, 0.0)
    keep = ~covered & ((day > 0) | (night > 0))
    rows, cols = np.nonzero(keep)
    return pd.DataFrame(
        {
            "layer": "population_raster",
            "feature_id": [f"{i},{j}" for i, j in zip(rows, cols, strict=True)],
            "x": mx[keep],
            "y": my[keep],
            "w_day": day[keep],
            "w_night": night[keep],
        }
    )


_TARGET_COLUMNS = [
    "target_id",
    "individual_risk",
    "x",
    "y",
    "top_units",
    "top_enterprises",
    "contributors_zh",
]


def target_risk(result: Any, park: Any, *, top: int = 3) -> pd.DataFrame:
    """The individual risk each sensitive target sees and who causes it.

    The risk of a target is the highest risk over its sample points (cell-centre lattice inside its footprint).

    Parameters
    ----------
    result : analysis.qra.individual.IndividualRisk
    park : geodata.Park
    top : int
        Number of installations named as contributors.

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
    df = pd.DataFrame(out, columns=_TARGET_COLUMNS)  # the columns even without targets
    df.insert(1, "name", tg["name"].astype(str).to_numpy())
    df.insert(2, "protection_class", tg["protection_class"].astype(str).to_numpy())
    return df
