"""指标看板 pages through the Flask test client, on the small dataset of tests/support/dashboard_data.py:

按期办结率 = A / (A, B, D) = 1/3 (per unit: gov 1/2, court 0/1); 网信占比 = (A, D) / (A, B, C, D) = 2/4.
Ledger (交办 in October): gov A on time + B overdue, court D late.
"""
from __future__ import annotations

import html
import json
import re
from io import BytesIO

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook

from tests.support.dashboard_data import NOW, load_dataset
from tests.support.web import finish_job as finish, sign_in

OCT = "month=2026-10"


@pytest.fixture
def dash(office):
    office.ids = load_dataset(office)
    with time_machine.travel(NOW, tick=True):
        yield office


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_dash(request):
    """The same dataset on SQLite and PostgreSQL, for the pages whose queries are new here."""
    svc = request.getfixturevalue("office" if request.param == "sqlite" else "pg_office")
    svc.ids = load_dataset(svc)
    with time_machine.travel(NOW, tick=True):
        yield svc


def browse(svc, user: str):
    from webui.app import create_app
    return sign_in(create_app(svc.settings, svc), user)


def page(browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return html.unescape(response.get_data(as_text=True))


def row(text: str, marker: str) -> str:
    """The table row carrying `marker` (e.g. data-kpi="on_time_closure")."""
    return re.search(rf"<tr[^>]*{re.escape(marker)}[^>]*>(.*?)</tr>", text, re.S).group(1)


def numbers(cells: str) -> list[str]:
    return re.findall(r">\s*([\d.]+%?|—)\s*</a>", cells)


def case_rows(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-case="(\d+)"', text)]


def links(text: str, css: str) -> list[tuple[str, str]]:
    return re.findall(rf'<a href="([^"]+)" class="{css}">([^<]+)</a>', text)


@pytest.mark.parametrize("user", ["director", "analyst"])
def test_the_dashboard_shows_every_figure_with_a_chart(dash, user):
    text = page(browse(dash, user), f"/dashboard?{OCT}")
    assert 'id="figures-chart"' in text and "vendor/chart.umd.min.js" in text and "dashboard.js" in text
    assert numbers(row(text, 'data-kpi="on_time_closure"'))[:3] == ["33.33%", "1", "3"]
    assert numbers(row(text, 'data-kpi="online_share"'))[:5] == ["50.00%", "2", "4", "4", "10"]   # 人次 A3+D1 / 10
    assert '"rate": 33.33' in text                                     # the chart's data
    assert "指标</a>" in text                                          # the nav link


def test_each_kpi_reads_in_its_own_words_against_its_target(dash):
    text = page(browse(dash, "director"), f"/dashboard?{OCT}")
    closure = row(text, 'data-kpi="on_time_closure"')
    # 1 of 3 due on time, target 100 %: 未达标; B (overdue) and D (late) are the missed, nothing pending
    assert '<td class="dash-target">≥ 100%</td>' in closure and 'data-verdict="未达标"' in closure
    assert re.search(r'class="missed">2</a> <span class="hint">超期</span>', closure)
    assert re.search(r'class="pending">0</a> <span class="hint">未到期</span>', closure)
    assert "按期办结 / 期限已到或已办结" in closure and "超期办结 1" in closure and "超期未办结 1" in closure
    repeats = row(text, 'data-kpi="repeat_rate"')
    # lower is better: no 重件 of 4 registered is within the 10 % target; no "missed" count, no pending
    assert 'data-verdict="达标"' in repeats and "≤ 10%" in repeats and 'class="missed"' not in repeats
    assert 'class="pending"' not in repeats
    online = row(text, 'data-kpi="online_share"')
    assert 'data-verdict=""' in online and 'class="missed"' not in online     # a share: no judgement
    definitions = re.search(r'<dl class="definitions" id="definitions">(.*?)</dl>', text, re.S).group(1)
    assert definitions.count("<dt>") == 11 and "答复意见" in definitions and "超出" in definitions
    missed = page(browse(dash, "director"), f"/dashboard/cases?key=on_time_closure&part=missed&{OCT}")
    assert "按期办结率 · 超期" in missed and 'data-field="handle_due"' in missed and "2026年10月20日" in missed


def test_the_pages_speak_english_when_asked(dash):
    browser = browse(dash, "director")
    browser.post("/lang/en", {"next": "/dashboard"})
    text = page(browser, f"/dashboard?{OCT}&by=unit")
    assert "On-time closure rate" in text and "Generate monthly report" in text and "By unit" in text
    assert "Not yet due (not in the rate)" in text and "Not met" in text and "closed on time / due or closed" in text
    assert "Assignment ledger" in page(browser, f"/dashboard/ledger?{OCT}")


def test_every_number_opens_a_list_of_exactly_that_many_cases(dash):
    browser = browse(dash, "director")
    for by in ("", "&by=unit"):
        text = page(browser, f"/dashboard?{OCT}{by}")
        counted = links(text, "numerator") + links(text, "denominator") + links(text, "missed") + \
            links(text, "pending")
        assert len(counted) > 20
        for url, shown in counted:
            assert len(case_rows(page(browser, url))) == int(shown), url


def test_a_drill_down_lists_the_cases_behind_a_figure_with_petitioners_masked(any_dash):
    ids, browser = any_dash.ids, browse(any_dash, "director")
    missed = page(browser, f"/dashboard/cases?key=on_time_closure&part=missed&{OCT}")
    assert case_rows(missed) == [ids["B"], ids["D"]]
    assert f'href="/cases/{ids["B"]}">REG-B</a>' in missed and "拆迁补偿" in missed and "区人民政府" in missed
    assert "王**" in missed and "王B明" not in missed
    gov = page(browser, f"/dashboard/cases?key=on_time_closure&part=denominator&by=unit&group=district_gov&{OCT}")
    assert case_rows(gov) == [ids["A"], ids["B"]]
    days = page(browser, "/dashboard/cases?key=online_share&part=numerator&from=2026-10-04&to=2026-10-31")
    assert case_rows(days) == [ids["D"]]                               # A (1 Oct) is before the period
    ledger = page(browser, f"/dashboard/ledger/cases?column=open_overdue&unit=district_gov&{OCT}")
    assert case_rows(ledger) == [ids["B"]] and "超期未办结" in ledger


def test_unit_staff_see_only_their_own_units_figures_ledger_and_cases(dash):
    ids, gov = dash.ids, browse(dash, "gov")
    text = page(gov, f"/dashboard?{OCT}")
    assert numbers(row(text, 'data-kpi="on_time_closure"'))[:3] == ["50.00%", "1", "2"]
    assert numbers(row(text, 'data-kpi="online_share"'))[:3] == ["50.00%", "1", "2"]
    listed = page(gov, f"/dashboard/cases?key=online_share&part=denominator&{OCT}")
    assert case_rows(listed) == [ids["A"], ids["B"]]
    ledger = page(gov, f"/dashboard/ledger?{OCT}")
    assert re.findall(r'data-unit="([^"]*)"', ledger) == ["district_gov", ""]
    assert "区人民法院" not in ledger
    page(gov, f"/dashboard/ledger/cases?column=assigned&unit=district_court&{OCT}", 403)
    court = page(browse(dash, "court"), f"/dashboard?{OCT}")
    assert numbers(row(court, 'data-kpi="on_time_closure"'))[:3] == ["0.00%", "0", "1"]


def test_the_ledger_counts_per_unit_highlights_overdue_and_links_each_cell(any_dash):
    browser = browse(any_dash, "director")
    text = page(browser, f"/dashboard/ledger?{OCT}")
    assert 'id="ledger-chart"' in text
    assert numbers(row(text, 'data-unit="district_gov"')) == ["2", "1", "0", "1", "0"]
    assert numbers(row(text, 'data-unit="district_court"')) == ["1", "0", "1", "0", "0"]
    assert numbers(row(text, 'data-unit=""')) == ["3", "1", "1", "1", "0"]       # total
    assert re.search(r'class="dash-num late" data-column="open_overdue">\s*<a', row(text, 'data-unit="district_gov"'))
    for url in re.findall(r'href="(/dashboard/ledger/cases[^"]+)"', text):
        shown = re.search(rf'href="{re.escape(url)}">(\d+)</a>', text).group(1)
        assert len(case_rows(page(browser, url.replace("&amp;", "&")))) == int(shown)


def test_the_trend_draws_chosen_kpis_month_by_month(dash):
    text = page(browse(dash, "director"), "/dashboard/trend?from_month=2026-09&to_month=2026-11"
                                          "&kpi=on_time_closure&kpi=online_share")
    assert 'id="trend-chart"' in text and '"months": ["2026-09", "2026-10", "2026-11"]' in text
    october = re.findall(r"<tr>\s*<td>2026-10</td>(.*?)</tr>", text, re.S)[0]
    assert numbers(october) == ["33.33%", "1", "3", "50.00%", "2", "4"]
    assert "/dashboard/cases?key=on_time_closure&amp;part=denominator&amp;month=2026-10" in \
        browse(dash, "director").get("/dashboard/trend?from_month=2026-10&to_month=2026-10").get_data(as_text=True)


def test_the_trend_follows_one_unit_or_compares_the_units(dash):
    director = browse(dash, "director")
    base = "/dashboard/trend?from_month=2026-10&to_month=2026-10&kpi=on_time_closure&by=unit"
    one = page(director, base + "&group=district_gov")
    october = re.findall(r"<tr>\s*<td>2026-10</td>(.*?)</tr>", one, re.S)[0]
    assert numbers(october) == ["50.00%", "1", "2"]          # A on time, B overdue (the office: 1 of 3)
    link = re.search(r'href="(/dashboard/cases\?[^"]*part=denominator[^"]*)"', october).group(1)
    assert "by=unit" in link and "group=district_gov" in link
    assert len(case_rows(page(director, html.unescape(link)))) == 2
    compared = page(director, base)
    october = re.findall(r"<tr>\s*<td>2026-10</td>(.*?)</tr>", compared, re.S)[0]
    assert numbers(october) == ["50.00%", "1", "2", "0.00%", "0", "1"]    # the larger unit first
    chart = json.loads(re.search(r'id="dash-data">(.*?)</script>', compared, re.S).group(1))
    assert [s["group"] for s in chart["series"]] == ["district_gov", "district_court"]
    book = load_workbook(BytesIO(director.get(base.replace("/trend?", "/export/trend.xlsx?")).data))
    assert [c.value for c in book.active[2]][:4] == ["月份", *[f"{chart['series'][0]['label']}{t}"
                                                             for t in ("（%）", "分子", "分母")]]


@pytest.mark.parametrize("url, message", [
    ("/dashboard/trend?by=petitioner", "unknown grouping"),
    ("/dashboard?month=2026-13", "month must look like 2026-10"),
    ("/dashboard?month=0000-01", "between 2000 and 2199"),
    ("/dashboard?from=2026-10-05&to=2026-10-01", "end after it starts"),
    ("/dashboard?from=2026-02-30&to=2026-03-01", "no such day"),
    ("/dashboard?from=2026-10-01", "to must be a date"),
    ("/dashboard?month=2026-10&from=2026-10-01&to=2026-10-02", "either a month or from/to"),
    ("/dashboard?month=2026-10&by=petitioner", "unknown grouping"),
    ("/dashboard/cases?key=nope&month=2026-10", "unknown KPI"),
    ("/dashboard/cases?key=repeat_rate&part=accepted_late&month=2026-10", "part must be one of"),
    ("/dashboard/cases?key=repeat_rate&month=2026-10&page=x", "page must be a whole number"),
    ("/dashboard/cases?key=repeat_rate&month=2026-10&page=9", "page must be between 1 and 1"),
    ("/dashboard/trend?from_month=2026-10&to_month=2026-01", "must not come before"),
    ("/dashboard/trend?from_month=2026-1&to_month=2026-10", "from_month must look like"),
    ("/dashboard/trend?kpi=nope", "unknown KPI"),
    ("/dashboard/ledger/cases?column=nope&month=2026-10", "unknown ledger column"),
    ("/dashboard/ledger/cases?column=assigned&unit=nowhere&month=2026-10", "unknown unit"),
    ("/dashboard/export/cases.xlsx?key=nope&month=2026-10", "unknown KPI"),
])
def test_bad_parameters_get_a_400_page_naming_the_problem(dash, url, message):
    assert message in page(browse(dash, "director"), url, 400)


def test_odd_query_parameters_do_not_break_the_links(dash):
    browser = browse(dash, "director")
    for url in (f"/dashboard?{OCT}&table=x&endpoint=y&_external=1&values=z",
                f"/dashboard/cases?key=repeat_rate&{OCT}&table=x&endpoint=y&_anchor=z",
                f"/dashboard/ledger?{OCT}&table=x&endpoint=y"):
        text = page(browser, url)
        export = re.search(r'id="export-\w+" href="([^"]+)"', text).group(1)
        assert export.startswith("/dashboard/export/") and "endpoint" not in export and "table=" not in export


def test_drill_downs_come_a_page_at_a_time(dash):
    from office.kpi.dashboard import parse_period
    ids, october = dash.ids, parse_period("2026-10")
    second = dash.dashboard.dashboard_cases("director", "repeat_rate", october, part="denominator", page=2, per_page=3)
    assert (second["total"], second["pages"], [i["case_id"] for i in second["items"]]) == (4, 2, [ids["D"]])
    assert second["items"][0]["subject"] == "噪音扰民" and second["items"][0]["unit_name"] == "区人民法院"


def test_users_without_figures_are_refused(dash):
    clerk = browse(dash, "clerk")          # office clerk: no unit, not among the groups that see figures
    for url in ("/dashboard", "/dashboard/cases?key=repeat_rate", "/dashboard/trend", "/dashboard/ledger",
                "/dashboard/ledger/cases?column=assigned", "/dashboard/export/figures.xlsx"):
        page(clerk, url, 403)
    assert clerk.post("/dashboard/report", {"month": "2026-10"}).status_code == 403
    assert "/dashboard" not in page(clerk, "/inbox")
    assert "/dashboard" in page(browse(dash, "gov"), "/inbox")
    assert browse(dash, None).get("/dashboard").status_code == 302        # to the login page
    page(browse(dash, "director"), "/dashboard/export/nothing.xlsx", 404)


def xlsx(browser, url: str) -> list[tuple]:
    response = browser.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet") and "attachment" in response.headers["Content-Disposition"]
    return list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))


