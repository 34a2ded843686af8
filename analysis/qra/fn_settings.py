"""The GB 36894-2018 societal-risk (F-N) line constants as a named, configurable setting.

The registry entry ``"gb36894_2018"`` of :data:`analysis.qra.societal.SOCIETAL_CRITERIA` carries constants that
could not be verified in any copy of the standard [1]_ (upper C = 1×10⁻³ /a, lower C = 1×10⁻⁵ /a, slope 1,
1 ≤ N ≤ 1000; ``confirmed=False``, shown as "未核对"). A user who holds the standard enters the constants from their
copy once (:func:`user_fn_criterion`, stored with the park by :func:`geodata.criteria.save_fn_criterion`); from
then on the criterion is the user's, marked confirmed, with who confirmed it, from which text and when.
:func:`park_fn_criterion` picks the user's constants when a record is given, else the registry's unconfirmed ones.

References
----------
.. [1] GB 36894-2018 危险化学品生产装置和储存设施风险基准, societal-risk criteria (社会风险基准, F-N figure).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from analysis._text import sci_zh
from analysis.errors import AnalysisInputError
from analysis.qra.societal import FNCriterion, get_criterion

__all__ = ["DEFAULT_FN_CRITERION", "user_fn_criterion", "park_fn_criterion", "criterion_status_zh"]

#: Registry key of the GB 36894-2018 F-N lines (unconfirmed constants).
DEFAULT_FN_CRITERION = "gb36894_2018"


def _number(name: str, label: str, value: Any, unit: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not (math.isfinite(x) and x > 0):
        raise AnalysisInputError(
            f"{label} {name}={value!r} 无效：应为大于 0 的有限数 [{unit}]，请按所持标准文本填写"
        )
    return x


def user_fn_criterion(
    *,
    upper_c: float,
    lower_c: float,
    slope: float,
    n_min: float,
    n_max: float,
    confirmed_by: str,
    document: str,
    confirmed_on: str = "",
) -> FNCriterion:
    """The GB 36894-2018 F-N lines with constants a user read from their copy of the standard.

    Parameters
    ----------
    upper_c, lower_c : float
        F of the upper (unacceptable) and lower (acceptable) line at N = 1. [1/a]
    slope : float
        k of F = C / N^k. [-]
    n_min, n_max : float
        Range of N of the lines. [人]
    confirmed_by, document : str
        Who read the constants, and from which text (edition, clause or figure).
    confirmed_on : str
        Date of the reading (ISO 8601), optional.

    Returns
    -------
    FNCriterion
        ``confirmed=True``; ``source`` names the standard, the reader, the text and the date.

    Raises
    ------
    AnalysisInputError
        A constant not a finite number > 0, lower ≥ upper, n_min ≥ n_max, or an empty name or document.
    """
    up = _number("upper_c", "上限线常数", upper_c, "1/a")
    lo = _number("lower_c", "下限线常数", lower_c, "1/a")
    k = _number("slope", "斜率", slope, "-")
    n0 = _number("n_min", "起点 N", n_min, "人")
    n1 = _number("n_max", "终点 N", n_max, "人")
    if lo >= up:
        raise AnalysisInputError(
            f"下限线常数 lower_c={lo:g} 应小于上限线常数 upper_c={up:g} [1/a]：请核对所填数值"
        )
    if n0 >= n1:
        raise AnalysisInputError(f"终点 N n_max={n1:g} 应大于起点 N n_min={n0:g}：请核对所填数值")
    who, doc = str(confirmed_by or "").strip(), str(document or "").strip()
    if not who or not doc:
        raise AnalysisInputError(
            f"核对人 confirmed_by={confirmed_by!r}、所据文本 document={document!r} 均须填写：说明谁据哪一版本的标准录入"
        )
    when = f"，{confirmed_on}" if confirmed_on else ""
    source = f"GB 36894-2018 社会风险基准（{who} 据 {doc} 核对录入{when}）"
    return FNCriterion(upper_c=up, lower_c=lo, slope=k, n_min=n0, n_max=n1, confirmed=True, source=source)


def park_fn_criterion(record: Mapping[str, Any] | None) -> FNCriterion:
    """The park's F-N criterion: the user's confirmed constants when ``record`` is given, else the registry's."""
    if not record:
        return get_criterion(DEFAULT_FN_CRITERION)
    keys = ("upper_c", "lower_c", "slope", "n_min", "n_max", "confirmed_by", "document", "confirmed_on")
    return user_fn_criterion(**{k: record.get(k, "") for k in keys})


def criterion_status_zh(criterion: Any) -> str:
    """One sentence on the criterion's constants and whether they were confirmed (shown with every F-N output)."""
    c = get_criterion(criterion)
    lines = f"上限线 F = {sci_zh(c.upper_c, 3)}/N^{c.slope:g}"
    if c.lower_c is not None:
        lines += f"，下限线 F = {sci_zh(c.lower_c, 3)}/N^{c.slope:g}"
    lines += f"（{c.n_min:g} ≤ N ≤ {c.n_max:g}）"
    if c.confirmed:
        return f"社会风险判据线：{lines}；来源：{c.source}（已核对）"
    return (
        f"社会风险判据线：{lines}；来源：{c.source}——常数未核对，请在「风险分布」页面按所持标准文本录入确认"
    )
