"""Scenarios: from an installation, an accident scenario and a weather case to physical effect fields.

This module is the glue between the park data and the consequence models; it holds no physical model of its own.

- :class:`Weather` and :class:`Scenario` are frozen, validated descriptions of the weather case and the accident.
- :func:`applicable_scenarios` lists which outcomes make sense for an installation, with the reason in Chinese.
- :func:`source_term` derives the release (rate or mass, duration, airborne fraction, pool size) from the
  installation's record and its substance, with the source models of :mod:`analysis.physics.source`.
- :func:`effect_field` returns an :class:`EffectField` whose vectorised methods ``heat_flux(x, y)`` [W/m²],
  ``overpressure(x, y)`` [Pa], ``impulse(x, y)`` [Pa·s], ``concentration(x, y)`` [kg/m³] and
  ``probability_of_death(x, y)`` [-] give the effects at points (x east, y north, metres from the installation's
  centroid), using the fire, explosion and dispersion models of :mod:`analysis.consequence` and the probits of
  :mod:`analysis.physics.vulnerability`.

Conventions
-----------
- Wind direction is where the wind comes **from**, clockwise from north (meteorological convention, as in
  :mod:`analysis.weather`): a wind from 45° (north-east) carries a cloud towards 225° (south-west).
- Coordinates are metres in the park's metric CRS, relative to :attr:`EffectField.origin` (the centroid of the
  installation's geometry). Every method accepts arrays of any shape and broadcasts ``x`` against ``y``.
- Every assumption made on the way (release mode, hole, duration, model variants, exposure time) is recorded in
  Chinese in :attr:`SourceTerm.assumptions` and :attr:`EffectField.assumptions`, so a result always travels with
  the choices behind it.

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), 1st ed., Sdu, The Hague
       (3rd ed. 2005, PGS 3): chapter 3, loss-of-containment events of stationary vessels G.1 (instantaneous
       release of the complete inventory), G.2 (complete inventory in 10 min) and G.3 (10 mm hole); chapter 4,
       releases limited to 30 min; chapter 5, exposure to heat radiation limited to 20 s and 100 % lethality
       inside a flash fire's LFL envelope. (Section and table numbers not re-checked in this session.)
.. [2] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1 (key to
       stability categories, after Pasquill 1961).
.. [3] Pasquill, F. (1961). The estimation of the dispersion of windborne material. Meteorological Magazine 90,
       33–49.
.. [4] Britter, R. E. & McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE CRR 17/1988, §4.3:
       continuous-plume extents l_b = g0' q0 / u³, L_U = D/2 + 2 l_b, L_H = D + 8 l_b + 2.5 l_b^(1/3) x^(2/3);
       §4.4: instantaneous cloud radius R² = R0² + 1.2 (g0' V0)^(1/2) t, centre advected at 0.4 u10 t.
.. [5] Havens, J. A. & Spicer, T. O. (1985). Development of an atmospheric dispersion model for heavier-than-air
       gas mixtures (DEGADIS). US Coast Guard CG-D-22-85: crosswind profile uniform over the half-width b with
       Gaussian edges exp(−((|y| − b)/S_y)²).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

__all__ = [
    "SCENARIO_KINDS",
    "SCENARIO_LABELS_ZH",
    "STABILITY_CLASSES",
    "TERRAINS",
    "PASQUILL_GUIDANCE_ZH",
    "STABILITY_LABELS_ZH",
    "TERRAIN_LABELS_ZH",
    "PASQUILL_NOTE_ZH",
    "EXPLOSION_MODELS",
    "QUANTITY_OF_KIND",
    "G2_DURATION_S",
    "MAX_RELEASE_DURATION_S",
    "FIRE_EXPOSURE_S",
    "PRESSURISED_MIN_PA",
    "Weather",
    "Scenario",
    "ScenarioOption",
    "SourceTerm",
    "EffectField",
    "applicable_scenarios",
    "source_term",
    "effect_field",
]

#: Outcome kinds a scenario can have.
SCENARIO_KINDS: tuple[str, ...] = (
    "pool_fire",
    "jet_fire",
    "fireball",
    "flash_fire",
    "vce",
    "toxic",
    "vessel_burst",
)
SCENARIO_LABELS_ZH: dict[str, str] = {
    "pool_fire": "池火",
    "jet_fire": "喷射火",
    "fireball": "火球（BLEVE）",
    "flash_fire": "闪火",
    "vce": "蒸气云爆炸（VCE）",
    "toxic": "有毒气体扩散",
    "vessel_burst": "容器物理爆炸",
}
STABILITY_CLASSES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
STABILITY_LABELS_ZH: dict[str, str] = {
    "A": "A 极不稳定",
    "B": "B 不稳定",
    "C": "C 弱不稳定",
    "D": "D 中性",
    "E": "E 弱稳定",
    "F": "F 稳定",
}
TERRAINS: tuple[str, ...] = ("rural", "urban")
TERRAIN_LABELS_ZH: dict[str, str] = {"rural": "乡村（开阔地）", "urban": "城市（建筑密集区）"}

#: Key to the Pasquill stability classes [2]_ [3]_: rows = wind speed at 10 m, columns = daytime insolation
#: (strong / moderate / slight) and night cloud cover (thin overcast or >= 4/8 low cloud / <= 3/8 cloud). Class D
#: for heavy overcast by day or night. Turner (1970) leaves the night column empty below 2 m/s.
PASQUILL_GUIDANCE_ZH: dict[str, dict[str, str]] = {
    "< 2 m/s": {
        "白天 强日照": "A",
        "白天 中等日照": "A–B",
        "白天 弱日照": "B",
        "夜间 云量≥4/8": "—",
        "夜间 云量≤3/8": "—",
    },
    "2–3 m/s": {
        "白天 强日照": "A–B",
        "白天 中等日照": "B",
        "白天 弱日照": "C",
        "夜间 云量≥4/8": "E",
        "夜间 云量≤3/8": "F",
    },
    "3–5 m/s": {
        "白天 强日照": "B",
        "白天 中等日照": "B–C",
        "白天 弱日照": "C",
        "夜间 云量≥4/8": "D",
        "夜间 云量≤3/8": "E",
    },
    "5–6 m/s": {
        "白天 强日照": "C",
        "白天 中等日照": "C–D",
        "白天 弱日照": "D",
        "夜间 云量≥4/8": "D",
        "夜间 云量≤3/8": "D",
    },
    "> 6 m/s": {
        "白天 强日照": "C",
        "白天 中等日照": "D",
        "白天 弱日照": "D",
        "夜间 云量≥4/8": "D",
        "夜间 云量≤3/8": "D",
    },
}
PASQUILL_NOTE_ZH = "阴天（全云量遮蔽）时，无论昼夜均取 D 类。夜间指日落前 1 小时至日出后 1 小时。"

# Purple Book [1] ch. 3: G.2 releases the complete inventory in 10 min; ch. 4: releases are cut at 30 min.
G2_DURATION_S = 600.0
MAX_RELEASE_DURATION_S = 1800.0
# Purple Book [1] ch. 5: exposure to heat radiation is limited to 20 s (time to escape).
FIRE_EXPOSURE_S = 20.0


def _finite_number(
    name: str,
    value,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    unit: str = "",
) -> float:
    """Check a scalar; raise ValueError naming the parameter, the value and the allowed range."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name}={value!r} 不是数值 (must be a number{', ' + unit if unit else ''})"
        ) from None
    if not math.isfinite(v):
        raise ValueError(f"{name}={value!r} 必须是有限数值 (must be finite{', ' + unit if unit else ''})")
    if low is not None and (v <= low if low_open else v < low):
        op = ">" if low_open else "≥"
        raise ValueError(
            f"{name}={value!r} 超出范围，应 {op} {low:g} {unit} (must be {op} {low:g} {unit})".rstrip()
        )
    if high is not None and v > high:
        raise ValueError(
            f"{name}={value!r} 超出范围，应 ≤ {high:g} {unit} (must be ≤ {high:g} {unit})".rstrip()
        )
    return v


