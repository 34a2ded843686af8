"""Validation of park layers: collect every problem, then report them together.

:func:`validate_layers` checks a dict of raw layers (as read from a file, before dtypes are coerced) against the
layer contract in :mod:`geodata.schema`; :func:`validate_park` checks a loaded :class:`~geodata.park.Park`. Each
:class:`Problem` names the layer, the feature (its id, or its row number when the id is missing), the column, the
offending value, what is wrong and how to fix it, in Chinese.

Kinds of problem (``Problem.kind``): see :data:`PROBLEM_KINDS`.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geodata import consistency, schema
from geodata._dtypes import ColumnCache

__all__ = [
    "Problem",
    "SubstanceLookup",
    "ValidationReport",
    "EXCEL_ERRORS",
    "PROBLEM_KINDS",
    "CHINA_BBOX",
    "validate_layers",
    "validate_park",
]

log = logging.getLogger(__name__)

#: Machine-readable problem kinds and their Chinese names.
PROBLEM_KINDS: dict[str, str] = {
    "unreadable": "文件无法读取",
    "unknown_layer": "未知图层",
    "missing_layer": "图层缺失",
    "no_park": "缺少园区边界",
    "no_geometry": "缺少几何",
    "missing_crs": "缺少坐标系",
    "bad_crs": "坐标系无法转换",
    "missing_column": "缺少列（或列名拼写错误）",
    "duplicate_column": "重复列名",
    "bad_type": "类型错误",
    "missing_value": "必填值为空",
    "unknown_enum": "未知枚举值",
    "nonpositive_inventory": "存量为负或为零",
    "implausible": "数值量级不合理",
    "empty_geometry": "几何为空",
    "invalid_geometry": "几何无效（自相交等）",
    "wrong_geometry_type": "几何类型错误",
    "duplicate_id": "编号重复",
    "dangling_reference": "引用不存在",
    "outside_china": "坐标超出中国范围",
    "swapped_lonlat": "经纬度颠倒",
    "unknown_substance": "未知物质",
    "multiple_parks": "多个园区",
    "empty_layer": "图层为空",
    "excel_error": "Excel 错误值",
    "truncated_column": "Shapefile 列名被截断",
    "outside_enterprise": "位于所属企业范围外",
    "inconsistent_dates": "日期不一致",
}

#: Error values Excel writes into a cell whose formula failed; read as text, they are reported as such. Each holds a
#: "#" (``_excel_errors`` looks only at text with one; tests/geodata/test_coerce_once.py checks it).
EXCEL_ERRORS: frozenset[str] = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)

#: (lon_min, lat_min, lon_max, lat_max) of China incl. the South China Sea islands, with a small margin. [°]
CHINA_BBOX: tuple[float, float, float, float] = (73.0, 3.0, 136.0, 54.0)

_SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Problem:
    """One problem in the park data.

    Attributes
    ----------
    layer : str or None
        Layer name (``None`` for file-level problems).
    row_id : str or None
        The feature's id value, or ``"第n行"`` (1-based) when the id is missing; ``None`` for layer-level problems.
    column : str or None
        Column concerned (``"geometry"`` for geometry problems).
    value : object
        The offending value (as found), or ``None``.
    message_zh : str
        What is wrong, in Chinese.
    fix_zh : str
        How to fix it, in Chinese.
    severity : str
        ``"error"`` (the park cannot be used) or ``"warning"``.
    kind : str
        One of :data:`PROBLEM_KINDS`.
    """

    layer: str | None
    row_id: str | None
    column: str | None
    value: object
    message_zh: str
    fix_zh: str
    severity: str = "error"
    kind: str = ""

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise ValueError(f"severity={self.severity!r}; allowed: {_SEVERITIES}")
        if self.kind and self.kind not in PROBLEM_KINDS:
            raise ValueError(f"kind={self.kind!r}; allowed: {sorted(PROBLEM_KINDS)}")

    def to_text_zh(self) -> str:
        """One line: where, what, value and fix."""
        where = [p for p in (self.layer and _layer_label(self.layer), self.row_id, self.column) if p]
        tag = "错误" if self.severity == "error" else "警告"
        val = "" if self.value is None else f"（值：{_short(self.value)}）"
        loc = " / ".join(where) if where else "文件"
        return f"[{tag}] {loc}：{self.message_zh}{val}。修改建议：{self.fix_zh}"


@dataclass(frozen=True)
class ValidationReport:
    """Every problem found in a park, errors and warnings together."""

    problems: tuple[Problem, ...] = field(default_factory=tuple)
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def kinds(self) -> set[str]:
        """The set of problem kinds present."""
        return {p.kind for p in self.problems}

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: severity, kind, layer, row_id, column, value, message_zh, fix_zh."""
        cols = ["severity", "kind", "layer", "row_id", "column", "value", "message_zh", "fix_zh"]
        rows = [
            {c: (_short(p.value) if c == "value" and p.value is not None else getattr(p, c)) for c in cols}
            for p in self.problems
        ]
        return pd.DataFrame(rows, columns=cols)

    def to_text_zh(self, *, max_per_group: int = 30) -> str:
        """The report as Chinese text, grouped by layer; at most ``max_per_group`` lines per (layer, kind)."""
        head = f"园区数据校验报告{('：' + self.source) if self.source else ''}"
        if not self.problems:
            return f"{head}\n未发现问题（0 个错误，0 个警告）。"
        lines = [head, f"共 {len(self.errors)} 个错误，{len(self.warnings)} 个警告。"]
        groups: dict[tuple[str | None, str], list[Problem]] = {}
        order = {name: i for i, name in enumerate(schema.LAYERS)}
        for p in sorted(
            self.problems, key=lambda p: order.get(p.layer, -1)
        ):  # file-level first, then by layer
            groups.setdefault((p.layer, p.kind), []).append(p)
        for (layer, kind), probs in groups.items():
            name = _layer_label(layer) if layer else "文件"
            lines.append(f"\n■ {name} — {PROBLEM_KINDS.get(kind, kind)}（{len(probs)} 处）")
            lines.extend("  " + p.to_text_zh() for p in probs[:max_per_group])
            if len(probs) > max_per_group:
                lines.append(f"  ……另有 {len(probs) - max_per_group} 处同类问题（完整列表见 to_frame()）")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text_zh()


