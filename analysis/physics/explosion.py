"""Explosions: TNT equivalence with Kingery-Bulmash blast parameters, vapour-cloud energy, vessel burst.

All public functions take SI inputs (kg, m, J, J/kg, Pa, m³) and broadcast numpy arrays.

Blast parameters of a hemispherical TNT surface burst follow Kingery & Bulmash (1984): peak side-on
(incident) overpressure from their original log-space polynomial, impulse and arrival time from the
simplified fits of Swisdak (1994), which reproduce the original to about 1 %.

References
----------
.. [1] Kingery, C. N., Bulmash, G. (1984). *Airblast Parameters from TNT Spherical Air Burst and Hemispherical
   Surface Burst*. Technical Report ARBRL-TR-02555, US Army Ballistic Research Laboratory, Aberdeen Proving
   Ground, MD; hemispherical surface burst, incident pressure: U = −0.214362789151 + 1.35034249993 log10 Z,
   log10 P[kPa] = Σ c_i U^i (i = 0..11), 0.0531 ≤ Z ≤ 40 m/kg^{1/3}. The same curves are Figure 2-15 of
   UFC 3-340-02 (2008) *Structures to Resist the Effects of Accidental Explosions*, US DoD.
.. [2] Swisdak, M. M. (1994). *Simplified Kingery Airblast Calculations*. Proc. 26th DoD Explosives Safety
   Seminar, Miami, FL (DTIC ADA526744), Table 1 (metric): y = exp(A + B ln Z + C (ln Z)² + ...).
.. [3] Crowl, D. A., Louvar, J. F. (2011). *Chemical Process Safety*, 3rd ed., Prentice Hall, §6-13:
   TNT equivalency m_TNT = η m ΔHc / E_TNT (Eq. 6-27), E_TNT = 1120 cal/g = 4686 kJ/kg; Brode's energy of
   a bursting vessel E = (P − P0) V / (γ − 1) and the isothermal expansion energy (Eqs. 6-29, 6-30).
.. [4] 国家安全生产监督管理总局 (2005). 《安全评价》(第 3 版), 煤炭工业出版社, 蒸气云爆炸 TNT 当量法:
   W_TNT = 1.8 α W_f Q_f / Q_TNT with the ground-burst factor 1.8, α = 4 % and Q_TNT = 4520 kJ/kg; the same
   defaults appear in Chinese safety-assessment (安全评价) reports (worked examples in :mod:`explosion_cn`).
.. [5] CCPS (2010). *Guidelines for Vapor Cloud Explosion, Pressure Vessel Burst, BLEVE, and Flash Fire
   Hazards*, 2nd ed., AIChE/Wiley, §5.2 (TNT equivalence, yield 1-10 %), ch. 7 (vessel burst energy).
.. [6] van den Berg, A. C. (1985). The multi-energy method: a framework for vapour cloud explosion blast
   prediction. *J. Hazard. Mater.* 12, 1-10; TNO (1997) *Yellow Book* CPR 14E, §5.5.3: combustion energy
   of a stoichiometric hydrocarbon-air mixture ≈ 3.5 MJ/m³.
.. [7] Crowl, D. A. (2003). *Understanding Explosions*. CCPS/AIChE, Appendix B, Eq. B-2: isentropic expansion
   energy of an ideal gas E = P V / (γ − 1) · [1 − (P0/P)^((γ−1)/γ)] (after Smith & Van Ness 1987); with Brode's
   constant-volume energy (Eq. B-1) and the isothermal energy (Eq. B-3) it brackets the vessel-burst energy
   (isentropic < Brode < isothermal for P/P0 > 1).
"""

from __future__ import annotations

import logging

import numpy as np

from analysis import _checks
from analysis.constants import P_ATM
from analysis.physics import _chunks
from analysis.physics._log_table import LogTable
from analysis.physics._octave_table import OctaveTable

logger = logging.getLogger(__name__)

