"""All of the pipelines layer for a park in one call: segments, HCA, consequences and the per-line summary.

What the page, the CLI and the bench use; the risk raster of the result is the ``pipelines`` contribution that
:mod:`analysis.qra.individual` accepts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError
from analysis.pipelines.consequences import PipelineConsequences, pipeline_consequences
from analysis.pipelines.hca import HCAOptions, hca_stretches, identify_hca
from analysis.pipelines.options import WEATHER_REDUCTIONS, RiskOptions, weather_classes_from_rose
from analysis.pipelines.risk import individual_risk_grid
from analysis.pipelines.segments import segment_pipelines

__all__ = ["PipelineAssessment", "assess"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineAssessment:
    """Everything :func:`assess` computes for a park's pipelines (metric CRS)."""

    segments: gpd.GeoDataFrame
    hca: gpd.GeoDataFrame
    consequences: dict
    summary: pd.DataFrame
    #: What the risk rests on: ``weather_source`` (the same sentence as
    #: :attr:`analysis.qra.individual.IndividualRisk.assumptions`), ``weather_reduction``, ``weather_classes``.
    assumptions: dict = field(default_factory=dict)

    def risk_raster(self, transform: Any, shape: tuple[int, int], crs: Any) -> np.ndarray:
        """Individual risk of the pipelines on a raster grid, [1/a] — the callable ``f(transform, shape, crs)``
        that :mod:`analysis.qra.individual` accepts as its ``pipelines`` contribution (see
        :func:`analysis.pipelines.individual_risk_grid`)."""
        return individual_risk_grid(
            self.segments, self.consequences, transform=transform, shape=shape, crs=crs
        )


def assess(
    park,
    *,
    segment_length: float = 50.0,
    hca_options: HCAOptions | None = None,
    risk_options: RiskOptions | None = None,
    pipeline_ids: tuple[str, ...] | None = None,
    weather: Any = None,
    weather_reduction: str = "none",
) -> PipelineAssessment:
    """Segments, HCA identification and consequences of all (or some) pipelines of a park.

    Lines with the same substance, diameter, pressure, temperature and (unless an isolation length is set) length
    share one consequence calculation. A line whose consequences cannot be computed (bad data) is logged and
    reported in the summary's ``error`` column; the others go on.

    Parameters
    ----------
    park : geodata.Park
    segment_length : float
        [m]
    hca_options : HCAOptions, optional
    risk_options : RiskOptions, optional
    pipeline_ids : tuple of str, optional
        Only these lines.
    weather : WindRose, DayNightWindRose, "generic" or None
        As :func:`analysis.qra.individual.individual_risk`: None takes the park's own rose (a park without one is
        refused with :class:`analysis.errors.MissingWeatherError`, whose message names the fix); ``"generic"`` the
        illustrative rose, picked explicitly. Ignored when ``risk_options.weather`` gives the classes.
    weather_reduction : str
        Key of :data:`analysis.pipelines.options.WEATHER_REDUCTIONS`: ``"none"`` (default: every class of the rose)
        or ``"speed_per_stability"`` (one representative speed per stability, directions kept; for large roses —
        on the demo park's 96-class rose it moved the 1e-6 /a area by −13 %, see ``bench/bench_pipelines.py``).

    Returns
    -------
    PipelineAssessment
        ``segments`` (with the HCA columns and, per segment, ``rupture_outcome_frequency`` /
        ``leak_outcome_frequency`` [1/a] and ``lethal_1pct_m`` [m]), ``hca`` (:func:`analysis.pipelines.hca_stretches`),
        ``consequences`` (pipeline_id -> :class:`analysis.pipelines.PipelineConsequences`), ``summary`` (one row per
        line).
    """
    risk_options, notes = _weather_options(park, risk_options, weather, weather_reduction)
    pl = park.metric("pipelines")
    if pipeline_ids is not None:
        unknown = set(pipeline_ids) - set(pl["pipeline_id"].astype(str))
        if unknown:
            raise AnalysisInputError(
                f"pipeline_ids 管道编号 {sorted(unknown)} 不存在；园区中的管道有 {sorted(pl['pipeline_id'].astype(str))}"
            )
        pl = pl[pl["pipeline_id"].astype(str).isin(pipeline_ids)]
    seg = segment_pipelines(pl, length=segment_length)
    roads = park.roads
    seg = identify_hca(
        seg,
        targets=park.metric("sensitive_targets"),
        installations=park.metric("installations"),
        roads=park.metric("roads") if roads is not None else None,
        options=hca_options,
    )
    cons: dict[str, PipelineConsequences] = {}
    cache: dict[tuple, PipelineConsequences] = {}
    rows = []
    for _, r in pl.iterrows():
        pid = str(r["pipeline_id"])
        length = float(r.geometry.length)
        key = (
            str(r["substance"]),
            float(r["diameter_m"]),
            float(r["pressure_pa"]),
            float(r.get("temperature_k") or 0),
            round(length, 3) if (risk_options is None or risk_options.isolation_length_m is None) else 0.0,
        )
        try:
            c = cache.get(key)
            if c is None:
                c = pipeline_consequences(r, length_m=length, options=risk_options)
                cache[key] = c
            c = c if c.pipeline_id == pid else replace(c, pipeline_id=pid, name=str(r.get("name", "")))
            cons[pid] = c
        except ValueError as exc:
            logger.warning("pipeline %s: consequences not computed: %s", pid, exc)
            rows.append({"pipeline_id": pid, "name": r.get("name", ""), "error": str(exc)})
            continue
        rows.append(_summary_row(r, pid, length, c))
    _per_segment_columns(seg, cons)
    return PipelineAssessment(
        segments=seg, hca=hca_stretches(seg), consequences=cons, summary=pd.DataFrame(rows), assumptions=notes
    )


