"""Consequences and the risk kernel of one line: LOCs per metre, their outcomes, effects, zones and kernel.

:func:`pipeline_consequences` takes one row of the pipelines layer: the loss-of-containment events per metre (full-bore
rupture and leak, generic frequencies of :func:`analysis.qra.frequencies.loss_of_containment`, CPR 18E §3.2.4
[1]_), their outcomes through the event tree of :func:`analysis.qra.frequencies.loc_outcomes` (CPR 18E ch. 4
[1]_), the effects of each outcome through :func:`analysis.scenarios.effect_field`, hazard distances, and the
individual-risk kernel of the line (:class:`PipelineConsequences`).

References
----------
.. [1] CPR 18E (1999), Guidelines for quantitative risk assessment ("Purple Book"), §3.2.4 (pipes), chapter 4
   (event trees: Table 4.5 direct ignition, §4.8 flash fire / explosion of a delayed ignition).
.. [2] CCPS (1994), Guidelines for Evaluating the Characteristics of Vapor Cloud Explosions, Flash Fires, and
   BLEVEs: fireball duration (via :func:`analysis.physics.fire.fireball_duration`).
.. [3] IGEM/TD/2 (2nd ed., 2013), Assessing the risks from high pressure Natural Gas pipelines, Institution of Gas
   Engineers and Managers: an immediately ignited rupture of a natural-gas pipeline is modelled as a fireball
   followed by a crater (jet) fire — the pipeline-specific branch of the one event tree used here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from analysis import _checks
from analysis import scenarios as sc
from analysis._text import num_zh
from analysis.constants import AIR_MOLAR_MASS, AMBIENT_TEMPERATURE
from analysis.physics.fire import fireball_duration
from analysis.physics.substances import Substance
from analysis.pipelines.options import RiskOptions, default_weather_classes
from analysis.pipelines.segments import (
    line_type,
    maop_gauge,
    pipeline_phase,
    potential_impact_radius,
    substance_record,
)
from analysis.qra import frequencies as fq
from analysis.scenarios import zones as zn

__all__ = ["PipelineConsequences", "pipeline_consequences"]

_P_FLOOR = 1e-3  # probability of death below which a footprint is cut [-]
_PHASE_ZH = {"gas": "气相", "liquid": "液相", "liquefied_gas": "加压液化"}
_LOC_ZH = {"rupture": "全管径断裂", "leak": "泄漏（10 % 管径孔，最大 50 mm）"}
_OUTCOME_ZH = {
    "jet_fire": "喷射火",
    "fireball": "火球",
    "pool_fire": "池火",
    "flash_fire": "闪火",
    "vce": "蒸气云爆炸",
    "toxic_cloud": "有毒气云扩散",
}


def grid_sample(grid: np.ndarray, half: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear sample of a square grid over [-half, half]² (row i: y = −half + i·h; column j: x) at (x, y); 0 outside."""
    n = grid.shape[0]
    h = 2.0 * half / (n - 1)
    col = (x + half) / h
    row = (y + half) / h
    out = ndimage.map_coordinates(grid, [row.ravel(), col.ravel()], order=1, mode="constant", cval=0.0)
    return out.reshape(np.broadcast(x, y).shape)


def weather_groups(weather) -> dict[tuple, list[int]]:
    """Weather classes grouped by everything but the direction: (speed, stability, T, RH, terrain) -> indices."""
    groups: dict[tuple, list[int]] = {}
    for j, (w, _) in enumerate(weather):
        groups.setdefault(
            (w.wind_speed, w.stability, w.temperature_k, w.relative_humidity, w.terrain), []
        ).append(j)
    return groups


