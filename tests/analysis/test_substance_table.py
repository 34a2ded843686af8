"""The bundled-table readers of analysis.physics.substances agree with the full records built through thermo.

substance_hazard (event tree) and the probit error message read names and flags from the bundled table so that a
cold process does not build thermo records (and import CoolProp) only for them; the values must be the very ones
:func:`analysis.physics.substances.get` puts in its records.
"""

import pytest

from analysis.physics import substances, vulnerability
from analysis.qra import event_tree


def test_table_flags_and_names_match_records():
    for rec in substances.all_substances():
        for name in (rec.name_zh, rec.cas, rec.name_en):
            assert substances.table_flags(name) == (rec.flammable, rec.toxic)
            assert substances.table_names(name)[:3] == (rec.cas, rec.name_zh, rec.name_en)


def test_probit_names_match_records():
    expected = sorted(s.name_zh for s in substances.all_substances() if s.probit is not None)
    assert substances.probit_names_zh() == expected
    no_probit = next(s for s in substances.all_substances() if s.probit is None)
    with pytest.raises(ValueError, match="无毒性概率函数常数") as err:
        vulnerability.probit_toxic(1e-3, 600.0, no_probit.name_zh)
    assert str(expected) in str(err.value)


def test_unknown_substance_raises_as_get():
    with pytest.raises(substances.UnknownSubstanceError):
        substances.table_flags("不存在的物质xyz")


@pytest.mark.parametrize("name", ["液氯", "液氨", "甲醇", "汽油", "硫化氢", "苯"])
def test_substance_hazard_as_from_records(name):
    rec = substances.get(name)
    gb = event_tree.hazard_from_gb18218(name)
    hz = event_tree.substance_hazard(name)
    assert hz.flammable == rec.flammable
    assert hz.toxic == (rec.toxic and (not rec.flammable or (gb is not None and gb.toxic)))
