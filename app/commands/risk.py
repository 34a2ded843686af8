"""``parkrisk risk`` / ``parkrisk siting`` / ``parkrisk major-hazards``: quantitative risk and regulatory checks.

Examples::

    parkrisk risk park.gpkg --resolution 10 -o ir.tif --contours contours.gpkg
    parkrisk siting park.gpkg -o compliance.xlsx --resolution 25 --five-rooms
    parkrisk major-hazards park.gpkg -o major_hazards.xlsx

``risk`` writes the individual-risk grid as a GeoTIFF (park's metric CRS, [1/a]) and optionally the contour
polygons (1×10⁻⁵, 3×10⁻⁶, 1×10⁻⁶, 3×10⁻⁷ /年; .gpkg keeps the metric CRS, .geojson is WGS84). ``siting`` writes an
Excel workbook: GB 36894 compliance of every sensitive target, relocation candidates, GB/T 37243 protection
distances, societal risk (F-N) and, with ``--five-rooms``, the 五室 check. ``major-hazards`` prints (and writes)
the GB 18218-2018 identification and grading. Bad input ends in a Chinese message and exit code 1.

The table formatters here (Chinese column names with units) are shared with the pages 风险分布, 选址与防护距离 and
重大危险源.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.commands._common import (
    CommandError,
    add_coords_argument,
    check_outputs,
    count_option,
    fail,
    load_park_or_fail,
    park_path,
    reports_errors,
    safe_output,
)
from app.commands.weather import add_weather_argument, weather_option
from app.present import hazard_unit_zh, major_hazard_grade_zh
from app.present.numbers import display_frame, numbers_in_text_zh, sci_zh
from app.reports.risk_tables import assumptions_zh, contours_zh  # noqa: F401 - pages import them from here
from app.reports.risk_tables import region_zh as _region_zh
from app.results_cli import add_store_argument
from geodata import schema

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------------------------------------------
# Shared formatters
# ----------------------------------------------------------------------------------------------------------------
def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook (openpyxl) with one sheet per table; sheet names cut to Excel's 31 characters."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            out = df.copy()
            for c in out.columns:
                if out[c].map(lambda v: isinstance(v, (list, tuple))).any():
                    out[c] = out[c].map(
                        lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                    )
            display_frame(out).to_excel(xw, sheet_name=name[:31], index=False)  # — for empty, ×10ⁿ in text
    return buf.getvalue()


def _sci(v: Any) -> str:
    return sci_zh(v, 3)  # 3×10⁻⁷, 2.98×10⁻⁴ (app.present.numbers); — for null


def compliance_zh(table: pd.DataFrame) -> pd.DataFrame:
    """GB 36894 compliance table with Chinese columns and units."""
    return pd.DataFrame(
        {
            "目标编号": table["target_id"],
            "名称": table["name"],
            "防护目标类别": table["protection_class"].map(lambda c: schema.label_zh("protection_class", c)),
            "个人风险（/年）": table["individual_risk"].map(_sci),
            "新建装置基准（/年）": table["limit_new"].map(_sci),
            "在役装置基准（/年）": table["limit_existing"].map(_sci),
            "新建基准": np.where(table["pass_new"], "满足", "不满足"),
            "在役基准": np.where(table["pass_existing"], "满足", "不满足"),
            "在役裕度（基准/风险，-）": table["margin_existing"].map(
                lambda v: "∞" if not np.isfinite(v) else f"{v:.2f}"
            ),
            "主要风险来源（占比）": table.get("contributors_zh", ""),
        }
    )


def relocation_zh(table: pd.DataFrame) -> pd.DataFrame:
    """Relocation candidates with Chinese columns."""
    if table.empty:
        return pd.DataFrame(
            columns=[
                "目标编号",
                "名称",
                "个人风险（/年）",
                "基准（/年）",
                "超出倍数（-）",
                "原因",
                "涉及企业",
            ]
        )
    return pd.DataFrame(
        {
            "目标编号": table["target_id"],
            "名称": table["name"],
            "个人风险（/年）": table["individual_risk"].map(_sci),
            "基准（/年）": table["limit"].map(_sci),
            "超出倍数（-）": table["exceedance"].map(lambda v: f"{v:.2f}"),
            "原因": table["reason_zh"],
            "涉及企业": table["top_enterprises"].map(
                lambda v: "、".join(v) if isinstance(v, (list, tuple)) else str(v)
            ),
        }
    )


def distances_zh(table: pd.DataFrame) -> pd.DataFrame:
    """GB/T 37243 protection distances with Chinese columns [m]."""

    def m(v: Any) -> str:
        return "—" if not np.isfinite(v) else f"{v:.0f}"

    return pd.DataFrame(
        {
            "设施编号": table["unit_id"],
            "企业": table["enterprise_id"],
            "名称": table["name"],
            "物质": table["substance"],
            "重大危险源单元": table["hazard_unit"].map(hazard_unit_zh),
            "S（-）": table["S"].map(lambda v: f"{v:.2f}" if np.isfinite(v) else "—"),
            "确定方法（GB/T 37243）": table["method_zh"],
            "高敏感/重要/一类 新建（m）": table["d_high_sensitive_new"].map(m),
            "高敏感/重要/一类 在役（m）": table["d_high_sensitive_existing"].map(m),
            "一般二类 新建（m）": table["d_general_2_new"].map(m),
            "一般二类 在役（m）": table["d_general_2_existing"].map(m),
            "一般三类 新建（m）": table["d_general_3_new"].map(m),
            "一般三类 在役（m）": table["d_general_3_existing"].map(m),
        }
    )


def five_rooms_zh(table: pd.DataFrame) -> pd.DataFrame:
    """五室 check with Chinese columns and units."""
    if table.empty:
        return pd.DataFrame(columns=["建筑编号", "名称", "用途", "结论"])
    return pd.DataFrame(
        {
            "建筑编号": table["building_id"],
            "企业": table["enterprise_id"],
            "名称": table["name"],
            "用途": table["use"].map(lambda u: schema.label_zh("building_use", u)),
            "人数（人）": table["occupants"],
            "抗爆结构": np.where(table["blast_resistant"], "是", "否"),
            "最大超压（kPa）": (table["overpressure"] / 1e3).map(lambda v: f"{v:.1f}"),
            "超压来源": table["overpressure_source"],
            "最大热辐射（kW/m²）": (table["heat_flux"] / 1e3).map(lambda v: f"{v:.1f}"),
            "热辐射来源": table["heat_flux_source"],
            "距离（m）": table["distance_m"].map(lambda v: "—" if not np.isfinite(v) else f"{v:.0f}"),
            "结论": table["verdict_zh"],
            "依据": table["reason_zh"],
        }
    )


def units_zh(res: Any) -> pd.DataFrame:
    """Per-installation risk summary with Chinese columns."""
    u = res.units
    if u.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "设施编号": u["unit_id"],
            "企业": u["enterprise_id"],
            "场景数（个）": u["n_outcomes"],
            "事故总频率（/年）": u["frequency"].map(_sci),
            "致死影响范围（m）": u["reach_m"].map(lambda v: f"{v:.0f}"),
            "自身风险 ≥ 1×10⁻⁵/年的距离（m）": u["ir_distance_1e-05"].map(lambda v: f"{v:.0f}"),
            "自身风险 ≥ 3×10⁻⁶/年的距离（m）": u["ir_distance_3e-06"].map(lambda v: f"{v:.0f}"),
            "自身风险 ≥ 3×10⁻⁷/年的距离（m）": u["ir_distance_3e-07"].map(lambda v: f"{v:.0f}"),
        }
    )


def fn_zh(curve: Any) -> pd.DataFrame:
    df = curve.to_frame()
    return pd.DataFrame(
        {"死亡人数 N（人）": df.iloc[:, 0].map(lambda v: f"{v:.1f}"), "F（≥N，/年）": df.iloc[:, 1].map(_sci)}
    )


def major_units_zh(units: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "单元": units["unit"].map(hazard_unit_zh),
            "企业": units["enterprise_id"],
            "包含设施": units["unit_ids"],
            "S = Σq/Q（-）": units["S"].map(lambda v: f"{v:.2f}"),
            "重大危险源": np.where(units["is_major"], "是", "否"),
            "500 m 内人数（人）": units["people"],
            "α（-）": units["alpha"],
            "R（-）": units["R"].map(lambda v: "—" if not np.isfinite(v) else f"{v:.1f}"),
            "级别": units["grade"].map(major_hazard_grade_zh),
        }
    )


def major_enterprises_zh(ent: pd.DataFrame, park: Any = None) -> pd.DataFrame:
    names = {}
    if park is not None:
        names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=False))
    return pd.DataFrame(
        {
            "企业": ent["enterprise_id"],
            "名称": ent["enterprise_id"].map(lambda e: names.get(e, "")),
            "重大危险源单元数（个）": ent["n_major_units"],
            "最高级别": ent["major_hazard_grade"].map(major_hazard_grade_zh),
            "最大 R（-）": ent["max_R"].map(lambda v: "—" if not np.isfinite(v) else f"{v:.1f}"),
            "500 m 内人数（人）": ent["people"],
        }
    )


# ----------------------------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "risk",
        help="个人风险：计算园区个人风险栅格（GeoTIFF）与风险等值线",
        description="按通用泄漏频率、事件树、风玫瑰与后果模型计算园区个人风险（/年），输出 GeoTIFF 与等值线。",
    )
    p.add_argument("park", help="园区文件路径（GeoPackage、GeoJSON 文件夹等）")
    p.add_argument(
        "-o", "--output", required=True, help="输出 GeoTIFF 文件（.tif），园区米制坐标系，单位 /年"
    )
    p.add_argument("--resolution", type=float, default=10.0, help="网格分辨率 [m]，默认 10")
    p.add_argument("--margin", type=float, default=1000.0, help="园区边界外扩距离 [m]，默认 1000")
    p.add_argument(
        "--extent",
        type=float,
        nargs=4,
        metavar=("XMIN", "YMIN", "XMAX", "YMAX"),
        help="固定计算范围（园区米制坐标 [m]）；不指定时自动扩展至最低等值线闭合，指定时如等值线被截断会给出警告",
    )
    p.add_argument("--contours", help="另存风险等值线：.gpkg（米制坐标）或 .geojson（WGS84）")
    p.add_argument(
        "--report",
        help="另存风险评价报告：.docx（Word）或 .pdf；含等值线图、等值线面积、园区外最大个人风险、"
        "GB 36894 各类防护目标结论、F-N 曲线与结论、假设与来源",
    )
    _add_size_options(p)
    add_weather_argument(p)
    add_coords_argument(p)
    add_store_argument(p)  # --store: the result kept with the park (app.results_cli)
    p.set_defaults(func=run_risk)

    s = sub.add_parser(
        "siting",
        help="选址与防护距离：GB 36894 合规性、搬迁候选、GB/T 37243 防护距离、社会风险、五室校核（Excel）",
        description="计算个人风险后，对照 GB 36894-2018 检查防护目标，给出搬迁候选、外部安全防护距离等，输出 Excel。",
    )
    s.add_argument("park", help="园区文件路径")
    s.add_argument("-o", "--output", required=True, help="输出 Excel 文件（.xlsx）")
    s.add_argument("--resolution", type=float, default=25.0, help="网格分辨率 [m]，默认 25")
    s.add_argument("--margin", type=float, default=1000.0, help="园区边界外扩距离 [m]，默认 1000")
    s.add_argument(
        "--extent",
        type=float,
        nargs=4,
        metavar=("XMIN", "YMIN", "XMAX", "YMAX"),
        help="固定计算范围（园区米制坐标 [m]）；不指定时自动扩展至最低等值线闭合，指定时如等值线被截断会给出警告",
    )
    s.add_argument("--five-rooms", action="store_true", help="同时进行五室（控制室、机柜间等）校核")
    _add_size_options(s)
    add_weather_argument(s)
    add_coords_argument(s)
    s.set_defaults(func=run_siting)

    f = sub.add_parser(
        "fn-criterion",
        help="社会风险判据线：按所持 GB 36894-2018 文本录入 F-N 判据线常数，保存在园区文件中（此后显示为已核对）",
        description="录入 GB 36894-2018 社会风险判据线 F = C/N^k 的常数（上限线、下限线、斜率、N 范围），"
        "连同核对人和所据文本一起写入园区 GeoPackage；不带常数运行时显示当前使用的判据线及是否已核对。",
    )
    # the command reads and writes one table of the file and never loads the layers: no --coords
    f.add_argument("gpkg", metavar="park", help="园区文件路径（.gpkg）")
    f.add_argument("--upper-c", type=float, help="上限线（不可接受线）在 N = 1 处的频率 C [/年]")
    f.add_argument("--lower-c", type=float, help="下限线（可接受线）在 N = 1 处的频率 C [/年]")
    f.add_argument("--slope", type=float, help="斜率 k（F = C/N^k）[-]")
    f.add_argument("--n-min", type=float, help="判据线起点 N [人]")
    f.add_argument("--n-max", type=float, help="判据线终点 N [人]")
    f.add_argument("--confirmed-by", help="核对人姓名")
    f.add_argument("--document", help="所据标准文本（版本、条款或图号）")
    f.set_defaults(func=run_fn_criterion)

    m = sub.add_parser(
        "major-hazards",
        help="重大危险源：按 GB 18218-2018 辨识与分级",
        description="按 GB 18218-2018 辨识重大危险源（S = Σq/Q）并分级（R = α Σβq/Q）。",
    )
    m.add_argument("park", help="园区文件路径")
    m.add_argument("-o", "--output", help="可选：输出 Excel 文件（.xlsx）")
    add_coords_argument(m)
    add_store_argument(m)
    m.set_defaults(func=run_major_hazards)


def _max_installations_default() -> int | None:
    """The default of :attr:`analysis.qra.options.RiskOptions.max_installations` (one copy of the limit)."""
    from analysis.qra.options import RiskOptions

    return RiskOptions().max_installations


def _add_size_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-installations",
        default=None,
        help=f"一次计算的设施数上限，默认 {_max_installations_default()}（计算时间随设施数增加，每套约 0.2 s）；"
        "设施更多的园区请调高，例如 --max-installations 5000",
    )


class Progress:
    """``progress(fraction, message_zh)`` of :func:`analysis.qra.individual.individual_risk` printed on stderr.

    On a terminal one line is rewritten in place; otherwise (a log file) a line is printed whenever the
    percentage has advanced by at least one point. The messages carry the time left (from the analysis).
    """

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last = -1.0
        self.used = False

    def __call__(self, frac: float, msg: str) -> None:
        pct = 100.0 * float(frac)
        if self.tty:
            print(f"\r[{pct:5.1f} %] {msg[:70]:<70}", end="", file=self.stream, flush=True)
        elif pct - self.last >= 1.0 or frac >= 1.0:
            print(f"[{pct:5.1f} %] {msg}", file=self.stream, flush=True)
        else:
            return
        self.last, self.used = pct, True

    def close(self) -> None:
        """End the rewritten line on a terminal."""
        if self.tty and self.used:
            print(file=self.stream, flush=True)


def _individual_risk(args: argparse.Namespace, park: Any) -> Any:
    """:func:`individual_risk` with ``--resolution``, ``--margin``, ``--max-installations`` and progress on stderr.

    Raises
    ------
    CommandError
        Bad options or too many installations (the message says how to raise the limit on the command line).
    """
    from analysis.errors import AnalysisInputError
    from analysis.qra import individual as risk

    limit = _max_installations_default()
    if args.max_installations is not None:
        limit = count_option(args.max_installations, "--max-installations", low=1)
    progress = Progress()
    try:
        extent = tuple(args.extent) if getattr(args, "extent", None) else None
        return risk.individual_risk(
            park,
            resolution=args.resolution,
            margin=args.margin,
            extent=extent,
            progress=progress,
            max_installations=limit,
            weather=weather_option(args),
        )
    except AnalysisInputError as exc:
        n = len(park.layers.get("installations", ()))
        hint = f"命令行：加 --max-installations {n} 调高上限。" if limit is not None and n > limit else ""
        raise CommandError(f"{exc}{hint}") from None
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        progress.close()


@reports_errors
def run_risk(args: argparse.Namespace) -> int:
    from analysis.qra import individual as risk

    out = Path(args.output)
    if out.suffix.lower() not in (".tif", ".tiff"):
        return fail(f"输出文件应为 .tif（GeoTIFF），收到 {out.name}")
    if args.contours and Path(args.contours).suffix.lower() not in (".gpkg", ".geojson", ".json"):
        return fail(f"等值线文件应为 .gpkg 或 .geojson，收到 {args.contours}")
    if args.report and Path(args.report).suffix.lower() not in (".docx", ".pdf"):
        return fail(f"报告文件应为 .docx（Word）或 .pdf，收到 {args.report}；请改用这两种扩展名之一")
    path = park_path(args.park)
    check_outputs([out, args.contours, args.report], inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    res = _individual_risk(args, park)
    with safe_output(out, inputs=[path]) as tmp:
        res.to_geotiff(tmp)
    cont = risk.risk_contours(res)
    if args.contours:
        cpath = Path(args.contours)
        with safe_output(cpath, inputs=[path]) as tmp:
            if cpath.suffix.lower() == ".gpkg":
                cont.to_file(tmp, layer="risk_contours", driver="GPKG")
            else:
                cont.to_crs(4326).to_file(tmp, driver="GeoJSON")
    crit = park_criterion(path)
    soc = risk.societal_risk(res, criterion=crit)
    ny, nx = res.grid.shape
    print(
        f"个人风险栅格：{nx} × {ny} 个网格，分辨率 {res.resolution:g} m，最大个人风险 {sci_zh(res.grid.max(), 3)}/年 → {out}"
    )
    for _, r in cont.iterrows():
        print(f"  {numbers_in_text_zh(r['label_zh'])}：面积 {r['area_m2'] / 1e6:.3f} km²")
    print(
        f"社会风险：潜在生命损失 PLL = {sci_zh(soc.pll, 3)} 人/年；F-N 曲线总体评价：{_region_zh(soc.overall)}"
    )
    print_assumptions(res, crit)
    if args.report:
        _write_report(Path(args.report), park, res, crit, inputs=[path])
    if args.store:  # kept with the park (app.results_cli), as the page 风险分布 keeps it
        from app.results_cli import store_or_fail

        kept = {"resolution_m": float(args.resolution), "margin_m": float(args.margin)}
        kept |= {"weather": weather_option(args)} if weather_option(args) else {}
        return store_or_fail("risk", res, park, path, options=kept)
    return 0


def _write_report(out: Path, park: Any, res: Any, crit: Any, *, inputs: list) -> None:
    """``--report``: the risk report (Word or PDF by extension, :mod:`app.reports.risk_report`)."""
    from app.reports.risk_report import risk_report_data, write_risk_report

    data = risk_report_data(park, res, criterion=crit)
    with safe_output(out, inputs=inputs) as tmp:
        write_risk_report(tmp, data)  # the temporary file keeps the output's name and extension
    print(f"风险评价报告 → {out}")


def print_assumptions(res: Any, criterion: Any = None) -> None:
    """The contour's closure and the assumptions of a risk result, one line each, on stdout."""
    print(res.contour_check["statement_zh"])
    print("假设与来源：")
    for item, text in assumptions_zh(res, criterion).itertuples(index=False):
        print(f"  {item}：{text}")