@dataclass(frozen=True)
class Weather:
    """One weather case.

    Parameters
    ----------
    wind_speed : float
        Wind speed at 10 m height; > 0 (Gaussian models are singular in calm air). [m/s]
    wind_from_deg : float
        Direction the wind comes FROM, clockwise from north (0 = N, 90 = E); any finite value, taken modulo 360.
        [°]
    stability : str
        Pasquill-Gifford stability class "A" .. "F".
    temperature_k : float
        Air temperature. [K]
    relative_humidity : float
        Relative humidity, 0 .. 1 (for atmospheric transmissivity). [-]
    terrain : str
        "rural" or "urban" (Briggs dispersion coefficients).

    Raises
    ------
    ValueError
        A parameter out of range, naming it, its value and what is allowed.
    """

    wind_speed: float
    wind_from_deg: float
    stability: str
    temperature_k: float = 293.15
    relative_humidity: float = 0.7
    terrain: str = "rural"

    def __post_init__(self) -> None:
        _finite_number("wind_speed 风速", self.wind_speed, low=0.0, low_open=True, high=60.0, unit="m/s")
        _finite_number("wind_from_deg 风向", self.wind_from_deg, unit="°")
        if self.stability not in STABILITY_CLASSES:
            raise ValueError(
                f"stability 大气稳定度={self.stability!r} 无效，应为 {list(STABILITY_CLASSES)} 之一 "
                f"(must be one of {list(STABILITY_CLASSES)})"
            )
        _finite_number("temperature_k 气温", self.temperature_k, low=200.0, high=340.0, unit="K")
        _finite_number("relative_humidity 相对湿度", self.relative_humidity, low=0.0, high=1.0, unit="(0–1)")
        if self.terrain not in TERRAINS:
            raise ValueError(
                f"terrain 地表类型={self.terrain!r} 无效，应为 {list(TERRAINS)} 之一 (must be one of {list(TERRAINS)})"
            )

    @property
    def downwind_bearing_deg(self) -> float:
        """Direction the wind blows TOWARDS, clockwise from north. [°]"""
        return (float(self.wind_from_deg) + 180.0) % 360.0

    def describe_zh(self) -> str:
        """The weather case in one Chinese line."""
        return (
            f"风向 {float(self.wind_from_deg) % 360:.0f}°（来风方向，顺时针自正北），风速 {self.wind_speed:g} m/s，"
            f"稳定度 {STABILITY_LABELS_ZH[self.stability]}，气温 {self.temperature_k - 273.15:.1f} ℃，"
            f"相对湿度 {self.relative_humidity * 100:.0f} %，{TERRAIN_LABELS_ZH[self.terrain]}"
        )


@dataclass(frozen=True)
class Scenario:
    """An accident scenario at an installation.

    Release conventions (Purple Book [1]_ ch. 3): ``hole_diameter`` given -> a continuous release through a hole of
    that effective diameter at the installation's pressure and temperature (G.3 for 10 mm), lasting until the
    releasable mass is gone (at most ``max_duration``); ``hole_diameter=None`` and ``release_duration`` given -> the
    releasable mass at a constant rate over that time (G.2: 600 s); both None -> the instantaneous release of the
    releasable mass (G.1) for the kinds that can be instantaneous (fireball, vessel burst, VCE, flash fire, toxic,
    pool fire), and G.2 (600 s) for a jet fire, which needs a rate.

    Parameters
    ----------
    kind : str
        One of :data:`SCENARIO_KINDS`.
    hole_diameter : float or None
        Effective hole diameter. [m]
    release_duration : float or None
        Duration of a release of the whole releasable mass at a constant rate. [s]
    release_fraction : float
        Fraction of the inventory that can be released, 0 < f <= 1. [-]
    max_duration : float
        Longest release considered (Purple Book: 1800 s). [s]
    release_height : float
        Height of the release above ground (for dispersion). [m]
    exposure_time : float or None
        Exposure time for the probability of death; None -> 20 s for pool and jet fires (Purple Book ch. 5), the
        fireball's duration, the release duration (at most 1800 s) for a toxic cloud. [s]
    explosion_model : str
        Blast model of a VCE, a key of :data:`EXPLOSION_MODELS`: "tnt" (TNT equivalence with Kingery-Bulmash
        curves, the method of Chinese safety-assessment practice), "multi_energy" (TNO multi-energy method) or
        "bst" (Baker-Strehlow-Tang). For the last two the whole flammable cloud is taken as lying in the congested
        region (its combustion energy drives the blast), which is conservative where the congested volume is
        smaller than the cloud.
    me_strength : int
        Multi-energy charge strength 1-10 (the user's judgement of confinement and congestion; 7 is a common
        choice for a congested process area, 10 the most conservative). [-]
    bst_reactivity, bst_confinement, bst_congestion : str
        BST fuel reactivity ("low", "medium", "high"), confinement ("2D", "2.5D", "3D") and obstacle density
        ("low", "medium", "high") that select the flame speed. [-]
    yield_factor : float or None
        TNT yield factor; None -> the explosion module's documented default. [-]
    thermal_probit : str
        Thermal probit model of :mod:`analysis.physics.vulnerability` ("eisenberg", "tsao_perry", "tno").
    overpressure_probit : str
        Overpressure probit model of :mod:`analysis.physics.vulnerability`.
    """

    kind: str
    hole_diameter: float | None = None
    release_duration: float | None = None
    release_fraction: float = 1.0
    max_duration: float = MAX_RELEASE_DURATION_S
    release_height: float = 0.0
    exposure_time: float | None = None
    explosion_model: str = "tnt"
    me_strength: int = 7
    bst_reactivity: str = "medium"
    bst_confinement: str = "2.5D"
    bst_congestion: str = "medium"
    yield_factor: float | None = None
    thermal_probit: str = "eisenberg"
    overpressure_probit: str = "eisenberg_lung"

    def __post_init__(self) -> None:
        if self.kind not in SCENARIO_KINDS:
            raise ValueError(
                f"scenario 事故情景={self.kind!r} 无效，应为 {list(SCENARIO_KINDS)} 之一 "
                f"(must be one of {list(SCENARIO_KINDS)})"
            )
        if self.hole_diameter is not None:
            _finite_number(
                "hole_diameter 泄漏孔径", self.hole_diameter, low=0.0, low_open=True, high=5.0, unit="m"
            )
        if self.release_duration is not None:
            _finite_number(
                "release_duration 泄放时间", self.release_duration, low=0.0, low_open=True, unit="s"
            )
        _finite_number(
            "release_fraction 泄漏比例", self.release_fraction, low=0.0, low_open=True, high=1.0, unit="(0–1]"
        )
        _finite_number("max_duration 最长泄放时间", self.max_duration, low=0.0, low_open=True, unit="s")
        _finite_number("release_height 泄漏高度", self.release_height, low=0.0, high=300.0, unit="m")
        if self.exposure_time is not None:
            _finite_number("exposure_time 暴露时间", self.exposure_time, low=0.0, low_open=True, unit="s")
        if self.explosion_model not in EXPLOSION_MODELS:
            raise ValueError(
                f"explosion_model 爆炸模型={self.explosion_model!r} 无效，应为 {list(EXPLOSION_MODELS)} 之一 "
                f"(must be one of {list(EXPLOSION_MODELS)})"
            )
        if self.yield_factor is not None:
            _finite_number("yield_factor TNT当量系数", self.yield_factor, low=0.0, low_open=True, high=1.0)
        if isinstance(self.me_strength, bool) or self.me_strength not in range(1, 11):
            raise ValueError(
                f"me_strength 多能法爆源强度={self.me_strength!r} 无效，应为 1–10 的整数 (must be an integer 1-10)"
            )
        for name, value, allowed in (
            ("bst_reactivity 燃料活性", self.bst_reactivity, BST_REACTIVITY),
            ("bst_confinement 受限程度", self.bst_confinement, BST_CONFINEMENT),
            ("bst_congestion 障碍物密度", self.bst_congestion, BST_CONGESTION),
        ):
            if value not in allowed:
                raise ValueError(
                    f"{name}={value!r} 无效，应为 {list(allowed)} 之一 (must be one of {list(allowed)})"
                )
        from analysis.physics import vulnerability as vul

        if self.thermal_probit not in vul.THERMAL_PROBIT_MODELS:
            raise ValueError(
                f"thermal_probit 热辐射概率函数={self.thermal_probit!r} 无效，应为 {list(vul.THERMAL_PROBIT_MODELS)} 之一"
            )
        if self.overpressure_probit not in vul.OVERPRESSURE_PROBIT_MODELS:
            raise ValueError(
                f"overpressure_probit 超压概率函数={self.overpressure_probit!r} 无效，应为 "
                f"{list(vul.OVERPRESSURE_PROBIT_MODELS)} 之一"
            )
        if (
            self.explosion_model == "bst"
            and self.overpressure_probit in vul.OVERPRESSURE_MODELS_NEEDING_IMPULSE
        ):
            raise ValueError(
                f"overpressure_probit 超压概率函数={self.overpressure_probit!r} 需要冲量，而 BST 曲线不给出冲量；"
                "请改用不需要冲量的概率函数（如 'eisenberg_lung'）或其他爆炸模型 "
                "(the BST curves give no impulse: choose a probit without impulse or another blast model)"
            )

    @property
    def label_zh(self) -> str:
        return SCENARIO_LABELS_ZH[self.kind]


