"""Emergency response to one release: threat zones, who is inside, where to go and by which road.

An emergency team needs, within a minute of a call, the zones of a release on the map, the people inside them
with the time the cloud arrives, and the way out. This module assembles that from the models that exist
elsewhere — it holds no physical model of its own. The package is split by concern:
:mod:`~analysis.emergency.release` (the source and how the material gets out), :mod:`~analysis.emergency.zones`
(threat zones, the wind-direction band), :mod:`~analysis.emergency.erg` (the ERG 2024 tables), :mod:`~analysis.emergency.people` (who is affected and what they
should do), :mod:`~analysis.emergency.routes` (roads, assembly points, routes) and
:mod:`~analysis.emergency.export` (GeoJSON and KML). Every public name is importable from here:

- the release (source term) and the effect fields come from :mod:`analysis.scenarios` (which calls the source,
  dispersion, fire and explosion models of :mod:`analysis.consequence` and the probits of
  :mod:`analysis.physics.vulnerability`); the footprints are contoured by :mod:`analysis.scenarios.zones`;
- :func:`toxic_zones` gives the AEGL-3/2/1 footprints of a release of a substance at any point (dense gas by
  Britter & McQuaid where the cloud is heavier than air, Gaussian otherwise, decided by :mod:`analysis.scenarios`);
- :func:`emergency_zones` gives, for an installation, a point or a point along a pipeline: the toxic zones, the
  wind-direction uncertainty band, the flammable (LFL, 60 % LFL) and fire/explosion zones where the substance
  burns, the initial isolation circle and the comparison with the Emergency Response Guidebook [1]_ [2]_;
- :func:`affected_targets` lists sensitive targets, buildings and installations inside the zones with their
  population at the given time, the cloud's arrival time, the concentration and dose there and a recommendation
  (evacuate or shelter in place, with the reason) [1]_ [5]_;
- :func:`road_graph` builds the road network (networkx);
- :func:`plan` (:mod:`~analysis.emergency.plan`) is the one call for an emergency team: nested zones, the listed
  targets with a level decided from the printed concentration, cloud arrival and passage, indoor dose (single-zone
  air-exchange box, :mod:`~analysis.emergency.protect`) and the recommendation with its numbers; assembly points
  outside every zone and routes that never enter the AEGL-2 zone or its band (:mod:`~analysis.emergency.egress`);
- :func:`to_geojson` and :func:`to_kml` export the briefing's geometry for field devices;
- :func:`pasquill_stability` and :func:`is_daytime` (the weather at the time of the release [5]_) live in
  :mod:`analysis.weather` and are re-exported here.

Conventions
-----------
Wind direction is where the wind comes FROM, clockwise from north (a north-east wind, 45°, carries the cloud to
the south-west, 225°). Coordinates are metres in the park's metric CRS (or local metres around ``source_xy`` in
:func:`toxic_zones`). SI units at every boundary.

Wind-direction uncertainty
--------------------------
Response tools draw the uncertainty of the wind direction around the footprint: ALOHA draws "wind direction
confidence lines" that enclose the area the footprint would cover, with 95 % confidence, if the wind direction
shifted [3]_. parkrisk draws the band as the union of the footprint turned through ±θ about the source
(``uncertainty_half_angle_deg``; default 22.5°, one point of the 16-point compass in which wind directions are
observed and reported [4]_). ALOHA's own angle depends on the wind speed and is not reproduced here: the value of
θ is a choice of ours, shown with the result.

References
----------
.. [1] US DOT PHMSA, Transport Canada, SCT Mexico, CIQUIME (2024). Emergency Response Guidebook 2024 (ERG 2024):
       Table 1 and Table 3 – Initial Isolation and Protective Action Distances (green pages; Table 3: large spills
       by container and wind class, :mod:`~analysis.emergency.erg`) and the white pages on protective actions
       (evacuation, shelter in place; day = sunrise to sunset).
.. [2] US DOT RSPA, Transport Canada, SCT Mexico (2004). Emergency Response Guidebook 2004, Table of Initial
       Isolation and Protective Action Distances.
.. [3] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). ALOHA (Areal Locations of Hazardous
       Atmospheres) 5.4.4 Technical Documentation. NOAA Technical Memorandum NOS OR&R 43 (threat zones, levels of
       concern, wind direction confidence lines).
.. [4] WMO (2018). Guide to Instruments and Methods of Observation (WMO-No. 8), Vol. I, chapter 5 (surface wind:
       direction reported in degrees or on the 16-point compass).
.. [5] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1 (key to the
       Pasquill stability categories from wind speed, insolation and night-time cloud cover).
.. [6] Britter, R. E., McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE Contract Research
       Report 17/1988 (via :mod:`analysis.physics.dispersion`).
"""

