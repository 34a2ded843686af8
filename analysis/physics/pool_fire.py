"""Pool fire: burning rate, flame length and tilt, surface emissive power, and the solid-flame heat flux.

:func:`pool_fire` returns a frozen :class:`PoolFire` whose ``heat_flux(distance, ...)`` and ``heat_flux_xy(x, y,
...)`` give the thermal radiation received [W/m²], q = τ E F ([1], Eq. 2.2.31), from a solid-flame cylinder on the
pool tilted downwind by the wind; ``assumptions`` lists every model choice and default. Re-exported by
:mod:`analysis.physics.fire`. Reference numbers are those of :mod:`analysis.physics.fire`, which lists every fire reference.

References
----------
.. [1] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York.
       §2.2.5: Eq. 2.2.31 (solid-flame flux), 2.2.33 (transmissivity), 2.2.35–2.2.36 (Burgess burning rate),
       2.2.37 (Thomas flame height), 2.2.38–2.2.39 (flame tilt), 2.2.40 (surface emissive power).
.. [2] Babrauskas, V. (1983). Estimating large pool fire burning rates. Fire Technology 19:251–261; tabulated in the
       SFPE Handbook, 3rd ed. (2002), Table 3-1.13 (``analysis/data/babrauskas_2002_burning_rates.csv``).
.. [3] Burgess, D. & Hertzberg, M. (1974). Radiation from pool flames. In Heat Transfer in Flames, Wiley, 413–430.
.. [4] Thomas, P. H. (1963). The size of flames from natural fires. 9th Symp. (Int.) on Combustion, 844–859.
.. [5] Moorhouse, J. (1982). Scaling criteria for pool fires derived from large scale experiments. IChemE Symp.
       Ser. 71, 165–179.
.. [6] American Gas Association (1974). LNG Safety Program, Interim Report on Phase II Work, Project IS-3-1 (flame
       tilt: cos θ = 1 for u* ≤ 1, cos θ = 1/√u* for u* > 1); as quoted in [7] and [1].
.. [7] Mudan, K. S. & Croce, P. A. (1988). Fire hazard calculations for large open hydrocarbon fires. SFPE Handbook
       of Fire Protection Engineering, 1st ed., §2-4: surface emissive power E = E_max e^(−sD) + E_s (1 − e^(−sD)),
       E_max = 140 kW/m², E_s = 20 kW/m², s = 0.12 m⁻¹; view factors (:mod:`analysis.physics.view_factor`).
.. [15] Shokri, M. & Beyler, C. L. (1989). Radiation from large pool fires. Journal of Fire Protection Engineering
        1(4):141–150: E = 58 · 10^(−0.00823 D) kW/m² (D [m]), fitted to large hydrocarbon pool fires; also in the
        SFPE Handbook, 3rd ed. (2002), ch. 3-10 (Beyler, Fire hazard calculations for large, open hydrocarbon
        fires).
.. [14] Scandpower (2004). Guidelines for the protection of pressurised systems exposed to fire, v2.0, Table 2:
        heat load on an object engulfed by a pool fire 150 kW/m² local peak, 100 kW/m² global average (the
        smoke-averaged SEP of [7] applies only to targets outside the flame).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from analysis import _checks
from analysis._data import DATA_DIR
from analysis.constants import AMBIENT_TEMPERATURE, P_ATM, R_GAS, G
from analysis.errors import ScenarioNotApplicableError
from analysis.physics.substances import get
from analysis.physics.transmissivity import atmospheric_transmissivity, water_vapour_pressure
from analysis.physics.view_factor import (
    _TABLE_THETA,
    _bilinear_uniform,
    _ground_profile,
    _tilted_ground_table,
    _tilted_view_factor,
    _upright_view_factor,
)

__all__ = [
    "AIR_DENSITY",
    "BURNING_RATE_MODELS",
    "FLAME_LENGTH_MODELS",
    "POOL_FIRE_ENGULFMENT_EMISSIVE_POWER",
    "SEP_MODELS",
    "PoolFire",
    "burning_rate",
    "equivalent_diameter",
    "flame_tilt",
    "pool_fire",
    "pool_flame_length",
    "surface_emissive_power",
]

AIR_DENSITY = 1.2  # air at 20 °C, 1 atm [kg/m³] (default, overridable)
BURNING_RATE_MODELS = ("babrauskas1983", "burgess1974")
FLAME_LENGTH_MODELS = ("thomas1963", "moorhouse1982")
SEP_MODELS = ("mudan_croce1988", "shokri_beyler1989", "radiative_fraction")


def _ln_tau_from_s(s, radius, relative_humidity, ambient_temperature):
    """ln τ of CCPS (2000) Eq. 2.2.33 with the path x = d − R = R e^s (s = ln(d/R − 1)): one log fewer. [-]"""
    pw = float(water_vapour_pressure(relative_humidity, ambient_temperature))  # [1], Eq. 2.2.34
    with np.errstate(divide="ignore"):
        ln_pw_r = math.log(pw * radius) if pw > 0.0 else -math.inf
    # [1], Eq. 2.2.33: τ = 2.02 (p_w x)^(−0.09), capped at 1
    return np.minimum(math.log(2.02) - 0.09 * (ln_pw_r + s), 0.0)


def _ground_heat_flux(pf, r, theta, relative_humidity, ambient_temperature):
    """q = τ E F for ground-level targets from the per-flame tables, fused into one pass (see PoolFire.heat_flux).

    r [m] from the pool centre; theta [rad] from the downwind axis, a float (one direction) or an array.
    Same tables and interpolation weights as :func:`_upright_view_factor` / :func:`_tilted_view_factor`, with ln F
    and ln τ added before a single exp.
    """
    radius = pf.radius
    with np.errstate(divide="ignore"):
        s = np.log(np.maximum(r / radius - 1.0, 1e-300))
    if pf.tilt < 1e-9 or np.ndim(theta) == 0:
        s_nodes, col, rmax = _ground_profile(
            float(radius),
            float(pf.flame_length),
            float(pf.tilt),
            float(theta) if np.ndim(theta) == 0 else 0.0,
        )
        lnf = np.interp(s, s_nodes, col)
    else:
        s_nodes, table = _tilted_ground_table(float(radius), float(pf.flame_length), float(pf.tilt))
        rmax = radius * (1.0 + math.exp(s_nodes[-1]))
        ds = s_nodes[1] - s_nodes[0]
        dth = _TABLE_THETA[1] - _TABLE_THETA[0]
        lnf = _bilinear_uniform(table, s, theta, s_nodes[0], ds, 0.0, dth)
    lnf = np.where(r > rmax, lnf + 2.0 * np.log(rmax / np.maximum(r, rmax)), lnf)  # 1/r² beyond the table
    ln_q = lnf + _ln_tau_from_s(s, radius, relative_humidity, ambient_temperature)
    return np.where(r <= radius, pf.surface_emissive_power, pf.surface_emissive_power * np.exp(ln_q))


def equivalent_diameter(area):
    """Diameter of the circle of the same area. [m] from area [m²]."""
    a = _checks.positive("area", area)
    return _checks.out(np.sqrt(4.0 * a / np.pi))


@lru_cache(maxsize=1)
def _babrauskas_table() -> Mapping[str, tuple[float, float, str]]:
    path = DATA_DIR / "babrauskas_2002_burning_rates.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    return {
        r["key"]: (
            float(r["m_inf_kg_m2s"]),
            float(r["k_beta_per_m"]) if r["k_beta_per_m"].strip() else math.inf,
            r["fuel"],
        )
        for r in rows
    }


def burning_rate(
    diameter,
    *,
    substance=None,
    heat_of_combustion=None,
    boiling_point=None,
    heat_of_vaporisation=None,
    liquid_heat_capacity=None,
    ambient_temperature=AMBIENT_TEMPERATURE,
    model="babrauskas1983",
):
    """Mass burning rate per unit pool area.

    Parameters
    ----------
    diameter : numeric
        Pool diameter. [m]
    substance : str or Substance, optional
        Fuel (``analysis.physics.substances.get`` name); supplies the properties below when they are not given.
    heat_of_combustion : float, optional
        Lower heat of combustion. [J/kg]
    boiling_point : float, optional
        [K]
    heat_of_vaporisation : float, optional
        At the boiling point. [J/kg]
    liquid_heat_capacity : float, optional
        [J/(kg·K)]
    ambient_temperature : float
        Initial liquid temperature. [K]
    model : str
        ``"babrauskas1983"``: m'' = m∞ (1 − e^(−kβ D)) with m∞ and kβ of the fuel from [2] (fuels in
        ``analysis/data/babrauskas_2002_burning_rates.csv``); ``"burgess1974"``: m'' = 10⁻³ ΔH_c / ΔH* with
        ΔH* = ΔH_v + c_p (T_b − T_a) for liquids above their boiling point ΔH* = ΔH_v ([1], Eq. 2.2.35; [3]).

    Returns
    -------
    m : numeric
        [kg/(m²·s)]
    """
    _checks.choice("model", model, BURNING_RATE_MODELS)
    d = _checks.positive("diameter", diameter)
    if model == "babrauskas1983":
        if substance is None:
            raise ValueError("substance=None: model='babrauskas1983' needs the fuel to look up m∞ and kβ")
        s = get(substance)
        table = _babrauskas_table()
        if s.key not in table:
            raise ValueError(
                f"substance={s.name_zh}/{s.name_en!r} has no entry in Babrauskas' table (model='babrauskas1983'); "
                f"fuels in the table: {', '.join(sorted(table))}; use model='burgess1974' for others"
            )
        m_inf, kb, _ = table[s.key]
        return _checks.out(m_inf * (1.0 - np.exp(-kb * d)))  # [2], Eq. (1)
    hc, tb, hv, cp = _fuel_props(
        substance, heat_of_combustion, boiling_point, heat_of_vaporisation, liquid_heat_capacity
    )
    ta = _checks.scalar("ambient_temperature", ambient_temperature, positive_only=True)
    dh = hv + cp * max(tb - ta, 0.0)  # [1], Eq. 2.2.36: ΔH* (no sensible heat for a boiling liquid)
    return _checks.out(np.broadcast_to(1e-3 * hc / dh, d.shape).copy())  # [1], Eq. 2.2.35


def _fuel_props(substance, hc, tb, hv, cp):
    s = None
    if substance is not None:
        s = get(substance)
    vals = {
        "heat_of_combustion": hc if hc is not None else (s.heat_of_combustion if s else None),
        "boiling_point": tb if tb is not None else (s.boiling_point if s else None),
        "heat_of_vaporisation": hv if hv is not None else (s.heat_of_vaporisation if s else None),
        "liquid_heat_capacity": cp if cp is not None else (s.liquid_heat_capacity if s else None),
    }
    for k, v in vals.items():
        if v is None:
            raise ValueError(f"{k}=None: give {k} or a substance")
        _checks.scalar(k, v, positive_only=True)
    return (
        float(vals["heat_of_combustion"]),
        float(vals["boiling_point"]),
        float(vals["heat_of_vaporisation"]),
        float(vals["liquid_heat_capacity"]),
    )


def _u_star(wind_speed, burning_rate, diameter, vapour_density):
    # [1], Eq. 2.2.38 / [6]: u* = u_w / (g m'' D / ρ_v)^(1/3)
    return wind_speed / np.cbrt(G * burning_rate * diameter / vapour_density)


def pool_flame_length(
    diameter,
    burning_rate,
    *,
    wind_speed=0.0,
    air_density=AIR_DENSITY,
    vapour_density=None,
    model="thomas1963",
):
    """Visible flame length of a pool fire.

    Parameters
    ----------
    diameter : numeric
        [m]
    burning_rate : numeric
        [kg/(m²·s)]
    wind_speed : numeric
        At 10 m (Moorhouse) or flame height (Thomas). [m/s]
    air_density : float
        [kg/m³]
    vapour_density : float, optional
        Fuel vapour density at its boiling point [kg/m³]; needed when wind_speed > 0.
    model : str
        ``"thomas1963"``: L/D = 42 (m''/(ρ_a √(gD)))^0.61 in still air ([4]; [1], Eq. 2.2.37) and
        L/D = 55 (m''/(ρ_a √(gD)))^0.67 (u*)^−0.21 in wind ([4]) with u* floored at 1;
        ``"moorhouse1982"``: L/D = 6.2 (m''/(ρ_a √(gD)))^0.254 (u*)^−0.044 ([5]), u* floored at 1.

    Returns
    -------
    length : numeric
        [m]
    """
    _checks.choice("model", model, FLAME_LENGTH_MODELS)
    d = _checks.positive("diameter", diameter)
    m = _checks.positive("burning_rate", burning_rate)
    u = _checks.nonneg("wind_speed", wind_speed)
    rho_a = _checks.scalar("air_density", air_density, positive_only=True)
    x = m / (rho_a * np.sqrt(G * d))
    if np.any(u > 0) or model == "moorhouse1982":
        if vapour_density is None:
            raise ValueError(
                "vapour_density=None: the wind correlations need the fuel vapour density [kg/m³]"
            )
        rho_v = _checks.scalar("vapour_density", vapour_density, positive_only=True)
        us = np.maximum(_u_star(u, m, d, rho_v), 1.0)
    else:
        us = np.ones_like(x)
    if model == "thomas1963":
        still = 42.0 * x**0.61  # [4]; [1], Eq. 2.2.37
        windy = 55.0 * x**0.67 * us**-0.21  # [4], wind correlation
        return _checks.out(d * np.where(u > 0, windy, still))
    return _checks.out(d * 6.2 * x**0.254 * us**-0.044)  # [5]


def flame_tilt(wind_speed, burning_rate, diameter, vapour_density):
    """Flame tilt from the vertical (AGA 1974).

    Parameters
    ----------
    wind_speed : numeric
        [m/s]
    burning_rate : numeric
        [kg/(m²·s)]
    diameter : numeric
        [m]
    vapour_density : float
        [kg/m³]

    Returns
    -------
    theta : numeric
        [rad]; cos θ = 1 for u* ≤ 1, cos θ = 1/√u* for u* > 1 ([6]; [1], Eq. 2.2.39)
    """
    u = _checks.nonneg("wind_speed", wind_speed)
    m = _checks.positive("burning_rate", burning_rate)
    d = _checks.positive("diameter", diameter)
    rho_v = _checks.scalar("vapour_density", vapour_density, positive_only=True)
    us = _u_star(u, m, d, rho_v)
    cos_t = np.where(us <= 1.0, 1.0, 1.0 / np.sqrt(np.maximum(us, 1.0)))  # [6]
    return _checks.out(np.arccos(cos_t))


def surface_emissive_power(
    diameter,
    *,
    model="mudan_croce1988",
    burning_rate=None,
    heat_of_combustion=None,
    flame_length=None,
    radiative_fraction=0.35,
):
    """Average surface emissive power of a pool-fire flame.

    Parameters
    ----------
    diameter : numeric
        [m]
    model : str
        ``"mudan_croce1988"`` (default): E = 140 e^(−0.12 D) + 20 (1 − e^(−0.12 D)) [kW/m²] (smoky hydrocarbon
        flames, [7]);
        ``"shokri_beyler1989"``: E = 58 · 10^(−0.00823 D) [kW/m²] ([15]); higher than Mudan & Croce above
        D ≈ 13 m (e.g. 33 vs 23 kW/m² at 30 m), the conservative choice for large hydrocarbon pools;
        ``"radiative_fraction"``: E = f m'' ΔH_c / (1 + 4 L/D) ([1], Eq. 2.2.40).
    burning_rate, heat_of_combustion, flame_length, radiative_fraction :
        Needed by ``"radiative_fraction"``: [kg/(m²·s)], [J/kg], [m], [-].

    Returns
    -------
    E : numeric
        [W/m²]
    """
    _checks.choice("model", model, SEP_MODELS)
    d = _checks.positive("diameter", diameter)
    if model == "mudan_croce1988":
        e = np.exp(-0.12 * d)
        return _checks.out(140e3 * e + 20e3 * (1.0 - e))  # [7], kW/m² -> W/m²
    if model == "shokri_beyler1989":
        return _checks.out(58e3 * 10.0 ** (-0.00823 * d))  # [15], kW/m² -> W/m²
    for k, v in (
        ("burning_rate", burning_rate),
        ("heat_of_combustion", heat_of_combustion),
        ("flame_length", flame_length),
    ):
        if v is None:
            raise ValueError(f"{k}=None: model='radiative_fraction' needs {k}")
    m = _checks.positive("burning_rate", burning_rate)
    hc = _checks.positive("heat_of_combustion", heat_of_combustion)
    length = _checks.positive("flame_length", flame_length)
    f = _checks.positive("radiative_fraction", radiative_fraction, upper=1.0)
    return _checks.out(f * m * hc / (1.0 + 4.0 * length / d))  # [1], Eq. 2.2.40


#: Emissive power of the luminous (unobscured) part of a hydrocarbon pool flame, E_max = 140 kW/m² of Mudan & Croce
#: ([7]); what a target inside the flame receives (between the 100 kW/m² average and 150 kW/m² peak engulfment loads
#: of [14]), unlike the smoke-averaged SEP (→ 20 kW/m² for large pools) that applies outside it. [W/m²]
POOL_FIRE_ENGULFMENT_EMISSIVE_POWER = 140.0e3


@dataclass(frozen=True)
class PoolFire:
    """A pool fire as a solid-flame cylinder (base = pool, tilted downwind by the wind).

    Attributes
    ----------
    diameter : float
        [m]
    burning_rate : float
        [kg/(m²·s)]
    flame_length : float
        Along the flame axis. [m]
    tilt : float
        From the vertical, towards downwind. [rad]
    surface_emissive_power : float
        [W/m²]
    heat_release_rate : float
        m'' A ΔH_c. [W]
    duration : float
        Burn-out time of ``mass`` (inf when no mass was given). [s]
    assumptions : tuple of (str, str)
        Model choices and defaults used.
    """

    diameter: float
    burning_rate: float
    flame_length: float
    tilt: float
    surface_emissive_power: float
    heat_release_rate: float
    duration: float
    assumptions: tuple[tuple[str, str], ...] = field(default=())

    @property
    def radius(self) -> float:
        """[m]"""
        return 0.5 * self.diameter

    @property
    def flame_height(self) -> float:
        """Vertical extent of the flame. [m]"""
        return self.flame_length * math.cos(self.tilt)

    @property
    def engulfment_heat_flux(self) -> float:
        """Heat flux to a target inside the flame. [W/m²]

        max(SEP, 140 kW/m²): the luminous-flame emissive power E_max of Mudan & Croce ([7]), since the smoke
        shielding that lowers the average SEP of large pools ([7]) does not screen a target engulfed by the flame;
        within the 100-150 kW/m² engulfment loads of [14]. Applies wherever :meth:`engulfed` is true; the
        :meth:`heat_flux` methods give the radiation from the flame surface and do not substitute it.
        """
        return max(self.surface_emissive_power, POOL_FIRE_ENGULFMENT_EMISSIVE_POWER)

    def engulfed(self, x, y, *, target_height=0.0):
        """Whether a target at (x, y) reaching up to ``target_height`` is inside the flame. [-] (bool array)

        The flame is the sheared cylinder of the view-factor model ([7]): horizontal circles of the pool radius R
        whose centres move downwind by z tan θ with height z, up to the flame height. A target is engulfed when
        (x − z tan θ)² + y² ≤ R² for some z between 0 and min(target_height, flame height).

        Parameters
        ----------
        x : numeric
            Downwind coordinate from the pool centre. [m]
        y : numeric
            Crosswind coordinate. [m]
        target_height : float
            Top of the target above the ground. [m]
        """
        xa = _checks.finite("x", x)
        ya = _checks.finite("y", y)
        xa, ya = np.broadcast_arrays(xa, ya)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        shift = min(z, self.flame_height) * math.tan(self.tilt)  # downwind offset of the highest section
        half = np.sqrt(np.maximum(self.radius**2 - ya * ya, 0.0))
        return _checks.out((np.abs(ya) <= self.radius) & (xa >= -half) & (xa <= shift + half))

    def view_factor(self, distance, *, target_height=0.0, direction="downwind"):
        """Maximum view factor at ground distances from the pool centre. [-]

        ``direction``: where the target lies relative to the wind (``"downwind"``, the worst case, ``"upwind"`` or
        ``"crosswind"``); irrelevant for an upright flame.
        """
        d = _checks.nonneg("distance", distance)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        dirs = ("downwind", "upwind", "crosswind")
        if direction not in dirs:
            raise ValueError(f"direction={direction!r} is not allowed; use one of {dirs}")
        if self.tilt < 1e-9:
            return _checks.out(_upright_view_factor(d, self.radius, self.flame_length, z))
        theta = {"downwind": 0.0, "upwind": np.pi, "crosswind": 0.5 * np.pi}[direction]
        f = _tilted_view_factor(d, np.full(d.shape, theta), self.radius, self.flame_length, self.tilt, z)
        return _checks.out(f)

    def heat_flux(
        self,
        distance,
        *,
        target_height=0.0,
        relative_humidity=0.7,
        ambient_temperature=AMBIENT_TEMPERATURE,
        direction="downwind",
    ):
        """Thermal radiation received at ground distances from the pool centre.

        Parameters
        ----------
        distance : numeric
            From the pool centre. [m]
        target_height : float
            [m]
        relative_humidity : float
            [-]
        ambient_temperature : float
            [K]
        direction : str
            ``"downwind"`` (default, worst case), ``"upwind"`` or ``"crosswind"``.

        Returns
        -------
        q : numeric
            [W/m²]; q = τ E F ([1], Eq. 2.2.31), path length from the flame surface x = d − R. This is the
            radiation from the flame surface; a target inside the flame (:meth:`engulfed`) receives
            :attr:`engulfment_heat_flux` instead (not substituted here).
        """
        d = _checks.nonneg("distance", distance)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        if z == 0.0 and direction in ("downwind", "upwind", "crosswind"):
            _checks.nonneg("relative_humidity", relative_humidity, upper=1.0)
            _checks.positive("ambient_temperature", ambient_temperature)
            theta = {"downwind": 0.0, "upwind": np.pi, "crosswind": 0.5 * np.pi}[direction]
            return _checks.out(_ground_heat_flux(self, d, theta, relative_humidity, ambient_temperature))
        f = np.asarray(self.view_factor(d, target_height=target_height, direction=direction))
        tau = np.asarray(
            atmospheric_transmissivity(
                np.maximum(d - self.radius, 0.0),
                relative_humidity=relative_humidity,
                ambient_temperature=ambient_temperature,
            )
        )
        return _checks.out(tau * self.surface_emissive_power * f)

    def heat_flux_xy(
        self, x, y, *, target_height=0.0, relative_humidity=0.7, ambient_temperature=AMBIENT_TEMPERATURE
    ):
        """Thermal radiation at ground points around the pool, for maps of a wind-tilted flame.

        Parameters
        ----------
        x : numeric
            Downwind coordinate from the pool centre. [m]
        y : numeric
            Crosswind coordinate. [m]
        target_height : float
            [m]
        relative_humidity : float
            [-]
        ambient_temperature : float
            [K]

        Returns
        -------
        q : numeric
            [W/m²], broadcast shape of x and y. For a tilted flame the view factor comes from a fixed polar table
            (see ``_tilted_view_factor``). Radiation from the flame surface; inside the flame (:meth:`engulfed`)
            use :attr:`engulfment_heat_flux`.
        """
        xa = _checks.finite("x", x)
        ya = _checks.finite("y", y)
        xa, ya = np.broadcast_arrays(xa, ya)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        r = np.hypot(xa, ya)
        if z == 0.0:
            _checks.nonneg("relative_humidity", relative_humidity, upper=1.0)
            _checks.positive("ambient_temperature", ambient_temperature)
            theta = 0.0 if self.tilt < 1e-9 else np.abs(np.arctan2(ya, xa))
            return _checks.out(_ground_heat_flux(self, r, theta, relative_humidity, ambient_temperature))
        if self.tilt < 1e-9:
            f = _upright_view_factor(r, self.radius, self.flame_length, z)
        else:
            f = _tilted_view_factor(
                r, np.abs(np.arctan2(ya, xa)), self.radius, self.flame_length, self.tilt, z
            )
        tau = np.asarray(
            atmospheric_transmissivity(
                np.maximum(r - self.radius, 0.0),
                relative_humidity=relative_humidity,
                ambient_temperature=ambient_temperature,
            )
        )
        return _checks.out(tau * self.surface_emissive_power * f)


def _pool_fire_fuel(
    d, ta, substance, heat_of_combustion, burning_rate_value, burning_rate_model, assumptions
):
    """Fuel of :func:`pool_fire`: (Substance or None, heat of combustion [J/kg], burning rate [kg/(m²·s)]).

    Appends the substance and burning-rate choices to ``assumptions``.
    """
    s = None
    if substance is not None:
        s = get(substance)
        if not s.flammable:
            raise ScenarioNotApplicableError(
                f"substance={s.name_zh}/{s.name_en!r} is not flammable; a pool fire needs a fuel"
            )
        assumptions.append(
            ("substance", f"物质 {s.name_zh} ({s.name_en}, CAS {s.cas}) {s.surrogate_note}".strip())
        )
    hc = heat_of_combustion if heat_of_combustion is not None else (s.heat_of_combustion if s else None)
    if hc is None:
        raise ValueError("heat_of_combustion=None: give heat_of_combustion [J/kg] or a substance")
    hc = _checks.scalar("heat_of_combustion", hc, positive_only=True)
    if burning_rate_value is not None:
        m = _checks.scalar("burning_rate_value", burning_rate_value, positive_only=True)
        assumptions.append(("burning_rate", f"燃烧速率(给定) given: {m:.4g} kg/(m²·s)"))
        return s, hc, m
    if s is None:
        raise ValueError("burning_rate_value=None and substance=None: give one of them")
    model = burning_rate_model
    if model is None:
        model = "babrauskas1983" if s.key in _babrauskas_table() else "burgess1974"
    _checks.choice("burning_rate_model", model, BURNING_RATE_MODELS)
    m = float(burning_rate(d, substance=s, ambient_temperature=ta, model=model))
    assumptions.append(("burning_rate", f"燃烧速率 burning rate {model}: {m:.4g} kg/(m²·s)"))
    return s, hc, m


def pool_fire(
    diameter,
    *,
    substance=None,
    burning_rate_value=None,
    heat_of_combustion=None,
    wind_speed=0.0,
    ambient_temperature=AMBIENT_TEMPERATURE,
    air_density=AIR_DENSITY,
    mass=None,
    burning_rate_model=None,
    flame_length_model="thomas1963",
    sep_model="mudan_croce1988",
    radiative_fraction=0.35,
) -> PoolFire:
    """Pool fire on a circular pool (use :func:`equivalent_diameter` for a bund of area A).

    Parameters
    ----------
    diameter : float
        Pool (or bund-equivalent) diameter. [m]
    substance : str or Substance, optional
        Fuel; gives the heat of combustion, boiling properties and vapour density.
    burning_rate_value : float, optional
        Mass burning rate overriding the burning-rate model. [kg/(m²·s)]
    heat_of_combustion : float, optional
        Overrides the substance's lower heat of combustion. [J/kg]
    wind_speed : float
        [m/s]
    ambient_temperature : float
        [K]
    air_density : float
        [kg/m³]
    mass : float, optional
        Fuel available, for the burn-out time. [kg]
    burning_rate_model : str, optional
        One of BURNING_RATE_MODELS; default: ``"babrauskas1983"`` when the fuel is in Babrauskas' table, else
        ``"burgess1974"``.
    flame_length_model : str
        One of FLAME_LENGTH_MODELS.
    sep_model : str
        One of SEP_MODELS. Default ``"mudan_croce1988"``: the SEP of the CCPS (2000) solid-flame chain this module
        is validated against ([1], [7]); for 10–50 m gasoline pools it lies 6–34 % below the Russian national
        table, so for large hydrocarbon pools ``"shokri_beyler1989"`` ([15]) is the conservative option.
    radiative_fraction : float
        Used by ``sep_model="radiative_fraction"``. [-]

    Returns
    -------
    PoolFire
    """
    d = _checks.scalar("diameter", diameter, positive_only=True)
    u = _checks.scalar("wind_speed", wind_speed, nonneg_only=True)
    ta = _checks.scalar("ambient_temperature", ambient_temperature, positive_only=True)
    assumptions: list[tuple[str, str]] = []
    s, hc, m = _pool_fire_fuel(
        d, ta, substance, heat_of_combustion, burning_rate_value, burning_rate_model, assumptions
    )
    rho_v = None
    if s is not None:
        rho_v = P_ATM * s.molar_mass / (R_GAS * s.boiling_point)  # vapour at Tb, 1 atm (ideal gas)
    elif u > 0 or flame_length_model == "moorhouse1982":
        raise ValueError(
            "substance=None: the wind correlations need the fuel vapour density; give a substance"
        )
    length = float(
        pool_flame_length(
            d, m, wind_speed=u, air_density=air_density, vapour_density=rho_v, model=flame_length_model
        )
    )
    tilt = float(flame_tilt(u, m, d, rho_v)) if u > 0 else 0.0
    sep = float(
        surface_emissive_power(
            d,
            model=sep_model,
            burning_rate=m,
            heat_of_combustion=hc,
            flame_length=length,
            radiative_fraction=radiative_fraction,
        )
    )
    area = math.pi * d * d / 4.0
    duration = math.inf
    if mass is not None:
        duration = _checks.scalar("mass", mass, positive_only=True) / (m * area)
    assumptions += [
        ("flame_length", f"火焰长度 flame length {flame_length_model}: {length:.3g} m"),
        ("tilt", f"火焰倾角 tilt (AGA 1974): {math.degrees(tilt):.1f}°, 风速 wind {u} m/s"),
        ("surface_emissive_power", f"表面辐射功率 SEP {sep_model}: {sep / 1e3:.1f} kW/m²"),
        ("heat_of_combustion", f"燃烧热(低位) lower heat of combustion: {hc / 1e6:.2f} MJ/kg"),
        (
            "view_factor",
            "视角系数: 固体火焰圆柱, 取目标最不利朝向 solid cylinder, max over target orientation (Mudan & Croce 1988; numerical if tilted)",
        ),
        (
            "transmissivity",
            "大气透射率 transmissivity: CCPS 2000 Eq. 2.2.33, 自火焰表面起算 from the flame surface",
        ),
    ]
    return PoolFire(
        diameter=d,
        burning_rate=m,
        flame_length=length,
        tilt=tilt,
        surface_emissive_power=sep,
        heat_release_rate=m * area * hc,
        duration=duration,
        assumptions=tuple(assumptions),
    )
