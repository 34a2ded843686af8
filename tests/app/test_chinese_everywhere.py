"""Chinese all the way through (issue 17, item 4): every page and every export, read as a user reads them.

Each module of ``app/views`` runs in Streamlit's AppTest on the demo park, once anonymous and once signed in as the
demo administrator, with its main compute buttons pressed so its results are shown. From each run the test reads
what a user reads — every element's text (titles, markdown, captions, alerts, metrics, expander and tab labels,
widget labels, help, options as ``format_func`` wrote them, placeholders, date formats), the displayed cells and
column headers of dataframes, the titles and tick labels of matplotlib figures, the titles and field names of
Altair charts, the tooltips, popups, legends and layer names of the folium maps — and every download the page
offers (Excel read back with openpyxl, Word with python-docx, PDF with pdftotext, GeoJSON property texts, KML
names and descriptions). The ``parkrisk`` commands' printed output and files are read the same way.

The text fails on:

- English enum keys: snake_case identifiers (``general_1``, ``pressure_storage``, ``E01/tank_farm``) and the
  single-word keys of :data:`geodata.schema.ENUM_LABELS_ZH` used as labels (``liquid``, ``atmospheric``);
- ``None``, ``nan``, ``NaN``, ``NaT``, ``<NA>``, ``inf``, and empty cells shown by Streamlit as ``None``;
- raw scientific notation (``1e-05``, ``3e-07``; people read ``1×10⁻⁵``), also tiny numbers written to Excel as
  General (Excel shows ``1E-05``);
- ISO/UTC timestamps (``2026-12-07T08:00``, ``+00:00``, ``…Z``; people read Beijing time).

The allow-list, with reasons:

- record ids (``T-3``, ``E12-U02``, ``PL-01``) are data, not enum keys: they match none of the patterns;
- units (``kPa``, ``kW/m²``, ``m/s``) and standards (``GB 36894-2018``) likewise;
- file names (``major_hazards.xlsx``, ``analysis/data/demo_wind_rose.csv``): what a user downloads or finds on disk;
- names of the park file's layers and columns where a message tells the user which layer or column to fix
  (``population_areas 图层``, ``inventory_kg 列``): the user has to find them by that name in a GIS;
- environment variables (``PARKRISK_PARK``) and command lines (``parkrisk fn-criterion``): typed by the user.

A failure names the page or export, the element and the offending string.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "app" / "views"
#: Every page module, and the app's entry (navigation, sidebar, sign-in and data source around the first page).
PAGES = [*sorted(p.stem for p in VIEWS.glob("*.py") if not p.stem.startswith("_")), "main"]
PASSWORDS = {"admin": "admin-demo"}

# ------------------------------------------------------------------------------------------------ what fails


def _enum_words() -> set[str]:
    """Single-word English keys of the stored enumerations (snake_case ones are caught by the pattern)."""
    from geodata.schema import ENUM_LABELS_ZH

    words = {k for labels in ENUM_LABELS_ZH.values() for k in labels if re.fullmatch(r"[a-z]{4,}", str(k))}
    # English words that are also ordinary words in the references the pages cite (e.g. "Britter-McQuaid dense
    # gas") are not taken as keys; what is left are words that only appear as a stored key.
    return words - {"column", "public", "small", "general", "important", "national", "park", "highway"}


_ENUM_WORDS = _enum_words()
_SNAKE = re.compile(r"(?<![\w/\\.-])(?:[A-Z]+\d+/)?[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.(])")
_UNIT_GROUP = re.compile(r"\b[A-Z]{1,3}\d+/(?:[a-z_]+|[a-z_]+:[\w-]+)\b")
_NULL = re.compile(r"(?<![\w.])(?:None|nan|NaN|NaT|<NA>|-?inf)(?![\w])")
# e notation, not inside a record id such as P01-AN-005E6653 (a hexadecimal hash after "AN-")
_SCI = re.compile(r"(?<![\w.])(?<!\w-)[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w])")
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[+-]00:?00|Z)(?![\w])|\+00:00|\bUTC\b(?![+＋]8)"
)
#: Streamlit's own English defaults a page can replace: the multiselect placeholder and the date format
#: (``format="YYYY-MM-DD"``, as dates are written everywhere else). The file uploader's drop-zone text ("Upload",
#: "200MB per file", "Drag and drop a file here") has no parameter in Streamlit: the page CSS replaces it, which only
#: a browser shows (tests/app/test_browser_uploader.py).
#: Superscript digits and minus (U+2070–U+209F): the CJK fonts of the figures and PDFs have none.
_SUPERSCRIPTS = re.compile("[\u2070-\u209f]")
_STREAMLIT_EN = re.compile(r"Choose options|Choose an option|YYYY/MM/DD")
_ENUM_WORD = (
    re.compile(r"(?<![\w/.-])(" + "|".join(sorted(_ENUM_WORDS)) + r")(?![\w./-])") if _ENUM_WORDS else None
)


def _allowed_names() -> set[str]:
    """Layer and column names of the park file (allowed where a message names the layer or column to fix)."""
    from geodata import schema

    names = set(schema.LAYERS)
    for spec in schema.LAYERS.values():
        names |= set(spec.column_names)
    return names


_LAYER_AND_COLUMN_NAMES = _allowed_names()
#: Columns of the files a user uploads (wind-rose table, hourly observations): named where the upload asks for them.
_INPUT_FILE_COLUMNS = {
    "period",
    "direction_deg",
    "speed_m_s",
    "stability",
    "probability",
    "time",
    "wind_from_deg",
    "wind_speed",
    "cloud_cover_oktas",
    "cloud_cover",
    "ceiling_m",
    "direction",
    "speed",
}
_INPUT_FILE_CONTEXT = re.compile(r"列|表|观测|文件|CSV|JSON")
#: Symbols of the equations the assumptions quote (the buoyancy length l_b of Britter–McQuaid): mathematics.
_FORMULA_SYMBOLS = {"l_b"}
_NAME_CONTEXT = re.compile(r"图层|列|字段|属性|layer|column|（$", re.I)


#: A run of three or more English words (issue 17 follow-up: "(constants not confirmed)", "[the park's own wind
#: rose]" inside Chinese text). Allowed, with reasons: titles and names written in Title Case (a cited work such as
#: "Initial Isolation and Protective Action Distances", an author list, a standard's name: the user looks them up
#: by that name), runs inside a citation (an author's year such as "Britter & McQuaid (1988)" or "et al." next to them, or "Purple Book", "Yellow Book",
#: "Green Book", "CPR 18E", "TNO", "ERG", "ALOHA", "CCPS" in the same text), file names and paths, and command lines
#: (``parkrisk weather import``: typed by the user).
_EN_RUN = re.compile(
    r"(?<![\w./\\-])[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*(?:[ ]+[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*){2,}"
)
_EN_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "at",
    "by",
    "for",
    "from",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "et",
    "al",
}
_CITATION = re.compile(
    r"(?:[A-Za-z&.],?\s+\(?|\()(?:1[89]\d\d|20\d\d)[a-z]?\b|et al|Purple Book|Yellow Book|Green Book|CPR ?1[4-8]E"
    r"|\bTNO\b|\bERG\b|ALOHA|CCPS"
)


def _english_runs(text: str) -> list[str]:
    """Runs of ≥ 3 English words that are neither a Title Case name nor part of a citation, path or command."""
    bad = []
    for m in _EN_RUN.finditer(text):
        run = m.group(0)
        words = run.split()
        if words[0] == "parkrisk" or text[max(m.start() - 1, 0) : m.start()] in {"/", "."}:
            continue
        content = [w for w in words if w.lower() not in _EN_SMALL_WORDS]
        if content and all(w[0].isupper() for w in content):  # a title, a name, a standard
            continue
        window = text[max(m.start() - 40, 0) : m.end() + 40]
        if _CITATION.search(window):
            continue
        bad.append(run)
    return bad


def offending(text: str) -> list[str]:
    """The strings of ``text`` a user must not read (empty when the text is fine)."""
    bad: list[str] = []
    for m in _SNAKE.finditer(text):
        word = m.group(0)
        if word in _LAYER_AND_COLUMN_NAMES:
            before, after = text[max(m.start() - 12, 0) : m.start()], text[m.end() : m.end() + 12]
            if _NAME_CONTEXT.search(before) or _NAME_CONTEXT.search(after):
                continue
        if word in _FORMULA_SYMBOLS:
            continue
        if word in _INPUT_FILE_COLUMNS and _INPUT_FILE_CONTEXT.search(text):
            continue
        if re.fullmatch(r"[A-Z_]+", word) or word.startswith("parkrisk"):
            continue
        bad.append(word)
    bad += [m.group(0) for m in _UNIT_GROUP.finditer(text)]
    bad += [m.group(0) for m in _NULL.finditer(text)]
    bad += [m.group(0) for m in _SCI.finditer(text)]
    bad += [m.group(0) for m in _ISO.finditer(text)]
    bad += [m.group(0) for m in _STREAMLIT_EN.finditer(text)]
    if _ENUM_WORD is not None:
        bad += [m.group(0) for m in _ENUM_WORD.finditer(text)]
    bad += _english_runs(text)
    return sorted(set(bad))


def test_the_patterns_catch_what_the_issue_names():
    """The test can fail: each kind of string the issue lists is caught, and the allow-list lets data through."""
    for s in (
        "保护类别 general_1",
        "单元 E01/tank_farm",
        "pressure_storage",
        "存量 None",
        "S = nan",
        "NaN",
        "NaT",
        "个人风险 1e-05 /年",
        "3e-07",
        "计算时间 2026-12-07T08:00:00",
        "2026-12-07 08:00:00+00:00",
        "相态 liquid",
        "Choose options",
        "YYYY/MM/DD",
        "GB 36894-2018 社会风险基准 (constants not confirmed)",
        "园区文件中的风玫瑰 [the park's own wind rose]",
        "物质 '苯' 无毒性概率函数常数（has no toxic probit constants）",
    ):
        assert offending(s), s
    for s in (
        "设施 T-3、E12-U02、PL-01",
        "事项 P01-AN-005E6653",
        "超压 21 kPa，热辐射 37.5 kW/m²",
        "下载 major_hazards.xlsx",
        "请在 population_areas 图层中补充",
        "环境变量 PARKRISK_PARK",
        "个人风险 3×10⁻⁷/年",
        "计算时间 2026-12-07 16:00（北京时间）",
        "GB 36894-2018",
        "ERG 2024, Table 1 – Initial Isolation and Protective Action Distances",
        "Britter & McQuaid (1988) Workbook on the dispersion of dense gases",
        "CPR 18E (Purple Book) 表 G.1",
        "请运行 parkrisk weather import 导入",
        "文件 analysis/data/demo wind rose.csv",
    ):
        assert not offending(s), (s, offending(s))


# ------------------------------------------------------------------------------------------------ what a user reads


@dataclass
class Reading:
    """Texts read from one page run or export: (where, element, text)."""

    where: str
    items: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)

    def add(self, element: str, text: object) -> None:
        if text is None:
            return
        s = str(text)
        if s.strip():
            self.items.append((element, s))

    def flag(self, element: str, text: str, why: str) -> None:
        """A string that fails for a reason no pattern sees (e.g. an English field name shown as axis title)."""
        self.flagged.append(f"{self.where} · {element}: [{text!r}] {why}")

    def failures(self) -> list[str]:
        out = list(self.flagged)
        for element, text in self.items:
            bad = offending(text)
            if bad:
                excerpt = text if len(text) <= 160 else text[:160] + "…"
                out.append(f"{self.where} · {element}: {bad} in {excerpt!r}")
        return out


#: Proto fields that hold no text a user reads (ids, keys, raw data, code, URLs).
_SKIP_FIELDS = {
    "id",
    "form_id",
    "key",
    "data",
    "spec",
    "url",
    "mime",
    "component_name",
    "json_args",
    "special_args",
    "css_class",
    "icon",
    "type",
    "theme",
    "selection_mode",
    "vega_lite_chart",
    "arrow_data",
    "styler",
    "columns",
    "column_order",
    "widths",
    "column_config",
}


def _repeated(fd) -> bool:
    return bool(getattr(fd, "is_repeated", None)) or getattr(fd, "label", None) == 3


def _proto_texts(msg, element: str, reading: Reading) -> None:
    from google.protobuf.descriptor import FieldDescriptor

    for fd, value in msg.ListFields():
        if fd.name in _SKIP_FIELDS:
            continue
        if fd.type == FieldDescriptor.TYPE_MESSAGE:
            values = value if _repeated(fd) else [value]
            for v in values:
                _proto_texts(v, f"{element}.{fd.name}", reading)
        elif fd.type == FieldDescriptor.TYPE_STRING:
            values = value if _repeated(fd) else [value]
            for v in values:
                reading.add(f"{element}.{fd.name}", v)


def _frame_texts(df: pd.DataFrame, element: str, reading: Reading) -> None:
    """Column headers and displayed cells; Streamlit shows an empty float cell as ``None``."""
    for col in df.columns:
        reading.add(f"{element} 列名", col)
    for col in df.columns:
        s = df[col]
        for i, v in enumerate(s.tolist()):
            where = f"{element} 列“{col}”第 {i + 1} 行"
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
                reading.add(where, "None（空值显示为 None）")
            elif isinstance(v, float) and v != 0 and abs(v) < 1e-3:
                reading.add(where, f"{v!r}（未格式化的极小数）")
            elif isinstance(v, pd.Timestamp) and v.tzinfo is not None:
                reading.add(where, str(v))
            elif isinstance(v, str):
                reading.add(where, v)


def _altair_texts(spec: str, element: str, reading: Reading) -> None:
    """Titles of an Altair chart, and the field names Altair shows as axis titles when there is no title."""

    def walk(node):
        if isinstance(node, dict):
            if "title" in node and isinstance(node["title"], str):
                reading.add(f"{element} 标题", node["title"])
            if (
                "field" in node
                and "title" not in node
                and node.get("type") in {"quantitative", "nominal", "ordinal", "temporal"}
            ):
                field_name = str(node["field"])
                if not re.search(r"[\u4e00-\u9fff]", field_name):  # Altair shows the field name as the title
                    reading.flag(f"{element} 坐标轴标题", field_name, "英文字段名作坐标轴标题，请给 title")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(spec))


def _figure_texts(fig, element: str, reading: Reading) -> None:
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        text = t.get_text()
        reading.add(element, text)
        if _SUPERSCRIPTS.search(text):  # drawn as empty boxes: write $3\times10^{-7}$ (mathtext)
            reading.flag(element, text, "图中字体（CJK）没有上标数字，显示为方框")


def _map_texts(m, element: str, reading: Reading) -> None:
    """Layer names, tooltips, popups, GeoJSON tooltip/popup values and the legends of a folium map."""
    import folium

    from app.mapping.text import HtmlPopup, TextTooltip

    def elements(e):
        yield e
        for c in list(getattr(e, "_children", {}).values()):
            yield from elements(c)

    for e in elements(m):
        if getattr(e, "layer_name", None) and not str(e.layer_name).startswith(
            ("macro_element", "feature_group")
        ):
            reading.add(f"{element} 图层名", e.layer_name)
        if isinstance(e, TextTooltip | folium.Tooltip):
            reading.add(f"{element} 提示", re.sub(r"<[^>]+>", " ", e.text))
        if isinstance(e, HtmlPopup):
            reading.add(f"{element} 弹窗", re.sub(r"<[^>]+>", " ", e.html_text))
        elif isinstance(e, folium.Popup):
            for child in e.html._children.values():
                reading.add(f"{element} 弹窗", re.sub(r"<[^>]+>", " ", child.render()))
        if isinstance(e, folium.GeoJson):
            fields = []
            for c in e._children.values():
                if isinstance(c, folium.GeoJsonTooltip | folium.GeoJsonPopup):
                    fields += list(c.fields)
                    if getattr(c, "labels", True):  # labels=False: only the values are shown
                        for a in c.aliases or []:
                            reading.add(f"{element} 字段名", a)
            data = e.data if isinstance(e.data, dict) else {}
            for feat in data.get("features", []):
                props = feat.get("properties") or {}
                for f in fields:
                    if f in props:
                        v = props[f]
                        if isinstance(v, str):  # written into the popup as HTML: what is read is its text
                            v = re.sub(r"<[^>]+>", " ", v)
                        reading.add(
                            f"{element}「{e.layer_name if hasattr(e, 'layer_name') else ''}」{f}",
                            "None" if v is None else v,
                        )
    html = m.get_root().render()
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    reading.add(f"{element} 图例与控件", re.sub(r"<[^>]+>", " ", body))


def export_texts(name: str, data: bytes | str, reading: Reading) -> None:
    """Read an exported file as its user would: workbook cells, Word text, PDF text, GeoJSON/KML descriptions."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(raw))
        for ws in wb.worksheets:
            reading.add(f"{name} 工作表名", ws.title)
            for row in ws.iter_rows():
                for c in row:
                    where = f"{name}「{ws.title}」{c.coordinate}"
                    if isinstance(c.value, str):
                        reading.add(where, c.value)
                    elif isinstance(c.value, float) and c.value != 0 and abs(c.value) < 1e-3:
                        if c.number_format == "General":
                            reading.add(where, f"{c.value!r}（Excel 显示为科学计数）")
    elif suffix == ".docx":
        import docx

        doc = docx.Document(io.BytesIO(raw))
        for i, p in enumerate(doc.paragraphs):
            reading.add(f"{name} 段落 {i + 1}", p.text)
        for t, table in enumerate(doc.tables):
            for r, row in enumerate(table.rows):
                for k, cell in enumerate(row.cells):
                    reading.add(f"{name} 表 {t + 1} 第 {r + 1} 行第 {k + 1} 列", cell.text)
    elif suffix == ".pdf":
        out = subprocess.run(
            [shutil.which("pdftotext") or "pdftotext", "-layout", "-", "-"],
            input=raw,
            capture_output=True,
            check=True,
        )
        for i, line in enumerate(out.stdout.decode("utf-8", "replace").splitlines()):
            reading.add(f"{name} 第 {i + 1} 行", line)
            if _SUPERSCRIPTS.search(line):  # the PDF's CJK font has no superscript digits: 3×10^-7
                reading.flag(f"{name} 第 {i + 1} 行", line, "PDF 字体（CJK）没有上标数字")
    elif suffix in {".geojson", ".json"}:
        doc = json.loads(raw.decode("utf-8"))
        for i, feat in enumerate(doc.get("features", [])):
            for k, v in (feat.get("properties") or {}).items():
                # descriptions and names people read; ids and SI data stay as they are
                if isinstance(v, str) and (
                    re.search(r"[\u4e00-\u9fff]", v) or k in {"description", "name", "label"}
                ):
                    reading.add(f"{name} 要素 {i + 1}「{k}」", v)
                elif k in {"description", "name", "label"} and v is None:
                    reading.add(f"{name} 要素 {i + 1}「{k}」", "None")
    elif suffix == ".kml":
        root = ET.fromstring(raw)
        for el in root.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag in {"name", "description"} and el.text:
                reading.add(f"{name} <{tag}>", re.sub(r"<[^>]+>", " ", el.text))
    elif suffix in {".csv", ".txt", ".md", ".html"}:
        reading.add(name, raw.decode("utf-8", "replace"))
    # .tif, .gpkg: data formats (SI values and stored keys by design), not read as text