from __future__ import annotations

from analysis.emergency.erg import (
    ERG2024_CONTAINER_CAPACITY_KG,
    ERG_WIND_CLASSES_ZH,
    ErgContainer,
    erg_container,
    erg_spill_size,
    erg_table3,
    erg_wind_class,
)
from analysis.emergency.export import ZONE_COLORS, briefing_layers, to_geojson, to_kml
from analysis.emergency.people import DEFAULT_EVACUATION_TIME_S, RECOMMENDATIONS_ZH, affected_targets
from analysis.emergency.plan import DEFAULT_NIGHT_CLOUD_COVER, TRAVEL_MODES, EmergencyPlan, PlanOptions, plan
from analysis.emergency.protect import (
    DEFAULT_AIR_CHANGES_PER_HOUR,
    cloud_timing,
    indoor_concentration,
    indoor_dose,
    indoor_peak,
)
from analysis.emergency.release import (
    RELEASE_KINDS,
    Release,
    check_driving_pressure,
    point_conditions,
    release_source,
)
from analysis.emergency.routes import road_graph
from analysis.emergency.zones import (
    DEFAULT_ISOLATION_M,
    DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG,
    ERG_EDITIONS,
    ERG_SMALL_SPILL_M3,
    TOXIC_LEVEL_NAMES,
    EmergencyResult,
    emergency_zones,
    erg_comparison,
    erg_table,
    nest_levels,
    toxic_zones,
    wind_band,
)
from analysis.weather import DEFAULT_DAY_HOURS, INSOLATION_KINDS, is_daytime, pasquill_stability

__all__ = [
    "DEFAULT_NIGHT_CLOUD_COVER",
    "RELEASE_KINDS",
    "TOXIC_LEVEL_NAMES",
    "ERG_EDITIONS",
    "DEFAULT_UNCERTAINTY_HALF_ANGLE_DEG",
    "DEFAULT_ISOLATION_M",
    "DEFAULT_EVACUATION_TIME_S",
    "Release",
    "check_driving_pressure",
    "point_conditions",
    "EmergencyResult",
    "pasquill_stability",
    "is_daytime",
    "toxic_zones",
    "release_source",
    "emergency_zones",
    "wind_band",
    "erg_table",
    "erg_comparison",
    "erg_table3",
    "erg_wind_class",
    "erg_container",
    "erg_spill_size",
    "ErgContainer",
    "affected_targets",
    "road_graph",
    "briefing_layers",
    "to_geojson",
    "to_kml",
    "plan",
    "PlanOptions",
    "EmergencyPlan",
    "TRAVEL_MODES",
    "DEFAULT_AIR_CHANGES_PER_HOUR",
    "cloud_timing",
    "indoor_concentration",
    "indoor_peak",
    "indoor_dose",
    "nest_levels",
    # public constants outside the original list, used by the app, the tests and the benchmarks
    "DEFAULT_DAY_HOURS",
    "ERG_SMALL_SPILL_M3",
    "ERG_WIND_CLASSES_ZH",
    "ERG2024_CONTAINER_CAPACITY_KG",
    "INSOLATION_KINDS",
    "RECOMMENDATIONS_ZH",
    "ZONE_COLORS",
]
