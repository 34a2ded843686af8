"""Protective action per target: when the cloud arrives and how long it stays, how long people need to get out,
the dose outdoors and indoors, and the recommendation (evacuate, shelter in place) with the numbers that decided it.

Models
------
**Cloud timing.** The cloud is carried at the 10 m wind speed ``u`` (the transport of the Gaussian plume and puff
and of the Britter–McQuaid plume [3]_; the Britter–McQuaid instantaneous cloud moves slower, so ``u`` gives it an
earlier, conservative arrival). Its front and tail are smeared along the wind by the Pasquill–Gifford puff
coefficient σx(s) = a s^b [4]_ (σx = σy, Slade 1968). At downwind distance ``s`` [m] a release of duration
``T_rel`` [s] is seen from the front one σx ahead of the mean transport to the tail one σx behind it::

    arrival  t_a = max(s − σx(s), 0) / u                      [s]
    duration T   = T_rel + 2 σx(s) / u                        [s]

**Indoor concentration.** A single-zone box with air-change rate λ [1/h] (the infiltration model of ALOHA [1]_,
after Wilson [2]_): ``dC_in/dt = λ (C_out − C_in)``, ``C_in(0) = 0``. For an outdoor step ``C_out`` during
``0 ≤ t ≤ T`` (then clean air), with ``k = λ / 3600`` [1/s]::

    C_in(t) = C_out (1 − e^(−k t))                       0 ≤ t ≤ T
    C_in(t) = C_out (1 − e^(−k T)) e^(−k (t − T))        t > T
    peak    = C_out (1 − e^(−k T))                       at t = T
    dose_in = ∫₀ᵀ C_in dt = C_out [T − (1 − e^(−k T)) / k]      [kg·s/m³]

The indoor dose is counted while the cloud passes: once it has passed, people air the building or leave it (ALOHA
[1]_: the indoor concentration stays high after the cloud has passed unless the building is ventilated). The
default λ = 0.5 /h stands for a closed modern building with doors and windows shut and ventilation off — a choice
of ours within the range of the air-change rates ALOHA estimates for closed buildings; set it per case.

**Decision** (ERG protective actions [5]_: evacuate when there is time, shelter in place when people cannot get out
before the cloud arrives):

1. nobody there at this time → "none" (keep people out);
2. exit time ``t_exit`` (warning/mobilisation time + road distance to the assembly point / speed) shorter than the
   arrival ``t_a`` → "evacuate" (priority 2): people are out before the cloud comes;
3. otherwise, indoor dose below the dose threshold ``C_AEGL-2 × 60 min`` (the AEGL-2 concentration held for its
   own duration, a concentration × time dose: Haber's rule, not a toxic load with the probit's n) → "shelter"
   (priority 3);
4. otherwise → "evacuate" at once with the highest priority (priority 1): sheltering would not protect them.

References
----------
.. [1] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). ALOHA (Areal Locations of Hazardous
       Atmospheres) 5.4.4 Technical Documentation. NOAA Technical Memorandum NOS OR&R 43, indoor concentration
       (infiltration of outdoor air at an air exchange rate, single well-mixed building volume).
.. [2] Wilson, D. J. (1986). Stay indoors or evacuate to avoid exposure to toxic gas? Petroleum Industry Annual
       Safety Seminar, Banff, Alberta (indoor/outdoor concentration ratio of a single-zone building).
.. [3] Britter, R. E., McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE CRR 17/1988; Crowl, D. A.,
       Louvar, J. F. (2011). Chemical Process Safety, 3rd ed., Eqs. 5-38 and 5-49 (transport at the wind speed).
.. [4] Crowl & Louvar (2011), Table 5-3 (puff dispersion coefficients, after Slade 1968).
.. [5] US DOT PHMSA, Transport Canada, SCT Mexico (2024). Emergency Response Guidebook 2024, protective actions
       (evacuation; shelter in place when evacuation cannot be completed before the cloud arrives).
"""

from __future__ import annotations

import math

import numpy as np

from analysis._text import num_zh
from analysis.physics import dispersion as disp

__all__ = [
    "DEFAULT_AIR_CHANGES_PER_HOUR",
    "AEGL_DURATION_S",
    "cloud_timing",
    "indoor_concentration",
    "indoor_peak",
    "indoor_dose",
    "decide",
]

#: Air changes per hour of a closed modern building (doors and windows shut, ventilation off): our default. [1/h]
DEFAULT_AIR_CHANGES_PER_HOUR = 0.5
#: Duration of the AEGL values used for the dose threshold (the 60-min AEGL). [s]
AEGL_DURATION_S = 3600.0


def _rate(ach: float) -> float:
    a = float(ach)
    if not (math.isfinite(a) and a > 0):
        raise ValueError(f"air_changes_per_hour 换气次数={ach!r} 必须为正的有限数 [1/h]")
    return a / 3600.0