# ------------------------------------------------------------------------------------------------ page runs


class _Capture:
    """Maps, figures and downloads of one page run."""

    def __init__(self, monkeypatch):
        import streamlit
        import streamlit_folium

        self.maps: list = []
        self.figures: list = []
        self.downloads: dict[str, bytes | str] = {}
        real_download, real_pyplot = streamlit.download_button, streamlit.pyplot

        def st_folium(m, *args, **kwargs):
            self.maps.append(m)

        def download_button(label, data=None, *args, **kwargs):
            self.downloads[kwargs.get("file_name", str(label))] = data() if callable(data) else data
            return real_download(label, data, *args, **kwargs)

        def pyplot(fig=None, *args, **kwargs):
            self.figures.append(fig)
            return real_pyplot(fig, *args, **kwargs)

        monkeypatch.setattr(streamlit_folium, "st_folium", st_folium)
        # 园区一张图 builds its map once for all sessions (app.one_map.overview_map): built again here, and captured
        from app.cache import shared
        from app.mapping import component

        real_args = component.component_args

        def component_args(m):
            self.maps.append(m)
            return real_args(m)

        monkeypatch.setattr(component, "component_args", component_args)
        shared("overview_map").clear()
        monkeypatch.setattr(streamlit, "download_button", download_button)
        monkeypatch.setattr(streamlit, "pyplot", pyplot)
        # columns' download buttons (c1.download_button) go through the DeltaGenerator
        from streamlit.delta_generator import DeltaGenerator

        real_dg = DeltaGenerator.download_button

        def dg_download(dg, label, data=None, *args, **kwargs):
            self.downloads[kwargs.get("file_name", str(label))] = data() if callable(data) else data
            return real_dg(dg, label, data, *args, **kwargs)

        monkeypatch.setattr(DeltaGenerator, "download_button", dg_download)