@dataclass(frozen=True)
class PipelineConsequences:
    """Consequences and risk kernel of one line (all its segments share them).

    Attributes
    ----------
    pipeline_id, name, substance, phase, line_type : str
    diameter_m : float
        [m]
    maop_gauge_pa : float
        [Pa]
    pir_m : float
        GB 32167 potential impact radius (natural-gas lines; NaN otherwise). [m]
    inventory_kg : float
        Line pack of the isolatable length. [kg]
    outcomes : pandas.DataFrame
        One row per LOC × outcome: loc (rupture/leak), loc_zh, outcome, outcome_zh, branch, probability,
        frequency_per_m_year [1/(m·a)], hole_diameter_m [m], rate_kg_s [kg/s], lethal_1pct_m (farthest downwind
        distance with probability of death ≥ 1 %, first weather class) [m], and the distances to the zone levels
        (``zone_levels`` text).
    zones : pandas.DataFrame
        Deterministic zone distances: loc, outcome, level, label_zh, threshold, unit, distance_m [m].
    kernel : ndarray
        Individual-risk kernel K(dx, dy) [1/(m·a)]: the risk at offset (dx east, dy north) from a release point, per
        metre of line (frequency per metre × probability of death, summed over outcomes and weather classes). Row i
        is dy = −R + i·h, column j is dx = −R + j·h (h = :attr:`kernel_spacing`).
    kernel_half_width : float
        R, the kernel covers [-R, R]². [m]
    footprints : tuple
        Per (outcome row, weather class): probability of death on the kernel grid in the wind frame (x downwind,
        y crosswind), used for the societal risk.
    assumptions : tuple of str
        Chinese lines.
    """

    pipeline_id: str
    name: str
    substance: str
    phase: str
    line_type: str
    diameter_m: float
    maop_gauge_pa: float
    pir_m: float
    inventory_kg: float
    outcomes: pd.DataFrame
    zones: pd.DataFrame
    kernel: np.ndarray = field(repr=False)
    kernel_half_width: float = 0.0
    footprints: tuple = field(default=(), repr=False)
    weather: tuple = field(default=(), repr=False)
    assumptions: tuple = ()

    @property
    def kernel_spacing(self) -> float:
        """Grid spacing of the kernel. [m]"""
        return 2.0 * self.kernel_half_width / (self.kernel.shape[0] - 1)

    def kernel_at(self, dx: Any, dy: Any) -> np.ndarray:
        """Risk kernel at offsets (dx east, dy north) from a release point, bilinear, 0 outside. [1/(m·a)]"""
        return grid_sample(self.kernel, self.kernel_half_width, np.asarray(dx, float), np.asarray(dy, float))


@dataclass(frozen=True)
class _Line:
    """One line as a release source: its contents, pressure, line pack and its :class:`~analysis.scenarios.ReleaseSource`."""

    pipeline_id: str
    substance: Substance
    phase: str
    line_type: str
    diameter_m: float
    maop_gauge_pa: float
    pir_m: float
    isolation_length_m: float
    density: float  # [kg/m³]
    inventory_kg: float
    buoyant: bool  # a gas lighter than air
    row: dict  # loss_of_containment row (unit_id, kind "pipe", diameter_m …)
    source: sc.ReleaseSource  # the line pack at the release point (no vessel data: a pipe has no liquid head)

    @classmethod
    def of(cls, pipeline: pd.Series, length_m: float, opt: RiskOptions) -> _Line:
        pid = str(pipeline.get("pipeline_id", "?"))
        sub = substance_record(pipeline["substance"])
        t_raw = pipeline.get("temperature_k")
        t = float(t_raw) if pd.notna(t_raw) else AMBIENT_TEMPERATURE
        p_abs = float(pipeline["pressure_pa"])
        d = float(pipeline["diameter_m"])
        if not (math.isfinite(d) and d > 0):
            raise _checks.AnalysisInputError(
                f"管道 {pid} 的 diameter_m 外径={d!r} 无效，应为正数 [m] (diameter must be > 0 m)"
            )
        phase = pipeline_phase(sub, temperature=t, pressure=p_abs)
        lt = line_type(sub)
        p_g = maop_gauge(p_abs)  # layer stores absolute pressure; Eq. (1) uses MAOP (gauge)
        iso = opt.isolation_length_m or float(length_m)
        rho = float(sub.gas_density(t, p_abs)) if phase == "gas" else float(sub.liquid_density_at(t))
        area = math.pi * d**2 / 4.0
        inventory = rho * area * iso
        row = {
            "unit_id": pid,
            "kind": "pipe",
            "substance": str(pipeline["substance"]),
            "phase": phase,
            "pressure_pa": p_abs,
            "temperature_k": t,
            "inventory_kg": float(inventory),
            "diameter_m": d,
            "geometry": shapely.Point(0.0, 0.0),
        }
        source = sc.ReleaseSource.on_pipeline(
            pid,
            substance=str(pipeline["substance"]),
            inventory_kg=float(inventory),
            phase=phase,
            pressure_pa=p_abs,
            temperature_k=t,
            point=(0.0, 0.0),
        )
        return cls(
            pipeline_id=pid,
            substance=sub,
            phase=phase,
            line_type=lt,
            diameter_m=d,
            maop_gauge_pa=float(p_g),
            pir_m=float(potential_impact_radius(d, p_g)) if lt == "gas" else math.nan,
            isolation_length_m=iso,
            density=rho,
            inventory_kg=float(inventory),
            buoyant=phase == "gas" and sub.molar_mass < AIR_MOLAR_MASS,
            row=row,
            source=source,
        )

    def fireball_mass(self, rate: float) -> float:
        """Mass of a fireball fed at ``rate`` [kg/s] for its own duration: m = rate · t(m), CCPS 1994 t [2]. [kg]"""
        m = min(rate * 10.0, self.inventory_kg)
        for _ in range(60):  # fixed point of m = rate · t(m); t ∝ m^(1/6) or m^(1/3): contracts
            m = min(rate * float(fireball_duration(m, model="ccps1994")), self.inventory_kg)
        return m


