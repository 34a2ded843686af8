"""Emergency Response Guidebook (ERG) tables: initial isolation and protective-action distances and the comparison
with the model's zones.

References
----------
.. [1] US DOT PHMSA, Transport Canada, SCT Mexico (2020). Emergency Response Guidebook 2020 (ERG 2020):
       Table 1 – Initial Isolation and Protective Action Distances (green pages); spill sizes, day and night.
.. [2] US DOT RSPA, Transport Canada, SCT Mexico (2004). Emergency Response Guidebook 2004, Table of Initial
       Isolation and Protective Action Distances.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from analysis._data import DATA_DIR
from analysis.constants import AMBIENT_TEMPERATURE
from analysis.physics import substances

__all__ = [
    "ERG_EDITIONS",
    "DEFAULT_ISOLATION_M",
    "ERG_SMALL_SPILL_M3",
    "erg_table",
    "erg_comparison",
]

#: Initial isolation radius when the ERG table has no entry for the material: "isolate spill or leak area for
#: at least 100 meters in all directions", the immediate precautionary measure of the ERG guides for toxic gases
#: (ERG 2020 [1]_, orange guides 123–125). [m]
DEFAULT_ISOLATION_M = 100.0
#: Spill-size limit of the ERG tables: a small spill is less than 208 litres (55 US gallons) [1]_. [m³]
ERG_SMALL_SPILL_M3 = 0.208


# ----------------------------------------------------------------------------------------------------------------
# ERG table
# ----------------------------------------------------------------------------------------------------------------
#: ERG editions bundled: file name, citation.
ERG_EDITIONS: dict[str, tuple[str, str]] = {
    "erg2020": (
        "erg2020_table1.csv",
        "ERG 2020, Table 1 – Initial Isolation and Protective Action Distances",
    ),
    "erg2004": ("erg2004_table1.csv", "ERG 2004, Table of Initial Isolation and Protective Action Distances"),
}


@lru_cache(maxsize=4)
def _erg_cached(edition: str) -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / ERG_EDITIONS[edition][0], comment="#", dtype={"un_number": str, "cas": str})
    df["verified"] = df["verified"].astype(str).str.lower().eq("true")
    df["edition"] = edition
    return df


def erg_table(edition: str = "erg2020") -> pd.DataFrame:
    """The bundled ERG initial isolation / protective action distances of one edition (a copy).

    Columns: ``un_number``, ``name_en``, ``name_zh``, ``cas``, ``guide``, ``spill_size`` ("small"/"large"),
    ``isolation_m`` [m], ``protect_day_km`` [km], ``protect_night_km`` [km] (as printed), ``source``,
    ``verified`` (confirmed in this project against a copy of the table), ``verification_note``, ``edition``.
    """
    if edition not in ERG_EDITIONS:
        raise ValueError(
            f"edition ERG 版本={edition!r} 无效，应为 {list(ERG_EDITIONS)} 之一 (must be one of {list(ERG_EDITIONS)})"
        )
    return _erg_cached(edition).copy()


def erg_comparison(
    substance, *, spill_size: str, daytime: bool, model_distances: dict[str, float]
) -> pd.DataFrame:
    """Side-by-side ERG distances and the model's zone distances for the same material and spill size.

    ERG protective action distances are the 90th percentile, over many modelled releases and weather records, of
    the downwind distance to the AEGL-2 (or ERPG-2) level in the first 30 min ([1]_ "Background on Table 1"), so
    the model's AEGL-2 distance is the one to compare with; the isolation distance compares with the AEGL-3 zone.

    Parameters
    ----------
    substance : str or Substance
    spill_size : str
        "small" (< 208 L) or "large".
    daytime : bool
    model_distances : dict
        ``{"AEGL-3": m, "AEGL-2": m, "AEGL-1": m}`` reach of the model's zones. [m]

    Returns
    -------
    pandas.DataFrame
        One row per bundled edition that lists the material and size: ``edition``, ``source``, ``verified``,
        ``isolation_m``, ``protective_action_m`` (day or night as asked) [m], ``model_aegl3_m``, ``model_aegl2_m``
        [m], ``ratio_aegl2_to_erg`` [-]. Empty when no edition lists it.
    """
    if spill_size not in ("small", "large"):
        raise ValueError(f"spill_size 泄漏规模={spill_size!r} 应为 'small' 或 'large'")
    sub = substances.get(substance)
    rows = []
    for ed in ERG_EDITIONS:
        t = _erg_cached(ed)
        hit = t[(t["cas"] == sub.cas) & (t["spill_size"] == spill_size)]
        for _, r in hit.iterrows():
            pad = float(r["protect_day_km" if daytime else "protect_night_km"]) * 1e3  # km -> m
            m2 = float(model_distances.get("AEGL-2", math.nan))
            rows.append(
                {
                    "edition": ed,
                    "source": r["source"],
                    "verified": bool(r["verified"]),
                    "verification_note": r["verification_note"],
                    "un_number": r["un_number"],
                    "spill_size": spill_size,
                    "period": "day" if daytime else "night",
                    "isolation_m": float(r["isolation_m"]),
                    "protective_action_m": pad,
                    "model_aegl3_m": float(model_distances.get("AEGL-3", math.nan)),
                    "model_aegl2_m": m2,
                    "ratio_aegl2_to_erg": m2 / pad if pad > 0 else math.nan,
                }
            )
    return pd.DataFrame(rows)


def _erg_spill_size(sub, spill_mass: float) -> str:
    """Spill size as the ERG defines it [1]_: "small" below 208 L of liquid (or its mass of gas), else "large"."""
    rho_l = float(sub.liquid_density_at(min(AMBIENT_TEMPERATURE, sub.critical_temperature - 1.0)))
    return "small" if (math.isfinite(spill_mass) and spill_mass / rho_l < ERG_SMALL_SPILL_M3) else "large"
