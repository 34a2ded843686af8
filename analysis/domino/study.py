"""Domino-effect analysis of a park: options, result and :func:`analyze`, which runs the steps in order.

1. the installations as targets (:mod:`analysis.domino.units`);
2. the primary scenarios and their escalation vectors, and the loads footprint to footprint with the escalation
   probabilities of every credible target [1]_ [2]_ [3]_ (:mod:`analysis.domino.loads`);
3. the escalation graph (:mod:`analysis.domino.graph`);
4. the first-level combinations [2]_ and the multi-level Monte Carlo with the synergy of simultaneous fires, and
   the most probable chains [4]_ (:mod:`analysis.domino.propagation`);
5. the secondary-event frequencies that escalation adds (:mod:`analysis.domino.frequencies`);
6. the ranking of hubs and exposed units (:mod:`analysis.domino.graph`) and the measures that remove each edge
   (:mod:`analysis.domino.measures`).

References
----------
.. [1] Cozzani V., Gubinelli G., Salzano E. (2006). Escalation thresholds in the assessment of domino accidental
   events. J. Hazard. Mater. A129, 1–21 (threshold values per equipment category and primary scenario).
.. [2] Cozzani V., Gubinelli G., Antonioni G., Spadoni G., Zanelli S. (2005). The assessment of risk caused by
   domino effect in quantitative area risk analysis. J. Hazard. Mater. A127, 14–30 (Table 2: time-to-failure
   correlations and probit models; combinatorial first-level method, Eq. 1–3).
.. [3] Cozzani V., Salzano E. (2004). The quantitative assessment of domino effects caused by overpressure.
   Part I. Probit models. J. Hazard. Mater. A107, 67–80 (equipment-category probits, Y = a + b ln ΔP, ΔP in Pa).
.. [4] Khakzad N., Khan F., Amyotte P., Cozzani V. (2013). Domino effect analysis using Bayesian networks.
   Risk Anal. 33(2), 292–306 (multi-level propagation; most probable domino path).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis._checks import choice, finite_number
from analysis.domino.frequencies import _secondary_frequencies
from analysis.domino.graph import _escalation_graph, _ranking
from analysis.domino.loads import _edge_table, _heat_load_table, _primary_scenarios
from analysis.domino.measures import _measures_table
from analysis.domino.models import PRIMARY_KINDS, _model
from analysis.domino.propagation import _propagate
from analysis.domino.units import _read_units
from analysis.errors import AnalysisInputError

log = logging.getLogger(__name__)

__all__ = ["DominoOptions", "DominoResult", "analyze"]


def _default_weather():
    from analysis.scenarios import Weather

    return Weather(wind_speed=2.0, wind_from_deg=0.0, stability="D")


@dataclass(frozen=True)
class DominoOptions:
    """Options of :func:`analyze` (all explicit, no hidden constants).

    Attributes
    ----------
    model : str
        Key of :data:`ESCALATION_MODELS` (thresholds and probits).
    weather : analysis.scenarios.Weather
        Weather of the primary scenarios (pool-fire tilt, transmissivity). Default 2 m/s, D, 20 ℃, 70 %.
    direction : str
        "worst" (default): each target is loaded as if it lay downwind of the source (the most severe direction;
        the map is then independent of the wind direction); "weather": the actual direction from ``weather``.
    scenarios : tuple of str
        Primary scenario kinds considered (subset of :data:`PRIMARY_KINDS`).
    scenario_kwargs : mapping
        Extra :class:`analysis.scenarios.Scenario` arguments per kind (e.g. ``{"jet_fire": {"hole_diameter": 0.05}}``).
    max_level : int
        Deepest escalation level simulated (1 = first level only).
    n_samples : int
        Monte Carlo samples per primary event.
    seed : int
        Seed of the Monte Carlo generator (results are reproducible).
    min_probability : float
        Escalation probabilities below it are dropped from the graph. [-]
    max_combination_targets : int
        Largest number of first-level targets enumerated exactly (2ⁿ combinations).
    top_combinations : int
        Combinations kept per primary event.
    top_chains : int
        Most probable chains kept per primary event.
    profile_r_max : float
        Range of the tabulated load profiles. [m]
    profile_points : int
        Points of the tabulated load profiles.
    synergy : bool
        Levels ≥ 2 of the Monte Carlo sum the heat radiation of all stationary fires burning at that level (the
        primary one if it is a pool or jet fire, and every failed unit's pool/jet fire) on each target and apply the
        threshold and probit to the sum (the synergistic effect of [4]_); a target therefore fails at the first
        level where P(total flux) exceeds its sampled resistance. Instantaneous scenarios (fireball, VCE, vessel
        burst) act once, at the level where their unit fails. ``False``: each failed unit acts alone through its
        most probable scenario (independent edges).
    synergy_min_heat_flux : float
        Heat loads below it are not kept for the summation. [W/m²]
    """

    model: str = "cozzani2005"
    weather: Any = field(default_factory=_default_weather)
    direction: str = "worst"
    scenarios: tuple[str, ...] = tuple(PRIMARY_KINDS)
    scenario_kwargs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_level: int = 4
    n_samples: int = 4000
    seed: int = 20240601
    min_probability: float = 1e-6
    max_combination_targets: int = 16
    top_combinations: int = 10
    top_chains: int = 5
    profile_r_max: float = 5000.0
    profile_points: int = 600
    synergy: bool = True
    synergy_min_heat_flux: float = 1000.0

    def __post_init__(self) -> None:
        _model(self.model)
        choice("direction", self.direction, ("worst", "weather"))
        for kind in self.scenarios:
            choice("scenarios", kind, PRIMARY_KINDS)
        for name, lo in (
            ("max_level", 1),
            ("n_samples", 1),
            ("max_combination_targets", 0),
            ("top_combinations", 1),
            ("top_chains", 1),
            ("profile_points", 10),
        ):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < lo:
                raise AnalysisInputError(f"{name}={v!r} 无效，应为 ≥ {lo} 的整数 (must be an integer ≥ {lo})")
        if not (0 <= self.min_probability < 1):
            raise AnalysisInputError(
                f"min_probability={self.min_probability!r} 应在 [0, 1) 内 (must be in [0, 1))"
            )
        finite_number("profile_r_max", self.profile_r_max, low=0.0, low_open=True, unit="m")
        if not isinstance(self.synergy, (bool, np.bool_)):
            raise AnalysisInputError(f"synergy={self.synergy!r} 应为 True 或 False (must be True or False)")
        finite_number(
            "synergy_min_heat_flux", self.synergy_min_heat_flux, low=0.0, low_open=True, unit="W/m²"
        )


@dataclass
class DominoResult:
    """Result of :func:`analyze`.

    Attributes
    ----------
    graph : networkx.DiGraph
        Nodes keyed by unit_id (attributes name, enterprise_id, kind, equipment_class, x, y [m]); edge (i, j)
        attributes ``probability`` [-] (the largest over i's primary scenarios), ``scenario``, ``vector``,
        ``load`` [W/m² or Pa], ``crosses_enterprise``, ``weight`` = −ln(probability).
    edges : GeoDataFrame
        One row per (source, primary scenario, target) with a load above the target's threshold: source, target,
        scenario, scenario_zh, vector, load (held at the model's near-field value inside the source), load_unit,
        inside_source (the target point lies in the flame, cloud or blast charge: "位于火焰/云团/爆源范围内"),
        near_field_load (the model's stated near-field value, the largest load it gives), threshold,
        probability [-], ttf_s [s], distance_m
        (footprint gap) [m], load_distance_m (effect origin to target) [m], required_distance_m [m],
        extra_distance_m [m], load_reduction (threshold/load) [-], measure_zh, crosses_enterprise,
        source_enterprise, target_enterprise, target_equipment, model (key of :data:`ESCALATION_MODELS`);
        geometry = line between the footprints (metric CRS).
    primary_events : DataFrame
        Per (source, scenario): n_targets, expected_level1 [units], p_any_level1 [-], expected_total [units],
        p_any_total [-], levels_mean, frequency [1/a].
    involvement : DataFrame
        Per (source, scenario, unit): p_level1 [-], p_involved [-] (all levels, Monte Carlo).
    combinations : DataFrame
        Per (source, scenario): the most probable first-level combinations (targets, n, probability [-]).
    chains : DataFrame
        Per (source, scenario): the most probable chains (path, length, probability [-]).
    ranking : DataFrame
        Per unit: out_strength [units], out_degree, exposure [-], in_degree, expected_units_lost [units],
        crossing_edges, hub_rank, exposure_rank.
    measures : DataFrame
        The edges with the measure that would remove them (spacing distance, fire protection, blast wall).
    frequencies : DataFrame
        Secondary-event frequencies added by escalation: primary_unit, primary_scenario, f_primary [1/a], target,
        p_escalation [-] (first level), p_involved [-] (all levels), f_secondary [1/a] (= f_primary × p_involved),
        f_secondary_level1 [1/a].
    skipped : DataFrame
        unit_id, scenario, reason_zh of primary scenarios that could not be computed.
    crs : pyproj.CRS
    options : DominoOptions
    heat_loads : DataFrame
        Heat radiation of every stationary fire (pool/jet) on every unit it reaches with at least
        ``synergy_min_heat_flux`` — also below the thresholds — as summed by the synergy: source, scenario,
        target, heat_flux [W/m²]. Empty when ``synergy`` is off.
    """

    graph: Any
    edges: Any
    primary_events: pd.DataFrame
    involvement: pd.DataFrame
    combinations: pd.DataFrame
    chains: pd.DataFrame
    ranking: pd.DataFrame
    measures: pd.DataFrame
    frequencies: pd.DataFrame
    skipped: pd.DataFrame
    crs: Any
    options: DominoOptions
    heat_loads: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["source", "scenario", "target", "heat_flux"])
    )

    def chain_from(self, unit_id: str, scenario: str | None = None) -> pd.DataFrame:
        """Involvement of every unit for the primary events of ``unit_id`` (optionally one scenario)."""
        inv = self.involvement[self.involvement["source"] == unit_id]
        if scenario is not None:
            inv = inv[inv["scenario"] == scenario]
        return inv.sort_values("p_involved", ascending=False).reset_index(drop=True)


def _options(options: DominoOptions | None, overrides: Mapping[str, Any]) -> DominoOptions:
    """``options`` (default :class:`DominoOptions`) with the single fields of ``overrides`` replaced."""
    opts = options or DominoOptions()
    if overrides:
        try:
            opts = replace(opts, **overrides)
        except TypeError as exc:
            valid = sorted(DominoOptions.__dataclass_fields__)
            raise AnalysisInputError(
                f"analyze() 未知选项 {sorted(overrides)}，可用选项：{valid} ({exc})"
            ) from None
    return opts


def _reporter(progress: Callable[[float, str], None] | None) -> Callable[[float, str], None]:
    """``report(fraction, message_zh)``: calls ``progress`` with the fraction clipped to [0, 1], if given."""

    def report(frac: float, msg: str) -> None:
        if progress is not None:
            progress(min(max(frac, 0.0), 1.0), msg)

    return report


def analyze(
    park: Any,
    *,
    options: DominoOptions | None = None,
    progress: Callable[[float, str], None] | None = None,
    **overrides: Any,
) -> DominoResult:
    """Domino-effect analysis of a park: escalation vectors, probabilities, propagation, graph, measures, frequencies.

    Parameters
    ----------
    park : geodata.Park
        The park (its installations are read in the park's metric CRS).
    options : DominoOptions, optional
        All options; keyword overrides (``analyze(park, max_level=2)``) replace single fields.
    progress : callable, optional
        ``progress(fraction [0–1], message_zh)`` for long runs (the app's progress bar).

    Returns
    -------
    DominoResult

    Notes
    -----
    Loads come from :func:`analysis.scenarios.effect_field` for every applicable primary scenario of every
    installation (:func:`analysis.scenarios.applicable_scenarios`); scenarios whose consequence model is not
    available or whose inputs are incomplete are listed in ``skipped`` (with the reason) and left out.
    Primary frequencies come from :func:`analysis.qra.frequencies.outcomes` (Purple Book LOC frequencies × event tree),
    summed per unit and outcome; NaN where not covered (vessel burst, kinds without LOC data).

    References
    ----------
    See the module docstring ([1]_–[4]_ there).
    """
    opts = _options(options, overrides)
    report = _reporter(progress)
    units = _read_units(park)
    primaries, skipped = _primary_scenarios(units, opts, report)
    report(0.5, "计算设施间的荷载与升级概率…")
    edges, heat_rows = _edge_table(units, primaries, opts)
    report(0.7, "构建升级网络图…")
    g, kept = _escalation_graph(units, edges, opts.min_probability)
    primary_events, involvement, combinations, chains = _propagate(units, g, kept, heat_rows, opts, report)
    report(0.96, "计算多米诺升级附加的次生事故频率…")
    frequencies = _secondary_frequencies(units, primary_events, involvement)
    for note in units.notes:
        log.info(note)
    report(1.0, "完成")
    return DominoResult(
        graph=g,
        edges=edges,
        primary_events=primary_events,
        involvement=involvement,
        combinations=combinations,
        chains=chains,
        ranking=_ranking(units, g, primary_events),
        measures=_measures_table(edges),
        frequencies=frequencies,
        skipped=pd.DataFrame(skipped, columns=["unit_id", "scenario", "reason_zh"]),
        crs=units.crs,
        options=opts,
        heat_loads=_heat_load_table(units, heat_rows),
    )