def _frequency_options(pid: str, opt: RiskOptions) -> fq.FrequencyOptions:
    """Generic pipe frequencies of ``opt.frequency_source``, with the user's per-metre rupture / leak overrides."""
    given = {(pid, "rupture"): opt.rupture_frequency_per_m_year, (pid, "leak"): opt.leak_frequency_per_m_year}
    return fq.FrequencyOptions(
        source=opt.frequency_source,
        overrides=fq.FrequencyOverrides.from_dict(
            {k: v for k, v in given.items() if v is not None}, {pid: "pipe"}
        ),
    )


def _event_tree(line: _Line, opt: RiskOptions) -> fq.EventTreeOptions:
    """The event-tree options for this line: no delayed ignition of a light gas unless asked for (RiskOptions)."""
    et = opt.event_tree or fq.EventTreeOptions()
    if line.buoyant and not opt.buoyant_gas_delayed_ignition:
        return replace(et, p_delayed_ignition=0.0)  # light-gas jet: no ground-level flash fire / VCE modelled
    return et


def pipeline_consequences(
    pipeline: pd.Series, *, length_m: float, options: RiskOptions | None = None
) -> PipelineConsequences:
    """Loss-of-containment events, outcomes, effects and the risk kernel of one line.

    - LOCs per metre: full-bore rupture (hole = outside diameter) and leak (10 % of the diameter, at most 50 mm), with
      the generic pipe frequencies of :func:`analysis.qra.frequencies.loss_of_containment` (CPR 18E §3.2.4 [1]_) unless
      overridden in ``options``.
    - Outcomes: the event tree of :func:`analysis.qra.frequencies.loc_outcomes` (direct ignition probability by the
      initial release rate, CPR 18E ch. 4 [1]_) — continuous releases: direct ignition → jet fire (gas, liquefied
      gas) or pool fire (liquid); delayed ignition → flash fire / VCE (0.6 / 0.4), not for a gas lighter than air
      unless ``options.buoyant_gas_delayed_ignition``; toxic substances unignited → toxic cloud. A natural-gas
      line's rupture with direct ignition is taken as a fireball fed at the initial outflow for its own duration
      (m = rate · t(m), CCPS 1994 duration [2]_), as pipeline practice models it [3]_; the stationary-unit tree of
      CPR 18E [1]_ gives a jet fire there, which for a buried line would put a free jet flame high above the
      ground and drop the line's direct-ignition risk to almost nothing.
    - Effects: :func:`analysis.scenarios.effect_field` for each outcome (the source, fire, explosion, dispersion and
      vulnerability models of :mod:`analysis`), the release at the initial rate from the line pack of the isolatable
      length.

    Parameters
    ----------
    pipeline : pandas.Series
        One row of the pipelines layer (``substance``, ``diameter_m`` [m], ``pressure_pa`` [Pa abs],
        ``temperature_k`` [K] …).
    length_m : float
        Length of the line. [m]
    options : RiskOptions, optional

    Returns
    -------
    PipelineConsequences
    """
    opt = options or RiskOptions()
    weather = opt.weather or default_weather_classes()
    line = _Line.of(pipeline, length_m, opt)
    locs = fq.loss_of_containment(
        line.row, options=_frequency_options(line.pipeline_id, opt), pipe_length_m=1.0
    )  # per metre of line
    hz = fq.substance_hazard(str(pipeline["substance"]))
    et = _event_tree(line, opt)
    # deterministic distances along the downwind axis: fields of the first weather class, read in the wind frame
    w0 = weather[0][0].weather_class
    recs, zone_recs = [], []
    fields: list[tuple[int, Any, dict]] = []
    for loc in locs:
        rate = float(
            sc.source_term(line.source, sc.Scenario("jet_fire", hole_diameter=loc.hole_diameter_m), w0).rate
        )
        for o in fq.loc_outcomes(loc, hazard=hz, phase=line.phase, rate_kg_s=rate, event_tree=et):
            if o.outcome == "jet_fire" and line.line_type == "gas" and loc.loc == "rupture":
                o = replace(o, outcome="fireball")  # pipeline branch of the event tree, IGEM/TD/2 [3]
            rec, scen, rel_src, zones = _outcome_effects(o, rate, loc.source, line, w0, opt)
            recs.append(rec)
            fields.append((len(recs) - 1, scen, rel_src))
            zone_recs += zones
    outcomes = pd.DataFrame(recs)
    kernel, half, footprints = _kernel(fields, outcomes, weather, opt)
    return PipelineConsequences(
        pipeline_id=line.pipeline_id,
        name=str(pipeline.get("name", "")),
        substance=str(pipeline["substance"]),
        phase=line.phase,
        line_type=line.line_type,
        diameter_m=line.diameter_m,
        maop_gauge_pa=line.maop_gauge_pa,
        pir_m=line.pir_m,
        inventory_kg=line.inventory_kg,
        outcomes=outcomes,
        zones=pd.DataFrame(zone_recs),
        kernel=kernel,
        kernel_half_width=half,
        footprints=footprints,
        weather=tuple(weather),
        assumptions=_assumptions(line, recs, hz, opt),
    )