#: Blast models of a VCE (keys of the scenario option ``explosion_model``), see :mod:`analysis.physics.vce`.
EXPLOSION_MODELS: dict[str, str] = {
    "tnt": "TNT 当量法（中国安全评价实践默认）",
    "multi_energy": "TNO 多能法（Van den Berg 1985；MSB 2017 拟合）",
    "bst": "Baker-Strehlow-Tang 法（Pierorazio et al. 2005 火焰速度表）",
}
#: BST congestion/confinement/reactivity classes (Pierorazio et al. 2005).
BST_REACTIVITY: tuple[str, ...] = ("low", "medium", "high")
BST_CONFINEMENT: tuple[str, ...] = ("2D", "2.5D", "3D")
BST_CONGESTION: tuple[str, ...] = ("low", "medium", "high")


# ----------------------------------------------------------------------------------------------------------------
# Which scenarios make sense for an installation
# ----------------------------------------------------------------------------------------------------------------
#: Above this absolute pressure an installation counts as pressurised (about 0.5 bar gauge; the same limit as
#: :mod:`analysis.qra.frequencies` uses for atmospheric tanks). [Pa]
PRESSURISED_MIN_PA = 1.5e5


@dataclass(frozen=True)
class ScenarioOption:
    """One applicable scenario of an installation, with why it applies.

    Attributes
    ----------
    scenario : Scenario
        With the default release conventions of :class:`Scenario`.
    reason_zh : str
        The assumption behind it, in Chinese.
    """

    scenario: Scenario
    reason_zh: str

    @property
    def kind(self) -> str:
        return self.scenario.kind

    @property
    def label_zh(self) -> str:
        return self.scenario.label_zh


def _get(row, key, default=None):
    """``row[key]``, or ``default`` when the key is missing or the value is null (None, NaN, pd.NA, NaT)."""
    import pandas as pd

    try:
        v = row[key]
    except (KeyError, IndexError, TypeError):
        return default
    try:
        if v is None or bool(pd.isna(v)):
            return default
    except (TypeError, ValueError):  # arrays, geometries and other objects are values
        pass
    return v


def _substance_of(row):
    from analysis.physics import substances

    name = _get(row, "substance")
    if name is None or str(name).strip() == "":
        raise ValueError(f"设施 {_get(row, 'unit_id', '?')} 的 substance 物质 为空 (substance is empty)")
    return substances.get(str(name))


def applicable_scenarios(installation_row) -> list[ScenarioOption]:
    """The outcomes that make sense for an installation, each with its assumption in Chinese.

    Rules (after the event trees of the Purple Book [1]_ ch. 4, see :mod:`analysis.qra.frequencies`):

    - flammable liquid below its boiling point (in a bund or spreading freely): pool fire; flash fire and VCE of
      the vapour evaporating from the pool;
    - flammable gas liquefied under pressure (or a liquid stored above its normal boiling point): jet fire,
      fireball (BLEVE), flash fire, VCE;
    - refrigerated liquefied flammable gas at about atmospheric pressure: pool fire, flash fire, VCE;
    - compressed flammable gas: jet fire, fireball (instantaneous release, direct ignition), flash fire, VCE;
    - any pressurised gas (flammable or not): bursting of the vessel;
    - toxic gas, liquefied gas or volatile liquid with an AEGL/PAC or IDLH value: toxic cloud;
    - flash fire and VCE only when the substance has a lower flammability limit;
    - solids: none (warehouse fires are not modelled).

    Parameters
    ----------
    installation_row : mapping
        An installations row (``substance``, ``phase``, ``pressure_pa`` [Pa], ``temperature_k`` [K] ...).

    Returns
    -------
    list of ScenarioOption
        Empty for a solid or a substance that neither burns nor is toxic (a pressurised inert gas still gets
        vessel burst).

    Raises
    ------
    ValueError
        Unknown substance (:class:`analysis.physics.substances.UnknownSubstanceError`) or phase.
    """
    sub = _substance_of(installation_row)
    phase = str(_get(installation_row, "phase", ""))
    if phase not in ("liquid", "gas", "liquefied_gas", "solid"):
        raise ValueError(
            f"phase 相态={phase!r} 无效，应为 ['liquid', 'gas', 'liquefied_gas', 'solid'] 之一 (invalid phase)"
        )
    p = float(_get(installation_row, "pressure_pa", 101325.0))
    t = float(_get(installation_row, "temperature_k", 293.15))
    pressurised = p >= PRESSURISED_MIN_PA
    bund = _get(installation_row, "bund_area_m2")
    out: list[ScenarioOption] = []
    if phase == "solid":
        return out
    superheated = phase == "liquefied_gas" or (phase == "liquid" and t > sub.boiling_point)
    name = sub.name_zh
    has_lfl = math.isfinite(sub.lfl) and sub.lfl > 0

    def add(kind: str, reason: str) -> None:
        if kind in ("flash_fire", "vce") and not has_lfl:
            return  # no flammability limit known: the flammable cloud cannot be delimited
        out.append(ScenarioOption(Scenario(kind), reason))

    if sub.flammable:
        if phase == "liquid" and not superheated:
            where = f"围堰面积 {float(bund):g} m² 内" if bund is not None else "地面（无围堰，自由扩展）"
            add("pool_fire", f"{name}为可燃液体，泄漏后在{where}形成液池，遇点火源形成池火")
            add("flash_fire", f"液池蒸发形成的{name}蒸气云延迟点火，爆炸下限以内发生闪火")
            add("vce", f"液池蒸发形成的{name}蒸气云延迟点火，在受限/拥塞区域发生蒸气云爆炸")
        elif superheated and pressurised:
            add("jet_fire", f"{name}为加压液化可燃气体，连续泄漏立即点火形成喷射火")
            add("fireball", f"{name}储罐受火灾烘烤或瞬时破裂，过热液体闪蒸并立即点火形成火球（BLEVE）")
            add("flash_fire", f"{name}泄漏闪蒸形成的蒸气云延迟点火，爆炸下限以内发生闪火")
            add("vce", f"{name}泄漏闪蒸形成的蒸气云延迟点火，发生蒸气云爆炸")
        elif superheated:
            add("pool_fire", f"{name}为常压低温液化可燃气体，泄漏形成沸腾液池，遇点火源形成池火")
            add("flash_fire", f"低温液池蒸发形成的{name}蒸气云延迟点火，爆炸下限以内发生闪火")
            add("vce", f"低温液池蒸发形成的{name}蒸气云延迟点火，发生蒸气云爆炸")
        else:  # gas
            if pressurised:
                add("jet_fire", f"{name}为压缩可燃气体，连续泄漏立即点火形成喷射火")
                add("fireball", f"{name}容器瞬时破裂、全部气体立即点火形成火球")
            add("flash_fire", f"{name}泄漏形成的可燃气云延迟点火，爆炸下限以内发生闪火")
            add("vce", f"{name}泄漏形成的可燃气云延迟点火，发生蒸气云爆炸")
    if phase == "gas" and pressurised:
        add(
            "vessel_burst",
            f"压力容器（{p / 1e6:.2f} MPa 绝压）超压或强度失效，气体膨胀能释放形成冲击波（物理爆炸）",
        )
    if sub.toxic and any(math.isfinite(v) and v > 0 for v in (sub.aegl1, sub.aegl2, sub.aegl3, sub.idlh)):
        add(
            "toxic",
            f"{name}为有毒物质，泄漏后{'闪蒸' if superheated else '蒸发/扩散'}形成有毒气云，按 AEGL/PAC 阈值划分中毒区",
        )
    return out


# ----------------------------------------------------------------------------------------------------------------
# Source term
# ----------------------------------------------------------------------------------------------------------------
#: Fraction of the tank height taken as the liquid head above a hole when the level cannot be derived. [-]
_DEFAULT_FILL = 0.5
#: Averaging time of a boiling pool's evaporation when the release is instantaneous (G.1). [s]
_BOILING_POOL_AVERAGING_S = 600.0


