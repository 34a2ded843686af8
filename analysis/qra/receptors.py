"""Receptors of a risk run: sample points of the sensitive targets and buildings, and the risk each target sees.

Population of a sensitive target is spread evenly over its footprint (a cell-centre lattice of at most ~150 points
inside it, no finer than the grid); day population with the day rose, night population with the night rose.
Building occupants are present by day; control rooms and shift rooms are manned by night as well (parkrisk
assumption).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["receptor_points", "target_risk"]

_NIGHT_MANNED_USES = ("control_room", "shift_room")


def receptor_points(park: Any, h: float) -> pd.DataFrame:
    """Sample points of the sensitive targets (population) and buildings (occupants); h is the grid cell [m]."""
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
