"""Pasquill–Gifford stability class from routine surface observations by Turner's method.

Turner's method [1]_ estimates the net radiation at the ground from the solar altitude, the total cloud cover and
the ceiling height (the *net radiation index*, NRI, −2 … 4) and reads the stability class from the NRI and the wind
speed. parkrisk follows the form published in the EPA's meteorological monitoring guidance [2]_: Table 6-4
(Turner's key, NRI × wind speed), Table 6-5 (insolation class from the solar altitude) and Table 6-6 (the
procedure for the NRI).

Units and conventions (each a stated choice):

- Cloud cover is given in oktas (eighths, 0–8; the Chinese surface code 总云量 in tenths divided by 10 × 8 gives
  the same fraction); Turner's tenths are compared as fractions: "≤ 4/10" ⇔ oktas ≤ 3.2, "≤ 5/10" ⇔ oktas ≤ 4,
  "10/10" ⇔ 8 oktas.
- Ceilings of 7,000 ft and 16,000 ft are 2,134 m and 4,877 m. An unknown ceiling (``None``) is taken as below
  2,134 m (overcast sky → NRI 0, class D; a sky more than half covered by day → insolation class − 2).
- Wind speed in m/s is converted to knots and rounded to whole knots, the unit of Turner's key; the table's m/s
  column (0–0.7, 0.8–1.8, …, ≥ 6.0 m/s) follows from that rounding.
- Turner's class 7 (G, extremely stable) is reported as F: "for EPA regulatory modeling applications, stability
  categories 6 and 7 (F and G) are combined and considered category 6" [2]_ §6.4.1.
- Night is "from one hour before sunset to one hour after sunrise" [2]_ Table 6-6, step 2; :func:`turner_stability`
  takes it as ``night`` (default: the sun at or below the horizon) and
  :func:`analysis.weather.rose_from_observations` computes it from the times of sunrise and sunset.

References
----------
.. [1] Turner, D. B. (1964). A diffusion model for an urban area. Journal of Applied Meteorology 3, 83–91
       (net radiation index from solar altitude, cloud cover and ceiling; stability class from it and the wind).
.. [2] US EPA (2000). Meteorological Monitoring Guidance for Regulatory Modeling Applications, EPA-454/R-99-005,
       §6.4.1 Turner's method: Table 6-4 (Turner's key to the P-G stability categories), Table 6-5 (insolation
       class as a function of solar altitude), Table 6-6 (procedure for determining the net radiation index).
"""

from __future__ import annotations

import math

__all__ = ["TURNER_KEY", "insolation_class", "net_radiation_index", "turner_stability"]

KNOT = 0.514444  # [m/s] per knot (1852 m / 3600 s)
FT = 0.3048  # [m] per foot
CEILING_LOW_M = 7000 * FT  # 2,133.6 m ([2] Table 6-6, 7,000 ft)
CEILING_MID_M = 16000 * FT  # 4,876.8 m ([2] Table 6-6, 16,000 ft)

#: [2] Table 6-4, Turner's key: rows by wind speed (upper bound in whole knots), columns NRI 4, 3, 2, 1, 0, −1, −2;
#: classes 1 = A … 6 = F, 7 = G (reported as F).
_KEY_ROWS_KT = (1, 3, 5, 6, 7, 9, 10, 11, math.inf)  # 0–1, 2–3, 4–5, 6, 7, 8–9, 10, 11, ≥ 12 kt
TURNER_KEY: tuple[tuple[int, ...], ...] = (
    (1, 1, 2, 3, 4, 6, 7),
    (1, 2, 2, 3, 4, 6, 7),
    (1, 2, 3, 4, 4, 5, 6),
    (2, 2, 3, 4, 4, 5, 6),
    (2, 2, 3, 4, 4, 4, 5),
    (2, 3, 3, 4, 4, 4, 5),
    (3, 3, 4, 4, 4, 4, 5),
    (3, 3, 4, 4, 4, 4, 4),
    (3, 4, 4, 4, 4, 4, 4),
)
_NRI_COLUMNS = (4, 3, 2, 1, 0, -1, -2)
_LETTERS = "ABCDEFF"  # class 7 (G) -> F, [2] §6.4.1