# ----------------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------------
def _short(v, n: int = 60) -> str:
    s = repr(v) if not isinstance(v, str) else v
    return s if len(s) <= n else s[: n - 1] + "…"


def _layer_label(layer: str) -> str:
    spec = schema.LAYERS.get(layer)
    return f"{spec.label_zh}({layer})" if spec else layer


def _col_label(spec: schema.LayerSpec, col: str) -> str:
    c = spec.column(col)
    unit = f"，单位 {c.unit}" if c.unit else ""
    return f"「{col}」（{c.label_zh}{unit}）"


def _enum_allowed_text(enum: str) -> str:
    return "、".join(f"{k}（{v}）" for k, v in schema.ENUM_LABELS_ZH[enum].items())


def _fmt_num(x: float) -> str:
    return f"{x:g}"


def _closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    cands = list(candidates)
    lower = {c.lower(): c for c in cands}
    m = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=cutoff)
    return lower[m[0]] if m else None


@dataclass(frozen=True)
class SubstanceLookup:
    """The substance database as validation sees it, passed in by the caller (``geodata`` never imports it).

    Call it like the plain ``known_substance(name) -> bool`` hook; ``closest(name)`` gives the known names nearest to
    an unknown one, shown in the problem's fix.
    """

    known: Callable[[str], bool]
    closest: Callable[[str], Iterable[str]] | None = None

    def __call__(self, name: str) -> bool:
        return bool(self.known(name))

    def suggestions(self, name: str) -> list[str]:
        """Up to five known names close to ``name`` (none when there is no ``closest`` or it fails)."""
        if self.closest is None:
            return []
        try:
            return [str(n) for n in self.closest(name)][:5]
        except Exception:  # noqa: BLE001 - suggestions are a courtesy; a failing lookup gives none
            log.debug("closest(%r) raised; no suggestions", name, exc_info=True)
            return []


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, layer, row_id, column, value, message_zh, fix_zh, *, kind, severity="error") -> None:
        self.problems.append(Problem(layer, row_id, column, value, message_zh, fix_zh, severity, kind))


