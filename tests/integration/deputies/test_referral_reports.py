"""Reports count referrals by deputy and station: the KPI dashboard and the monthly report for the
standing committee show the period's 代表转交 by the deputy's and the station's names."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import time_machine
from docx import Document
from openpyxl import load_workbook

from office.kpi.dashboard import parse_period
from tests.integration.deputies.test_deputy_referrals import DEPUTIES, STATIONS, referral


def refer_in_march_and_april(o) -> None:
    o.s.deputies.import_csv("deputies", DEPUTIES, user="clerk")
    o.s.deputies.import_csv("stations", STATIONS, user="clerk")
    for name in ("dep_wang", "dep_li"):
        o.s.users.add_user(name, groups=["deputy"], password="deputy-password-1", display_name=name)
    with time_machine.travel(datetime(2025, 3, 3, 2, tzinfo=timezone.utc), tick=False):
        o.s.deputies.refer(referral(), user="dep_wang")
        o.s.deputies.refer(referral(subject="村道破损无人修"), user="dep_wang")
        o.s.deputies.refer(referral(station="新华街代表联络站"), user="dep_li")
    with time_machine.travel(datetime(2025, 4, 3, 2, tzinfo=timezone.utc), tick=False):
        o.s.deputies.refer(referral(station="新华街代表联络站"), user="dep_li")


def test_the_dashboard_counts_the_periods_referrals_by_deputy_and_station_name(office1):
    o = office1
    refer_in_march_and_april(o)
    march = o.s.dashboard.dashboard_figures("director", parse_period("2025-03"))["referrals"]
    assert march["by_deputy"] == [{"deputy": "王代表", "referrals": 2}, {"deputy": "李代表", "referrals": 1}]
    assert march["by_station"] == [{"station": "鹤山区中山街道代表联络站", "referrals": 2},
                                   {"station": "新华街代表联络站", "referrals": 1}]
    assert march["total"] == 3
    april = o.s.dashboard.dashboard_figures("leader", parse_period(None, "2025-04-01", "2025-04-30"))["referrals"]
    assert april["by_deputy"] == [{"deputy": "李代表", "referrals": 1}] and april["total"] == 1
    assert o.s.dashboard.dashboard_figures("housing_staff", parse_period("2025-03"))["referrals"] is None, \
        "a unit's staff read their own unit's figures, not the deputies' channel"


def test_the_monthly_report_has_the_referrals_by_deputy_and_station(office1):
    o = office1
    refer_in_march_and_april(o)
    files = o.s.kpi.kpi_report("director", "2025-03")
    book = load_workbook(io.BytesIO(files["xlsx"]))
    by_deputy = [[c.value for c in row] for row in book["代表转交（按代表）"].iter_rows()]
    assert ["王代表", 2] in by_deputy and ["李代表", 1] in by_deputy
    by_station = [[c.value for c in row] for row in book["代表转交（按联络站）"].iter_rows()]
    assert ["新华街代表联络站", 1] in by_station
    doc = Document(io.BytesIO(files["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "代表转交（本月共3件）" in text and "鹤山区中山街道代表联络站" in cells
    assert "dep_wang" not in str(by_deputy) + str(cells), "names, never user codes"