def _weather_options(
    park: Any, options: RiskOptions | None, weather: Any, reduction: str
) -> tuple[RiskOptions, dict]:
    """The risk options with the weather classes of the park's rose (or the caller's), and what they rest on."""
    from analysis.qra.options import park_wind_rose

    opt = options or RiskOptions()
    if opt.weather is not None:
        return opt, {
            "weather_source": "调用者指定的气象类别（risk_options.weather）[weather classes passed by the caller]",
            "weather_reduction": WEATHER_REDUCTIONS["none"],
            "weather_classes": f"{len(opt.weather)} 个",
        }
    if reduction not in WEATHER_REDUCTIONS:
        raise AnalysisInputError(
            f"weather_reduction 气象类别合并方式={reduction!r} 无效，应为 {list(WEATHER_REDUCTIONS)} 之一"
        )
    rose, source = park_wind_rose(park, weather)
    full = weather_classes_from_rose(rose)
    classes = weather_classes_from_rose(rose, reduce=reduction)
    notes = {
        "weather_source": source,
        "weather_reduction": WEATHER_REDUCTIONS[reduction],
        "weather_classes": f"{len(classes)} 个（风玫瑰原有 {len(full)} 个）",
    }
    return replace(opt, weather=classes), notes


def _summary_row(r: pd.Series, pid: str, length: float, c: PipelineConsequences) -> dict:
    """One line of the summary: data of the line, PIR, harmful rupture frequency, 1 % lethality reach."""
    oc = c.outcomes
    return {
        "pipeline_id": pid,
        "name": r.get("name", ""),
        "substance": r["substance"],
        "phase": c.phase,
        "line_type": c.line_type,
        "length_m": length,
        "diameter_m": c.diameter_m,
        "maop_gauge_pa": c.maop_gauge_pa,
        "pir_m": c.pir_m,
        "rupture_outcome_frequency_per_m_year": float(
            oc.loc[oc["loc"] == "rupture", "frequency_per_m_year"].sum()
        )
        if len(oc)
        else 0.0,
        "lethal_1pct_m": float(oc["lethal_1pct_m"].max()) if len(oc) else 0.0,
        "error": "",
    }


def _per_segment_columns(seg: gpd.GeoDataFrame, cons: dict[str, PipelineConsequences]) -> None:
    """Add ``lethal_1pct_m`` [m] and ``rupture/leak_outcome_frequency`` [1/a] of its line to every segment."""
    seg["lethal_1pct_m"] = (
        seg["pipeline_id"]
        .astype(str)
        .map(
            {k: float(v.outcomes["lethal_1pct_m"].max()) if len(v.outcomes) else 0.0 for k, v in cons.items()}
        )
    )
    for loc in ("rupture", "leak"):
        per_m = {
            k: float(v.outcomes.loc[v.outcomes["loc"] == loc, "frequency_per_m_year"].sum())
            for k, v in cons.items()
        }
        seg[f"{loc}_outcome_frequency"] = seg["pipeline_id"].astype(str).map(per_m) * seg["length_m"]