def _press(at: AppTest, page: str, signed_in: bool) -> None:
    """Press the page's main compute buttons (the coarsest grid where there is one)."""

    def click(key=None, label=None):
        from app.jobs import runner

        for b in at.button:
            if (key and b.key == key) or (label and b.label == label):
                b.click().run()
                # computed in a background job (app.jobs): the result shows on the next run
                if runner().wait_idle(600):
                    at.run()
                return

    if page == "risk":
        at.selectbox(key="risk_resolution").set_value(50.0)
        click(label="计算个人风险")
    elif page == "siting":
        at.selectbox(key="siting_res").set_value(50.0)
        click(label="计算个人风险")
        click(key="five_go")
        click(label="试算")
    elif page == "domino":
        click(label="开始分析")
    elif page == "emergency":
        click(key="em_make_pdf")
    elif page == "park_map":
        for t in at.toggle:
            if t.key == "park_map_tables":
                t.set_value(True).run()
    elif page == "rectification" and signed_in:
        click(key="rect_export_go")


#: Choices walked one by one after the main buttons: (element kind, key, at most how many options).
EXPLORE: dict[str, list[tuple[str, str, int | list[str] | None]]] = {
    "park_map": [("radio", "park_reg_pick", None)],  # each statistic's detail table
    "consequence": [("selectbox", "cq_kind", None)],  # every scenario of the default unit
    "emergency": [("radio", "em_source_kind", ["pipeline", "point"])],  # also a pipeline and a free point
    "enterprise_risk": [("selectbox", "er_enterprise", 4)],
}


