"""Blast fields: the vapour cloud explosion (VCE), the bursting of a gas-filled vessel and the BLEVE blast.

The VCE's fuel is the flammable part of the cloud of :mod:`analysis.scenarios.clouds` (the whole puff, or the fuel
inside the LFL distance of a steady plume); its blast follows the TNT equivalence with Kingery-Bulmash curves
(:mod:`analysis.physics.explosion`, the method of Chinese safety-assessment practice [1]_), the TNO multi-energy
method or the Baker-Strehlow-Tang method (:mod:`analysis.physics.vce`). A vessel burst releases the Brode energy of
the compressed gas [2]_; the bursting of a vessel of pressurised liquefied gas (BLEVE) the expansion work of its
flashing liquid and vapour, of which the fraction 0.4 (ductile failure) makes the blast [6]_. Both blast energies are
read on the TNT curve (:func:`analysis.physics.bleve_blast.vessel_burst_overpressure`). Every blast is centred at the source; its fields are functions of (x, y), metres east/north
of it.

References
----------
.. [1] 国家安全生产监督管理总局 (2005). 《安全评价》第 3 版, 煤炭工业出版社: TNT equivalence of a vapour cloud.
.. [2] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety, 3rd ed.: Eq. 6-27 (TNT equivalent of a
       vapour cloud), Eq. 6-29 (Brode energy of a bursting vessel).
.. [3] Kingery, C. N. & Bulmash, G. (1984). Airblast parameters from TNT spherical air burst and hemispherical
       surface burst. ARBRL-TR-02555.
.. [4] van den Berg, A. C. (1985). The multi-energy method. J. Hazard. Mater. 12:1-10; TNO Yellow Book CPR 14E
       (1997) §5.5.3: the exploding cloud is a hemispherical charge of stoichiometric fuel-air mixture, 3.5 MJ/m³
       (:data:`analysis.physics.explosion.STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY`); its blast curves start at the
       charge's edge.
.. [5] CCPS (2010). Guidelines for Vapor Cloud Explosion, Pressure Vessel Burst, BLEVE and Flash Fire Hazards,
       2nd ed., ch. 7: the blast of a bursting vessel starts at the vessel's surface.
.. [6] Planas-Cuchi, E., Salla, J. M. & Casal, J. (2004). Calculating overpressure from BLEVE explosions. J. Loss
       Prev. Process Ind. 17:431-436 (adiabatic irreversible expansion, β = 0.4; :mod:`analysis.physics.bleve_blast`).

Near field: inside the source — the exploding cloud (a hemisphere of radius (3E/(2π·3.5 MJ/m³))^(1/3), [4]) or the
vessel (a sphere of its volume, [5]) — the blast curves do not apply; the fields return the curve's value at the
source's edge there (the multi-energy curve's plateau, the blast strength's peak overpressure; for BST at most the curve's
maximum), flag the region (``"inside_source"``) and state the value (``"near_field"``). A vessel's blast is also
held at the vessel's burst overpressure p − p0 (a blast from an expanding gas cannot exceed its driving pressure).
A BLEVE happens at the storage temperature of the installation (the vessel fails at its storage conditions, as the
G.1 catastrophic rupture of CPR 18E); its pressure is the vapour pressure at that temperature.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.constants import AMBIENT_TEMPERATURE, P_ATM, R_GAS
from analysis.errors import AnalysisInputError, ScenarioNotApplicableError
from analysis.physics import bleve_blast as bb
from analysis.physics import explosion as ex
from analysis.physics import vce
from analysis.scenarios.clouds import cloud_field, lfl_kg_m3
from analysis.scenarios.release import Scenario
from analysis.scenarios.source import ReleaseSource
from analysis.scenarios.source_term import SourceTerm
from analysis.scenarios.wind_frame import axis_bearing_deg
from analysis.weather import Weather, WeatherClass

__all__ = ["bleve_blast_effects", "vce_effects", "vessel_burst_effects"]


def vce_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the VCE: overpressure and impulse of the flammable cloud.

    Returns
    -------
    fields : dict
        {"overpressure": (x, y) -> Pa, "impulse": (x, y) -> Pa·s (NaN for BST)}.
    model : dict
        The cloud's description plus ``fuel_mass`` [kg], ``tnt_mass`` [kg] and, for multi-energy/BST,
        ``energy`` [J] (and ``flame_speed_mach`` for BST).
    exposure : float
        NaN (a blast has no exposure time).
    """
    sub = st.substance
    field, info = cloud_field(st, scenario, weather, notes)
    lfl = lfl_kg_m3(sub, weather)
    if info["mode"] == "puff":
        fuel = st.airborne_mass
        notes.append(f"蒸气云爆炸：参与爆炸的可燃气云质量取瞬时气云质量 {fuel:,.0f} kg")
    else:
        # Steady plume: the fuel between the source and the LFL distance on the axis is rate × x_LFL / u.
        b = math.radians(axis_bearing_deg(weather))
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
        f"TNT 当量 {w_tnt:,.0f} kg（不乘地面爆炸系数 1.8：Kingery-Bulmash 半球形地面爆炸曲线已含地面反射；"
        "国内安全评价常用方法的 1.8 倍当量与死亡/重伤/轻伤/财产损失半径见后果分析页的“评价方法”）"
    )
    info["tnt_mass"] = w_tnt
    info["fuel_mass"] = fuel
    if scenario.explosion_model != "tnt":
        return _cloud_blast(scenario, sub, fuel, info, notes), info, math.nan
    notes.append("爆炸中心取泄漏源（设施形心），冲击波按 Kingery-Bulmash (1984) 半球形地面爆炸曲线")
    return _near_field(_tnt_fields(w_tnt), _cloud_radius(fuel, sub), "云团", notes), info, math.nan


