"""unit_flags on a whole installations layer (issue 19: the visitor's view of a 1,500-installation park): one
classification per distinct substance, unit keys as :func:`hazard_unit_key` gives them for the rows of
``iterrows`` (its definition), and a layer without installations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.regulation.gb18218 import park as gb_park
from analysis.regulation.gb18218 import unit_flags
from analysis.regulation.gb18218.park import hazard_unit_key

_COLS = ["unit_id", "enterprise_id", "kind", "substance", "inventory_kg"]


def test_each_distinct_substance_classified_once(monkeypatch):
    seen: list[str] = []
    real = gb_park.classify

    def counted(substance, **kw):
        seen.append(substance)
        return real(substance, **kw)

    monkeypatch.setattr(gb_park, "classify", counted)
    rows = [
        (f"T{i}", f"E{i % 7}", "storage_tank", ["汽油", "甲醇", "unobtainium"][i % 3], 1e3)
        for i in range(300)
    ]
    fl = unit_flags(pd.DataFrame(rows, columns=_COLS))
    assert sorted(seen) == ["unobtainium", "汽油", "甲醇"]
    assert fl["unknown_substance"].sum() == 100 and fl["is_major"][fl["unknown_substance"]].all()


def test_unit_keys_match_hazard_unit_key_of_iterrows_rows():
    # all-text rows (iterrows infers a text Series: a missing value reads as NaN) and mixed rows (kept as objects)
    text = pd.DataFrame(
        [
            ("W1", None, "warehouse", "液氯", "6000", None),
            ("T1", "E1", "storage_tank", "汽油", "1", "HU1"),
            ("T2", "E1", "storage_tank", "汽油", None, ""),
        ],
        columns=[*_COLS, "hazard_unit"],
        dtype=object,
    )
    mixed = text.assign(inventory_kg=[6000.0, 1.0, np.nan], hazard_unit=[np.nan, 3.0, pd.NA])
    for inst in (text, mixed):
        expected = [hazard_unit_key(r) for _, r in inst.iterrows()]
        assert list(unit_flags(inst)["hazard_unit"]) == expected
    assert list(unit_flags(text)["hazard_unit"]) == ["nan/warehouse:W1", "E1/HU1", "E1/tank_farm"]
    assert list(unit_flags(mixed)["hazard_unit"]) == ["None/warehouse:W1", "E1/3.0", "E1/tank_farm"]


def test_no_installations_gives_an_empty_table():
    fl = unit_flags(pd.DataFrame(columns=_COLS))
    assert len(fl) == 0 and fl.index.name == "unit_id"
    assert list(fl.columns) == [
        "hazard_unit",
        "S",
        "is_major",
        "unknown_substance",
        "reason_zh",
        "hazardous_process",
        "two_key_one_major",
    ]


def test_rows_of_dates_and_missing_values_are_what_iterrows_gives():
    """A row whose values are only dates, text or missing is inferred by iterrows as a date or text Series (NaT,
    NaN for its missing values): _rows gives the same values, and plain values for the other rows."""
    import numpy as np
    import pandas as pd

    from analysis.regulation.gb18218.park import _rows

    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2020-01-01", None, "2021-01-01", None]),
            "note": [None, None, "x", None],
            "q": [1.0, np.nan, np.nan, np.nan],
        }
    )
    for df in (frame, frame.drop(columns="q")):
        want = [{k: repr(v) for k, v in r.items()} for _, r in df.iterrows()]
        got = [{k: repr(v) for k, v in r.items()} for r in _rows(df, tuple(df.columns))]
        assert got == want
