"""Issue 17, item 6: 按期整改率 beside 整改率 (statistics, plan, Word), the 治理方案 columns the Word plan promises
(整改措施, 整改资金, 安全措施和应急预案 — 《安全生产事故隐患排查治理暂行规定》第十五条), stored and imported.

The expected figures are counted by hand from the four items below (definition in
analysis.regulation.rectification.stats: on time = closed on or before the deadline; due = closed or deadline before
the report date).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import shapely
from rectification_helpers import ADMIN, ENT1, make_record

from analysis.regulation.rectification import (
    ON_TIME_DEFINITION_ZH,
    closure_stats,
    default_extension,
    parse_inspection_table,
    plan_report,
)
from analysis.regulation.rectification.plan import NOT_FILLED_ZH
from app.reports.rectification_docx import write_plan_docx
from geodata.store import PermissionDeniedError

TODAY = dt.date(2025, 3, 1)


def _items() -> pd.DataFrame:
    recs = [
        # closed 5 days before its deadline: on time
        make_record(1, status="closed", closed_on="2025-01-10", deadline="2025-01-15"),
        # closed 12 days after its deadline: due, late
        make_record(2, status="closed", closed_on="2025-02-01", deadline="2025-01-20"),
        # open, deadline passed: due, not on time
        make_record(3, deadline="2025-02-01"),
        # open, deadline ahead: not due (a 重大隐患: make_record(5) is major) with a recorded 治理方案
        make_record(
            5,
            deadline="2025-12-31",
            measures="更换储罐安全阀并增设紧急切断阀",
            funds_cny=500000.0,
            contingency_plan="施工期间设警戒区，修订储罐区泄漏专项应急预案",
        ),
        make_record(10, deadline="2025-06-30"),  # major, nothing recorded yet
    ]
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "geometry"} for r in recs])
    for c in ("found_on", "deadline", "closed_on"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def test_on_time_rate_counted_by_hand():
    s = closure_stats(_items(), today=TODAY).iloc[0]
    assert (int(s["due"]), int(s["on_time"])) == (3, 1)
    assert s["on_time_rate"] == pytest.approx(1 / 3)
    assert s["closure_rate"] == pytest.approx(2 / 5)


def test_plan_states_the_on_time_rate_and_its_definition():
    rep = plan_report(_items(), park_name="测试园区", today=TODAY)
    summary = dict(rep.summary)
    assert summary["整改率"] == "40.0%"
    assert summary["按期整改率"] == "33.3%（按期销号 1 项 / 已到期 3 项）"
    assert summary["指标定义"] == ON_TIME_DEFINITION_ZH and "第十五条" in ON_TIME_DEFINITION_ZH
    assert "按期整改率" in rep.by_category.columns and "按期整改率" in rep.by_enterprise.columns
    assert rep.by_category["按期整改率"].tolist() == ["33.3%"]  # all items are of one category


def test_the_major_table_has_measures_funds_and_plan():
    rep = plan_report(_items(), park_name="测试园区", today=TODAY)
    major = rep.major
    assert list(major.columns) == [
        "编号",
        "责任企业",
        "隐患/问题描述",
        "整改措施",
        "整改资金（万元）",
        "责任人",
        "整改期限",
        "安全措施和应急预案",
        "状态",
    ]
    rows = major.set_index("编号")
    assert rows.at["R005", "整改措施"] == "更换储罐安全阀并增设紧急切断阀"
    assert rows.at["R005", "整改资金（万元）"] == "50"  # 500 000 元 = 50 万元
    assert rows.at["R005", "安全措施和应急预案"].startswith("施工期间设警戒区")
    assert (
        rows.loc["R010", ["整改措施", "整改资金（万元）", "安全措施和应急预案"]].tolist()
        == [NOT_FILLED_ZH] * 3
    )


def test_word_plan_shows_the_promised_columns_and_the_on_time_rate(tmp_path):
    import docx

    rep = plan_report(_items(), park_name="测试园区", today=TODAY)
    doc = docx.Document(str(write_plan_docx(rep, tmp_path / "plan.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "落实责任、措施、资金、时限和预案" in text
    major = next(t for t in doc.tables if "整改措施" in [c.text for c in t.rows[0].cells])
    header = [c.text for c in major.rows[0].cells]
    for promised in ("整改措施", "整改资金（万元）", "责任人", "整改期限", "安全措施和应急预案"):
        assert promised in header
    assert len(major.rows) == 1 + 2
    summary = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert summary["按期整改率"].startswith("33.3%")


def test_the_store_keeps_the_plan_fields_and_the_chain_verifies(store):
    item = store.get_item(ADMIN, "R005")
    assert (item.measures, item.funds_cny, item.contingency_plan) == (None, None, None)
    new = store.update_fields(
        ADMIN,
        "R005",
        expected_version=item.version,
        changes={"measures": "增设紧急切断阀", "funds_cny": 120000.0, "contingency_plan": "修订专项预案"},
    )
    assert (new.measures, new.funds_cny, new.contingency_plan) == ("增设紧急切断阀", 120000.0, "修订专项预案")
    frame = store.items_frame(ADMIN).set_index("item_id")
    assert frame["funds_cny"].dtype == "float64" and frame.at["R005", "funds_cny"] == 120000.0
    assert pd.isna(frame.at["R001", "funds_cny"])
    assert store.verify(ADMIN).ok
    with pytest.raises(PermissionDeniedError):
        store.update_fields(ENT1, "R001", expected_version=1, changes={"measures": "x"})
    with pytest.raises(ValueError, match="整改资金"):
        store.update_fields(ADMIN, "R005", expected_version=new.version, changes={"funds_cny": -5.0})


def test_inspection_tables_import_the_plan_fields():
    table = pd.DataFrame(
        {
            "编号": ["X1", "X2"],
            "园区编号": ["P1", "P1"],
            "企业编号": ["E1", "E1"],
            "隐患描述": ["a", "b"],
            "类别": ["设备设施", "设备设施"],
            "等级": ["重大", "重大"],
            "来源": ["监督检查", "监督检查"],
            "发现日期": ["2025-01-02", "2025-01-02"],
            "整改期限": ["2025-03-02", "2025-03-02"],
            "责任人": ["张三", "张三"],
            "状态": ["待整改", "待整改"],
            "整改措施": ["加装可燃气体报警器", None],
            "整改资金（元）": ["80,000", "-3"],
            "应急预案": ["现场处置方案", None],
        }
    )
    recs, problems = parse_inspection_table(
        table, park_id="P1", enterprises={"E1": shapely.Point(113.7, 29.9)}
    )
    assert [(p.column, p.value) for p in problems] == [("整改资金", "-3")]
    assert "单位为元" in problems[0].fix_zh
    table.loc[1, "整改资金（元）"] = None
    recs, problems = parse_inspection_table(
        table, park_id="P1", enterprises={"E1": shapely.Point(113.7, 29.9)}
    )
    assert not problems, problems
    assert (recs[0]["measures"], recs[0]["funds_cny"], recs[0]["contingency_plan"]) == (
        "加装可燃气体报警器",
        80000.0,
        "现场处置方案",
    )
    assert recs[1]["funds_cny"] is None and recs[1]["measures"] is None


def test_default_extension_is_never_in_the_past():
    today = dt.date(2026, 12, 7)
    assert default_extension("2025-03-31", today) == dt.date(2027, 1, 6)  # passed: 30 days from today
    assert default_extension("2027-02-01", today) == dt.date(2027, 3, 3)  # ahead: 30 days after it
    assert default_extension(dt.date(2026, 12, 7), today, days=10) == dt.date(2026, 12, 17)


def test_a_store_from_before_the_plan_columns_gets_them_and_its_seals_still_hold(tmp_path):
    """A GeoPackage store made before 整改措施/整改资金/安全措施和应急预案 existed: opening it adds the columns, the
    audit chain sealed without them still verifies, and the new fields can be written and are sealed."""
    import sqlite3

    from geodata.store import GpkgStore

    path = tmp_path / "old.gpkg"
    s = GpkgStore(path)
    s.create_items(ADMIN, [make_record(i) for i in range(1, 4)])
    s.transition(ADMIN, "R001", "in_progress", expected_version=1, comment="开始")
    s.close()
    with sqlite3.connect(path) as conn:  # the table as an older version of the store made it
        for col in ("measures", "funds_cny", "contingency_plan"):
            conn.execute(f"ALTER TABLE rectifications DROP COLUMN {col}")
        cols = {r[1] for r in conn.execute("PRAGMA table_info(rectifications)")}
    assert "measures" not in cols
    s = GpkgStore(path)
    try:
        assert s.verify(ADMIN).ok
        item = s.get_item(ADMIN, "R001")
        assert item.measures is None
        new = s.update_fields(
            ADMIN, "R001", expected_version=item.version, changes={"measures": "加固", "funds_cny": 1.0e4}
        )
        assert (new.measures, new.funds_cny) == ("加固", 1.0e4)
        assert s.verify(ADMIN).ok
    finally:
        s.close()