def vessel_burst_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the bursting of a gas-filled vessel: overpressure and impulse of its Brode energy.

    Returns
    -------
    fields : dict
        {"overpressure": (x, y) -> Pa, "impulse": (x, y) -> Pa·s}.
    model : dict
        ``tnt_mass`` [kg] and ``volume`` [m³].
    exposure : float
        NaN (a blast has no exposure time).
    """
    sub = st.substance
    if st.release_phase != "gas":
        raise ScenarioNotApplicableError(
            f"scenario 事故情景='vessel_burst' 适用于压缩气体容器，而设施 {st.unit_id} 的相态为液体/液化气体 "
            "(vessel burst is modelled for gas-filled vessels)"
        )
    p = src.required("pressure_pa")
    if p <= P_ATM:
        raise ScenarioNotApplicableError(
            f"设施 {st.unit_id} 的 pressure_pa={p:g} Pa 不高于大气压，不会发生物理爆炸 (not pressurised)"
        )
    vol = src.volume_m3
    if vol is None:
        t = src.required("temperature_k")
        vol = src.required("inventory_kg") * R_GAS * t / (p * sub.molar_mass)
        notes.append(f"容器容积由存量按理想气体折算为 {vol:,.1f} m³")
    energy = float(ex.brode_energy(p, vol, gamma=sub.heat_capacity_ratio))
    w_tnt = energy / ex.TNT_ENERGY_CCPS
    notes.append(
        f"容器物理爆炸：Brode 能量 (P−P0)V/(γ−1)（Crowl & Louvar 2011 式 6-29），压力 {p / 1e6:.2f} MPa，"
        f"容积 {vol:,.1f} m³，γ = {sub.heat_capacity_ratio:.3f}，能量 {energy / 1e6:,.2f} MJ，TNT 当量 {w_tnt:,.1f} kg"
        f"（TNT 爆热 {ex.TNT_ENERGY_CCPS / 1e6:g} MJ/kg，Prugh 1991），Kingery-Bulmash 半球形地面爆炸曲线"
    )
    r_v = (3.0 * vol / (4.0 * math.pi)) ** (1.0 / 3.0)  # sphere of the vessel's volume, [5]
    fields = _near_field(_vessel_fields(energy, r_v), r_v, "容器", notes, max_overpressure=p - P_ATM)
    return fields, {"tnt_mass": w_tnt, "energy": energy, "volume": vol}, math.nan


def bleve_blast_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the BLEVE blast: the bursting of a vessel of pressurised liquefied gas [6]_.

    The released mass (the inventory times the scenario's release fraction) at the installation's storage
    temperature, saturated; the vessel's volume from ``volume_m3`` when it holds that mass, else the vessel is taken
    as full of liquid. Blast energy 0.4 ΔU (adiabatic irreversible expansion, ductile failure,
    :func:`analysis.physics.bleve_blast.bleve_blast_energy`), read on the TNT curve.

    Returns
    -------
    fields : dict
        {"overpressure": (x, y) -> Pa, "impulse": (x, y) -> Pa·s}, held at the vessel's wall inside it.
    model : dict
        ``energy`` (blast) and ``expansion_work`` [J], ``tnt_mass`` [kg], ``volume`` [m³], ``temperature`` [K],
        ``pressure`` [Pa].
    exposure : float
        NaN (a blast has no exposure time).
    """
    sub = st.substance
    t = src.temperature_k if src.temperature_k is not None else AMBIENT_TEMPERATURE
    if src.phase != "liquefied_gas" and not (src.phase == "liquid" and t > sub.boiling_point):
        raise ScenarioNotApplicableError(
            f"scenario 事故情景='bleve_blast' 适用于加压液化气体（或高于沸点储存的液体），而设施 {st.unit_id} 的相态为 "
            f"{src.phase} (BLEVE blast needs a pressurised liquefied gas)"
        )
    if not sub.boiling_point < t < sub.critical_temperature:
        raise ScenarioNotApplicableError(
            f"设施 {st.unit_id} 的 temperature_k={t:.2f} K 不高于 {sub.name_zh} 的常压沸点 {sub.boiling_point:.2f} K "
            "（或不低于临界温度），液体不处于过热状态，不会发生 BLEVE (not a superheated liquid)"
        )
    if not st.instantaneous:
        raise ScenarioNotApplicableError(
            f"scenario 事故情景='bleve_blast' 为容器整体破裂（瞬时释放 G.1），不能给出泄漏孔径、速率或持续时间"
            f"（设施 {st.unit_id}）(a BLEVE is the catastrophic rupture: no hole, rate or duration)"
        )
    mass = st.mass
    psat = float(sub.vapour_pressure(t))
    vol = src.volume_m3
    kw = dict(mass=mass, temperature=t, pressure=psat, substance=sub)
    try:
        energy = bb.bleve_blast_energy(**kw, volume=vol)
    except AnalysisInputError:
        if vol is None:
            raise
        notes.append(f"容积 {vol:,.1f} m³ 与释放质量不符（不足以容纳其饱和液体或全为蒸气），按满液容器计算")
        vol = None
        energy = bb.bleve_blast_energy(**kw)
    work = energy / bb.BLEVE_BLAST_FRACTION_DUCTILE
    v_vessel = vol if vol is not None else mass / float(sub.liquid_density_at(t))
    w_tnt = energy / ex.TNT_ENERGY_CCPS
    notes.append(
        f"BLEVE 冲击波（Planas-Cuchi, Salla & Casal 2004）：{mass:,.0f} kg {sub.name_zh}在储存温度 {t - 273.15:.1f} °C"
        f"（饱和蒸气压 {psat / 1e6:.2f} MPa）下容器破裂，过热液体闪蒸与蒸气膨胀按绝热不可逆膨胀 ΔU = P0·ΔV 计，"
        f"膨胀功 {work / 1e6:,.0f} MJ，其中 40 % 形成冲击波（韧性破裂；脆性破裂为 80 %），爆炸能量 {energy / 1e6:,.0f} MJ，"
        f"TNT 当量 {w_tnt:,.0f} kg（4.68 MJ/kg，Prugh 1991），Kingery-Bulmash 半球形地面爆炸曲线"
        + (
            "；未给出或不采用容积，按满液容器计（不计原有气相，略偏小）"
            if vol is None
            else f"；容积 {vol:,.1f} m³"
        )
    )
    r_v = (3.0 * v_vessel / (4.0 * math.pi)) ** (1.0 / 3.0)  # sphere of the vessel's volume, [5]
    fields = _near_field(_vessel_fields(energy, r_v), r_v, "容器", notes, max_overpressure=psat - P_ATM)
    info = {
        "energy": energy,
        "expansion_work": work,
        "tnt_mass": w_tnt,
        "volume": v_vessel,
        "temperature": t,
        "pressure": psat,
    }
    return fields, info, math.nan