def read_page(page: str, token: str | None, monkeypatch) -> Reading:
    from app.auth import SESSION_TOKEN_KEY

    who = "管理员" if token else "未登录"
    reading = Reading(f"页面 {page}（{who}）")
    cap = _Capture(monkeypatch)
    path = ROOT / "app" / "main.py" if page == "main" else VIEWS / f"{page}.py"
    at = AppTest.from_file(str(path), default_timeout=300)
    if token:
        at.session_state[SESSION_TOKEN_KEY] = token
    at.run()
    assert not at.exception, (page, at.exception)
    _press(at, page, bool(token))
    assert not at.exception, (page, at.exception)

    def walk(node, path):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", type(node).__name__)
        here = f"{path}/{kind}"
        if kind in {"arrow_data_frame", "dataframe", "table", "data_editor"} and hasattr(node, "value"):
            frame = node.value
            order = list(getattr(proto, "column_order", []) or [])
            if order:  # columns left out of column_order are not shown
                frame = frame[[c for c in order if c in frame.columns]]
            _frame_texts(frame, here, reading)
        elif kind in {"arrow_vega_lite_chart", "vega_lite_chart"} and proto is not None:
            _altair_texts(proto.spec, here, reading)
        if kind == "multiselect" and proto is not None and not proto.placeholder:
            reading.add(
                f"{here}（{proto.label}）.placeholder",
                "Choose options（未设 placeholder，Streamlit 显示英文）",
            )
        if kind == "html" and proto is not None:  # what the browser shows: no style sheet, no tags
            body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", proto.body, flags=re.S)
            reading.add(here, re.sub(r"<[^>]+>", " ", body))
        # a map's page (st.iframe srcdoc, app.mapping.component) is read as the map it is (_map_texts, captured
        # through component_args): its script and element ids are not text a user reads
        elif proto is not None and kind not in {"component_instance", "iframe"}:
            _proto_texts(proto, here, reading)
        for child in getattr(node, "children", {}).values():
            walk(child, here)

    walk(at._tree, "")
    for kind, key, choices in EXPLORE.get(page, ()):  # the other choices of the page, each read as shown

        def widget(kind=kind, key=key):  # looked up again after every run (the old tree is stale)
            return next((w for w in getattr(at, kind) if w.key == key), None)

        if widget() is None:
            continue
        if choices is None or isinstance(choices, int):  # by position (selectbox) or as shown (radio)
            for i in range(min(len(widget().options), choices or len(widget().options))):
                w = widget()
                (w.select_index(i) if kind == "selectbox" else w.set_value(w.options[i])).run()
                assert not at.exception, (page, key, i, at.exception)
                walk(at._tree, f"（{key} 第 {i + 1} 项）")
        else:  # raw values of a radio whose format_func is a label table
            for v in choices:
                widget().set_value(v).run()
                assert not at.exception, (page, key, v, at.exception)
                walk(at._tree, f"（{key}={v}）")
    for i, m in enumerate(cap.maps):
        _map_texts(m, f"地图 {i + 1}", reading)
    for i, fig in enumerate(cap.figures):
        _figure_texts(fig, f"图 {i + 1}", reading)
    for name, data in cap.downloads.items():
        export_texts(f"下载 {name}", data, reading)
    return reading