def test_every_table_downloads_as_xlsx(dash):
    browser = browse(dash, "director")
    figures = xlsx(browser, f"/dashboard/export/figures.xlsx?{OCT}&by=unit")
    assert figures[1][:5] == ("分组", "指标", "比率（%）", "分子（件次）", "分母（件次）")
    assert ("区人民政府", "按期办结率", 50.0, 1, 2, 3, 4, 0, 1, "≥ 100%", "未达标") in figures
    cases = xlsx(browser, f"/dashboard/export/cases.xlsx?key=on_time_closure&part=missed&{OCT}")
    assert [r[0] for r in cases[2:]] == ["REG-B", "REG-D"] and cases[2][2] == "王**"
    assert cases[3][7:10] == ("2026-10-04 10:00", "2026-10-20 24:00", "2026-10-25 10:00")
    trend = xlsx(browser, "/dashboard/export/trend.xlsx?from_month=2026-10&to_month=2026-10&kpi=on_time_closure")
    assert trend[1:] == [("月份", "按期办结率（%）", "按期办结率分子", "按期办结率分母"), ("2026-10", 33.33, 1, 3)]
    ledger = xlsx(browser, f"/dashboard/export/ledger.xlsx?{OCT}")
    assert ledger[2:] == [("区人民法院", 1, 0, 1, 0, 0), ("区人民政府", 2, 1, 0, 1, 0), ("合计", 3, 1, 1, 1, 0)]
    overdue = xlsx(browser, f"/dashboard/export/ledger_cases.xlsx?column=open_overdue&{OCT}")
    assert [(r[0], r[-1]) for r in overdue[2:]] == [("REG-B", "超期未办结")]


