"""Accident scenarios: what happens at an installation and how the material gets out.

- :class:`Scenario` is a frozen, validated description of one accident outcome and its release: an instantaneous
  release, a constant rate (``release_rate``) or a constant duration (``release_duration``), or a hole
  (``hole_diameter``), plus the model options of the outcome (blast model, probits, exposure time).
- :func:`applicable_scenarios` lists the outcomes that make sense for an installation, each with its assumption in
  Chinese (:class:`ScenarioOption`).

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), 1st ed., Sdu, The Hague
       (3rd ed. 2005, PGS 3): chapter 3, loss-of-containment events of stationary vessels G.1 (instantaneous
       release of the complete inventory), G.2 (complete inventory in 10 min) and G.3 (10 mm hole); chapter 4,
       releases limited to 30 min and the event trees of the outcomes. (Section and table numbers not re-checked
       in this session.)
.. [2] Pierorazio, A. J., Thomas, J. K., Baker, Q. A. & Ketchum, D. E. (2005). An update to the Baker-Strehlow-Tang
       vapor cloud explosion prediction methodology flame speed table. Process Safety Progress 24(1), 59–65
       (fuel reactivity, confinement and obstacle density classes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis._checks import choice, finite_number
from analysis.constants import AMBIENT_TEMPERATURE, P_ATM
from analysis.errors import AnalysisInputError
from analysis.physics import vulnerability as vul
from analysis.scenarios.source import ReleaseSource, as_release_source

__all__ = [
    "SCENARIO_KINDS",
    "SCENARIO_LABELS_ZH",
    "EXPLOSION_MODELS",
    "BST_REACTIVITY",
    "BST_CONFINEMENT",
    "BST_CONGESTION",
    "G2_DURATION_S",
    "MAX_RELEASE_DURATION_S",
    "PRESSURISED_MIN_PA",
    "Scenario",
    "ScenarioOption",
    "applicable_scenarios",
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
    "bleve_blast",
)
SCENARIO_LABELS_ZH: dict[str, str] = {
    "pool_fire": "池火",
    "jet_fire": "喷射火",
    "fireball": "火球（BLEVE）",
    "flash_fire": "闪火",
    "vce": "蒸气云爆炸（VCE）",
    "toxic": "有毒气体扩散",
    "vessel_burst": "容器物理爆炸",
    "bleve_blast": "BLEVE 冲击波（液化气体容器爆裂）",
}

# Purple Book [1] ch. 3: G.2 releases the complete inventory in 10 min; ch. 4: releases are cut at 30 min.
G2_DURATION_S = 600.0
MAX_RELEASE_DURATION_S = 1800.0

#: Blast models of a VCE (keys of the scenario option ``explosion_model``), see :mod:`analysis.physics.vce`.
EXPLOSION_MODELS: dict[str, str] = {
    "tnt": "TNT 当量法（中国安全评价实践默认）",
    "multi_energy": "TNO 多能法（Van den Berg 1985；MSB 2017 拟合）",
    "bst": "Baker-Strehlow-Tang 法（Pierorazio et al. 2005 火焰速度表）",
}
#: BST congestion/confinement/reactivity classes (Pierorazio et al. 2005 [2]_).
BST_REACTIVITY: tuple[str, ...] = ("low", "medium", "high")
BST_CONFINEMENT: tuple[str, ...] = ("2D", "2.5D", "3D")
BST_CONGESTION: tuple[str, ...] = ("low", "medium", "high")

#: Above this absolute pressure an installation counts as pressurised (about 0.5 bar gauge; the same limit as
#: :mod:`analysis.qra.frequencies` uses for atmospheric tanks). [Pa]
PRESSURISED_MIN_PA = 1.5e5


@dataclass(frozen=True)
class Scenario:
    """An accident scenario at an installation.

    Release conventions (Purple Book [1]_ ch. 3), at most one of ``hole_diameter``, ``release_rate`` and
    ``release_duration``:

    - ``hole_diameter`` -> a continuous release through a hole of that effective diameter at the installation's
      pressure and temperature (G.3 for 10 mm), lasting until the releasable mass is gone (at most
      ``max_duration``);
    - ``release_rate`` -> the releasable mass at that constant rate, until it is gone (at most ``max_duration``);
    - ``release_duration`` -> the releasable mass at a constant rate over that time (G.2: 600 s);
    - none of them -> the instantaneous release of the releasable mass (G.1) for the kinds that can be
      instantaneous (fireball, vessel burst, BLEVE blast, VCE, flash fire, toxic, pool fire), and G.2 (600 s) for a jet fire,
      which needs a rate.

    (``hole_diameter`` with ``release_duration`` is accepted for compatibility: the hole decides the rate and the
    duration is not used.)

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
        ("low", "medium", "high") that select the flame speed [2]_. [-]
    yield_factor : float or None
        TNT yield factor; None -> the explosion module's documented default. [-]
    thermal_probit : str
        Thermal probit key of :mod:`analysis.physics.vulnerability` (``THERMAL_PROBIT_MODELS``: "eisenberg1975"
        default, "tsao_perry1979", "tno_green_book1992", "lees1994"; the old "eisenberg"/"tsao_perry" are
        aliases of the same equations, the withdrawn "tno" is refused with the new keys named).
    overpressure_probit : str
        Overpressure probit model of :mod:`analysis.physics.vulnerability`.
    release_rate : float or None
        Constant release rate of the releasable mass (not with ``release_duration`` or ``hole_diameter``). [kg/s]
    falling_head : bool
        Only for a liquid released through ``hole_diameter`` from a tank with ``diameter_m``: False (default) ->
        the initial rate held constant (conservative); True -> the level falls as the tank drains
        (:func:`analysis.physics.source.tank_drain`, Crowl & Louvar Eqs. 4-13 to 4-19) and the pool and cloud
        take the mass drained within the release window (time to empty, at most ``max_duration``) averaged over
        that window. [-]

    Raises
    ------
    analysis.errors.AnalysisInputError
        A parameter out of range or not a valid key, naming it, its value and what is allowed.
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
    thermal_probit: str = "eisenberg1975"
    overpressure_probit: str = "eisenberg_lung"
    release_rate: float | None = None
    falling_head: bool = False

    def __post_init__(self) -> None:
        choice("scenario 事故情景", self.kind, SCENARIO_KINDS)
        self._check_release()
        if self.exposure_time is not None:
            finite_number("exposure_time 暴露时间", self.exposure_time, low=0.0, low_open=True, unit="s")
        self._check_blast()
        vul.thermal_probit_key(
            self.thermal_probit, name="thermal_probit 热辐射概率函数"
        )  # refuses unknown and withdrawn keys, naming the valid ones
        choice("overpressure_probit 超压概率函数", self.overpressure_probit, vul.OVERPRESSURE_PROBIT_MODELS)
        if (
            self.explosion_model == "bst"
            and self.overpressure_probit in vul.OVERPRESSURE_MODELS_NEEDING_IMPULSE
        ):
            raise AnalysisInputError(
                f"overpressure_probit 超压概率函数={self.overpressure_probit!r} 需要冲量，而 BST 曲线不给出冲量；"
                "请改用不需要冲量的概率函数（如 'eisenberg_lung'）或其他爆炸模型 "
                "(the BST curves give no impulse: choose a probit without impulse or another blast model)"
            )

    def _check_release(self) -> None:
        if self.hole_diameter is not None:
            finite_number(
                "hole_diameter 泄漏孔径", self.hole_diameter, low=0.0, low_open=True, high=5.0, unit="m"
            )
        if self.release_duration is not None:
            finite_number(
                "release_duration 泄放时间", self.release_duration, low=0.0, low_open=True, unit="s"
            )
        if self.release_rate is not None:
            finite_number("release_rate 泄漏速率", self.release_rate, low=0.0, low_open=True, unit="kg/s")
            for name, other in (
                ("release_duration 泄放时间", self.release_duration),
                ("hole_diameter 泄漏孔径", self.hole_diameter),
            ):
                if other is not None:
                    raise AnalysisInputError(
                        f"release_rate 泄漏速率={self.release_rate!r} 与 {name}={other!r} 只能给出其一 "
                        f"(give release_rate or {name.split()[0]}, not both)"
                    )
        finite_number(
            "release_fraction 泄漏比例", self.release_fraction, low=0.0, low_open=True, high=1.0, unit="(0–1]"
        )
        finite_number("max_duration 最长泄放时间", self.max_duration, low=0.0, low_open=True, unit="s")
        finite_number("release_height 泄漏高度", self.release_height, low=0.0, high=300.0, unit="m")

    def _check_blast(self) -> None:
        choice("explosion_model 爆炸模型", self.explosion_model, EXPLOSION_MODELS)
        if self.yield_factor is not None:
            finite_number("yield_factor TNT当量系数", self.yield_factor, low=0.0, low_open=True, high=1.0)
        if isinstance(self.me_strength, bool) or self.me_strength not in range(1, 11):
            raise AnalysisInputError(
                f"me_strength 多能法爆源强度={self.me_strength!r} 无效，应为 1–10 的整数 (must be an integer 1-10)"
            )
        choice("bst_reactivity 燃料活性", self.bst_reactivity, BST_REACTIVITY)
        choice("bst_confinement 受限程度", self.bst_confinement, BST_CONFINEMENT)
        choice("bst_congestion 障碍物密度", self.bst_congestion, BST_CONGESTION)

    @property
    def label_zh(self) -> str:
        return SCENARIO_LABELS_ZH[self.kind]


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


