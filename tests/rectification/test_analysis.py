"""Statistics, overdue, trend, findings → items and the spreadsheet tables (analysis.regulation.rectification).

The expected figures are counted by hand from the small table below (closure rate = closed / found, the definition
of 安全生产事故隐患排查治理暂行规定 第十四条 as used in 化工园区安全风险排查治理导则 2023)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.regulation.rectification import (
    Finding,
    closure_stats,
    days_overdue,
    export_table,
    monthly_trend,
    overdue_mask,
    parse_inspection_table,
    plan_report,
    propose_items,
)

ITEMS = pd.DataFrame(
    {
        "item_id": ["A", "B", "C", "D", "E"],
        "park_id": "P",
        "enterprise_id": ["E1", "E1", "E2", None, "E2"],
        "title": ["a", "b", "c", "d", "e"],
        "category": ["equipment", "five_rooms", "equipment", "emergency", "five_rooms"],
        "hazard_level": ["major", "general", "general", "major", "major"],
        "source": "inspection",
        "found_on": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-10", "2025-03-01", "2025-03-15"]),
        "deadline": pd.to_datetime(["2025-02-01", "2025-03-01", "2025-03-31", "2025-03-31", "2025-06-30"]),
        "responsible": "x",
        "status": ["closed", "open", "awaiting_acceptance", "closed", "in_progress"],
        "closed_on": pd.to_datetime(["2025-01-25", None, None, "2025-04-10", None]),
        "geometry": [shapely.Point(113.70 + 0.001 * i, 29.88) for i in range(5)],
    }
)


def test_overdue_is_past_deadline_and_not_closed():
    # on 2025-03-31 the deadline day itself is not yet overdue
    assert overdue_mask(ITEMS, today="2025-03-31").tolist() == [False, True, False, False, False]
    assert overdue_mask(ITEMS, today="2025-04-01").tolist() == [False, True, True, False, False]
    assert days_overdue(ITEMS, today="2025-04-01").tolist() == [0, 31, 1, 0, 0]


def test_closure_stats_overall_and_by_enterprise():
    s = closure_stats(ITEMS, today="2025-04-01").iloc[0]
    assert (s["total"], s["closed"], s["overdue"], s["major"], s["major_closed"]) == (5, 2, 2, 3, 2)
    assert s["closure_rate"] == pytest.approx(2 / 5) and s["major_closure_rate"] == pytest.approx(2 / 3)
    by = closure_stats(ITEMS, by="enterprise_id", today="2025-04-01").set_index("group")
    assert by.loc["E1", "closure_rate"] == pytest.approx(0.5)
    assert by.loc["E2", "closure_rate"] == 0.0 and by.loc["E2", "overdue"] == 1
    assert by.loc["（园区）", "closure_rate"] == 1.0
    cat = closure_stats(ITEMS, by="category", today="2025-04-01").set_index("group")
    assert cat.loc["five_rooms", "total"] == 2 and cat.loc["five_rooms", "major"] == 1
    with pytest.raises(ValueError, match="allowed"):
        closure_stats(ITEMS, by="title")
    empty = closure_stats(ITEMS.iloc[:0])
    assert empty["total"].tolist() == [0] and np.isnan(empty["closure_rate"].iloc[0])


def test_monthly_trend():
    t = monthly_trend(ITEMS, today="2025-04-15")
    assert t["month"].tolist() == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert t["found"].tolist() == [2, 1, 2, 0]
    assert t["closed"].tolist() == [1, 0, 0, 1]
    assert t["closure_rate"].round(4).tolist() == [0.5, round(1 / 3, 4), 0.2, 0.4]
    assert t["open_at_end"].tolist() == [1, 2, 4, 3]
    # end of March: B (deadline 03-01) overdue; C and D due 03-31 are not yet overdue on 03-31
    assert t["overdue_at_end"].tolist() == [0, 0, 1, 2]


def test_propose_items_from_findings():
    f1 = Finding(
        "domino_spacing",
        ("U-2", "U-1"),
        "U-1 与 U-2 间距小于多米诺升级距离",
        "E1",
        "general",
        shapely.LineString([(113.70, 29.88), (113.701, 29.881)]),
    )
    f2 = Finding(
        "risk_limit",
        ("T-5",),
        "防护目标 T-5 个人风险 4×10⁻⁶/a 超过 3×10⁻⁷/a",
        None,
        "major",
        shapely.Point(113.71, 29.89),
    )
    props = propose_items([f1, f2], park_id="P", today="2025-05-01")
    r1, r2 = props[0].record, props[1].record
    assert r1["geometry"].geom_type == "Point"  # a line is reduced to a point on it
    assert (r1["category"], r1["deadline"], r1["source"], r1["status"]) == (
        "layout_spacing",
        "2025-05-31",
        "analysis",
        "open",
    )
    assert (r2["category"], r2["deadline"], r2["enterprise_id"]) == ("external_distance", "2025-07-30", None)
    assert props[0].link["finding_key"] == "domino_spacing:U-1|U-2"
    same = propose_items(
        [Finding("domino_spacing", ("U-1", "U-2"), "x", "E1", "general", shapely.Point(0, 0))],
        park_id="P",
        today="2025-06-01",
    )
    assert same[0].record["item_id"] == r1["item_id"]
    with pytest.raises(ValueError, match="five_rooms"):
        Finding("fire", ("U-1",), "x", None, "general", shapely.Point(0, 0))


def test_export_then_parse_round_trip():
    table = export_table(ITEMS, today="2025-04-01", enterprise_names={"E1": "甲"})
    assert list(table.columns[:3]) == ["事项编号", "所属园区", "责任企业"]
    assert table["类别"].iloc[1] == "五室搬迁" and table["是否逾期"].iloc[1] == "逾期"
    recs, problems = parse_inspection_table(table)
    assert problems == []
    for rec, (_, row) in zip(recs, ITEMS.iterrows(), strict=True):
        assert rec["item_id"] == row["item_id"] and rec["status"] == row["status"]
        assert rec["deadline"] == row["deadline"].strftime("%Y-%m-%d")
        assert rec["geometry"].equals_exact(row["geometry"], 1e-7)


def test_parse_reports_every_bad_cell_with_row_and_fix():
    table = pd.DataFrame(
        {
            "编号": ["X1", "X2", "X3", "X1", None],
            "问题描述": ["漏气", "", "无围堰", "重复", None],
            "隐患类别": ["设备设施", "设备设施", "管道", "其他", None],
            "隐患级别": ["重大", "一般", "一般", "特大", None],
            "检查日期": ["2025-03-01", "2025/3/2", "2025年3月3日", "不详", None],
            "整改时限": ["2025-04-01", "2025-02-01", "2025-05-01", "2025-05-01", None],
            "整改责任人": ["甲", "乙", "丙", "丁", None],
            "企业编号": ["E1", "E9", "E1", "E1", None],
            "来源": ["监督检查"] * 4 + [None],
        }
    )
    ents = {"E1": shapely.box(113.70, 29.88, 113.71, 29.89)}
    recs, problems = parse_inspection_table(table, park_id="P", enterprises=ents)
    got = sorted((p.row, p.column) for p in problems)
    assert got == sorted(
        [
            (3, "经度/纬度"),
            (3, "责任企业"),
            (3, "整改期限"),
            (3, "隐患/问题描述"),
            (4, "类别"),
            (5, "事项编号"),
            (5, "发现日期"),
            (5, "隐患等级"),
        ]
    )
    msg = {(p.row, p.column): p for p in problems}
    assert "总图布置与防火间距（layout_spacing）" in msg[(4, "类别")].fix_zh
    assert msg[(3, "整改期限")].value == "2025-02-01"
    assert recs[0]["geometry"].within(ents["E1"])  # no coordinates: the enterprise's location
    assert recs[0]["hazard_level"] == "major" and recs[2]["found_on"] == "2025-03-03"


def test_parse_refuses_a_sheet_without_required_headers():
    _, problems = parse_inspection_table(pd.DataFrame({"编号": ["1"], "说明": ["x"]}))
    assert len(problems) == 1 and problems[0].row == 1 and "缺少必需的列" in problems[0].message_zh


def test_plan_report_for_park_and_enterprise():
    rep = plan_report(ITEMS, park_name="测试园区", today="2025-04-01", enterprise_names={"E1": "甲公司"})
    assert rep.title == "测试园区 安全风险隐患整改方案（一园一策）"
    assert dict(rep.summary)["整改率"] == "40.0%" and dict(rep.summary)["逾期未销号"] == "2 项"
    assert rep.items["编号"].tolist()[:3] == ["A", "D", "E"]  # major first, then by deadline
    assert rep.major["编号"].tolist() == ["A", "D", "E"]
    assert rep.overdue["逾期（天）"].tolist() == ["31", "1"]
    ent = plan_report(
        ITEMS, park_name="测试园区", today="2025-04-01", enterprise_names={"E1": "甲公司"}, enterprise_id="E1"
    )
    assert ent.title == "测试园区 甲公司 安全隐患整改方案（一企一策）" and len(ent.items) == 2
