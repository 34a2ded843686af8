"""Properties of the hazardous chemicals common in Chinese chemical parks, in SI units.

``get(name)`` accepts a Chinese name or alias (液氯, 氯气, 液化石油气 …), an English name or a CAS number and returns a
frozen :class:`Substance`. Physical properties come from the ``thermo``/``chemicals`` libraries (Bell et al.) through
the CAS number of the substance or of its documented surrogate; what those libraries lack (Chinese names, GB 18218-2018
critical quantity and β, AEGL/PAC/IDLH, toxic probit constants, mixture surrogates, some flammability limits and heats
of combustion) is bundled in ``analysis/data/substances.csv`` with a source column for each group of values. The
values taken from thermo/chemicals are kept on disk between processes and read back exactly
(:mod:`analysis.physics.property_cache`; ``PARKRISK_CACHE_DIR``, ``off`` to switch it off): a process that finds them
there loads no property library.

Conventions
-----------
- Liquid density, liquid heat capacity: saturated liquid at 20 °C (293.15 K) when the critical temperature is above
  20 °C (a liquid or a gas liquefied under pressure), else at the normal boiling point (cryogens: methane, natural gas,
  ethylene, hydrogen, carbon monoxide). ``liquid_reference_temperature`` says which.
- Heat of vaporisation: at the normal boiling point.
- Heat-capacity ratio: ideal gas at 298.15 K, γ = Cp / (Cp − R).
- Heat of combustion: the lower (net) value, positive, J/kg; zero for a substance that does not burn.
- Toxic thresholds (AEGL-1/2/3 60-min, PAC-1/2/3 where EPA published no AEGL, NIOSH IDLH) are published in ppm by
  volume; they are converted to kg/m³ at 25 °C and 101 325 Pa, the reference state of those tables [3]_ [4]_:
  C = ppm·10⁻⁶ · M·p / (R·T).
- Toxic probit constants are kept in the units they were published in (``ToxicProbit.concentration_unit`` and
  ``time_unit``); :meth:`ToxicProbit.probit` converts SI inputs to those units.
- Mixtures (gasoline, naphtha, LPG, natural gas, diesel, crude oil, xylene) take their physical properties from a
  surrogate pure component named in ``surrogate_note`` (API RP 581 representative fluids [6]_); regulatory values (GB
  18218 Q) are those of the mixture. Exception for volatility: gasoline's vapour pressure is the AP-42 curve of
  motor gasoline RVP 10 [8]_ (42 kPa at 20 °C), not n-heptane's (4.7 kPa), because evaporation and dispersion
  depend on it; its other properties (liquid density, heat capacity, heat of vaporisation, Tb, molar mass) stay
  those of the surrogate.

References
----------
.. [1] Bell, C. et al. ``thermo`` and ``chemicals`` Python libraries (thermo 0.6, chemicals 1.5): property methods
       as recorded per substance in ``Substance.sources`` (HEOS fits of CoolProp, DIPPR/Perry's 8th ed., …).
.. [2] GB 18218-2018 危险化学品重大危险源辨识. Table 1 (named substances, Q), table 2 (Q by hazard category), table 3
       (β of named toxic gases), table 4 (β by category).
.. [3] US EPA, Acute Exposure Guideline Levels for Airborne Chemicals (AEGL), 60-minute values, final/interim tables.
.. [4] US DOE, Protective Action Criteria (PAC) rev. 29 (2016); NIOSH, Immediately Dangerous to Life or Health (IDLH)
       values, 1994 documentation.
.. [5] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety, 3rd ed. Prentice Hall. Table 2-5 (probit
       constants, C in ppm, t in min, Y = a + b ln(Cⁿ t)); Appendix B (flammability limits, NFPA 325).
.. [6] API RP 581 (2016), Risk-Based Inspection Methodology, 3rd ed., Part 3, Table 4.1 (representative fluids).
.. [7] Babrauskas, V. (2002). Heat release rates. SFPE Handbook of Fire Protection Engineering, 3rd ed., §3-1,
       Table 3-1.13 (heats of combustion of liquid fuels).
.. [8] US EPA (2020). AP-42, Compilation of Air Pollutant Emission Factors, 5th ed., Vol. I, Chapter 7.1 Organic
       Liquid Storage Tanks: Figure 7.1-15 (true vapour pressure of refined petroleum stocks from the Reid vapour
       pressure RVP [psi] and the ASTM D86 distillation slope S [°F/vol %]):
       P = exp(A − B/T) [psia], T [°R], A = 15.64 − 1.854 S^0.5 − (0.8742 − 0.3280 S^0.5) ln RVP,
       B = 8742 − 1042 S^0.5 − (1049 − 179.4 S^0.5) ln RVP; S = 3 for motor gasoline; Table 7.1-2 (gasoline
       RVP 10: 5.2 psia at 60 °F).
"""

