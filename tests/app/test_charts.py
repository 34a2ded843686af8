"""F-N chart of the pages and reports (app.charts): Chinese labels, log axes, the criterion lines."""

import pytest

from analysis.qra import societal as so
from app.charts import fn_figure


def test_fn_figure_chinese_labels():
    day = so.fn_curve([1e-4, 1e-5], [1, 10])
    night = so.fn_curve([3e-4], [4])
    fig = fn_figure({"白天": day, "夜间": night})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "死亡人数 N（人）"
    assert ax.get_ylabel() == "累积频率 F（次/年）"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"白天", "夜间", "不可接受线（上限）", "可接受线（下限）"} <= set(labels)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_fn_figure_missing_font():
    with pytest.raises(FileNotFoundError, match="fonts-noto-cjk"):
        fn_figure(so.fn_curve([1e-4], [1]), font_path="/nonexistent/font.ttc")