def _row_labels(cols: ColumnCache, spec: schema.LayerSpec) -> list[str]:
    if spec.id_column not in cols.df.columns:
        return [f"第{i + 1}行" for i in range(len(cols.df))]
    ids = cols.coerce(spec.id_column, "str")[0].to_numpy(dtype=object)
    return [f"第{i + 1}行" if pd.isna(v) else str(v) for i, v in enumerate(ids)]


def _geometry_of(df) -> gpd.GeoSeries | None:
    if not isinstance(df, gpd.GeoDataFrame):
        return None
    name = df._geometry_column_name
    if name is None or name not in df.columns:
        return None
    col = df[name]
    return col if isinstance(col, gpd.GeoSeries) else None


def _crs_hint(bounds: np.ndarray) -> str:
    """Guess what coordinates without a CRS are, from their finite bounds (xmin, ymin, xmax, ymax)."""
    if bounds.size == 0 or not np.all(np.isfinite(bounds)):
        return "请在 GIS 软件中为图层定义坐标系（经纬度数据为 EPSG:4326）后重新导出"
    xmin, ymin, xmax, ymax = bounds
    lon0, lat0, lon1, lat1 = CHINA_BBOX
    if lon0 <= xmin and xmax <= lon1 and lat0 <= ymin and ymax <= lat1:
        return "坐标值像经纬度：请为图层定义坐标系 EPSG:4326（WGS84）或 EPSG:4490（CGCS2000）后重新导出"
    if 1e5 <= xmin and xmax <= 1e6 and 3e5 <= ymin and ymax <= 6.1e6:
        return (
            "坐标值像高斯-克吕格投影坐标（米）：请为图层定义对应的 CGCS2000 三度带坐标系"
            "（如中央经线 114°E 为 EPSG:4547）后重新导出"
        )
    return "请在 GIS 软件中为图层定义正确的坐标系后重新导出"


# ----------------------------------------------------------------------------------------------------------------
# per-layer checks
# ----------------------------------------------------------------------------------------------------------------
def _check_columns(c: _Collector, name: str, df: pd.DataFrame, spec: schema.LayerSpec, geom_name) -> None:
    present = [str(x) for x in df.columns]
    seen: set[str] = set()
    for col in present:
        if col in seen:
            c.add(
                name,
                None,
                col,
                None,
                f"列名「{col}」出现多次",
                "删除或重命名重复的列",
                kind="duplicate_column",
            )
        seen.add(col)
    extras = [x for x in present if x not in spec.column_names and x != geom_name]
    for col in spec.required_columns:
        if col in seen:
            continue
        guess = _closest(col, extras)
        if guess is not None:
            fix = f"列名「{guess}」可能拼写错误，请改为「{col}」"
        else:
            fix = f"请添加列「{col}」（{spec.column(col).label_zh}）"
        c.add(name, None, col, guess, f"缺少必需列{_col_label(spec, col)}", fix, kind="missing_column")