def applicable_scenarios(source: ReleaseSource) -> list[ScenarioOption]:
    """The outcomes that make sense for a release source, each with its assumption in Chinese.

    Rules (after the event trees of the Purple Book [1]_ ch. 4, see :mod:`analysis.qra.frequencies`):

    - flammable liquid below its boiling point (in a bund or spreading freely): pool fire; flash fire and VCE of
      the vapour evaporating from the pool;
    - flammable gas liquefied under pressure (or a liquid stored above its normal boiling point): jet fire,
      fireball (BLEVE), flash fire, VCE;
    - refrigerated liquefied flammable gas at about atmospheric pressure: pool fire, flash fire, VCE;
    - compressed flammable gas: jet fire, fireball (instantaneous release, direct ignition), flash fire, VCE;
    - any pressurised gas (flammable or not): bursting of the vessel;
    - any gas liquefied under pressure (flammable or not; or a liquid stored above its normal boiling point under
      pressure): the blast of the vessel bursting (BLEVE blast, beside the fireball of a flammable one);
    - toxic gas, liquefied gas or volatile liquid with an AEGL/PAC or IDLH value: toxic cloud;
    - flash fire and VCE only when the substance has a lower flammability limit;
    - solids: none (warehouse fires are not modelled).

    Parameters
    ----------
    source : ReleaseSource or mapping
        The release source (``substance``, ``phase``, ``pressure_pa`` [Pa] and ``temperature_k`` [K], 1 atm and
        293.15 K when unknown; ``bund_area_m2`` [m²]), or an installations row, converted by
        :meth:`ReleaseSource.from_installation`.

    Returns
    -------
    list of ScenarioOption
        Empty for a solid or a substance that neither burns nor is toxic (a pressurised inert gas still gets
        vessel burst).

    Raises
    ------
    ValueError
        Unknown substance (:class:`analysis.errors.UnknownSubstanceError`) or phase (raised by
        :class:`ReleaseSource`).
    """
    src = as_release_source(source)
    sub = src.substance_record
    phase = src.phase  # one of PHASES, checked by ReleaseSource
    p = src.pressure_pa if src.pressure_pa is not None else P_ATM
    t = src.temperature_k if src.temperature_k is not None else AMBIENT_TEMPERATURE
    pressurised = p >= PRESSURISED_MIN_PA
    bund = src.bund_area_m2
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
    if superheated and pressurised and t > sub.boiling_point:
        add(
            "bleve_blast",
            f"{name}为加压液化气体，容器受火灾烘烤或瞬时破裂时过热液体闪蒸、蒸气膨胀形成冲击波（BLEVE 物理爆炸）",
        )
    if sub.toxic and any(math.isfinite(v) and v > 0 for v in (sub.aegl1, sub.aegl2, sub.aegl3, sub.idlh)):
        add(
            "toxic",
            f"{name}为有毒物质，泄漏后{'闪蒸' if superheated else '蒸发/扩散'}形成有毒气云，按 AEGL/PAC 阈值划分中毒区",
        )
    return out