from __future__ import annotations

import csv
import difflib
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from analysis import _checks, constants
from analysis._data import DATA_DIR

# defined in analysis.errors (one error hierarchy); re-exported here so ``substances.UnknownSubstanceError`` works
from analysis.errors import UnknownSubstanceError
from analysis.physics.property_cache import ThermoProps, thermo_record

logger = logging.getLogger(__name__)

__all__ = [
    "GASOLINE_DISTILLATION_SLOPE",
    "GASOLINE_RVP_PSI",
    "R_GAS",
    "ap42_refined_petroleum_vapour_pressure",
    "Substance",
    "ToxicProbit",
    "UnknownSubstanceError",
    "all_substances",
    "closest_names",
    "get",
    "gb18218_identity",
    "known",
    "ppm_to_kg_m3",
    "probit_names_zh",
    "table_flags",
    "table_names",
]

R_GAS = constants.R_GAS  # molar gas constant [J/(mol·K)] (module-level name kept for ``substances.R_GAS``)
_T_PPM = constants.T_PPM_REFERENCE  # reference temperature of AEGL/PAC/IDLH ppm values [K]
_P_PPM = constants.P_ATM  # reference pressure of the ppm values [Pa]
# 20 °C: the reference state of the tabulated liquid properties (a property of the data, not an ambient default)
_T_LIQ = 293.15  # [K]
_DATA = DATA_DIR / "substances.csv"

_CONC_UNITS = ("ppm", "mg/m3")
_TIME_UNITS = ("min", "s")


def ppm_to_kg_m3(ppm, molar_mass, *, temperature=_T_PPM, pressure=_P_PPM):
    """Convert a volume fraction in ppm to a mass concentration.

    Parameters
    ----------
    ppm : numeric
        Volume fraction. [ppm = 10⁻⁶ m³/m³]
    molar_mass : numeric
        [kg/mol]
    temperature : numeric
        [K]; 298.15 K is the reference of AEGL, PAC and IDLH tables.
    pressure : numeric
        [Pa]

    Returns
    -------
    concentration : numeric
        [kg/m³], ideal gas: C = ppm·10⁻⁶·M·p/(R·T).
    """
    return np.asarray(ppm, dtype=float) * 1e-6 * molar_mass * pressure / (R_GAS * temperature)