def _vessel_fields(energy: float, r_v: float) -> dict:
    """Overpressure and impulse of a bursting vessel of blast energy ``energy`` [J] (TNT curve, [6]_ and Prugh 1991);
    points inside the vessel (radius ``r_v`` [m]) read the value at its wall (they are replaced by :func:`_near_field`).
    """

    def over(x, y):
        r = np.maximum(np.hypot(x, y), r_v)
        return bb.vessel_burst_overpressure(energy=energy, distance=r)

    def imp(x, y):
        return bb.vessel_burst_impulse_from_energy(energy=energy, distance=np.maximum(np.hypot(x, y), r_v))

    return {"overpressure": over, "impulse": imp}


def _cloud_radius(fuel: float, sub) -> float:
    """Radius of the exploding cloud as a hemisphere of stoichiometric fuel-air mixture [4]_. [m]"""
    volume = fuel * sub.heat_of_combustion / ex.STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY  # [m³]
    return (3.0 * volume / (2.0 * math.pi)) ** (1.0 / 3.0)


def _near_field(
    fields: dict, r0: float, what_zh: str, notes: list[str], *, max_overpressure: float = math.inf
) -> dict:
    """Hold the blast fields at their value at the source's edge ``r0`` [m] inside it and flag the region.

    ``max_overpressure`` [Pa] bounds the stated value further (a vessel's burst overpressure).
    """
    if not r0 > 0:  # no fuel: no blast, no source region
        return fields
    over, imp = fields["overpressure"], fields["impulse"]
    with np.errstate(all="ignore"):
        p0 = min(float(np.asarray(over(r0, 0.0))), max_overpressure)
        i0 = float(np.asarray(imp(r0, 0.0)))

    def inside(x, y):
        return np.hypot(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) < r0

    def over_nf(x, y):
        return np.where(inside(x, y), p0, np.minimum(over(x, y), p0))

    def imp_nf(x, y):
        raw = imp(x, y)
        return raw if not math.isfinite(i0) else np.where(inside(x, y), i0, np.minimum(raw, i0))

    notes.append(
        f"近场：{what_zh}半径 {r0:,.1f} m 以内爆炸曲线不适用，超压取{what_zh}边缘值 {p0 / 1e3:,.1f} kPa"
        "（标注“位于火焰/云团/爆源范围内”），任何位置的超压不超过此值"
    )
    near = {"overpressure": p0} | ({"impulse": i0} if math.isfinite(i0) else {})
    return {"overpressure": over_nf, "impulse": imp_nf, "inside_source": inside, "near_field": near}


