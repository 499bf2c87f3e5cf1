"""Monthly figures as files: an .xlsx workbook (one sheet per table) and a .docx report.

Pure writers over the dicts the KPI services return; no database access here.
"""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.shared import Cm

from office.kpi import charts as charts
from office.exports import Sheet, workbook as _workbook

GROUP_TITLES = {"": "全部", "unit": "按单位", "category": "按类别", "region": "按属地", "channel": "按渠道"}
COLUMNS = (("label", "指标"), ("group", "分组"), ("numerator", "分子（件次）"), ("denominator", "分母（件次）"),
           ("rate", "比率（%）"), ("persons_numerator", "分子（人次）"), ("persons_denominator", "分母（人次）"))


def workbook(month: str, tables: dict[str, list[dict]]) -> bytes:
    """`tables` maps a grouping ('' = none) to its figures; every table becomes a sheet."""
    return _workbook([Sheet(GROUP_TITLES.get(by, by), COLUMNS, figures, title=f"{month} 信访工作指标",
                            widths={"label": 20}) for by, figures in tables.items()])


def document(month: str, tables: dict[str, list[dict]], trend: list[dict] | None = None) -> bytes:
    """The monthly Word report: charts of the month and its trend, then one table per grouping."""
    doc = Document()
    doc.add_heading(f"{month} 信访工作月度报告", level=0)
    doc.add_heading("图表", level=1)
    pictures = [charts.rates_chart(tables.get("", []), f"{month} 各项指标"),
                charts.trend_chart(trend or [], "近期主要指标走势")]
    pictures += [charts.group_chart(tables.get("unit", []), key, f"{month} {label}（按单位）")
                 for key, label in (("on_time_closure", "按期办结率"), ("satisfaction", "满意率"))]
    for png in filter(None, pictures):
        doc.add_picture(BytesIO(png), width=Cm(15))
    for by, figures in tables.items():
        doc.add_heading(f"指标（{GROUP_TITLES.get(by, by)}）", level=1)
        table = doc.add_table(rows=1, cols=len(COLUMNS))
        for cell, (_, text) in zip(table.rows[0].cells, COLUMNS):
            cell.text = text
        for figure in figures:
            cells = table.add_row().cells
            for cell, (key, _) in zip(cells, COLUMNS):
                value = figure.get(key)
                cell.text = "—" if value is None else str(value)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