__all__ = [
    "TNT_ENERGY_CCPS",
    "CN_PRACTICE_YIELD_FACTOR",
    "CN_PRACTICE_TNT_ENERGY",
    "CN_PRACTICE_GROUND_FACTOR",
    "KB_PRESSURE_Z_RANGE",
    "KB_IMPULSE_Z_RANGE",
    "KB_ARRIVAL_Z_RANGE",
    "STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY",
    "tnt_equivalent_mass",
    "tnt_equivalent_mass_cn",
    "tnt_scaled_distance",
    "tnt_overpressure",
    "tnt_impulse",
    "tnt_arrival_time",
    "kb_scaled_overpressure",
    "kb_scaled_impulse",
    "vapour_cloud_energy",
    "brode_energy",
    "isothermal_expansion_energy",
    "isentropic_expansion_energy",
    "VESSEL_BURST_ENERGY_MODELS",
    "vessel_burst_energy",
    "vessel_burst_tnt_mass",
    "vessel_burst_overpressure_tnt",
    "vessel_burst_impulse",
]

TNT_ENERGY_CCPS = 4.68e6  # [J/kg], CCPS (2010) [5]; Crowl & Louvar: 4.686e6 [3]
CN_PRACTICE_YIELD_FACTOR = 0.04  # [-], [4]
CN_PRACTICE_TNT_ENERGY = 4.52e6  # [J/kg], [4]
CN_PRACTICE_GROUND_FACTOR = 1.8  # [-] ground-burst factor, [4]; 1.0 with hemispherical KB curves
STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY = 3.5e6  # [J/m³], [6]

KB_PRESSURE_Z_RANGE = (0.0531, 40.0)  # [m/kg^(1/3)], [1]
KB_IMPULSE_Z_RANGE = (0.2, 158.7)  # [m/kg^(1/3)], [2]
KB_ARRIVAL_Z_RANGE = (0.06, 40.0)  # [m/kg^(1/3)], [2]

# [1] Kingery & Bulmash (1984), hemispherical surface burst, incident overpressure (metric: Z in m/kg^(1/3), P in kPa)
_KB_P_U = (-0.214362789151, 1.35034249993)
_KB_P_C = (
    2.78076916577,
    -1.6958988741,
    -0.154159376846,
    0.514060730593,
    0.0988554365274,
    -0.293912623038,
    -0.0268112345019,
    0.109097496421,
    0.00162846756311,
    -0.0214631030242,
    0.0001456723382,
    0.00167847752266,
)
# [2] Swisdak (1994) Table 1 metric, far-field incident-pressure slope (23.8 < Z ≤ 198.5): P ∝ Z^-1.4066
_SW_P_FAR_SLOPE = -1.4066

# [2] Swisdak (1994) Table 1 metric: (Z_low, Z_high, A, B, C, D, E, F); y = exp(A + B L + C L² + ...), L = ln Z
# incident impulse [kPa·ms / kg^(1/3)] (1 kPa·ms = 1 Pa·s)
_SW_IMPULSE = (
    (0.2, 0.96, 5.522, 1.117, 0.6, -0.292, -0.087, 0.0),
    (0.96, 2.38, 5.465, -0.308, -1.464, 1.362, -0.432, 0.0),
    (2.38, 33.7, 5.2749, -0.4677, -0.2499, 0.0588, -0.00554, 0.0),
    (33.7, 158.7, 5.9825, -1.062, 0.0, 0.0, 0.0, 0.0),
)
# time of arrival [ms / kg^(1/3)]
_SW_ARRIVAL = (
    (0.06, 1.50, -0.7604, 1.8058, 0.1257, -0.0437, -0.0310, -0.00669),
    (1.50, 40.0, -0.7137, 1.5732, 0.5561, -0.4213, 0.1054, -0.00929),
)
SOUND_SPEED_AIR = 340.0  # [m/s] at ~15 °C, for arrival times beyond Z = 40


# --------------------------------------------------------------------------------------------------
# TNT equivalence
# --------------------------------------------------------------------------------------------------


