"""The release of an emergency: where it is (an installation, a point, a point along a pipeline) and how the
material gets out (through a hole, at a given rate, all at once).

:func:`release_source` builds the :class:`analysis.scenarios.ReleaseSource` that :mod:`analysis.scenarios` takes
(from an installation, a point or a point of a pipeline); :class:`Release` turns the way the material gets out into the :class:`analysis.scenarios.Scenario` of each outcome. SI units at
every boundary; coordinates in the park's metric CRS.

References
----------
.. [1] Committee for the Prevention of Disasters (2005). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), appendix G: instantaneous release of the whole inventory (G.1), continuous release at a
       constant rate (G.2), release duration at most 1800 s.
.. [2] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety, 3rd ed., §4-7 (flashing liquids): a
       liquefied gas stored at ambient temperature is held at its saturation (vapour) pressure; §4-2/§4-5 (liquid
       and gas discharge through a hole): the flow is driven by the pressure above ambient (and the liquid head).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from analysis import scenarios as sc
from analysis.constants import AMBIENT_TEMPERATURE, P_ATM, R_GAS
from analysis.physics import substances

__all__ = ["RELEASE_KINDS", "Release", "check_driving_pressure", "point_conditions", "release_source"]

#: Release kinds: all at once (G.1), at a constant rate for a duration, through a hole from the unit's conditions.
RELEASE_KINDS: dict[str, str] = {
    "hole": "孔口泄漏（按设施压力、温度）",
    "continuous": "连续泄漏（给定速率）",
    "instantaneous": "瞬时泄漏（全部存量）",
}


@dataclass(frozen=True)
class Release:
    """How the material gets out.

    Parameters
    ----------
    kind : str
        A key of :data:`RELEASE_KINDS`: "hole" (default: through a hole at the unit's pressure and temperature,
        source models of :mod:`analysis.physics.source` via :func:`analysis.scenarios.source_term`),
        "continuous" (at ``rate``) or "instantaneous" (the whole releasable mass at once, CPR 18E G.1).
    hole_diameter : float
        Effective hole diameter for "hole" (default 25 mm, a medium leak). [m]
    rate : float or None
        Release rate for "continuous". [kg/s]
    duration : float
        Longest release considered (default :data:`analysis.scenarios.MAX_RELEASE_DURATION_S`, the Purple Book's
        1800 s; ERG distances cover the first 30 min). [s]
    release_fraction : float
        Fraction of the inventory that can escape. [-]
    release_height : float
        [m]
    """

    kind: str = "hole"
    hole_diameter: float = 0.025
    rate: float | None = None
    duration: float = sc.MAX_RELEASE_DURATION_S
    release_fraction: float = 1.0
    release_height: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in RELEASE_KINDS:
            raise ValueError(
                f"kind 泄漏方式={self.kind!r} 无效，应为 {list(RELEASE_KINDS)} 之一 (must be one of {list(RELEASE_KINDS)})"
            )
        if self.kind == "hole" and not (math.isfinite(self.hole_diameter) and 0 < self.hole_diameter <= 5.0):
            raise ValueError(f"hole_diameter 泄漏孔径={self.hole_diameter!r} 应在 (0, 5] m 之间")
        if self.kind == "continuous" and not (
            self.rate is not None and math.isfinite(self.rate) and self.rate > 0
        ):
            raise ValueError(f"rate 泄漏速率={self.rate!r} 连续泄漏必须给出正的速率 [kg/s]")
        if not (math.isfinite(self.duration) and self.duration > 0):
            raise ValueError(f"duration 泄漏持续时间={self.duration!r} 必须为正 [s]")

    def scenario(self, kind: str) -> sc.Scenario:
        """The :class:`analysis.scenarios.Scenario` of outcome ``kind`` for this release (the scenario takes the
        releasable mass from the release source it is applied to, :func:`release_source`)."""
        common = dict(
            release_fraction=self.release_fraction,
            release_height=self.release_height,
            max_duration=self.duration,
        )
        if self.kind == "instantaneous":
            return sc.Scenario(kind, **common)
        if self.kind == "hole":
            return sc.Scenario(kind, hole_diameter=self.hole_diameter, **common)
        # The given rate until the releasable mass is gone or ``duration`` has passed (analysis.scenarios).
        return sc.Scenario(kind, release_rate=float(self.rate), **common)

    def describe_zh(self) -> str:
        if self.kind == "hole":
            s = f"孔口泄漏，孔径 {self.hole_diameter * 1e3:g} mm"
        elif self.kind == "continuous":
            s = f"连续泄漏，速率 {self.rate:g} kg/s"
        else:
            s = "瞬时泄漏（容器整体破裂）"
        return s + f"，最长持续 {self.duration / 60:g} min，泄漏比例 {self.release_fraction:g}"


def release_source(
    park,
    *,
    unit_id: str | None = None,
    point: tuple[float, float] | None = None,
    pipeline_id: str | None = None,
    along: float = 0.5,
    substance: str | None = None,
    inventory_kg: float | None = None,
    phase: str | None = None,
    pressure_pa: float | None = None,
    temperature_k: float | None = None,
) -> sc.ReleaseSource:
    """The release source, in the park's metric CRS.

    Exactly one of ``unit_id`` (an installation: substance, inventory and conditions prefilled from its
    attributes; the keyword arguments override them), ``point`` (x, y in the park's metric CRS [m]; substance and
    inventory required) or ``pipeline_id`` (the point at fraction ``along`` of the pipeline's length; substance,
    pressure and diameter from the pipeline).

    For a pipeline: the phase is "gas" when the substance boils below the temperature (default
    :data:`analysis.constants.AMBIENT_TEMPERATURE`, 293.15 K) and the pressure is below its vapour pressure,
    "liquefied_gas" when it boils below the temperature but is held above its vapour pressure, else "liquid"; the
    inventory is the content of the whole line (π/4 D² L at the line's density) — an upper bound, since the
    release stops at the release duration anyway.

    Returns
    -------
    analysis.scenarios.ReleaseSource
        ``source_id`` (the unit id, ``"P(x,y)"`` or ``"<pipeline_id>@<along>"``), ``name``, ``substance``,
        ``inventory_kg`` [kg], ``phase``, ``pressure_pa`` [Pa abs], ``temperature_k`` [K], ``origin`` and
        ``geometry`` (metric CRS); an installation's vessel data.

    Raises
    ------
    ValueError
        Not exactly one source given, unknown id, or missing substance/inventory for a point.
    """
    given = [x is not None for x in (unit_id, point, pipeline_id)]
    if sum(given) != 1:
        raise ValueError(
            "请给出且只给出一个泄漏源：unit_id（设施）、point（坐标）或 pipeline_id（管道） (give exactly one source)"
        )
    if unit_id is not None:
        inst = park.metric("installations")
        hit = inst[inst["unit_id"].astype(str) == str(unit_id)]
        if hit.empty:
            known = inst["unit_id"].astype(str).tolist()
            raise ValueError(
                f"unit_id 设施编号={unit_id!r} 不存在；园区中的设施编号有：{', '.join(known[:20])} … (unknown unit id)"
            )
        overrides = {
            "substance": substance,
            "inventory_kg": inventory_kg,
            "phase": phase,
            "pressure_pa": pressure_pa,
            "temperature_k": temperature_k,
        }
        source = sc.ReleaseSource.from_installation(hit.iloc[0])
        return replace(source, **{k: v for k, v in overrides.items() if v is not None})
    if point is not None:
        if substance is None or inventory_kg is None:
            raise ValueError(
                "point 坐标泄漏源需要给出 substance 物质 和 inventory_kg 泄漏量 [kg] (substance and inventory required)"
            )
        sub = substances.get(str(substance))
        t = float(temperature_k or AMBIENT_TEMPERATURE)
        phase, pr = point_conditions(sub, t, phase=phase, pressure_pa=pressure_pa)
        return sc.ReleaseSource.at_point(
            float(point[0]),
            float(point[1]),
            substance=substance,
            inventory_kg=float(inventory_kg),
            phase=phase,
            pressure_pa=pr,
            temperature_k=t,
        )
    return _pipeline_source(
        park,
        pipeline_id,
        along=along,
        substance=substance,
        inventory_kg=inventory_kg,
        phase=phase,
        pressure_pa=pressure_pa,
        temperature_k=temperature_k,
    )


def _pipeline_source(
    park, pipeline_id: str, *, along: float, substance, inventory_kg, phase, pressure_pa, temperature_k
) -> sc.ReleaseSource:
    """The release source at fraction ``along`` of a pipeline (see :func:`release_source`)."""
    pipes = park.metric("pipelines")
    hit = pipes[pipes["pipeline_id"].astype(str) == str(pipeline_id)] if pipes is not None else pipes
    if hit is None or hit.empty:
        known = [] if pipes is None else pipes["pipeline_id"].astype(str).tolist()
        raise ValueError(
            f"pipeline_id 管道编号={pipeline_id!r} 不存在；园区中的管道有：{', '.join(known)} (unknown pipeline)"
        )
    if not (0.0 <= float(along) <= 1.0):
        raise ValueError(f"along 管道位置比例={along!r} 应在 0–1 之间 (fraction of the length)")
    p = hit.iloc[0]
    sub = substances.get(str(substance or p["substance"]))
    t = float(temperature_k or AMBIENT_TEMPERATURE)
    phase, pr = point_conditions(sub, t, phase=phase, pressure_pa=pressure_pa or p["pressure_pa"])
    d = float(p["diameter_m"])
    length = float(p.geometry.length)
    rho = (
        (pr * sub.molar_mass / (R_GAS * t))
        if phase == "gas"
        else float(sub.liquid_density_at(min(t, sub.critical_temperature - 1)))
    )
    inv = inventory_kg if inventory_kg is not None else math.pi / 4.0 * d * d * length * rho
    return sc.ReleaseSource.on_pipeline(
        pipeline_id,
        substance=sub.cas,
        inventory_kg=float(inv),
        phase=phase,
        pressure_pa=pr,
        temperature_k=t,
        point=p.geometry.interpolate(float(along), normalized=True),
        along=along,
        name=f"{p['name']}（{along * 100:.0f}% 处）",
    )


def point_conditions(
    sub,
    temperature_k: float = AMBIENT_TEMPERATURE,
    *,
    phase: str | None = None,
    pressure_pa: float | None = None,
) -> tuple[str, float]:
    """The phase and the pressure [Pa abs] of a release at a point or from a pipeline where the user gave none.

    With no pressure: a substance that boils below ``temperature_k`` [K] is a liquefied gas held at its vapour
    pressure at that temperature (Crowl & Louvar 2011 §4-7 [2]: liquid chlorine, ammonia …), any other substance a
    liquid at atmospheric pressure. With a pressure: a substance that boils below the temperature is a liquefied gas
    at or above its vapour pressure, else a gas; any other substance a liquid. A given ``phase`` is kept.
    """
    t = float(temperature_k)
    boils = sub.boiling_point < t and t < sub.critical_temperature
    if pressure_pa is None:
        pr = float(sub.vapour_pressure(t)) if boils and phase in (None, "liquefied_gas") else P_ATM
    else:
        pr = float(pressure_pa)
    if phase is None:
        if boils:
            phase = "liquefied_gas" if pr >= float(sub.vapour_pressure(t)) else "gas"
        else:
            phase = "gas" if sub.boiling_point < t else "liquid"
    return phase, pr


def check_driving_pressure(source: sc.ReleaseSource, release: Release) -> None:
    """Refuse, in Chinese, a release through a hole that nothing pushes out.

    A hole release needs a pressure above ambient or a liquid head (Crowl & Louvar 2011 §4-2, §4-5 [2]): a gas at
    atmospheric pressure, or a liquid below its boiling point at atmospheric pressure with no vessel height or
    diameter (a point or a pipeline source), does not flow. The message names the field, the value and the fix.

    Raises
    ------
    ValueError
        When ``release`` is a hole release and the source has no driving pressure.
    """
    if release.kind != "hole":
        return
    p = float(source.pressure_pa if source.pressure_pa is not None else P_ATM)
    if p > P_ATM * 1.001:
        return
    sub = source.substance_record
    t = float(source.temperature_k if source.temperature_k is not None else AMBIENT_TEMPERATURE)
    if source.phase == "gas":
        what = "气体"
    elif (
        source.phase == "liquid"
        and t <= sub.boiling_point
        and source.diameter_m is None
        and source.height_m is None
    ):
        what = "常压液体（无液柱高度数据）"
    else:
        return
    raise ValueError(
        f"{source.label_zh}：{sub.name_zh}为{what}，储存压力 {p / 1e6:.3f} MPa（绝压）不高于大气压，"
        f"经孔径 {release.hole_diameter * 1e3:g} mm 的孔口不会流出；请把“储存压力（MPa，绝压）”设为高于 "
        f"{P_ATM / 1e6:.3f} MPa 的实际值，或把“方式”改为“连续泄漏（给定速率）”或“瞬时泄漏（全部存量）”"
    )
