"""What a risk result rests on: the assumptions and sources every risk output shows.

:func:`run_assumptions` collects, for one run of :func:`analysis.qra.individual.individual_risk`, which weather
(source, period), loss-of-containment frequency table, ignition model, probits, population source, grid extent
and resolution were used, whether the lowest contour closes inside the grid, and which regulatory figures are not
verified. :func:`assumption_rows` gives them as (item, text) rows in the order every output shows them (page,
GeoTIFF tags, the Excel sheet "假设与来源", report sections).

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), Sdu, The Hague: ch. 3 (LOC frequencies), ch. 4 (event trees, ignition), ch. 5 (probits).
.. [2] GB 36894-2018 危险化学品生产装置和储存设施风险基准.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ASSUMPTION_LABELS",
    "generic_weather_warning",
    "population_text",
    "run_assumptions",
    "assumption_rows",
    "unverified_figures",
    "geotiff_tags",
]

#: Item keys of :func:`run_assumptions` and their Chinese labels, in the order outputs show them.
ASSUMPTION_LABELS: dict[str, str] = {
    "weather_warning": "⚠ 气象资料警告",
    "weather_source": "气象（风玫瑰）来源",
    "weather_period": "气象资料时段",
    "frequency_table": "泄漏频率表",
    "ignition_model": "点火模型",
    "probits": "致死概率（概率单位）",
    "population_source": "人口来源",
    "grid": "计算网格（范围与分辨率）",
    "contour": "等值线闭合",
    "unverified": "未核对的法规数值",
    "fn_criterion": "社会风险判据线",
}


def _criterion(criterion: Any) -> Any:
    from analysis.qra.societal import get_criterion

    return get_criterion(criterion)


def unverified_figures(criterion: str = "gb36894_2018", fn_constants: Any = None) -> str:
    """The regulatory figures used that nobody has checked against the standard's text, in Chinese."""
    from analysis.qra.societal import get_criterion

    c = fn_constants if fn_constants is not None else get_criterion(criterion)
    items = []
    if not c.confirmed:
        items.append(f"社会风险 F-N 基准线常数（{c.source}）未核对")
    items.append("泄漏频率表为 CPR 18E 数值的转录，未与原书逐项核对")
    return "；".join(items)


_POPULATION_ZH = {
    "sensitive_targets": "敏感目标图层人数",
    "buildings": "建筑物图层人数",
    "population_areas": "人口区域图层人数",
    "population_raster": "人口栅格（每格人数）",
}


def population_text(layers: Any) -> str:
    """Where the people of the societal risk come from, in Chinese (昼夜分别；每人只计一次)."""
    names = [str(n) for n in dict.fromkeys(layers or ())]
    if not names:
        return "无人口数据（敏感目标、建筑物、人口区域、人口栅格均无人数）：社会风险为零"
    return "、".join(_POPULATION_ZH.get(n, n) for n in names) + "（昼夜分别，每人只计一次）"


def run_assumptions(
    opts: Any,
    *,
    weather_source: str,
    weather_period: str = "",
    closure: dict[str, Any] | None = None,
    extent: tuple[float, float, float, float] | None = None,
    resolution: float | None = None,
    population_layers: Any = None,
) -> dict[str, Any]:
    """The assumptions of one individual-risk run (strings, plus ``contour``: the closure dict).

    Parameters
    ----------
    opts : analysis.qra.options.RiskOptions
    weather_source, weather_period : str
        Which wind rose (with its station and period when the park has one), and the period of the observations
        when given separately ("" to leave it to ``weather_source``).
    closure : dict, optional
        :func:`analysis.qra.contours.contour_closure` of the lowest level, with ``grown`` and ``capped``.
    extent : (xmin, ymin, xmax, ymax) [m], resolution [m]
    population_layers : iterable of str, optional
        The layers the receptor points came from (``receptors["layer"]``).
    """
    ext = ""
    if extent is not None:
        w, h = extent[2] - extent[0], extent[3] - extent[1]
        how = (
            "用户指定范围"
            if opts.extent is not None
            else f"园区边界外 {opts.margin:,.0f} m，自动扩展至最低等值线闭合"
        )
        ext = f"{w / 1000:.2f} km × {h / 1000:.2f} km（{how}），网格 {resolution:g} m"
    out: dict[str, Any] = {
        "weather_source": weather_source,
        "frequency_table": "CPR 18E（紫皮书）第 3 章通用泄漏频率（analysis/data/purple_book_cpr18e_loc_frequencies.csv）"
        + ("，含用户覆盖值" if getattr(opts, "frequency_overrides", None) else ""),
        "ignition_model": "CPR 18E 第 4 章事件树：直接点火概率表 4.5，延迟点火概率 1，延迟点火中爆炸占 0.4",
        "probits": "CPR 18E 第 5 章概率单位（热辐射、超压、毒性，analysis.physics.vulnerability）；户外、无防护",
        "population_source": population_text(population_layers),
        "grid": ext,
        "unverified": unverified_figures(),
    }
    warning = generic_weather_warning({"weather_source": weather_source})
    if warning:  # the generic rose: the first row of every output says so
        out = {"weather_warning": warning, **out}
    if weather_period:  # else the weather source says it (the park's station and its period)
        out["weather_period"] = weather_period
    if closure is not None:
        out["contour"] = dict(closure)
    return out


def generic_weather_warning(assumptions: dict[str, Any]) -> str:
    """The warning of a run on the generic illustrative rose ("" for a run on the park's or a given rose)."""
    from analysis.qra.options import GENERIC_WEATHER_SOURCE_ZH, GENERIC_WEATHER_WARNING_ZH

    return (
        GENERIC_WEATHER_WARNING_ZH if assumptions.get("weather_source") == GENERIC_WEATHER_SOURCE_ZH else ""
    )


def assumption_rows(assumptions: dict[str, Any], *, criterion: Any = None) -> list[tuple[str, str]]:
    """(项目, 内容) rows of an assumptions dict in :data:`ASSUMPTION_LABELS` order, then any other keys.

    With ``criterion`` (the F-N criterion the outputs use: a registry key or an
    :class:`~analysis.qra.societal.FNCriterion`, e.g. the park's confirmed constants), the unverified figures are
    those of that criterion and a row states its constants and whether they were confirmed.
    """
    if criterion is not None:
        from analysis.qra.fn_settings import criterion_status_zh

        assumptions = {**assumptions, "unverified": unverified_figures(fn_constants=_criterion(criterion))}
        assumptions["fn_criterion"] = criterion_status_zh(criterion)
    rows = []
    keys = list(ASSUMPTION_LABELS) + [k for k in assumptions if k not in ASSUMPTION_LABELS]
    for k in keys:
        if k not in assumptions:
            continue
        v = assumptions[k]
        text = v.get("statement_zh", "") if isinstance(v, dict) else str(v)
        rows.append((ASSUMPTION_LABELS.get(k, k), text))
    return rows


def geotiff_tags(assumptions: dict[str, Any], check: dict[str, Any]) -> dict[str, str]:
    """GeoTIFF tags: ``assumption_<key>`` (Chinese text) for each assumption, and the lowest contour's closure."""
    tags = {f"assumption_{k}": str(v) for k, v in assumptions.items() if not isinstance(v, dict)}
    tags.update(
        contour_level=f"{check['level']:.0e}",
        contour_closed=str(bool(check["closed"])),
        contour_border_max=f"{check['border_max']:.3e}",
        contour_statement=check["statement_zh"],
    )
    return tags