def park_criterion(path: Any) -> Any:
    """The park's F-N criterion: the constants a user confirmed (stored in the GeoPackage), else GB 36894's registry
    entry (unconfirmed). CommandError when the stored constants are invalid."""
    from analysis.qra.fn_settings import park_fn_criterion
    from geodata.criteria import read_fn_criterion

    try:
        return park_fn_criterion(read_fn_criterion(path))
    except ValueError as exc:
        raise CommandError(f"园区文件中的社会风险判据常数无效：{exc}") from None


def siting_sheets(
    res: Any, park: Any, *, five_rooms: pd.DataFrame | None = None, criterion: Any = None
) -> dict[str, pd.DataFrame]:
    """The workbook of ``parkrisk siting`` (also the page's Excel export): sheet name -> table.

    ``criterion``: the F-N criterion (default GB 36894's registry entry; the park's confirmed constants when given).
    """
    from analysis.qra.fn_settings import DEFAULT_FN_CRITERION

    criterion = criterion or DEFAULT_FN_CRITERION
    from analysis.qra import individual as risk
    from analysis.regulation import siting_checks as scx

    comp = scx.compliance(res, park)
    sheets = {
        "GB36894合规性": compliance_zh(comp),
        "搬迁候选（在役基准）": relocation_zh(scx.relocation(res, park, new=False)),
        "不满足新建基准": relocation_zh(scx.relocation(res, park, new=True)),
        "外部安全防护距离": distances_zh(scx.protection_distances(res, park)),
        "设施风险汇总": units_zh(res),
        "风险等值线面积": contours_zh(risk.risk_contours(res)),
        "F-N曲线": fn_zh(risk.societal_risk(res, criterion=criterion).curve),
    }
    if five_rooms is not None:
        sheets["五室校核"] = five_rooms_zh(five_rooms)
    sheets["假设与来源"] = assumptions_zh(res, criterion)
    return assumptions_first_if_generic(sheets, res)


