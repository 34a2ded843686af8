"""Vapour-cloud explosion blast: TNO multi-energy method and Baker-Strehlow-Tang (BST).

Both methods scale distance with the combustion energy E of the confined/congested part of the cloud
(Sachs scaling, r' = R / (E/p0)^(1/3)) and read a dimensionless side-on overpressure ΔP/p0 from a family of
curves: ten blast strengths (1 = weak deflagration ... 10 = detonation) for the multi-energy method, flame Mach
numbers for BST. Neither original gives equations, only charts; this module uses published mathematical fits of
those charts rather than hand-digitised points:

- multi-energy: the power-law fits of MSB B06-105 (Johansson 2017) [1]_, Eqs. (4.5)-(4.7), Tables 4.2 and 4.3,
  fitted to the Gexcon multi-energy calculator (a parametrisation of van den Berg 1985 [2]_); the author checked
  them against the calculator to "one or a few per cent" and notes that the earlier fits of Díaz Alonso et al.
  (2006) [3]_ contain errors for some strengths, which is why those are not used here;
- BST: the curve fits of the ALOHA 5.4.4 Technical Documentation [5]_, sect. 5.2, Table 15, for the Tang & Baker
  (1999) [6]_ curves of flame Mach 0.2, 0.35, 0.7 and 5.2; flame Mach numbers from the flame-speed table of
  Pierorazio et al. (2005) [4]_ (file ``analysis/data/pierorazio_2005_bst_flame_speed.csv``).

Assumptions (stated again in each docstring):

- multi-energy: E is used as given (MSB [1]_ Eqs. 4.2-4.3: E = 3.5 MJ/m³ × volume of the equivalent hemispherical
  charge); the fits hold from r' = 0.1 (left edge of the published charts) to Ps' = 0.001; nearer than 0.1 the value
  at 0.1 is used (strengths 1-9 are on their plateau there), farther than Ps' = 0.001 the last power law (≈ 1/r'
  acoustic decay) is extended. The strength-10 fit 0.43 r'^-2.35 diverges as r' -> 0; it is capped at Ps' = 10
  (≈ 1 MPa), the top of the published chart and the lower bound ">1000 kPa" of MSB [1]_ Table 4.1 — far above every
  lethality or damage threshold, so the cap changes no threat zone.
- BST: the energy is multiplied by a ground-reflection factor of 2 for a cloud at ground level, as CCPS (2010) and
  ALOHA [5]_ do; flame Mach numbers between two fitted curves are interpolated linearly in Mach (this overestimates
  the CCPS curves between Mach 0.7 and 5.2, see ``docs/validation/vce.md``); below Mach 0.2 the Mach 0.2 curve is
  used (conservative: the lowest curve that was fitted); above Mach 5.2 (Chapman-Jouguet detonation) is refused.

References
----------
.. [1] Johansson, M. (2017). *Beräkning av impulsbelastad konstruktion — B06-105 Beräkningsstöd: Gasexplosion i det
   fria*. Myndigheten för samhällsskydd och beredskap (MSB), Karlstad, 2017-12-18: Eq. (4.2) r' = r (p0/E)^(1/3),
   Eq. (4.4) t' = t c0 (p0/E)^(1/3) with c0 = 340.3 m/s, Eq. (4.5) Ps' = a r'^b with Table 4.2, Eq. (4.6)
   t' = c r'^d with Table 4.3, Eq. (4.7) is' = Ps' t'/2 (triangular pulse); Table 4.1 (maximum overpressure per
   strength); Table 5.5 (BST flame-speed table of [4] converted to multi-energy strengths).
.. [2] van den Berg, A. C. (1985). The multi-energy method: a framework for vapour cloud explosion blast prediction.
   *J. Hazard. Mater.* 12, 1-10; TNO (1997) *Methods for the calculation of physical effects* ("Yellow Book"),
   CPR 14E, 3rd ed., ch. 5, multi-energy blast charts.
.. [3] Díaz Alonso, F., González Ferradás, E., Sánchez Pérez, J. F., Miñana Aznar, A., Ruiz Gimeno, J., Martínez
   Alonso, J. (2006). Characteristic overpressure-impulse-distance curves for vapour cloud explosions using the TNO
   Multi-Energy model. *J. Hazard. Mater.* A137, 734-741 (not used, see above).
.. [4] Pierorazio, A. J., Thomas, J. K., Baker, Q. A., Ketchum, D. E. (2005). An update to the Baker-Strehlow-Tang
   vapor cloud explosion prediction methodology flame speed table. *Process Saf. Prog.* 24(1), 59-65.
.. [5] Jones, R., Lehr, W., Simecek-Beatty, D., Reynolds, R. M. (2013). *ALOHA (Areal Locations of Hazardous
   Atmospheres) 5.4.4: Technical Documentation*. NOAA Technical Memorandum NOS OR&R 43, Seattle, WA, sect. 5.2:
   ΔP/p0 = D for x < x0, ΔP/p0 = A B^(1/x) x^C for x ≥ x0 (Table 15); flame speeds (Table 14); energy doubled for
   ground reflection.
.. [6] Tang, M. J., Baker, Q. A. (1999). A new set of blast curves from vapor cloud explosion. *Process Saf. Prog.*
   18(4), 235-240; CCPS (2010) *Guidelines for Vapor Cloud Explosion, Pressure Vessel Burst, BLEVE, and Flash Fire
   Hazards*, 2nd ed., AIChE/Wiley, ch. 5 (BST curves, ground-reflection factor 2).
"""

