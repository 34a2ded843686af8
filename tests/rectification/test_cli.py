"""``parkrisk rect ...`` on a copy-free demo store (the store lives in PARKRISK_DATA_DIR)."""

from __future__ import annotations

import pandas as pd
import pytest

from app.cli import main


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    return tmp_path


def test_stats_and_import(data_dir, demo_park_path, capsys):
    assert main(["rect", "stats", str(demo_park_path), "--by", "hazard_level", "--today", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "整改率" in out and "major" in out
    bad = data_dir / "bad.xlsx"
    pd.DataFrame(
        {
            "事项编号": ["N-1"],
            "隐患/问题描述": ["x"],
            "类别": ["不存在"],
            "隐患等级": ["一般隐患"],
            "发现日期": ["2026-01-01"],
            "整改期限": ["2026-02-01"],
            "责任人": ["甲"],
            "责任企业": ["E02"],
            "来源": ["监督检查"],
        }
    ).to_excel(bad, index=False)
    assert main(["rect", "import", str(demo_park_path), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "第 2 行，列「类别」，值「不存在」" in out and "未导入任何事项" in out
    good = data_dir / "good.xlsx"
    pd.DataFrame(
        {
            "事项编号": ["N-1"],
            "隐患/问题描述": ["储罐区可燃气体探测器失效"],
            "类别": ["仪表与自动化控制"],
            "隐患等级": ["一般隐患"],
            "发现日期": ["2026-01-01"],
            "整改期限": ["2026-02-01"],
            "责任人": ["甲"],
            "责任企业": ["江滨氯碱化工有限公司"],
            "来源": ["监督检查"],
        }
    ).to_excel(good, index=False)
    assert main(["rect", "import", str(demo_park_path), str(good)]) == 0
    assert "已导入 1 项：N-1" in capsys.readouterr().out