def assumptions_first_if_generic(sheets: dict[str, pd.DataFrame], res: Any) -> dict[str, pd.DataFrame]:
    """The workbook's sheets with "假设与来源" first when the run used the generic rose (its first row warns)."""
    from analysis.qra.provenance import generic_weather_warning

    if "假设与来源" not in sheets or not generic_weather_warning(res.assumptions):
        return sheets
    return {"假设与来源": sheets["假设与来源"], **{k: v for k, v in sheets.items() if k != "假设与来源"}}


@reports_errors
def run_siting(args: argparse.Namespace) -> int:
    from analysis.regulation import siting_checks as scx

    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        return fail(f"输出文件应为 .xlsx（Excel），收到 {out.name}")
    path = park_path(args.park)
    check_outputs([out], inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    res = _individual_risk(args, park)
    try:
        five = scx.five_rooms_check(park) if args.five_rooms else None
    except (FileNotFoundError, ValueError) as exc:
        return fail(str(exc))
    crit = park_criterion(path)
    sheets = siting_sheets(res, park, five_rooms=five, criterion=crit)
    with safe_output(out, inputs=[path]) as tmp:
        tmp.write_bytes(excel_bytes(sheets))
    comp = scx.compliance(res, park)
    rel = scx.relocation(res, park)
    print(
        f"防护目标 {len(comp)} 个：在役基准不满足 {int((~comp['pass_existing']).sum())} 个，"
        f"新建基准不满足 {int((~comp['pass_new']).sum())} 个 → {out}"
    )
    for _, r in rel.iterrows():
        print(f"  搬迁候选 {r['target_id']} {r['name']}：{r['reason_zh']}")
    if five is not None:
        bad = five[five["verdict"] != "ok"]
        print(f"五室校核：{len(five)} 栋建筑，需搬迁或抗爆改造 {len(bad)} 栋")
        for _, r in bad.iterrows():
            print(f"  {r['building_id']} {r['name']}：{r['verdict_zh']}（{r['reason_zh']}）")
    print_assumptions(res, crit)
    return 0


@reports_errors
def run_major_hazards(args: argparse.Namespace) -> int:
    from analysis.regulation import gb18218 as mh

    if args.output and Path(args.output).suffix.lower() != ".xlsx":
        return fail(f"输出文件应为 .xlsx（Excel），收到 {args.output}")
    path = park_path(args.park)
    check_outputs([args.output], inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    try:
        units, ent = mh.enterprise_grades(park)
    except (FileNotFoundError, ValueError) as exc:
        return fail(str(exc))
    major = units[units["is_major"]]
    print(f"重大危险源辨识（GB 18218-2018）：{len(units)} 个单元，其中重大危险源 {len(major)} 个")
    for _, r in major.iterrows():
        print(f"  {hazard_unit_zh(r['unit'])}：S = {r['S']:.2f}，R = {r['R']:.1f}，{int(r['grade'])} 级")
    for _, r in ent.iterrows():
        g = "—" if pd.isna(r["major_hazard_grade"]) else f"{int(r['major_hazard_grade'])} 级"
        print(f"  企业 {r['enterprise_id']}：重大危险源 {int(r['n_major_units'])} 个，最高级别 {g}")
    if args.output:
        book = excel_bytes(
            {"重大危险源单元": major_units_zh(units), "企业分级": major_enterprises_zh(ent, park)}
        )
        with safe_output(args.output, inputs=[path]) as tmp:
            tmp.write_bytes(book)
        print(f"已写出：{args.output}")
    if args.store:  # kept with the park (app.results_cli), as the page 重大危险源 keeps it
        from app.results_cli import store_or_fail

        return store_or_fail("major_hazards", (units, ent), park, path)
    return 0


@reports_errors
def run_fn_criterion(args: argparse.Namespace) -> int:
    """Show the park's F-N criterion, or store the constants a user read from the standard."""
    from analysis.errors import AnalysisInputError
    from analysis.qra.fn_settings import criterion_status_zh, user_fn_criterion
    from geodata.criteria import save_fn_criterion

    path = park_path(args.gpkg)
    names = ("upper_c", "lower_c", "slope", "n_min", "n_max", "confirmed_by", "document")
    given = {k: getattr(args, k) for k in names if getattr(args, k) is not None}
    if not given:
        print(criterion_status_zh(park_criterion(path)))
        return 0
    missing = [f"--{k.replace('_', '-')}" for k in names if k not in given]
    if missing:
        return fail(f"录入判据线常数须同时给出 {'、'.join(missing)}（按所持 GB 36894-2018 文本填写）")
    try:
        user_fn_criterion(**given)  # checked by the model's rule before anything is written
        save_fn_criterion(path, given)
    except (AnalysisInputError, ValueError) as exc:
        return fail(str(exc))
    print(f"已写入 {path}：{criterion_status_zh(park_criterion(path))}")
    return 0