from __future__ import annotations

import csv
import logging
import math
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from analysis import _checks
from analysis._data import DATA_DIR
from analysis.constants import P_ATM

logger = logging.getLogger(__name__)

__all__ = [
    "ME_STRENGTHS",
    "ME_MODELS",
    "ME_SOUND_SPEED",
    "ME_SCALED_DISTANCE_MIN",
    "ME_STRENGTH10_MAX_SCALED_OVERPRESSURE",
    "BST_CURVE_SETS",
    "BST_REACTIVITIES",
    "BST_CONFINEMENTS",
    "BST_CONGESTIONS",
    "BST_DETONATION_MACH",
    "BST_GROUND_REFLECTION_FACTOR",
    "sachs_scaled_distance",
    "multi_energy_scaled_overpressure",
    "multi_energy_scaled_duration",
    "multi_energy_overpressure",
    "multi_energy_duration",
    "multi_energy_impulse",
    "bst_flame_speed",
    "bst_flame_speed_table",
    "bst_scaled_overpressure",
    "bst_overpressure",
]

_DATA = DATA_DIR

ME_STRENGTHS = tuple(range(1, 11))
ME_SOUND_SPEED = 340.3  # [m/s], [1] Eq. (4.4), air at 15 °C
ME_SCALED_DISTANCE_MIN = 0.1  # [-], left edge of the published charts, [1] Figs. 4.3-4.5, [2]
ME_STRENGTH10_MAX_SCALED_OVERPRESSURE = 10.0  # [-], top of the chart; [1] Table 4.1: strength 10 "> 1000 kPa"