@dataclass(frozen=True)
class SourceTerm:
    """The release of one scenario at one installation, in SI units.

    Attributes
    ----------
    unit_id : str
    substance : analysis.physics.substances.Substance
    instantaneous : bool
        True: the mass is released at once (G.1); False: at ``rate`` for ``duration``.
    mass : float
        Total mass released. [kg]
    rate : float
        Release rate through the hole or over the given duration; NaN when instantaneous. [kg/s]
    duration : float
        Release duration; 0 when instantaneous. [s]
    hole_diameter : float
        NaN unless released through a hole. [m]
    release_phase : str
        "gas", "liquid" or "flashing" (a superheated liquid that flashes on release).
    exit_velocity : float
        Velocity of the release at the hole (sonic for choked gas flow); NaN when instantaneous. [m/s]
    flash_fraction : float
        Fraction of the liquid released that flashes to vapour. [-]
    airborne_fraction : float
        Fraction of the release that stays airborne as vapour and aerosol (1 for a gas). [-]
    pool_area : float
        Area of the pool formed by the liquid that rains out (limited by the bund); 0 when no pool. [m²]
    pool_mass : float
        Mass of liquid in the pool. [kg]
    pool_evaporation_rate : float
        Evaporation rate of the pool (non-boiling: US EPA RMP Eq. D-1; boiling: heat conduction from the ground,
        averaged over the release duration or 600 s). [kg/s]
    airborne_mass : float
        Mass in the cloud of an instantaneous release (flash + aerosol, or the whole gas). [kg]
    source_temperature : float
        Temperature of the vapour entering the atmosphere: the normal boiling point for a flashing liquid, the
        liquid temperature for an evaporating pool, the air temperature for a gas (after expansion and mixing).
        [K]
    airborne_rate : float
        Vapour/aerosol rate into the atmosphere of a continuous release (flash + aerosol + pool evaporation, or
        the pool evaporation of a non-boiling liquid). [kg/s]
    assumptions : tuple of str
        Every assumption made, in Chinese.
    """

    unit_id: str
    substance: object
    instantaneous: bool
    mass: float
    rate: float
    duration: float
    hole_diameter: float
    release_phase: str
    exit_velocity: float
    flash_fraction: float
    airborne_fraction: float
    pool_area: float
    pool_mass: float
    pool_evaporation_rate: float
    airborne_mass: float
    airborne_rate: float
    source_temperature: float
    assumptions: tuple[str, ...]

    @property
    def continuous_cloud(self) -> bool:
        """True when the cloud is a continuous plume (airborne_rate), False for a puff (airborne_mass)."""
        return not (self.instantaneous and self.airborne_mass > 0.0)


def _row_number(
    row, key: str, *, unit: str, required: bool = True, default: float | None = None, positive: bool = True
) -> float | None:
    v = _get(row, key, default)
    uid = _get(row, "unit_id", "?")
    if v is None:
        if required:
            raise ValueError(f"设施 {uid} 缺少 {key}（{unit}），无法计算源项 (missing {key} [{unit}])")
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"设施 {uid} 的 {key}={v!r} 不是数值 (must be a number [{unit}])") from None
    if not math.isfinite(f) or (positive and f <= 0):
        raise ValueError(f"设施 {uid} 的 {key}={v!r} 应为正的有限数 [{unit}] (must be finite and > 0)")
    return f


def source_term(installation_row, scenario: Scenario, weather: Weather) -> SourceTerm:
    """The release of a scenario at an installation, from its record and its substance.

    The release conventions are those of :class:`Scenario` (Purple Book [1]_ G.1/G.2/G.3). The physics is the
    source models of :mod:`analysis.physics.source` (Crowl & Louvar 2011 discharge and flash equations; CCPS
    1996 rain-out; bund-limited pool spreading; US EPA RMP and TNO Yellow Book pool evaporation).

    Choices made here (each also written to ``assumptions``):

    - releasable mass = ``inventory_kg`` × ``release_fraction``;
    - a hole releases at the initial rate (no depressurisation or level drop), which overestimates the rate late
      in the release; the release stops when the mass is gone or at ``max_duration``;
    - liquid head above a hole at the bottom: the liquid level ``inventory / (ρ π D²/4)`` when ``diameter_m`` is
      given, else half of ``height_m``, else zero (pressure only);
    - a gas or a flashing liquid jet leaves the hole at the choked (sonic) velocity or, for a liquid,
      ``rate / (ρ_l A)``;
    - the liquid that rains out forms a pool limited by the bund (``bund_area_m2``); a boiling pool's
      evaporation is averaged over the release duration (600 s for an instantaneous release).

    Parameters
    ----------
    installation_row : mapping
        Installations row: ``unit_id``, ``substance``, ``inventory_kg`` [kg], ``phase``, ``pressure_pa`` [Pa]
        (absolute), ``temperature_k`` [K], optional ``diameter_m`` [m], ``height_m`` [m], ``bund_area_m2`` [m²].
    scenario : Scenario
    weather : Weather

    Returns
    -------
    SourceTerm

    Raises
    ------
    ValueError
        Unknown substance, missing or non-positive inventory/pressure/temperature, a solid, or a hole release of
        an atmospheric liquid with no liquid head.
    """
    from analysis.physics import source as src

    if not isinstance(scenario, Scenario):
        raise ValueError(
            f"scenario 事故情景应为 Scenario 对象，收到 {type(scenario).__name__} (must be a Scenario)"
        )
    if not isinstance(weather, Weather):
        raise ValueError(
            f"weather 气象条件应为 Weather 对象，收到 {type(weather).__name__} (must be a Weather)"
        )
    sub = _substance_of(installation_row)
    uid = str(_get(installation_row, "unit_id", "?"))
    phase = str(_get(installation_row, "phase", ""))
    if phase not in ("liquid", "gas", "liquefied_gas"):
        raise ValueError(
            f"设施 {uid} 的 phase 相态={phase!r} 无法计算泄漏源项，应为 ['liquid', 'gas', 'liquefied_gas'] 之一 "
            "(solids are not modelled)"
        )
    inventory = _row_number(installation_row, "inventory_kg", unit="kg")
    p = _row_number(installation_row, "pressure_pa", unit="Pa")
    t = _row_number(installation_row, "temperature_k", unit="K")
    diameter = _row_number(installation_row, "diameter_m", unit="m", required=False)
    height = _row_number(installation_row, "height_m", unit="m", required=False)
    bund = _row_number(installation_row, "bund_area_m2", unit="m²", required=False)
    p_atm = 101325.0
    notes: list[str] = [
        f"物质：{sub.name_zh}（{sub.name_en}，CAS {sub.cas}）"
        + (f"；{sub.surrogate_note}" if sub.surrogate_note else "")
    ]
    mass_avail = inventory * scenario.release_fraction
    notes.append(
        f"可泄漏量 = 存量 {inventory:,.0f} kg × 泄漏比例 {scenario.release_fraction:g} = {mass_avail:,.0f} kg"
    )

    superheated = phase == "liquefied_gas" or (phase == "liquid" and t > sub.boiling_point)
    if phase == "gas":
        release_phase = "gas"
    elif superheated:
        release_phase = "flashing"
    else:
        release_phase = "liquid"
    rho_l = (
        float(sub.liquid_density_at(min(t, sub.critical_temperature - 1.0)))
        if release_phase != "gas"
        else math.nan
    )

    # --- release mode (Purple Book G.1 / G.2 / G.3)
    hole = scenario.hole_diameter
    duration_given = scenario.release_duration
    if hole is None and duration_given is None and scenario.kind == "jet_fire":
        duration_given = G2_DURATION_S
        notes.append("喷射火需要连续泄漏：未给孔径时按 CPR 18E G.2 取 10 min（600 s）内泄完全部可泄漏量")
    instantaneous = hole is None and duration_given is None
    exit_velocity = math.nan
    if instantaneous:
        rate, duration, released = math.nan, 0.0, mass_avail
        notes.append("瞬时泄漏全部可泄漏量（CPR 18E G.1 灾难性破裂）")
    elif hole is None:
        rate = mass_avail / duration_given
        duration = min(duration_given, scenario.max_duration)
        released = rate * duration
        notes.append(f"以恒定速率 {rate:,.3g} kg/s 在 {duration_given:g} s 内泄完（CPR 18E G.2 类）")
    else:
        a_hole = float(src.hole_area(hole))
        head, head_note = 0.0, ""
        if release_phase == "liquid":
            if diameter is not None:
                head = mass_avail / (rho_l * math.pi * diameter**2 / 4.0)
                if height is not None:
                    head = min(head, height)
                head_note = f"，液位按存量与直径 {diameter:g} m 折算为 {head:.2f} m"
            elif height is not None:
                head = _DEFAULT_FILL * height
                head_note = f"，液位取罐高 {height:g} m 的一半 {head:.2f} m"
            else:
                head_note = "，无直径和高度数据，不计液柱压头"
        # source.discharge, the one-call release model: gas (choked/subsonic), liquid (Bernoulli with head), superheated
        # liquefied gas (two-phase equilibrium rate model, Fauske & Epstein 1988).
        model_phase = {"gas": "gas", "liquid": "liquid", "flashing": "liquefied_gas"}[release_phase]
        dis = src.discharge(
            sub, hole_diameter=hole, pressure=p, temperature=t, phase=model_phase, liquid_head=head
        )
        rate = float(dis.rate)
        if not rate > 0:
            raise ValueError(
                f"设施 {uid}：压力 {p:g} Pa 且无液柱压头，经 hole_diameter={hole:g} m 的孔口没有液体流出；"
                "请补充 diameter_m 或 height_m，或改用 release_duration (no driving head)"
            )
        if release_phase == "gas":
            g = sub.heat_capacity_ratio
            if bool(src.is_choked(p, heat_capacity_ratio=g)):
                # Sonic velocity at the throat, T* = 2T/(γ+1) (isentropic flow; Crowl & Louvar 2011 §4-6)
                exit_velocity = math.sqrt(g * 8.314462618 * (2.0 * t / (g + 1.0)) / sub.molar_mass)
            else:
                exit_velocity = rate / (p_atm * sub.molar_mass / (8.314462618 * t) * a_hole)
        else:
            # Liquid (or the liquid part of a flashing jet) at the hole: u = rate / (ρ_l A).
            exit_velocity = rate / (rho_l * a_hole)
        notes.append(
            f"经 {hole * 1e3:g} mm 孔口泄漏，{dis.model}{head_note}，速率 {rate:,.3g} kg/s，出口速度 "
            f"{exit_velocity:,.0f} m/s；按初始速率恒定计（不计降压和液位下降，偏保守）"
        )
        duration = min(mass_avail / rate, scenario.max_duration)
        released = rate * duration
        notes.append(
            f"泄漏持续 {duration:,.0f} s（泄完或达到最长 {scenario.max_duration:g} s），泄漏量 {released:,.0f} kg"
        )

    # --- flashing, rain-out, pool
    if release_phase == "gas":
        flash, airborne_frac = 1.0, 1.0
    elif release_phase == "flashing":
        flash = float(src.flash_fraction(t, substance=sub))
        airborne_frac = 1.0 - float(src.rainout_fraction(flash))
        notes.append(
            f"闪蒸比例 {flash:.3f}（Crowl & Louvar 2011 式 4-89），气溶胶按 CCPS 1996 取两倍闪蒸量，"
            f"进入气云比例 {airborne_frac:.3f}，其余落地成池"
        )
    else:
        flash, airborne_frac = 0.0, 0.0
    pool_mass = released * (1.0 - airborne_frac) if release_phase != "gas" else 0.0
    pool_a = 0.0
    evap = 0.0
    if pool_mass > 0:
        pool_a = float(src.pool_area(pool_mass / rho_l, bund_area=bund))
        where = f"围堰面积 {bund:g} m² 限制" if bund is not None else "无围堰，按最小液层厚度 10 mm 自由扩展"
        notes.append(f"液池面积 {pool_a:,.0f} m²（{where}）")
        if release_phase == "flashing" or t >= sub.boiling_point:
            tav = duration if duration > 0 else _BOILING_POOL_AVERAGING_S
            m_ev = float(
                src.boiling_pool_evaporated_mass(
                    pool_a,
                    tav,
                    boiling_point=sub.boiling_point,
                    heat_of_vaporisation=sub.heat_of_vaporisation,
                    ground_temperature=weather.temperature_k,
                )
            )
            evap = min(m_ev, pool_mass) / tav
            notes.append(
                f"沸腾液池由地面导热蒸发（TNO 黄皮书第 3 章，混凝土地面），{tav:g} s 内平均 {evap:,.3g} kg/s"
            )
        else:
            vp = float(sub.vapour_pressure(t))
            evap = float(
                src.nonboiling_pool_evaporation_rate(
                    pool_a,
                    vapour_pressure=vp,
                    molar_mass=sub.molar_mass,
                    wind_speed=weather.wind_speed,
                    temperature=t,
                )
            )
            notes.append(
                f"液池蒸发速率 {evap:,.3g} kg/s（US EPA RMP 附录 D 式 D-1，饱和蒸气压 {vp / 1e3:.3g} kPa）"
            )
    if release_phase == "gas":
        t_src = weather.temperature_k
    elif release_phase == "flashing":
        t_src = sub.boiling_point
    else:
        t_src = min(t, sub.boiling_point)
    if instantaneous and release_phase != "liquid" and released * airborne_frac > 0:
        airborne_mass = released * airborne_frac
        airborne_rate = 0.0
        notes.append(
            f"瞬时气云质量 {airborne_mass:,.0f} kg" + ("（液池蒸发不计入气云）" if pool_mass > 0 else "")
        )
    else:
        airborne_mass = 0.0
        jet = 0.0 if instantaneous else rate * airborne_frac
        airborne_rate = jet + evap
        notes.append(f"进入大气的连续源强 {airborne_rate:,.3g} kg/s")
    return SourceTerm(
        unit_id=uid,
        substance=sub,
        instantaneous=instantaneous,
        mass=released,
        rate=rate,
        duration=duration,
        hole_diameter=float(hole) if hole is not None else math.nan,
        release_phase=release_phase,
        exit_velocity=exit_velocity,
        flash_fraction=flash,
        airborne_fraction=airborne_frac,
        pool_area=pool_a,
        pool_mass=pool_mass,
        pool_evaporation_rate=evap,
        airborne_mass=airborne_mass,
        airborne_rate=airborne_rate,
        source_temperature=t_src,
        assumptions=tuple(notes),
    )


