"""The installations of a park as escalation targets: equipment category, volume, footprint and effect origin.

Every installation is a possible source and target of escalation. Its target category (the rows of the threshold
table of Cozzani, Gubinelli & Salzano [1]_) comes from the column ``equipment_class`` or, when it is empty, from the
installation kind; its volume (for the time-to-failure correlations of Cozzani et al. [2]_) from ``volume_m3``, the
tank dimensions or the inventory; its footprint is the polygon drawn, or a circle of the tank diameter around a
point. Every value that had to be estimated is reported in a note (Chinese) that :func:`analysis.domino.analyze`
writes to the log.

References
----------
.. [1] Cozzani V., Gubinelli G., Salzano E. (2006). Escalation thresholds in the assessment of domino accidental
   events. J. Hazard. Mater. A129, 1–21.
.. [2] Cozzani V., Gubinelli G., Antonioni G., Spadoni G., Zanelli S. (2005). The assessment of risk caused by
   domino effect in quantitative area risk analysis. J. Hazard. Mater. A127, 14–30 (Table 2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._checks import finite_number
from analysis.domino.models import EQUIPMENT_CLASSES, EQUIPMENT_LABELS_ZH
from analysis.errors import AnalysisInputError
from analysis.scenarios import PRESSURISED_MIN_PA


def _is_null(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


_KIND_CLASS = {
    "spherical_tank": "pressurized",
    "bullet_tank": "pressurized",
    "reactor": "elongated",
    "column": "elongated",
    "process_unit": "elongated",
    "pump_station": "small",
    "compressor": "small",
    "loading_bay": "small",
    "cylinder_store": "small",
    "electrolyser": "small",
    "warehouse": "atmospheric",
}


def equipment_class(kind: str, pressure_pa: float | None) -> str:
    """Escalation target category of an installation whose ``equipment_class`` is not given (the one copy of the
    rule, used by the domino analysis and by the new-unit trial of 选址与防护距离).

    Spheres and bullets are pressurised vessels; reactors, columns and process units elongated equipment; pumps,
    compressors, loading bays, cylinder stores and electrolysers small equipment; a warehouse atmospheric. A storage
    tank (or an unknown kind) is pressurised when it is held at or above
    :data:`analysis.scenarios.PRESSURISED_MIN_PA` (1.5×10⁵ Pa abs., about 0.5 bar gauge, the limit the scenarios
    and the loss-of-containment frequencies use for atmospheric storage) and atmospheric below it or when the
    pressure is unknown. The category follows the vessel's pressure, not the phase: a refrigerated liquefied gas at
    atmospheric pressure is stored in an atmospheric tank.

    Parameters
    ----------
    kind : str
        Schema ``kind`` of the installation.
    pressure_pa : float or None
        Absolute pressure; None or NaN when unknown. [Pa]

    Returns
    -------
    str
        A key of :data:`EQUIPMENT_CLASSES`.

    References
    ----------
    .. [1] Cozzani V., Gubinelli G., Antonioni G., Spadoni G., Zanelli S. (2005). The assessment of risk caused by
       domino effect in quantitative area risk analysis. J. Hazard. Mater. A127, 14–30 (target categories:
       atmospheric, pressurised, elongated, small equipment).
    """
    if kind in _KIND_CLASS:
        return _KIND_CLASS[kind]
    if _is_null(pressure_pa):
        return "atmospheric"
    p = finite_number("pressure_pa 压力", pressure_pa, low=0.0, low_open=True, unit="Pa")
    return "pressurized" if p >= PRESSURISED_MIN_PA else "atmospheric"


def _equipment_class(row: Mapping[str, Any]) -> tuple[str, str | None]:
    ec = row.get("equipment_class")
    if not _is_null(ec) and str(ec) in EQUIPMENT_CLASSES:
        return str(ec), None
    kind = str(row.get("kind", ""))
    cls = equipment_class(kind, row.get("pressure_pa"))
    return (
        cls,
        f"设施 {row.get('unit_id')} 未填设备类别，按类型 {kind or '未知'} 取 {EQUIPMENT_LABELS_ZH[cls]}",
    )


def _volume(row: Mapping[str, Any]) -> tuple[float, str | None]:
    v = row.get("volume_m3")
    if not _is_null(v) and float(v) > 0:
        return float(v), None
    uid = row.get("unit_id")
    d, h = row.get("diameter_m"), row.get("height_m")
    if not _is_null(d) and float(d) > 0:
        d = float(d)
        if str(row.get("kind")) == "spherical_tank" or _is_null(h):
            vol = math.pi * d**3 / 6.0
            return vol, f"设施 {uid} 未填容积，按直径 {d:g} m 的球体估为 {vol:,.0f} m³"
        vol = math.pi * d**2 / 4.0 * float(h)
        return vol, f"设施 {uid} 未填容积，按直径 {d:g} m、高 {float(h):g} m 的圆柱估为 {vol:,.0f} m³"
    inv = row.get("inventory_kg")
    if not _is_null(inv) and float(inv) > 0:
        rho = 1000.0
        try:
            from analysis.physics import substances

            sub = substances.get(str(row.get("substance")))
            if math.isfinite(sub.liquid_density) and sub.liquid_density > 0:
                rho = float(sub.liquid_density)
        except (ValueError, KeyError):
            pass
        vol = float(inv) / rho
        return vol, f"设施 {uid} 未填容积和尺寸，按存量 / 液体密度 {rho:,.0f} kg/m³ 估为 {vol:,.1f} m³"
    return 100.0, f"设施 {uid} 无容积、尺寸和存量数据，容积按 100 m³ 计"


def _footprint(row: Mapping[str, Any]):
    import shapely

    g = row.get("geometry")
    if g is None or g.is_empty:
        return None
    if g.geom_type == "Point":
        d = row.get("diameter_m")
        if not _is_null(d) and float(d) > 0:
            return shapely.buffer(g, float(d) / 2.0, quad_segs=16)
    return g


_SIGNATURE_COLUMNS = (
    "substance",
    "phase",
    "inventory_kg",
    "pressure_pa",
    "temperature_k",
    "diameter_m",
    "height_m",
    "bund_area_m2",
    "volume_m3",
)


def _signature(row: Mapping[str, Any], kind: str) -> tuple:
    return (kind,) + tuple(None if _is_null(row.get(c)) else row.get(c) for c in _SIGNATURE_COLUMNS)


def _row_dict(row: pd.Series) -> dict[str, Any]:
    return {k: row[k] for k in row.index}


@dataclass
class _Units:
    """The installations of one analysis, index k = row k of the park's installation table (metric CRS).

    Attributes
    ----------
    crs : pyproj.CRS
        The park's metric CRS.
    ids, names, ent : ndarray of str
        unit_id, name and enterprise_id of each installation.
    rows : list of dict
        The installation records (the inputs of the consequence models).
    classes : ndarray of str
        Equipment category (:data:`analysis.domino.EQUIPMENT_CLASSES`).
    volumes : ndarray
        Volume. [m³]
    footprints : ndarray of shapely geometries
        Footprint; an empty point where the installation has no geometry.
    has_geom : ndarray of bool
    origins : ndarray (n, 2)
        Effect origin of each installation (footprint centroid), NaN without geometry. [m]
    notes : list of str
        Values estimated because the data were missing (Chinese).
    """

    crs: Any
    ids: np.ndarray
    names: np.ndarray
    ent: np.ndarray
    rows: list[dict[str, Any]]
    classes: np.ndarray
    volumes: np.ndarray
    footprints: np.ndarray
    has_geom: np.ndarray
    origins: np.ndarray
    notes: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def _read_units(park: Any) -> _Units:
    """The installations of ``park`` (a :class:`geodata.Park` or its installation GeoDataFrame) in its metric CRS."""
    import shapely

    from geodata.crs import require_metric

    inst = park.metric("installations") if hasattr(park, "metric") else park
    crs = inst.crs
    require_metric(inst, what="installations")
    inst = inst.reset_index(drop=True)
    n = len(inst)
    ids = inst["unit_id"].astype(str).to_numpy()
    if len(set(ids)) != n:
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].unique().tolist()
        raise AnalysisInputError(f"installations 设施编号 unit_id 重复：{dup} (duplicate unit_id)")
    rows = [_row_dict(inst.iloc[k]) for k in range(n)]
    notes: list[str] = []
    classes, volumes, fps = [], [], []
    for row in rows:
        c, note = _equipment_class(row)
        classes.append(c)
        if note:
            notes.append(note)
        v, note = _volume(row)
        volumes.append(v)
        if note:
            notes.append(note)
        fps.append(_footprint(row))
    return _Units(
        crs=crs,
        ids=ids,
        names=inst["name"].astype(str).to_numpy() if "name" in inst else ids,
        ent=inst["enterprise_id"].astype(str).to_numpy() if "enterprise_id" in inst else np.array([""] * n),
        rows=rows,
        classes=np.asarray(classes, dtype=str),
        volumes=np.asarray(volumes, dtype=float),
        footprints=np.array([f if f is not None else shapely.Point() for f in fps], dtype=object),
        has_geom=np.array([f is not None for f in fps]),
        origins=np.array([[f.centroid.x, f.centroid.y] if f is not None else [np.nan, np.nan] for f in fps]),
        notes=notes,
    )
