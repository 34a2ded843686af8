"""Siting checks: GB 36894-2018 individual-risk criteria and the GB/T 37243-2019 choice of method.

This module holds the regulatory limits and the checks that need no consequence model: the individual-risk
criterion of each protection class for new and existing installations, the compliance table of the sensitive
targets given the individual risk each one sees, and which method GB/T 37243-2019 prescribes for an
installation's external safety protection distance.

Individual-risk criteria (per year) of GB 36894-2018 [1]_ (new / existing installations):

==============================================  ==========  ==========
protection class                                new          existing
==============================================  ==========  ==========
high_sensitive 高敏感, important 重要,            3×10⁻⁷       3×10⁻⁶
general_1 一般防护目标（一类）
general_2 一般防护目标（二类）                    3×10⁻⁶       1×10⁻⁵
general_3 一般防护目标（三类）                    1×10⁻⁵       3×10⁻⁵
==============================================  ==========  ==========

The standard's own text was not available to us; the values are those of the project's
architecture note and agree with the trial criteria of 2014 [2]_ that GB 36894 replaced (3×10⁻⁷/3×10⁻⁶ for
high-sensitive, important and special high-density places; 3×10⁻⁶/1×10⁻⁵ for high-density places; 1×10⁻⁵/3×10⁻⁵
for low-density places), whose public text was read. The table number inside GB 36894 (often cited as table 2)
could not be confirmed and is therefore not cited.

References
----------
.. [1] GB 36894-2018 危险化学品生产装置和储存设施风险基准 (Risk criteria for hazardous chemicals production units
       and storage installations), individual-risk criteria table (个人风险基准).
.. [2] 国家安全生产监督管理总局公告2014年第13号《危险化学品生产、储存装置个人可接受风险标准和社会可接受风险标准（试行）》,
       表「我国个人可接受风险标准值表」.
.. [3] GB/T 37243-2019 危险化学品生产装置和储存设施外部安全防护距离确定方法 (Method for determining the external
       safety distance of hazardous chemicals production units and storage installations), clause 4 (method).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis._text import per_year_zh

__all__ = [
    "IR_CONTOUR_LEVELS",
    "relocation_candidates",
    "PROTECTION_CLASSES",
    "INDIVIDUAL_RISK_LIMITS",
    "individual_risk_limit",
    "compliance_table",
    "DISTANCE_METHODS",
    "distance_method",
]

#: GB 36894-2018 individual-risk criteria [1/a]: class -> (new installations, existing installations).
INDIVIDUAL_RISK_LIMITS: dict[str, tuple[float, float]] = {
    "high_sensitive": (3e-7, 3e-6),  # [1]; [2] 高敏感场所
    "important": (3e-7, 3e-6),  # [1]; [2] 重要目标
    "general_1": (3e-7, 3e-6),  # [1]; [2] 特殊高密度场所 (≥ 100 人)
    "general_2": (3e-6, 1e-5),  # [1]; [2] 高密度场所 (30–99 人)
    "general_3": (1e-5, 3e-5),  # [1]; [2] 低密度场所 (< 30 人)
}
PROTECTION_CLASSES: tuple[str, ...] = tuple(INDIVIDUAL_RISK_LIMITS)

#: Individual-risk contour levels drawn on the map [1/a]: the distinct GB 36894-2018 criteria (1×10⁻⁵ general-3
#: new, 3×10⁻⁶ general-2 new / high-sensitive existing, 1×10⁻⁶ an intermediate decade the issue asks for, 3×10⁻⁷
#: high-sensitive new).
IR_CONTOUR_LEVELS: tuple[float, ...] = (1e-5, 3e-6, 1e-6, 3e-7)


def individual_risk_limit(protection_class: str, *, new: bool) -> float:
    """GB 36894-2018 individual-risk criterion for a protection class.

    Parameters
    ----------
    protection_class : str
        One of ``"high_sensitive"``, ``"important"``, ``"general_1"``, ``"general_2"``, ``"general_3"``.
    new : bool
        True for new (新建、改建、扩建) installations, False for existing (在役) ones.

    Returns
    -------
    limit : float
        Highest acceptable individual risk. [1/a]

    Raises
    ------
    ValueError
        Unknown protection class (the message lists the valid keys) or a non-bool ``new``.

    References
    ----------
    .. [1] GB 36894-2018, individual-risk criteria (个人风险基准).
    .. [2] 国家安全生产监督管理总局公告2014年第13号 (trial criteria, same values).
    """
    if protection_class not in INDIVIDUAL_RISK_LIMITS:
        raise ValueError(
            f"protection_class={protection_class!r} is not a GB 36894-2018 protection class; "
            f"valid: {list(PROTECTION_CLASSES)}"
        )
    if not isinstance(new, (bool, np.bool_)):
        raise ValueError(f"new={new!r} must be True (new installation) or False (existing installation)")
    new_limit, existing_limit = INDIVIDUAL_RISK_LIMITS[protection_class]
    return new_limit if new else existing_limit


def compliance_table(targets: pd.DataFrame, individual_risk: Any) -> pd.DataFrame:
    """Check every sensitive target against the GB 36894-2018 individual-risk criteria.

    Parameters
    ----------
    targets : DataFrame or GeoDataFrame
        Sensitive targets with ``target_id``, ``name``, ``protection_class``.
    individual_risk : array_like
        The individual risk each target sees (e.g. the maximum of the risk grid over its footprint), in the row
        order of ``targets``. [1/a]

    Returns
    -------
    DataFrame
        ``target_id``, ``name``, ``protection_class``, ``individual_risk`` [1/a], ``limit_new``, ``limit_existing``
        [1/a], ``pass_new``, ``pass_existing`` (risk ≤ limit), ``margin_new``, ``margin_existing`` (limit / risk,
        [-]; > 1 means headroom, inf when the risk is zero).

    References
    ----------
    .. [1] GB 36894-2018, individual-risk criteria.
    """
    ir = np.asarray(individual_risk, dtype=float)
    if ir.shape != (len(targets),):
        raise ValueError(
            f"individual_risk has shape {ir.shape}; expected ({len(targets)},), one value per target"
        )
    if np.any(np.isnan(ir) | (ir < 0)):
        raise ValueError(
            f"individual_risk has negative or NaN values {ir[np.isnan(ir) | (ir < 0)].tolist()}; "
            "each must be a frequency ≥ 0 [1/a]"
        )
    classes = targets["protection_class"].astype(str).tolist()
    bad = sorted({c for c in classes if c not in INDIVIDUAL_RISK_LIMITS})
    if bad:
        raise ValueError(
            f"protection_class values {bad} are not GB 36894-2018 classes; valid: {list(PROTECTION_CLASSES)}"
        )
    lim_new = np.array([INDIVIDUAL_RISK_LIMITS[c][0] for c in classes])
    lim_old = np.array([INDIVIDUAL_RISK_LIMITS[c][1] for c in classes])
    with np.errstate(divide="ignore"):
        m_new = np.where(ir > 0, lim_new / np.where(ir > 0, ir, 1.0), np.inf)
        m_old = np.where(ir > 0, lim_old / np.where(ir > 0, ir, 1.0), np.inf)
    return pd.DataFrame(
        {
            "target_id": targets["target_id"].to_numpy(),
            "name": targets["name"].to_numpy() if "name" in targets else "",
            "protection_class": classes,
            "individual_risk": ir,
            "limit_new": lim_new,
            "limit_existing": lim_old,
            "pass_new": ir <= lim_new,
            "pass_existing": ir <= lim_old,
            "margin_new": m_new,
            "margin_existing": m_old,
        }
    )


#: Methods GB/T 37243-2019 prescribes for the external safety protection distance, with Chinese labels.
DISTANCE_METHODS: dict[str, str] = {
    "consequence": "事故后果法",
    "risk": "定量风险评价法",
    "code": "相关标准规范的距离要求",
}


def distance_method(*, explosive: Any, toxic_or_flammable_gas: Any, is_major: Any) -> Any:
    """The method GB/T 37243-2019 prescribes for an installation's external safety protection distance.

    Explosives (爆炸物) → the consequence method; installations holding toxic gases or flammable gases (including
    liquefied ones) whose Σq/Q ≥ 1 under GB 18218 → quantitative risk assessment against GB 36894; all others →
    the distances of the applicable design codes (GB 50160, GB 50016, …).

    Parameters
    ----------
    explosive, toxic_or_flammable_gas, is_major : bool or array_like of bool
        Whether the installation holds explosives; toxic or flammable gas; whether its GB 18218 S ≥ 1.

    Returns
    -------
    method : str or ndarray of str
        Keys of :data:`DISTANCE_METHODS`.

    Notes
    -----
    The rule is the one in the project's architecture note; the clause text of GB/T 37243-2019 [1]_ was not
    available to us, so the clause number is given as "clause 4" without a sub-clause.

    References
    ----------
    .. [1] GB/T 37243-2019, clause 4 (确定方法).
    """
    ex = np.asarray(explosive, dtype=bool)
    gas = np.asarray(toxic_or_flammable_gas, dtype=bool)
    major = np.asarray(is_major, dtype=bool)
    out = np.where(ex, "consequence", np.where(gas & major, "risk", "code"))
    return str(out) if out.ndim == 0 else out


def relocation_candidates(compliance: pd.DataFrame, *, new: bool = False) -> pd.DataFrame:
    """Targets that fail the GB 36894-2018 criterion — candidates for relocation (搬迁) or risk reduction — with why.

    Parameters
    ----------
    compliance : DataFrame
        Output of :func:`compliance_table`.
    new : bool
        Judge against the criteria for new installations (True) or existing ones (False, default: the park as it
        stands is judged against the existing-installation criteria).

    Returns
    -------
    DataFrame
        The failing rows, worst first (smallest margin), with ``limit`` [1/a], ``exceedance`` (risk / limit, [-])
        and ``reason_zh``, a sentence in Chinese naming the class, the risk and the limit.
    """
    need = ["target_id", "protection_class", "individual_risk", "limit_new", "limit_existing"]
    missing = [c for c in need if c not in compliance.columns]
    if missing:
        raise ValueError(f"compliance is missing columns {missing}; pass the output of compliance_table()")
    if not isinstance(new, (bool, np.bool_)):
        raise ValueError(f"new={new!r} must be True (new installation) or False (existing installation)")
    from geodata.schema import label_zh

    limit = compliance["limit_new" if new else "limit_existing"]
    fail = compliance[compliance["individual_risk"] > limit].copy()
    fail["limit"] = limit[fail.index]
    fail["exceedance"] = fail["individual_risk"] / fail["limit"]
    which = "新建装置" if new else "在役装置"
    fail["reason_zh"] = [
        f"{label_zh('protection_class', c)}所受个人风险 {per_year_zh(ir, 3)}，超过 GB 36894-2018 {which}基准 {per_year_zh(lim)}"
        f"（超出 {x:.1f} 倍）"
        for c, ir, lim, x in zip(
            fail["protection_class"], fail["individual_risk"], fail["limit"], fail["exceedance"], strict=True
        )
    ]
    return fail.sort_values("exceedance", ascending=False).reset_index(drop=True)
