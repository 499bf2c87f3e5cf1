"""Monthly figures as files: an .xlsx workbook (one sheet per table) and a .docx report, each
ending with the appendix of definitions (office.kpi.definitions), Chinese first, English second.

Pure writers over the dicts the KPI services return; no database access here.
"""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.shared import Cm

from office.kpi import charts as charts
from office.kpi.definitions import BY_KEY as DEFINED, DEFINITIONS
from office.exports import Sheet, workbook as _workbook

GROUP_TITLES = {"": "全部", "unit": "按单位", "category": "按类别", "region": "按属地", "channel": "按渠道"}
COLUMNS = (("label", "指标"), ("group", "分组"), ("numerator", "分子（件次）"), ("denominator", "分母（件次）"),
           ("rate", "比率（%）"), ("persons_numerator", "分子（人次）"), ("persons_denominator", "分母（人次）"),
           ("pending", "未到期（不计入比率）"), ("missed", "未达标"), ("target", "目标"), ("verdict", "判定"))
APPENDIX = "附录：指标口径"
REFERRAL_TABLES = (("by_deputy", "代表转交（按代表）", (("deputy", "代表"), ("referrals", "转交件数"))),
                   ("by_station", "代表转交（按联络站）", (("station", "代表联络站"), ("referrals", "转交件数"))))
APPENDIX_COLUMNS = (("label", "指标"), ("target", "目标"), ("text", "口径"), ("label_en", "Indicator"),
                    ("text_en", "Definition"))


def _rows(figures: list[dict]) -> list[dict]:
    return [{**f, "target": DEFINED[f["key"]].target_text if f.get("key") in DEFINED else None} for f in figures]


def definitions() -> list[dict]:
    return [{"label": d.label, "target": d.target_text, "text": d.text, "label_en": d.label_en, "text_en": d.text_en}
            for d in DEFINITIONS]


def workbook(month: str, tables: dict[str, list[dict]], referrals: dict | None = None) -> bytes:
    """`tables` maps a grouping ('' = none) to its figures; every table becomes a sheet, then the
    month's 代表转交 by deputy and by station (when the reader may see them), then the appendix."""
    sheets = [Sheet(GROUP_TITLES.get(by, by), COLUMNS, _rows(figures), title=f"{month} 信访工作指标",
                    widths={"label": 20}) for by, figures in tables.items()]
    if referrals is not None:
        sheets += [Sheet(title, columns, referrals[key], title=f"{month} {title}", widths={columns[0][0]: 24})
                   for key, title, columns in REFERRAL_TABLES]
    sheets.append(Sheet("指标口径", APPENDIX_COLUMNS, definitions(), title=f"{APPENDIX}（Definitions）",
                        widths={"label": 18, "text": 80, "label_en": 24, "text_en": 80}))
    return _workbook(sheets)


def document(month: str, tables: dict[str, list[dict]], trend: list[dict] | None = None,
             referrals: dict | None = None) -> bytes:
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
        for figure in _rows(figures):
            cells = table.add_row().cells
            for cell, (key, _) in zip(cells, COLUMNS):
                value = figure.get(key)
                cell.text = "—" if value is None else str(value)
    if referrals is not None:
        _referrals(doc, referrals)
    _appendix(doc)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _referrals(doc, referrals: dict) -> None:
    """The deputies' channel for the standing committee: how many petitions each deputy and each
    liaison station referred in the month."""
    doc.add_heading(f"代表转交（本月共{referrals['total']}件）", level=1)
    for key, title, columns in REFERRAL_TABLES:
        doc.add_heading(title, level=2)
        if not referrals[key]:
            doc.add_paragraph("本月无")
            continue
        table = doc.add_table(rows=1, cols=len(columns))
        for cell, (_, text) in zip(table.rows[0].cells, columns):
            cell.text = text
        for row in referrals[key]:
            for cell, (field, _) in zip(table.add_row().cells, columns):
                cell.text = str(row[field])


def _appendix(doc) -> None:
    """Every KPI's definition: what it counts, what is not yet due, its target; Chinese, then English."""
    doc.add_heading(APPENDIX, level=1)
    doc.add_paragraph("比率只计已到期的事项；纳入统计为否的案件不计入。Rates count only what is due; cases not "
                      "counted in the statistics are left out.")
    for d in DEFINITIONS:
        doc.add_heading(f"{d.label}（{d.label_en}） 目标 {d.target_text}", level=2)
        doc.add_paragraph(d.text)
        doc.add_paragraph(d.text_en)
