"""Major hazard installations (危险化学品重大危险源): identification and grading per GB 18218-2018.

Identification (辨识) of a unit (单元) [1]_: with qᵢ the maximum quantity of each hazardous chemical present in the
unit and Qᵢ its critical quantity (临界量),

    S = Σ qᵢ / Qᵢ ,      the unit is a major hazard installation when S ≥ 1        ([1], formula (1))

Qᵢ comes from table 1 (named substances) or, for a substance not named there, from table 2 (by hazard category);
a substance with several hazards takes the lowest critical quantity ([1], §4.1 text under table 2).

Grading (分级) of a major hazard installation [1]_:

    R = α Σ βᵢ qᵢ / Qᵢ                                                        ([1], formula (2))

with βᵢ from table 3 (named toxic gases) or table 4 (by hazard category), α from table 5 (people within 500 m of the
plant boundary) and the grade from table 6: R ≥ 100 grade 1, 100 > R ≥ 50 grade 2, 50 > R ≥ 10 grade 3, R < 10
grade 4.

Sources and what was checked
----------------------------
The standard's own text was not available to us. The α table, the grade bounds and the 14 table-3 β
values are identical to those of 《危险化学品重大危险源监督管理暂行规定》(2011) 附件1 [2]_, whose public text was read
(it also defines α by the resident population within 500 m of the plant boundary, 厂区边界向外扩展500米范围内常住人口),
and GB 18218-2018 took them over. Tables 1, 2 and 4 (``analysis/data/gb18218_2018_table1.csv``,
``gb18218_2018_table2.csv``) were cross-checked against an independent public transcription; the table numbers
(5 for α, 6 for the grades) follow that transcription. Section numbers are not cited because they could not be
checked.

Substance names
---------------
A substance is looked up in table 1 by CAS number, Chinese name or alias, or English name; other names (液氯, 原油,
丙烯 …) are resolved through :mod:`analysis.physics.substances`, whose ``gb18218_category`` gives the table-2 category of a
substance outside table 1 (a test checks that every Q and β in those records equals the value derived here, so the
two stay one truth). A substance neither source knows needs its category from the user.

Units
-----
The standard's quantities are in tonnes; every public function here takes and returns kg (converted on load).

References
----------
.. [1] GB 18218-2018 危险化学品重大危险源辨识 (Identification of major hazard installations for hazardous
       chemicals). Standards Press of China, 2018: formula (1) S, formula (2) R, tables 1–6; definitions of
       单元 / 生产单元 / 储存单元 (clause 3).
.. [2] 国家安全生产监督管理总局令第40号《危险化学品重大危险源监督管理暂行规定》(2011), 附件1 危险化学品重大危险源
       分级方法: 表1–表2 (β), 表3 (α), 表4 (grade vs R).
"""

from analysis.regulation.gb18218.park import (
    UNKNOWN_SUBSTANCE_REASON_ZH,
    enterprise_grades,
    hazard_unit_key,
    people_within_500m,
    unit_flags,
)
from analysis.regulation.gb18218.tables import (
    ALPHA_TABLE,
    GRADE_BOUNDS,
    GRADE_LABELS_ZH,
    NOT_APPLICABLE,
    HazardClassification,
    alpha,
    beta,
    classify,
    critical_quantity,
    grade,
    grade_units,
    identify,
    table1,
    table2,
)
from analysis.regulation.gb18218.tables import (
    _table3 as _table3,  # read by analysis.qra.frequencies (table 3 membership)
)

__all__ = [
    "GRADE_LABELS_ZH",
    "NOT_APPLICABLE",
    "classify",
    "ALPHA_TABLE",
    "GRADE_BOUNDS",
    "HazardClassification",
    "critical_quantity",
    "beta",
    "alpha",
    "grade",
    "identify",
    "grade_units",
    "hazard_unit_key",
    "people_within_500m",
    "enterprise_grades",
    "table1",
    "table2",
    "unit_flags",
    "UNKNOWN_SUBSTANCE_REASON_ZH",
]