def test_the_monthly_report_runs_as_a_job_with_progress_and_downloads(dash):
    browser = browse(dash, "director")
    text = page(browser, f"/dashboard?{OCT}")
    assert 'id="report-form"' in text and "生成月报" in text and 'id="report-progress"' in text
    started = browser.post("/dashboard/report", {"month": "2026-10"})
    assert started.status_code == 202 and started.json["kind"] == "kpi_report" and started.json["total"] == 7
    finish(started.json["id"])
    job = browser.get(f"/jobs/{started.json['id']}").json
    assert (job["status"], job["percent"], job["done"]) == ("done", 100, 7)
    book = browser.get(f"/dashboard/report/{job['id']}.xlsx")
    assert book.status_code == 200 and "2026-10" in book.headers["Content-Disposition"]
    sheets = load_workbook(BytesIO(book.data))
    assert ("按期办结率", None, 1, 3, 33.33, 3, 5, 0, 2, "≥ 100%", "未达标") in list(sheets["全部"].iter_rows(values_only=True))
    assert "按单位" in sheets.sheetnames
    report = browser.get(f"/dashboard/report/{job['id']}.docx")
    assert report.status_code == 200 and "2026-10" in Document(BytesIO(report.data)).paragraphs[0].text
    assert browse(dash, "analyst").get(f"/dashboard/report/{job['id']}.xlsx").status_code == 404   # not theirs
    assert browser.get(f"/dashboard/report/{job['id']}.pdf").status_code == 404
    assert browser.post("/dashboard/report", {"month": "2026-1"}).status_code == 400
