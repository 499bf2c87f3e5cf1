"""Tables as files: every table a page shows can be downloaded as an .xlsx workbook.

One writer for the whole app, so sheets look alike (title row, bold header, sensible widths)
whichever page they come from. Pure: no database access here.

Formula injection (OWASP "CSV injection"): a petitioner writes the subject, so any text cell that
starts with =, +, -, @, a tab or a carriage return is written as text — in .xlsx as a string cell
with Excel's quote prefix (the value itself unchanged), in CSV with a leading apostrophe
(`csv_row`). Every exporter goes through `workbook` or `csv_row`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

MAX_TITLE = 31          # Excel's limit on a sheet name
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Text a spreadsheet would take for a formula (or an operator opening one)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A value for a CSV file: formula-like text gets a leading apostrophe, so a spreadsheet
    shows it as text; numbers and everything else pass unchanged."""
    return "'" + value if formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def _as_text(row_cells) -> None:
    """Formula-like text stays text: a string cell with Excel's quote prefix, value unchanged."""
    for cell in row_cells:
        if formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


@dataclass
class Sheet:
    """A table: `columns` are (key, header) pairs; rows are dicts read by key."""
    name: str
    columns: Sequence[tuple[str, str]]
    rows: Iterable[dict[str, Any]]
    title: str = ""
    widths: dict[str, float] = field(default_factory=dict)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return value


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx with one worksheet per table; names are trimmed and made unique for Excel."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        name = sheet.name[:MAX_TITLE] or "Sheet"
        n = 2
        while name in used:
            suffix = f"({n})"
            name, n = sheet.name[:MAX_TITLE - len(suffix)] + suffix, n + 1
        used.add(name)
        ws = book.create_sheet(name)
        if sheet.title:
            ws.append((sheet.title,))
            _as_text(ws[ws.max_row])
            ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        ws.append([header for _, header in sheet.columns])
        header_row = ws.max_row
        _as_text(ws[header_row])
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_cell(row.get(key)) for key, _ in sheet.columns])
            _as_text(ws[ws.max_row])
        for index, (key, header) in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=header_row, column=index).column_letter
            ws.column_dimensions[letter].width = sheet.widths.get(key, max(10, min(40, 2 * len(header) + 4)))
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
