"""The risk tables every risk output shares (page, Excel, Word/PDF reports, CLI): contour areas, the assumptions
sheet "假设与来源" and the F-N verdict, in Chinese. Kept here, below both :mod:`app.commands.risk` and the reports,
so that neither imports the other's module to get them."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["assumptions_zh", "contours_zh", "region_zh"]


def contours_zh(contours: Any) -> pd.DataFrame:
    """Area of every individual-risk contour: 等值线, 面积（km²）."""
    return pd.DataFrame(
        {
            "等值线": contours["label_zh"],
            "面积（km²）": (contours["area_m2"] / 1e6).map(lambda v: f"{v:.3f}"),
        }
    )


def assumptions_zh(res: Any, criterion: Any = None) -> pd.DataFrame:
    """The sheet "假设与来源": 项目, 内容 (the run's assumptions, the lowest contour's closure, the F-N lines)."""
    from analysis.qra.fn_settings import DEFAULT_FN_CRITERION
    from analysis.qra.provenance import assumption_rows

    rows = assumption_rows(res.assumptions, criterion=criterion or DEFAULT_FN_CRITERION)
    if "contour" not in res.assumptions:
        rows.append(("等值线闭合", res.contour_check["statement_zh"]))
    return pd.DataFrame(rows, columns=["项目", "内容"])


def region_zh(region: str) -> str:
    """The F-N verdict of :attr:`analysis.qra.societal.SocietalRisk.overall` in Chinese."""
    from analysis.qra.societal import REGION_LABELS_ZH

    if region not in REGION_LABELS_ZH:
        return "未评价（死亡人数低于判据范围）"
    return REGION_LABELS_ZH[region] + ("（ALARP）" if region == "alarp" else "")