def cloud_timing(
    s, wind_speed: float, release_duration: float, stability: str
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival time and passage duration of the cloud at downwind distances ``s`` (see module).

    Parameters
    ----------
    s : array_like
        Downwind distance from the source. [m]
    wind_speed : float
        Transport speed (10 m wind). [m/s]
    release_duration : float
        Duration of the release (0 for an instantaneous one). [s]
    stability : str
        Pasquill class (for σx).

    Returns
    -------
    arrival, duration : numpy.ndarray
        [s]
    """
    u = float(wind_speed)
    if not (math.isfinite(u) and u > 0):
        raise ValueError(f"wind_speed 风速={wind_speed!r} 必须为正 [m/s]")
    t_rel = float(release_duration)
    if not (math.isfinite(t_rel) and t_rel >= 0):
        raise ValueError(f"release_duration 泄漏持续时间={release_duration!r} 应为非负数 [s]")
    s = np.maximum(np.asarray(s, dtype=float), 0.0)
    sx, _, _ = disp.puff_sigmas(s, stability)
    sx = np.asarray(sx, dtype=float)
    return np.maximum(s - sx, 0.0) / u, t_rel + 2.0 * sx / u


def indoor_concentration(
    t, c_out, duration: float, air_changes_per_hour: float = DEFAULT_AIR_CHANGES_PER_HOUR
):
    """Indoor concentration of a single-zone box for an outdoor step ``c_out`` during ``0 ≤ t ≤ duration``.

    Parameters
    ----------
    t : array_like
        Time since the cloud arrived. [s]
    c_out : float or array_like
        Outdoor concentration while the cloud passes (any unit; the result has the same). [kg/m³]
    duration : float
        Passage duration. [s]
    air_changes_per_hour : float
        λ. [1/h]

    Returns
    -------
    numpy.ndarray
        C_in(t), zero before arrival. [unit of c_out]
    """
    k = _rate(air_changes_per_hour)
    t = np.asarray(t, dtype=float)
    big_t = float(duration)
    c = np.asarray(c_out, dtype=float)
    during = c * -np.expm1(-k * np.clip(t, 0.0, big_t))
    after = c * -np.expm1(-k * big_t) * np.exp(-k * np.maximum(t - big_t, 0.0))
    return np.where(t < 0, 0.0, np.where(t <= big_t, during, after))


def indoor_peak(c_out, duration, air_changes_per_hour: float = DEFAULT_AIR_CHANGES_PER_HOUR):
    """Largest indoor concentration, reached as the cloud leaves: ``c_out (1 − e^(−kT))``. [unit of c_out]"""
    k = _rate(air_changes_per_hour)
    return np.asarray(c_out, dtype=float) * -np.expm1(-k * np.asarray(duration, dtype=float))


def indoor_dose(c_out, duration, air_changes_per_hour: float = DEFAULT_AIR_CHANGES_PER_HOUR):
    """Indoor dose while the cloud passes: ``c_out [T − (1 − e^(−kT)) / k]``. [unit of c_out · s]"""
    k = _rate(air_changes_per_hour)
    big_t = np.asarray(duration, dtype=float)
    return np.asarray(c_out, dtype=float) * (big_t + np.expm1(-k * big_t) / k)


def decide(
    *,
    population,
    arrival_s: float,
    exit_time_s: float,
    indoor_dose_mg_s_m3: float,
    dose_threshold_mg_s_m3: float,
    indoor_peak_mg_m3: float,
    duration_s: float,
    route_note: str = "",
) -> tuple[str, int | None, str]:
    """The recommendation of one target by the rules of the module, with its reason in Chinese.

    Parameters
    ----------
    population : int or NA
        People there at this time. [人]
    arrival_s, exit_time_s, duration_s : float
        Cloud arrival, time to get out (inf when there is no safe road route), passage duration. [s]
    indoor_dose_mg_s_m3, dose_threshold_mg_s_m3 : float
        [mg·s/m³]
    indoor_peak_mg_m3 : float
        [mg/m³]
    route_note : str
        Why there is no route, or what the route does (added to the reason).

    Returns
    -------
    recommendation : str
        "evacuate", "shelter" or "none".
    priority : int or None
        1 evacuate at once, 2 evacuate, 3 shelter; None for "none".
    reason : str
    """
    ta, te = arrival_s / 60.0, exit_time_s / 60.0
    dose_min = indoor_dose_mg_s_m3 / 60.0
    thr_min = dose_threshold_mg_s_m3 / 60.0
    indoor = (
        f"室内（换气模型）峰值 {num_zh(indoor_peak_mg_m3)} mg/m³，烟云经过 {duration_s / 60:.0f} min 内室内剂量 "
        f"{num_zh(dose_min)} mg·min/m³，阈值（AEGL-2 × 60 min）{num_zh(thr_min)} mg·min/m³"
    )
    note = f"；{route_note}" if route_note else ""
    try:
        nobody = population is not None and int(population) == 0
    except (TypeError, ValueError):  # pandas NA: people unknown, treat as present
        nobody = False
    if nobody:
        return (
            "none",
            None,
            (
                f"此时段无人（人口为 0）：无需疏散；烟云约 {ta:.1f} min 后到达，封闭出入口，禁止人员进入，直至解除警报{note}"
            ),
        )
    if math.isfinite(exit_time_s) and exit_time_s < arrival_s:
        return (
            "evacuate",
            2,
            (
                f"撤离：烟云约 {ta:.1f} min 后到达，撤离到集合点需 {te:.1f} min（含预警动员时间），"
                f"可在烟云到达前撤出{note}"
            ),
        )
    late = f"撤离需 {te:.1f} min" if math.isfinite(exit_time_s) else "没有避开危险区的道路路线"
    if indoor_dose_mg_s_m3 < dose_threshold_mg_s_m3:
        return (
            "shelter",
            3,
            (
                f"就地避险：烟云约 {ta:.1f} min 后到达，{late}，来不及撤出；{indoor}，低于阈值："
                f"进入室内，关闭门窗、停止通风空调，烟云过后开窗通风或撤离{note}"
            ),
        )
    return (
        "evacuate",
        1,
        (
            f"立即撤离（最高优先级）：烟云约 {ta:.1f} min 后到达，{late}；{indoor}，超过阈值，就地避险不能保护："
            f"立即沿推荐路线横风向撤离{note}"
        ),
    )
