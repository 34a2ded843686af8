"""Limits and progress text of a risk run: the installation count refused before any work, the time left.

The limit (``RiskOptions.max_installations``) and the rough time per installation (0.2 s on the default 10 m grid,
measured by ``bench/bench_risk.py``) are parkrisk choices, not rules of a source.
"""

from __future__ import annotations

import time
from typing import Any

from analysis.errors import AnalysisInputError
from analysis.qra.options import RiskOptions

__all__ = ["check_size", "unit_message"]


def _n_installations(park: Any, opts: RiskOptions) -> int:
    """How many installations the run computes: those of ``outcomes`` if given, else the park's, within ``units``."""
    if opts.outcomes is not None and "unit_id" in opts.outcomes.columns:
        ids = set(opts.outcomes["unit_id"].astype(str))
    else:
        ids = set(park.metric("installations")["unit_id"].astype(str))
    return len(ids & set(opts.units)) if opts.units is not None else len(ids)


def check_size(park: Any, opts: RiskOptions) -> None:
    """Refuse a run over ``opts.max_installations`` before any work (AnalysisInputError naming count and limit)."""
    limit = opts.max_installations
    n = _n_installations(park, opts)
    if limit is not None and n > limit:
        raise AnalysisInputError(
            f"个人风险计算包含 {n} 套设施，超过上限 {limit}（max_installations）：计算量随设施数增长，"
            f"{n} 套设施在默认 10 m 网格上约需 {_duration(0.2 * n)}。如确需计算，请调高上限"
            f"（RiskOptions(max_installations={n})，命令行见 parkrisk risk --help），或用 units 只算部分设施、"
            f"分片区计算、加大网格尺寸"
            f"[{n} installations exceed max_installations={limit}; raise the limit, e.g. "
            f"max_installations={n}, or compute a subset with units=...]"
        )


def _duration(seconds: float) -> str:
    """A rough duration in Chinese: 约 40 秒, 约 3 分钟, 约 1.5 小时."""
    if seconds < 90:
        return f"约 {max(1, round(seconds))} 秒"
    if seconds < 5400:
        return f"约 {round(seconds / 60)} 分钟"
    return f"约 {seconds / 3600:.1f} 小时"


def unit_message(uid: str, ui: int, n: int, started: float) -> str:
    """Progress text of installation ``ui`` of ``n``, with the time left once one installation is done."""
    text = f"计算设施 {uid} 的个人风险（{ui + 1}/{n}"
    if ui > 0:
        left = (time.monotonic() - started) / ui * (n - ui)
        text += f"，预计剩余 {_duration(left)}"
    return text + "）…"