@dataclass(frozen=True)
class ToxicProbit:
    """Toxic-load probit Y = a + b·ln(Cⁿ·t), constants in their published units.

    Attributes
    ----------
    a, b, n : float
        Probit constants. [-]
    concentration_unit : str
        ``"ppm"`` or ``"mg/m3"`` — the unit of C the constants were fitted with.
    time_unit : str
        ``"min"`` or ``"s"`` — the unit of t.
    molar_mass : float
        Of the substance, for the ppm conversion. [kg/mol]
    source : str
        Where a, b, n come from.
    """

    a: float
    b: float
    n: float
    concentration_unit: str
    time_unit: str
    molar_mass: float
    source: str

    def __post_init__(self) -> None:
        _checks.choice("concentration_unit", self.concentration_unit, _CONC_UNITS)
        _checks.choice("time_unit", self.time_unit, _TIME_UNITS)

    def probit(self, concentration, exposure_time, *, temperature: float = _T_PPM, pressure: float = _P_PPM):
        """Probit of death for a constant concentration over an exposure time.

        Parameters
        ----------
        concentration : numeric
            [kg/m³]
        exposure_time : numeric
            [s]
        temperature, pressure : float
            Air state used to convert kg/m³ to ppm when the constants are in ppm. [K], [Pa]

        Returns
        -------
        probit : numeric
            [-]; −inf where the concentration is zero.
        """
        c = np.asarray(concentration, dtype=float)
        t = np.asarray(exposure_time, dtype=float)
        if self.concentration_unit == "ppm":
            # kg/m³ -> ppm (ideal gas): ppm = C·R·T/(M·p)·10⁶
            c_u = c * R_GAS * temperature / (self.molar_mass * pressure) * 1e6
        else:
            c_u = c * 1e6  # kg/m³ -> mg/m³
        t_u = t / 60.0 if self.time_unit == "min" else t
        with np.errstate(divide="ignore"):
            # [5], Eq. 2-37: Y = a + b ln(Cⁿ t)
            return self.a + self.b * (self.n * np.log(c_u) + np.log(t_u))


@dataclass(frozen=True)
class Substance:
    """One hazardous chemical, properties in SI units (see the module docstring for conventions).

    Attributes
    ----------
    key : str
        parkrisk identifier (``"chlorine"``).
    name_zh, name_en : str
        Display names.
    cas : str
        CAS number of the substance (or mixture) itself.
    property_cas : str
        CAS number whose properties were taken from thermo (the surrogate for mixtures).
    aliases : tuple of str
        Other accepted names.
    surrogate_note : str
        How a mixture is represented ('' for pure substances).
    molar_mass : float
        [kg/mol]
    boiling_point : float
        Normal boiling point. [K]
    critical_temperature : float
        [K]
    critical_pressure : float
        [Pa]
    heat_of_combustion : float
        Lower heat of combustion, 0 for non-combustibles. [J/kg]
    liquid_density : float
        At ``liquid_reference_temperature``. [kg/m³]
    liquid_heat_capacity : float
        At ``liquid_reference_temperature``. [J/(kg·K)]
    liquid_reference_temperature : float
        293.15 K, or the boiling point for cryogens. [K]
    heat_of_vaporisation : float
        At the normal boiling point. [J/kg]
    heat_capacity_ratio : float
        Ideal gas at 298.15 K. [-]
    lfl, ufl : float
        Lower / upper flammability limits in air, NaN when not flammable or unknown. [volume fraction]
    aegl1, aegl2, aegl3 : float
        60-min AEGL (or PAC where ``threshold_kind == "PAC"``), NaN when not published. [kg/m³]
    threshold_kind : str
        ``"AEGL"``, ``"PAC"`` or ``""``.
    idlh : float
        NIOSH IDLH, NaN when none. [kg/m³]
    probit : ToxicProbit or None
        Toxic-load probit constants with their units.
    gb18218_critical_quantity : float
        GB 18218-2018 critical quantity Q, NaN when the standard does not cover the substance. [kg]
    gb18218_category : str
        Table-2/4 category symbol used ('' for table-1/table-3 substances without one).
    gb18218_beta : float
        Correction factor β (table 3 or 4), NaN when not assigned. [-]
    flammable, toxic : bool
    sources : tuple of (str, str)
        Field name -> source of its value.
    """

    key: str
    name_zh: str
    name_en: str
    cas: str
    property_cas: str
    aliases: tuple[str, ...]
    surrogate_note: str
    molar_mass: float
    boiling_point: float
    critical_temperature: float
    critical_pressure: float
    heat_of_combustion: float
    liquid_density: float
    liquid_heat_capacity: float
    liquid_reference_temperature: float
    heat_of_vaporisation: float
    heat_capacity_ratio: float
    lfl: float
    ufl: float
    aegl1: float
    aegl2: float
    aegl3: float
    threshold_kind: str
    idlh: float
    probit: ToxicProbit | None
    gb18218_critical_quantity: float
    gb18218_category: str
    gb18218_beta: float
    flammable: bool
    toxic: bool
    sources: tuple[tuple[str, str], ...]
    _props: ThermoProps = field(repr=False, compare=False, hash=False)

    @property
    def source(self) -> dict[str, str]:
        """Field name -> source of its value."""
        return dict(self.sources)

    @property
    def is_mixture(self) -> bool:
        """True when the properties are those of a surrogate component."""
        return bool(self.surrogate_note) and self.cas != self.property_cas

    def vapour_pressure(self, temperature):
        """Saturation vapour pressure.

        Parameters
        ----------
        temperature : numeric
            [K]

        Returns
        -------
        pressure : numeric
            [Pa] (thermo's recommended correlation, see ``sources``); NaN above the critical temperature of the
            thermo data set.
        """
        return self._props.vapour_pressure(temperature)

    def liquid_density_at(self, temperature):
        """Saturated liquid density. [kg/m³] at temperature [K]."""
        return self._props.liquid_density(temperature)

    def liquid_heat_capacity_at(self, temperature):
        """Liquid heat capacity. [J/(kg·K)] at temperature [K]."""
        return self._props.liquid_heat_capacity(temperature)

    def heat_of_vaporisation_at(self, temperature):
        """Heat of vaporisation. [J/kg] at temperature [K]; 0 at and above the critical temperature."""
        return self._props.heat_of_vaporisation(temperature)

    def vapour_density_at(self, temperature):
        """Saturated vapour density at its vapour pressure. [kg/m³] at temperature [K]; NaN above Tc.

        thermo ``VolumeGas`` with its cubic equation of state (method "EOS"), not the ideal gas, which is 10–20 %
        low for liquefied gases at their vapour pressure.
        """
        return self._props.saturated_vapour_density(temperature)

    def gas_density(self, temperature=constants.AMBIENT_TEMPERATURE, pressure=constants.P_ATM):
        """Ideal-gas density. [kg/m³] at temperature [K] (default: ambient air) and pressure [Pa] (default: 1 atm)."""
        return (
            np.asarray(pressure, dtype=float)
            * self.molar_mass
            / (R_GAS * np.asarray(temperature, dtype=float))
        )


