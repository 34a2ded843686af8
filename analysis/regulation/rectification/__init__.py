"""一园一策 rectification items: lifecycle, overdue, statistics, import tables, findings → items, plan content.

Pure functions on the ``rectifications`` layer (a DataFrame with the columns of
:data:`geodata.schema.LAYERS` ``["rectifications"]``); no I/O, no plotting. Storage, roles and concurrency are in
:mod:`geodata.store`; the lifecycle table lives there too (the store enforces it) and is re-exported here.

Definitions used in the statistics:

- **整改率 (closure rate)** = items closed (销号) / items found, as a fraction [-] ([1]_, 第十四条/第二十条: hidden
  hazards are "治理—验收—销号"; the rate is the share that reached 销号).
- **逾期 (overdue)** on a date *d*: the deadline is before *d* and the item is not closed on *d* ([2]_, 第十五条:
  rectification within the set time limit).
- **重大隐患 (major hazards)** are reported separately ([2]_, 第十条; [3]_ defines the criteria).
- **按期整改率 (on-time closure rate)** = items closed on or before their (current, possibly extended) deadline /
  items due on *d* (closed, or the deadline before *d*) ([2]_, 第十五条: rectification within the set time limit);
  the Chinese text shown with it is :data:`ON_TIME_DEFINITION_ZH`.

References
----------
.. [1] 应急管理部. 化工园区安全风险排查治理导则（应急〔2023〕123号）, 2023.
.. [2] 国家安全生产监督管理总局. 安全生产事故隐患排查治理暂行规定（第16号令）, 2008.
.. [3] 应急管理部. 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号）, 2017.
"""

from analysis.regulation.rectification.items import (
    FINDING_KINDS,
    Evidence,
    Finding,
    ProposalOptions,
    ProposedItem,
    propose_items,
)
from analysis.regulation.rectification.plan import PlanReport, plan_report
from analysis.regulation.rectification.stats import (
    GROUP_COLUMNS,
    ON_TIME_DEFINITION_ZH,
    closure_stats,
    days_overdue,
    default_extension,
    major_items,
    monthly_trend,
    overdue_mask,
)
from analysis.regulation.rectification.tables import HEADERS_ZH, export_table, parse_inspection_table
from geodata.store.lifecycle import (
    ACTION_LABELS_ZH,
    STATUSES,
    TRANSITIONS,
    IllegalTransitionError,
    allowed_targets,
    check_transition,
)

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "ACTION_LABELS_ZH",
    "IllegalTransitionError",
    "allowed_targets",
    "check_transition",
    "overdue_mask",
    "days_overdue",
    "closure_stats",
    "default_extension",
    "monthly_trend",
    "major_items",
    "Evidence",
    "Finding",
    "FINDING_KINDS",
    "ProposalOptions",
    "ProposedItem",
    "propose_items",
    "HEADERS_ZH",
    "parse_inspection_table",
    "export_table",
    "PlanReport",
    "plan_report",
    "GROUP_COLUMNS",
    "ON_TIME_DEFINITION_ZH",
]