def _check_values(
    c: _Collector, name: str, cols: ColumnCache, spec: schema.LayerSpec, labels: list[str]
) -> None:
    df = cols.df
    for col in spec.columns:
        if col.name not in df.columns or isinstance(df[col.name], pd.DataFrame):
            continue  # missing (reported) or duplicated (reported)
        raw = df[col.name]
        xl = _excel_errors(c, name, cols, spec, col.name, labels)
        null = cols.null(col.name) & ~xl
        values, bad = cols.coerce(col.name, col.dtype)
        bad = bad & ~xl
        raw_vals = raw.array
        for i in np.flatnonzero(bad):
            c.add(
                name,
                labels[i],
                col.name,
                raw_vals[i],
                f"{_col_label(spec, col.name)}应为{_DTYPE_ZH[col.dtype]}",
                _DTYPE_FIX_ZH[col.dtype] + (f"；{col.hint_zh}" if col.hint_zh else ""),
                kind="bad_type",
            )
        if not col.nullable:
            for i in np.flatnonzero(null):
                c.add(
                    name,
                    labels[i],
                    col.name,
                    None,
                    f"{_col_label(spec, col.name)}为必填项，但为空",
                    f"请填写{col.label_zh}",
                    kind="missing_value",
                )
        ok = ~(null | bad | xl)
        if col.enum:
            allowed = schema.ENUM_LABELS_ZH[col.enum]
            texts = values.to_numpy(dtype=object)
            for i in np.flatnonzero(ok & ~values.isin(list(allowed)).to_numpy(dtype=bool)):
                v = texts[i]
                by_label = {lab: k for k, lab in allowed.items()}
                if v in by_label:
                    fix = f"请填写英文键「{by_label[v]}」（{v}），而不是中文名称"
                else:
                    guess = _closest(v, allowed)
                    pre = f"是否为「{guess}」（{allowed[guess]}）？" if guess else ""
                    fix = f"{pre}可选值：{_enum_allowed_text(col.enum)}"
                c.add(
                    name,
                    labels[i],
                    col.name,
                    v,
                    f"{_col_label(spec, col.name)}的取值不在枚举范围内",
                    fix,
                    kind="unknown_enum",
                )
        if col.dtype in ("int", "float"):
            nums = values.astype("float64").to_numpy(na_value=np.nan)
            lo, hi = col.plausible or (-np.inf, np.inf)
            flagged = ~((lo <= nums) & (nums <= hi)) | ((nums <= 0) & (col.name == "inventory_kg"))
            for i in np.flatnonzero(ok & flagged):  # the rows the checks below may report, in order
                x = float(nums[i])
                if col.name == "inventory_kg" and x <= 0:
                    c.add(
                        name,
                        labels[i],
                        col.name,
                        x,
                        f"{_col_label(spec, col.name)}为负数或零",
                        "存量必须为正数（kg）；不存放该物质的设施请删除该行或填写实际存量",
                        kind="nonpositive_inventory",
                    )
                    continue
                if col.plausible is None:
                    continue
                lo, hi = col.plausible
                if not (lo <= x <= hi):
                    fix = col.hint_zh or f"请检查单位与数值（合理范围 {_fmt_num(lo)}–{_fmt_num(hi)}）"
                    c.add(
                        name,
                        labels[i],
                        col.name,
                        x,
                        f"{_col_label(spec, col.name)}数值不合理，合理范围为 {_fmt_num(lo)}–{_fmt_num(hi)}"
                        f"{(' ' + col.unit) if col.unit else ''}",
                        fix,
                        kind="implausible",
                    )


def _excel_errors(
    c: _Collector, name: str, cols: ColumnCache, spec: schema.LayerSpec, col: str, labels: list[str]
) -> np.ndarray:
    """Report cells holding an Excel error value (``#DIV/0!``, ``#N/A`` …); returns their mask."""
    raw = cols.df[col]
    mask = cols.text_flags(
        col, lambda v: isinstance(v, str) and "#" in v and v.strip().upper() in EXCEL_ERRORS
    )
    for i in np.flatnonzero(mask):
        c.add(
            name,
            labels[i],
            col,
            str(raw.array[i]).strip(),
            f"{_col_label(spec, col)}是 Excel 错误值（公式计算失败），不是数据",
            "请在 Excel 中修正该单元格的公式或引用（如除数为零、查找不到），或直接填写数值后重新导出",
            kind="excel_error",
        )
    return mask


_DTYPE_ZH = {"str": "文本", "int": "整数", "float": "数值", "bool": "是/否", "date": "日期"}
_DTYPE_FIX_ZH = {
    "str": "请填写文本",
    "int": "请填写整数，不要带单位或小数",
    "float": "请填写数值（SI 单位），不要带单位文字",
    "bool": "请填写 true/false（或 是/否、1/0）",
    "date": "请按 YYYY-MM-DD 格式填写日期",
}