# ----------------------------------------------------------------------------------------------------------------
# Effect fields
# ----------------------------------------------------------------------------------------------------------------

QUANTITY_OF_KIND: dict[str, str] = {
    "pool_fire": "heat_flux",
    "jet_fire": "heat_flux",
    "fireball": "heat_flux",
    "flash_fire": "concentration",
    "vce": "overpressure",
    "vessel_burst": "overpressure",
    "toxic": "concentration",
}


def _zero(x, y):
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.zeros(x.shape)


@dataclass(frozen=True)
class EffectField:
    """Physical effects of one scenario at one installation, as vectorised functions of position.

    Positions are metres east (``x``) and north (``y``) of :attr:`origin` (the centroid of the installation's
    geometry in the park's metric CRS); arrays of any shape broadcast. A quantity the scenario does not produce is
    zero everywhere (the heat flux of a toxic cloud, the concentration of a fireball).

    Attributes
    ----------
    unit_id : str
    scenario : Scenario
    weather : Weather
    source : SourceTerm
    origin : tuple of float
        (x, y) of the installation's centroid in the park's metric CRS. [m]
    quantity : str
        The effect the zones of this scenario are drawn for: "heat_flux", "overpressure" or "concentration".
    exposure_time : float
        Exposure time used for the probability of death. [s]
    lfl_concentration : float
        Lower flammability limit as a mass concentration at the air temperature (NaN if not flammable). [kg/m³]
    model : object
        The consequence model's own result (PoolFire, JetFire, Fireball, ...), for reports.
    assumptions : tuple of str
        Every assumption (source term, model variants, weather), in Chinese.
    """

    unit_id: str
    scenario: Scenario
    weather: Weather
    source: SourceTerm
    origin: tuple[float, float]
    quantity: str
    exposure_time: float
    lfl_concentration: float
    model: object
    assumptions: tuple[str, ...]
    _heat_flux: object = _zero
    _overpressure: object = _zero
    _impulse: object = _zero
    _concentration: object = _zero

    @property
    def substance(self):
        return self.source.substance

    @property
    def axis_bearing_deg(self) -> float:
        """Downwind bearing (the direction plumes and tilted flames point to), clockwise from north. [°]"""
        return self.weather.downwind_bearing_deg

    def along_across(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Downwind distance s and crosswind offset c (to the left of downwind) of positions. [m]"""
        return _along_across(x, y, self.axis_bearing_deg)

    def heat_flux(self, x, y):
        """Thermal radiation received by a ground-level target. [W/m²]"""
        return self._heat_flux(x, y)

    def overpressure(self, x, y):
        """Peak side-on overpressure. [Pa]"""
        return self._overpressure(x, y)

    def impulse(self, x, y):
        """Side-on positive-phase impulse. [Pa·s]"""
        return self._impulse(x, y)

    def concentration(self, x, y):
        """Ground-level concentration (time-averaged plume, or the peak of a puff). [kg/m³]"""
        return self._concentration(x, y)

    def probability_of_death(self, x, y):
        """Probability of death of a person outdoors at ground level. [-]

        Fires: thermal probit (``scenario.thermal_probit``) of the heat flux over :attr:`exposure_time`; flash
        fire: 1 inside the LFL envelope, 0 outside (Purple Book [1]_); explosions: overpressure probit
        (``scenario.overpressure_probit``, with the impulse when the model needs it); toxic cloud: the substance's
        toxic probit for the concentration over :attr:`exposure_time` (ValueError when the substance has none).
        All probits are those of :mod:`analysis.physics.vulnerability`.
        """
        from analysis.physics import vulnerability as vul

        kind = self.scenario.kind
        if kind in ("pool_fire", "jet_fire", "fireball"):
            y_ = vul.probit_thermal(self.heat_flux(x, y), self.exposure_time, self.scenario.thermal_probit)
        elif kind == "flash_fire":
            # Purple Book [1]: everybody inside the LFL contour of the cloud dies, nobody outside.
            return np.where(self.concentration(x, y) >= self.lfl_concentration, 1.0, 0.0)
        elif kind in ("vce", "vessel_burst"):
            model = self.scenario.overpressure_probit
            imp = self.impulse(x, y) if model in vul.OVERPRESSURE_MODELS_NEEDING_IMPULSE else None
            y_ = vul.probit_overpressure(self.overpressure(x, y), imp, model=model)
        else:
            t_exp = self.exposure_time
            sigma_x = self.model.get("sigma_x") if isinstance(self.model, dict) else None
            if sigma_x is not None and self.substance.probit is not None:
                # Puff passing a receptor: C(t) = C_peak exp(-(ut - s)²/2σx²), so ∫Cⁿ dt = C_peakⁿ √(2π/n) σx/u:
                # the probit of C_peak over t_eff = √(2π/n) σx/u gives exactly the toxic load.
                s_, _ = self.along_across(x, y)
                n = self.substance.probit.n
                t_exp = np.minimum(
                    math.sqrt(2.0 * math.pi / n) * sigma_x(s_) / self.weather.wind_speed,
                    self.scenario.max_duration,
                )
            y_ = vul.probit_toxic(self.concentration(x, y), t_exp, self.substance)
        return vul.probability(y_)

    def function(self, quantity: str):
        """The method for ``quantity`` ("heat_flux", "overpressure", "impulse", "concentration")."""
        fns = {
            "heat_flux": self.heat_flux,
            "overpressure": self.overpressure,
            "impulse": self.impulse,
            "concentration": self.concentration,
        }
        if quantity not in fns:
            raise ValueError(
                f"quantity 效应量={quantity!r} 无效，应为 {list(fns)} 之一 (must be one of {list(fns)})"
            )
        return fns[quantity]


def _along_across(x, y, bearing_deg: float):
    b = math.radians(bearing_deg)
    sb, cb = math.sin(b), math.cos(b)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return x * sb + y * cb, -x * cb + y * sb


def _radial(fn, *, r_max: float = 20_000.0, n: int = 800):
    """Tabulate an axisymmetric profile fn(r) once and return a fast (x, y) -> value interpolator (0 beyond r_max)."""
    r = np.concatenate([[0.0], np.geomspace(0.01, r_max, n)])
    q = np.asarray(fn(r), dtype=float)

    def field(x, y):
        return np.interp(np.hypot(x, y), r, q, right=0.0)

    return field


def _pool_fire_field(pf, weather: Weather):
    """2-D heat flux of a (wind-tilted) pool fire: the model's own ``heat_flux_xy`` in wind-aligned coordinates."""
    bearing = weather.downwind_bearing_deg
    kw = dict(relative_humidity=weather.relative_humidity, ambient_temperature=weather.temperature_k)

    def field(x, y):
        s_, c_ = _along_across(x, y, bearing)
        return pf.heat_flux_xy(s_, c_, **kw)

    return field


def _centroid(row) -> tuple[float, float]:
    geom = _get(row, "geometry")
    if geom is None or getattr(geom, "is_empty", True):
        return (0.0, 0.0)
    c = geom.centroid
    return (float(c.x), float(c.y))


def _lfl_kg_m3(sub, weather: Weather) -> float:
    if not (sub.flammable and math.isfinite(sub.lfl)):
        return math.nan
    # LFL volume fraction -> kg/m³, ideal gas at the air temperature and 1 atm.
    return float(sub.lfl * 101325.0 * sub.molar_mass / (8.314462618 * weather.temperature_k))


def effect_field(installation_row, scenario: Scenario, weather: Weather) -> EffectField:
    """Physical effects of a scenario at an installation, as vectorised functions of position.

    Parameters
    ----------
    installation_row : mapping
        Installations row in the park's metric CRS (the geometry's centroid becomes the origin; a row without a
        geometry gets origin (0, 0)).
    scenario : Scenario
    weather : Weather

    Returns
    -------
    EffectField

    Raises
    ------
    ValueError
        Bad inputs (see :func:`source_term`), or a fire/explosion scenario for a substance that does not burn.

    Notes
    -----
    Models used (each from :mod:`analysis.consequence`; see their docstrings for the sources):

    - pool fire: :func:`~analysis.physics.fire.pool_fire` on the pool (diameter of the circle of the pool
      area), wind tilt; the 2-D field interpolates the model's downwind/crosswind/upwind profiles in angle;
    - jet fire: :func:`~analysis.physics.fire.jet_fire` (API 521 point source, Chamberlain radiative
      fraction from the exit velocity);
    - fireball: :func:`~analysis.physics.fire.fireball` (CCPS 1994) with the whole released mass and the
      vessel pressure;
    - toxic cloud, flash fire: the dispersion models; VCE and vessel burst: the explosion models (see the code).
    """
    from analysis.physics import fire

    st = source_term(installation_row, scenario, weather)
    sub = st.substance
    kind = scenario.kind
    notes = list(st.assumptions)
    notes.append(f"气象：{weather.describe_zh()}")
    fields: dict[str, object] = {}
    model: object = None
    exposure = scenario.exposure_time
    kw = dict(relative_humidity=weather.relative_humidity, ambient_temperature=weather.temperature_k)
    if kind in ("pool_fire", "jet_fire", "fireball", "flash_fire", "vce") and not sub.flammable:
        raise ValueError(
            f"scenario 事故情景={kind!r} 需要可燃物质，而 {sub.name_zh} 不可燃；{sub.name_zh} 适用的情景见 "
            f"applicable_scenarios() (substance {sub.name_en} does not burn)"
        )
    if kind == "pool_fire":
        if st.pool_area <= 0:
            raise ValueError(
                f"设施 {st.unit_id}：{sub.name_zh} 泄漏后全部闪蒸/气化，不形成液池，池火情景不适用 "
                "(no pool forms: all the release flashes or is gas)"
            )
        d_pool = float(fire.equivalent_diameter(st.pool_area))
        model = fire.pool_fire(
            d_pool,
            substance=sub,
            wind_speed=weather.wind_speed,
            ambient_temperature=weather.temperature_k,
            mass=max(st.pool_mass, 1e-9),
        )
        fields["heat_flux"] = _pool_fire_field(model, weather)
        notes.append(
            f"池火：液池当量直径 {d_pool:.1f} m，燃烧速率 {model.burning_rate:.3g} kg/(m²·s)，"
            f"火焰长度 {model.flame_length:.1f} m，倾角 {math.degrees(model.tilt):.0f}°（顺风），"
            f"表面辐射功率 {model.surface_emissive_power / 1e3:.1f} kW/m²"
        )
        if exposure is None:
            exposure = min(FIRE_EXPOSURE_S, model.duration)
    elif kind == "jet_fire":
        if st.instantaneous:
            raise ValueError(
                "jet_fire 喷射火需要连续泄漏：请给出 hole_diameter 或 release_duration (needs a rate)"
            )
        if math.isfinite(st.exit_velocity):
            model = fire.jet_fire(
                st.rate, substance=sub, exit_velocity=st.exit_velocity, release_height=scenario.release_height
            )
        else:
            model = fire.jet_fire(
                st.rate, substance=sub, radiative_fraction=0.2, release_height=scenario.release_height
            )
            notes.append("喷射火辐射分数取 0.2（未知出口速度）")
        fields["heat_flux"] = _radial(lambda r: model.heat_flux(r, **kw))
        notes.append(
            f"喷射火：速率 {st.rate:,.3g} kg/s，火焰长度 {model.flame_length:.1f} m，"
            f"辐射分数 {model.radiative_fraction:.3f}，竖直射流点源（API 521）"
        )
        if exposure is None:
            exposure = min(FIRE_EXPOSURE_S, st.duration)
    elif kind == "fireball":
        p = float(_get(installation_row, "pressure_pa", 101325.0))
        model = fire.fireball(st.mass, substance=sub, vessel_pressure=p)
        fields["heat_flux"] = _radial(lambda r: model.heat_flux(r, **kw))
        notes.append(
            f"火球：参与质量 {st.mass:,.0f} kg（全部泄漏量），直径 {model.diameter:.0f} m，持续 "
            f"{model.duration:.1f} s，中心高度 {model.lift_off_height:.0f} m，表面辐射功率 "
            f"{model.emissive_power / 1e3:.0f} kW/m²（{model.model}）"
        )
        if exposure is None:
            exposure = model.duration
    else:
        _dispersion_or_blast(kind, installation_row, scenario, weather, st, fields, notes)
        model = fields.pop("_model", None)
        if exposure is None:
            exposure = fields.pop("_exposure", None)
        else:
            fields.pop("_exposure", None)
    if kind in ("pool_fire", "jet_fire", "fireball") and (exposure is None or not exposure > 0):
        exposure = FIRE_EXPOSURE_S
    exposure = math.nan if exposure is None else float(exposure)
    if kind in ("pool_fire", "jet_fire", "fireball") or (kind == "toxic" and math.isfinite(exposure)):
        notes.append(f"暴露时间 {exposure:.0f} s")
    return EffectField(
        unit_id=st.unit_id,
        scenario=scenario,
        weather=weather,
        source=st,
        origin=_centroid(installation_row),
        quantity=QUANTITY_OF_KIND[kind],
        exposure_time=float(exposure),
        lfl_concentration=_lfl_kg_m3(sub, weather),
        model=model,
        assumptions=tuple(notes),
        _heat_flux=fields.get("heat_flux", _zero),
        _overpressure=fields.get("overpressure", _zero),
        _impulse=fields.get("impulse", _zero),
        _concentration=fields.get("concentration", _zero),
    )


def _cloud_field(st: SourceTerm, scenario: Scenario, weather: Weather, notes: list[str]):
    """Ground-level concentration field of the airborne release, (x, y) -> kg/m³, and its description.

    Passive clouds: Gaussian plume (continuous) or puff (instantaneous; the peak concentration as the puff centre
    passes, σ at the receptor distance) with Briggs / Pasquill-Gifford σ. Heavier-than-air clouds (Britter &
    McQuaid's criteria): the workbook's centre-line concentration downwind. Continuous: across the wind uniform
    over the workbook's gravity-slumped half-width L_H (§4.3) with Gaussian edges of Briggs σ_y (DEGADIS profile,
    Havens & Spicer 1985), and the upwind extent L_U = D/2 + 2 l_b. Instantaneous: uniform over the ground area swept by
    the slumping cloud (workbook §4.4) with Gaussian edges of the Pasquill-Gifford puff σ_y.

    Returns
    -------
    field : callable
    info : dict
        ``mode`` ("plume" | "puff"), ``dense`` (bool), ``duration`` [s] of the exposure (plume),
        ``sigma_x`` (callable s -> σx [m], puff).
    """
    from analysis.physics import dispersion as disp

    sub = st.substance
    u = weather.wind_speed
    bearing = weather.downwind_bearing_deg
    h = scenario.release_height
    stab, terr = weather.stability, weather.terrain
    rho_a = 101325.0 * 0.028965 / (8.314462618 * weather.temperature_k)  # dry air, ideal gas
    t0 = st.source_temperature
    rho0 = 101325.0 * sub.molar_mass / (8.314462618 * t0)  # pure vapour at 1 atm and its source temperature
    # volume fraction -> kg/m³ at the air temperature (ideal gas)
    kg_per_vol = 101325.0 * sub.molar_mass / (8.314462618 * weather.temperature_k)
    info: dict = {"dense": False}
    if st.continuous_cloud:
        q = st.airborne_rate
        if not q > 0:
            raise ValueError(
                f"设施 {st.unit_id}：没有物质进入大气（源强为 0 kg/s），无法计算扩散 (no airborne release)"
            )
        dur = st.duration if st.duration > 0 else math.inf
        if st.pool_evaporation_rate > 0:
            dur_pool = st.pool_mass / st.pool_evaporation_rate
            dur = max(st.duration, dur_pool) if st.duration > 0 else dur_pool
        info.update(mode="plume", duration=min(dur, scenario.max_duration))
        dense = rho0 > rho_a and bool(
            disp.britter_mcquaid_plume_is_dense(
                volume_rate=q / rho0, wind_speed=u, source_density=rho0, air_density=rho_a
            )
        )
        if dense:
            info["dense"] = True
            bm = dict(volume_rate=q / rho0, wind_speed=u, source_density=rho0, air_density=rho_a)
            l_u = disp.britter_mcquaid_plume_upwind_extent(**bm)
            l_b = disp.britter_mcquaid_buoyancy_length(**bm)

            def field(x, y):
                s_, c_ = _along_across(x, y, bearing)
                cm = np.asarray(
                    disp.britter_mcquaid_plume(
                        s_,
                        **bm,
                        source_temperature=t0,
                        ambient_temperature=weather.temperature_k,
                    ),
                    dtype=float,
                )
                # Crosswind: the workbook's gravity-slumped half-width L_H (Britter & McQuaid 1988 §4.3) as a
                # uniform core ([4]), Gaussian edges of Briggs σy beyond it ([5]; S_y = √2 σy).
                half = np.asarray(disp.britter_mcquaid_plume_half_width(s_, **bm), dtype=float)
                sy, _ = disp.briggs_sigmas(np.maximum(s_, 1e-9), stab, terr)
                sy = np.maximum(np.asarray(sy), 1e-9)
                edge = np.maximum(np.abs(c_) - half, 0.0)
                inside = (s_ >= -l_u) & ((s_ > 0) | ((half > 0.0) & (np.abs(c_) <= half)))
                return np.where(inside, cm * kg_per_vol * np.exp(-0.5 * (edge / sy) ** 2), 0.0)

            alpha = disp.britter_mcquaid_plume_alpha(**bm)
            notes.append(
                f"重气连续扩散：Britter-McQuaid (1988) 工作手册中心线浓度（源密度 {rho0:.2f} kg/m³ > 空气 "
                f"{rho_a:.2f} kg/m³，源温度 {t0:.0f} K）；横风向半宽按工作手册 §4.3 重力坍塌公式 "
                f"L_H = D + 8 l_b + 2.5 l_b^⅓ x^⅔（D = (q0/u)^½ = {math.sqrt(q / rho0 / u):.1f} m，浮力长度 "
                f"l_b = g0'q0/u³ = {l_b:.2f} m），半宽内浓度均匀、半宽外按 Briggs σy 高斯衰减（DEGADIS 剖面）；"
                f"上风向延伸 L_U = D/2 + 2 l_b = {l_u:.1f} m（源与上风端之间按椭圆弧连接，本软件的近似）"
            )
            if alpha > 1.0:
                notes.append(
                    f"注意：Britter-McQuaid 参数 α = {alpha:.2f} > 1，超出工作手册曲线范围，按 α = 1 外推 "
                    "(outside the workbook range, clamped to α = 1)"
                )
        else:

            def field(x, y):
                s_, c_ = _along_across(x, y, bearing)
                return disp.gaussian_plume(q, u, s_, c_, 0.0, stability=stab, release_height=h, terrain=terr)

            notes.append(
                f"高斯烟羽连续扩散（Crowl & Louvar 2011 式 5-49，含地面反射），Briggs {TERRAIN_LABELS_ZH[terr]}"
                f"扩散参数，源强 {q:,.3g} kg/s，释放高度 {h:g} m，风速取 10 m 高处值"
            )
    else:
        m = st.airborne_mass
        info.update(mode="puff")
        dense = rho0 > rho_a and bool(
            disp.britter_mcquaid_puff_is_dense(
                volume=m / rho0, wind_speed=u, source_density=rho0, air_density=rho_a
            )
        )

        def sigma_x(s_):
            sx, _, _ = disp.puff_sigmas(np.maximum(s_, 1e-9), stab)
            return np.asarray(sx)

        info["sigma_x"] = sigma_x
        if dense:
            info["dense"] = True

            bmp = dict(volume=m / rho0, wind_speed=u, source_density=rho0, air_density=rho_a)

            def field(x, y):
                s_, c_ = _along_across(x, y, bearing)
                cm = np.asarray(
                    disp.britter_mcquaid_puff(
                        s_,
                        **bmp,
                        source_temperature=t0,
                        ambient_temperature=weather.temperature_k,
                    ),
                    dtype=float,
                )
                # Crosswind: uniform over the area swept by the slumping cloud ([4] §4.4), Gaussian edges of the
                # Pasquill-Gifford puff σy beyond it ([5]); upwind only the slumped cloud itself.
                half = np.asarray(disp.britter_mcquaid_puff_half_width(s_, **bmp), dtype=float)
                _, sy, _ = disp.puff_sigmas(np.maximum(s_, 1e-9), stab)
                sy = np.maximum(np.asarray(sy), 1e-9)
                edge = np.maximum(np.abs(c_) - half, 0.0)
                inside = (s_ > 0) | ((half > 0.0) & (np.abs(c_) <= half))
                return np.where(inside, cm * kg_per_vol * np.exp(-0.5 * (edge / sy) ** 2), 0.0)

            r_up = float(
                np.max(
                    np.where(
                        np.asarray(disp.britter_mcquaid_puff_half_width(-np.geomspace(1e-3, 1e5, 400), **bmp))
                        > 0,
                        np.geomspace(1e-3, 1e5, 400),
                        0.0,
                    )
                )
            )
            alpha = disp.britter_mcquaid_puff_alpha(**bmp)
            if alpha > 1.0:
                notes.append(
                    f"注意：Britter-McQuaid 参数 α = {alpha:.2f} > 1，超出工作手册曲线范围，按 α = 1 外推 "
                    "(outside the workbook range, clamped to α = 1)"
                )
            notes.append(
                f"重气瞬时扩散：Britter-McQuaid (1988) 工作手册峰值浓度（气云 {m:,.0f} kg，源密度 {rho0:.2f} kg/m³）；"
                "横风向按工作手册 §4.4 重力坍塌气云扫过的范围（R² = R0² + 1.2 (g0'V0)^½ t，气云中心以 0.4 u 移动；"
                "R0 取体积 V0 的等体积球半径，本软件的假设），范围内浓度均匀、范围外按 Pasquill-Gifford σy 高斯衰减；"
                f"上风向延伸约 {r_up:.1f} m"
            )
        else:

            def field(x, y):
                s_, c_ = _along_across(x, y, bearing)
                # Peak of the passing puff: its centre over the receptor, t = s/u (Crowl & Louvar 2011 Eq. 5-38).
                t = np.maximum(s_, 1e-9) / u
                c = disp.gaussian_puff(m, u, s_, c_, 0.0, t, stability=stab, release_height=h)
                return np.where(s_ > 0, c, 0.0)

            notes.append(
                f"高斯烟团瞬时扩散（Crowl & Louvar 2011 式 5-38，含地面反射），取烟团中心经过时的峰值浓度，"
                f"气云 {m:,.0f} kg"
            )
    return field, info


def _cloud_blast(scenario, sub, fuel, fields, info, notes) -> None:
    """Blast fields of a VCE by the multi-energy or BST method (:mod:`analysis.physics.vce`)."""
    from analysis.physics import vce

    energy = fuel * sub.heat_of_combustion  # combustion energy of the cloud [J]
    info["energy"] = energy
    notes.append(
        f"爆炸能量取可燃气云的燃烧能 {energy / 1e9:,.2f} GJ（全部气云按位于拥塞区计，偏保守），爆炸中心取泄漏源"
    )
    if scenario.explosion_model == "multi_energy":
        strength = scenario.me_strength
        notes.append(f"TNO 多能法（MSB B06-105 2017 拟合 Van den Berg 1985 曲线），爆源强度 {strength}")

        def over(x, y):
            return vce.multi_energy_overpressure(energy, np.hypot(x, y), strength=strength)

        def imp(x, y):
            return vce.multi_energy_impulse(energy, np.hypot(x, y), strength=strength)

        fields["impulse"] = imp
    else:
        mach = vce.bst_flame_speed(scenario.bst_reactivity, scenario.bst_confinement, scenario.bst_congestion)
        notes.append(
            f"Baker-Strehlow-Tang 法：燃料活性 {scenario.bst_reactivity}、受限 {scenario.bst_confinement}、"
            f"障碍物密度 {scenario.bst_congestion}，火焰马赫数 {mach:g}（Pierorazio et al. 2005），"
            "地面反射能量加倍；BST 曲线不给出冲量"
        )
        info["flame_speed_mach"] = mach

        def over(x, y):
            return vce.bst_overpressure(energy, np.hypot(x, y), flame_speed_mach=mach)

        def no_impulse(x, y):  # the BST curves give no impulse: NaN, never a made-up zero
            return np.full(np.broadcast(np.asarray(x), np.asarray(y)).shape, np.nan)

        fields["impulse"] = no_impulse

    fields["overpressure"] = over
    fields["_model"] = info
    fields["_exposure"] = math.nan


def _dispersion_or_blast(kind, row, scenario, weather, st, fields, notes) -> None:
    """Fill ``fields`` for the dispersion-based (toxic, flash fire) and blast (VCE, vessel burst) scenarios."""
    sub = st.substance
    if kind in ("toxic", "flash_fire"):
        if kind == "flash_fire" and not (math.isfinite(sub.lfl) and sub.lfl > 0):
            raise ValueError(
                f"scenario 事故情景='flash_fire' 需要爆炸下限，而 {sub.name_zh} 的爆炸下限 LFL 未知 (no LFL for {sub.name_en})"
            )
        if kind == "toxic" and not sub.toxic:
            raise ValueError(
                f"scenario 事故情景='toxic' 需要有毒物质，而 {sub.name_zh} 不在有毒物质之列 (substance is not toxic)"
            )
        field, info = _cloud_field(st, scenario, weather, notes)
        fields["concentration"] = field
        fields["_model"] = info
        if info["mode"] == "plume":
            fields["_exposure"] = info["duration"]
        else:
            fields["_exposure"] = math.nan
            notes.append(
                "烟团的暴露时间随位置变化：按烟团经过时间 √(2π/n)·σx/u 计算毒性负荷（高斯时间分布的精确积分）"
            )
        if kind == "flash_fire":
            notes.append("闪火：爆炸下限（LFL）浓度包络内人员死亡，之外不受伤害（CPR 18E）")
        return
    from analysis.physics import explosion as ex

    p_amb = 101325.0
    if kind == "vce":
        field, info = _cloud_field(st, scenario, weather, notes)
        lfl = _lfl_kg_m3(sub, weather)
        if info["mode"] == "puff":
            fuel = st.airborne_mass
            notes.append(f"蒸气云爆炸：参与爆炸的可燃气云质量取瞬时气云质量 {fuel:,.0f} kg")
        else:
            # Steady plume: the fuel between the source and the LFL distance on the axis is rate × x_LFL / u.
            b = math.radians(weather.downwind_bearing_deg)
            s_axis = np.geomspace(0.1, 50_000.0, 4000)
            c_axis = np.asarray(field(s_axis * math.sin(b), s_axis * math.cos(b)))
            hit = np.flatnonzero(c_axis >= lfl)
            x_lfl = float(s_axis[hit[-1]]) if hit.size else 0.0
            fuel = min(st.airborne_rate * x_lfl / weather.wind_speed, st.mass)
            notes.append(
                f"蒸气云爆炸：连续气云中爆炸下限以内的可燃物质量 = 源强 × LFL 距离 {x_lfl:,.0f} m / 风速 = "
                f"{fuel:,.0f} kg"
            )
        yf = scenario.yield_factor if scenario.yield_factor is not None else ex.CN_PRACTICE_YIELD_FACTOR
        w_tnt = (
            float(
                ex.tnt_equivalent_mass(
                    fuel, sub.heat_of_combustion, yield_factor=yf, tnt_energy=ex.CN_PRACTICE_TNT_ENERGY
                )
            )
            if fuel > 0
            else 0.0
        )
        notes.append(
            f"TNT 当量法（《安全评价》2005，Crowl & Louvar 2011 式 6-27）：TNT 当量系数 {yf:g}，TNT 爆热 "
            f"{ex.CN_PRACTICE_TNT_ENERGY / 1e6:g} MJ/kg，燃烧热 {sub.heat_of_combustion / 1e6:.1f} MJ/kg，"
            f"TNT 当量 {w_tnt:,.0f} kg"
        )
        info["tnt_mass"] = w_tnt
        info["fuel_mass"] = fuel
        if scenario.explosion_model != "tnt":
            _cloud_blast(scenario, sub, fuel, fields, info, notes)
            return
        notes.append("爆炸中心取泄漏源（设施形心），冲击波按 Kingery-Bulmash (1984) 半球形地面爆炸曲线")
    else:  # vessel_burst
        if st.release_phase != "gas":
            raise ValueError(
                f"scenario 事故情景='vessel_burst' 适用于压缩气体容器，而设施 {st.unit_id} 的相态为液体/液化气体 "
                "(vessel burst is modelled for gas-filled vessels)"
            )
        p = _row_number(row, "pressure_pa", unit="Pa")
        if p <= p_amb:
            raise ValueError(
                f"设施 {st.unit_id} 的 pressure_pa={p:g} Pa 不高于大气压，不会发生物理爆炸 (not pressurised)"
            )
        vol = _row_number(row, "volume_m3", unit="m³", required=False)
        if vol is None:
            t = _row_number(row, "temperature_k", unit="K")
            vol = float(_row_number(row, "inventory_kg", unit="kg")) * 8.314462618 * t / (p * sub.molar_mass)
            notes.append(f"容器容积由存量按理想气体折算为 {vol:,.1f} m³")
        w_tnt = float(ex.vessel_burst_tnt_mass(p, vol, gamma=sub.heat_capacity_ratio))
        notes.append(
            f"容器物理爆炸：Brode 能量 (P−P0)V/(γ−1)（Crowl & Louvar 2011 式 6-29），压力 {p / 1e6:.2f} MPa，"
            f"容积 {vol:,.1f} m³，γ = {sub.heat_capacity_ratio:.3f}，TNT 当量 {w_tnt:,.1f} kg"
            f"（TNT 爆热 {ex.TNT_ENERGY_CCPS / 1e6:g} MJ/kg），Kingery-Bulmash 半球形地面爆炸曲线"
        )
        info = {"tnt_mass": w_tnt, "volume": vol}

    def over(x, y, w=w_tnt):
        return ex.tnt_overpressure(w, np.hypot(x, y))

    def imp(x, y, w=w_tnt):
        return ex.tnt_impulse(w, np.hypot(x, y))

    fields["overpressure"] = over
    fields["impulse"] = imp
    fields["_model"] = info
    fields["_exposure"] = math.nan
