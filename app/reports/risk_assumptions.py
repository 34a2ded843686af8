"""The section "假设与来源" of a Word report that includes individual or societal risk.

Every report that shows a risk figure adds this section (python-docx): the lowest contour's closure and the run's
assumptions (weather, frequency table, ignition, probits, population, grid, unverified regulatory figures, the F-N
lines and whether their constants were confirmed), the same rows as the Excel sheet "假设与来源"
(:func:`app.reports.risk_tables.assumptions_zh`).
"""

from __future__ import annotations

from typing import Any

from app.reports.docx_parts import add_table as _add_table
from app.reports.docx_parts import heading as _heading
from app.reports.docx_parts import para as _para

__all__ = ["add_assumptions_section"]


def add_assumptions_section(doc: Any, res: Any, *, criterion: Any = None, level: int = 1) -> None:
    """Append the heading "假设与来源", the contour statement and the assumptions table to a python-docx Document.

    Parameters
    ----------
    doc : docx.Document
    res : analysis.qra.individual.IndividualRisk
    criterion : str or FNCriterion, optional
        The F-N criterion the report uses (default GB 36894's registry entry).
    level : int
        Heading level.
    """
    from app.reports.risk_tables import assumptions_zh

    _heading(doc, "假设与来源", level)
    _para(doc, res.contour_check["statement_zh"])
    _add_table(doc, assumptions_zh(res, criterion), widths_cm={"项目": 4.0, "内容": 12.0})