def tnt_equivalent_mass(fuel_mass, heat_of_combustion, *, yield_factor, tnt_energy=4.5e6):
    """TNT-equivalent mass of a vapour-cloud explosion, ``m_TNT = η m ΔHc / E_TNT``.

    Parameters
    ----------
    fuel_mass : numeric
        Flammable mass in the cloud. [kg]
    heat_of_combustion : numeric
        Lower heat of combustion of the fuel. [J/kg]
    yield_factor : numeric
        Explosion efficiency (TNT yield) η, 0 < η ≤ 1; CCPS [5]_ gives 1-10 %, Chinese practice uses 4 %
        (see :func:`tnt_equivalent_mass_cn`). [-]
    tnt_energy : numeric
        Blast energy of TNT. Default 4.5 MJ/kg; Crowl & Louvar use 4.686 MJ/kg [3]_, Chinese practice
        4.52 MJ/kg [4]_. [J/kg]

    Returns
    -------
    tnt_mass : numeric
        [kg]

    References
    ----------
    .. [3] Crowl & Louvar (2011), Eq. 6-27.
    .. [4] 《安全评价》(2005), 蒸气云爆炸 TNT 当量法.
    .. [5] CCPS (2010), §5.2.
    """
    m = _checks.nonneg("fuel_mass", fuel_mass)
    dh = _checks.nonneg("heat_of_combustion", heat_of_combustion)
    eta = _checks.positive("yield_factor", yield_factor, upper=1.0)
    e = _checks.positive("tnt_energy", tnt_energy)
    return _checks.out(eta * m * dh / e)  # [3], Eq. 6-27


def tnt_equivalent_mass_cn(
    fuel_mass,
    heat_of_combustion,
    *,
    yield_factor=CN_PRACTICE_YIELD_FACTOR,
    tnt_energy=CN_PRACTICE_TNT_ENERGY,
    ground_factor=CN_PRACTICE_GROUND_FACTOR,
):
    """TNT-equivalent mass of Chinese safety-assessment practice, ``W_TNT = β α W_f Q_f / Q_TNT``.

    Chinese safety-assessment (安全评价) reports multiply the TNT mass by a ground-burst factor β = 1.8 ("对于地面
    爆炸，由于地面反射作用使爆炸威力几乎加倍，一般应乘以地面爆炸系数 1.8") before they apply the death radius
    R₀.₅ = 13.6 (W/1000)^0.37 and the other radii of :mod:`analysis.physics.explosion_cn`, whose constants were
    derived for that mass [4]_ [8]_. β = 1.8 is therefore the default, so that the tool reproduces those reports.
    Use ``ground_factor=1.0`` with the hemispherical Kingery-Bulmash curves (:func:`tnt_overpressure`), which
    already contain the ground reflection: applying 1.8 there counts it twice (the scenario VCE builder does so).

    Parameters
    ----------
    fuel_mass : numeric
        Mass of fuel in the cloud W_f [kg]; or its volume [m³] when ``heat_of_combustion`` is per m³.
    heat_of_combustion : numeric
        Q_f [J/kg] (or [J/m³] with the volume as ``fuel_mass``).
    yield_factor : numeric
        α, default 0.04 [4]_. [-]
    tnt_energy : numeric
        Q_TNT, default 4.52e6 [4]_. [J/kg]
    ground_factor : numeric
        β, default 1.8 (ground burst, Chinese practice [4]_ [8]_); 1.0 for hemispherical curves. [-]

    Returns
    -------
    tnt_mass : numeric
        [kg]

    Examples
    --------
    Hydrogen store of 2 000 Nm³, Q_f = 12 770 kJ/m³ [8]_: 1.8 × 0.04 × 2000 × 12.77e6 / 4.52e6 = 407 kg.

    References
    ----------
    .. [4] 国家安全生产监督管理总局 (2005). 《安全评价》(第 3 版), 煤炭工业出版社, 蒸气云爆炸 TNT 当量法 (the
       textbook itself 未核对; the formula with β = 1.8 is verified in the worked examples of [8]).
    .. [8] Published Chinese worked examples, see :mod:`analysis.physics.explosion_cn` (hydrogen store 407 kg;
       LPG 116 t -> 84 325 kg; benzene 4 t -> 2 663.2 kg).
    """
    beta = _checks.positive("ground_factor", ground_factor)
    w = tnt_equivalent_mass(fuel_mass, heat_of_combustion, yield_factor=yield_factor, tnt_energy=tnt_energy)
    return _checks.out(beta * np.asarray(w))  # [4]: W_TNT = 1.8 α W_f Q_f / Q_TNT


def tnt_scaled_distance(tnt_mass, distance):
    """Hopkinson-Cranz scaled distance ``Z = R / W^{1/3}``.

    Parameters
    ----------
    tnt_mass : numeric
        [kg]
    distance : numeric
        [m]

    Returns
    -------
    z : numeric
        [m/kg^{1/3}]; inf where the mass is 0.
    """
    w = _checks.nonneg("tnt_mass", tnt_mass)
    r = _checks.nonneg("distance", distance)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = r / np.cbrt(w)
    return _checks.out(np.where(w > 0, z, np.inf))


