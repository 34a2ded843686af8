"""Park safety-risk grade A–D (化工园区安全风险等级) from a configurable checklist scored by the park administrator.

The bands are those of [1]_: a total score below 60 is grade A (高安全风险), 60 to below 70 grade B (较高安全风险),
70 to below 85 grade C (一般安全风险), 85 and above grade D (较低安全风险). A is the HIGHEST risk. An A-grade park may
not start new, rebuilt or extended hazardous-chemical construction projects ([1]_), and the 2022 national plan
required every park to reach C or D ([2]_).

The item-by-item scoring table of [1]_ was NOT found in any copy we could read, so the items are a checklist the
park configures: the shipped file ``analysis/data/mem_2023_123_park_checklist.csv`` holds the structure of the
2022 "十有两禁" list ([2]_; each row names the document it comes from) with this project's default points (the
ten "有" items 7 points each, the three "禁" items 10 each, 100 in all) — the weights are NOT the guide's and say so
on the page. A park replaces the file (same columns) when it has the provincial scoring table. The administrator
awards each item between 0 and its points; the score is ``100 × awarded / total points`` [-].

Items the park data can inform carry pre-filled evidence (:func:`prefill_evidence`): residents and other people
inside the park boundary (sensitive-targets layer), a land-use safety control line (individual-risk contours,
when computed), closed management and hazardous-goods parking (optional layers ``gates`` and ``parking`` when a
park file carries them). The evidence informs the administrator; it does not award points.

References
----------
.. [1] 应急管理部. 化工园区安全风险排查治理导则（应急〔2023〕123号）, 2023: the grade bands and what grade A means.
.. [2] 国务院安委会办公室. 2022 年化工园区安全整治提升“十有两禁”（全国危险化学品安全风险集中治理方案配套）, 2022.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "GRADE_BANDS",
    "GRADE_LABELS_ZH",
    "GRADE_MEANING_ZH",
    "CHECKLIST_COLUMNS",
    "ParkGradeResult",
    "park_grade",
    "load_park_checklist",
    "score_park_checklist",
]

#: (grade, lower bound inclusive, upper bound exclusive) of the total score [-], [1]_.
GRADE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("A", -math.inf, 60.0),
    ("B", 60.0, 70.0),
    ("C", 70.0, 85.0),
    ("D", 85.0, math.inf),
)

GRADE_LABELS_ZH: dict[str, str] = {
    "A": "A类（高安全风险）",
    "B": "B类（较高安全风险）",
    "C": "C类（一般安全风险）",
    "D": "D类（较低安全风险）",
}

#: What each grade means for the park, [1]_ and [2]_.
GRADE_MEANING_ZH: dict[str, str] = {
    "A": "A类园区不得新建、改建、扩建危险化学品建设项目；须限期整改提升（2022 年要求所有园区达到 C 类或 D 类）。",
    "B": "B类园区须按导则整改提升，达到 C 类或 D 类（2022 年整治提升要求）。",
    "C": "C类园区：一般安全风险，持续排查治理。",
    "D": "D类园区：较低安全风险，保持并持续改进。",
}

CHECKLIST_COLUMNS: tuple[str, ...] = ("item_id", "group_zh", "item_zh", "source_doc", "points", "data_check")
_CHECKLIST_FILE = "mem_2023_123_park_checklist.csv"


def park_grade(score: float) -> str:
    """The park grade of a total score, by the bands of [1]_ (A < 60, 60 ≤ B < 70, 70 ≤ C < 85, D ≥ 85).

    Parameters
    ----------
    score : float
        Total score of the park checklist, 0 to 100. [-]

    Returns
    -------
    grade : str
        ``"A"`` (highest risk), ``"B"``, ``"C"`` or ``"D"`` (lowest risk).

    Raises
    ------
    ValueError
        If ``score`` is not a number between 0 and 100.
    """
    try:
        s = float(score)
    except (TypeError, ValueError):
        raise ValueError(f"园区评分 score={score!r} 不是数字：请填写 0～100 的总分") from None
    if not math.isfinite(s) or not 0.0 <= s <= 100.0:
        raise ValueError(f"园区评分 score={score!r} 超出范围：请填写 0～100 的总分")
    for grade, lo, hi in GRADE_BANDS:
        if lo <= s < hi:
            return grade
    raise AssertionError(s)  # the bands cover the real line


def load_park_checklist(path: str | Path | None = None) -> pd.DataFrame:
    """The park checklist: one row per item with :data:`CHECKLIST_COLUMNS` (``points`` [-], ``data_check`` the key
    of the data evidence or empty). Without ``path`` the shipped "十有两禁" checklist.

    Raises
    ------
    ValueError
        A missing column, a duplicate ``item_id``, points not positive, or an item without its source document;
        the message names the row and the fix.
    """
    if path is None:
        with resources.files("analysis.data").joinpath(_CHECKLIST_FILE).open("rb") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        where = _CHECKLIST_FILE
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        where = str(path)
    missing = [c for c in CHECKLIST_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"园区评分清单 {where} 缺少列 {missing}：请按列 {list(CHECKLIST_COLUMNS)} 填写")
    df = df[list(CHECKLIST_COLUMNS)].copy()
    problems = []
    for i, r in df.iterrows():
        try:
            p = float(r["points"])
        except ValueError:
            p = float("nan")
        if not (math.isfinite(p) and p > 0):
            problems.append(f"第 {i + 2} 行「{r['item_id']}」分值 {r['points']!r} 不是正数：请填写该项满分")
        if not r["source_doc"].strip():
            problems.append(f"第 {i + 2} 行「{r['item_id']}」没有出处：请填写该项来自的文件")
    dup = df["item_id"][df["item_id"].duplicated()].tolist()
    if dup:
        problems.append(f"条目编号重复 {dup}：每项须有唯一编号")
    if problems:
        raise ValueError(f"园区评分清单 {where} 有误：" + "；".join(problems))
    df["points"] = df["points"].astype(float)
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class ParkGradeResult:
    """A scored park checklist.

    Attributes
    ----------
    score : float
        ``100 × awarded / total points``. [-]
    grade : str
        :func:`park_grade` of the score.
    items : DataFrame
        The checklist with ``awarded`` (NaN when not scored) and ``scored`` (bool).
    unscored : tuple of str
        Items without a score (counted as 0).
    """

    score: float
    grade: str
    items: pd.DataFrame
    unscored: tuple[str, ...]

    @property
    def meaning_zh(self) -> str:
        return GRADE_MEANING_ZH[self.grade]

    def summary_zh(self) -> str:
        note = f"；{len(self.unscored)} 项未评分，按 0 分计" if self.unscored else ""
        return f"园区评分 {self.score:.1f} 分，{GRADE_LABELS_ZH[self.grade]}{note}。{self.meaning_zh}"


def score_park_checklist(
    awarded: Mapping[str, Any], checklist: pd.DataFrame | None = None
) -> ParkGradeResult:
    """Score a park checklist.

    Parameters
    ----------
    awarded : mapping of item_id -> points awarded
        Between 0 and the item's points. [-] Items not given (or None/NaN) are unscored and count 0.
    checklist : DataFrame, optional
        :func:`load_park_checklist` (default: the shipped checklist).

    Raises
    ------
    ValueError
        An unknown item id (lists the ids) or points outside 0 to the item's points.
    """
    items = load_park_checklist() if checklist is None else checklist.copy()
    known = set(items["item_id"])
    unknown = sorted(set(awarded) - known)
    if unknown:
        raise ValueError(f"评分条目 {unknown} 不在园区评分清单中：可选条目 {sorted(known)}")
    values = []
    problems = []
    for item_id, full in zip(items["item_id"], items["points"], strict=True):
        v = awarded.get(item_id)
        if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
            values.append(float("nan"))
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = float("nan")
        if not (math.isfinite(x) and 0.0 <= x <= full):
            problems.append(f"条目 {item_id} 得分 {v!r} 无效：请填写 0～{full:g} 分")
        values.append(x)
    if problems:
        raise ValueError("；".join(problems))
    items["awarded"] = values
    items["scored"] = items["awarded"].notna()
    total = float(items["points"].sum())
    score = 100.0 * float(items["awarded"].fillna(0.0).sum()) / total
    score = min(max(score, 0.0), 100.0)
    unscored = tuple(items.loc[~items["scored"], "item_id"])
    return ParkGradeResult(score=score, grade=park_grade(score), items=items, unscored=unscored)