# Gasoline volatility ([8]): RVP 10 psi (AP-42's middle grade; Chinese 车用汽油 GB 17930 limits the summer grade to
# 40-65 kPa ≈ 5.8-9.4 psi and the winter grade to 45-85 kPa) and S = 3 °F/vol % (AP-42 value for motor gasoline).
GASOLINE_RVP_PSI = 10.0
GASOLINE_DISTILLATION_SLOPE = 3.0
_PSI = 6894.757  # [Pa/psi]


def ap42_refined_petroleum_vapour_pressure(
    temperature, *, rvp=GASOLINE_RVP_PSI * _PSI, slope=GASOLINE_DISTILLATION_SLOPE
):
    """True vapour pressure of a refined petroleum stock (gasoline) from its Reid vapour pressure (AP-42).

    Parameters
    ----------
    temperature : numeric
        Liquid temperature. [K]
    rvp : float
        Reid vapour pressure. [Pa] (default 10 psi = 68.9 kPa)
    slope : float
        ASTM D86 distillation slope at 10 % evaporated [°F/vol %] (3 for motor gasoline, [8]).

    Returns
    -------
    pressure : numeric
        [Pa]. P = exp(A − B/T) psia with T in °R ([8], Figure 7.1-15); the figure's range is 20-100 °F (266-311 K),
        values outside it are extrapolated.
    """
    t = _checks.positive("temperature", temperature)
    r = _checks.scalar("rvp", rvp, positive_only=True) / _PSI  # Pa -> psi
    slope = _checks.scalar("slope", slope, positive_only=True)
    sq, lnr = math.sqrt(slope), math.log(r)
    a = 15.64 - 1.854 * sq - (0.8742 - 0.3280 * sq) * lnr  # [8], Figure 7.1-15
    b = 8742.0 - 1042.0 * sq - (1049.0 - 179.4 * sq) * lnr  # [8], Figure 7.1-15
    p = np.exp(a - b / (t * 1.8)) * _PSI  # K -> °R; psia -> Pa
    return p if p.ndim else float(p)