def _ln_scaled_distance(tnt_mass, distance) -> np.ndarray:
    """ln Z = ln R − ln W / 3 (validated); +inf where W = 0 (no charge), −inf where R = 0 < W."""
    w = _checks.nonneg("tnt_mass", tnt_mass)
    r = _checks.nonneg("distance", distance)
    with np.errstate(divide="ignore", invalid="ignore"):
        lnz = np.log(r)
        if w.ndim == 0:
            lnz -= np.log(w) * (1.0 / 3.0)
        else:
            lnz = lnz - np.log(w) * (1.0 / 3.0)
    if np.any(w == 0):
        lnz = np.where(w > 0, lnz, np.inf)
    return np.asarray(lnz, dtype=float)


def _kb_pressure_kpa_polynomial(z, *, clip: bool = True):
    """Kingery-Bulmash (1984) [1] polynomial, hemispherical incident pressure [kPa], Z clipped to its range (or not,
    to tabulate the chord that holds Z = 0.0531)."""
    zc = np.asarray(z, dtype=float)
    if clip:
        zc = np.clip(zc, *KB_PRESSURE_Z_RANGE)
    u = _KB_P_U[0] + _KB_P_U[1] * np.log10(zc)  # [1]
    y = np.full_like(u, _KB_P_C[-1])
    for c in _KB_P_C[-2::-1]:  # Horner: log10 P = Σ c_i U^i  [1]
        y = y * u + c
    return 10.0**y


def _kb_pressure_pa_far(z):
    """Beyond Z = 40: Swisdak's far-field power law P ∝ Z^−1.4066 [2] matched to the polynomial [1] at 40 [Pa]."""
    z40 = KB_PRESSURE_Z_RANGE[1]
    return _kb_pressure_kpa_polynomial(z40) * 1.0e3 * (np.asarray(z, dtype=float) / z40) ** _SW_P_FAR_SLOPE


def _kb_pressure_pa_curve(z):
    """The published overpressure curve [Pa] at the table's nodes: [1] to Z = 40 (also just below 0.0531), [2] on."""
    z = np.asarray(z, dtype=float)
    near = z <= KB_PRESSURE_Z_RANGE[1]
    return np.where(
        near, _kb_pressure_kpa_polynomial(np.where(near, z, 1.0), clip=False) * 1.0e3, _kb_pressure_pa_far(z)
    )


def _swisdak(za, table):
    """Evaluate a piecewise Swisdak (1994) fit [2] (Z clipped to the table's ends)."""
    zlo, zhi = table[0][0], table[-1][1]
    zc = np.clip(np.asarray(za, dtype=float), zlo, zhi)
    lz = np.log(zc)
    out = np.zeros_like(zc)
    for lo, hi, a, b, c, d, e, f in table:
        m = (zc >= lo) & (zc <= hi)
        poly = a + lz * (b + lz * (c + lz * (d + lz * (e + lz * f))))  # [2]: A + B L + C L² + ...
        out = np.where(m, np.exp(poly), out)
    return out


# The closed-form fits are tabulated once and read by linear interpolation, much faster on 10⁶ points than the
# polynomials: the overpressure linear in Z between the nodes 2^e (1 + j/2048), found from the bits of Z
# (analysis.physics._octave_table: no log or exp per point), within 2.4e-7 of [1] and [2] (tested to 1e-6); the
# impulse in (ln Z, ln y) on 4097 nodes of ln Z (analysis.physics._log_table), within 1e-5 of [2] (tested).

# below Z = 0.2 the first impulse segment is extrapolated down to Z = 0.0531 (the KB pressure range); it stays
# within 10 % of the CCPS (2010) digitised curve used by HyRAM+ there (docs/validation).
_SW_IMPULSE_EXT = ((KB_PRESSURE_Z_RANGE[0], *_SW_IMPULSE[0][1:]), *_SW_IMPULSE[1:])


#: Z up to 2^12 = 4096 m/kg^(1/3) tabulated (17 octaves × 2048 segments, 557 KB), the power law [2] beyond.
_P_TABLE = OctaveTable(KB_PRESSURE_Z_RANGE[0], 12, _kb_pressure_pa_curve, _kb_pressure_pa_far)
_I_TABLE = LogTable(
    np.log(KB_PRESSURE_Z_RANGE[0]),
    np.log(KB_IMPULSE_Z_RANGE[1]),
    lambda z: _swisdak(z, _SW_IMPULSE_EXT),  # [Pa·s/kg^(1/3)]
    -1.062,  # [2], last impulse segment
)