def _check_ids(c: _Collector, name: str, cols: ColumnCache, spec: schema.LayerSpec) -> set[str]:
    if spec.id_column not in cols.df.columns or isinstance(cols.df[spec.id_column], pd.DataFrame):
        return set()
    ids = cols.coerce(spec.id_column, "str")[0]
    dup = ids.notna() & ids.duplicated(keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        c.add(
            name,
            str(ids.iloc[i]),
            spec.id_column,
            ids.iloc[i],
            f"编号「{ids.iloc[i]}」重复（第{first + 1}行与第{i + 1}行）",
            f"为每条记录使用唯一的{spec.column(spec.id_column).label_zh}",
            kind="duplicate_id",
        )
    return set(ids.dropna().tolist())


def _check_geometry(c: _Collector, name: str, df, spec: schema.LayerSpec, labels: list[str]) -> None:
    geom = _geometry_of(df)
    if geom is None:
        c.add(
            name,
            None,
            "geometry",
            None,
            "图层没有几何列（空间位置）",
            "请提供几何：GeoPackage/GeoJSON/Shapefile 图层，或表格中的 lon/lat（经度/纬度）列或 WKT 列",
            kind="no_geometry",
        )
        return
    arr = geom.to_numpy()
    if geom.crs is None:
        have = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
        b = np.asarray(shapely.total_bounds(have)) if len(have) else np.array([])
        c.add(
            name,
            None,
            "geometry",
            None,
            "图层没有坐标系（CRS）",
            _crs_hint(np.asarray(b)),
            kind="missing_crs",
        )
    missing = shapely.is_missing(arr)
    empty = missing | shapely.is_empty(arr)
    for i in np.flatnonzero(empty):
        c.add(
            name,
            labels[i],
            "geometry",
            None,
            "几何为空",
            "请为该要素补充位置（点、线或面）",
            kind="empty_geometry",
        )
    valid = np.ones(len(arr), dtype=bool)
    present = ~empty
    if present.any():
        valid[present] = shapely.is_valid(arr[present])
    for i in np.flatnonzero(present & ~valid):
        reason = shapely.is_valid_reason(arr[i])
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            fix = "多边形边界自相交：请在 GIS 中修复（QGIS「修复几何」，或 shapely.make_valid）"
        elif "Invalid Coordinate" in reason:
            fix = "坐标含非数值（NaN/无穷大），请检查坐标"
        else:
            fix = "请在 GIS 中修复该几何（QGIS「修复几何」，或 shapely.make_valid）"
        c.add(name, labels[i], "geometry", reason, "几何无效", fix, kind="invalid_geometry")
    allowed = spec.geometry_types
    tid = shapely.get_type_id(arr)  # -1 for a missing geometry, 0-7 for the GEOS types of _GEOM_TYPES
    types = np.array(_GEOM_TYPES, dtype=object)[np.where((tid >= 0) & (tid < 8), tid, 8)]
    for i in np.flatnonzero(tid >= 8):
        types[i] = arr[i].geom_type
    for i in np.flatnonzero(present & ~np.isin(types, allowed)):
        c.add(
            name,
            labels[i],
            "geometry",
            types[i],
            f"几何类型为 {types[i]}，该图层只允许 {'、'.join(allowed)}",
            f"请将该要素改为 {'/'.join(allowed)}",
            kind="wrong_geometry_type",
        )
    if geom.crs is not None and pyproj.CRS.from_user_input(geom.crs).is_geographic:
        _check_coordinates(c, name, arr, present, labels)


#: Geometry type names by :func:`shapely.get_type_id` (0-7); "" (index 8) for a missing geometry.
_GEOM_TYPES = (
    *("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"),
    *("GeometryCollection", ""),
)


def _check_coordinates(
    c: _Collector, name: str, arr: np.ndarray, present: np.ndarray, labels: list[str]
) -> None:
    idx = np.flatnonzero(present)
    if idx.size == 0:
        return
    b = shapely.bounds(arr[idx])  # xmin, ymin, xmax, ymax
    finite = np.all(np.isfinite(b), axis=1)
    idx, b = idx[finite], b[finite]
    if idx.size == 0:
        return
    lon0, lat0, lon1, lat1 = CHINA_BBOX
    inside = (b[:, 0] >= lon0) & (b[:, 2] <= lon1) & (b[:, 1] >= lat0) & (b[:, 3] <= lat1)
    swapped = (b[:, 0] >= lat0) & (b[:, 2] <= lat1) & (b[:, 1] >= lon0) & (b[:, 3] <= lon1)
    fix_swap = "经度与纬度写反了：请交换 x/y（经度在前、纬度在后），表格请检查 lon/lat 列是否对调"
    if swapped.all():
        c.add(
            name,
            None,
            "geometry",
            f"x {b[:, 0].min():.4f}–{b[:, 2].max():.4f}, y {b[:, 1].min():.4f}–{b[:, 3].max():.4f}",
            "整个图层经纬度颠倒（x 像纬度、y 像经度）",
            fix_swap,
            kind="swapped_lonlat",
        )
        return
    for j in np.flatnonzero(swapped):
        c.add(
            name,
            labels[idx[j]],
            "geometry",
            f"x={b[j, 0]:.6f}, y={b[j, 1]:.6f}",
            "该要素经纬度颠倒",
            fix_swap,
            kind="swapped_lonlat",
        )
    for j in np.flatnonzero(~inside & ~swapped):
        looks_projected = abs(b[j, 0]) > 180 or abs(b[j, 1]) > 90
        fix = (
            "坐标值像投影坐标（米）而非经纬度：请确认文件的坐标系定义正确"
            if looks_projected
            else "请检查坐标是否录入错误（中国范围约为东经 73°–136°、北纬 3°–54°）"
        )
        c.add(
            name,
            labels[idx[j]],
            "geometry",
            f"x={b[j, 0]:.6f}, y={b[j, 1]:.6f}",
            "坐标超出中国范围",
            fix,
            kind="outside_china",
        )


def _check_substances(
    c: _Collector, name: str, cols: ColumnCache, labels: list[str], known_substance: Callable[[str], bool]
) -> None:
    if "substance" not in cols.df.columns or isinstance(cols.df["substance"], pd.DataFrame):
        return
    vals = cols.coerce("substance", "str")[0].to_numpy(dtype=object)
    cache: dict[str, bool] = {}
    for i, v in enumerate(vals):
        if pd.isna(v):
            continue
        if v not in cache:
            try:
                cache[v] = bool(known_substance(v))
            except Exception:  # noqa: BLE001 - a failing lookup means "not known", never a crash
                log.debug("known_substance(%r) raised; treated as unknown", v, exc_info=True)
                cache[v] = False
        if not cache[v]:
            close = known_substance.suggestions(v) if isinstance(known_substance, SubstanceLookup) else []
            hint = f"最接近的已知名称：{'、'.join(close)}；" if close else ""
            c.add(
                name,
                labels[i],
                "substance",
                v,
                f"物质「{v}」不在物质库中",
                f"{hint}请使用物质库中的中文名、英文名或 CAS 号（如 氯 / chlorine / 7782-50-5）",
                kind="unknown_substance",
            )


# ----------------------------------------------------------------------------------------------------------------
# public
# ----------------------------------------------------------------------------------------------------------------
def validate_layers(
    layers: Mapping[str, pd.DataFrame],
    *,
    known_substance: Callable[[str], bool] | None = None,
    source: str = "",
    extra: Iterable[Problem] = (),
    columns: dict[str, ColumnCache] | None = None,
) -> ValidationReport:
    """Check raw layers against the layer contract and collect every problem.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers keyed by name, values as read (dtypes not yet coerced), CRS EPSG:4326 where known.
    known_substance : callable, optional
        ``known_substance(name) -> bool``; when given, substances of installations and pipelines it does not know
        are reported (``geodata`` does not import the substance database itself).
    source : str
        Where the data came from, for the report heading.
    extra : iterable of Problem
        Problems found earlier (e.g. while reading files), included first.
    columns : dict, optional
        Filled with each checked layer's coerced columns (:class:`geodata._dtypes.ColumnCache`), which
        :meth:`geodata.park.Park.from_layers` reuses instead of coercing them again.

    Returns
    -------
    ValidationReport
    """
    c = _Collector()
    c.problems.extend(extra)
    usable: dict[str, pd.DataFrame] = {}
    for key, df in layers.items():
        name = str(key)
        if name not in schema.LAYERS:
            guess = _closest(name, [n for n in schema.LAYERS if n not in layers])
            if guess:  # probably a misspelt layer whose data would silently be missing: an error
                c.add(
                    name,
                    None,
                    None,
                    None,
                    f"未知图层「{name}」",
                    f"图层名可能拼写错误，请改为「{guess}」",
                    kind="unknown_layer",
                )
            else:
                c.add(
                    name,
                    None,
                    None,
                    None,
                    f"未知图层「{name}」，已忽略",
                    f"可用图层：{'、'.join(schema.LAYERS)}",
                    kind="unknown_layer",
                    severity="warning",
                )
            continue
        if not isinstance(df, pd.DataFrame):
            c.add(
                name,
                None,
                None,
                type(df).__name__,
                "图层不是表格数据",
                "请提供 GeoDataFrame/表格",
                kind="no_geometry",
            )
            continue
        usable[name] = df.reset_index(drop=True)
    for name in schema.LAYER_ORDER:
        if name not in usable and name not in {
            p.layer for p in c.problems if p.kind in ("unreadable", "bad_crs")
        }:
            if name == "parks":
                continue  # reported below as no_park
            c.add(
                name,
                None,
                None,
                None,
                "文件中没有该图层，按空图层处理",
                f"如该园区有{schema.LAYERS[name].label_zh}数据，请添加图层「{name}」",
                kind="missing_layer",
                severity="warning",
            )
    parks = usable.get("parks")
    if parks is None or len(parks) == 0:
        c.add(
            "parks",
            None,
            None,
            None,
            "没有园区边界（parks 图层为空或缺失）",
            "请添加一条园区记录：园区编号、名称、级别、风险等级及边界多边形",
            kind="no_park",
        )
    elif len(parks) > 1:
        c.add(
            "parks",
            None,
            None,
            len(parks),
            f"parks 图层有 {len(parks)} 条记录，一个文件应只含一个园区",
            "请每个园区单独保存一个文件；当前以第一条记录为园区名称",
            kind="multiple_parks",
            severity="warning",
        )

    labels: dict[str, list[str]] = {}
    ids: dict[str, set[str] | None] = {}
    cols = columns if columns is not None else {}
    for name, df in usable.items():
        spec = schema.LAYERS[name]
        geom = _geometry_of(df)
        cols[name] = ColumnCache(df)
        labels[name] = _row_labels(cols[name], spec)
        if len(df) == 0 and not set(spec.required_columns) <= {str(x) for x in df.columns}:
            ids[name] = set()  # nothing to check; one problem for the layer, not one per column
            if name != "parks":  # an empty parks layer is the no_park error above
                c.add(
                    name,
                    None,
                    None,
                    None,
                    "图层为空（没有要素，也没有属性列），按空图层处理",
                    f"如该园区有{spec.label_zh}数据，请检查导出的文件「{name}」是否选错了图层或丢失了要素",
                    kind="empty_layer",
                    severity="warning",
                )
            continue
        _check_columns(c, name, df, spec, geom.name if geom is not None else None)
        _check_values(c, name, cols[name], spec, labels[name])
        ids[name] = _check_ids(c, name, cols[name], spec) if spec.id_column in df.columns else None
        _check_geometry(c, name, df, spec, labels[name])
    unusable = {p.layer for p in c.problems if p.kind in ("unreadable", "bad_crs", "no_geometry")}
    for name in schema.LAYERS:
        if name not in usable and name not in unusable:
            ids[name] = set()  # an absent layer is empty: references to it dangle
    for name in usable:
        spec = schema.LAYERS[name]
        consistency.dangling_references(c.add, name, cols[name], spec.references, labels[name], ids)
        if known_substance is not None and name in ("installations", "pipelines"):
            _check_substances(c, name, cols[name], labels[name], known_substance)
    if "rectifications" in usable:
        consistency.rectification_dates(
            c.add, usable["rectifications"], labels["rectifications"], columns=cols["rectifications"]
        )
    consistency.outside_enterprise(c.add, usable, labels, columns=cols)
    report = ValidationReport(tuple(c.problems), source=source)
    log.debug(
        "validated %d layers: %d errors, %d warnings", len(usable), len(report.errors), len(report.warnings)
    )
    return report


def validate_park(park, *, known_substance: Callable[[str], bool] | None = None) -> ValidationReport:
    """Validate a loaded :class:`~geodata.park.Park` (all its layers) and return the report."""
    return validate_layers(park.layers, known_substance=known_substance, source=getattr(park, "source", ""))