# substance key -> (vapour-pressure function of T [K] -> Pa, source text)
_VAPOUR_PRESSURE_OVERRIDES: dict[str, tuple[Callable, str]] = {
    "gasoline": (
        ap42_refined_petroleum_vapour_pressure,
        "US EPA AP-42 ch. 7.1 (2020) Figure 7.1-15, motor gasoline RVP 10 psi, S = 3 (Table 7.1-2: 5.2 psia at 60 °F)",
    ),
}


def _norm(name: str) -> str:
    """Normalise a lookup key: lower case, no blanks, full-width punctuation folded."""
    s = str(name).strip().lower()
    s = s.replace("，", ",").replace("（", "(").replace("）", ")").replace("－", "-")
    return re.sub(r"\s+", "", s)


def _f(text: str) -> float:
    return float(text) if text.strip() else math.nan


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    with _DATA.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    return tuple(csv.DictReader(lines))


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Lookup key -> substance key; a name used by two substances is a data error."""
    idx: dict[str, str] = {}
    for r in _rows():
        names = [r["key"], r["name_zh"], r["name_en"], r["cas"]]
        names += [a for a in r["aliases_zh"].split(";") if a]
        names += [a for a in r["aliases_en"].split(";") if a]
        for n in names:
            k = _norm(n)
            if k in idx and idx[k] != r["key"]:
                raise RuntimeError(f"substances.csv: name {n!r} is used by both {idx[k]!r} and {r['key']!r}")
            idx[k] = r["key"]
    return idx


def _display_names() -> list[str]:
    out: list[str] = []
    for r in _rows():
        out += [r["name_zh"], r["name_en"]]
        out += [a for a in r["aliases_zh"].split(";") if a]
    return out


def known(name: str) -> bool:
    """True when :func:`get` knows this name, alias or CAS number."""
    if isinstance(name, Substance):
        return True
    return _norm(name) in _index()


def closest_names(name: str, n: int = 5) -> list[str]:
    """Up to ``n`` known names (Chinese, English, aliases) closest to ``name``, best first (for "did you mean")."""
    names = _display_names()
    close = difflib.get_close_matches(str(name).strip(), names, n=n, cutoff=0.3)
    if not close:
        close = difflib.get_close_matches(_norm(name), [_norm(x) for x in names], n=n, cutoff=0.3)
    return close


def get(name: str | Substance) -> Substance:
    """Look up a substance by Chinese name, English name, alias or CAS number.

    Parameters
    ----------
    name : str or Substance
        ``"液氯"``, ``"氯气"``, ``"chlorine"``, ``"7782-50-5"`` … (case and blanks ignored). A Substance is returned
        unchanged.

    Returns
    -------
    Substance

    Raises
    ------
    UnknownSubstanceError
        (a ValueError) naming the closest known names.
    """
    if isinstance(name, Substance):
        return name
    key = _index().get(_norm(name))
    if key is None:
        close = closest_names(name)
        hint = f"；最接近的已知名称：{'、'.join(close)}" if close else ""
        raise UnknownSubstanceError(
            f"未知物质 name={name!r}：不是物质库（{len(_rows())} 种物质）中的中文名、英文名或 CAS 号{hint}。"
            "请改用物质库中的名称或 CAS 号（物质库见 analysis.physics.substances.all_substances()） / unknown "
            "substance: not a known Chinese name, English name or CAS number"
        )
    return _build(key)


@dataclass(frozen=True)
class GB18218Identity:
    """What GB 18218-2018 needs of a substance, read from the bundled table alone (no property library).

    Attributes
    ----------
    cas : str
    critical_quantity : float
        GB 18218-2018 critical quantity Q (NaN where the standard does not cover the substance). [kg]
    category : str
        Table-2 hazard category symbol for a substance outside table 1 ("" otherwise).
    """

    cas: str
    critical_quantity: float
    category: str


def _table_row(name: str) -> dict:
    """The bundled table's row of a name, alias or CAS number (raises as :func:`get` for an unknown one)."""
    key = _index().get(_norm(name))
    if key is None:
        get(name)  # raises UnknownSubstanceError with the closest names
    return next(r for r in _rows() if r["key"] == key)