def kb_scaled_overpressure(z):
    """Kingery-Bulmash hemispherical surface-burst incident overpressure as a function of scaled distance.

    Parameters
    ----------
    z : numeric
        Scaled distance. [m/kg^{1/3}]

    Returns
    -------
    overpressure : numeric
        Side-on peak overpressure. [Pa]

    Notes
    -----
    0.0531 ≤ Z ≤ 40: original polynomial [1]_. Z > 40: continued with the far-field power law of
    Swisdak [2]_ (P ∝ Z^−1.4066, his fit to KB for 23.8 < Z ≤ 198.5), matched to [1] at Z = 40; beyond
    Z = 198.5 this is an extrapolation. Z < 0.0531 (inside the charge): held at P(0.0531).
    Z = inf gives 0.

    References
    ----------
    .. [1] Kingery & Bulmash (1984), ARBRL-TR-02555.
    .. [2] Swisdak (1994), Table 1.
    """
    za = np.asarray(z, dtype=float)
    if za.size and not za.min() >= 0:
        raise ValueError(f"z 比例距离须 ≥ 0 且非 NaN，实际为 {z!r}（scaled distance z must be ≥ 0）")
    return _checks.out(_P_TABLE(za))


def kb_scaled_impulse(z):
    """Scaled side-on positive impulse of a hemispherical TNT surface burst.

    Parameters
    ----------
    z : numeric
        Scaled distance. [m/kg^{1/3}]

    Returns
    -------
    scaled_impulse : numeric
        i / W^{1/3}. [Pa·s/kg^{1/3}] (= kPa·ms/kg^{1/3})

    Notes
    -----
    0.2 ≤ Z ≤ 158.7: Swisdak [2]_ fit of Kingery-Bulmash [1]_. Z > 158.7: the last segment's power law
    (∝ Z^−1.062) is extrapolated. 0.0531 ≤ Z < 0.2: the first segment is extrapolated (checked against
    the CCPS 2010 curve within 10 %); Z < 0.0531: held at the value at 0.0531.

    References
    ----------
    .. [1] Kingery & Bulmash (1984).
    .. [2] Swisdak (1994), Table 1 (metric).
    """
    za = np.asarray(z, dtype=float)
    if za.size and not za.min() >= 0:
        raise ValueError(f"z 比例距离须 ≥ 0 且非 NaN，实际为 {z!r}（scaled distance z must be ≥ 0）")
    with np.errstate(divide="ignore"):
        lnz = np.log(za)
    y = _I_TABLE(lnz)
    return _checks.out(np.exp(y, out=y))


def tnt_overpressure(tnt_mass, distance):
    """Side-on peak overpressure of a hemispherical TNT surface burst (Kingery-Bulmash 1984).

    Parameters
    ----------
    tnt_mass : numeric
        TNT (equivalent) mass W. [kg]
    distance : numeric
        Ground distance R from the charge. [m]

    Returns
    -------
    overpressure : numeric
        [Pa]; 0 where the mass is 0.

    Notes
    -----
    Valid range of the original polynomial: 0.0531 ≤ Z = R/W^{1/3} ≤ 40 m/kg^{1/3}; see
    :func:`kb_scaled_overpressure` for the behaviour outside it. The curve is read from a table linear in Z
    between nodes 2048 to an octave (within 2.4×10⁻⁷ of [1] and [2]); many distances of one charge are read by
    chunks in threads (:mod:`analysis.physics._octave_table`), with the same values as one distance at a time.

    References
    ----------
    .. [1] Kingery & Bulmash (1984), ARBRL-TR-02555; UFC 3-340-02 (2008) Figure 2-15.
    .. [2] Swisdak (1994).
    """
    w = _checks.nonneg("tnt_mass", tnt_mass)
    if w.ndim == 0 and w > 0:  # one charge: Z = R · W^(−1/3), by chunks in threads for many distances
        scale = 1.0 / float(np.cbrt(w))
        if _chunks.large(distance):
            p, ok = _P_TABLE.at_scale(distance, scale)  # the distances checked in the chunks
            if ok:
                return p
        r = _checks.nonneg("distance", distance)  # the message for a bad distance
        return _checks.out(_P_TABLE(r * scale))
    r = _checks.nonneg("distance", distance)
    return _checks.out(_P_TABLE(tnt_scaled_distance(w, r)))