def _outcome_effects(o: fq.Outcome, rate: float, source: str, line: _Line, w0, opt: RiskOptions):
    """The effect model of one outcome: its outcome record, scenario, release source and zone distances.

    ``rate`` is the initial outflow [kg/s], ``source`` the citation of the LOC frequency.
    """
    if o.outcome == "fireball":
        # rupture of a gas line, direct ignition: fireball fed at the initial outflow for its own duration
        # (m = rate · t_fb(m), CCPS 1994 duration), then the crater fire; see the assumptions
        scen, rel_src = sc.Scenario("fireball"), replace(line.source, inventory_kg=line.fireball_mass(rate))
    else:
        scen, rel_src = fq.to_scenario(o), line.source
    f0 = sc.effect_field(rel_src, scen, w0)
    x = np.geomspace(0.5, opt.max_range_m, 600)
    pdeath = np.asarray(f0.along_wind("probability_of_death", x, np.zeros_like(x)))
    lethal = float(x[pdeath >= 0.01].max()) if np.any(pdeath >= 0.01) else 0.0
    rec = {
        "loc": o.loc,
        "loc_zh": _LOC_ZH.get(o.loc, o.loc),
        "outcome": o.outcome,
        "outcome_zh": _OUTCOME_ZH[o.outcome],
        "branch": o.branch,
        "probability": o.probability,
        "frequency_per_m_year": o.frequency,
        "hole_diameter_m": o.hole_diameter_m,
        "rate_kg_s": rate,
        "lethal_1pct_m": lethal,
        "frequency_source": source,
    }
    zones = []
    if o.branch in ("direct", "none") or o.outcome in ("flash_fire", "vce"):
        zones = _zone_distances(f0, zn.default_levels(f0), o.loc, o.outcome, x)
    return rec, scen, rel_src, zones


