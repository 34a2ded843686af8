"""Cloud fields: the ground-level concentration of an airborne release, and the toxic and flash-fire effects.

:func:`cloud_field` chooses the dispersion model from the source term and the cloud's density: a passive cloud
follows the Gaussian plume (continuous release) or puff (instantaneous release) of :mod:`analysis.physics.dispersion`
with Briggs / Pasquill-Gifford σ; a cloud heavier than air by Britter & McQuaid's criteria [1]_ follows the
workbook's centre-line concentration, spread across the wind over its gravity-slumped width with Gaussian edges
(:func:`dense_crosswind_profile`, the DEGADIS profile [2]_). :func:`cloud_effects` is the effect builder of the toxic
cloud and the flash fire. Fields are functions of (x, y), metres east/north of the source; the models work in the
wind frame of :mod:`analysis.scenarios.wind_frame`.

References
----------
.. [1] Britter, R. E. & McQuaid, J. (1988). Workbook on the Dispersion of Dense Gases. HSE CRR 17/1988, §4.3:
       continuous-plume extents l_b = g0' q0 / u³, L_U = D/2 + 2 l_b, L_H = D + 8 l_b + 2.5 l_b^(1/3) x^(2/3);
       §4.4: instantaneous cloud radius R² = R0² + 1.2 (g0' V0)^(1/2) t, centre advected at 0.4 u10 t.
.. [2] Havens, J. A. & Spicer, T. O. (1985). Development of an atmospheric dispersion model for heavier-than-air
       gas mixtures (DEGADIS). US Coast Guard CG-D-22-85: crosswind profile uniform over the half-width b with
       Gaussian edges exp(−((|y| − b)/S_y)²).
.. [3] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety, 3rd ed.: Eq. 5-49 (Gaussian plume with
       ground reflection), Eq. 5-38 (Gaussian puff).
.. [4] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), chapter 5: 100 % lethality
       inside a flash fire's LFL envelope.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis._text import num_zh
from analysis.constants import AIR_MOLAR_MASS, P_ATM, R_GAS
from analysis.errors import ScenarioNotApplicableError
from analysis.physics import dispersion as disp
from analysis.scenarios.release import Scenario
from analysis.scenarios.source import ReleaseSource
from analysis.scenarios.source_term import SourceTerm
from analysis.scenarios.wind_frame import along_across, axis_bearing_deg
from analysis.weather import TERRAIN_LABELS_ZH, Weather, WeatherClass

__all__ = ["cloud_field", "cloud_effects", "dense_crosswind_profile", "lfl_kg_m3"]

#: Molar mass of dry air in the air density of the dense-gas criteria. [kg/mol]
_OUTSIDE_RANGE_NOTE = "注意：Britter-McQuaid 参数 α = {alpha:.2f} > 1，超出工作手册曲线范围，按 α = 1 外推"
_LAST_CURVE_NOTE = (
    "注意：下风向 {x:.0f} m 以外超出 Britter-McQuaid 工作手册最后一条曲线（Cm/C0 = {ratio:g}），"
    "该范围内浓度按 β 线性外推，仅供参考"
)


def lfl_kg_m3(sub, weather: Weather | WeatherClass) -> float:
    """Lower flammability limit as a mass concentration at the air temperature (NaN if not flammable). [kg/m³]"""
    if not (sub.flammable and math.isfinite(sub.lfl)):
        return math.nan
    # LFL volume fraction -> kg/m³, ideal gas at the air temperature and 1 atm.
    return float(sub.lfl * P_ATM * sub.molar_mass / (R_GAS * weather.temperature_k))


def dense_crosswind_profile(s, c, centreline, half_width, sigma_y, *, upwind_extent: float = math.inf):
    """Concentration of a slumped dense cloud across the wind: uniform over the half-width, Gaussian edges.

    Inside |c| ≤ ``half_width`` the concentration is ``centreline`` (the workbook's gravity-slumped width [1]_);
    beyond it it falls off as exp(−½((|c| − b)/σy)²) (the DEGADIS profile [2]_, S_y = √2 σy). Downwind (s > 0)
    the cloud is everywhere; upwind only inside the half-width, and not farther than ``upwind_extent``.

    Parameters
    ----------
    s, c : array_like
        Downwind distance and crosswind offset. [m]
    centreline : array_like
        Centre-line concentration. [kg/m³]
    half_width : array_like
        Slumped half-width b at s (0 where the cloud does not reach). [m]
    sigma_y : array_like
        Crosswind σ of the edges at s. [m]
    upwind_extent : float
        Farthest upwind reach of the cloud (the continuous plume's L_U). [m]

    Returns
    -------
    ndarray
        [kg/m³]
    """
    half = np.asarray(half_width, dtype=float)
    sy = np.maximum(np.asarray(sigma_y), 1e-9)
    edge = np.maximum(np.abs(c) - half, 0.0)
    inside = (s > 0) | ((half > 0.0) & (np.abs(c) <= half))
    if math.isfinite(upwind_extent):
        inside = (s >= -upwind_extent) & inside
    return np.where(inside, centreline * np.exp(-0.5 * (edge / sy) ** 2), 0.0)


@dataclass(frozen=True)
class _Air:
    """The cloud's surroundings: wind frame, dispersion class and the densities that decide a dense cloud."""

    wind_speed: float  # [m/s]
    bearing: float  # downwind bearing [°]
    height: float  # release height [m]
    stability: str
    terrain: str
    temperature: float  # air [K]
    air_density: float  # [kg/m³]
    source_temperature: float  # [K]
    source_density: float  # pure vapour at 1 atm [kg/m³]
    kg_per_vol: float  # volume fraction -> kg/m³ at the air temperature


def _air(st: SourceTerm, scenario: Scenario, weather: Weather | WeatherClass) -> _Air:
    sub = st.substance
    t0 = st.source_temperature
    return _Air(
        wind_speed=weather.wind_speed,
        bearing=axis_bearing_deg(weather),
        height=scenario.release_height,
        stability=weather.stability,
        terrain=weather.terrain,
        temperature=weather.temperature_k,
        air_density=P_ATM * AIR_MOLAR_MASS / (R_GAS * weather.temperature_k),  # dry air, ideal gas
        source_temperature=t0,
        source_density=P_ATM * sub.molar_mass / (R_GAS * t0),  # pure vapour at 1 atm, source temperature
        kg_per_vol=P_ATM * sub.molar_mass / (R_GAS * weather.temperature_k),  # ideal gas, air temperature
    )


def cloud_field(st: SourceTerm, scenario: Scenario, weather: Weather | WeatherClass, notes: list[str]):
    """Ground-level concentration field of the airborne release, (x, y) -> kg/m³, and its description.

    Passive clouds: Gaussian plume (continuous) or puff (instantaneous; the peak concentration as the puff centre
    passes, σ at the receptor distance) with Briggs / Pasquill-Gifford σ [3]_. Heavier-than-air clouds (Britter &
    McQuaid's criteria [1]_): the workbook's centre-line concentration downwind. Continuous: across the wind
    uniform over the workbook's gravity-slumped half-width L_H (§4.3) with Gaussian edges of Briggs σ_y (DEGADIS
    profile [2]_), and the upwind extent L_U = D/2 + 2 l_b. Instantaneous: uniform over the ground area swept by
    the slumping cloud (workbook §4.4) with Gaussian edges of the Pasquill-Gifford puff σ_y.

    Returns
    -------
    field : callable
    info : dict
        ``mode`` ("plume" | "puff"), ``dense`` (bool), ``duration`` [s] of the exposure (plume),
        ``sigma_x`` (callable s -> σx [m], puff).
    """
    air = _air(st, scenario, weather)
    if st.continuous_cloud:
        return _plume_field(st, scenario, air, notes)
    return _puff_field(st, air, notes)


def _plume_field(st: SourceTerm, scenario: Scenario, air: _Air, notes: list[str]):
    """Continuous release: passive Gaussian plume or Britter-McQuaid dense plume."""
    q = st.airborne_rate
    if not q > 0:
        raise ScenarioNotApplicableError(
            f"设施 {st.unit_id}：没有物质进入大气（源强为 0 kg/s），无法计算扩散 (no airborne release)"
        )
    dur = st.duration if st.duration > 0 else math.inf
    if st.pool_evaporation_rate > 0:
        dur_pool = st.pool_mass / st.pool_evaporation_rate
        dur = max(st.duration, dur_pool) if st.duration > 0 else dur_pool
    info: dict = {"dense": False, "mode": "plume", "duration": min(dur, scenario.max_duration)}
    u, rho0, rho_a = air.wind_speed, air.source_density, air.air_density
    dense = rho0 > rho_a and bool(
        disp.britter_mcquaid_plume_is_dense(
            volume_rate=q / rho0, wind_speed=u, source_density=rho0, air_density=rho_a
        )
    )
    if dense:
        info["dense"] = True
        return _dense_plume_field(q, air, notes), info
    bearing, stab, terr, h = air.bearing, air.stability, air.terrain, air.height

    def field(x, y):
        s_, c_ = along_across(x, y, bearing)
        return disp.gaussian_plume(q, u, s_, c_, 0.0, stability=stab, release_height=h, terrain=terr)

    notes.append(
        f"高斯烟羽连续扩散（Crowl & Louvar 2011 式 5-49，含地面反射），Briggs {TERRAIN_LABELS_ZH[terr]}"
        f"扩散参数，源强 {num_zh(q)} kg/s，释放高度 {h:g} m，风速取 10 m 高处值"
    )
    return field, info


def _dense_plume_field(q: float, air: _Air, notes: list[str]):
    """Britter-McQuaid continuous dense plume [1]_ §4.3 with the slumped crosswind profile."""
    u, rho0, rho_a, t0 = air.wind_speed, air.source_density, air.air_density, air.source_temperature
    bearing, stab, terr, kg_per_vol = air.bearing, air.stability, air.terrain, air.kg_per_vol
    bm = dict(volume_rate=q / rho0, wind_speed=u, source_density=rho0, air_density=rho_a)
    l_u = disp.britter_mcquaid_plume_upwind_extent(**bm)
    l_b = disp.britter_mcquaid_buoyancy_length(**bm)

    def field(x, y):
        s_, c_ = along_across(x, y, bearing)
        cm = np.asarray(
            disp.britter_mcquaid_plume(s_, **bm, source_temperature=t0, ambient_temperature=air.temperature),
            dtype=float,
        )
        # Crosswind: the workbook's gravity-slumped half-width L_H ([1] §4.3) as a uniform core, Gaussian edges
        # of Briggs σy beyond it ([2]; S_y = √2 σy).
        half = disp.britter_mcquaid_plume_half_width(s_, **bm)
        sy, _ = disp.briggs_sigmas(np.maximum(s_, 1e-9), stab, terr)
        return dense_crosswind_profile(s_, c_, cm * kg_per_vol, half, sy, upwind_extent=l_u)

    alpha = disp.britter_mcquaid_plume_alpha(**bm)
    notes.append(
        f"重气连续扩散：Britter-McQuaid (1988) 工作手册中心线浓度（源密度 {rho0:.2f} kg/m³ > 空气 "
        f"{rho_a:.2f} kg/m³，源温度 {t0:.0f} K）；横风向半宽按工作手册 §4.3 重力坍塌公式 "
        f"L_H = D + 8 l_b + 2.5 l_b^⅓ x^⅔（D = (q0/u)^½ = {math.sqrt(q / rho0 / u):.1f} m，浮力长度 "
        f"l_b = g0'q0/u³ = {l_b:.2f} m），半宽内浓度均匀、半宽外按 Briggs σy 高斯衰减（DEGADIS 剖面）；"
        f"上风向延伸 L_U = D/2 + 2 l_b = {l_u:.1f} m（源与上风端之间按椭圆弧连接，本软件的近似）"
    )
    if alpha > 1.0:
        notes.append(_OUTSIDE_RANGE_NOTE.format(alpha=alpha))
    notes.append(_LAST_CURVE_NOTE.format(x=disp.britter_mcquaid_plume_last_curve_distance(**bm), ratio=0.002))
    return field


def _puff_field(st: SourceTerm, air: _Air, notes: list[str]):
    """Instantaneous release: passive Gaussian puff or Britter-McQuaid dense puff."""
    m = st.airborne_mass
    u, rho0, rho_a, stab = air.wind_speed, air.source_density, air.air_density, air.stability
    dense = rho0 > rho_a and bool(
        disp.britter_mcquaid_puff_is_dense(
            volume=m / rho0, wind_speed=u, source_density=rho0, air_density=rho_a
        )
    )

    def sigma_x(s_):
        sx, _, _ = disp.puff_sigmas(np.maximum(s_, 1e-9), stab)
        return np.asarray(sx)

    info: dict = {"dense": False, "mode": "puff", "sigma_x": sigma_x}
    if dense:
        info["dense"] = True
        return _dense_puff_field(m, air, notes), info
    bearing, h = air.bearing, air.height

    def field(x, y):
        s_, c_ = along_across(x, y, bearing)
        # Peak of the passing puff: its centre over the receptor, t = s/u (Crowl & Louvar 2011 Eq. 5-38).
        t = np.maximum(s_, 1e-9) / u
        c = disp.gaussian_puff(m, u, s_, c_, 0.0, t, stability=stab, release_height=h)
        return np.where(s_ > 0, c, 0.0)

    notes.append(
        f"高斯烟团瞬时扩散（Crowl & Louvar 2011 式 5-38，含地面反射），取烟团中心经过时的峰值浓度，"
        f"气云 {m:,.0f} kg"
    )
    return field, info


def _dense_puff_field(m: float, air: _Air, notes: list[str]):
    """Britter-McQuaid instantaneous dense cloud [1]_ §4.4 with the slumped crosswind profile."""
    u, rho0, rho_a, t0 = air.wind_speed, air.source_density, air.air_density, air.source_temperature
    bearing, stab, kg_per_vol = air.bearing, air.stability, air.kg_per_vol
    bmp = dict(volume=m / rho0, wind_speed=u, source_density=rho0, air_density=rho_a)

    def field(x, y):
        s_, c_ = along_across(x, y, bearing)
        cm = np.asarray(
            disp.britter_mcquaid_puff(s_, **bmp, source_temperature=t0, ambient_temperature=air.temperature),
            dtype=float,
        )
        # Crosswind: uniform over the area swept by the slumping cloud ([1] §4.4), Gaussian edges of the
        # Pasquill-Gifford puff σy beyond it ([2]); upwind only the slumped cloud itself.
        half = disp.britter_mcquaid_puff_half_width(s_, **bmp)
        _, sy, _ = disp.puff_sigmas(np.maximum(s_, 1e-9), stab)
        return dense_crosswind_profile(s_, c_, cm * kg_per_vol, half, sy)

    r_probe = np.geomspace(1e-3, 1e5, 400)
    r_up = float(
        np.max(np.where(np.asarray(disp.britter_mcquaid_puff_half_width(-r_probe, **bmp)) > 0, r_probe, 0.0))
    )
    alpha = disp.britter_mcquaid_puff_alpha(**bmp)
    if alpha > 1.0:
        notes.append(_OUTSIDE_RANGE_NOTE.format(alpha=alpha))
    notes.append(_LAST_CURVE_NOTE.format(x=disp.britter_mcquaid_puff_last_curve_distance(**bmp), ratio=0.001))
    notes.append(
        f"重气瞬时扩散：Britter-McQuaid (1988) 工作手册峰值浓度（气云 {m:,.0f} kg，源密度 {rho0:.2f} kg/m³）；"
        "横风向按工作手册 §4.4 重力坍塌气云扫过的范围（R² = R0² + 1.2 (g0'V0)^½ t，气云中心以 0.4 u 移动；"
        "R0 取体积 V0 的等体积球半径，本软件的假设），范围内浓度均匀、范围外按 Pasquill-Gifford σy 高斯衰减；"
        f"上风向延伸约 {r_up:.1f} m"
    )
    return field


def cloud_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the toxic cloud and the flash fire: the concentration field.

    Returns
    -------
    fields : dict
        {"concentration": (x, y) -> kg/m³}.
    model : dict
        The cloud's description (see :func:`cloud_field`).
    exposure : float
        The plume's exposure duration [s], NaN for a puff (its exposure varies with the position).
    """
    sub = st.substance
    kind = scenario.kind
    if kind == "flash_fire" and not (math.isfinite(sub.lfl) and sub.lfl > 0):
        raise ScenarioNotApplicableError(
            f"scenario 事故情景='flash_fire' 需要爆炸下限，而 {sub.name_zh} 的爆炸下限 LFL 未知 (no LFL for {sub.name_en})"
        )
    if kind == "toxic" and not sub.toxic:
        raise ScenarioNotApplicableError(
            f"scenario 事故情景='toxic' 需要有毒物质，而 {sub.name_zh} 不在有毒物质之列 (substance is not toxic)"
        )
    field, info = cloud_field(st, scenario, weather, notes)
    if info["mode"] == "plume":
        exposure = info["duration"]
    else:
        exposure = math.nan
        notes.append(
            "烟团的暴露时间随位置变化：按烟团经过时间 √(2π/n)·σx/u 计算毒性负荷（高斯时间分布的精确积分）"
        )
    if kind == "flash_fire":
        notes.append("闪火：爆炸下限（LFL）浓度包络内人员死亡，之外不受伤害（CPR 18E）")
    # Near field: no cloud is richer than the pure vapour at 1 atm; the dispersion models, singular at the source,
    # are held there. The source region is the flammable cloud (LFL envelope) of a flash fire, the pure-vapour
    # core of a toxic cloud.
    rho0 = _air(st, scenario, weather).source_density
    edge = lfl_kg_m3(sub, weather) if kind == "flash_fire" else rho0

    def capped(x, y):
        return np.minimum(field(x, y), rho0)

    def inside(x, y):
        return np.asarray(field(x, y)) >= edge

    notes.append(f"近场：浓度不超过纯蒸气密度 {num_zh(rho0)} kg/m³（1 atm、源温度）")
    fields = {"concentration": capped, "inside_source": inside, "near_field": {"concentration": rho0}}
    return fields, info, exposure