def tnt_impulse(tnt_mass, distance):
    """Side-on positive-phase impulse of a hemispherical TNT surface burst.

    Parameters
    ----------
    tnt_mass : numeric
        [kg]
    distance : numeric
        [m]

    Returns
    -------
    impulse : numeric
        [Pa·s]; 0 where the mass is 0.

    References
    ----------
    .. [2] Swisdak (1994), Table 1, from Kingery & Bulmash (1984).
    """
    w = _checks.nonneg("tnt_mass", tnt_mass)
    lnz = _ln_scaled_distance(w, distance)
    y = _I_TABLE(lnz)
    # i = (i/W^{1/3}) W^{1/3}; ln W/3 = −inf for W = 0 gives i = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.add(
            y, np.log(w) * (1.0 / 3.0), out=y if y.shape == np.broadcast_shapes(y.shape, w.shape) else None
        )
    np.exp(y, out=y)
    if np.any(w == 0):
        y = np.where(w > 0, y, 0.0)
    return _checks.out(y)


def tnt_arrival_time(tnt_mass, distance):
    """Time of arrival of the blast wave of a hemispherical TNT surface burst.

    Parameters
    ----------
    tnt_mass : numeric
        [kg]
    distance : numeric
        [m]

    Returns
    -------
    time : numeric
        [s]; inf where the mass is 0.

    Notes
    -----
    0.06 ≤ Z ≤ 40: Swisdak [2]_; beyond Z = 40 the front travels at the speed of sound (340 m/s);
    below 0.06 the time at Z = 0.06.

    References
    ----------
    .. [2] Swisdak (1994), Table 1 (metric, ms/kg^{1/3}).
    """
    w = _checks.nonneg("tnt_mass", tnt_mass)
    r = _checks.nonneg("distance", distance)
    z = np.asarray(tnt_scaled_distance(w, r))
    zc = np.clip(z, *KB_ARRIVAL_Z_RANGE)
    val = _swisdak(z, _SW_ARRIVAL)
    w3 = np.cbrt(w)
    t = val * 1e-3 * w3  # ms/kg^(1/3) -> s
    with np.errstate(invalid="ignore"):
        extra = np.where(z > KB_ARRIVAL_Z_RANGE[1], (r - zc * w3) / SOUND_SPEED_AIR, 0.0)
    return _checks.out(np.where(w > 0, t + extra, np.inf))


# --------------------------------------------------------------------------------------------------
# Energies
# --------------------------------------------------------------------------------------------------


def vapour_cloud_energy(
    fuel_mass=None,
    heat_of_combustion=None,
    *,
    cloud_volume=None,
    energy_density=STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY,
):
    """Combustion energy of a vapour cloud.

    Either ``fuel_mass`` and ``heat_of_combustion`` (E = m ΔHc), or ``cloud_volume`` of a stoichiometric
    fuel-air mixture (E = 3.5 MJ/m³ × V for hydrocarbons, the multi-energy convention [6]_).

    Parameters
    ----------
    fuel_mass : numeric, optional
        [kg]
    heat_of_combustion : numeric, optional
        [J/kg]
    cloud_volume : numeric, optional
        Volume of the (congested part of the) stoichiometric cloud. [m³]
    energy_density : numeric
        [J/m³]

    Returns
    -------
    energy : numeric
        [J]

    References
    ----------
    .. [6] van den Berg (1985); TNO Yellow Book CPR 14E (1997) §5.5.3.
    """
    if cloud_volume is not None:
        if fuel_mass is not None or heat_of_combustion is not None:
            raise ValueError(
                "cloud_volume 与 fuel_mass/heat_of_combustion 只能二选一（give either cloud_volume or fuel_mass, not both）"
            )
        return _checks.out(
            _checks.nonneg("cloud_volume", cloud_volume) * _checks.positive("energy_density", energy_density)
        )
    if fuel_mass is None or heat_of_combustion is None:
        raise ValueError(
            "未给 cloud_volume 时须同时给出 fuel_mass 和 heat_of_combustion（both required when cloud_volume is None）"
        )
    return _checks.out(
        _checks.nonneg("fuel_mass", fuel_mass) * _checks.nonneg("heat_of_combustion", heat_of_combustion)
    )