def insolation_class(solar_elevation_deg: float) -> int:
    """Insolation class number from the solar altitude ([2]_ Table 6-5).

    Parameters
    ----------
    solar_elevation_deg : float
        Solar altitude above the horizon. [°]

    Returns
    -------
    int
        4 strong (> 60°), 3 moderate (35–60°), 2 slight (15–35°), 1 weak (≤ 15°).
    """
    a = float(solar_elevation_deg)
    return 4 if a > 60.0 else 3 if a > 35.0 else 2 if a > 15.0 else 1


def net_radiation_index(
    *,
    solar_elevation_deg: float,
    cloud_cover_oktas: float,
    ceiling_m: float | None = None,
    night: bool | None = None,
) -> int:
    """Turner's net radiation index, −2 … 4 ([2]_ Table 6-6; parameters as :func:`turner_stability`)."""
    cc = float(cloud_cover_oktas) / 8.0  # fraction of the sky
    low = ceiling_m is None or float(ceiling_m) < CEILING_LOW_M
    if cc >= 1.0 and low:
        return 0  # step 1: 10/10 below 7,000 ft, day or night
    if night if night is not None else float(solar_elevation_deg) <= 0.0:
        return -2 if cc <= 0.4 else -1  # step 2
    ic = insolation_class(solar_elevation_deg)  # step 3a
    if cc <= 0.5:
        return ic  # step 3b
    if low:  # step 3c (1)
        ic -= 2
    else:
        if float(ceiling_m) < CEILING_MID_M:  # step 3c (2)
            ic -= 1
        if cc >= 1.0:  # step 3c (3): 10/10 with a ceiling of 7,000 ft or more
            ic -= 1
    return max(ic, 1)  # step 3c (5)


def turner_stability(
    *,
    wind_speed: float,
    solar_elevation_deg: float,
    cloud_cover_oktas: float,
    ceiling_m: float | None = None,
    night: bool | None = None,
) -> str:
    """Pasquill–Gifford stability class "A" … "F" by Turner's method ([1]_; [2]_ Tables 6-4 to 6-6).

    Parameters
    ----------
    wind_speed : float
        Wind speed at 10 m. [m/s]
    solar_elevation_deg : float
        Solar altitude above the horizon at the time of the observation. [°]
    cloud_cover_oktas : float
        Total cloud cover, 0–8. [okta]
    ceiling_m : float or None
        Ceiling height (base of the lowest layer covering more than half the sky); None: unknown, taken as below
        2,134 m. [m]
    night : bool or None
        Turner's night (one hour before sunset to one hour after sunrise); None: night when the sun is at or below
        the horizon.

    Returns
    -------
    str
        "A" … "F" (Turner's class G is reported as F).

    Raises
    ------
    ValueError
        A value outside its range (the message names the field, the value and the allowed range).
    """
    u = float(wind_speed)
    if not (math.isfinite(u) and u >= 0):
        raise ValueError(f"wind_speed 风速={wind_speed!r} 应为 ≥ 0 的有限数 [m/s]")
    el = float(solar_elevation_deg)
    if not (math.isfinite(el) and -90.0 <= el <= 90.0):
        raise ValueError(f"solar_elevation_deg 太阳高度角={solar_elevation_deg!r} 应在 −90…90 之间 [°]")
    cc = float(cloud_cover_oktas)
    if not (math.isfinite(cc) and 0.0 <= cc <= 8.0):
        raise ValueError(
            f"cloud_cover_oktas 总云量={cloud_cover_oktas!r} 应在 0–8 之间 [okta]（天空不明请删除该条观测）"
        )
    if ceiling_m is not None and not (math.isfinite(float(ceiling_m)) and float(ceiling_m) >= 0):
        raise ValueError(f"ceiling_m 云底高度={ceiling_m!r} 应为 ≥ 0 的有限数 [m]，未知时请留空")
    nri = net_radiation_index(solar_elevation_deg=el, cloud_cover_oktas=cc, ceiling_m=ceiling_m, night=night)
    kt = math.floor(u / KNOT + 0.5)  # Turner's key is in whole knots (half up)
    row = next(i for i, b in enumerate(_KEY_ROWS_KT) if kt <= b)
    return _LETTERS[TURNER_KEY[row][_NRI_COLUMNS.index(nri)] - 1]
