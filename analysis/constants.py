"""Physical constants and the reference conditions that every model of :mod:`analysis` shares.

One copy: a module that needs the gas constant, standard gravity, the standard atmosphere or the default ambient
temperature imports it from here instead of writing the number again.

References
----------
.. [1] CODATA 2018 recommended values (Tiesinga et al., Rev. Mod. Phys. 93, 025010, 2021): R, standard gravity.
.. [2] ISO 2533:1975, Standard Atmosphere: p₀ = 101 325 Pa at sea level.
.. [3] Committee for the Prevention of Disasters (2005). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), §4.5: an ambient temperature of 20 °C (293.15 K) where no site data are given.
"""

from __future__ import annotations

__all__ = [
    "AIR_MOLAR_MASS",
    "AMBIENT_TEMPERATURE",
    "G",
    "P_ATM",
    "R_GAS",
    "T_PPM_REFERENCE",
]

R_GAS = 8.314462618  # molar gas constant [J/(mol·K)], [1]
G = 9.80665  # standard acceleration of gravity [m/s²], [1]
P_ATM = 101_325.0  # standard atmospheric pressure [Pa], [2]
AMBIENT_TEMPERATURE = 293.15  # default air temperature where the user gives none [K], [3]
T_PPM_REFERENCE = 298.15  # temperature at which AEGL/PAC/IDLH ppm values are converted to mg/m³ [K]
AIR_MOLAR_MASS = 0.028965  # dry air, 28.9647 g/mol (U.S. Standard Atmosphere 1976) [kg/mol]