def brode_energy(pressure, volume, *, gamma, ambient_pressure=P_ATM):
    """Brode's explosion energy of a bursting gas-filled vessel, ``E = (P − P0) V / (γ − 1)``.

    Parameters
    ----------
    pressure : numeric
        Absolute burst pressure P. [Pa]
    volume : numeric
        Gas volume of the vessel V. [m³]
    gamma : numeric
        Heat-capacity ratio of the gas (> 1). [-]
    ambient_pressure : numeric
        P0. [Pa]

    Returns
    -------
    energy : numeric
        [J]

    References
    ----------
    .. [3] Crowl & Louvar (2011), Eq. 6-29 (Brode 1959).
    .. [5] CCPS (2010), ch. 7.
    """
    p = _checks.positive("pressure", pressure)
    v = _checks.nonneg("volume", volume)
    g = _checks.finite("gamma", gamma)
    if np.any(g <= 1):
        raise ValueError(f"gamma 比热比须 > 1，实际为 {gamma!r}（gamma must be > 1）")
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    if np.any(p < p0):
        raise ValueError(
            f"pressure 绝对压力须 ≥ 环境压力 ambient_pressure（{p0!r} Pa），实际为 {pressure!r}（pressure must be ≥ ambient_pressure）"
        )
    return _checks.out((p - p0) * v / (g - 1.0))  # [3], Eq. 6-29


def isothermal_expansion_energy(pressure, volume, *, ambient_pressure=P_ATM):
    """Isothermal expansion energy of an ideal gas, ``E = P V ln(P / P0)`` (upper bound for a vessel burst).

    Parameters
    ----------
    pressure : numeric
        Absolute pressure. [Pa]
    volume : numeric
        [m³]
    ambient_pressure : numeric
        [Pa]

    Returns
    -------
    energy : numeric
        [J]

    References
    ----------
    .. [3] Crowl & Louvar (2011), Eq. 6-30 (n R T ln(P1/P2) with n R T = P V).
    """
    p = _checks.positive("pressure", pressure)
    v = _checks.nonneg("volume", volume)
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    if np.any(p < p0):
        raise ValueError(
            f"pressure 绝对压力须 ≥ 环境压力 ambient_pressure（{p0!r} Pa），实际为 {pressure!r}（pressure must be ≥ ambient_pressure）"
        )
    return _checks.out(p * v * np.log(p / p0))


def isentropic_expansion_energy(pressure, volume, *, gamma, ambient_pressure=P_ATM):
    """Isentropic expansion energy of an ideal gas, ``E = P V / (γ − 1) · [1 − (P0/P)^((γ−1)/γ)]``.

    Parameters
    ----------
    pressure : numeric
        Absolute burst pressure P. [Pa]
    volume : numeric
        Gas volume V. [m³]
    gamma : numeric
        Heat-capacity ratio (> 1). [-]
    ambient_pressure : numeric
        P0. [Pa]

    Returns
    -------
    energy : numeric
        [J]; smaller than Brode's energy for P > P0 (the gas does work only down to P0 adiabatically).

    References
    ----------
    .. [7] Crowl (2003), Appendix B, Eq. B-2.
    .. [5] CCPS (2010), ch. 7.
    """
    p = _checks.positive("pressure", pressure)
    v = _checks.nonneg("volume", volume)
    g = _checks.finite("gamma", gamma)
    if np.any(g <= 1):
        raise ValueError(f"gamma 比热比须 > 1，实际为 {gamma!r}（gamma must be > 1）")
    p0 = _checks.positive("ambient_pressure", ambient_pressure)
    if np.any(p < p0):
        raise ValueError(
            f"pressure 绝对压力须 ≥ 环境压力 ambient_pressure（{p0!r} Pa），实际为 {pressure!r}（pressure must be ≥ ambient_pressure）"
        )
    return _checks.out(p * v / (g - 1.0) * (1.0 - (p0 / p) ** ((g - 1.0) / g)))  # [7], Eq. B-2


VESSEL_BURST_ENERGY_MODELS: tuple[str, ...] = ("brode1959", "isentropic", "isothermal")


