"""Monthly figures as files: an .xlsx workbook (one sheet per table) and a .docx report.

Pure writers over the dicts the KPI services return; no database access here.
"""
from __future__ import annotations

from io import BytesIO

from docx import Document
from openpyxl import Workbook

GROUP_TITLES = {"": "全部", "unit": "按单位", "category": "按类别", "region": "按属地", "channel": "按渠道"}
HEADER = ("指标", "分组", "分子（件次）", "分母（件次）", "比率（%）", "分子（人次）", "分母（人次）")


def _row(f: dict) -> tuple:
    return (f["label"], f["group"] or "", f["numerator"], f["denominator"], f["rate"],
            f["persons_numerator"], f["persons_denominator"])


def workbook(month: str, tables: dict[str, list[dict]]) -> bytes:
    """`tables` maps a grouping ('' = none) to its figures; every table becomes a sheet."""
    book = Workbook()
    book.remove(book.active)
    for by, figures in tables.items():
        sheet = book.create_sheet(GROUP_TITLES.get(by, by)[:31])
        sheet.append((f"{month} 信访工作指标",))
        sheet.append(HEADER)
        for figure in figures:
            sheet.append(_row(figure))
        sheet.column_dimensions["A"].width = 20
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def document(month: str, tables: dict[str, list[dict]]) -> bytes:
    """The monthly Word report: one table per grouping (charts are not yet drawn)."""
    doc = Document()
    doc.add_heading(f"{month} 信访工作月度报告", level=0)
    for by, figures in tables.items():
        doc.add_heading(f"指标（{GROUP_TITLES.get(by, by)}）", level=1)
        table = doc.add_table(rows=1, cols=len(HEADER))
        for cell, text in zip(table.rows[0].cells, HEADER):
            cell.text = text
        for figure in figures:
            cells = table.add_row().cells
            for cell, value in zip(cells, _row(figure)):
                cell.text = "—" if value is None else str(value)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
