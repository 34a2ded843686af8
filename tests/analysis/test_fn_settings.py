"""Issue 15, item 6: the GB 36894-2018 F-N line constants as a setting a user confirms from their copy of the standard.

The constants could not be verified in any copy of GB 36894-2018 (../shared/REFERENCE.md: "not found"); the
registry entry stays marked unconfirmed until a user enters the values, which are then stored with the park and
shown as confirmed. The figures used below are entered as a user would; no published value is claimed for them.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisInputError
from analysis.qra.fn_settings import criterion_status_zh, park_fn_criterion, user_fn_criterion
from analysis.qra.societal import FNCurve, classify_fn, get_criterion
from geodata.criteria import check_fn_record, read_fn_criterion, save_fn_criterion
from geodata.errors import ParkDataError

ENTRY = {
    "upper_c": 1e-3,
    "lower_c": 1e-5,
    "slope": 1.0,
    "n_min": 1.0,
    "n_max": 1000.0,
    "confirmed_by": "张工",
    "document": "GB 36894-2018 第 5 章 图 1（本单位藏本）",
}


def test_registry_entry_is_unconfirmed_and_says_so():
    c = get_criterion("gb36894_2018")
    assert not c.confirmed
    assert "未核对" in criterion_status_zh("gb36894_2018")
    assert park_fn_criterion(None) is c


def test_user_constants_are_confirmed_and_used_by_the_classification():
    c = user_fn_criterion(**{**ENTRY, "upper_c": 1e-2, "lower_c": 1e-4})
    assert c.confirmed and "张工" in c.source and "已核对" in criterion_status_zh(c)
    curve = FNCurve(np.array([10.0]), np.array([5e-5]))
    # F = 5e-5 at N = 10: registry lines 1e-4 / 1e-6 -> ALARP; the user's lines 1e-3 / 1e-5 -> ALARP as well;
    # at F = 5e-6 the user's lower line 1e-5 makes it acceptable, the registry's 1e-6 does not
    low = FNCurve(np.array([10.0]), np.array([5e-6]))
    assert classify_fn(curve, criterion=c)["region"].iloc[0] == "alarp"
    assert classify_fn(low, criterion=c)["region"].iloc[0] == "acceptable"
    assert classify_fn(low, criterion="gb36894_2018")["region"].iloc[0] == "alarp"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"upper_c": -1.0}, "upper_c"),
        ({"lower_c": 2e-3}, "lower_c"),
        ({"n_max": 0.5}, "n_max"),
        ({"slope": float("nan")}, "slope"),
        ({"confirmed_by": " "}, "confirmed_by"),
    ],
)
def test_user_constants_are_validated(change, match):
    with pytest.raises(AnalysisInputError, match=match):
        user_fn_criterion(**{**ENTRY, **change})


def test_stored_with_the_park_and_kept_by_save_park(demo_park_path, tmp_path):
    from geodata import load_park
    from geodata.io import save_park

    p = tmp_path / "park.gpkg"
    shutil.copyfile(demo_park_path, p)
    assert read_fn_criterion(p) is None
    rec = save_fn_criterion(p, ENTRY)
    assert rec["confirmed_on"]
    back = read_fn_criterion(p)
    assert back["upper_c"] == 1e-3 and back["confirmed_by"] == "张工"
    park = load_park(p)
    assert "fn_criterion" not in park.layers
    save_park(park, p)
    assert read_fn_criterion(p)["document"] == ENTRY["document"]
    assert park_fn_criterion(read_fn_criterion(p)).confirmed


def test_bad_record_lists_every_problem():
    with pytest.raises(ParkDataError) as err:
        check_fn_record({**ENTRY, "upper_c": "abc", "document": ""})
    cols = {p.column for p in err.value.report.problems}
    assert cols == {"upper_c", "document"}


def test_cli_entry_then_siting_sheet_shows_confirmed(demo_park_path, tmp_path, capsys):
    from app.cli import main

    p = tmp_path / "park.gpkg"
    shutil.copyfile(demo_park_path, p)
    assert main(["fn-criterion", str(p)]) == 0
    assert "未核对" in capsys.readouterr().out
    args = ["fn-criterion", str(p), "--upper-c", "1e-3", "--lower-c", "1e-5", "--slope", "1"]
    assert main(args) == 1  # incomplete: nothing written
    assert read_fn_criterion(p) is None
    args += ["--n-min", "1", "--n-max", "1000", "--confirmed-by", "张工", "--document", "GB 36894-2018 图 1"]
    assert main(args) == 0
    assert "已核对" in capsys.readouterr().out
    out = tmp_path / "s.xlsx"
    assert main(["siting", str(p), "-o", str(out), "--resolution", "100", "--margin", "0"]) == 0
    sheet = pd.read_excel(out, sheet_name="假设与来源")
    rows = dict(zip(sheet["项目"], sheet["内容"], strict=True))
    assert "已核对" in rows["社会风险判据线"] and "张工" in rows["社会风险判据线"]
    assert "F-N 基准线常数" not in rows["未核对的法规数值"]
