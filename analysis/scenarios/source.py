"""The release source: what is released, how much, in what state and where — the typed boundary of the scenarios.

:class:`ReleaseSource` is what :func:`~analysis.scenarios.source_term.source_term`,
:func:`~analysis.scenarios.effects.effect_field`, :func:`~analysis.scenarios.release.applicable_scenarios` and
:func:`~analysis.scenarios.zones.threat_zones` model. It is built from an installations row
(:meth:`ReleaseSource.from_installation`), a point (:meth:`ReleaseSource.at_point`) or a point of a pipeline
(:meth:`ReleaseSource.on_pipeline`), and checked on construction: every message names the source, the field and the
value. Those functions still accept an installations row and convert it here (:func:`as_release_source`), so an
installation record is read in one place only: a missing value, a NaN and a non-numeric entry are treated the same
way everywhere.

SI units: kg, Pa (absolute), K, m, m², m³; coordinates in metres in the park's metric CRS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import Point

from analysis._checks import finite_number
from analysis.constants import AMBIENT_TEMPERATURE, P_ATM
from analysis.errors import AnalysisInputError
from analysis.physics import substances

__all__ = ["PHASES", "ReleaseSource", "as_release_source"]

#: Phases of the stored material.
PHASES: tuple[str, ...] = ("liquid", "gas", "liquefied_gas", "solid")

#: The numbers of a release source: field -> (Chinese name, unit).
_NUMBERS: dict[str, tuple[str, str]] = {
    "inventory_kg": ("存量", "kg"),
    "pressure_pa": ("压力（绝压）", "Pa"),
    "temperature_k": ("温度", "K"),
    "volume_m3": ("容积", "m³"),
    "diameter_m": ("容器直径", "m"),
    "height_m": ("容器高度", "m"),
    "bund_area_m2": ("围堰面积", "m²"),
}


def _row_value(row, key: str, default=None):
    """``row[key]``, or ``default`` when the key is missing or the value is null (None, NaN, pd.NA, NaT)."""
    try:
        v = row[key]
    except (KeyError, IndexError, TypeError):
        return default
    try:
        if v is None or bool(pd.isna(v)):
            return default
    except (TypeError, ValueError):  # arrays, geometries and other objects are values
        pass
    return v.item() if isinstance(v, np.generic) else v


@dataclass(frozen=True)
class ReleaseSource:
    """Where a release happens and what is released, in SI units.

    Attributes
    ----------
    source_id : str
        The installation's ``unit_id``, ``"<pipeline_id>@<fraction>"`` for a point of a pipeline, or an id of the
        caller's choice.
    substance : str
        Name, alias or CAS number of the substance (as given; :attr:`substance_record` is its record).
    inventory_kg : float or None
        Mass that can be released. [kg] None only for an installation whose record has none: the source term
        then refuses it, while :func:`~analysis.scenarios.release.applicable_scenarios` does not need it.
    phase : str
        One of :data:`PHASES`.
    pressure_pa, temperature_k : float or None
        Storage pressure (absolute) [Pa] and temperature [K]. None only for an installation whose record has
        none (the source term refuses it; the applicable scenarios take 1 atm and 293.15 K).
    origin : (float, float)
        Position of the release in the park's metric CRS (the centroid of ``geometry``). [m]
    geometry : shapely geometry or None
        The installation's footprint, or the point of the release.
    volume_m3, diameter_m, height_m, bund_area_m2 : float or None
        Vessel volume [m³] (vessel burst), diameter and height [m] (liquid head above a hole), bund area [m²]
        (pool size); None when unknown or not a vessel.
    kind : str or None
        Kind of equipment (the installations layer's ``kind``; "pipe" for a pipeline).
    name : str
        Name shown to the user (the installation's name, "指定地点", the pipeline's name and position).
    label_zh : str
        How messages name the source ("设施 T-3", "管道 PL-01（50% 处）"); default "泄漏源 <source_id>".

    Raises
    ------
    analysis.errors.AnalysisInputError
        An empty or unknown substance (:class:`~analysis.errors.UnknownSubstanceError`), an unknown phase, or a
        number that is not finite and > 0 (an origin that is not finite); the message names the source, the
        field and the value.
    """

    source_id: str
    substance: str
    inventory_kg: float | None
    phase: str
    pressure_pa: float | None = P_ATM
    temperature_k: float | None = AMBIENT_TEMPERATURE
    origin: tuple[float, float] = (0.0, 0.0)
    geometry: Any = None
    volume_m3: float | None = None
    diameter_m: float | None = None
    height_m: float | None = None
    bund_area_m2: float | None = None
    kind: str | None = None
    name: str = ""
    label_zh: str = ""
    _record: Any = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_id", str(self.source_id))
        if not self.label_zh:
            object.__setattr__(self, "label_zh", f"泄漏源 {self.source_id}")
        label = self.label_zh
        if self.substance is None or str(self.substance).strip() == "":
            raise AnalysisInputError(f"{label} 的 substance 物质 为空 (substance is empty)")
        object.__setattr__(self, "_record", substances.get(str(self.substance)))
        if self.phase not in PHASES:
            raise AnalysisInputError(
                f"{label} 的 phase 相态={self.phase!r} 无效，应为 {list(PHASES)} 之一 (invalid phase)"
            )
        for key, (name_zh, unit) in _NUMBERS.items():
            value = getattr(self, key)
            if value is not None:
                v = finite_number(f"{label} 的 {key} {name_zh}", value, low=0.0, low_open=True, unit=unit)
                object.__setattr__(self, key, v)
        x, y = self.origin
        origin = tuple(finite_number(f"{label} 的 origin 位置", c, unit="m") for c in (x, y))
        object.__setattr__(self, "origin", origin)

    # ------------------------------------------------------------------------------------------- constructors
    @classmethod
    def from_installation(cls, row) -> ReleaseSource:
        """The release source of an installations row (a pandas Series or a mapping, in the park's metric CRS).

        Reads ``unit_id``, ``substance``, ``inventory_kg`` [kg], ``phase``, ``pressure_pa`` [Pa abs],
        ``temperature_k`` [K], ``volume_m3`` [m³], ``diameter_m`` [m], ``height_m`` [m], ``bund_area_m2`` [m²],
        ``kind``, ``name`` and ``geometry`` (its centroid is the origin; (0, 0) without a geometry). A missing or
        null value is None.
        """
        uid = str(_row_value(row, "unit_id", "?"))
        geom = _row_value(row, "geometry")
        if geom is None or getattr(geom, "is_empty", True):
            origin = (0.0, 0.0)
        else:
            c = geom.centroid
            origin = (float(c.x), float(c.y))
        kind = _row_value(row, "kind")
        return cls(
            source_id=uid,
            substance=_row_value(row, "substance"),
            phase=str(_row_value(row, "phase", "")),
            origin=origin,
            geometry=geom,
            kind=None if kind is None else str(kind),
            name=str(_row_value(row, "name", "")),
            label_zh=f"设施 {uid}",
            **{key: _row_value(row, key) for key in _NUMBERS},
        )

    @classmethod
    def at_point(
        cls,
        x: float,
        y: float,
        *,
        substance: str,
        inventory_kg: float,
        phase: str,
        pressure_pa: float = P_ATM,
        temperature_k: float = AMBIENT_TEMPERATURE,
        source_id: str | None = None,
        name: str = "指定地点",
        label_zh: str | None = None,
    ) -> ReleaseSource:
        """A release of ``inventory_kg`` [kg] of ``substance`` at the point (x, y) [m] of the park's metric CRS.

        No vessel data (no liquid head, no bund: a liquid spreads freely). ``source_id`` defaults to
        ``"P(x,y)"`` with the coordinates rounded to metres.
        """
        sid = source_id if source_id is not None else f"P({float(x):.0f},{float(y):.0f})"
        return cls(
            source_id=sid,
            substance=substance,
            inventory_kg=_required(sid, "inventory_kg", inventory_kg),
            phase=phase,
            pressure_pa=_required(sid, "pressure_pa", pressure_pa),
            temperature_k=_required(sid, "temperature_k", temperature_k),
            origin=(x, y),
            geometry=Point(float(x), float(y)),
            name=name,
            label_zh=label_zh or f"{name} {sid}",
        )

    @classmethod
    def on_pipeline(
        cls,
        pipeline_id: str,
        *,
        substance: str,
        inventory_kg: float,
        phase: str,
        pressure_pa: float,
        temperature_k: float = AMBIENT_TEMPERATURE,
        point=(0.0, 0.0),
        along: float | None = None,
        name: str = "",
    ) -> ReleaseSource:
        """A release from a pipeline at ``point`` ((x, y) [m] or a shapely Point in the park's metric CRS).

        ``inventory_kg`` is the line pack that can escape [kg] (the caller's choice: the whole line, or the
        isolatable length); ``pressure_pa`` the operating pressure (absolute) [Pa]. The pipe's diameter is not a
        vessel's: a pipeline source has no vessel data (no liquid head above a hole, no bund) and ``kind`` "pipe".
        ``along`` (fraction of the length, 0–1) is added to the id and the label.
        """
        pt = point if isinstance(point, Point) else Point(float(point[0]), float(point[1]))
        if along is None:
            sid, label = str(pipeline_id), f"管道 {pipeline_id}"
        else:
            sid, label = f"{pipeline_id}@{along:.2f}", f"管道 {pipeline_id}（{along * 100:.0f}% 处）"
        return cls(
            source_id=sid,
            substance=substance,
            inventory_kg=_required(sid, "inventory_kg", inventory_kg),
            phase=phase,
            pressure_pa=_required(sid, "pressure_pa", pressure_pa),
            temperature_k=_required(sid, "temperature_k", temperature_k),
            origin=(pt.x, pt.y),
            geometry=pt,
            kind="pipe",
            name=name,
            label_zh=label,
        )

    # ------------------------------------------------------------------------------------------------- reading
    @property
    def substance_record(self) -> substances.Substance:
        """The :class:`analysis.physics.substances.Substance` of :attr:`substance`."""
        return self._record

    def required(self, key: str) -> float:
        """The number ``key`` (a field of :data:`_NUMBERS`) that a model needs; refused when it is unknown.

        Raises
        ------
        analysis.errors.AnalysisInputError
            The value is None; the message names the source, the field and its unit.
        """
        value = getattr(self, key)
        if value is None:
            unit = _NUMBERS[key][1]
            raise AnalysisInputError(
                f"{self.label_zh} 缺少 {key}（{unit}），无法计算源项 (missing {key} [{unit}])"
            )
        return value


def _required(sid: str, key: str, value):
    if value is None:
        name_zh, unit = _NUMBERS[key]
        raise AnalysisInputError(f"泄漏源 {sid} 缺少 {key} {name_zh}（{unit}） (missing {key} [{unit}])")
    return value


def as_release_source(source) -> ReleaseSource:
    """``source`` itself when it is a :class:`ReleaseSource`, else the release source of an installations row."""
    return source if isinstance(source, ReleaseSource) else ReleaseSource.from_installation(source)
