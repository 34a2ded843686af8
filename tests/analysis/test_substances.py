"""analysis.physics.substances against published handbook values, GB 18218-2018 tables and US EPA AEGL tables."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.physics import substances
from analysis.physics.substances import UnknownSubstanceError, get, known, ppm_to_kg_m3

# --------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("液氯", "chlorine"),
        ("氯气", "chlorine"),
        ("氯", "chlorine"),
        ("Chlorine", "chlorine"),
        ("7782-50-5", "chlorine"),
        ("液氨", "ammonia"),
        ("氨", "ammonia"),
        ("甲醇", "methanol"),
        ("汽油", "gasoline"),
        ("液化石油气", "lpg"),
        ("LPG", "lpg"),
        ("苯", "benzene"),
        ("氢气", "hydrogen"),
        ("环氧乙烷", "ethylene_oxide"),
        ("丙烯", "propylene"),
        ("硫化氢", "hydrogen_sulfide"),
        ("氯化氢", "hydrogen_chloride"),
        ("氟化氢", "hydrogen_fluoride"),
        ("光气", "phosgene"),
        ("碳酰氯", "phosgene"),
        ("氰化氢", "hydrogen_cyanide"),
        ("天然气", "natural_gas"),
        (" hydrogen  sulphide ", "hydrogen_sulfide"),
        ("1,3-丁二烯", "butadiene"),
    ],
)
def test_lookup_by_chinese_english_alias_and_cas(name, key):
    assert get(name).key == key
    assert known(name)


def test_at_least_40_substances_with_unique_keys():
    subs = substances.all_substances()
    assert len(subs) >= 40
    assert len({s.key for s in subs}) == len(subs)


@pytest.mark.parametrize("name", ["液氯", "ammonia", "67-56-1", "液化石油气", "苯"])
def test_table_names_are_the_names_get_returns(name):
    # the bundled table alone gives the same CAS number (CAS Registry: chlorine 7782-50-5, ammonia 7664-41-7,
    # methanol 67-56-1, benzene 71-43-2), names and aliases as the full record
    sub = get(name)
    assert substances.table_names(name) == (sub.cas, sub.name_zh, sub.name_en, *sub.aliases)
    with pytest.raises(UnknownSubstanceError, match="液氯"):
        substances.table_names("液氯气体")


def test_key_chemical_lookup_loads_no_property_library():
    # the overview's 两重点一重大 count runs on the first page view: thermo's first use imports CoolProp (≈1.5 s
    # holding the interpreter lock, which stalls the whole app server)
    code = (
        "import sys; from analysis.regulation import key_chemical; "
        "assert key_chemical('液氯') and not key_chemical('水') and not key_chemical('柴油'); "
        "assert 'thermo' not in sys.modules and 'CoolProp' not in sys.modules, 'property library loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_unknown_name_suggests_closest_names():
    with pytest.raises(UnknownSubstanceError, match="液氯") as exc:
        get("液氯气体")
    assert isinstance(exc.value, ValueError)
    with pytest.raises(ValueError, match="chlorine"):
        get("chlorin")
    assert not known("unobtainium")


def test_substance_is_frozen():
    s = get("液氯")
    with pytest.raises(AttributeError):
        s.molar_mass = 1.0  # type: ignore[misc]


# --------------------------------------------------------------------------- physical properties
# CRC Handbook of Chemistry and Physics, 97th ed. (2016): normal boiling points, critical constants, enthalpy of
# vaporisation at Tb (section 6); NIST Chemistry WebBook / Lemmon et al. REFPROP saturation data for vapour
# pressure and saturated-liquid density at 20 °C; lower heats of combustion from Perry's Chemical Engineers'
# Handbook, 8th ed., Table 2-197 (hydrogen 119.96 MJ/kg, methane 50.01 MJ/kg, propane 46.35 MJ/kg, methanol 19.92 MJ/kg).
HANDBOOK = [
    # name, attribute, published value (SI), rtol, source
    ("chlorine", "molar_mass", 0.070906, 1e-4, "IUPAC atomic weights: 2 x 35.453 g/mol"),
    ("chlorine", "boiling_point", 239.11, 1e-3, "CRC 97th: -34.04 °C"),
    ("chlorine", "critical_temperature", 416.9, 2e-3, "CRC 97th"),
    ("chlorine", "critical_pressure", 7.991e6, 5e-3, "CRC 97th: 7.991 MPa"),
    ("chlorine", "heat_of_vaporisation", 20.41e3 / 0.070906, 0.01, "CRC 97th: 20.41 kJ/mol at Tb"),
    ("ammonia", "boiling_point", 239.82, 1e-3, "CRC 97th: -33.33 °C"),
    ("ammonia", "critical_pressure", 11.357e6, 0.01, "CRC 97th: 11.357 MPa"),
    ("ammonia", "heat_of_vaporisation", 23.33e3 / 0.017031, 0.01, "CRC 97th: 23.33 kJ/mol at Tb"),
    ("ammonia", "liquid_density", 610.2, 0.01, "NIST WebBook saturated liquid at 20 °C"),
    ("propane", "boiling_point", 231.05, 1e-3, "CRC 97th: -42.1 °C"),
    ("propane", "liquid_density", 500.1, 0.01, "NIST WebBook saturated liquid at 20 °C"),
    ("propane", "heat_of_combustion", 46.35e6, 0.01, "Perry's 8th Table 2-197"),
    ("benzene", "boiling_point", 353.24, 1e-3, "CRC 97th: 80.09 °C"),
    ("benzene", "liquid_density", 876.5, 0.01, "CRC 97th: 0.8765 g/cm³ at 20 °C"),
    ("benzene", "heat_of_vaporisation", 30.72e3 / 0.078112, 0.01, "CRC 97th: 30.72 kJ/mol at Tb"),
    ("methanol", "liquid_density", 791.4, 0.01, "CRC 97th: 0.7914 g/cm³ at 20 °C"),
    ("methanol", "heat_of_combustion", 19.92e6, 0.01, "Perry's 8th Table 2-197"),
    ("hydrogen", "heat_of_combustion", 119.96e6, 0.01, "Perry's 8th Table 2-197"),
    ("hydrogen", "boiling_point", 20.28, 5e-3, "CRC 97th: -252.87 °C"),
    ("hydrogen", "liquid_density", 70.85, 0.01, "NIST WebBook saturated liquid at Tb"),
    ("methane", "liquid_density", 422.4, 0.01, "NIST WebBook saturated liquid at Tb"),
    ("methane", "heat_of_combustion", 50.01e6, 0.01, "Perry's 8th Table 2-197"),
]


@pytest.mark.parametrize(("name", "attr", "published", "rtol", "source"), HANDBOOK)
def test_property_matches_handbook(name, attr, published, rtol, source):
    assert getattr(get(name), attr) == pytest.approx(published, rel=rtol), source


@pytest.mark.parametrize(
    ("name", "temperature", "published", "source"),
    [
        ("chlorine", 293.15, 6.73e5, "NIST WebBook saturation pressure at 20 °C, 0.673 MPa"),
        ("ammonia", 293.15, 8.573e5, "NIST WebBook saturation pressure at 20 °C, 0.8573 MPa"),
        ("propane", 293.15, 8.362e5, "NIST WebBook saturation pressure at 20 °C, 0.8362 MPa"),
        ("benzene", 293.15, 1.00e4, "CRC 97th vapour pressure table: 10.0 kPa at 20 °C"),
        ("methanol", 293.15, 1.30e4, "CRC 97th vapour pressure table: 13.0 kPa at 20 °C"),
        ("chlorine", 239.11, 101325.0, "definition of the normal boiling point (CRC Tb)"),
    ],
)
def test_vapour_pressure_matches_published(name, temperature, published, source):
    assert get(name).vapour_pressure(temperature) == pytest.approx(published, rel=0.02), source


@pytest.mark.parametrize(
    ("name", "temperature", "published"),
    [
        ("propane", 298.15, 20.6),  # NIST WebBook saturated vapour density at 25 °C
        ("ammonia", 293.15, 6.70),  # NIST WebBook saturated vapour density at 20 °C
    ],
)
def test_saturated_vapour_density_nist(name, temperature, published):
    assert get(name).vapour_density_at(temperature) == pytest.approx(published, rel=0.04)


def test_vapour_pressure_is_vectorised_and_nan_above_critical():
    s = get("propane")
    t = np.array([[250.0, 300.0], [350.0, 400.0]])
    p = s.vapour_pressure(t)
    assert p.shape == (2, 2)
    assert np.all(np.diff(p[0]) > 0)
    assert math.isnan(p[1, 1])  # 400 K > Tc = 369.8 K


def test_noncombustible_has_zero_heat_of_combustion_and_no_flammability_limits():
    s = get("chlorine")
    assert s.heat_of_combustion == 0.0
    assert math.isnan(s.lfl) and not s.flammable and s.toxic


def test_mixture_surrogates_are_documented():
    lpg = get("液化石油气")
    assert lpg.is_mixture and "propane" in lpg.surrogate_note
    assert get("汽油").heat_of_combustion == pytest.approx(43.7e6)  # Babrauskas SFPE Table 3-1.13


def test_lfl_ufl_from_chemicals():
    # chemicals.safety (IEC 60079-20-1:2010 data): methane 4.4-17 vol %, hydrogen 4.0 vol %
    s = get("methane")
    assert s.lfl == pytest.approx(0.044) and s.ufl == pytest.approx(0.17)
    assert get("hydrogen").lfl == pytest.approx(0.04)  # IEC 60079-20-1: 4.0 vol %


# --------------------------------------------------------------------------- GB 18218-2018
@pytest.mark.parametrize(
    ("name", "q_t", "where"),
    [
        ("液氯", 5, "table 1 no. 12"),
        ("液氨", 10, "table 1 no. 1"),
        ("液化石油气", 50, "table 1 no. 52"),
        ("甲醇", 500, "table 1 no. 65"),
        ("苯", 50, "table 1 no. 57"),
        ("汽油", 200, "table 1 no. 66"),
        ("氢气", 5, "table 1 no. 51"),
        ("硫化氢", 5, "table 1 no. 10"),
        ("光气", 0.3, "table 1 no. 6"),
        ("环氧乙烷", 10, "table 1 no. 7"),
        ("天然气", 50, "table 1 no. 49"),
        ("氰化氢", 1, "table 1 no. 25"),
        ("丙烯", 10, "not in table 1: table 2 W2 flammable gas category 1 = 10 t"),
    ],
)
def test_gb18218_critical_quantity(name, q_t, where):
    """GB 18218-2018 critical quantities (t), checked against an independent public transcription of the tables."""
    assert get(name).gb18218_critical_quantity == pytest.approx(q_t * 1000.0), where


@pytest.mark.parametrize(
    ("name", "beta"),
    [
        ("液氯", 4),
        ("液氨", 2),
        ("硫化氢", 5),
        ("光气", 20),
        ("氰化氢", 10),
        ("氯化氢", 3),
        ("环氧乙烷", 2),
        ("液化石油气", 1.5),
        ("甲醇", 1),
        ("汽油", 1.5),
    ],
)
def test_gb18218_beta(name, beta):
    """β: GB 18218-2018 table 3 (named toxic gases) and table 4 (W2 = 1.5, W5.1 = 1.5, W5.3 = 1)."""
    assert get(name).gb18218_beta == beta


# --------------------------------------------------------------------------- toxic thresholds
@pytest.mark.parametrize(
    ("name", "level", "mg_m3"),
    [
        # US EPA AEGL final values, 60 min, as published with their mg/m³ equivalents
        ("chlorine", "aegl1", 1.5),
        ("chlorine", "aegl2", 5.8),
        ("chlorine", "aegl3", 58.0),
        ("ammonia", "aegl1", 21.0),
        ("ammonia", "aegl2", 110.0),
        ("ammonia", "aegl3", 770.0),
    ],
)
def test_aegl_60min_published(name, level, mg_m3):
    # the EPA tables round mg/m³ to two significant figures
    assert getattr(get(name), level) * 1e6 == pytest.approx(mg_m3, rel=0.035)


def test_ppm_conversion_at_25C():
    # 1 ppm of a 24.45 g/mol gas is 1 mg/m³ at 25 °C and 1 atm (molar volume 24.45 L)
    assert ppm_to_kg_m3(1.0, 0.02445) == pytest.approx(1e-6, rel=1e-3)


def test_probit_units_and_conversion():
    """Crowl & Louvar (2011) Table 2-5 chlorine: Y = -8.29 + 0.92 ln(C² t), C in ppm, t in min."""
    s = get("chlorine")
    pr = s.probit
    assert (pr.a, pr.b, pr.n, pr.concentration_unit, pr.time_unit) == (-8.29, 0.92, 2.0, "ppm", "min")
    c = ppm_to_kg_m3(400.0, s.molar_mass)  # 400 ppm for 30 min
    expected = -8.29 + 0.92 * math.log(400.0**2 * 30.0)
    assert pr.probit(c, 1800.0) == pytest.approx(expected, rel=1e-9)


def test_gasoline_vapour_pressure_ap42_rvp10():
    """US EPA AP-42 ch. 7.1 (2020), Table 7.1-2, gasoline RVP 10: true vapour pressure 3.4 / 4.2 / 5.2 / 6.2 /
    7.4 / 8.8 / 10.5 psia at 40 / 50 / 60 / 70 / 80 / 90 / 100 °F (the table is read off Figure 7.1-15, whose
    equation we use; agreement within 2.5 %, 0.5 % at the 60 °F reference point)."""
    gas = substances.get("汽油")
    f = np.array([40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0])
    t_k = (f - 32.0) / 1.8 + 273.15
    psia = np.array([3.4, 4.2, 5.2, 6.2, 7.4, 8.8, 10.5])
    np.testing.assert_allclose(gas.vapour_pressure(t_k), psia * 6894.757, rtol=0.025)
    assert gas.vapour_pressure((60.0 - 32.0) / 1.8 + 273.15) == pytest.approx(5.2 * 6894.757, rel=0.005)
    # far above the n-heptane surrogate (4.7 kPa at 20 °C), inside the 40-85 kPa RVP band of GB 17930 grades
    assert 35e3 < gas.vapour_pressure(293.15) < 50e3
    assert "AP-42" in gas.source["vapour_pressure"]
    # combustion properties unchanged: SFPE Table 3-1.13 heat of combustion of gasoline 43.7 MJ/kg
    assert gas.heat_of_combustion == pytest.approx(43.7e6, rel=1e-9)
    with pytest.raises(ValueError, match="temperature"):
        substances.ap42_refined_petroleum_vapour_pressure(-1.0)
