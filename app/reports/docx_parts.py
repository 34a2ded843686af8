"""Parts of the Word reports (python-docx) shared by the rectification plan, the enterprise sheet, the risk report
and the region bulletin: a table with a repeated header row, a heading and a paragraph in the Chinese fonts of
Chinese official documents (宋体 for text, 黑体 for headings, set for East Asian text too).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["WORD_FONT", "WORD_FONT_HEADING", "add_table", "heading", "para", "set_cell_font"]

#: Body font and heading font of the Word reports.
WORD_FONT = "宋体"
WORD_FONT_HEADING = "黑体"


def set_cell_font(cell, *, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for p in cell.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            r.font.name = WORD_FONT
            r._element.rPr.rFonts.set(qn("w:eastAsia"), WORD_FONT)


def add_table(
    doc, df: pd.DataFrame, *, size: float = 8, widths_cm: Mapping[str, float] | None = None
) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on every page the table spans
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, name in zip(header.cells, df.columns, strict=True):
        cell.text = str(name)
        set_cell_font(cell, size=size, bold=True)
    for row in df.itertuples(index=False):
        cells = table.add_row().cells
        for cell, v in zip(cells, row, strict=True):
            cell.text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
            set_cell_font(cell, size=size)
    if widths_cm:
        table.autofit = False
        for j, name in enumerate(df.columns):
            w = Cm(widths_cm.get(name, 2.0))
            table.columns[j].width = w  # the grid width (used by LibreOffice)
            for r in table.rows:
                r.cells[j].width = w  # the cell width (used by Word)


def heading(doc, text: str, level: int) -> None:
    from docx.oxml.ns import qn

    h = doc.add_heading(text, level=level)
    h.paragraph_format.keep_with_next = True  # never leave a heading alone at the foot of a page
    for r in h.runs:
        r.font.name = WORD_FONT_HEADING
        r._element.rPr.rFonts.set(qn("w:eastAsia"), WORD_FONT_HEADING)


def para(doc, text: str, *, size: float = 10.5, bold: bool = False, center: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = doc.add_paragraph()
    r = p.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    r.font.name = WORD_FONT
    r._element.rPr.rFonts.set(qn("w:eastAsia"), WORD_FONT)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p
