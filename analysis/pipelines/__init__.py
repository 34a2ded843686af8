"""Pipelines: segments, potential impact radius, rupture consequences, high-consequence areas, risk along the line.

What is here
------------
- :func:`potential_impact_radius` — the natural-gas potential impact radius of GB 32167-2015 Eq. (1) (= ASME B31.8S
  §3.2 / 49 CFR 192.903) [1]_ [2]_ [3]_.
- :func:`segment_pipelines` — each line cut into segments of a set length (50 m default) in the metric CRS, keeping
  the line's attributes (vectorised with shapely 2).
- :func:`pipeline_consequences` — per line: the loss-of-containment events per metre (full-bore rupture and leak,
  generic frequencies of :func:`analysis.qra.frequencies.loss_of_containment` / :func:`analysis.qra.frequencies.pipe_frequencies`,
  CPR 18E §3.2.4 [4]_), their outcomes (event tree of :mod:`analysis.qra.frequencies`), the effects of each outcome
  through :func:`analysis.scenarios.effect_field` (jet fire, fireball, pool fire, flash fire, VCE, toxic cloud — the
  models of :mod:`analysis.consequence`), hazard distances and a risk kernel.
- :func:`identify_hca` — high-consequence areas (高后果区) by GB 32167-2015 clause 6.1 Table 1 [1]_ with the location
  class (地区等级) of GB 50251-2015 §4.2 [5]_: grade, the rule that made it, and the targets that caused it.
- :func:`risk_transect`, :func:`individual_risk_grid`, :func:`societal_risk_per_km` — individual risk against the
  distance from the line, the line's contribution to a park individual-risk raster, and the F-N curve of each
  (sliding) kilometre [4]_ [6]_.
- :func:`segment_zones`, :func:`targets_in_zones` — the zones around a segment (1 % lethality reach, potential impact
  radius, 200 m corridor) and the sensitive targets inside them.
- :func:`assess` — all of it for a park in one call (what the page, the CLI and the bench use).

Modules: :mod:`.segments` (PIR, MAOP, phase, line type, segments), :mod:`.hca` (GB 32167 HCA), :mod:`.targets`
(target sampling, zones of a segment and the targets in them), :mod:`.options` (risk options, weather classes),
:mod:`.consequences` (consequences and risk kernel of a line), :mod:`.risk` (transect, raster, societal risk per km),
:mod:`.assess` (a park in one call). Every public name is re-exported here.

Conventions
-----------
SI at every public boundary. The pipelines layer stores ``pressure_pa`` as ABSOLUTE pressure (MAOP); the formulas
of GB 32167 / ASME B31.8S use the MAOP as a GAUGE pressure: the layer-level code here subtracts the atmospheric
pressure (101 325 Pa) before calling :func:`potential_impact_radius`, which takes gauge pressure.

References
----------
.. [1] GB 32167-2015 油气输送管道完整性管理规范 (Oil and gas pipeline integrity management specification), clause 6.1
   高后果区识别, Table 1 and Eq. (1) r = 0.099 √(d² p) (r in m, d outside diameter in mm, p MAOP in MPa). The
   standard's own text was not reachable to us when this was written; the formula and the table follow public
   transcriptions (see ``data/gb32167_2015_table1_hca.csv`` for which grades they disagree on).
.. [2] ASME B31.8S-2004, Managing System Integrity of Gas Pipelines, §3.2 (r = 0.69 √(p d²), r in ft, p in psig,
   d in in.), from C-FER Technologies, M. J. Stephens (2000), A Model for Sizing High Consequence Areas Associated
   with Natural Gas Pipelines, GRI-00/0189.
.. [3] 49 CFR 192.903 (US DOT PHMSA), definition "Potential impact radius": PIR = 0.69 √(p d²), p = MAOP [psig],
   d = nominal diameter [in]; PHMSA gas IMP FAQ-16 and inspection protocol A.02.
.. [4] CPR 18E (1999), Guidelines for quantitative risk assessment ("Purple Book"), §3.2.4 (pipes), chapter 4
   (event trees), and the transport part: the societal risk of a transport route or pipeline is expressed per
   kilometre of route.
.. [5] GB 50251-2015 输气管道工程设计规范, §4.2 地区等级划分: 200 m each side of the centre line, any 2 km length
   holding the most households; class 1 ≤ 15 households, class 2 15–100, class 3 ≥ 100, class 4 where buildings
   of four or more storeys are prevalent; boundaries at least 200 m from the nearest building (recalled, not
   confirmed against the text).
.. [6] Besluit externe veiligheid buisleidingen (Bevb, NL, 2011) and its Regeling (Revb): group risk of a pipeline
   assessed for the kilometre with the highest group risk, found by sliding a 1 km window along the route
   (recalled, not confirmed against the text).
"""