def vessel_burst_energy(pressure, volume, *, gamma, ambient_pressure=P_ATM, model="brode1959"):
    """Explosion energy of a bursting gas-filled vessel by the chosen method.

    Parameters
    ----------
    pressure : numeric
        Absolute burst pressure. [Pa]
    volume : numeric
        Gas volume. [m³]
    gamma : numeric
        [-] (not used by ``"isothermal"``)
    ambient_pressure : numeric
        [Pa]
    model : str
        ``"brode1959"`` (default; CCPS 2010 ch. 7 and Crowl & Louvar Eq. 6-29), ``"isentropic"`` ([7] Eq. B-2,
        lower) or ``"isothermal"`` (Crowl & Louvar Eq. 6-30, upper bound).

    Returns
    -------
    energy : numeric
        [J]
    """
    _checks.choice("model", model, VESSEL_BURST_ENERGY_MODELS)
    if model == "brode1959":
        return brode_energy(pressure, volume, gamma=gamma, ambient_pressure=ambient_pressure)
    if model == "isentropic":
        return isentropic_expansion_energy(pressure, volume, gamma=gamma, ambient_pressure=ambient_pressure)
    return isothermal_expansion_energy(pressure, volume, ambient_pressure=ambient_pressure)


def vessel_burst_tnt_mass(pressure, volume, *, gamma, ambient_pressure=P_ATM, tnt_energy=TNT_ENERGY_CCPS):
    """TNT mass with the same energy as a bursting vessel (Brode energy / E_TNT).

    Brode's constant-volume energy is the CCPS (2010) ch. 7 choice; it lies between the isentropic ([7], lower)
    and isothermal (upper) energies (:func:`vessel_burst_energy` gives all three). Baker's method in [5] doubles
    the energy for a surface burst because it uses free-air curves; the Kingery-Bulmash hemispherical curves used
    here already contain the ground reflection, so no factor 2 is applied.

    Used with the hemispherical Kingery-Bulmash curves, which already include ground reflection, so the
    energy is not doubled for a vessel at ground level. Far-field estimate: near the vessel a gas burst
    gives lower peak pressure and longer duration than TNT [5]_.

    Parameters
    ----------
    pressure : numeric
        Absolute burst pressure. [Pa]
    volume : numeric
        [m³]
    gamma : numeric
        [-]
    ambient_pressure : numeric
        [Pa]
    tnt_energy : numeric
        [J/kg]

    Returns
    -------
    tnt_mass : numeric
        [kg]

    References
    ----------
    .. [3] Crowl & Louvar (2011), §6-13 (Eqs. 6-27, 6-29).
    .. [5] CCPS (2010), ch. 7.
    """
    e = brode_energy(pressure, volume, gamma=gamma, ambient_pressure=ambient_pressure)
    return _checks.out(np.asarray(e) / _checks.positive("tnt_energy", tnt_energy))


def vessel_burst_overpressure_tnt(
    pressure, volume, distance, *, gamma, ambient_pressure=P_ATM, tnt_energy=TNT_ENERGY_CCPS
):
    """Side-on overpressure of a gas-filled vessel burst from its state: Brode energy, TNT equivalent, Kingery-Bulmash.

    The same curve as :func:`analysis.physics.bleve_blast.vessel_burst_overpressure` (which takes the energy: the
    public ``vessel_burst_overpressure(*, energy, distance)``), here from the vessel's pressure and volume.

    Parameters
    ----------
    pressure : numeric
        Absolute burst pressure. [Pa]
    volume : numeric
        [m³]
    distance : numeric
        [m]
    gamma : numeric
        [-]
    ambient_pressure : numeric
        [Pa]
    tnt_energy : numeric
        [J/kg]

    Returns
    -------
    overpressure : numeric
        [Pa]
    """
    w = vessel_burst_tnt_mass(
        pressure, volume, gamma=gamma, ambient_pressure=ambient_pressure, tnt_energy=tnt_energy
    )
    return tnt_overpressure(w, distance)


def vessel_burst_impulse(
    pressure, volume, distance, *, gamma, ambient_pressure=P_ATM, tnt_energy=TNT_ENERGY_CCPS
):
    """Side-on impulse of a vessel burst via its Brode-energy TNT equivalent.

    Returns
    -------
    impulse : numeric
        [Pa·s]
    """
    w = vessel_burst_tnt_mass(
        pressure, volume, gamma=gamma, ambient_pressure=ambient_pressure, tnt_energy=tnt_energy
    )
    return tnt_impulse(w, distance)