def _store_results(park: str, tmp: Path) -> None:
    """Every analysis computed once and kept with the park (``--store``): the one map and the pages then show the
    stored results too, with their popups, legends and times."""
    from app import cli

    for args in (
        ["risk", park, "-o", str(tmp / "r.tif"), "--resolution", "50", "--store"],
        ["major-hazards", park, "--store"],
        ["domino", park, "-o", str(tmp / "d.geojson"), "--samples", "200", "--store"],
        ["pipelines", park, "-o", str(tmp / "p.gpkg"), "--store"],
        [
            "evacuate",
            park,
            "--unit",
            "T-3",
            "--wind-from",
            "45",
            "--wind-speed",
            "2",
            "--time",
            "22:00",
            "-o",
            str(tmp / "e.geojson"),
            "--store",
        ],
    ):
        assert cli.main(args) == 0, args


@pytest.fixture(scope="module")
def tokens(tmp_path_factory, demo_park_path, demo_park):
    """The demo park with its store in a temporary data folder, and the administrator's session token."""
    from app.auth import open_park_store, sign_in
    from geodata.store import default_store_path

    mp = pytest.MonkeyPatch()
    mp.delenv("PARKRISK_PARK", raising=False)
    mp.delenv("PARKRISK_STORE", raising=False)
    mp.setenv("PARKRISK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    mp.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    mp.setenv("PARKRISK_BASEMAP", "none")
    store = open_park_store(str(demo_park_path), str(default_store_path(demo_park_path)), True, demo_park)
    try:
        out = {u: sign_in(store, u, pw, client="test-chinese").token for u, pw in PASSWORDS.items()}
    finally:
        store.close()
    _store_results(str(demo_park_path), tmp_path_factory.mktemp("stored"))
    yield out
    mp.undo()


@pytest.fixture(scope="module")
def region(tokens, tmp_path_factory, small_park_path):
    """A region of one park (the small test park), computed once (``parkrisk region run``, one local worker) for
    the 区域监管 page, its ranking table and its bulletin downloads."""
    import shutil as sh

    from app import cli

    folder = tmp_path_factory.mktemp("region")
    sh.copy(small_park_path, folder / "small_park.gpkg")
    args = ["region", "run", str(folder), "--workers", "1"]  # the page's own options: its cache is hit
    assert cli.main(args) == 0
    return folder


@pytest.mark.parametrize("who", [None, "admin"])
@pytest.mark.parametrize("page", PAGES)
def test_page_speaks_chinese(tokens, monkeypatch, page, who, request):
    if page == "region":
        monkeypatch.setenv("PARKRISK_REGION", str(request.getfixturevalue("region")))
    reading = read_page(page, tokens.get(who), monkeypatch)
    # (the walker reads: a title and at least one more element on every page, e.g. 区域监管 without a region)
    assert len(reading.items) >= 3, f"{reading.where}: almost nothing read ({reading.items})"
    if page == "region" and who == "admin":  # the ranking of the computed region is read too
        assert any("园区外最大个人风险" in t for _, t in reading.items), "区域监管：没有读到园区排名表"
    bad = reading.failures()
    assert not bad, f"{len(bad)} 处非中文/未格式化文本:\n" + "\n".join(bad[:60])


def test_a_bad_input_error_shows_its_chinese_text_only():
    """A page shows the Chinese text of a bad-input error, every detail kept and no English gloss
    (:func:`app.present.messages.message_zh`; the model's message ends "(must be > 0 m)")."""
    from app.present.messages import message_zh

    at = AppTest.from_file(str(VIEWS / "consequence.py"), default_timeout=300)
    at.run()
    at.radio(key="cq_mode").set_value("hole").run()
    at.number_input(key="cq_hole").set_value(0.0).run()
    assert not at.exception, at.exception
    shown = [e.value for e in at.error]
    assert any("hole_diameter 泄漏孔径=0.0" in t and "应 > 0 m" in t for t in shown), shown
    for text in shown:
        assert message_zh(text) == text and "must" not in text and not _english_runs(text), text


# ------------------------------------------------------------------------------------------------ the commands


def _cli(args: list[str], capsys) -> str:
    from app import cli

    code = cli.main(args)
    out = capsys.readouterr()
    assert code == 0, (args, out.err)
    return out.out + out.err


def _read_outputs(folder: Path, reading: Reading) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            export_texts(path.name, path.read_bytes(), reading)


@pytest.mark.parametrize(
    "args",
    [
        ["info"],
        ["validate"],
        ["major-hazards", "-o", "{out}/major_hazards.xlsx"],
        ["zones", "--unit", "T-3", "--scenario", "toxic", "-o", "{out}/zones.geojson"],
        [
            "evacuate",
            "--unit",
            "T-3",
            "--wind-from",
            "45",
            "--wind-speed",
            "2",
            "--time",
            "22:00",
            "-o",
            "{out}/brief.pdf",
            "-o",
            "{out}/zones.geojson",
            "-o",
            "{out}/zones.kml",
        ],
        ["domino", "-o", "{out}/domino.geojson", "--samples", "200"],
        ["pipelines", "-o", "{out}/pipelines.gpkg", "--xlsx", "{out}/hca.xlsx"],
        ["siting", "-o", "{out}/siting.xlsx", "--resolution", "50", "--five-rooms"],
        ["risk", "-o", "{out}/risk.tif", "--resolution", "50"],
        ["weather", "show"],
        ["rect", "stats"],
        ["rect", "verify"],
        ["rect", "findings"],
        ["rect", "export", "-o", "{out}/plan"],
    ],
    ids=lambda a: " ".join(a[:2]) if a[0] in {"rect", "weather"} else a[0],
)
def test_command_speaks_chinese(args, tmp_path, tokens, demo_park_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    argv = [a.replace("{out}", str(out)) for a in args]
    cut = 2 if argv[0] in {"rect", "weather"} else 1
    argv = [*argv[:cut], str(demo_park_path), *argv[cut:]]
    reading = Reading(f"命令 parkrisk {' '.join(args[:cut])}")
    reading.add("屏幕输出", _cli(argv, capsys))
    _read_outputs(out, reading)
    bad = reading.failures()
    assert not bad, f"{len(bad)} 处非中文/未格式化文本:\n" + "\n".join(bad[:60])