def gb18218_identity(name: str) -> GB18218Identity:
    """The GB 18218 identity of a name, alias or CAS number, without loading the property libraries.

    :func:`get` builds the full record through ``thermo`` (seconds on first use); identifying major hazards needs
    only the CAS number and the standard's category, which the bundled table holds.

    Raises
    ------
    UnknownSubstanceError
        As :func:`get`.
    """
    r = _table_row(name)
    return GB18218Identity(
        cas=r["cas"],
        critical_quantity=_f(r["gb18218_q_t"]) * 1000.0,  # t -> kg
        category=r["gb18218_category"],
    )


def table_names(name: str) -> tuple[str, ...]:
    """The CAS number, Chinese and English names and aliases of a name, alias or CAS number, read from the bundled
    table alone (the same strings :func:`get` puts in ``cas``, ``name_zh``, ``name_en`` and ``aliases``, without
    loading the property libraries: thermo's first use imports CoolProp, about 1.5 s with the interpreter lock held).

    Raises
    ------
    UnknownSubstanceError
        As :func:`get`.
    """
    r = _table_row(name)
    aliases = [a for a in (r["aliases_zh"].split(";") + r["aliases_en"].split(";")) if a]
    return (r["cas"], r["name_zh"], r["name_en"], *aliases)


def table_flags(name: str) -> tuple[bool, bool]:
    """``(flammable, toxic)`` of a name, alias or CAS number: the flags :func:`get` puts in ``flammable`` and
    ``toxic``, read from the bundled table alone (no property library).

    Raises
    ------
    UnknownSubstanceError
        As :func:`get`.
    """
    r = _table_row(name)
    return r["flammable"] == "1", r["toxic"] == "1"


def probit_names_zh() -> list[str]:
    """Chinese names of the substances with toxic probit constants, sorted (those whose :func:`get` record has a
    ``probit``), read from the bundled table alone."""
    return sorted(r["name_zh"] for r in _rows() if r["probit_a"].strip())


def all_substances() -> tuple[Substance, ...]:
    """Every bundled substance, in the order of ``analysis/data/substances.csv``."""
    return tuple(_build(r["key"]) for r in _rows())


def _combustion(r, fixed, src) -> tuple[float, float, float]:
    """Lower heat of combustion [J/kg] and flammability limits [volume fraction] of a substances.csv row.

    The csv values win; otherwise thermo/chemicals (``fixed``, :func:`_thermo_fixed`); 0 and NaN for a substance
    flagged non-combustible. Records each value's source in ``src``.
    """
    if r["flammable"] != "1":
        src["heat_of_combustion"] = "not combustible (substances.csv flag)"
        return 0.0, math.nan, math.nan
    if r["hc_lower_j_kg"].strip():
        hc = float(r["hc_lower_j_kg"])
        src["heat_of_combustion"] = r["hc_source"]
    else:
        hc = fixed["hc_lower"]
        src["heat_of_combustion"] = f"{fixed['version']}.Hc_lower"
    if r["lfl"].strip():
        lfl, ufl = _f(r["lfl"]), _f(r["ufl"])
        src["lfl"] = src["ufl"] = r["lfl_ufl_source"]
    else:
        lfl, ufl = fixed["lfl"], fixed["ufl"]
        src["lfl"] = src["ufl"] = f"chemicals.safety LFL/UFL ({fixed['lfl_method']})"
    return hc, lfl, ufl