_INF = math.inf
# [1] Table 4.2: Ps' = a r'^b, each segment (r'_upper, a, b) used for r' ≤ r'_upper (last: to infinity)
_MSB2017_P = MappingProxyType(
    {
        10: ((0.90, 0.43, -2.35), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
        9: ((0.20, 5.0, 0.0), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
        8: ((0.37, 2.0, 0.0), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
        7: ((0.48, 1.0, 0.0), (0.96, 0.48, -1.00), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
        6: ((0.64, 0.5, 0.0), (2.35, 0.32, -1.01), (3.21, 0.47, -1.46), (_INF, 0.32, -1.13)),
        5: ((0.60, 0.2, 0.0), (_INF, 0.12, -1.00)),
        4: ((0.63, 0.1, 0.0), (_INF, 0.064, -0.97)),
        3: ((0.61, 0.05, 0.0), (_INF, 0.031, -0.96)),
        2: ((0.64, 0.02, 0.0), (_INF, 0.013, -0.97)),
        1: ((0.69, 0.01, 0.0), (_INF, 0.007, -0.98)),
    }
)
# [1] Table 4.3: t' = c r'^d, segments (r'_upper, c, d); strength 7 beyond r' = 10.49 per the table's footnote 1)
_MSB2017_T = MappingProxyType(
    {
        10: ((0.51, 0.13, -0.22), (2.07, 0.22, 0.57), (10.49, 0.29, 0.19), (_INF, 0.35, 0.11)),
        9: ((0.53, 0.13, -0.51), (2.02, 0.24, 0.46), (10.49, 0.29, 0.19), (_INF, 0.35, 0.11)),
        8: ((0.58, 0.17, -0.40), (1.32, 0.27, 0.45), (10.49, 0.29, 0.19), (_INF, 0.35, 0.11)),
        7: (
            (0.62, 0.21, -0.46),
            (1.59, 0.30, 0.29),
            (9.40, 0.32, 0.15),
            (10.49, 0.29, 0.19),
            (_INF, 0.35, 0.11),
        ),
        6: ((0.49, 0.26, -0.46), (7.81, 0.38, 0.07), (_INF, 0.35, 0.11)),
        5: ((0.51, 0.52, -0.44), (_INF, 0.7, 0.0)),
        4: ((0.53, 1.02, -0.38), (_INF, 1.3, 0.0)),
        3: ((0.52, 1.56, -0.38), (_INF, 2.0, 0.0)),
        2: ((0.54, 2.44, -0.34), (_INF, 3.0, 0.0)),
        1: ((0.50, 3.83, -0.34), (_INF, 4.85, 0.0)),
    }
)


def _segments(table):
    """Pre-split segment tables into (upper bounds without the last inf, a, b) arrays for np.searchsorted."""
    out = {}
    for s, segs in table.items():
        upper = np.array([u for u, _, _ in segs], dtype=float)
        if not np.all(np.diff(upper) > 0):  # the segment ends must increase before they are searched
            raise ValueError(f"segment ends of strength {s} do not increase: {upper}")
        out[s] = (upper[:-1], np.array([a for _, a, _ in segs]), np.array([b for _, _, b in segs]))
    return MappingProxyType(out)


ME_MODELS = MappingProxyType({"msb2017": (_segments(_MSB2017_P), _segments(_MSB2017_T))})

# [5] Table 15: (Mach, A, B, C, D, x0); ΔP/p0 = D for x < x0, A B^(1/x) x^C for x ≥ x0
BST_CURVE_SETS = MappingProxyType(
    {
        "aloha2013": (
            (0.2, 0.0335, 0.8359, -1.1192, 0.065, 0.35),
            (0.35, 0.1041, 0.8642, -1.0568, 0.22, 0.32),
            (0.7, 0.3764, 0.7439, -1.2728, 0.65, 0.30),
            (5.2, 0.2932, 1.399, -1.1591, 20.0, 0.16),
        )
    }
)
BST_REACTIVITIES = ("low", "medium", "high")
BST_CONFINEMENTS = ("2D", "2.5D", "3D")
BST_CONGESTIONS = ("low", "medium", "high")
BST_DETONATION_MACH = 5.2  # [-], Chapman-Jouguet curve of the BST family, [5] sect. 5.2, [6]
BST_GROUND_REFLECTION_FACTOR = 2.0  # [-], [5] sect. 5.2, [6] CCPS (2010) ch. 5


# --------------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------------


def _strength(strength) -> int:
    ok = (
        not isinstance(strength, bool | np.bool_)
        and isinstance(strength, int | float | np.integer | np.floating)
        and float(strength).is_integer()
        and 1 <= int(strength) <= 10
    )
    if not ok:
        raise ValueError(
            f"爆炸强度等级 strength 须为 1-10 的整数，实际为 {strength!r}（strength must be an integer 1..10）"
        )
    return int(strength)


def _me_model(model: str):
    return ME_MODELS[_checks.choice("model", model, ME_MODELS)]


def _power_segments(x: np.ndarray, seg) -> np.ndarray:
    upper, a, b = seg
    i = np.searchsorted(upper, x, side="left")  # segment i holds x ≤ upper[i]
    return a[i] * np.power(x, b[i])


# --------------------------------------------------------------------------------------------------
# TNO multi-energy
# --------------------------------------------------------------------------------------------------


def sachs_scaled_distance(energy, distance, *, ambient_pressure=P_ATM):
    """Sachs (combustion-energy) scaled distance ``r' = R / (E/p0)^(1/3)``.

    Parameters
    ----------
    energy : numeric
        Combustion energy of the exploding (confined/congested) part of the cloud, E ≥ 0. [J]
    distance : numeric
        Distance from the centre of the blast source, R ≥ 0. [m]
    ambient_pressure : numeric
        p0 > 0. [Pa]

    Returns
    -------
    scaled_distance : numeric
        r' (``inf`` where E = 0). [-]

    References
    ----------
    .. [1] MSB B06-105 (2017), Eq. (4.2); van den Berg (1985).
    """
    e = _checks.nonneg("energy", energy)
    r = _checks.nonneg("distance", distance)
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = np.where(e > 0, r / np.cbrt(np.where(e > 0, e, 1.0) / p0), np.inf)  # [1], Eq. (4.2)
    return _checks.out(rs)


def multi_energy_scaled_overpressure(scaled_distance, *, strength, model="msb2017"):
    """Dimensionless peak side-on overpressure Ps' = ΔP/p0 of the TNO multi-energy method.

    Parameters
    ----------
    scaled_distance : numeric
        Sachs-scaled distance r' ≥ 0 (``inf`` allowed: gives 0). [-]
    strength : int
        Blast strength 1 (weak deflagration) ... 10 (detonation).
    model : str
        One of ``ME_MODELS`` (``"msb2017"``: MSB B06-105 Table 4.2).

    Returns
    -------
    scaled_overpressure : numeric
        Ps'. [-]

    Notes
    -----
    r' < 0.1 is evaluated at 0.1 (left edge of the charts); strength 10 is capped at Ps' = 10 (see module notes).

    References
    ----------
    .. [1] MSB B06-105 (2017), Eq. (4.5), Table 4.2.
    """
    s = _strength(strength)
    p_seg, _ = _me_model(model)
    x = np.asarray(scaled_distance, dtype=float)
    if x.size and (np.isnan(x).any() or x.min() < 0):
        bad = x[np.isnan(x) | (x < 0)].flat[0] if x.ndim else float(x)
        raise ValueError(f"参数 scaled_distance 须 ≥ 0，实际为 {bad!r}（scaled_distance must be ≥ 0）")
    xc = np.maximum(x, ME_SCALED_DISTANCE_MIN)
    ps = _power_segments(xc, p_seg[s])  # [1], Eq. (4.5)
    if s == 10:
        ps = np.minimum(ps, ME_STRENGTH10_MAX_SCALED_OVERPRESSURE)
    return _checks.out(ps)


def multi_energy_scaled_duration(scaled_distance, *, strength, model="msb2017"):
    """Dimensionless positive-phase duration t' = t+ c0 (p0/E)^(1/3) of the TNO multi-energy method.

    Parameters
    ----------
    scaled_distance : numeric
        r' ≥ 0 (values below 0.1 are evaluated at 0.1). [-]
    strength : int
        1..10.
    model : str
        One of ``ME_MODELS``.

    Returns
    -------
    scaled_duration : numeric
        t'. [-]

    References
    ----------
    .. [1] MSB B06-105 (2017), Eqs. (4.4), (4.6), Table 4.3.
    """
    s = _strength(strength)
    _, t_seg = _me_model(model)
    x = np.asarray(scaled_distance, dtype=float)
    if x.size and (np.isnan(x).any() or x.min() < 0):
        bad = x[np.isnan(x) | (x < 0)].flat[0] if x.ndim else float(x)
        raise ValueError(f"参数 scaled_distance 须 ≥ 0，实际为 {bad!r}（scaled_distance must be ≥ 0）")
    xc = np.maximum(x, ME_SCALED_DISTANCE_MIN)
    return _checks.out(_power_segments(xc, t_seg[s]))  # [1], Eq. (4.6)


def multi_energy_overpressure(energy, distance, *, strength, ambient_pressure=P_ATM, model="msb2017"):
    """Peak side-on overpressure of a vapour-cloud explosion by the TNO multi-energy method.

    Parameters
    ----------
    energy : numeric
        Combustion energy of the confined/congested part of the cloud, E ≥ 0 (e.g. 3.5 MJ/m³ × the congested
        volume filled with a stoichiometric mixture, [2]_); E = 0 gives 0. Used as given (no ground-reflection
        factor), as in [1]_ Eqs. (4.2)-(4.3). [J]
    distance : numeric
        Distance from the centre of the blast source, R ≥ 0. [m]
    strength : int
        Blast strength 1..10 ([1]_ Table 4.1: ≈ 1, 2, 5, 10, 20, 50, 100, 200, 500, > 1000 kPa).
    ambient_pressure : numeric
        p0 > 0. [Pa]
    model : str
        One of ``ME_MODELS``.

    Returns
    -------
    overpressure : numeric
        ΔP = Ps' p0. [Pa]

    References
    ----------
    .. [1] MSB B06-105 (2017), Eqs. (4.1), (4.2), (4.5), Table 4.2.
    .. [2] van den Berg (1985); TNO Yellow Book CPR 14E (1997) ch. 5.
    """
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    rs = np.asarray(sachs_scaled_distance(energy, distance, ambient_pressure=p0))
    return _checks.out(
        np.asarray(multi_energy_scaled_overpressure(rs, strength=strength, model=model)) * p0
    )  # [1] (4.1)


def multi_energy_duration(
    energy, distance, *, strength, ambient_pressure=P_ATM, sound_speed=ME_SOUND_SPEED, model="msb2017"
):
    """Positive-phase duration of the blast wave by the TNO multi-energy method.

    Parameters
    ----------
    energy : numeric
        E ≥ 0 (as :func:`multi_energy_overpressure`); E = 0 gives 0. [J]
    distance : numeric
        R ≥ 0. [m]
    strength : int
        1..10.
    ambient_pressure : numeric
        p0 > 0. [Pa]
    sound_speed : numeric
        Ambient sound speed c0, default 340.3 m/s ([1]_ Eq. 4.4). [m/s]
    model : str
        One of ``ME_MODELS``.

    Returns
    -------
    duration : numeric
        t+ = t' (E/p0)^(1/3) / c0. [s]

    References
    ----------
    .. [1] MSB B06-105 (2017), Eqs. (4.4), (4.6), Table 4.3.
    """
    e = _checks.nonneg("energy", energy)
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    c0 = _checks.positive("sound_speed", sound_speed)
    rs = np.asarray(sachs_scaled_distance(e, distance, ambient_pressure=p0))
    ts = np.asarray(
        multi_energy_scaled_duration(np.where(np.isfinite(rs), rs, 1.0), strength=strength, model=model)
    )
    return _checks.out(np.where(e > 0, ts * np.cbrt(e / p0) / c0, 0.0))  # [1], Eq. (4.4) solved for t+


def multi_energy_impulse(
    energy, distance, *, strength, ambient_pressure=P_ATM, sound_speed=ME_SOUND_SPEED, model="msb2017"
):
    """Positive-phase side-on impulse, triangular pulse ``i = ΔP t+ / 2``.

    Parameters
    ----------
    energy : numeric
        E ≥ 0; E = 0 gives 0. [J]
    distance : numeric
        R ≥ 0. [m]
    strength : int
        1..10.
    ambient_pressure : numeric
        p0 > 0. [Pa]
    sound_speed : numeric
        c0. [m/s]
    model : str
        One of ``ME_MODELS``.

    Returns
    -------
    impulse : numeric
        [Pa·s]

    Notes
    -----
    The multi-energy charts give overpressure and duration only; [1]_ Eq. (4.7) forms the impulse from a
    triangular pressure-time history, is' = Ps' t' / 2, i.e. i = ΔP t+ / 2 in SI. For r' > 0.9 strength 7 then
    gives a larger impulse than strengths 8-10 (same overpressure, longer duration), as [1]_ §4.3.2 points out.

    References
    ----------
    .. [1] MSB B06-105 (2017), Eq. (4.7).
    """
    p = np.asarray(
        multi_energy_overpressure(
            energy, distance, strength=strength, ambient_pressure=ambient_pressure, model=model
        )
    )
    t = np.asarray(
        multi_energy_duration(
            energy,
            distance,
            strength=strength,
            ambient_pressure=ambient_pressure,
            sound_speed=sound_speed,
            model=model,
        )
    )
    return _checks.out(0.5 * p * t)  # [1], Eq. (4.7)


# --------------------------------------------------------------------------------------------------
# Baker-Strehlow-Tang
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _pierorazio_table() -> MappingProxyType:
    path = _DATA / "pierorazio_2005_bst_flame_speed.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    table = {}
    for r in rows:
        key = (r["confinement"], r["reactivity"], r["congestion"])
        if key in table:
            raise ValueError(f"{path.name}: duplicate row {key}")
        table[key] = float(r["flame_speed_mach"])
    expected = {(c, r, g) for c in BST_CONFINEMENTS for r in BST_REACTIVITIES for g in BST_CONGESTIONS}
    if set(table) != expected:
        raise ValueError(f"{path.name}: rows {sorted(expected ^ set(table))} missing or unexpected")
    return MappingProxyType(table)


def bst_flame_speed_table() -> MappingProxyType:
    """The Pierorazio et al. (2005) flame-speed table: ``{(confinement, reactivity, congestion): Mach}``.

    Returns
    -------
    table : Mapping[tuple[str, str, str], float]
        Flame Mach numbers [-]; "DDT" cells are 5.2 (``BST_DETONATION_MACH``).

    References
    ----------
    .. [1] Pierorazio et al. (2005), flame-speed table (``analysis/data/pierorazio_2005_bst_flame_speed.csv``).
    """
    return _pierorazio_table()


def bst_flame_speed(reactivity, confinement, congestion) -> float:
    """Baker-Strehlow-Tang flame speed (Mach number) for a fuel reactivity, confinement and congestion.

    Parameters
    ----------
    reactivity : str
        Fuel reactivity ``"low"`` (methane, CO), ``"medium"`` (most hydrocarbons) or ``"high"`` (hydrogen,
        acetylene, ethylene oxide, propylene oxide) ([1]_; MSB B06-105 Table 5.2).
    confinement : str
        Flame expansion ``"2D"`` (between two planes), ``"2.5D"`` (frangible or near-solid cover, e.g. a densely
        packed pipe rack) or ``"3D"`` (unconfined).
    congestion : str
        Obstacle congestion ``"low"``, ``"medium"`` or ``"high"`` ([1]_; MSB B06-105 Table 5.6: pitch/diameter
        7.6, 4.3, 3.1).

    Returns
    -------
    flame_speed_mach : float
        Mf; 5.2 where the table gives DDT (deflagration-to-detonation transition). [-]

    References
    ----------
    .. [1] Pierorazio et al. (2005), flame-speed table.
    """
    r = _checks.choice("reactivity", reactivity, BST_REACTIVITIES)
    c = _checks.choice("confinement", confinement, BST_CONFINEMENTS)
    g = _checks.choice("congestion", congestion, BST_CONGESTIONS)
    return _pierorazio_table()[(c, r, g)]


def _bst_curve(x: np.ndarray, curve) -> np.ndarray:
    _, a, b, c, d, x0 = curve
    with np.errstate(divide="ignore", over="ignore"):
        xs = np.maximum(x, x0)  # the fit is only evaluated where it applies
        fit = a * np.power(b, 1.0 / xs) * np.power(xs, c)  # [5] Table 15
    return np.where(x < x0, d, fit)


def bst_scaled_overpressure(scaled_distance, *, flame_speed_mach, curves="aloha2013"):
    """Dimensionless BST peak side-on overpressure ΔP/p0 at a Sachs-scaled distance.

    Parameters
    ----------
    scaled_distance : numeric
        x = R / (E/p0)^(1/3) ≥ 0 with E the (ground-reflected) blast energy (``inf`` gives 0). [-]
    flame_speed_mach : float
        Flame Mach number, 0 < Mf ≤ 5.2. Between two fitted curves the overpressure is interpolated linearly in
        Mach; below the lowest fitted curve (0.2) that curve is used. [-]
    curves : str
        One of ``BST_CURVE_SETS`` (``"aloha2013"``: ALOHA 5.4.4 Tech. Doc. Table 15, Mf 0.2, 0.35, 0.7, 5.2).

    Returns
    -------
    scaled_overpressure : numeric
        [-]

    References
    ----------
    .. [5] ALOHA 5.4.4 Technical Documentation (2013), sect. 5.2, Table 15.
    .. [6] Tang & Baker (1999); CCPS (2010) ch. 5.
    """
    fits = BST_CURVE_SETS[_checks.choice("curves", curves, BST_CURVE_SETS)]
    mf = flame_speed_mach
    if (
        isinstance(mf, bool | np.bool_)
        or not isinstance(mf, int | float | np.integer | np.floating)
        or not (0.0 < float(mf) <= BST_DETONATION_MACH)
    ):
        raise ValueError(
            f"火焰马赫数 flame_speed_mach 须在 (0, {BST_DETONATION_MACH}] 内，实际为 {mf!r}"
            f"（flame_speed_mach must be in (0, {BST_DETONATION_MACH}]）"
        )
    mf = float(mf)
    x = np.asarray(scaled_distance, dtype=float)
    if x.size and (np.isnan(x).any() or x.min() < 0):
        bad = x[np.isnan(x) | (x < 0)].flat[0] if x.ndim else float(x)
        raise ValueError(f"参数 scaled_distance 须 ≥ 0，实际为 {bad!r}（scaled_distance must be ≥ 0）")
    machs = np.array([f[0] for f in fits])
    if mf <= machs[0]:
        return _checks.out(_bst_curve(x, fits[0]))
    j = int(np.searchsorted(machs, mf, side="left"))  # machs[j-1] < mf ≤ machs[j]
    hi = _bst_curve(x, fits[j])
    if mf == machs[j]:
        return _checks.out(hi)
    lo = _bst_curve(x, fits[j - 1])
    w = (mf - machs[j - 1]) / (machs[j] - machs[j - 1])
    return _checks.out((1.0 - w) * lo + w * hi)


def bst_overpressure(
    energy,
    distance,
    *,
    flame_speed_mach=None,
    reactivity=None,
    confinement=None,
    congestion=None,
    ambient_pressure=P_ATM,
    ground_reflection_factor=BST_GROUND_REFLECTION_FACTOR,
    curves="aloha2013",
):
    """Peak side-on overpressure of a vapour-cloud explosion by the Baker-Strehlow-Tang method.

    Give either ``flame_speed_mach`` or all of ``reactivity``, ``confinement`` and ``congestion`` (then the flame
    speed comes from :func:`bst_flame_speed`).

    Parameters
    ----------
    energy : numeric
        Combustion energy of the confined/congested part of the cloud, E ≥ 0 (E = 0 gives 0). [J]
    distance : numeric
        Distance from the centre of the congested volume, R ≥ 0. [m]
    flame_speed_mach : float, optional
        Flame Mach number, 0 < Mf ≤ 5.2. [-]
    reactivity, confinement, congestion : str, optional
        See :func:`bst_flame_speed`.
    ambient_pressure : numeric
        p0 > 0. [Pa]
    ground_reflection_factor : float
        Multiplier of E for a cloud at ground level, default 2 ([5]_, [6]_); 1 for a free-air burst. [-]
    curves : str
        One of ``BST_CURVE_SETS``.

    Returns
    -------
    overpressure : numeric
        [Pa]

    References
    ----------
    .. [4] Pierorazio et al. (2005).
    .. [5] ALOHA 5.4.4 Technical Documentation (2013), sect. 5.2: x = R (p0 / (2 E))^(1/3), Table 15.
    .. [6] Tang & Baker (1999); CCPS (2010) ch. 5.
    """
    classes = {"reactivity": reactivity, "confinement": confinement, "congestion": congestion}
    given = [k for k, v in classes.items() if v is not None]
    if flame_speed_mach is not None and given:
        raise ValueError(
            f"flame_speed_mach 与 {given} 只能给出其一（give either flame_speed_mach or reactivity/confinement/"
            f"congestion, not both）"
        )
    if flame_speed_mach is None:
        missing = [k for k, v in classes.items() if v is None]
        if missing:
            raise ValueError(
                f"须给出 flame_speed_mach，或同时给出 reactivity、confinement、congestion；缺少 {missing}"
                f"（missing {missing}）"
            )
        flame_speed_mach = bst_flame_speed(reactivity, confinement, congestion)
    k = float(_checks.positive("ground_reflection_factor", ground_reflection_factor))
    e = _checks.nonneg("energy", energy)
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    x = np.asarray(sachs_scaled_distance(k * e, distance, ambient_pressure=p0))  # [5] sect. 5.2
    ps = np.asarray(bst_scaled_overpressure(x, flame_speed_mach=flame_speed_mach, curves=curves))
    return _checks.out(ps * p0)