def _tnt_fields(w_tnt: float) -> dict:
    """Overpressure and impulse of a hemispherical surface burst of ``w_tnt`` kg TNT (Kingery-Bulmash [3]_)."""

    def over(x, y, w=w_tnt):
        return ex.tnt_overpressure(w, np.hypot(x, y))

    def imp(x, y, w=w_tnt):
        return ex.tnt_impulse(w, np.hypot(x, y))

    return {"overpressure": over, "impulse": imp}


def _cloud_blast(scenario: Scenario, sub, fuel: float, info: dict, notes: list[str]) -> dict:
    """Blast fields of a VCE by the multi-energy or BST method (:mod:`analysis.physics.vce`)."""
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

        return _near_field({"overpressure": over, "impulse": imp}, _cloud_radius(fuel, sub), "云团", notes)
    mach = vce.bst_flame_speed(scenario.bst_reactivity, scenario.bst_confinement, scenario.bst_congestion)
    notes.append(
        f"Baker-Strehlow-Tang 法：燃料活性 {scenario.bst_reactivity}、受限 {scenario.bst_confinement}、"
        f"障碍物密度 {scenario.bst_congestion}，火焰马赫数 {mach:g}（Pierorazio et al. 2005），"
        "地面反射能量加倍；BST 曲线不给出冲量"
    )
    info["flame_speed_mach"] = mach

    def bst_over(x, y):
        return vce.bst_overpressure(energy, np.hypot(x, y), flame_speed_mach=mach)

    def no_impulse(x, y):  # the BST curves give no impulse: NaN, never a made-up zero
        return np.full(np.broadcast(np.asarray(x), np.asarray(y)).shape, np.nan)

    return _near_field(
        {"overpressure": bst_over, "impulse": no_impulse}, _cloud_radius(fuel, sub), "云团", notes
    )
