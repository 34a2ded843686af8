"""The risk report (Word and PDF): read back with python-docx and pdftotext (poppler-utils); the assumptions
(weather source, frequency table, probits, population, grid extent) are in both, and a run on the generic rose says
so in both."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest


@pytest.fixture(scope="module")
def run(small_park):
    from analysis.qra import individual as risk

    return small_park, risk.individual_risk(small_park, resolution=50.0, margin=500.0)


@pytest.fixture(scope="module")
def data(run):
    from app.reports.risk_report import risk_report_data

    park, res = run
    return risk_report_data(park, res)


def _docx_text(blob: bytes) -> tuple[str, int]:
    import io

    from docx import Document

    doc = Document(io.BytesIO(blob))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts), len(doc.inline_shapes)


def _pdf_text(blob: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for this test"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(blob)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


#: What every report must state (issue 15, item 5): (what, the text that shows it).
ASSUMPTIONS = [
    ("the weather source (the park's station)", "测试站"),
    ("the frequency table", "CPR 18E（紫皮书）第 3 章通用泄漏频率"),
    ("the probits", "概率单位"),
    ("the population source", "敏感目标图层人数"),
    ("the grid extent", "自动扩展至最低等值线闭合"),
    ("the unverified figures", "未核对"),
]
SECTIONS = [
    "个人风险等值线",
    "等值线面积",
    "GB 36894-2018",
    "社会风险 F-N 曲线总体评价",
    "假设与来源",
    "园区外最大个人风险",
]


def test_docx_carries_results_and_assumptions(run, data):
    from app.reports.risk_report import risk_report_docx

    park, _ = run
    text, pictures = _docx_text(risk_report_docx(data))
    assert park.name in text
    assert pictures == 2  # the contour map and the F-N chart
    for s in SECTIONS:
        assert s in text, s
    for what, shown in ASSUMPTIONS:
        assert shown in text, what
    for label in data.verdicts["防护目标类别"]:
        assert label in text
    assert "使用通用风玫瑰" not in text


def test_pdf_carries_results_and_assumptions(run, data, tmp_path):
    from app.reports.risk_report import risk_report_pdf

    park, _ = run
    blob = risk_report_pdf(data)
    assert blob.startswith(b"%PDF")
    text = _pdf_text(blob, tmp_path)
    flat = text.replace("\n", "")
    assert park.name in text
    for s in SECTIONS:
        assert s in flat, s
    for what, shown in ASSUMPTIONS:
        assert shown in flat, what
    # the CJK font has no superscript digits: "3×10⁻⁷" is written "3×10^-7"
    assert not set("⁰¹²³⁴⁵⁶⁷⁸⁹⁻") & set(flat)
    from app.reports.risk_report import _pdf_text as pdf_text

    assert pdf_text("≥ 3×10⁻⁷/年") == "≥ 3×10^-7/年"


def test_generic_rose_stated_in_both(small_park, tmp_path):
    from analysis.qra import individual as risk
    from analysis.qra.options import GENERIC_WEATHER_WARNING_ZH
    from app.reports.risk_report import risk_report_data, risk_report_docx, risk_report_pdf

    res = risk.individual_risk(small_park, resolution=50.0, margin=500.0, weather="generic")
    d = risk_report_data(small_park, res)
    text, _ = _docx_text(risk_report_docx(d))
    assert "使用通用风玫瑰（示意，仅供比较）" in text and GENERIC_WEATHER_WARNING_ZH in text
    pdf = _pdf_text(risk_report_pdf(d), tmp_path).replace("\n", "")
    assert "使用通用风玫瑰（示意，仅供比较）" in pdf and "不能作为评价结论" in pdf


def test_max_ir_outside_park_is_the_largest_cell_outside(run):
    import shapely

    from app.reports.risk_report import max_ir_outside_park

    park, res = run
    ir, x, y = max_ir_outside_park(res, park)
    boundary = shapely.union_all(np.asarray(park.metric("parks").geometry.values))
    assert not boundary.contains(shapely.Point(x, y))
    assert res.value_at(x, y) == pytest.approx(ir)
    xs, ys = res.cell_centres()
    xx, yy = np.meshgrid(xs, ys)
    higher = res.grid > ir
    assert shapely.contains_xy(boundary, xx[higher], yy[higher]).all()  # every higher cell is inside the park
    assert 0 < ir < res.grid.max()


def test_class_verdicts_count_the_compliance_table(run):
    from analysis.regulation import siting_checks as scx
    from app.reports.risk_report import class_verdicts

    park, res = run
    comp = scx.compliance(res, park)
    v = class_verdicts(comp)
    assert v["目标数（个）"].sum() == len(comp)
    assert v["不满足在役基准（个）"].sum() == int((~comp["pass_existing"]).sum())
    assert v["不满足新建基准（个）"].sum() == int((~comp["pass_new"]).sum())


def test_anonymous_report_has_no_inventory(run):
    from app.auth import redact_park, redact_result
    from app.reports.risk_report import risk_report_data, risk_report_docx

    park, res = run
    shown_park, shown_res = redact_park(None, park), redact_result(None, res)
    assert shown_park.installations["inventory_kg"].isna().any()  # the small park has major hazards to hide
    text, _ = _docx_text(risk_report_docx(risk_report_data(shown_park, shown_res)))
    for kg in park.installations["inventory_kg"].dropna():
        assert f"{kg:g} kg" not in text and f"{kg / 1000:g} t" not in text


def test_cli_writes_the_report(small_park_path, tmp_path, capsys):
    from app.cli import main

    args = ["risk", str(small_park_path), "--resolution", "50", "-o", str(tmp_path / "ir.tif")]
    assert main([*args, "--report", str(tmp_path / "r.docx")]) == 0
    text, _ = _docx_text((tmp_path / "r.docx").read_bytes())
    assert "假设与来源" in text and "测试站" in text
    assert main([*args, "--report", str(tmp_path / "r.pdf")]) == 0
    assert "假设与来源" in _pdf_text((tmp_path / "r.pdf").read_bytes(), tmp_path)
    capsys.readouterr()
    assert main([*args, "--report", str(tmp_path / "r.odt")]) == 1
    assert "报告文件应为 .docx（Word）或 .pdf" in capsys.readouterr().err