def _assumptions(line: _Line, recs: list[dict], hz: fq.SubstanceHazard, opt: RiskOptions) -> tuple[str, ...]:
    """The Chinese lines that state the line's data and the modelling choices."""
    notes = [
        f"管道 {line.pipeline_id}：{line.substance.name_zh}，{_PHASE_ZH[line.phase]}，"
        f"外径 {line.diameter_m * 1e3:.0f} mm，最大允许操作压力 {line.maop_gauge_pa / 1e6:.2f} MPa（表压）",
        f"泄漏存量 = 隔断段 {line.isolation_length_m:,.0f} m 的管存 {line.inventory_kg:,.0f} kg"
        f"（密度 {num_zh(line.density)} kg/m³）",
        "泄漏按初始速率恒定计（不计管内降压），偏保守；全管径断裂按单端全截面孔口计（未计双端流出）",
    ]
    if line.line_type == "gas" and hz.flammable:
        rr = float(recs[0]["rate_kg_s"]) if recs else math.nan
        notes.append(
            f"天然气管道全管径断裂立即点火按火球计：火球质量 m 满足 m = 初始泄放速率 {rr:,.0f} kg/s × 火球持续时间 t(m)"
            f"（CCPS 1994 火球持续时间公式），得 m = {line.fireball_mass(rr):,.0f} kg；其后的坑内火不另计"
        )
    if line.buoyant and not opt.buoyant_gas_delayed_ignition:
        notes.append(
            "轻于空气的气体（摩尔质量 < 29 g/mol）高压射流迅速上升，地面高斯扩散模型会夸大地面可燃云范围：默认不计"
            "延迟点火的闪火/蒸气云爆炸（RiskOptions.buoyant_gas_delayed_ignition 可开启）"
        )
    return tuple(notes)


def _zone_distances(f, levels, loc: str, kind: str, x: np.ndarray) -> list[dict]:
    v = np.asarray(f.along_wind(f.quantity, x, np.zeros_like(x)))
    out = []
    for lv in levels:
        if lv.quantity != f.quantity:
            continue
        hit = v >= lv.threshold
        out.append(
            {
                "loc": loc,
                "loc_zh": _LOC_ZH.get(loc, loc),
                "outcome": kind,
                "outcome_zh": _OUTCOME_ZH[kind],
                "level": lv.name,
                "label_zh": lv.label_zh,
                "quantity": lv.quantity,
                "threshold": lv.threshold,
                "distance_m": float(x[hit].max()) if hit.any() else 0.0,
            }
        )
    return out


def _kernel(fields, outcomes: pd.DataFrame, weather, opt: RiskOptions):
    """Risk kernel over [-R, R]² (east/north) and per-outcome wind-frame footprints."""
    n = opt.kernel_points
    if not fields:
        return np.zeros((n, n)), 10.0, ()
    # one footprint per (outcome, speed/stability group): fields of the weather class, read in the wind frame
    groups = weather_groups(weather)
    wf = {}
    reach = 10.0
    r_axis = np.geomspace(0.5, opt.max_range_m, 400)
    for key in groups:
        wx = weather[groups[key][0]][0].weather_class
        for i, scen, rel_src in fields:
            f = sc.effect_field(rel_src, scen, wx)
            wf[(i, key)] = f
            for s_, c_ in ((r_axis, 0 * r_axis), (-r_axis, 0 * r_axis), (0 * r_axis, r_axis)):
                pdth = np.asarray(f.along_wind("probability_of_death", s_, c_))
                if np.any(pdth >= _P_FLOOR):
                    reach = max(reach, float(r_axis[pdth >= _P_FLOOR].max()))
    half = min(reach * 1.1, opt.max_range_m)
    g = np.linspace(-half, half, n)
    gx, gy = np.meshgrid(g, g)  # rows: y increasing; columns: x increasing
    kernel = np.zeros((n, n))
    footprints = []
    for (i, key), f in wf.items():
        fp = np.asarray(f.along_wind("probability_of_death", gx, gy), dtype=float)  # s = gx, c = gy
        fp = np.where(np.isfinite(fp), fp, 0.0)
        footprints.append((i, key, fp))
        fo = float(outcomes.loc[i, "frequency_per_m_year"])
        for j in groups[key]:
            w, pw = weather[j]
            beta = math.radians(w.downwind_bearing_deg)
            along = gx * math.sin(beta) + gy * math.cos(beta)  # offset (east, north) -> wind frame
            across = -gx * math.cos(beta) + gy * math.sin(beta)
            kernel += fo * pw * grid_sample(fp, half, along, across)
    return kernel, half, tuple(footprints)