@cache
def _build(key: str) -> Substance:
    r = next(row for row in _rows() if row["key"] == key)
    pcas = r["property_cas"]
    fixed, props = thermo_record(key, r, _VAPOUR_PRESSURE_OVERRIDES.get(key, (None, ""))[0])
    flammable = r["flammable"] == "1"
    toxic = r["toxic"] == "1"
    mw = fixed["molar_mass"]
    tb, tc, pc = fixed["tb"], fixed["tc"], fixed["pc"]
    t_liq = _T_LIQ if tc > _T_LIQ else tb
    cp_ig = fixed["cp_ig"]  # J/(mol·K)
    gamma = cp_ig / (cp_ig - R_GAS)
    tv = fixed["version"]
    src: dict[str, str] = {
        "molar_mass": tv,
        "boiling_point": f"chemicals.phase_change.Tb method {fixed['tb_method']}",
        "critical_temperature": f"chemicals.critical.Tc method {fixed['tc_method']}",
        "critical_pressure": f"chemicals.critical.Pc method {fixed['pc_method']}",
        "vapour_pressure": f"{tv}.VaporPressure method {fixed['vp_method']}",
        "liquid_density": f"{tv}.VolumeLiquid method {fixed['vl_method']} at {t_liq:.2f} K",
        "liquid_heat_capacity": f"{tv}.HeatCapacityLiquid method {fixed['cpl_method']} at {t_liq:.2f} K",
        "heat_of_vaporisation": f"{tv}.EnthalpyVaporization method {fixed['hvap_method']} at Tb",
        "heat_capacity_ratio": f"{tv}.HeatCapacityGas method {fixed['cpg_method']} at 298.15 K",
    }
    if r["surrogate_note"]:
        for k in list(src):
            src[k] += f"（代表物：{r['surrogate_note']}）"
    if key in _VAPOUR_PRESSURE_OVERRIDES:
        src["vapour_pressure"] = _VAPOUR_PRESSURE_OVERRIDES[key][1]

    hc, lfl, ufl = _combustion(r, fixed, src)

    # AEGL/PAC/IDLH: ppm at 25 °C, 1 atm -> kg/m³ ([3], [4])
    aegl = [float(ppm_to_kg_m3(_f(r[f"aegl{i}_ppm"]), mw)) for i in (1, 2, 3)]
    idlh = float(ppm_to_kg_m3(_f(r["idlh_ppm"]), mw))
    if r["threshold_source"]:
        src["aegl"] = r["threshold_source"] + " 60-min, ppm converted at 298.15 K"
    if r["idlh_source"]:
        src["idlh"] = r["idlh_source"]

    probit = None
    if r["probit_a"].strip():
        probit = ToxicProbit(
            a=float(r["probit_a"]),
            b=float(r["probit_b"]),
            n=float(r["probit_n"]),
            concentration_unit=r["probit_conc_unit"],
            time_unit=r["probit_time_unit"],
            molar_mass=mw,
            source=r["probit_source"],
        )
        src["probit"] = r["probit_source"]

    q = _f(r["gb18218_q_t"]) * 1000.0  # t -> kg
    src["gb18218_critical_quantity"] = r["gb18218_q_source"]
    src["gb18218_beta"] = r["gb18218_beta_source"]

    aliases = tuple(a for a in (r["aliases_zh"].split(";") + r["aliases_en"].split(";")) if a)
    return Substance(
        key=r["key"],
        name_zh=r["name_zh"],
        name_en=r["name_en"],
        cas=r["cas"],
        property_cas=pcas,
        aliases=aliases,
        surrogate_note=r["surrogate_note"],
        molar_mass=mw,
        boiling_point=tb,
        critical_temperature=tc,
        critical_pressure=pc,
        heat_of_combustion=hc,
        liquid_density=float(props.liquid_density(t_liq)),
        liquid_heat_capacity=float(props.liquid_heat_capacity(t_liq)),
        liquid_reference_temperature=t_liq,
        heat_of_vaporisation=float(props.heat_of_vaporisation(tb)),
        heat_capacity_ratio=float(gamma),
        lfl=lfl,
        ufl=ufl,
        aegl1=aegl[0],
        aegl2=aegl[1],
        aegl3=aegl[2],
        threshold_kind=r["threshold_kind"],
        idlh=idlh,
        probit=probit,
        gb18218_critical_quantity=q,
        gb18218_category=r["gb18218_category"],
        gb18218_beta=_f(r["gb18218_beta"]),
        flammable=flammable,
        toxic=toxic,
        sources=tuple(sorted(src.items())),
        _props=props,
    )