from __future__ import annotations

from analysis.pipelines.assess import PipelineAssessment, assess
from analysis.pipelines.consequences import PipelineConsequences, pipeline_consequences
from analysis.pipelines.hca import (
    FLAMMABLE_SITE_KINDS,
    HCA_GRADE_ZH,
    HCA_TABLE_CSV,
    HOUSEHOLD_CATEGORIES,
    LOCATION_CLASS_ZH,
    PERSONS_PER_HOUSEHOLD_CENSUS_2020,
    SPECIFIC_SITE_I,
    SPECIFIC_SITE_II,
    SPECIFIC_SITE_II_MIN_PEOPLE,
    HCAOptions,
    hca_stretches,
    hca_table,
    identify_hca,
    location_class,
    rule_text_zh,
)
from analysis.pipelines.options import (
    WEATHER_REDUCTIONS,
    RiskOptions,
    default_weather_classes,
    reduce_weather_classes,
    weather_classes_from_rose,
)
from analysis.pipelines.risk import individual_risk_grid, risk_transect, societal_risk_per_km
from analysis.pipelines.segments import (
    ATMOSPHERIC_PRESSURE,
    GAS_LINE_SUBSTANCES,
    LINE_TYPE_ZH,
    OIL_LINE_SUBSTANCES,
    PIR_COEFFICIENT_GB32167,
    line_type,
    maop_gauge,
    pipeline_phase,
    potential_impact_radius,
    segment_pipelines,
)
from analysis.pipelines.targets import HCA_CORRIDOR_M, sample_targets, segment_zones, targets_in_zones

__all__ = [
    "ATMOSPHERIC_PRESSURE",
    "FLAMMABLE_SITE_KINDS",
    "GAS_LINE_SUBSTANCES",
    "HCA_CORRIDOR_M",
    "HCA_GRADE_ZH",
    "HCA_TABLE_CSV",
    "HOUSEHOLD_CATEGORIES",
    "LINE_TYPE_ZH",
    "LOCATION_CLASS_ZH",
    "OIL_LINE_SUBSTANCES",
    "PERSONS_PER_HOUSEHOLD_CENSUS_2020",
    "PIR_COEFFICIENT_GB32167",
    "SPECIFIC_SITE_I",
    "SPECIFIC_SITE_II",
    "SPECIFIC_SITE_II_MIN_PEOPLE",
    "HCAOptions",
    "PipelineAssessment",
    "PipelineConsequences",
    "RiskOptions",
    "assess",
    "default_weather_classes",
    "reduce_weather_classes",
    "WEATHER_REDUCTIONS",
    "hca_stretches",
    "hca_table",
    "identify_hca",
    "individual_risk_grid",
    "line_type",
    "location_class",
    "maop_gauge",
    "pipeline_consequences",
    "pipeline_phase",
    "potential_impact_radius",
    "risk_transect",
    "rule_text_zh",
    "sample_targets",
    "segment_pipelines",
    "segment_zones",
    "societal_risk_per_km",
    "targets_in_zones",
    "weather_classes_from_rose",
]
