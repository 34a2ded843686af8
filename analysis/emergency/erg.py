"""Emergency Response Guidebook (ERG) tables: initial isolation and protective-action distances, the ERG spill size,
the Table 3 container row of an installation and the comparison with the model's zones.

Tables bundled (``analysis/data``, named after their source):

- ``erg2024_table1.csv`` — ERG 2024 Table 1 [1]_, small spills of ammonia (UN1005) and chlorine (UN1017); for their
  large spills Table 1 refers to Table 3;
- ``erg2024_table3.csv`` — ERG 2024 Table 3 [1]_, large spills of ammonia and chlorine by transport container and
  wind class (low < 10 km/h, moderate 10–20 km/h, high > 20 km/h), day and night;
- ``erg2004_table1.csv`` — ERG 2004 [2]_, chlorine small and large spill, kept for comparison with the older edition.

Spill size
----------
ERG [1]_ ("How to use Table 1"): a small spill involves a single small package (up to a drum of about 208 L,
55 US gal) or a small leak from a large package; a large spill involves a spill from a large package or from many
small packages. parkrisk calls a release "large" when the mass the model releases is at least 208 L of liquid
(:func:`erg_spill_size`), else "small".

Container row of Table 3 (our rule)
-----------------------------------
Table 3 lists transport containers; a park holds fixed installations. parkrisk picks the row from the installation's
kind and inventory (:func:`erg_container`), with the nominal loads of :data:`ERG2024_CONTAINER_CAPACITY_KG`
(our round figures for typical containers, not ERG values):

1. a cylinder store (``kind == "cylinder_store"``): chlorine — "multiple small cylinders or single ton cylinder"
   up to 1 t, "multiple ton cylinders" above; ammonia — "multiple small cylinders";
2. any other installation (tanks, process units, loading bays, pipelines, a point): the smallest bulk container
   whose nominal load holds the inventory — chlorine: single ton cylinder ≤ 1 t, highway tank truck ≤ 20 t,
   rail tank car ≤ 90 t; ammonia: agricultural nurse tank ≤ 3 t, highway tank truck ≤ 20 t, rail tank car ≤ 65 t;
3. an inventory larger than a rail tank car uses the rail-car row and is flagged as beyond the table: ERG's
   distances come from releases of at most one rail car and may be too short for a larger fixed installation.

When the inventory is unknown the released mass is used instead.

References
----------
.. [1] US DOT PHMSA, Transport Canada, Secretaría de Comunicaciones y Transportes (Mexico), CIQUIME (Argentina)
       (2024). Emergency Response Guidebook 2024 (ERG 2024): Table 1 – Initial Isolation and Protective Action
       Distances; Table 3 – Initial Isolation and Protective Action Distances for Large Spills for Different
       Quantities of Six Common TIH Gases; orange guides 123–125 ("isolate spill or leak area for at least
       100 meters in all directions"). Values as recorded in the project's reference notes.
.. [2] US DOT RSPA, Transport Canada, SCT Mexico (2004). Emergency Response Guidebook 2004, Table of Initial
       Isolation and Protective Action Distances (chlorine quoted from a secondary source, see the CSV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis._data import DATA_DIR
from analysis.constants import AMBIENT_TEMPERATURE
from analysis.physics import substances

__all__ = [
    "ERG_EDITIONS",
    "ERG_TABLE3_FILE",
    "DEFAULT_ISOLATION_M",
    "ERG_SMALL_SPILL_M3",
    "ERG_WIND_CLASS_LIMITS_KMH",
    "ERG_WIND_CLASSES_ZH",
    "ERG2024_CONTAINER_CAPACITY_KG",
    "ErgContainer",
    "erg_table",
    "erg_table3",
    "erg_wind_class",
    "erg_container",
    "erg_spill_size",
    "erg_comparison",
]

#: Initial isolation radius when the ERG table has no entry for the material: "isolate spill or leak area for
#: at least 100 meters in all directions", the immediate precautionary measure of the ERG guides for toxic gases
#: (ERG 2024 [1]_, orange guides 123–125). [m]
DEFAULT_ISOLATION_M = 100.0
#: Spill-size limit of the ERG tables: a small spill is less than 208 litres (55 US gallons) [1]_. [m³]
ERG_SMALL_SPILL_M3 = 0.208

#: ERG editions bundled (Table 1): file name, citation. The first edition is the one acted on.
ERG_EDITIONS: dict[str, tuple[str, str]] = {
    "erg2024": (
        "erg2024_table1.csv",
        "ERG 2024, Table 1 – Initial Isolation and Protective Action Distances",
    ),
    "erg2004": ("erg2004_table1.csv", "ERG 2004, Table of Initial Isolation and Protective Action Distances"),
}
#: ERG 2024 Table 3 (large spills of six common TIH gases; ammonia and chlorine bundled).
ERG_TABLE3_FILE = "erg2024_table3.csv"
#: Limits of the ERG 2024 Table 3 wind classes [1]_: low < 10 km/h, moderate 10–20 km/h, high > 20 km/h. [km/h]
ERG_WIND_CLASS_LIMITS_KMH = (10.0, 20.0)
ERG_WIND_CLASSES_ZH = {
    "low": "低风速（< 10 km/h）",
    "moderate": "中风速（10–20 km/h）",
    "high": "高风速（> 20 km/h）",
}

#: Nominal load of each Table 3 container used to pick the row (our round figures for typical containers, not ERG
#: values): ``{cas: ((container, capacity [kg], bulk), ...)}`` smallest first. ``bulk`` containers are compared
#: with tanks and other installations; the others only with cylinder stores.
ERG2024_CONTAINER_CAPACITY_KG: dict[str, tuple[tuple[str, float, bool], ...]] = {
    # chlorine: a ton container holds one short ton (907 kg); cargo tanks about 15–20 t; rail cars 55–90 short tons
    "7782-50-5": (
        ("small_cylinders", 1_000.0, True),
        ("ton_cylinders", math.inf, False),
        ("tank_truck", 20_000.0, True),
        ("rail_tank_car", 90_000.0, True),
    ),
    # ammonia: nurse tanks 1 000–1 450 US gal (2–3 t); cargo tanks about 20 t; a 33 500 US gal rail car about 65 t
    "7664-41-7": (
        ("small_cylinders", math.inf, False),
        ("nurse_tank", 3_000.0, True),
        ("tank_truck", 20_000.0, True),
        ("rail_tank_car", 65_000.0, True),
    ),
}


@lru_cache(maxsize=4)
def _erg_cached(edition: str) -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / ERG_EDITIONS[edition][0], comment="#", dtype={"un_number": str, "cas": str})
    df["verified"] = df["verified"].astype(str).str.lower().eq("true")
    df["edition"] = edition
    return df


@lru_cache(maxsize=1)
def _table3_cached() -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / ERG_TABLE3_FILE, comment="#", dtype={"un_number": str, "cas": str})
    df["verified"] = df["verified"].astype(str).str.lower().eq("true")
    df["edition"] = "erg2024"
    return df


def erg_table(edition: str = "erg2024") -> pd.DataFrame:
    """The bundled ERG Table 1 initial isolation / protective action distances of one edition (a copy).

    Columns: ``un_number``, ``name_en``, ``name_zh``, ``cas``, ``guide``, ``spill_size`` ("small"/"large"),
    ``isolation_m`` [m], ``protect_day_km`` [km], ``protect_night_km`` [km] (as printed), ``source``,
    ``verified`` (confirmed in this project against a copy of the table), ``verification_note``, ``edition``.
    """
    if edition not in ERG_EDITIONS:
        raise ValueError(
            f"edition ERG 版本={edition!r} 无效，应为 {list(ERG_EDITIONS)} 之一 (must be one of {list(ERG_EDITIONS)})"
        )
    return _erg_cached(edition).copy()


def erg_table3() -> pd.DataFrame:
    """ERG 2024 Table 3 (large spills by container and wind class) for ammonia and chlorine (a copy).

    Columns: ``un_number``, ``name_en``, ``name_zh``, ``cas``, ``guide``, ``container`` (key), ``container_en``,
    ``container_zh``, ``isolation_m`` [m], ``day_low_km``, ``day_moderate_km``, ``day_high_km``, ``night_low_km``,
    ``night_moderate_km``, ``night_high_km`` [km], ``source``, ``verified``, ``edition``.
    """
    return _table3_cached().copy()


def erg_wind_class(wind_speed: float) -> str:
    """ERG 2024 Table 3 wind class of a wind speed [m/s]: "low" below 10 km/h, "high" above 20 km/h, else
    "moderate" (10 and 20 km/h themselves are moderate) [1]_."""
    u = float(wind_speed)
    if not (math.isfinite(u) and u >= 0):
        raise ValueError(f"wind_speed 风速={wind_speed!r} m/s 无效，应为有限的非负数")
    kmh = u * 3.6  # m/s -> km/h
    lo, hi = ERG_WIND_CLASS_LIMITS_KMH
    return "low" if kmh < lo else ("high" if kmh > hi else "moderate")


@dataclass(frozen=True)
class ErgContainer:
    """The ERG 2024 Table 3 row chosen for an installation (see the module's rule).

    Attributes
    ----------
    container : str
        Key of the row (``rail_tank_car``, ``tank_truck``, ``nurse_tank``, ``ton_cylinders``, ``small_cylinders``).
    container_zh : str
    capacity_kg : float
        Nominal load of the container in our rule. [kg]
    mass_kg : float
        Inventory (or released mass when the inventory is unknown) that chose the row. [kg]
    beyond_table : bool
        The mass exceeds the largest container of the table (a rail tank car).
    rule_zh : str
        The rule as applied, in Chinese, for the screen and the briefing.
    """

    container: str
    container_zh: str
    capacity_kg: float
    mass_kg: float
    beyond_table: bool
    rule_zh: str


def _t(kg: float) -> str:
    return f"{kg / 1e3:,.3g} t"


def erg_container(substance, *, inventory_kg: float | None, kind: str | None = None) -> ErgContainer | None:
    """The ERG 2024 Table 3 container row for a release from an installation of ``kind`` holding
    ``inventory_kg`` [kg] (rule in the module docstring). None when Table 3 does not list the substance."""
    sub = substances.get(substance)
    options = ERG2024_CONTAINER_CAPACITY_KG.get(sub.cas)
    if options is None:
        return None
    m = float(inventory_kg) if inventory_kg is not None else math.nan
    if not (math.isfinite(m) and m >= 0):
        raise ValueError(
            f"inventory_kg 存量={inventory_kg!r} kg 无效，应为有限的非负数（用于选择 ERG 表 3 的容器）"
        )
    t3 = _table3_cached()
    mine = t3[t3["cas"] == sub.cas]
    zh = dict(zip(mine["container"], mine["container_zh"], strict=True))
    if kind == "cylinder_store":
        cyl = [o for o in options if o[0] in ("small_cylinders", "ton_cylinders")]
        key, cap = next(((k, c) for k, c, _ in cyl if m <= c), (cyl[-1][0], cyl[-1][1]))
        rule = f"钢瓶库，存量 {_t(m)} → ERG 表 3「{zh[key]}」行"
        return ErgContainer(key, zh[key], cap, m, False, rule)
    bulk = [(k, c) for k, c, is_bulk in options if is_bulk]
    for key, cap in bulk:
        if m <= cap:
            rule = (
                f"存量 {_t(m)} ≤ {zh[key]}约 {_t(cap)} → ERG 表 3「{zh[key]}」行（按能装下该存量的最小容器）"
            )
            return ErgContainer(key, zh[key], cap, m, False, rule)
    key, cap = bulk[-1]
    rule = (
        f"固定设施存量 {_t(m)} 大于一节{zh[key]}（约 {_t(cap)}），超出 ERG 表 3 的范围：取「{zh[key]}」行，"
        "ERG 距离可能偏小"
    )
    return ErgContainer(key, zh[key], cap, m, True, rule)


def erg_spill_size(substance, spill_mass: float) -> str:
    """Spill size as the ERG defines it [1]_: "small" when the released mass [kg] is less than 208 L of liquid
    (at 20 °C, or just below the critical temperature), else "large"; an unknown mass counts as large."""
    sub = substances.get(substance)
    rho_l = float(sub.liquid_density_at(min(AMBIENT_TEMPERATURE, sub.critical_temperature - 1.0)))
    return "small" if (math.isfinite(spill_mass) and spill_mass / rho_l < ERG_SMALL_SPILL_M3) else "large"


def _erg_spill_size(sub, spill_mass: float) -> str:
    return erg_spill_size(sub, spill_mass)


def _row(ed, r, *, spill_size, daytime, model_distances, pad_km, table, extra) -> dict:
    pad = float(pad_km) * 1e3  # km -> m
    m2 = float(model_distances.get("AEGL-2", math.nan))
    return {
        "edition": ed,
        "table": table,
        "source": r["source"],
        "verified": bool(r["verified"]),
        "verification_note": r.get("verification_note", ""),
        "un_number": r["un_number"],
        "spill_size": spill_size,
        "period": "day" if daytime else "night",
        "isolation_m": float(r["isolation_m"]),
        "protective_action_m": pad,
        "model_aegl3_m": float(model_distances.get("AEGL-3", math.nan)),
        "model_aegl2_m": m2,
        "ratio_aegl2_to_erg": m2 / pad if pad > 0 else math.nan,
        "container": "",
        "container_zh": "",
        "wind_class": "",
        "beyond_table": False,
        "note_zh": "",
        **extra,
    }


def _table3_row(sub, *, daytime, wind_speed, inventory_kg, kind, model_distances) -> dict | None:
    t3 = _table3_cached()
    hit = t3[t3["cas"] == sub.cas]
    if hit.empty:
        return None
    if wind_speed is None:
        raise ValueError("wind_speed 风速未给出：大量泄漏按 ERG 2024 表 3 取值需要风速（m/s）")
    wc = erg_wind_class(wind_speed)
    box = erg_container(sub, inventory_kg=inventory_kg, kind=kind)
    r = hit[hit["container"] == box.container].iloc[0]
    period = "day" if daytime else "night"
    note = f"{box.rule_zh}；{ERG_WIND_CLASSES_ZH[wc]}（{float(wind_speed):g} m/s = {float(wind_speed) * 3.6:.3g} km/h）"
    extra = {
        "container": box.container,
        "container_zh": box.container_zh,
        "wind_class": wc,
        "beyond_table": box.beyond_table,
        "note_zh": note,
        "verification_note": "text of ERG 2024 Table 3 (project reference notes, confidence high)",
    }
    return _row(
        "erg2024",
        r,
        spill_size="large",
        daytime=daytime,
        model_distances=model_distances,
        pad_km=r[f"{period}_{wc}_km"],
        table="Table 3",
        extra=extra,
    )


def erg_comparison(
    substance,
    *,
    spill_size: str,
    daytime: bool,
    model_distances: dict[str, float],
    wind_speed: float | None = None,
    inventory_kg: float | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Side-by-side ERG distances and the model's zone distances for the same material and spill size.

    ERG protective action distances are the 90th percentile, over many modelled releases and weather records, of
    the downwind distance to the AEGL-2 (or ERPG-2) level in the first 30 min ([1]_ "Background on Table 1"), so
    the model's AEGL-2 distance is the one to compare with; the isolation distance compares with the AEGL-3 zone.
    A large spill of a material of ERG 2024 Table 3 uses Table 3, the row of :func:`erg_container` and the wind
    class of ``wind_speed`` (:func:`erg_wind_class`).

    Parameters
    ----------
    substance : str or Substance
    spill_size : str
        "small" (< 208 L) or "large".
    daytime : bool
    model_distances : dict
        ``{"AEGL-3": m, "AEGL-2": m, "AEGL-1": m}`` reach of the model's zones. [m]
    wind_speed : float, optional
        10 m wind speed, for the Table 3 wind class (required for a large spill of a Table 3 material). [m/s]
    inventory_kg : float, optional
        Inventory of the installation (or the released mass), for the Table 3 container row. [kg]
    kind : str, optional
        Installation kind (``installation_kind`` of the park schema); "cylinder_store" selects the cylinder rows.

    Returns
    -------
    pandas.DataFrame
        One row per bundled edition that lists the material and size, ERG 2024 first: ``edition``, ``table``
        ("Table 1" or "Table 3"), ``source``, ``verified``, ``isolation_m``, ``protective_action_m`` (day or night
        as asked) [m], ``model_aegl3_m``, ``model_aegl2_m`` [m], ``ratio_aegl2_to_erg`` [-], ``container``,
        ``container_zh``, ``wind_class``, ``beyond_table`` and ``note_zh`` (the container rule and wind class of a
        Table 3 row). Empty when no edition lists it.
    """
    if spill_size not in ("small", "large"):
        raise ValueError(f"spill_size 泄漏规模={spill_size!r} 应为 'small' 或 'large'")
    sub = substances.get(substance)
    rows = []
    for ed in ERG_EDITIONS:
        if ed == "erg2024" and spill_size == "large":
            row = _table3_row(
                sub,
                daytime=daytime,
                wind_speed=wind_speed,
                inventory_kg=inventory_kg,
                kind=kind,
                model_distances=model_distances,
            )
            if row is not None:
                rows.append(row)
                continue
        t = _erg_cached(ed)
        hit = t[(t["cas"] == sub.cas) & (t["spill_size"] == spill_size)]
        for _, r in hit.iterrows():
            pad_km = r["protect_day_km" if daytime else "protect_night_km"]
            rows.append(
                _row(
                    ed,
                    r,
                    spill_size=spill_size,
                    daytime=daytime,
                    model_distances=model_distances,
                    pad_km=pad_km,
                    table="Table 1",
                    extra={},
                )
            )
    return pd.DataFrame(rows)
